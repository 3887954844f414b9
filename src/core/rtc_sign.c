/* rtc_sign.c - SDK-HMAC-SHA256 request signer (see API.md "Authentication" and rtc_sign.h).
 *
 * Canonical request (lines joined by '\n'):
 *   METHOD / canonical URI / canonical query / canonical headers ("name:value\n" each) /
 *   signed headers (';') / payload hash
 * String to sign: "SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256(canonical request)>"
 * Signature: hex HMAC-SHA256(SK, string to sign).
 *
 * Cost: OpenSSL 3 looks an algorithm up, and allocates and frees a context, on every one-shot
 * EVP_Digest/HMAC call, which costs about as much as hashing a request. So every signature goes
 * through a key (rtc_sign_key, one per client): SHA-256 fetched once, one digest context reset
 * per hash, one HMAC context keyed once and re-initialised (EVP_MAC_init without a key reuses
 * the keyed inner and outer states), and the canonical request built in a buffer that is sized
 * once and reused. rtc_sign_authorization (rtc.sign) makes a key for the one call.
 */
#define _POSIX_C_SOURCE 200809L

#include "rtc_sign.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "rtc_text.h"

#define ALGORITHM "SDK-HMAC-SHA256"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define DATE_LEN 16
#define SMALL_N 16 /* headers / query parameters sorted in stack arrays up to this count */
#define NAME_ARG(p, n) (int)((n) > 64 ? 64 : (n)), (p) /* a header name in a message, bounded */

/* A header as the signer sees it (the value trimmed; lower when the name is lowercase already: a
 * prepared fixed header), or a decoded query parameter. */
typedef struct entry {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
  size_t at; /* where its lowercase name went in the canonical request */
  int lower;
} entry;

struct rtc_sign_key {
  EVP_MD *md;
  EVP_MD_CTX *digest;
  EVP_MAC_CTX *mac;
  rtc_buf canonical; /* the canonical request of the last signature */
  int canonical_ok;
  rtc_buf scratch; /* the target, decoded in place */
  /* rtc_sign_key_prepare: the AK and the fixed headers, all pointing into text */
  rtc_buf text;
  const char *ak;
  size_t ak_len;
  entry *fixed;
  size_t nfixed;
  int prepared;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
set_err(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  if (err == NULL || errlen == 0) return;
  va_start(ap, fmt);
  if (vsnprintf(err, errlen, fmt, ap) < 0) err[0] = '\0';
  va_end(ap);
  err[errlen - 1] = '\0';
}

/* A message into err and -1 ("return ERR(...)"), or on to the clean-up at done ("FAIL(...)"). */
#define ERR(...) (set_err(err, errlen, __VA_ARGS__), -1)
#define FAIL(...)                                                                                  \
  do {                                                                                             \
    set_err(err, errlen, __VA_ARGS__);                                                             \
    goto done;                                                                                     \
  } while (0)

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c; }

static void trim(const char **s, size_t *n) {
  for (; *n > 0 && rtc_is(**s, RTC_C_SPACE); (*s)++, (*n)--) {}
  for (; *n > 0 && rtc_is((*s)[*n - 1], RTC_C_SPACE); (*n)--) {}
}

static int ci_cmp(const char *a, size_t al, const char *b, size_t bl) {
  size_t i, n = al < bl ? al : bl;
  for (i = 0; i < n; i++) {
    unsigned char ca = (unsigned char)lower(a[i]), cb = (unsigned char)lower(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return (al > bl) - (al < bl);
}

#define CI_EQ(s, n, lit) ((n) == sizeof lit - 1 && ci_cmp((s), (n), lit, sizeof lit - 1) == 0)

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl) {
  size_t n = al < bl ? al : bl;
  int r = n ? memcmp(a, b, n) : 0;
  return r != 0 ? r : (al > bl) - (al < bl);
}

static int entry_cmp(const void *x, const void *y) {
  const entry *a = (const entry *)x, *b = (const entry *)y;
  return ci_cmp(a->name, a->name_len, b->name, b->name_len);
}

static int query_cmp(const void *x, const void *y) {
  const entry *a = (const entry *)x, *b = (const entry *)y;
  int r = bytes_cmp(a->name, a->name_len, b->name, b->name_len);
  return r != 0 ? r : bytes_cmp(a->value, a->value_len, b->value, b->value_len);
}

/* Insertion sort for the usual handful, qsort beyond. */
static void sort_small(entry *base, size_t n, int (*cmp)(const void *, const void *)) {
  entry tmp;
  size_t i, j;
  if (n > SMALL_N) {
    qsort(base, n, sizeof *base, cmp);
    return;
  }
  for (i = 1; i < n; i++) {
    tmp = base[i];
    for (j = i; j > 0 && cmp(&base[j - 1], &tmp) > 0; j--) base[j] = base[j - 1];
    base[j] = tmp;
  }
}

/* acc += v * k, with a sticky overflow flag */
static void add_sz(size_t *acc, size_t v, size_t k, int *ovf) {
  if ((k != 0 && v > SIZE_MAX / k) || v * k > SIZE_MAX - *acc)
    *ovf = 1;
  else
    *acc += v * k;
}

int rtc_sign_date_valid(const char *s, size_t len) {
  static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, mo, d, leap;
  size_t i;
  if (s == NULL || len != DATE_LEN || s[8] != 'T' || s[15] != 'Z') return 0;
  for (i = 0; i < 15; i++)
    if (i != 8 && !rtc_is(s[i], RTC_C_DIGIT)) return 0;
#define TWO(p) ((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
  y = TWO(0) * 100 + TWO(2);
  mo = TWO(4);
  d = TWO(6);
  if (mo < 1 || mo > 12 || d < 1 || TWO(9) > 23 || TWO(11) > 59 || TWO(13) > 59) return 0;
#undef TWO
  leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[mo - 1] + (mo == 2 && leap);
}

static int check_ak(const char *ak, size_t *ak_len, char *err, size_t errlen) {
  size_t i;
  if (ak == NULL || (*ak_len = strlen(ak)) == 0) return ERR("ak: expected a non-empty string");
  for (i = 0; i < *ak_len; i++)
    if (rtc_is(ak[i], RTC_C_CONTROL) || ak[i] == ' ' || ak[i] == ',')
      return ERR("ak: contains a blank, ',' or a control character");
  return 0;
}

/* Checks one header and fills e (value trimmed). 0, or -1 and a message. */
static int check_header(const rtc_sign_header *h, entry *e, char *err, size_t errlen) {
  size_t k;
  if (h->name == NULL || h->name_len == 0) return ERR("headers: empty header name");
  for (k = 0; k < h->name_len; k++)
    if (!rtc_is(h->name[k], RTC_C_TCHAR))
      return ERR("headers: header name with an invalid character (CR, LF, blank, "
                 "':' ...)");
  if (h->value == NULL && h->value_len > 0)
    return ERR("headers[\"%.*s\"]: NULL value", NAME_ARG(h->name, h->name_len));
  for (k = 0; k < h->value_len; k++)
    if (h->value[k] == '\r' || h->value[k] == '\n' || h->value[k] == '\0')
      return ERR("headers[\"%.*s\"]: value contains CR, LF or NUL", NAME_ARG(h->name, h->name_len));
  e->name = h->name;
  e->name_len = h->name_len;
  e->value = h->value != NULL ? h->value : "";
  e->value_len = h->value_len;
  e->lower = 0;
  trim(&e->value, &e->value_len);
  return 0;
}

static int sha256(rtc_sign_key *key, const void *data, size_t len, unsigned char out[32]) {
  unsigned int n = 0;
  return EVP_DigestInit_ex2(key->digest, key->md, NULL) == 1 &&
         EVP_DigestUpdate(key->digest, data, len) == 1 &&
         EVP_DigestFinal_ex(key->digest, out, &n) == 1 && n == 32;
}

int rtc_sign_key_hmac(rtc_sign_key *key, const void *data, size_t len, unsigned char out[32]) {
  size_t n = 0;
  return EVP_MAC_init(key->mac, NULL, 0, NULL) == 1 && /* no key: reuse the keyed states */
         EVP_MAC_update(key->mac, data, len) == 1 && EVP_MAC_final(key->mac, out, &n, 32) == 1 &&
         n == 32;
}

/* Splits query (decoded in place: every piece decodes into no more room than it had) into qs,
 * sorts it and appends the canonical query to cb. */
static void put_query(rtc_buf *cb, char *query, size_t query_len, entry *qs) {
  size_t start = 0, o = 0, n = 0, i;
  while (start <= query_len) {
    char *piece = query + start;
    const char *amp = (const char *)memchr(piece, '&', query_len - start);
    size_t plen = amp ? (size_t)(amp - piece) : query_len - start;
    if (plen > 0) {
      const char *eq = (const char *)memchr(piece, '=', plen);
      size_t nl = eq ? (size_t)(eq - piece) : plen;
      entry *qp = &qs[n++];
      qp->name = query + o;
      qp->name_len = rtc_pct_decode(query + o, piece, nl);
      o += qp->name_len;
      qp->value = query + o;
      qp->value_len = eq ? rtc_pct_decode(query + o, eq + 1, plen - nl - 1) : 0;
      o += qp->value_len;
    }
    start += plen + 1;
  }
  sort_small(qs, n, query_cmp);
  for (i = 0; i < n; i++) {
    if (i > 0) rtc_buf_add_char_unsafe(cb, '&');
    rtc_pct_encode(cb, qs[i].name, qs[i].name_len, 0); /* room ensured: cannot fail */
    rtc_buf_add_char_unsafe(cb, '=');
    rtc_pct_encode(cb, qs[i].value, qs[i].value_len, 0);
  }
}

/* Appends e's name lowercased (the signed-headers list copies it from there). */
static void put_name(rtc_buf *cb, entry *e) {
  size_t i;
  e->at = cb->len;
  if (e->lower) {
    rtc_buf_add_unsafe(cb, e->name, e->name_len);
    return;
  }
  for (i = 0; i < e->name_len; i++) cb->data[cb->len + i] = lower(e->name[i]);
  cb->len += e->name_len;
}

/* The signer. Arguments other than the AK (checked by the callers) are checked here. */
static int sign(rtc_sign_key *key, const char *method, const char *prefix, size_t prefix_len,
                const char *target, size_t target_len, const entry *fixed, size_t nfixed,
                const rtc_sign_header *headers, size_t nheaders, const char *body, size_t body_len,
                const char *ak, size_t ak_len, rtc_buf *auth, char *err, size_t errlen) {
  entry estack[SMALL_N], *es = estack;
  entry qstack[SMALL_N], *qs = qstack;
  const entry *date = NULL, *csha = NULL;
  rtc_buf *cb = &key->canonical, *sc = &key->scratch;
  size_t method_len, n, i, path_len, query_len = 0, nq = 0, cap = 0, sh_start, sh_len;
  unsigned char md[32];
  char body_hex[64], sts[sizeof ALGORITHM + DATE_LEN + 1 + 64];
  int ovf = 0, rc = -1;

  key->canonical_ok = 0;
  if (method == NULL || (method_len = strlen(method)) == 0)
    return ERR("method: expected a non-empty HTTP token");
  for (i = 0; i < method_len; i++)
    if (!rtc_is(method[i], RTC_C_TCHAR)) return ERR("method: expected an HTTP token");
  if ((target == NULL && target_len > 0) || (prefix == NULL && prefix_len > 0))
    return ERR("target: NULL with a length");
  if (rtc_text_has(prefix, prefix_len, RTC_C_CONTROL) ||
      rtc_text_has(target, target_len, RTC_C_CONTROL))
    return ERR("target: contains a control character");
  if (headers == NULL && nheaders > 0) return ERR("headers: NULL with a count");
  if (body == NULL && body_len > 0) return ERR("body: NULL with a length");

  /* headers: the fixed ones (checked when prepared) and these, sorted by lowercase name */
  n = nfixed + nheaders;
  if (n > SMALL_N && (n < nheaders || n > SIZE_MAX / sizeof *es || !(es = malloc(n * sizeof *es))))
    return ERR("out of memory");
  if (nfixed > 0) memcpy(es, fixed, nfixed * sizeof *es);
  for (i = 0; i < nheaders; i++)
    if (check_header(&headers[i], &es[nfixed + i], err, errlen) != 0) goto done;
  sort_small(es, n, entry_cmp);
  for (i = 0; i < n; i++) {
    if (i > 0 && entry_cmp(&es[i - 1], &es[i]) == 0)
      FAIL("headers: duplicate header \"%.*s\"", NAME_ARG(es[i].name, es[i].name_len));
    if (CI_EQ(es[i].name, es[i].name_len, "x-sdk-date"))
      date = &es[i];
    else if (CI_EQ(es[i].name, es[i].name_len, "x-sdk-content-sha256"))
      csha = &es[i];
    if (memchr(es[i].name, '_', es[i].name_len) == NULL) { /* signed: line + list entry */
      add_sz(&cap, es[i].name_len, 2, &ovf);
      add_sz(&cap, es[i].value_len + 3, 1, &ovf); /* a value in memory: + 3 cannot wrap */
    }
  }
  if (date == NULL) FAIL("headers: missing X-Sdk-Date");
  if (!rtc_sign_date_valid(date->value, date->value_len))
    FAIL("headers[\"%.*s\"]: " RTC_SIGN_DATE_RULE, NAME_ARG(date->name, date->name_len));

  /* prefix + target into the scratch buffer; the path part decoded in place */
  rtc_buf_reset(sc);
  if (prefix_len > SIZE_MAX - target_len || rtc_buf_ensure(sc, prefix_len + target_len) != 0)
    FAIL("out of memory");
  if (prefix_len > 0) rtc_buf_add_unsafe(sc, prefix, prefix_len);
  if (target_len > 0) rtc_buf_add_unsafe(sc, target, target_len);
  path_len = sc->len;
  {
    char *q = target_len ? memchr(sc->data + prefix_len, '?', target_len) : NULL;
    if (q != NULL) {
      path_len = (size_t)(q - sc->data);
      query_len = sc->len - path_len - 1;
    }
  }
  if (query_len > 0) {
    const char *q = sc->data + path_len + 1, *end = q + query_len;
    for (nq = 1; (q = memchr(q, '&', (size_t)(end - q))) != NULL; q++) nq++;
    if (nq > SMALL_N && (nq > SIZE_MAX / sizeof *qs || (qs = malloc(nq * sizeof *qs)) == NULL)) {
      qs = qstack;
      FAIL("out of memory");
    }
  }

  /* size the canonical request once: encoding at most triples a decoded byte */
  add_sz(&cap, method_len, 1, &ovf);
  add_sz(&cap, path_len, 3, &ovf);
  add_sz(&cap, query_len, 3, &ovf);
  add_sz(&cap, nq, 1, &ovf); /* '=' for names without one */
  add_sz(&cap, 8 + 64, 1, &ovf);
  if (csha != NULL) add_sz(&cap, csha->value_len, 1, &ovf);
  rtc_buf_reset(cb);
  if (ovf || rtc_buf_ensure(cb, cap) != 0) FAIL(ovf ? "request too large" : "out of memory");

  for (i = 0; i < method_len; i++)
    cb->data[cb->len++] =
        (method[i] >= 'a' && method[i] <= 'z') ? (char)(method[i] - 32) : method[i];
  rtc_buf_add_char_unsafe(cb, '\n');
  /* canonical URI: decode the whole path, split on '/', encode each segment, join, end with
     * '/'; encoding every byte but '/' after decoding is exactly that */
  rtc_pct_encode(cb, sc->data, rtc_pct_decode(sc->data, sc->data, path_len), 1);
  if (cb->data[cb->len - 1] != '/') rtc_buf_add_char_unsafe(cb, '/');
  rtc_buf_add_char_unsafe(cb, '\n');
  if (query_len > 0) put_query(cb, sc->data + path_len + 1, query_len, qs);
  rtc_buf_add_char_unsafe(cb, '\n');
  for (i = 0; i < n; i++) {
    if (memchr(es[i].name, '_', es[i].name_len) != NULL) continue;
    put_name(cb, &es[i]);
    rtc_buf_add_char_unsafe(cb, ':');
    rtc_buf_add_unsafe(cb, es[i].value, es[i].value_len);
    rtc_buf_add_char_unsafe(cb, '\n');
  }
  rtc_buf_add_char_unsafe(cb, '\n');
  sh_start = cb->len;
  for (i = 0; i < n; i++) {
    if (memchr(es[i].name, '_', es[i].name_len) != NULL) continue;
    if (cb->len != sh_start) rtc_buf_add_char_unsafe(cb, ';');
    memcpy(cb->data + cb->len, cb->data + es[i].at, es[i].name_len); /* earlier bytes */
    cb->len += es[i].name_len;
  }
  sh_len = cb->len - sh_start;
  rtc_buf_add_char_unsafe(cb, '\n');
  if (body_len == 0) {
    rtc_buf_add_unsafe(cb, EMPTY_SHA256, 64);
  } else if (csha != NULL && csha->value_len > 0) {
    rtc_buf_add_unsafe(cb, csha->value, csha->value_len);
  } else {
    if (!sha256(key, body, body_len, md)) FAIL("SHA-256 of the body failed");
    rtc_hex_lower(body_hex, md, 32);
    rtc_buf_add_unsafe(cb, body_hex, 64);
  }
  rtc_buf_terminate(cb);

  /* string to sign, signature */
  memcpy(sts, ALGORITHM "\n", sizeof ALGORITHM);
  memcpy(sts + sizeof ALGORITHM, date->value, DATE_LEN);
  sts[sizeof ALGORITHM + DATE_LEN] = '\n';
  if (!sha256(key, cb->data, cb->len, md)) FAIL("SHA-256 of the canonical request failed");
  rtc_hex_lower(sts + sizeof ALGORITHM + DATE_LEN + 1, md, 32);
  if (!rtc_sign_key_hmac(key, sts, sizeof sts, md)) FAIL("HMAC-SHA256 failed");

#define P1 ALGORITHM " Access="
#define P2 ", SignedHeaders="
#define P3 ", Signature="
  /* the AK and the signed-headers list are in memory already: their sum cannot overflow */
  if (rtc_buf_ensure(auth, ak_len + sh_len + sizeof P1 + sizeof P2 + sizeof P3 + 64) != 0)
    FAIL("out of memory");
  rtc_buf_add_unsafe(auth, P1, sizeof P1 - 1);
  rtc_buf_add_unsafe(auth, ak, ak_len);
  rtc_buf_add_unsafe(auth, P2, sizeof P2 - 1);
  rtc_buf_add_unsafe(auth, cb->data + sh_start, sh_len);
  rtc_buf_add_unsafe(auth, P3, sizeof P3 - 1);
  rtc_hex_lower(auth->data + auth->len, md, 32);
  auth->len += 64;
  rtc_buf_terminate(auth);
#undef P1
#undef P2
#undef P3
  key->canonical_ok = 1;
  rc = 0;

done:
  if (es != estack) free(es);
  if (qs != qstack) free(qs);
  return rc;
}

rtc_sign_key *rtc_sign_key_new(const char *sk, size_t sk_len) {
  rtc_sign_key *key;
  EVP_MAC *mac;
  OSSL_PARAM params[2];
  if (sk == NULL || sk_len == 0 || (key = calloc(1, sizeof *key)) == NULL) return NULL;
  key->md = EVP_MD_fetch(NULL, "SHA256", NULL);
  key->digest = EVP_MD_CTX_new();
  mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  key->mac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
  EVP_MAC_free(mac); /* the context keeps its own reference */
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  if (key->md == NULL || key->digest == NULL || key->mac == NULL ||
      EVP_MAC_init(key->mac, (const unsigned char *)sk, sk_len, params) != 1) {
    rtc_sign_key_free(key);
    return NULL;
  }
  return key;
}

void rtc_sign_key_free(rtc_sign_key *key) {
  if (key == NULL) return;
  EVP_MAC_CTX_free(key->mac); /* OpenSSL cleanses the keyed state */
  EVP_MD_CTX_free(key->digest);
  EVP_MD_free(key->md);
  rtc_buf_free_secret(&key->canonical); /* may hold X-Security-Token */
  rtc_buf_free_secret(&key->scratch);
  rtc_buf_free_secret(&key->text);
  free(key->fixed);
  free(key);
}

/* The one-key path of both classic entry points: malloc'd results. */
static int sign_malloc(rtc_sign_key *key, const char *method, const char *target, size_t target_len,
                       const rtc_sign_header *headers, size_t nheaders, const char *body,
                       size_t body_len, const char *ak, char **authorization, char **canonical,
                       char *err, size_t errlen) {
  rtc_buf auth = RTC_BUF_INIT;
  size_t ak_len = 0;
  if (check_ak(ak, &ak_len, err, errlen) != 0 ||
      sign(key, method, "", 0, target, target_len, NULL, 0, headers, nheaders, body, body_len, ak,
           ak_len, &auth, err, errlen) != 0)
    return -1;
  if (canonical != NULL) {
    if ((*canonical = strdup(key->canonical.data)) == NULL) {
      rtc_buf_free(&auth);
      return ERR("out of memory");
    }
  }
  *authorization = rtc_buf_take(&auth);
  return 0;
}

int rtc_sign_authorization(const char *method, const char *target, size_t target_len,
                           const rtc_sign_header *headers, size_t nheaders, const char *body,
                           size_t body_len, const char *ak, const char *sk, size_t sk_len,
                           char **authorization, char **canonical, char *err, size_t errlen) {
  rtc_sign_key *key;
  int rc;
  if (canonical != NULL) *canonical = NULL;
  if (authorization == NULL) return ERR("no place for the authorization value");
  *authorization = NULL;
  if (sk == NULL || sk_len == 0) return ERR("sk: expected a non-empty string");
  if ((key = rtc_sign_key_new(sk, sk_len)) == NULL)
    return ERR("out of memory (or no SHA-256/HMAC in libcrypto)");
  rc = sign_malloc(key, method, target, target_len, headers, nheaders, body, body_len, ak,
                   authorization, canonical, err, errlen);
  rtc_sign_key_free(key);
  return rc;
}

int rtc_sign_authorization_key(const rtc_sign_key *key, const char *method, const char *target,
                               size_t target_len, const rtc_sign_header *headers, size_t nheaders,
                               const char *body, size_t body_len, const char *ak,
                               char **authorization, char *err, size_t errlen) {
  if (authorization == NULL) return ERR("no place for the authorization value");
  *authorization = NULL;
  if (key == NULL) return ERR("no signing key");
  /* const only in the interface kept for callers; the reused contexts change (rtc_sign.h) */
  return sign_malloc((rtc_sign_key *)(uintptr_t)key, method, target, target_len, headers, nheaders,
                     body, body_len, ak, authorization, NULL, err, errlen);
}

int rtc_sign_key_prepare(rtc_sign_key *key, const char *ak, const rtc_sign_header *fixed,
                         size_t nfixed, char *err, size_t errlen) {
  rtc_buf text = RTC_BUF_INIT;
  entry *es = NULL;
  size_t ak_len = 0, size = 1, i;
  if (key == NULL) return ERR("no signing key");
  if (check_ak(ak, &ak_len, err, errlen) != 0) return -1;
  if (fixed == NULL && nfixed > 0) return ERR("headers: NULL with a count");
  if (nfixed > 0 && (es = calloc(nfixed, sizeof *es)) == NULL) return ERR("out of memory");
  for (i = 0; i < nfixed; i++) {
    if (check_header(&fixed[i], &es[i], err, errlen) != 0) goto done;
    if (es[i].name_len > SIZE_MAX / 4 - size || es[i].value_len > SIZE_MAX / 4 - size)
      FAIL("out of memory");
    size += es[i].name_len + es[i].value_len;
  }
  sort_small(es, nfixed, entry_cmp);
  for (i = 1; i < nfixed; i++)
    if (entry_cmp(&es[i - 1], &es[i]) == 0)
      FAIL("headers: duplicate header \"%.*s\"", NAME_ARG(es[i].name, es[i].name_len));
  /* copies, all in one buffer sized first (the entries point into it), names lowercased */
  if (ak_len > SIZE_MAX / 4 - size || rtc_buf_ensure(&text, size + ak_len) != 0)
    FAIL("out of memory");
  for (i = 0; i < nfixed; i++) {
    size_t k;
    char *name = text.data + text.len;
    for (k = 0; k < es[i].name_len; k++) name[k] = lower(es[i].name[k]);
    text.len += es[i].name_len;
    es[i].name = name;
    es[i].lower = 1;
    rtc_buf_add_unsafe(&text, es[i].value, es[i].value_len);
    es[i].value = text.data + text.len - es[i].value_len;
  }
  rtc_buf_add_unsafe(&text, ak, ak_len);
  rtc_buf_terminate(&text);
  rtc_buf_free_secret(&key->text);
  free(key->fixed);
  key->text = text;
  key->ak = text.data + text.len - ak_len;
  key->ak_len = ak_len;
  key->fixed = es;
  key->nfixed = nfixed;
  key->prepared = 1;
  return 0;

done:
  free(es);
  rtc_buf_free_secret(&text);
  return -1;
}

int rtc_sign_key_sign(rtc_sign_key *key, const char *method, const char *prefix, size_t prefix_len,
                      const char *target, size_t target_len, const rtc_sign_header *headers,
                      size_t nheaders, const char *body, size_t body_len, rtc_buf *authorization,
                      char *err, size_t errlen) {
  if (key == NULL || !key->prepared || authorization == NULL)
    return ERR(key == NULL || !key->prepared ? "no prepared signing key"
                                             : "no place for the authorization value");
  return sign(key, method, prefix, prefix_len, target, target_len, key->fixed, key->nfixed, headers,
              nheaders, body, body_len, key->ak, key->ak_len, authorization, err, errlen);
}

const char *rtc_sign_key_canonical(const rtc_sign_key *key, size_t *len) {
  int ok = key != NULL && key->canonical_ok && key->canonical.data != NULL;
  if (len != NULL) *len = ok ? key->canonical.len : 0;
  return ok ? key->canonical.data : "";
}

void rtc_sign_format_date(char out[17], time_t t) {
  static const unsigned char at[7] = {0, 2, 4, 6, 9, 11, 13};
  struct tm tmv;
  int i, f[7];
  if (gmtime_r(&t, &tmv) == NULL || tmv.tm_year < -1900 || tmv.tm_year > 9999 - 1900) {
    memcpy(out, "19700101T000000Z", 17);
    return;
  }
  f[0] = (tmv.tm_year + 1900) / 100;
  f[1] = (tmv.tm_year + 1900) % 100;
  f[2] = tmv.tm_mon + 1;
  f[3] = tmv.tm_mday;
  f[4] = tmv.tm_hour;
  f[5] = tmv.tm_min;
  f[6] = tmv.tm_sec > 59 ? 59 : tmv.tm_sec; /* leap second: the gateway wants 00..59 */
  for (i = 0; i < 7; i++) {
    out[at[i]] = (char)('0' + f[i] / 10);
    out[at[i] + 1] = (char)('0' + f[i] % 10);
  }
  out[8] = 'T';
  out[15] = 'Z';
  out[16] = '\0';
}
