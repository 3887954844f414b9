/* rtc_config.h: a client's settings (rtc_config: endpoints, options, timeouts) and its keys and
 * signing state (rtc_auth). Read once by the binding's option loader; read by the headers of
 * each attempt (rtc_headers.h) and the dispatcher. No Lua. */
#ifndef RTC_CONFIG_H
#define RTC_CONFIG_H

#include <stddef.h>
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
  char *http_version;                    /* "1.1", "2" or NULL (libcurl's default) */
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

#endif
