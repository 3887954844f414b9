/* rtc_metadata.h: the ECS metadata service client: a session token (PUT), the temporary keys
 * (GET securitykey) and the project id (GET meta_data.json), over libcurl, the answers read by
 * jansson. It hands back what the service said; rtc_credentials.c checks and takes it (the
 * chain, refresh times). Return codes and sizes are rtc_cred_codes.h's; nothing there is
 * called. */
#ifndef RTC_METADATA_H
#define RTC_METADATA_H

#include "rtc_buf.h"
#include "rtc_cred_codes.h"

typedef struct rtc_metadata {
  /* the securitykey answer's credential (non-empty strings; they point into secrets) */
  const char *ak, *sk, *security_token;
  double expires_at;      /* credential.expires_at, unix seconds */
  char expires_text[41];  /* credential.expires_at as the service wrote it (40 bytes at most) */
  char *project_id;       /* meta_data.json's, or NULL */
  long project_status;    /* the HTTP status of the meta_data.json GET */
  rtc_buf session;        /* the session token (X-Metadata-Token); empty: the service has none */
  rtc_buf secrets;        /* ak, sk and security_token, each NUL-terminated */
} rtc_metadata;

/* Fetches the keys from the service at url (http:// or https://; trailing slashes ignored), each
 * request bounded by timeout seconds; label ("metadata http://169.254.169.254") names the service
 * in messages. m must be zeroed. 0 with m's keys set (they expire after now), or an error code
 * (RTC_CRED_TRANSPORT: the service could not be reached or answered 5xx) and err. */
int rtc_metadata_keys(const char *url, double timeout, double now, const char *label,
                      rtc_metadata *m, char *err, size_t errlen);
/* After rtc_metadata_keys (with its session token): GET meta_data.json. 0 with
 * m->project_status, and m->project_id when the answer (200) holds one; or an error code and
 * err when the service could not be reached. */
int rtc_metadata_project(const char *url, double timeout, rtc_metadata *m, char *err,
                         size_t errlen);
/* Frees everything m holds, wiping the session token and the keys; m is zeroed afterwards. */
void rtc_metadata_free(rtc_metadata *m);

#endif
