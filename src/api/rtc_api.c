/* rtc_api.c: the API as data: the 28 operations of CloudRTC v2, one row each (their schemas
 * are in rtc_models_*.c), plus the look-ups that read the table.
 *
 * Retry classes: a POST that creates something (create_app, create_mix_job, create_job) is
 * retried only when the request was never sent, since a second one could make a second app or
 * job. Everything else may be repeated safely: GET, PUT and DELETE by their definition; enable,
 * disable, dismiss and batch-remove-users leave the same state when done twice; and
 * create_record_rule is an upsert keyed by app + obs_addr.location (201 new, 200 replaced), so a
 * repeat replaces the rule with itself. */
#include <stdio.h>
#include <string.h>

#include "rtc_api.h"
#include "rtc_models.h"

#define JSON "application/json"                /* bodiless ops and the rtc-ops PUT (oddity 17) */
#define JSON_UTF8 "application/json;charset=utf-8" /* the other body-carrying ops */
#define IDEMPOTENT RTC_RETRY_IDEMPOTENT
#define IF_UNSENT RTC_RETRY_IF_UNSENT

#define APPS "/v2/apps"
#define APP APPS "/{app_id}"
#define JOBS APP "/individual-stream-jobs"
#define RULES APP "/record-rules"
#define MIX APP "/mix-stream-jobs"
#define ROOM APP "/rooms/{room_id}"
#define OBS "/v2/rtc-ops/buckets"

/* What each_<item> walks: {items, item, total, paged} */
static const rtc_list app_list = {"apps", "app", "count", 1};
static const rtc_list rule_list = {"rules", "record_rule", NULL, 1};
static const rtc_list bucket_list = {"buckets", "obs_bucket", "count", 0};
static const rtc_list object_list = {"objects", "obs_bucket_object", "count", 0};

#ifdef RTC_TEST_ROWS
/* Test-only rows (spec/unit/rows_spec.lua builds a module with them): one of each kind of field,
 * rule, query and list metadata, apart from the API's own rows, so the row types are tested
 * independently of what the 28 operations happen to use. */
static const rtc_field test_item_fields[] = {
  F_STRING("name", RTC_REQUIRED | RTC_NONEMPTY),
  F_NUMBER("weight", 0, 0.0, 1.0),
};
static RTC_SCHEMA(test_item, "TestItem", test_item_fields, NULL, NULL);
static const char *const test_modes[] = {"plain", "fancy", NULL};
static const rtc_rule test_rules[] = {
  {"mode", "fancy", "extra"}, {"tags", "urgent", "extra"}, {NULL, NULL, NULL}};
static const rtc_field test_body_fields[] = {
  F_ENUM("mode", 0, test_modes),
  F_STRING_MAX("extra", 0, 8),
  F_OBJECTS("items", 0, 0, 10, test_item),
  F_STRINGS("tags", 0, 0, 10, NULL, NULL),
  F_NUMBER("ratio", 0, 0.5, 2.0),
};
static RTC_SCHEMA(test_body, "TestBody", test_body_fields, NULL, test_rules);
static const rtc_field test_query_fields[] = {
  F_INTEGER("offset", 0, 0, 1000), F_INTEGER("limit", 0, 1, 100), F_STRING("name", 0),
  F_BOOLEAN("all"), F_NUMBER("min_weight", 0, 0.0, 1.0),
};
static RTC_SCHEMA(test_query, "TestQuery", test_query_fields, NULL, NULL);
static const rtc_field test_list_fields[] = {
  F_OBJECTS("rules", 0, 0, 1000, test_item), F_INTEGER("count", 0, 0, 0),
};
static RTC_SCHEMA(test_list_answer, "TestList", test_list_fields, NULL, NULL);
static const rtc_list test_list = {"rules", "test_rule", "count", 1};
#define TEST_ROWS                                                                              \
  {"test_post", "POST", "/v2/test/{app_id}/things", &test_body, NULL, 200, RTC_RETRY_IF_UNSENT, \
   "Test: a body with every kind of field", NULL, "application/x-test+json", NULL},          \
  {"test_list", "GET", "/v2/test/{app_id}/rules", NULL, &test_list_answer, 200,               \
   RTC_RETRY_IDEMPOTENT, "Test: a paged list", &test_query, NULL, &test_list},
#else
#define TEST_ROWS
#endif

const rtc_operation rtc_operations[] = {
  /* name, method, path, body, answer, success, retry, summary, query, content type, list */

  /* individual-stream jobs first: the order they always had */
  {"create_job", "POST", JOBS, &rtc_model_create_job_req, &rtc_model_job, 201, IF_UNSENT,
   "Start an individual stream job (records or relays one user's stream)", NULL, JSON_UTF8,
   NULL},
  {"get_job", "GET", JOBS "/{job_id}", NULL, &rtc_model_job, 200, IDEMPOTENT,
   "Query an individual stream job", NULL, JSON, NULL},
  {"update_job", "PUT", JOBS "/{job_id}", &rtc_model_update_job_req, &rtc_model_job, 200,
   IDEMPOTENT, "Update an individual stream job's publish or record parameters", NULL,
   JSON_UTF8, NULL},
  {"stop_job", "DELETE", JOBS "/{job_id}", NULL, NULL, 204, IDEMPOTENT,
   "Stop an individual stream job", NULL, JSON, NULL},

  /* apps */
  {"create_app", "POST", APPS, &rtc_model_app_req, &rtc_model_app_created, 201, IF_UNSENT,
   "Create an app", NULL, JSON_UTF8, NULL},
  {"list_apps", "GET", APPS, NULL, &rtc_model_app_list, 200, IDEMPOTENT,
   "List apps, a page at a time (offset = page number from 0)", &rtc_model_list_apps_query, JSON,
   &app_list},
  {"get_app", "GET", APP, NULL, &rtc_model_app, 200, IDEMPOTENT, "Query an app", NULL, JSON,
   NULL},
  {"delete_app", "DELETE", APP, NULL, NULL, 204, IDEMPOTENT, "Delete an app", NULL, JSON, NULL},
  {"start_app", "POST", APP "/enable", NULL, &rtc_model_app_switched, 200, IDEMPOTENT,
   "Enable an app", NULL, JSON, NULL},
  {"stop_app", "POST", APP "/disable", NULL, &rtc_model_app_switched, 200, IDEMPOTENT,
   "Disable an app (its job calls then fail)", NULL, JSON, NULL},

  /* record rules */
  {"create_record_rule", "POST", RULES, &rtc_model_record_rule_req, &rtc_model_record_rule, 201,
   IDEMPOTENT, "Create a recording rule (replaces the app's rule of that location: 200)", NULL,
   JSON_UTF8, NULL},
  {"list_record_rules", "GET", RULES, NULL, &rtc_model_rule_list, 200, IDEMPOTENT,
   "List an app's recording rules, a page at a time (offset = page number from 0)",
   &rtc_model_list_rules_query, JSON, &rule_list},
  {"get_record_rule", "GET", RULES "/{rule_id}", NULL, &rtc_model_record_rule, 200, IDEMPOTENT,
   "Query a recording rule", NULL, JSON, NULL},
  {"update_record_rule", "PUT", RULES "/{rule_id}", &rtc_model_record_rule_req,
   &rtc_model_record_rule, 200, IDEMPOTENT, "Update a recording rule", NULL, JSON_UTF8, NULL},
  {"delete_record_rule", "DELETE", RULES "/{rule_id}", NULL, NULL, 204, IDEMPOTENT,
   "Delete a recording rule (refused while in use)", NULL, JSON, NULL},

  /* app settings */
  {"get_auto_record", "GET", APP "/auto-record-mode", NULL, &rtc_model_auto_record, 200,
   IDEMPOTENT, "Query an app's auto-recording mode", NULL, JSON, NULL},
  {"update_auto_record", "PUT", APP "/auto-record-mode", &rtc_model_auto_record_req,
   &rtc_model_auto_record, 200, IDEMPOTENT,
   "Turn auto-recording on (with a rule) or off, for rooms created after", NULL, JSON_UTF8,
   NULL},
  {"get_record_callback", "GET", APP "/record-callback", NULL, &rtc_model_record_callback, 200,
   IDEMPOTENT, "Query an app's recording callback", NULL, JSON, NULL},
  {"update_record_callback", "PUT", APP "/record-callback", &rtc_model_callback_req,
   &rtc_model_record_callback, 200, IDEMPOTENT, "Set the URL recording events are posted to",
   NULL, JSON_UTF8, NULL},

  /* mix-stream jobs */
  {"create_mix_job", "POST", MIX, &rtc_model_mix_job_req, &rtc_model_mix_job, 201, IF_UNSENT,
   "Start a mix-stream job (mixes a room's streams into one recording)", NULL, JSON_UTF8, NULL},
  {"get_mix_job", "GET", MIX "/{job_id}", NULL, &rtc_model_mix_job, 200, IDEMPOTENT,
   "Query a mix-stream job", NULL, JSON, NULL},
  {"update_mix_job", "PUT", MIX "/{job_id}", &rtc_model_update_mix_req, &rtc_model_mix_job, 200,
   IDEMPOTENT, "Change a mix-stream job's layout", NULL, JSON_UTF8, NULL},
  {"stop_mix_job", "DELETE", MIX "/{job_id}", NULL, NULL, 204, IDEMPOTENT,
   "Stop a mix-stream job", NULL, JSON, NULL},

  /* rooms */
  {"remove_room", "POST", ROOM "/dismiss", NULL, NULL, 202, IDEMPOTENT,
   "Dismiss a room (stops its jobs)", NULL, JSON, NULL},
  {"remove_users", "POST", ROOM "/batch-remove-users", &rtc_model_remove_users_req, NULL, 202,
   IDEMPOTENT, "Force users out of a room", NULL, JSON_UTF8, NULL},

  /* OBS buckets */
  {"list_obs_buckets", "GET", OBS, NULL, &rtc_model_obs_bucket_list, 200, IDEMPOTENT,
   "List the account's OBS buckets", NULL, JSON, &bucket_list},
  {"list_obs_bucket_objects", "GET", OBS "/objects", NULL, &rtc_model_obs_object_list, 200,
   IDEMPOTENT, "List the objects or folders of an OBS bucket", &rtc_model_obs_objects_query,
   JSON, &object_list},
  {"update_obs_bucket_authority", "PUT", OBS "/authentication", &rtc_model_obs_authority, NULL,
   200, IDEMPOTENT, "Grant or revoke SparkRTC's access to an OBS bucket", NULL, JSON, NULL},
  TEST_ROWS
};
const size_t rtc_noperations = RTC_N(rtc_operations);

const rtc_operation *rtc_find_operation(const char *name) {
  size_t i;
  for (i = 0; i < rtc_noperations; i++)
    if (strcmp(rtc_operations[i].name, name) == 0) return &rtc_operations[i];
  return NULL;
}

int rtc_operation_nparams(const rtc_operation *op) {
  const char *p;
  int n = 0;
  for (p = strchr(op->path, '{'); p; p = strchr(p + 1, '{')) n++;
  return n;
}

void rtc_operation_param(const rtc_operation *op, int i, char *out, size_t outlen) {
  const char *p = op->path, *end;
  for (;;) {
    p = strchr(p, '{');
    if (p == NULL) {
      snprintf(out, outlen, "id");
      return;
    }
    if (i-- == 0) break;
    p++;
  }
  end = strchr(p, '}');
  snprintf(out, outlen, "%.*s", end ? (int)(end - p - 1) : 0, p + 1);
}

const char *rtc_operation_names(void) {
  static char names[1024];
  size_t i, used = 0;
  if (names[0]) return names;
  for (i = 0; i < rtc_noperations && used < sizeof names; i++)
    used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                             i == 0 ? "" : i + 1 == rtc_noperations ? " or " : ", ",
                             rtc_operations[i].name);
  return names;
}

/* A field of a schema by name (the first byte first: most names differ there). */
const rtc_field *rtc_find_field(const rtc_schema *s, const char *name) {
  size_t i;
  for (i = 0; i < s->nfields; i++)
    if (s->fields[i].name[0] == name[0] && strcmp(s->fields[i].name, name) == 0)
      return &s->fields[i];
  return NULL;
}
