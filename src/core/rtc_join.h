/* rtc_join.h - SparkRTC join signatures (client SDK "Access Authentication"; see JOIN.md and the
 * README's "Join signatures"). Pure: no clock, no I/O; the current time is an input.
 *
 *   content   = app_id SEP room_id SEP user_id SEP ctime    (SEP "+" as the provider's sample
 *                                                           code, or "" as the formula reads)
 *   signature = lowercase hex of HMAC-SHA256(key = app_key, message = content)
 *   ctime     = when the signature expires, UNIX seconds: now + ttl, or given */
#ifndef RTC_JOIN_H
#define RTC_JOIN_H

#include <stddef.h>

#define RTC_JOIN_TTL_DEFAULT 7200 /* the provider's recommended validity: 2 hours */
#define RTC_JOIN_TTL_MAX 43199    /* "under 12 hours" */
#define RTC_JOIN_MAX_ID 256       /* the module's limit on an id (rtc_check_id) */
#define RTC_JOIN_SIGNATURE_LEN 64

typedef struct rtc_join_request {
  const char *app_id, *room_id, *user_id, *app_key, *sep;
  size_t app_id_len, room_id_len, user_id_len, app_key_len, sep_len;
  /* Seconds as numbers (Lua's, unchecked): each must be a whole number in its range. */
  double now;   /* the current UNIX time */
  double ttl;   /* validity in seconds, 1..RTC_JOIN_TTL_MAX; used when has_ctime is 0 */
  double ctime; /* the expiry itself, after now and at most RTC_JOIN_TTL_MAX ahead */
  int has_ttl, has_ctime; /* both given is refused; neither: RTC_JOIN_TTL_DEFAULT */
} rtc_join_request;

/* On success returns 0: signature = 64 lowercase hex characters and a NUL, *ctime the expiry.
 * On a refused value returns -1: *field names it ("app_id", "room_id", "user_id", "app_key",
 * "ttl", "ctime", "now", "join"; a static string) and err says what was expected (bounded,
 * NUL-terminated; never any part of the key). On a resource failure (out of memory, no
 * HMAC-SHA256 in libcrypto) returns -2 with a message and *field NULL. */
int rtc_join_sign(const rtc_join_request *r, char signature[RTC_JOIN_SIGNATURE_LEN + 1],
                  long long *ctime, const char **field, char *err, size_t errlen);

#endif
