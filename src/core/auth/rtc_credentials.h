/* rtc_credentials.h: where the keys come from (the provider chain) and where a region points.
 * Pure C and libcurl (plus jansson for the metadata answer): no Lua here, so the options loader,
 * the per-attempt signer and the command can all use it. rtc_credentials_lua.c is its Lua face;
 * rtc_profile.c reads the profile file and rtc_metadata.c asks the metadata service for it.
 *
 * The chain, for the key material (ak + sk + security_token, or token), as a whole from the
 * first source that has any of it (never an AK from one source and the SK from another):
 *   1. the explicit options (the request's fields);
 *   2. the environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN,
 *      RTC_AUTH_TOKEN;
 *   3. the profile file: credentials_file, else HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
 *      ~/.huaweicloud/credentials; section [basic], or [<profile>] (option, else RTC_PROFILE);
 *      keys ak, sk, project_id, security_token (others, such as domain_id, are ignored);
 *   4. the ECS metadata service, only when asked for (metadata = 1, or RTC_METADATA=1).
 * project_id is resolved on its own along the same order (option, HUAWEICLOUD_SDK_PROJECT_ID,
 * the profile section, the metadata service's meta_data.json when the keys came from there).
 *
 * How the module uses it:
 *   - the options loader (rtc.new / rtc.configure) fills an rtc_cred_request with the options the
 *     caller gave (NULL for the ones not given), calls rtc_credentials_resolve once, and keeps
 *     the rtc_credentials in the client; a non-zero return is the error (kind from
 *     rtc_cred_kind) to raise or return. RTC_AUTH_NONE is not an error here: a call on such a
 *     client fails before anything is sent, with c->tried saying what was looked at.
 *   - the signer, before it signs each attempt, calls rtc_credentials_refresh(creds, time(NULL))
 *     and, when creds->generation changed, takes the new ak/sk/security_token. Refresh does
 *     nothing unless the keys came from the metadata service and their refresh time has come;
 *     then it blocks at most `timeout` (2 s) on that service. The first attempt after the
 *     refresh time fetches, and every later one sees the new keys: one fetch per expiry however
 *     many calls are in flight (the engine is single-threaded). When a refresh fails while the
 *     old keys are still valid, they are kept and the fetch is tried again 10 s later.
 *   - the endpoint: an explicit endpoint wins over an explicit region, which wins over
 *     RTC_ENDPOINT, which wins over RTC_REGION; rtc_region_endpoint maps a region.
 * Secrets (sk, security_token, token) never appear in a message or a debug line. */
#ifndef RTC_CREDENTIALS_H
#define RTC_CREDENTIALS_H

#include <stddef.h>

#include "rtc_cred_codes.h"

const char *rtc_cred_kind(int rc); /* "invalid", "transport", "memory" */

#define RTC_METADATA_DEFAULT_URL "http://169.254.169.254"
#define RTC_METADATA_TIMEOUT 2.0

typedef void (*rtc_cred_debug_fn)(void *ud, const char *line);

typedef struct rtc_cred_request {
  /* the explicit option values; NULL: not given */
  const char *ak, *sk, *project_id, *security_token, *token;
  const char *profile;          /* section name; NULL: RTC_PROFILE, else "basic" */
  const char *credentials_file; /* NULL: HUAWEICLOUD_SDK_CREDENTIALS_FILE, else the default */
  const char *metadata_url;     /* NULL: RTC_METADATA_URL, else RTC_METADATA_DEFAULT_URL */
  int metadata;                 /* -1: not given (RTC_METADATA decides), 0 off, 1 on */
  double timeout;               /* the metadata service's; <= 0: RTC_METADATA_TIMEOUT */
  rtc_cred_debug_fn debug;      /* gets one line per notable step (never a secret); may be NULL.
                                 * Called synchronously: a Lua face must queue the lines and
                                 * hand them to Lua after the call returns. The answer keeps
                                 * it (and debug_ud) for its refreshes: set out->debug to NULL
                                 * (or to a longer-lived sink) when debug_ud will not outlive
                                 * the answer. */
  void *debug_ud;
} rtc_cred_request;

typedef enum { RTC_AUTH_NONE, RTC_AUTH_TOKEN, RTC_AUTH_AKSK } rtc_auth_kind;

typedef struct rtc_credentials {
  rtc_auth_kind kind;
  char *ak, *sk, *security_token, *project_id, *token; /* NUL-terminated, or NULL */
  double expires_at;                  /* unix seconds; 0: never */
  unsigned generation;                /* bumped by every successful refresh */
  char source[RTC_CRED_SOURCE_LEN];   /* of the key material: "option", "env HUAWEICLOUD_SDK_AK",
                                       * "profile /root/.huaweicloud/credentials [basic]",
                                       * "metadata http://169.254.169.254" */
  char project_source[RTC_CRED_SOURCE_LEN];
  char tried[2 * RTC_CRED_SOURCE_LEN]; /* the sources looked at, for "none found" messages */
  /* refresh state (metadata keys only) */
  char *metadata_url;                 /* NULL: the keys do not come from the metadata service */
  double timeout, refresh_at, retry_at;
  rtc_cred_debug_fn debug;
  void *debug_ud;
} rtc_credentials;

/* Runs the chain. 0 and *out filled (RTC_AUTH_NONE when no source had keys), or an error code
 * and err filled ("profile /x/credentials [basic]: ak is set without sk"); *out is then empty.
 * *out must be freed with rtc_credentials_free either way. */
int rtc_credentials_resolve(const rtc_cred_request *in, rtc_credentials *out, char *err,
                            size_t errlen);

/* Fetches new keys from the metadata service when their refresh time (5 minutes before
 * expires_at, or half their lifetime when that is shorter) has come; see above. 0, or an error
 * code when the keys have expired and no new ones could be had. */
int rtc_credentials_refresh(rtc_credentials *c, double now, char *err, size_t errlen);

/* Wipes and frees the secrets and everything else; c is empty (and reusable) afterwards. */
void rtc_credentials_free(rtc_credentials *c);

/* The endpoint of a region: HUAWEICLOUD_SDK_REGION_CLOUDRTC_<REGION, upper case, '-' as '_'>
 * when set, else the official SDKs' table. NULL for an unknown region, with err listing the
 * known ones. The pointer is valid until the environment changes: copy it. */
const char *rtc_region_endpoint(const char *region, char *err, size_t errlen);
/* Which endpoint a client uses: an explicit endpoint option (endpoint_given: the loader keeps
 * its own value; *url is NULL) > an explicit region > RTC_ENDPOINT > RTC_REGION > the default.
 * 0 with *url (NULL only when endpoint_given) and source ("option region cn-north-4"), or
 * RTC_CRED_INVALID and err. */
int rtc_endpoint_choose(int endpoint_given, const char *region, const char **url, char *source,
                        size_t sourcelen, char *err, size_t errlen);
#define RTC_DEFAULT_ENDPOINT "https://rtc-api.myhuaweicloud.com"
/* The known regions, comma-separated ("cn-north-4"). */
const char *rtc_region_list(void);

#endif
