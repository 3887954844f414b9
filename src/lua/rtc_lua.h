/* rtc_lua.h: what the binding's files (the ones that speak Lua) share: the client object, the
 * options X-macro, and each file's exported functions. The API rows are in rtc_api.h, the calls
 * in rtc_dispatch.h, the transport in rtc_engine.h (none of those three know Lua). Functions
 * Lua calls are lrtc_*; the C helpers they share are rtc_*. */
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

/* rtc_error.c: a Lua value for a message ("\"abc...\"", 5, true, "a table"), valid UTF-8 */
void rtc_describe_value(lua_State *L, int idx, char *out, size_t outlen);

/* rtc_validate.c: validates the table at idx; on failure writes "path: what was expected, got what" to err
 * (and the path to field) and returns 0. Reads raw fields only: metamethods never run. */
int rtc_validate(lua_State *L, int idx, const rtc_schema *s, char *err, size_t errlen,
                 char *field, size_t fieldlen);
/* Checks one path parameter; 0 and why ("must not be empty") when it is refused. */
int rtc_check_id(const char *s, size_t len, char *err, size_t errlen);
/* rtc_normalize.c: turns the decoded JSON value at idx into the documented types, in place: drops JSON nulls,
 * converts where the conversion is exact (numbers for string fields become their text, read
 * back from body when lua-cjson may have rounded them). 0, or -1 with the path in field and
 * why in why when a value has no exact documented form (the table is then half converted). */
/* An id the answer gives (X-request-Id, job_id, ...): at most RTC_MAX_ANSWER_ID bytes of UTF-8
 * without control characters, so that printing it is safe. */
#define RTC_MAX_ANSWER_ID 256
int rtc_answer_id_ok(const char *s, size_t len);
int rtc_normalize(lua_State *L, int idx, const rtc_schema *s, const char *body, size_t len,
                  char *field, size_t fieldlen, char *why, size_t whylen);

/* ---- client options: one row adds one option ----
 * X(name, kind, field, default, min, max, environment variable). The field's type follows the
 * kind: SECONDS double, COUNT long, BOOL int (default -1: not given), TEXT/SECRET/PATH char *,
 * FUNCTION int (a flag; the function's reference is the client's debug_ref), ENDPOINTS the
 * endpoint list. The environment variable is the one the credentials chain (rtc_credentials.h)
 * reads, in its own order, for an option the table leaves out (listed here for the reader:
 * the chain, not the loader, reads them). */
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
  X(rate,            RTC_OPT_COUNT,     rate,            0,     0,      100000, NULL)     \
  X(ca_file,         RTC_OPT_PATH,      ca_file,         0,     0,      0,      NULL)     \
  X(ca_path,         RTC_OPT_PATH,      ca_path,         0,     0,      0,      NULL)     \
  X(proxy,           RTC_OPT_TEXT,      proxy,           0,     0,      0,      NULL)     \
  X(http_version,    RTC_OPT_TEXT,      http_version,    0,     0,      0,      NULL)     \
  X(insecure,        RTC_OPT_BOOL,      insecure,        0,     0,      1,      NULL)     \
  X(debug,           RTC_OPT_FUNCTION,  debug,           0,     0,      0,      NULL)     \
  X(region,          RTC_OPT_TEXT,      region,          0,     0,      0,      "RTC_REGION") \
  X(profile,         RTC_OPT_TEXT,      profile,         0,     0,      0,      "RTC_PROFILE") \
  X(credentials_file, RTC_OPT_PATH,     credentials_file, 0,    0,      0,      "HUAWEICLOUD_SDK_CREDENTIALS_FILE") \
  X(metadata,        RTC_OPT_BOOL,      metadata,        -1,    0,      1,      "RTC_METADATA") \
  X(metadata_url,    RTC_OPT_TEXT,      metadata_url,    0,     0,      0,      "RTC_METADATA_URL")

/* ---- a request, built once per call (sans I/O) ---- */
typedef struct rtc_request {
  const rtc_operation *op;
  rtc_buf target;                        /* encoded path, without the endpoint's prefix */
  rtc_buf body;                          /* JSON; len 0 when the operation has no body */
} rtc_request;

/* ---- the client object (its calls live in rtc_dispatch.c) ---- */
typedef struct rtc_client {
  rtc_config cfg;
  rtc_dispatch d;
  int open;                             /* the dispatcher is initialised */
  int closed, busy, close_pending;      /* busy: a method runs; close() then waits for its end */
  int debug_ref, progress_ref;          /* registry references, LUA_NOREF when absent */
  double next_max_time;                 /* > 0: the next blocking call ends within this many
                                         * seconds (wait_*: each poll within the time left) */
  char *proxy_secret[3];                /* the passwords of opts.proxy, http_proxy, https_proxy */
  struct rtc_call *held;                /* a finished call being decoded (freed if that raises) */
  rtc_buf new_lines;                    /* rtc.new's debug lines (the credentials chain's),
                                         * NUL-separated: handed over with the first call's */
  struct rtc_module *module;            /* lives as long as any client: an upvalue of its methods */
} rtc_client;

/* The module's state, shared by its functions and the clients' methods as an upvalue. */
typedef struct rtc_module {
  int encode_ref, decode_ref;           /* a private lua-cjson instance's encode and decode */
  int default_ref;                      /* the default client, built lazily */
} rtc_module;

/* ---- the binding's files and what each exports (see the README's map) ---- */
#define RTC_MAX_BATCH 1000000

/* rtc_error.c */
void rtc_push_error(lua_State *L, const char *kind, long status, const char *code,
                    const char *message, const char *request_id, const char *field);
int rtc_raise_invalid(lua_State *L, const char *message);
void rtc_set_string(lua_State *L, const char *key, const char *value); /* t[key] = value, if any */
/* Pushes t[key] read raw (no metamethod runs) and returns its type: every raw option read. */
int rtc_raw_field(lua_State *L, int t, const char *key);
const char *rtc_raw_string(lua_State *L, int idx, const char *key, size_t *len);
int rtc_is_error(lua_State *L, int idx);
void rtc_push_error_text(lua_State *L, int idx);
int lrtc_error_tostring(lua_State *L);
int lrtc_error_concat(lua_State *L);
int lrtc_assert(lua_State *L);

/* rtc_sign_lua.c: headers, canonical_request = rtc.sign(req) */
int lrtc_sign(lua_State *L);

/* rtc_join_lua.c: signature, ctime = rtc.join_signature(app_id, app_key, room_id, user_id [, opts]) */
int lrtc_join_signature(lua_State *L);

/* rtc_events_lua.c: rtc.events (verify, sign), set on the module at index module; the module
 * state is on the stack top (left there) */
void rtc_events_register(lua_State *L, int module);

/* rtc_credentials_lua.c: rtc.credentials(opts), the chain without a client */
int lrtc_credentials(lua_State *L);
int lrtc_job_tostring(lua_State *L);

/* rtc_options.c */
char *rtc_dup_string(lua_State *L, const char *s, size_t len);
void rtc_load_config(lua_State *L, rtc_client *c, int idx); /* idx 0: the environment */
void rtc_free_config(lua_State *L, rtc_client *c);
void rtc_debug_line(lua_State *L, rtc_client *c, const char *line); /* to the debug callback */
void rtc_debug_lines(lua_State *L, rtc_client *c, rtc_buf *lines); /* NUL-separated; frees */

/* rtc_build.c */
typedef enum { BUILD_OK, BUILD_INVALID, BUILD_MISUSE } build_result;
/* The path parameters of op at base..: each a string (or, with numbers, a number, which Lua
 * writes as text: calls take ids as users type them; each_<item> and wait_<x> take the ids
 * answers hold, strings). 0, or the stack index of the first that is not, with why in err.
 * Every caller that takes path parameters checks them here. */
int rtc_check_path_args(lua_State *L, const rtc_operation *op, int base, int numbers,
                        char *err, size_t errlen);
/* 2 when argument 1 is a client (a method call), 1 when the arguments start at once (the
 * module's function, on the default client): where a method's own arguments begin. */
#define rtc_args_base(L) (luaL_testudata((L), 1, RTC_CLIENT_MT) != NULL ? 2 : 1)
/* The Lua types of a call's arguments only: the index of the first wrong one (message in err), or 0. */
int rtc_check_call_types(lua_State *L, const rtc_operation *op, int base, char *err,
                         size_t errlen);
build_result rtc_build_request(lua_State *L, rtc_client *c, const rtc_operation *op, int base,
                               rtc_request *req, char *err, size_t errlen, char *field,
                               size_t fieldlen, int *badarg);

/* rtc_decode.c: pushes result, err (one of them nil) */
void rtc_decode(lua_State *L, rtc_client *c, const rtc_operation *op, long status,
                const char *request_id, const char *content_type, const char *location,
                const char *body, size_t len);

/* rtc_client.c */
rtc_module *rtc_module_state(lua_State *L);
rtc_client *rtc_new_client(lua_State *L, int opts_idx);
void rtc_close_client(lua_State *L, rtc_client *c);
int lrtc_client_close(lua_State *L);
rtc_client *rtc_check_client(lua_State *L, int idx);
void rtc_enter(rtc_client *c);
void rtc_leave(lua_State *L, rtc_client *c);
typedef void (*rtc_unwind_fn)(rtc_client *c, void *ctx);
int rtc_busy(lua_State *L, rtc_client *c, int nargs, lua_CFunction body, void *ctx,
             rtc_unwind_fn unwind, int flags);
void rtc_unwind_held(rtc_client *c, void *ctx); /* frees c->held: a call being decoded */
#define RTC_BUSY_CLOSED_OK 1 /* the body copes with a client a finalizer closed before it ran */
#define rtc_busy_ctx(L) lua_touserdata((L), lua_upvalueindex(1))
int lrtc_client_tostring(lua_State *L);
void rtc_flush_debug(lua_State *L, rtc_client *c);
void rtc_push_outcome(lua_State *L, rtc_client *c, rtc_call *call);
void rtc_free_call(rtc_client *c, rtc_call *call);
int rtc_fail_invalid(lua_State *L, const char *err, const char *field);
int rtc_build_or_fail(lua_State *L, rtc_client *c, const rtc_operation *op, int base,
                      const char *fname, rtc_request *req);
rtc_call *rtc_queue_call(lua_State *L, rtc_client *c, rtc_request *req, rtc_call_class cls);
int lrtc_operation_call(lua_State *L);
const rtc_operation *rtc_check_operation(lua_State *L, int idx);
int lrtc_client_prepare(lua_State *L);
int lrtc_client_decode(lua_State *L);
int rtc_default_client(lua_State *L); /* pushes it, or nil, err */
/* Appends text to out with the client's secrets masked (its SK, token, security token, proxy
 * passwords: RTC_MASK). 0, or -1 out of memory. */
int rtc_mask_text(const rtc_client *c, const char *text, size_t len, rtc_buf *out);
/* err.message of the error table at idx, with the client's secrets masked (server text
 * included: a gateway may quote request headers back). */
void rtc_mask_error(lua_State *L, const rtc_client *c, int idx);

/* rtc_batch.c */
int lrtc_client_start(lua_State *L);
int lrtc_client_poll(lua_State *L);
int lrtc_client_timeout(lua_State *L);
int lrtc_client_fds(lua_State *L);
int lrtc_client_pending(lua_State *L);
int lrtc_client_cancel(lua_State *L);
int lrtc_client_batch(lua_State *L);
int lrtc_client_policy(lua_State *L);

#endif
