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

typedef struct rtc_endpoint {
  char *url;     /* as given */
  char *base;    /* "https://host:port/prefix", no trailing '/' */
  char *host;    /* "host:port" as written: the Host header */
  char *prefix;  /* "/prefix" or "": signed as part of the path */
} rtc_endpoint;

/* A client's settings, read once by rtc_options.c. */
typedef struct rtc_config {
  rtc_endpoint endpoints[RTC_MAX_ENDPOINTS];
  int nendpoints;
  char *ak, *sk, *project_id, *security_token, *token, *user_agent, *ca_file, *ca_path, *proxy;
  char *env_http_proxy, *env_https_proxy, *env_no_proxy; /* read once, as libcurl would */
  double timeout, connect_timeout, deadline, backoff_base, backoff_max;
  long retries, max_body, concurrency;
  int insecure;
  long rate;                             /* attempts per second, for the whole client; 0: no limit */
  int debug;                             /* a debug callback is set: lines are queued */
  struct rtc_sign_key *sign_key;         /* the SK prepared once for HMAC (AK/SK clients) */
} rtc_config;

/* The headers of one attempt; values point into the config, or the owned texts below. */
#define RTC_MAX_HEADERS 12
typedef struct rtc_headers {
  const char *name[RTC_MAX_HEADERS];
  const char *value[RTC_MAX_HEADERS];
  size_t n;
  char date[17];
  char *authorization;
} rtc_headers;

/* Builds (and for AK/SK signs) the headers of op's request to endpoint at time now. */
int rtc_build_headers(const rtc_config *cfg, int endpoint, const rtc_operation *op,
                      const rtc_buf *target, const rtc_buf *body, time_t now, rtc_headers *h,
                      char *err, size_t errlen);
void rtc_headers_free(rtc_headers *h);

/* The Content-Type an operation sends (the charset form with most bodies; plain JSON without a
 * body and where the row says so), and which of the three cached header lists it belongs to. */
const char *rtc_content_type(const rtc_operation *op, size_t body_len);
int rtc_content_slot(const rtc_operation *op, size_t body_len);

/* The header list that never changes for an endpoint and a kind of request (built once into
 * *slot, from h without the per-attempt headers); NULL when out of memory. */
struct curl_slist *rtc_headers_fixed(struct curl_slist **slot, const rtc_headers *h);
/* The per-attempt headers (X-Sdk-Date, Authorization) linked in front of fixed: one block the
 * caller frees (*block, NULL when there were none). NULL when out of memory. */
struct curl_slist *rtc_headers_attempt(const rtc_headers *h, struct curl_slist *fixed,
                                       void **block);
/* Frees a fixed list, wiping its texts first (they may hold the token). */
void rtc_headers_free_fixed(struct curl_slist **slot);
/* "> METHOD url (attempt n)" and the headers (secrets redacted) and body, into line: 0 or -1. */
int rtc_headers_debug(rtc_buf *line, const char *method, const char *url, int attempt,
                      const rtc_headers *h, const rtc_buf *body);

#endif
