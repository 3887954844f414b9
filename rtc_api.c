/* rtc_api.c: the API as data: the operations and their field schemas (data only, plus the
 * look-ups that read the table). */
#include <stdio.h>
#include <string.h>

#include "rtc_api.h"


static int is_rtmp_url(const char *s, size_t len) {
  size_t i, prefix;
  if (len > 7 && strncmp(s, "rtmp://", 7) == 0) prefix = 7;
  else if (len > 8 && strncmp(s, "rtmps://", 8) == 0) prefix = 8;
  else return 0;
  for (i = prefix; i < len; i++) /* no blanks or control characters inside a URL */
    if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) return 0;
  return 1;
}

static const rtc_format rtmp_url = {"an rtmp:// or rtmps:// URL", is_rtmp_url};
static const char *const video_types[] = {"CAMERASTREAM", "SCREENSTREAM", NULL};
static const char *const stream_types[] = {"LD", "SD", "HD", "FHD", NULL};
static const char *const publish_or_record[] = {"publish_param", "record_param", NULL};

#define RTC_MAX_RTMP_URLS 100  /* bounds the array before anything walks it */
#define N(a) (sizeof(a) / sizeof((a)[0]))

#define STRING(n, fl) {n, RTC_T_STRING, fl, 0, RTC_MAX_TEXT, NULL, NULL, NULL, RTC_T_STRING, 0, 0}
#define ENUM(n, list) {n, RTC_T_STRING, RTC_NONEMPTY, 0, RTC_MAX_TEXT, list, NULL, NULL, RTC_T_STRING, 0, 0}
#define BOOLEAN(n) {n, RTC_T_BOOLEAN, 0, 0, 0, NULL, NULL, NULL, RTC_T_BOOLEAN, 0, 0}
#define INTEGER(n, lo, hi) {n, RTC_T_INTEGER, 0, lo, hi, NULL, NULL, NULL, RTC_T_INTEGER, 0, 0}
#define OBJECT(n, fl, s) {n, RTC_T_OBJECT, fl, 0, 0, NULL, NULL, &s, RTC_T_OBJECT, 0, 0}
#define ARRAY(n, fl, lo, hi, fmt) {n, RTC_T_ARRAY, fl, lo, hi, NULL, fmt, NULL, RTC_T_STRING, 0, 0}
#define STRING_MAX(n, fl, max) {n, RTC_T_STRING, fl, 0, max, NULL, NULL, NULL, RTC_T_STRING, 0, 0}
#define NUMBER(n, lo, hi) {n, RTC_T_NUMBER, 0, 0, 0, NULL, NULL, NULL, RTC_T_NUMBER, lo, hi}
#define ARRAY_OF(n, fl, lo, hi, s) {n, RTC_T_ARRAY, fl, lo, hi, NULL, NULL, &s, RTC_T_OBJECT, 0, 0}

static const rtc_field publish_param_fields[] = {
  ARRAY("rtmp_urls", RTC_REQUIRED, 1, RTC_MAX_RTMP_URLS, &rtmp_url),
};
static const rtc_schema publish_param = {"PublishParam", publish_param_fields,
                                         N(publish_param_fields), NULL, NULL};

static const rtc_field record_param_fields[] = {
  STRING("record_rule_id", RTC_REQUIRED | RTC_NONEMPTY),
};
static const rtc_schema record_param = {"RecordParam", record_param_fields,
                                        N(record_param_fields), NULL, NULL};

static const rtc_field update_fields[] = {
  OBJECT("publish_param", 0, publish_param),
  OBJECT("record_param", 0, record_param),
};
static const rtc_schema update_request = {"UpdateIndividualJobReq", update_fields,
                                          N(update_fields), publish_or_record, NULL};

static const rtc_field create_fields[] = {
  STRING("room_id", RTC_REQUIRED | RTC_NONEMPTY),
  STRING("user_id", RTC_REQUIRED | RTC_NONEMPTY),
  BOOLEAN("is_record_audio"),
  ENUM("video_type", video_types),
  ENUM("select_stream_type", stream_types),
  INTEGER("max_idle_time", 5, 43200),
  OBJECT("record_param", 0, record_param),
  OBJECT("publish_param", 0, publish_param),
};
static const rtc_schema create_request = {"IndividualStreamJobReq", create_fields,
                                          N(create_fields), publish_or_record, NULL};

/* The job as answered: only types matter here (the service is the judge of its values). */
static const rtc_field job_fields[] = {
  STRING("job_id", 0),      STRING("stream_name", 0),   STRING("app_id", 0),
  STRING("room_id", 0),     STRING("user_id", 0),       BOOLEAN("is_record_audio"),
  STRING("video_type", 0),  STRING("select_stream_type", 0),
  INTEGER("max_idle_time", 0, 0),
  OBJECT("record_param", 0, record_param),
  OBJECT("publish_param", 0, publish_param),
  STRING("create_time", 0), STRING("update_time", 0),   STRING("start_time", 0),
  STRING("stop_time", 0),   STRING("state", 0),         STRING("stop_reason", 0),
  STRING("description", 0),
};
static const rtc_schema job = {"IndividualStreamJobInfo", job_fields, N(job_fields), NULL, NULL};

#ifdef RTC_TEST_ROWS
/* Test-only rows (spec/rows_spec.lua builds a module with them): one of each kind of field,
 * rule, query and list metadata that the 24 other operations of the API will use. */
static const rtc_field test_item_fields[] = {
  STRING("name", RTC_REQUIRED | RTC_NONEMPTY),
  NUMBER("weight", 0.0, 1.0),
};
static const rtc_schema test_item = {"TestItem", test_item_fields, N(test_item_fields), NULL, NULL};
static const char *const test_modes[] = {"plain", "fancy", NULL};
static const rtc_rule test_rules[] = {
  {"mode", "fancy", "extra"}, {"tags", "urgent", "extra"}, {NULL, NULL, NULL}};
static const rtc_field test_body_fields[] = {
  ENUM("mode", test_modes),
  STRING_MAX("extra", 0, 8),
  ARRAY_OF("items", 0, 0, 10, test_item),
  ARRAY("tags", 0, 0, 10, NULL),
  NUMBER("ratio", 0.5, 2.0),
};
static const rtc_schema test_body = {"TestBody", test_body_fields, N(test_body_fields), NULL,
                                     test_rules};
static const rtc_field test_query_fields[] = {
  INTEGER("offset", 0, 1000), INTEGER("limit", 1, 100), STRING("name", 0), BOOLEAN("all"),
  NUMBER("min_weight", 0.0, 1.0),
};
static const rtc_schema test_query = {"TestQuery", test_query_fields, N(test_query_fields), NULL,
                                      NULL};
static const rtc_field test_list_fields[] = {
  ARRAY_OF("rules", 0, 0, 1000, test_item), INTEGER("count", 0, 0),
};
static const rtc_schema test_list_answer = {"TestList", test_list_fields, N(test_list_fields),
                                            NULL, NULL};
static const rtc_list test_list = {"rules", "test_rule", "count", 1};
#define TEST_ROWS                                                                              \
  {"test_post", "POST", "/v2/test/{app_id}/things", &test_body, NULL, 200, RTC_RETRY_IF_UNSENT, \
   "Test: a body with every kind of field", NULL, "application/x-test+json", NULL},          \
  {"test_list", "GET", "/v2/test/{app_id}/rules", NULL, &test_list_answer, 200,               \
   RTC_RETRY_IDEMPOTENT, "Test: a paged list", &test_query, NULL, &test_list},
#else
#define TEST_ROWS
#endif

#define JOBS "/v2/apps/{app_id}/individual-stream-jobs"
const rtc_operation rtc_operations[] = {
  /* name, method, path, body, answer, success, retry, summary */
  {"create_job", "POST", JOBS, &create_request, &job, 201, RTC_RETRY_IF_UNSENT,
   "Start an individual stream job (records or relays one user's stream)", NULL, NULL, NULL},
  {"get_job", "GET", JOBS "/{job_id}", NULL, &job, 200, RTC_RETRY_IDEMPOTENT,
   "Query an individual stream job", NULL, NULL, NULL},
  {"update_job", "PUT", JOBS "/{job_id}", &update_request, &job, 200, RTC_RETRY_IDEMPOTENT,
   "Update an individual stream job's publish or record parameters", NULL, NULL, NULL},
  {"stop_job", "DELETE", JOBS "/{job_id}", NULL, NULL, 204, RTC_RETRY_IDEMPOTENT,
   "Stop an individual stream job", NULL, NULL, NULL},
  TEST_ROWS
};
const size_t rtc_noperations = N(rtc_operations);



const rtc_operation *rtc_find_operation(const char *name) {
  size_t i;
  for (i = 0; i < rtc_noperations; i++)
    if (strcmp(rtc_operations[i].name, name) == 0) return &rtc_operations[i];
  return NULL;
}

int rtc_operation_nparams(const rtc_operation *op) {
  const char *p;
  int n = 0;
  for (p = op->path; *p; p++) n += *p == '{';
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
