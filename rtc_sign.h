/* rtc_sign.h - SDK-HMAC-SHA256 request signer (Huawei Cloud APIG, as the official SDKs do it). */
#ifndef RTC_SIGN_H
#define RTC_SIGN_H

#include <stddef.h>
#include <time.h>
#include "rtc_compat.h"

typedef struct rtc_sign_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} rtc_sign_header;

/* Computes the Authorization value for a request.
 * method: e.g. "PUT" (uppercased by the signer); target: path plus optional "?query", raw as sent
 *   (no scheme/host, no fragment).
 * headers: every header that will be sent, INCLUDING X-Sdk-Date (required; error if missing or not
 *   of the form YYYYMMDDTHHMMSSZ) and Host when there is one. Names must be unique case-insensitively.
 * Signed headers: every header whose name has no '_', lowercased, sorted, values trimmed of
 *   surrounding blanks.
 * Payload hash: the empty body's hash when body_len == 0; the value of X-Sdk-Content-Sha256 when
 *   that header is present (non-empty) and the body is not empty; else hex SHA-256 of the body.
 * On success: returns 0, *authorization = malloc'd NUL-terminated
 *   "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...";
 *   if canonical != NULL, *canonical = malloc'd canonical request string. Caller frees with free().
 * On failure: returns -1, writes a NUL-terminated message into err (errlen bytes, bounded; err may
 *   be NULL), nothing allocated is left behind. Messages never contain the SK. */
int rtc_sign_authorization(const char *method, const char *target, size_t target_len,
                           const rtc_sign_header *headers, size_t nheaders,
                           const char *body, size_t body_len,
                           const char *ak, const char *sk, size_t sk_len,
                           char **authorization, char **canonical, char *err, size_t errlen);

/* A signing key prepared once: an HMAC-SHA256 context keyed with the SK, so that each signature
 * skips the key set-up (a client signs every attempt with the same SK). NULL on failure. */
typedef struct rtc_sign_key rtc_sign_key;
rtc_sign_key *rtc_sign_key_new(const char *sk, size_t sk_len);
void rtc_sign_key_free(rtc_sign_key *key);
/* rtc_sign_authorization with a prepared key instead of the SK (no canonical request out). */
int rtc_sign_authorization_key(const rtc_sign_key *key, const char *method, const char *target,
                               size_t target_len, const rtc_sign_header *headers, size_t nheaders,
                               const char *body, size_t body_len, const char *ak,
                               char **authorization, char *err, size_t errlen);

/* Formats t as UTC "YYYYMMDDTHHMMSSZ" (out has room for 17 bytes incl. NUL). Uses gmtime_r. */
void rtc_sign_format_date(char out[17], time_t t);

/* Lua binding: headers, canonical_request = rtc.sign(req). */
int rtc_l_sign(lua_State *L);

#endif
