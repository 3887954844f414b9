/* rtc_request.h: the request of one attempt: the client's settings (rtc_config), the headers,
 * signing through rtc_sign.h's C API, and the libcurl header lists built from them. No Lua. */
#ifndef RTC_REQUEST_H
#define RTC_REQUEST_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

#include "rtc_api.h"
#include "rtc_buf.h"

#define RTC_MAX_ENDPOINTS 16

struct rtc_sign_key;
struct rtc_credentials;

typedef struct rtc_endpoint {
  char *url;     /* as given */
  char *base;    /* "https://host:port/prefix", no trailing '/' */
  char *host;    /* "host:port" as written: the Host header */
  char *prefix;  /* "/prefix" or "": signed as part of the path */
  char *origin;  /* "https://host:port": base less prefix; NULL when base does not end with it */
} rtc_endpoint;

/* A client's settings, read once by rtc_options.c. */
typedef struct rtc_config {
  rtc_endpoint endpoints[RTC_MAX_ENDPOINTS];
  int nendpoints;
  /* the options as given; the credentials chain's answer (auth->creds) is what is used */
  char *ak, *sk, *project_id, *security_token, *token, *user_agent, *ca_file, *ca_path, *proxy;
  char *region, *profile, *credentials_file, *metadata_url; /* the credentials chain's options */
  char *env_http_proxy, *env_https_proxy, *env_no_proxy; /* read once, as libcurl would */
  double timeout, connect_timeout, deadline, backoff_base, backoff_max;
  long retries, max_body, concurrency;
  int insecure;
  int metadata;                          /* -1: not given (RTC_METADATA decides), 0, 1 */
  long rate;                             /* attempts per second, for the whole client; 0: no limit */
  int debug;                             /* a debug callback is set: lines are queued */
  struct rtc_auth *auth;                 /* changes while the config does not: see rtc_auth */
} rtc_config;

/* A client's keys and signing state. Behind a pointer because it changes under a read-only
 * config: metadata keys are refreshed before an attempt is signed, and the prepared key and
 * the Authorization buffer are reused by every signature (one client, one thread). */
typedef struct rtc_auth {
  struct rtc_credentials *creds;         /* the chain's answer; kind RTC_AUTH_NONE: no keys */
  struct rtc_sign_key *key;              /* AK/SK: the SK, the AK and the fixed signed headers */
  unsigned generation;                   /* of creds, when key was prepared */
  rtc_buf authorization;                 /* the last Authorization value */
} rtc_auth;

/* (Re)prepares auth->key from auth->creds: the SK, the AK and the headers every request
 * carries (X-Project-Id, X-Security-Token). 0, or -1 and the signer's message ("ak: ...",
 * "headers[\"X-Project-Id\"]: ..."); the old key stays then. */
int rtc_auth_prepare(rtc_auth *a, char *err, size_t errlen);
/* Frees and wipes everything auth holds (and creds); auth is empty afterwards. */
void rtc_auth_free(rtc_auth *a);

/* The headers of one attempt; values point into the config, the keys (auth) or date. Valid
 * until the next rtc_build_headers of the same client. */
#define RTC_MAX_HEADERS 12
typedef struct rtc_headers {
  const char *name[RTC_MAX_HEADERS];
  const char *value[RTC_MAX_HEADERS];
  size_t n;
  char date[17];
} rtc_headers;

/* Builds (and for AK/SK signs) the headers of op's request to endpoint at time now. Metadata
 * keys whose refresh time has come are refreshed first (pure C, may block up to the metadata
 * timeout; see rtc_credentials.h), and the key is prepared again when they changed. */
int rtc_build_headers(const rtc_config *cfg, int endpoint, const rtc_operation *op,
                      const rtc_buf *target, const rtc_buf *body, time_t now, rtc_headers *h,
                      char *err, size_t errlen);

/* The Content-Type an operation sends (the charset form with most bodies; plain JSON without a
 * body and where the row says so), and which of the three cached header lists it belongs to. */
const char *rtc_content_type(const rtc_operation *op, size_t body_len);
int rtc_content_slot(const rtc_operation *op, size_t body_len);

/* The header list that never changes for an endpoint and a kind of request (built once into
 * *slot, from h without the per-attempt headers); NULL when out of memory. */
struct curl_slist *rtc_headers_fixed(struct curl_slist **slot, const rtc_headers *h);
/* The per-attempt headers (X-Sdk-Date, Authorization, and X-Security-Token, which changes when
 * keys are refreshed) linked in front of fixed: one block (*block, NULL when there were none),
 * freed with rtc_headers_free_attempt. NULL when out of memory. */
struct curl_slist *rtc_headers_attempt(const rtc_headers *h, struct curl_slist *fixed,
                                       void **block);
void rtc_headers_free_attempt(void *block); /* wipes it first: it may hold the security token */
/* Frees a fixed list, wiping its texts first (they may hold the token). */
void rtc_headers_free_fixed(struct curl_slist **slot);
/* "> METHOD url (attempt n)" and the headers (secrets redacted) and body, into line: 0 or -1. */
int rtc_headers_debug(rtc_buf *line, const char *method, const char *url, int attempt,
                      const rtc_headers *h, const rtc_buf *body);

#endif
