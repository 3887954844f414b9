/* rtc_events.c: the recording events' signature and the receiver's checks (rtc_events.h).
 * HMAC-SHA256 from libcrypto (EVP_MAC), fed the three parts in turn: nothing is concatenated. */
#include "rtc_events.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static const char hexdigits[] = "0123456789abcdef";

int rtc_event_sign(const char *key, size_t key_len, const char *rand, size_t rand_len,
                   const char *timestamp, size_t timestamp_len, const char *body, size_t body_len,
                   char out[RTC_EVENT_SIGNATURE_HEX + 1]) {
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
  unsigned char md[32];
  size_t n = 0, i;
  int ok;
  char digest[] = "SHA256";
  OSSL_PARAM params[2];
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
  params[1] = OSSL_PARAM_construct_end();
  /* an empty key is a valid HMAC key; EVP_MAC_init wants a non-NULL pointer for it */
  ok = ctx != NULL &&
       EVP_MAC_init(ctx, (const unsigned char *)(key_len ? key : ""), key_len, params) == 1 &&
       EVP_MAC_update(ctx, (const unsigned char *)rand, rand_len) == 1 &&
       EVP_MAC_update(ctx, (const unsigned char *)timestamp, timestamp_len) == 1 &&
       EVP_MAC_update(ctx, (const unsigned char *)body, body_len) == 1 &&
       EVP_MAC_final(ctx, md, &n, sizeof md) == 1 && n == sizeof md;
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  if (!ok) return -1;
  for (i = 0; i < sizeof md; i++) {
    out[2 * i] = hexdigits[md[i] >> 4];
    out[2 * i + 1] = hexdigits[md[i] & 15];
  }
  out[RTC_EVENT_SIGNATURE_HEX] = '\0';
  OPENSSL_cleanse(md, sizeof md);
  return 0;
}

int rtc_event_rand(char out[17]) {
  unsigned char r[8];
  size_t i;
  if (RAND_bytes(r, sizeof r) != 1) return -1;
  for (i = 0; i < sizeof r; i++) {
    out[2 * i] = hexdigits[r[i] >> 4];
    out[2 * i + 1] = hexdigits[r[i] & 15];
  }
  out[16] = '\0';
  return 0;
}

int rtc_event_timestamp(const char *timestamp, size_t len, double *seconds) {
  double v = 0;
  size_t i;
  if (len == 0 || len > 19) return -1;
  for (i = 0; i < len; i++) {
    if (timestamp[i] < '0' || timestamp[i] > '9') return -1;
    v = v * 10 + (timestamp[i] - '0');
  }
  *seconds = v >= RTC_EVENT_MS_THRESHOLD ? v / 1000 : v;
  return 0;
}

int rtc_event_header_ok(const char *value, size_t len) {
  size_t i;
  if (value == NULL || len == 0 || len > RTC_EVENT_MAX_HEADER) return 0;
  for (i = 0; i < len; i++)
    if ((unsigned char)value[i] <= 0x20 || (unsigned char)value[i] >= 0x7f) return 0;
  return 1;
}

/* The signature header lowercased into out, or 0 when it is not 64 hex digits. */
static int signature_hex(const char *s, size_t len, char out[RTC_EVENT_SIGNATURE_HEX + 1]) {
  size_t i;
  if (len != RTC_EVENT_SIGNATURE_HEX) return 0;
  for (i = 0; i < len; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'F') c = (char)(c + 32);
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    out[i] = c;
  }
  out[len] = '\0';
  return 1;
}

int rtc_event_check(const rtc_event_delivery *d, const char *key, size_t key_len, double now,
                    double max_age, char *why, size_t whylen) {
  char given[RTC_EVENT_SIGNATURE_HEX + 1], expected[RTC_EVENT_SIGNATURE_HEX + 1];
  double ts = 0;
  int same;
  const char *missing = d->rand == NULL ? "X-Rtc-Rand" : d->timestamp == NULL ? "X-Rtc-Timestamp" :
                        d->signature == NULL ? "X-Rtc-Signature" : NULL;
  if (missing) {
    snprintf(why, whylen, "no %s header (the callback's auth_key asks for a signed delivery)",
             missing);
    return -1;
  }
  if (!rtc_event_header_ok(d->rand, d->rand_len)) {
    snprintf(why, whylen, "X-Rtc-Rand: expected 1 to %d printable characters",
             RTC_EVENT_MAX_HEADER);
    return -1;
  }
  if (rtc_event_timestamp(d->timestamp, d->timestamp_len, &ts) != 0) {
    snprintf(why, whylen, "X-Rtc-Timestamp: expected seconds or milliseconds since the epoch "
             "(decimal digits)");
    return -1;
  }
  if (!signature_hex(d->signature, d->signature_len, given)) {
    snprintf(why, whylen, "X-Rtc-Signature: expected %d hexadecimal digits",
             RTC_EVENT_SIGNATURE_HEX);
    return -1;
  }
  if (rtc_event_sign(key, key_len, d->rand, d->rand_len, d->timestamp, d->timestamp_len, d->body,
                     d->body_len, expected) != 0) {
    snprintf(why, whylen, "HMAC-SHA256 failed (libcrypto)");
    return -1;
  }
  same = CRYPTO_memcmp(given, expected, RTC_EVENT_SIGNATURE_HEX) == 0;
  OPENSSL_cleanse(expected, sizeof expected);
  if (!same) {
    snprintf(why, whylen, "X-Rtc-Signature does not match the body (wrong auth_key, or the body "
             "or headers changed on the way)");
    return -1;
  }
  /* after the signature: a stale delivery is reported as stale only when it is genuine */
  if (max_age >= 0 && (ts < now - max_age || ts > now + max_age)) {
    snprintf(why, whylen, "X-Rtc-Timestamp is %.0f s %s the receiver's clock (max_age %.0f s)",
             ts < now ? now - ts : ts - now, ts < now ? "behind" : "ahead of", max_age);
    return -1;
  }
  return 0;
}
