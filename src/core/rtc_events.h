/* rtc_events.h: the recording events' signature (EVENTS.md): X-Rtc-Signature = lowercase hex of
 * HMAC-SHA256(auth_key, X-Rtc-Rand + X-Rtc-Timestamp + body), and the checks a receiver makes
 * before it reads the body (headers well formed, signature equal, timestamp inside the window).
 * Pure: the time is an argument. No Lua. */
#ifndef RTC_EVENTS_H
#define RTC_EVENTS_H

#include <stddef.h>

#define RTC_EVENT_SIGNATURE_HEX 64      /* hex digits of an HMAC-SHA256 */
#define RTC_EVENT_MAX_HEADER 256        /* longest X-Rtc-Rand / X-Rtc-Timestamp taken */
/* A timestamp at or above this is read as milliseconds (10^11 s is the year 5138; 10^11 ms is
 * 1973): the unit is not documented, both are plausible. */
#define RTC_EVENT_MS_THRESHOLD 1e11

/* out: 65 bytes, the lowercase hex signature and a NUL. 0, or -1 (libcrypto failed). */
int rtc_event_sign(const char *key, size_t key_len, const char *rand, size_t rand_len,
                   const char *timestamp, size_t timestamp_len, const char *body, size_t body_len,
                   char out[RTC_EVENT_SIGNATURE_HEX + 1]);

/* A fresh X-Rtc-Rand: 16 lowercase hex digits from RAND_bytes, into out (17 bytes). 0 or -1. */
int rtc_event_rand(char out[17]);

/* The timestamp header in seconds since the epoch: decimal digits only (1 to 19 of them), read
 * as milliseconds from RTC_EVENT_MS_THRESHOLD on. 0, or -1 when it is not such a number. */
int rtc_event_timestamp(const char *timestamp, size_t len, double *seconds);

/* A header value the sender may have chosen: 1 to RTC_EVENT_MAX_HEADER printable ASCII bytes. */
int rtc_event_header_ok(const char *value, size_t len);

/* What a receiver got: the three header values (NULL when absent) and the raw body. */
typedef struct rtc_event_delivery {
  const char *rand, *timestamp, *signature;
  size_t rand_len, timestamp_len, signature_len;
  const char *body;
  size_t body_len;
} rtc_event_delivery;

/* Checks a signed delivery: headers present and well formed, the signature (compared in
 * constant time with CRYPTO_memcmp; hex digits in either case), then the timestamp within
 * max_age seconds of now in either direction (max_age < 0: no window). 0, or -1 with a one-line
 * reason in why (never the key, never the expected signature). */
int rtc_event_check(const rtc_event_delivery *d, const char *key, size_t key_len, double now,
                    double max_age, char *why, size_t whylen);

#endif
