/* rtc_rows.h: the types of the API's rows: operations, schemas, fields, rules. Data only: the
 * lowest header of src/api, included by the model files (the rows) and by rtc_api.h (the table
 * of operations and its look-ups). No Lua, no libcurl. */
#ifndef RTC_ROWS_H
#define RTC_ROWS_H

#include <stddef.h>

typedef enum {
  RTC_T_STRING, RTC_T_BOOLEAN, RTC_T_INTEGER, RTC_T_NUMBER, RTC_T_OBJECT, RTC_T_ARRAY
} rtc_type;

#define RTC_MAX_TEXT 4096 /* no documented limit; bounds what one string may carry */
#define RTC_REQUIRED 1u
#define RTC_NONEMPTY 2u
#define RTC_OR_ZERO 4u  /* an integer field: min..max, or 0 (a disjoint documented range) */

typedef struct rtc_schema rtc_schema;

typedef struct rtc_format {            /* a rule a string must follow, with its description */
  const char *expected;                 /* "an rtmp:// or rtmps:// URL" */
  int (*check)(const char *s, size_t len);
} rtc_format;

typedef struct rtc_field {
  const char *name;
  rtc_type type;
  unsigned flags;
  long long min, max;                   /* integer range; array length range; string max bytes */
  const char *const *enums;             /* NULL-terminated list of allowed strings */
  const rtc_format *format;             /* strings (and array items) */
  const rtc_schema *object;             /* RTC_T_OBJECT; RTC_T_ARRAY of objects: the item schema */
  rtc_type item;                        /* RTC_T_ARRAY: type of the items */
  double fmin, fmax;                    /* RTC_T_NUMBER: the range (fmin > fmax: none) */
} rtc_field;

/* "when field `when` is (or, for arrays, contains) `value`, field `then` is required"; a value
 * "!V" reads "when field `when` is given and is not V" (mix jobs: a layout unless audio_only) */
typedef struct rtc_rule {
  const char *when, *value, *then;
} rtc_rule;

struct rtc_schema {
  const char *name;
  const rtc_field *fields;
  size_t nfields;
  const char *const *one_of;            /* at least one of these must be present, or NULL */
  const rtc_rule *rules;                /* NULL-terminated by a row with when == NULL, or NULL */
};

typedef enum { RTC_RETRY_IDEMPOTENT, RTC_RETRY_IF_UNSENT } rtc_retry_policy;

typedef struct rtc_list {               /* a list operation: what each_<item> walks */
  const char *items;                    /* the array field of the answer: "jobs" */
  const char *item;                     /* each_<item>: "job" */
  const char *total;                    /* the count field, or NULL */
  int paged;                            /* offset/limit query parameters */
} rtc_list;

typedef struct rtc_operation {
  const char *name;                     /* "update_job" */
  const char *method;                   /* "PUT" */
  const char *path;                     /* "/v2/apps/{app_id}/individual-stream-jobs/{job_id}" */
  const rtc_schema *request;            /* body schema, NULL: no body */
  const rtc_schema *response;           /* answer schema, NULL: no body expected */
  long success;                         /* documented success status */
  rtc_retry_policy retry;
  const char *summary;                  /* one line, for help and docs */
  const rtc_schema *query;              /* query parameters (scalar fields), or NULL */
  const char *content_type;             /* of the body; NULL: "application/json;charset=utf-8" */
  const rtc_list *list;                 /* NULL: not a list operation */
} rtc_operation;

#endif
