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

/* ---- growable byte buffer (bounded by its users; every allocation checked) ---- */
#include "rtc_buf.h" /* SIGN local build shim: CORE replaces this file */
#define rtc_buf_reserve rtc_buf_ensure

/* ---- schemas ---- */
typedef enum { RTC_T_STRING, RTC_T_BOOLEAN, RTC_T_INTEGER, RTC_T_OBJECT, RTC_T_ARRAY } rtc_type;

#define RTC_REQUIRED 1u
#define RTC_NONEMPTY 2u

typedef struct rtc_schema rtc_schema;

typedef struct rtc_format {            /* a rule a string must follow, with its description */
  const char *expected;                 /* "an rtmp:// or rtmps:// URL" */
  int (*check)(const char *s, size_t len);
} rtc_format;

typedef struct rtc_field {
  const char *name;
  rtc_type type;
  unsigned flags;
  long long min, max;                   /* integer range; array length range */
  const char *const *enums;             /* NULL-terminated list of allowed strings */
  const rtc_format *format;             /* strings (and array items) */
  const rtc_schema *object;             /* RTC_T_OBJECT */
  rtc_type item;                        /* RTC_T_ARRAY: type of the items (scalars) */
} rtc_field;

struct rtc_schema {
  const char *name;
  const rtc_field *fields;
  size_t nfields;
  const char *const *one_of;            /* at least one of these must be present, or NULL */
};

/* ---- operations ---- */
typedef enum { RTC_RETRY_IDEMPOTENT, RTC_RETRY_IF_UNSENT } rtc_retry_policy;

typedef struct rtc_operation {
  const char *name;                     /* "update_job" */
  const char *method;                   /* "PUT" */
  const char *path;                     /* "/v2/apps/{app_id}/individual-stream-jobs/{job_id}" */
  const rtc_schema *request;            /* body schema, NULL: no body */
  const rtc_schema *response;           /* job schema, NULL: no body expected */
  long success;                         /* documented success status */
  int nparams;                          /* path parameters, in the order of the template */
  rtc_retry_policy retry;
} rtc_operation;

extern const rtc_operation rtc_operations[];
extern const size_t rtc_noperations;
const rtc_operation *rtc_find_operation(const char *name);

/* Validates the table at idx; on failure writes "path: what was expected, got what" to err
 * (and the path to field) and returns 0. Reads raw fields only: metamethods never run. */
int rtc_validate(lua_State *L, int idx, const rtc_schema *s, char *err, size_t errlen,
                 char *field, size_t fieldlen);
/* Checks one path parameter; 0 and why ("must not be empty") when it is refused. */
int rtc_check_id(const char *s, size_t len, char *err, size_t errlen);
/* Appends s percent-encoded as one path segment (unreserved bytes kept, %XX uppercase). */
int rtc_buf_add_segment(rtc_buf *b, const char *s, size_t len);
/* Turns the decoded JSON value at idx into the documented types, in place: drops JSON nulls,
 * numbers for string fields become strings, integral numbers for integer fields integers. */
void rtc_normalize(lua_State *L, int idx, const rtc_schema *s);
int rtc_utf8_valid(const char *s, size_t len);
size_t rtc_edit_distance(const char *a, const char *b); /* for "did you mean" */

/* ---- client options: one row adds one option ----
 * X(name, kind, field, default, min, max, environment variable) */
typedef enum {
  RTC_OPT_ENDPOINTS, RTC_OPT_TEXT, RTC_OPT_SECRET, RTC_OPT_PATH, RTC_OPT_SECONDS, RTC_OPT_COUNT,
  RTC_OPT_BOOL, RTC_OPT_FUNCTION
} rtc_option_kind;

#define RTC_OPTIONS(X)                                                                        \
  X(endpoint,        RTC_OPT_ENDPOINTS, endpoints,       0,     0,      0,      "RTC_ENDPOINT") \
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
  X(debug,           RTC_OPT_FUNCTION,  debug_ref,       0,     0,      0,      NULL)     \
  X(region,          RTC_OPT_TEXT,      region,          0,     0,      0,      NULL)     \
  X(profile,         RTC_OPT_TEXT,      profile,         0,     0,      0,      NULL)     \
  X(credentials_file, RTC_OPT_PATH,     credentials_file, 0,    0,      0,      NULL)     \
  X(metadata,        RTC_OPT_BOOL,      metadata,        0,     0,      1,      NULL)     \
  X(metadata_url,    RTC_OPT_TEXT,      metadata_url,    0,     0,      0,      NULL)

#define RTC_MAX_ENDPOINTS 16

typedef struct rtc_config {
  char *endpoints[RTC_MAX_ENDPOINTS];
  int nendpoints;
  char *ak, *sk, *project_id, *security_token, *token, *user_agent, *ca_file, *ca_path, *proxy;
  double timeout, connect_timeout, deadline, backoff_base, backoff_max;
  double retries, max_body, concurrency;  /* counts, checked to be whole numbers */
  double insecure;
  char *region, *profile, *credentials_file, *metadata_url; /* the credentials chain's options */
  double metadata;                       /* -1: not given */
  int debug_ref;                         /* LUA_NOREF when absent */
} rtc_config;

/* ---- a request, built once per call (sans I/O) ---- */
typedef struct rtc_request {
  const rtc_operation *op;
  rtc_buf target;                        /* encoded path, without the endpoint's prefix */
  rtc_buf body;                          /* JSON; len 0 when the operation has no body */
} rtc_request;

/* The headers of one attempt. Values point into the client's config, the request, or the
 * owned buffers below; freed by rtc_headers_free. */
#define RTC_MAX_HEADERS 12
typedef struct rtc_headers {
  const char *name[RTC_MAX_HEADERS];
  const char *value[RTC_MAX_HEADERS];
  size_t n;
  char date[17];
  char *authorization;
} rtc_headers;

/* ---- the client and its calls (transport state lives in rtc_engine.c) ---- */
#include <curl/curl.h>

typedef struct rtc_endpoint {
  char *base;    /* "https://host:port/prefix", no trailing '/' */
  char *host;    /* "host:port" as written: the Host header */
  char *prefix;  /* "/prefix" or "": signed as part of the path */
} rtc_endpoint;

typedef enum { RTC_CALL_QUEUED, RTC_CALL_RUNNING, RTC_CALL_DONE } rtc_call_state;

typedef struct rtc_call {
  struct rtc_call *next;       /* all live calls of the client */
  struct rtc_call *next_done;  /* finished, not yet collected by poll */
  lua_Integer id;
  rtc_request req;
  rtc_call_state state;
  int endpoint, attempts, batch_index; /* batch_index 0: not part of a batch */
  double deadline_at, not_before;      /* monotonic seconds */
  CURL *easy;
  struct curl_slist *slist;            /* this attempt's headers: header_block, then fixed ones */
  void *header_block;                  /* X-Sdk-Date and Authorization of this attempt */
  rtc_buf response;
  int too_large;
  size_t max_body;
  char request_id[128], content_type[128], location[512];
  double retry_after;                  /* seconds; < 0 when the answer had none */
  char curl_error[CURL_ERROR_SIZE];
  int result_ref;                      /* registry: { result, err } once done */
} rtc_call;

#define RTC_IDLE_HANDLES 64

typedef struct rtc_client {
  rtc_config cfg;
  rtc_endpoint endpoints[RTC_MAX_ENDPOINTS];
  int closed, busy;
  CURLM *multi;
  CURL *idle[RTC_IDLE_HANDLES];
  struct curl_slist *fixed_headers[RTC_MAX_ENDPOINTS][2]; /* per endpoint, without/with body */
  int nidle;
  rtc_call *calls, *calls_tail, *done_head, *done_tail;
  int running, queued, limit;
  int preferred;                        /* the endpoint that answered last */
  lua_Integer next_id;
  unsigned long long rng;
  int batch_total, batch_done, progress_ref; /* while a batch runs */
  struct rtc_module *module;            /* lives as long as any client: an upvalue of its methods */
  struct rtc_sign_key *sign_key;        /* the SK, prepared once for HMAC (AK/SK clients) */
  struct rtc_credentials *creds;        /* the chain's answer: refreshed before each attempt */
} rtc_client;

/* The module's state, shared by its functions and the clients' methods as an upvalue. */
typedef struct rtc_module {
  int encode_ref, decode_ref;           /* a private lua-cjson instance's encode and decode */
  int default_ref;                      /* the default client, built lazily */
} rtc_module;

/* rtcjob.c, used by the engine */
void rtc_batch_progress(lua_State *L, rtc_client *c, int index); /* result, err on the stack top */
int rtc_build_headers(rtc_client *c, const rtc_request *r, int endpoint, rtc_headers *h,
                      char *err, size_t errlen);
void rtc_headers_free(rtc_headers *h);
void rtc_decode(lua_State *L, rtc_client *c, const rtc_operation *op, long status,
                const char *request_id, const char *content_type, const char *location,
                const char *body, size_t len); /* pushes result, err (one of them nil) */
void rtc_push_error(lua_State *L, const char *kind, long status, const char *code,
                    const char *message, const char *request_id, const char *field);
void rtc_debug(lua_State *L, rtc_client *c, const char *line);

/* rtc_credentials_lua.c */
int rtc_l_credentials(lua_State *L);

/* rtc_engine.c */
double rtc_now(void);
int rtc_engine_open(rtc_client *c, char *err, size_t errlen);
void rtc_engine_close(lua_State *L, rtc_client *c);
rtc_call *rtc_engine_submit(rtc_client *c, rtc_request *req); /* takes the request; NULL: no memory */
void rtc_engine_run(lua_State *L, rtc_client *c, double wait, rtc_call *until, int until_batch);
void rtc_engine_release(lua_State *L, rtc_client *c, rtc_call *call); /* unlink and free */
void rtc_engine_cancel(lua_State *L, rtc_client *c, rtc_call *call);
double rtc_engine_timeout(rtc_client *c);  /* seconds to the next deadline; < 0 when idle */

#endif
