/* rtc_models_apps.c: the schemas of apps, record rules, auto-record mode and the record
 * callback (API-v2-operations.md sections 3 and 4). Data only, plus their two formats.
 * Request schemas carry every documented rule; answer schemas only types (the service is the
 * judge of its own values, and unknown values, e.g. new notify events, are kept). */
#include <string.h>

#include "rtc_models.h"
#include "rtc_text.h"

/* http:// or https://, then a non-empty rest without blanks or control bytes (a prefix check,
 * not a URL parser: reachability is the service's to judge, RTC.00001018). */
static int is_http_url(const char *s, size_t len) {
  size_t prefix;
  if (len > 7 && strncmp(s, "http://", 7) == 0) prefix = 7;
  else if (len > 8 && strncmp(s, "https://", 8) == 0) prefix = 8;
  else return 0;
  return !rtc_text_has(s + prefix, len - prefix, RTC_C_CONTROL | RTC_C_BLANK);
}

/* The console's rule for app names: letters, digits, '-' and '_' (length: the field's max). */
static int is_app_name(const char *s, size_t len) {
  size_t i;
  for (i = 0; i < len; i++)
    if (!rtc_is(s[i], RTC_C_UNRESERVED) || s[i] == '.' || s[i] == '~') return 0;
  return 1;
}

static const rtc_format http_url = {"an http:// or https:// URL", is_http_url};
static const rtc_format app_name = {"letters, digits, '-' or '_'", is_app_name};

static const char *const app_states_query[] = {"ACTIVATION", "DEACTIVATION", "ARREARS", NULL};
static const char *const record_formats[] = {"HLS", "MP4", NULL};
static const char *const rule_locations[] = {"cn-north-4", NULL}; /* the only one documented */
static const char *const auto_record_modes[] = {"AUTO_RECORD_OFF", "AUTO_INDIVIDUAL_RECORD",
                                                NULL};

/* ---------------------------------------------------------------- apps */

static const rtc_field app_req_fields[] = {
  {"app_name", RTC_T_STRING, RTC_REQUIRED | RTC_NONEMPTY, 0, 64, NULL, &app_name, NULL,
   RTC_T_STRING, 0, 0},
};
RTC_SCHEMA(rtc_model_app_req, "AppReq", app_req_fields, NULL, NULL);

/* offset: the page number, from 0 (the docs); limit 1..100, default 100 (the docs) */
static const rtc_field list_apps_query_fields[] = {
  F_ENUM("state", 0, app_states_query),
  F_INTEGER("offset", 0, 0, RTC_INT32_MAX),
  F_INTEGER("limit", 0, 1, 100),
};
RTC_SCHEMA(rtc_model_list_apps_query, "ListAppsQuery", list_apps_query_fields, NULL, NULL);

static const rtc_field app_state_fields[] = {F_STRING("state", 0), F_STRING("update_time", 0)};
RTC_SCHEMA(rtc_model_app_state, "AppState", app_state_fields, NULL, NULL);

static const rtc_field app_auth_fields[] = {
  F_BOOLEAN("enable"), F_INT_ANY("expire"), F_STRING("app_key", 0), F_STRING("update_time", 0),
};
RTC_SCHEMA(rtc_model_app_auth, "AppAuth", app_auth_fields, NULL, NULL);

static const rtc_field callback_url_fields[] = {
  F_STRING("url", 0), F_STRING("auth_key", 0),
  F_STRINGS("notify_event_subscription", 0, 0, RTC_ANY_LENGTH, NULL, NULL),
  F_STRING("update_time", 0),
};
RTC_SCHEMA(rtc_model_callback_url, "AppCallbackUrl", callback_url_fields, NULL, NULL);

static const rtc_field app_callbacks_fields[] = {
  F_OBJECT("push_callback", 0, rtc_model_callback_url),
  F_OBJECT("record_callback", 0, rtc_model_callback_url),
};
RTC_SCHEMA(rtc_model_app_callbacks, "AppCallbacks", app_callbacks_fields, NULL, NULL);

static const rtc_field auto_record_mode_fields[] = {
  F_STRING("mode", 0), F_STRING("record_rule_id", 0), F_STRING("update_time", 0),
};
RTC_SCHEMA(rtc_model_auto_record_mode, "AppAutoRecordMode", auto_record_mode_fields, NULL, NULL);

static const rtc_field app_fields[] = {
  F_STRING("app_name", 0),    F_STRING("app_id", 0),
  F_OBJECT("state", 0, rtc_model_app_state), /* an object, not a string (oddity 10) */
  F_STRING("scope", 0),       F_STRING("tenant_name", 0),   F_STRING("domain", 0),
  F_STRING("create_time", 0),
  F_OBJECT("authentication", 0, rtc_model_app_auth),
  F_OBJECT("callbacks", 0, rtc_model_app_callbacks),
  F_OBJECT("auto_record_mode", 0, rtc_model_auto_record_mode),
};
RTC_SCHEMA(rtc_model_app, "App", app_fields, NULL, NULL);

static const rtc_field app_list_fields[] = {
  F_INT_ANY("count"), /* every app (that matches state), not the page's size */
  F_OBJECTS("apps", 0, 0, RTC_ANY_LENGTH, rtc_model_app),
};
RTC_SCHEMA(rtc_model_app_list, "ListAppsResponse", app_list_fields, NULL, NULL);

static const rtc_field app_created_fields[] = {F_STRING("app_id", 0)};
RTC_SCHEMA(rtc_model_app_created, "CreateAppResponse", app_created_fields, NULL, NULL);

static const rtc_field app_switched_fields[] = {
  F_STRING("app_id", 0), F_OBJECT("state", 0, rtc_model_app_state),
};
RTC_SCHEMA(rtc_model_app_switched, "StartAppResponse", app_switched_fields, NULL, NULL);

/* ---------------------------------------------------------------- record rules */

static const rtc_field obs_addr_fields[] = {
  F_ENUM("location", RTC_REQUIRED, rule_locations),
  F_STRING("project_id", RTC_REQUIRED | RTC_NONEMPTY),
  F_STRING("bucket", RTC_REQUIRED | RTC_NONEMPTY),
  F_STRING("object", 0), /* empty: the bucket's root */
};
RTC_SCHEMA(rtc_model_obs_addr, "RecordObsFileAddr", obs_addr_fields, NULL, NULL);

static const rtc_field hls_config_fields[] = {
  /* documented: 60..43200, or 0 (the whole stream in one file) */
  F_INTEGER("record_cycle", RTC_REQUIRED | RTC_OR_ZERO, 60, 43200),
  F_STRING("record_prefix", 0),
  F_INTEGER("record_slice_duration", 0, 2, 60),
  F_INTEGER("record_max_duration_to_merge_file", 0, -1, 300),
};
RTC_SCHEMA(rtc_model_hls_config, "HLSRecordConfig", hls_config_fields, NULL, NULL);

static const rtc_field mp4_config_fields[] = {
  F_INTEGER("record_cycle", RTC_REQUIRED, 60, 10800),
  F_STRING("record_prefix", 0),
  F_INTEGER("record_max_duration_to_merge_file", 0, 0, 300),
};
RTC_SCHEMA(rtc_model_mp4_config, "MP4RecordConfig", mp4_config_fields, NULL, NULL);

static const rtc_rule record_rule_rules[] = {
  {"record_formats", "HLS", "hls_config"},
  {"record_formats", "MP4", "mp4_config"},
  {NULL, NULL, NULL},
};
static const rtc_field record_rule_req_fields[] = {
  F_OBJECT("obs_addr", RTC_REQUIRED, rtc_model_obs_addr),
  F_STRINGS("record_formats", RTC_REQUIRED | RTC_NONEMPTY, 1, 2, record_formats, NULL),
  F_OBJECT("hls_config", 0, rtc_model_hls_config),
  F_OBJECT("mp4_config", 0, rtc_model_mp4_config),
};
RTC_SCHEMA(rtc_model_record_rule_req, "RecordRuleReq", record_rule_req_fields, NULL,
           record_rule_rules);

/* offset: the page number, from 0; no documented range for limit: an int32 of at least 1 */
static const rtc_field list_rules_query_fields[] = {
  F_INTEGER("offset", 0, 0, RTC_INT32_MAX),
  F_INTEGER("limit", 0, 1, RTC_INT32_MAX),
};
RTC_SCHEMA(rtc_model_list_rules_query, "ListRecordRulesQuery", list_rules_query_fields, NULL,
           NULL);

static const rtc_field record_rule_fields[] = {
  F_STRING("rule_id", 0),     F_STRING("app_id", 0),
  F_OBJECT("obs_addr", 0, rtc_model_obs_addr),
  F_STRINGS("record_formats", 0, 0, RTC_ANY_LENGTH, NULL, NULL),
  F_OBJECT("hls_config", 0, rtc_model_hls_config),
  F_OBJECT("mp4_config", 0, rtc_model_mp4_config),
  F_STRING("create_time", 0), F_STRING("update_time", 0),
};
RTC_SCHEMA(rtc_model_record_rule, "RecordRule", record_rule_fields, NULL, NULL);

static const rtc_field rule_list_fields[] = {
  F_OBJECTS("rules", 0, 0, RTC_ANY_LENGTH, rtc_model_record_rule), /* no total (oddity 14) */
};
RTC_SCHEMA(rtc_model_rule_list, "ListRecordRulesResponse", rule_list_fields, NULL, NULL);

/* ---------------------------------------------------------------- auto record, callback */

static const rtc_rule auto_record_rules[] = {
  {"mode", "AUTO_INDIVIDUAL_RECORD", "record_rule_id"},
  {NULL, NULL, NULL},
};
static const rtc_field auto_record_req_fields[] = {
  F_ENUM("mode", RTC_REQUIRED, auto_record_modes),
  F_STRING("record_rule_id", RTC_NONEMPTY),
};
RTC_SCHEMA(rtc_model_auto_record_req, "AutoRecordModeReq", auto_record_req_fields, NULL,
           auto_record_rules);

static const rtc_field auto_record_fields[] = {
  F_STRING("app_id", 0), F_OBJECT("auto_record_mode", 0, rtc_model_auto_record_mode),
};
RTC_SCHEMA(rtc_model_auto_record, "ShowAutoRecordResponse", auto_record_fields, NULL, NULL);

static const rtc_field callback_req_fields[] = {
  F_FORMAT("url", RTC_REQUIRED | RTC_NONEMPTY, &http_url),
  F_STRING("auth_key", 0),
};
RTC_SCHEMA(rtc_model_callback_req, "AppCallbackUrlReq", callback_req_fields, NULL, NULL);

static const rtc_field record_callback_fields[] = {
  F_STRING("app_id", 0), F_OBJECT("record_callback", 0, rtc_model_callback_url),
};
RTC_SCHEMA(rtc_model_record_callback, "ShowRecordCallbackResponse", record_callback_fields,
           NULL, NULL);
