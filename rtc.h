/* rtc.h: the types the module's C files share. The API is described by data: operations
 * (rtc_operation rows) and field schemas (rtc_schema rows) live in rtc_schema.c; client options
 * are the X-macro list RTC_OPTIONS below. */
#ifndef RTC_H
#define RTC_H

#include <stddef.h>
#include "rtc_compat.h"

#define RTC_VERSION "0.1.0"

#define RTC_CLIENT_MT "rtc.client"
#define RTC_ERROR_MT "rtc.error"
#define RTC_JOB_MT "rtc.job"
#define RTC_RESULT_MT "rtc.result"

#include "rtc_api.h"
#include "rtc_buf.h"
#include "rtc_dispatch.h"
#include "rtc_text.h"

/* Validates the table at idx; on failure writes "path: what was expected, got what" to err
 * (and the path to field) and returns 0. Reads raw fields only: metamethods never run. */
int rtc_validate(lua_State *L, int idx, const rtc_schema *s, char *err, size_t errlen,
                 char *field, size_t fieldlen);
/* Checks one path parameter; 0 and why ("must not be empty") when it is refused. */
int rtc_check_id(const char *s, size_t len, char *err, size_t errlen);
/* Turns the decoded JSON value at idx into the documented types, in place: drops JSON nulls,
 * numbers for string fields become strings, integral numbers for integer fields integers. */
void rtc_normalize(lua_State *L, int idx, const rtc_schema *s);

/* ---- client options: one row adds one option ----
 * X(name, kind, field, default, min, max, environment variable). The field's type follows the
 * kind: SECONDS double, COUNT long, BOOL int, TEXT/SECRET/PATH char *, FUNCTION int (a flag; the
 * function's reference is the client's debug_ref), ENDPOINTS the endpoint list. */
typedef enum {
  RTC_OPT_ENDPOINTS, RTC_OPT_TEXT, RTC_OPT_SECRET, RTC_OPT_PATH, RTC_OPT_SECONDS, RTC_OPT_COUNT,
  RTC_OPT_BOOL, RTC_OPT_FUNCTION
} rtc_option_kind;

#define RTC_OPTIONS(X)                                                                        \
  X(endpoint,        RTC_OPT_ENDPOINTS, nendpoints,      0,     0,      0,      "RTC_ENDPOINT") \
  X(ak,              RTC_OPT_TEXT,      ak,              0,     0,      0,      "HUAWEICLOUD_SDK_AK") \
  X(sk,              RTC_OPT_SECRET,    sk,              0,     0,      0,      "HUAWEICLOUD_SDK_SK") \
  X(project_id,      RTC_OPT_TEXT,      project_id,      0,     0,      0,      "HUAWEICLOUD_SDK_PROJECT_ID") \
  X(security_token,  RTC_OPT_SECRET,    security_token,  0,     0,      0,      "HUAWEICLOUD_SDK_SECURITY_TOKEN") \
  X(token,           RTC_OPT_SECRET,    token,           0,     0,      0,      "RTC_AUTH_TOKEN") \
  X(user_agent,      RTC_OPT_TEXT,      user_agent,      0,     0,      0,      NULL)     \
  X(timeout,         RTC_OPT_SECONDS,   timeout,         30,    0.001,  86400,  NULL)     \
  X(connect_timeout, RTC_OPT_SECONDS,   connect_timeout, 5,     0.001,  86400,  NULL)     \
  X(deadline,        RTC_OPT_SECONDS,   deadline,        60,    0.001,  86400,  NULL)     \
  X(retries,         RTC_OPT_COUNT,     retries,         2,     0,      10,     NULL)     \
  X(backoff_base,    RTC_OPT_SECONDS,   backoff_base,    0.1,   0.001,  60,     NULL)     \
  X(backoff_max,     RTC_OPT_SECONDS,   backoff_max,     5,     0.001,  600,    NULL)     \
  X(max_body,        RTC_OPT_COUNT,     max_body,        1048576, 1024, 1073741824, NULL) \
  X(concurrency,     RTC_OPT_COUNT,     concurrency,     16,    1,      4096,   NULL)     \
  X(ca_file,         RTC_OPT_PATH,      ca_file,         0,     0,      0,      NULL)     \
  X(ca_path,         RTC_OPT_PATH,      ca_path,         0,     0,      0,      NULL)     \
  X(proxy,           RTC_OPT_TEXT,      proxy,           0,     0,      0,      NULL)     \
  X(insecure,        RTC_OPT_BOOL,      insecure,        0,     0,      1,      NULL)     \
  X(debug,           RTC_OPT_FUNCTION,  debug,           0,     0,      0,      NULL)

/* ---- a request, built once per call (sans I/O) ---- */
typedef struct rtc_request {
  const rtc_operation *op;
  rtc_buf target;                        /* encoded path, without the endpoint's prefix */
  rtc_buf body;                          /* JSON; len 0 when the operation has no body */
} rtc_request;

/* rtcjob.c */
void rtc_push_error(lua_State *L, const char *kind, long status, const char *code,
                    const char *message, const char *request_id, const char *field);

/* ---- the client object (its calls live in rtc_dispatch.c) ---- */
typedef struct rtc_client {
  rtc_config cfg;
  rtc_dispatch d;
  int open;                             /* the dispatcher is initialised */
  int closed, busy, close_pending;      /* busy: a method runs; close() then waits for its end */
  int debug_ref, progress_ref;          /* registry references, LUA_NOREF when absent */
  struct rtc_module *module;            /* lives as long as any client: an upvalue of its methods */
} rtc_client;

/* The module's state, shared by its functions and the clients' methods as an upvalue. */
typedef struct rtc_module {
  int encode_ref, decode_ref;           /* a private lua-cjson instance's encode and decode */
  int default_ref;                      /* the default client, built lazily */
} rtc_module;

#endif
