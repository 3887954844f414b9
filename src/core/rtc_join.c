/* rtc_join.c - SparkRTC join signatures (see rtc_join.h). The HMAC is the request signer's
 * (rtc_sign_key_hmac, OpenSSL's EVP_MAC), the hex rtc_text's: nothing here hashes by hand. */
#define _POSIX_C_SOURCE 200809L

#include "rtc_join.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "rtc_buf.h"
#include "rtc_sign.h"
#include "rtc_text.h"

#define MAX_TIME 253402300799.0 /* 9999-12-31T23:59:59Z: what RFC 3339 can show */

static int refuse(const char **field, const char *name, char *err, size_t errlen, const char *why) {
  *field = name;
  snprintf(err, errlen, "%s: %s", name, why);
  return -1;
}

/* An id as the client SDKs send it: UTF-8 text, no control characters, not empty. */
static const char *id_problem(const char *s, size_t len) {
  if (s == NULL || len == 0) return "must not be empty";
  if (len > RTC_JOIN_MAX_ID) return "must be at most 256 bytes";
  if (!rtc_utf8_valid(s, len)) return "must be UTF-8 text";
  if (rtc_text_has(s, len, RTC_C_CONTROL)) return "must not contain control characters or NUL";
  return NULL;
}

/* v a whole number in [min, max] (NaN fails every comparison); the range keeps the cast exact */
static int whole(double v, double min, double max) {
  return v >= min && v <= max && (double)(long long)v == v;
}

/* The expiry from now and ttl or ctime: 0 and *ctime, or -1 (field and err set). */
static int expiry(const rtc_join_request *r, long long *ctime, const char **field, char *err,
                  size_t errlen) {
  char why[160];
  if (!whole(r->now, 0, MAX_TIME - RTC_JOIN_TTL_MAX))
    return refuse(field, "now", err, errlen, "expected a whole number of UNIX seconds, 0 or more");
  if (r->has_ttl && r->has_ctime)
    return refuse(field, "ctime", err, errlen, "give ttl or ctime, not both");
  if (r->has_ctime) {
    if (!whole(r->ctime, 0, MAX_TIME))
      return refuse(field, "ctime", err, errlen, "expected a whole number of UNIX seconds");
    if (r->ctime <= r->now)
      return refuse(field, "ctime", err, errlen, "is not in the future (the signature would have expired)");
    if (r->ctime - r->now > RTC_JOIN_TTL_MAX) {
      snprintf(why, sizeof why, "is more than %d seconds (under 12 hours) ahead of now", RTC_JOIN_TTL_MAX);
      return refuse(field, "ctime", err, errlen, why);
    }
    *ctime = (long long)r->ctime;
    return 0;
  }
  if (r->has_ttl && !whole(r->ttl, 1, RTC_JOIN_TTL_MAX)) {
    snprintf(why, sizeof why, "expected whole seconds from 1 to %d (under 12 hours)", RTC_JOIN_TTL_MAX);
    return refuse(field, "ttl", err, errlen, why);
  }
  *ctime = (long long)r->now + (r->has_ttl ? (long long)r->ttl : RTC_JOIN_TTL_DEFAULT);
  return 0;
}

int rtc_join_sign(const rtc_join_request *r, char signature[RTC_JOIN_SIGNATURE_LEN + 1],
                  long long *ctime, const char **field, char *err, size_t errlen) {
  rtc_buf content = RTC_BUF_INIT;
  rtc_sign_key *key;
  unsigned char md[32];
  const char *why;
  int ok;
  *field = NULL;
  if ((why = id_problem(r->app_id, r->app_id_len)) != NULL) return refuse(field, "app_id", err, errlen, why);
  if ((why = id_problem(r->room_id, r->room_id_len)) != NULL) return refuse(field, "room_id", err, errlen, why);
  if ((why = id_problem(r->user_id, r->user_id_len)) != NULL) return refuse(field, "user_id", err, errlen, why);
  if (r->app_key == NULL || r->app_key_len == 0)
    return refuse(field, "app_key", err, errlen, "must not be empty");
  /* the two readings of the provider's docs, and no third one */
  if (!(r->sep_len == 0 || (r->sep_len == 1 && r->sep[0] == '+')))
    return refuse(field, "join", err, errlen, "expected \"+\" (the sample code) or \"\" (the formula)");
  if (expiry(r, ctime, field, err, errlen) != 0) return -1;

  ok = rtc_buf_add(&content, r->app_id, r->app_id_len) == 0 &&
       rtc_buf_add(&content, r->sep, r->sep_len) == 0 &&
       rtc_buf_add(&content, r->room_id, r->room_id_len) == 0 &&
       rtc_buf_add(&content, r->sep, r->sep_len) == 0 &&
       rtc_buf_add(&content, r->user_id, r->user_id_len) == 0 &&
       rtc_buf_add(&content, r->sep, r->sep_len) == 0 &&
       rtc_buf_addf(&content, "%lld", *ctime) == 0;
  if (!ok) {
    rtc_buf_free(&content);
    snprintf(err, errlen, "out of memory");
    return -2;
  }
  key = rtc_sign_key_new(r->app_key, r->app_key_len); /* the key's contexts copy app_key */
  ok = key != NULL && rtc_sign_key_hmac(key, content.data, content.len, md);
  rtc_sign_key_free(key); /* OpenSSL cleanses the keyed state */
  rtc_buf_free(&content);
  if (!ok) {
    OPENSSL_cleanse(md, sizeof md);
    snprintf(err, errlen, "out of memory (or no HMAC-SHA256 in libcrypto)");
    return -2;
  }
  rtc_hex_lower(signature, md, sizeof md);
  signature[RTC_JOIN_SIGNATURE_LEN] = '\0';
  OPENSSL_cleanse(md, sizeof md);
  return 0;
}
