/* fuzz/sign_fuzzer.c: rtc_sign_authorization (the C signer) on arbitrary requests.
 *
 * Input: byte 0 flags (add a valid X-Sdk-Date, ask for the canonical request, X-Sdk-Content-
 * Sha256, ak/sk from the input); byte 1 the number of headers (0..40: past the 16 kept on the
 * stack); then length-prefixed method, target (two length bytes: past the 512-byte scratch),
 * each header's name and value, ak, sk; the rest is the body.
 * Checked: on success the Authorization value is "SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=
 * ..., Signature=<64 hex>" without CR/LF, the same input signs the same way twice (with and
 * without the canonical request) and with a prepared key (rtc_sign_key_new +
 * rtc_sign_authorization_key) as with the SK, and through the fast path (rtc_sign_key_prepare with
 * the first headers fixed, rtc_sign_key_sign with the target cut into prefix + rest, appending to
 * an rtc_buf) to the same signature and canonical request; the canonical request ends with a 64-character payload
 * hash or the X-Sdk-Content-Sha256 value; on failure nothing is returned and the message is
 * a NUL-terminated string without the SK. */
#include "fuzz_common.h"
#include "rtc_sign.h"

#define MAX_HEADERS 44

/* NUL-terminated copies (method, ak and the SK are C strings for the signer). */
static char *cstr(const char *s, size_t len) {
  char *p = malloc(len + 1);
  if (p == NULL) abort();
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input c = {data, size};
  uint8_t flags = fuzz_byte(&c);
  size_t nh = fuzz_byte(&c) % 41, i, len, target_len, body_len, sk_len;
  rtc_sign_header h[MAX_HEADERS];
  const char *s, *target, *body;
  char *method, *ak, *sk, *auth = NULL, *auth2 = NULL, *canon = NULL;
  char err[256], err2[256];
  int rc, rc2;

  s = fuzz_take(&c, fuzz_byte(&c) % 12, &len);
  method = cstr(s, len);
  len = (size_t)fuzz_byte(&c) << 8;
  len |= fuzz_byte(&c);
  target = fuzz_take(&c, len % 1200, &target_len);
  for (i = 0; i < nh; i++) {
    h[i].name = fuzz_take(&c, fuzz_byte(&c) % 24, &h[i].name_len);
    h[i].value = fuzz_take(&c, fuzz_byte(&c) % 64, &h[i].value_len);
  }
  if (flags & 1) { /* a valid date, so that the rest of the signer runs */
    h[nh].name = (flags & 16) ? "x-sdk-date" : "X-Sdk-Date";
    h[nh].name_len = 10;
    h[nh].value = (flags & 32) ? " 20060102T150405Z\t" : "20060102T150405Z";
    h[nh].value_len = strlen(h[nh].value);
    nh++;
  }
  if (flags & 4) {
    h[nh].name = "X-Sdk-Content-Sha256";
    h[nh].name_len = 20;
    h[nh].value = (flags & 64) ? "UNSIGNED-PAYLOAD" : "  ";
    h[nh].value_len = strlen(h[nh].value);
    nh++;
  }
  if (flags & 8) {
    s = fuzz_take(&c, fuzz_byte(&c) % 16, &len);
    ak = cstr(s, len);
    s = fuzz_take(&c, fuzz_byte(&c) % 40, &sk_len);
    sk = cstr(s, sk_len);
  } else {
    ak = cstr("AK-fuzz", 7);
    sk = cstr("\x01SK\x02secret", 11); /* control bytes: no header name or value can carry it */
    sk_len = 11;
  }
  body = fuzz_take(&c, c.n, &body_len);
  if (flags & 128) body = body_len ? body : NULL; /* NULL body with length 0 is allowed */

  rc = rtc_sign_authorization(method, target, target_len, h, nh, body, body_len, ak, sk, sk_len,
                              &auth, (flags & 2) ? &canon : NULL, err, sizeof err);
  rc2 = rtc_sign_authorization(method, target, target_len, h, nh, body, body_len, ak, sk, sk_len,
                               &auth2, NULL, err2, sizeof err2);
  FUZZ_CHECK(rc == rc2, "the same input signed differently (%d, %d)", rc, rc2);
  { /* the prepared key (one per client) must sign exactly as the SK does */
    static rtc_sign_key *fixed_key;
    rtc_sign_key *key;
    char *auth3 = NULL, err3[256];
    int rc3;
    if (!(flags & 8)) {
      if (fixed_key == NULL) fixed_key = rtc_sign_key_new(sk, sk_len);
      key = fixed_key;
    } else {
      key = rtc_sign_key_new(sk, sk_len);
    }
    FUZZ_CHECK(key != NULL || sk_len == 0, "rtc_sign_key_new failed for a %zu-byte SK", sk_len);
    if (key != NULL) {
      rc3 = rtc_sign_authorization_key(key, method, target, target_len, h, nh, body, body_len, ak,
                                       &auth3, err3, sizeof err3);
      FUZZ_CHECK(rc3 == rc, "SK and prepared key disagree: %d vs %d (%s)", rc, rc3, rc3 ? err3 : err);
      if (rc == 0) FUZZ_CHECK(strcmp(auth, auth3) == 0, "SK and key signatures differ:\n%s\n%s", auth, auth3);
      else FUZZ_CHECK(auth3 == NULL && strcmp(err, err3) == 0, "key failure: %s / %s", err, err3);
      free(auth3);
      if (key != fixed_key) rtc_sign_key_free(key);
    }
  }
  { /* the fast path: the first headers fixed in the key, the target split into prefix + rest */
    static rtc_sign_key *fast_key;
    rtc_buf out = RTC_BUF_INIT;
    char err4[256];
    size_t nfixed = nh ? (size_t)(flags >> 4) % (nh + 1) : 0, cut = target_len ? body_len % (target_len + 1) : 0;
    const char *q = target_len ? memchr(target, '?', target_len) : NULL;
    int rc4;
    if (q != NULL && cut > (size_t)(q - target)) cut = (size_t)(q - target); /* a prefix has no '?' */
    if (fast_key == NULL) fast_key = rtc_sign_key_new("\x01SK\x02secret", 11);
    FUZZ_CHECK(fast_key != NULL, "rtc_sign_key_new failed");
    rc4 = rtc_sign_key_prepare(fast_key, ak, h, nfixed, err4, sizeof err4);
    if (rc4 == 0) {
      rtc_buf_add(&out, "keep:", 5); /* appended to, never overwritten */
      rc4 = rtc_sign_key_sign(fast_key, method, target, cut, target + cut, target_len - cut, h + nfixed,
                              nh - nfixed, body, body_len, &out, err4, sizeof err4);
      FUZZ_CHECK(memcmp(out.data, "keep:", 5) == 0 && (rc4 == 0 || out.len == 5),
                 "the fast path disturbed its output buffer");
    }
    if (!(flags & 8)) {
      FUZZ_CHECK((rc4 == 0) == (rc == 0), "fast path and SK disagree: %d vs %d (%s)", rc, rc4, rc4 ? err4 : err);
      if (rc == 0) {
        size_t cl = 0;
        const char *canon4 = rtc_sign_key_canonical(fast_key, &cl);
        FUZZ_CHECK(strcmp(out.data + 5, auth) == 0, "fast path signature differs:\n%s\n%s", auth, out.data + 5);
        FUZZ_CHECK(canon == NULL || (strlen(canon) == cl && memcmp(canon, canon4, cl) == 0),
                   "fast path canonical request differs");
      }
    }
    rtc_buf_free(&out);
  }
  if (rc == 0) {
    static const char prefix[] = "SDK-HMAC-SHA256 Access=";
    const char *sig;
    FUZZ_CHECK(auth != NULL && auth2 != NULL, "success without an authorization value");
    FUZZ_CHECK(strcmp(auth, auth2) == 0, "two signatures of one request differ:\n%s\n%s", auth, auth2);
    FUZZ_CHECK(strncmp(auth, prefix, sizeof prefix - 1) == 0 &&
              strncmp(auth + sizeof prefix - 1, ak, strlen(ak)) == 0,
          "authorization does not start with the algorithm and AK: %s", auth);
    FUZZ_CHECK(strpbrk(auth, "\r\n") == NULL, "CR or LF in the authorization value");
    sig = strstr(auth, ", Signature=");
    FUZZ_CHECK(sig != NULL && strlen(sig + 12) == 64 && strspn(sig + 12, "0123456789abcdef") == 64,
          "no 64-hex signature at the end: %s", auth);
    FUZZ_CHECK(strstr(auth, ", SignedHeaders=") != NULL, "no SignedHeaders: %s", auth);
    if (flags & 2) {
      size_t cl;
      FUZZ_CHECK(canon != NULL, "no canonical request although asked for");
      cl = strlen(canon);
      FUZZ_CHECK(cl > 0 && canon[cl - 1] != '\n', "canonical request ends with a newline");
      if (!(flags & 4) || body_len == 0)
        FUZZ_CHECK(cl >= 65 && canon[cl - 65] == '\n' && strspn(canon + cl - 64, "0123456789abcdef") == 64,
              "canonical request does not end with a payload hash");
    } else {
      FUZZ_CHECK(canon == NULL, "a canonical request nobody asked for");
    }
  } else {
    FUZZ_CHECK(auth == NULL && auth2 == NULL && canon == NULL, "failure left an output behind");
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0', "failure without a message");
    FUZZ_CHECK(strcmp(err, err2) == 0, "one failure, two messages: %s / %s", err, err2);
    if (!(flags & 8)) /* the fixed SK: control bytes no accepted header can carry */
      FUZZ_CHECK(strstr(err, sk) == NULL, "the SK in an error message: %s", err);
  }
  /* a NULL err buffer and a NULL authorization pointer are refused safely */
  FUZZ_CHECK(rtc_sign_authorization(method, target, target_len, h, nh, body, body_len, ak, sk, sk_len,
                               NULL, NULL, NULL, 0) == -1,
        "no place for the authorization, yet success");
  free(auth);
  free(auth2);
  free(canon);
  free(method);
  free(ak);
  free(sk);
  return 0;
}
