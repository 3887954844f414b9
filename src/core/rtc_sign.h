/* rtc_sign.h - SDK-HMAC-SHA256 request signer (Huawei Cloud APIG, as the official SDKs do it).
 * Pure: no clock, no I/O; the date is an X-Sdk-Date header the caller passes in.
 *
 * Thread safety: a rtc_sign_key holds the digest and HMAC contexts and the buffers that every
 * signature made with it reuses, so it is NOT safe to use from two threads at once. One key
 * per client; a client (and so its key) is never shared across threads. Functions without a
 * key share nothing and may run on any thread. */
#ifndef RTC_SIGN_H
#define RTC_SIGN_H

#include <stddef.h>
#include <time.h>
#include "rtc_buf.h"

typedef struct rtc_sign_header {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} rtc_sign_header;

/* Computes the Authorization value for a request.
 * method: e.g. "PUT" (an HTTP token; uppercased by the signer); target: path plus optional
 *   "?query", raw as sent (no scheme/host, no fragment, no control characters).
 * headers: every header that will be sent, INCLUDING X-Sdk-Date (required: YYYYMMDDTHHMMSSZ, a
 *   real UTC time, see rtc_sign_date_valid) and Host when there is one. Names are RFC 9110
 *   tokens, unique case-insensitively; values hold no CR, LF or NUL.
 * Signed headers: every header whose name has no '_', lowercased, sorted, values trimmed of
 *   surrounding blanks.
 * Payload hash: the empty body's hash when body_len == 0; the value of X-Sdk-Content-Sha256 when
 *   that header is present (non-empty) and the body is not empty; else hex SHA-256 of the body.
 * On success: returns 0, *authorization = malloc'd NUL-terminated
 *   "SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...";
 *   if canonical != NULL, *canonical = malloc'd canonical request string. Caller frees with free().
 * On failure: returns -1, writes a NUL-terminated message into err (errlen bytes, bounded; err may
 *   be NULL), nothing allocated is left behind. A message starts with the input it is about
 *   ("method: ", "target: ", "headers: ", "headers[\"X-A\"]: ", "body: ", "ak: ", "sk: ") except
 *   for resource failures ("out of memory", ...). Messages never contain the SK. */
int rtc_sign_authorization(const char *method, const char *target, size_t target_len,
                           const rtc_sign_header *headers, size_t nheaders, const char *body,
                           size_t body_len, const char *ak, const char *sk, size_t sk_len,
                           char **authorization, char **canonical, char *err, size_t errlen);

/* A signing key prepared once per client: SHA-256 fetched once, one digest context and one
 * HMAC context keyed with the SK (re-initialised, not duplicated, per signature), and reused
 * buffers for the canonical request. NULL on failure (sk_len 0, out of memory). See the thread
 * safety note above: the contexts inside change with every signature. */
typedef struct rtc_sign_key rtc_sign_key;
rtc_sign_key *rtc_sign_key_new(const char *sk, size_t sk_len);
void rtc_sign_key_free(rtc_sign_key *key); /* cleanses the keyed state; NULL is fine */
/* HMAC-SHA256(SK, data) into out with the key's prepared HMAC context (also what the join
 * signatures use, rtc_join.c). 1, or 0 when libcrypto fails. */
int rtc_sign_key_hmac(rtc_sign_key *key, const void *data, size_t len, unsigned char out[32]);
/* rtc_sign_authorization with a prepared key instead of the SK (no canonical request out).
 * The key's prepared AK and fixed headers (rtc_sign_key_prepare) are NOT used here. The key is
 * const for compatibility only: its reused contexts change (one thread at a time). */
int rtc_sign_authorization_key(const rtc_sign_key *key, const char *method, const char *target,
                               size_t target_len, const rtc_sign_header *headers, size_t nheaders,
                               const char *body, size_t body_len, const char *ak,
                               char **authorization, char *err, size_t errlen);

/* ---- the fast path (a client signing every attempt) ----
 * Once per client, after rtc_sign_key_new: the AK and the headers every request of the client
 * carries with the same value (X-Project-Id, X-Security-Token, ...), checked, trimmed and
 * lowercased once (copies are kept; the key wipes them when freed). Replaces an earlier set.
 * 0, or -1 and a message as above. */
int rtc_sign_key_prepare(rtc_sign_key *key, const char *ak, const rtc_sign_header *fixed,
                         size_t nfixed, char *err, size_t errlen);
/* Per attempt: signs method + prefix + target (prefix: the endpoint's base path, "" or "/v1"
 * style, no '?'; joined here so the caller need not build the string) with the per-call headers
 * (Host, Content-Type, X-Sdk-Date, ...; they must not repeat a fixed one) plus the prepared
 * fixed headers, and APPENDS the Authorization value to *authorization (NUL-terminated). No
 * allocation once the key's buffers and *authorization have grown to size: keep one rtc_buf per
 * call and rtc_buf_reset it between attempts. On failure returns -1, *authorization is as it
 * was, err as above. Requires rtc_sign_key_prepare. */
int rtc_sign_key_sign(rtc_sign_key *key, const char *method, const char *prefix, size_t prefix_len,
                      const char *target, size_t target_len, const rtc_sign_header *headers,
                      size_t nheaders, const char *body, size_t body_len, rtc_buf *authorization,
                      char *err, size_t errlen);
/* The canonical request of the last successful signature made with key (NUL-terminated, valid
 * until the next one), for debugging output. Never holds the SK. */
const char *rtc_sign_key_canonical(const rtc_sign_key *key, size_t *len);

/* 1 when s is "YYYYMMDDTHHMMSSZ" naming a real UTC time: month 01-12, day within the month (29
 * February in leap years only), hour 00-23, minute 00-59, second 00-59 (no leap second: the
 * gateway does not accept one). */
int rtc_sign_date_valid(const char *s, size_t len);
/* What rtc_sign_date_valid wants, for messages. */
#define RTC_SIGN_DATE_RULE                                                                         \
  "expected YYYYMMDDTHHMMSSZ, a real UTC time (month 01-12, a day of that month, hour 00-23, "     \
  "minute and second 00-59)"

/* Formats t as UTC "YYYYMMDDTHHMMSSZ" (out has room for 17 bytes incl. NUL). Uses gmtime_r. */
void rtc_sign_format_date(char out[17], time_t t);

#endif
