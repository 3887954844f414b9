/* rtc_metadata.c: the ECS metadata service client (see rtc_metadata.h): its requests through
 * libcurl (never a proxy), its JSON answers through jansson, credential.expires_at as a time.
 * Calls rtc_buf, rtc_text, libcurl and jansson; rtc_credentials.c calls it and takes the keys. */
#define _DEFAULT_SOURCE /* timegm */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "rtc_metadata.h"
#include "rtc_text.h"

#define MAX_METADATA_ANSWER 65536

typedef struct answer {
  rtc_buf body;
  int too_large;
} answer;

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
  answer *a = ud;
  size_t len = size * n;
  if (a->body.len + len > MAX_METADATA_ANSWER) {
    a->too_large = 1;
    return 0;
  }
  return rtc_buf_add(&a->body, data, len) == 0 ? len : 0;
}

/* One request to the metadata service. 0 and *status, or RTC_CRED_TRANSPORT with err. */
static int metadata_call(const char *base, const char *path, const char *method,
                         const char *session, double timeout, long *status, answer *a, char *err,
                         size_t errlen) {
  CURL *e = curl_easy_init();
  struct curl_slist *h = NULL, *h2;
  rtc_buf url = RTC_BUF_INIT, hdr = RTC_BUF_INIT;
  size_t blen = strlen(base);
  char curl_err[CURL_ERROR_SIZE] = "";
  CURLcode cc;
  int rc = RTC_CRED_OK;
  while (blen && base[blen - 1] == '/') blen--;
  if (e == NULL || rtc_buf_add(&url, base, blen) || rtc_buf_add_str(&url, path)) {
    rc = RTC_CRED_NOMEM;
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  if (strcmp(method, "PUT") == 0) {
    h2 = curl_slist_append(h, "X-Metadata-Token-Ttl-Seconds: 21600");
  } else if (session) {
    if (rtc_buf_addf(&hdr, "X-Metadata-Token: %s", session) != 0) h2 = NULL;
    else h2 = curl_slist_append(h, hdr.data);
  } else {
    h2 = curl_slist_append(h, "Accept: application/json");
  }
  if (h2 == NULL) {
    rc = RTC_CRED_NOMEM;
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  h = h2;
  curl_easy_setopt(e, CURLOPT_URL, url.data);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*"); /* a link-local service: never through a proxy */
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout * 1000));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_err);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  if (strcmp(method, "PUT") == 0) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
  }
  cc = curl_easy_perform(e);
  if (cc != CURLE_OK) {
    rc = RTC_CRED_TRANSPORT;
    snprintf(err, errlen, "metadata %.*s: %s %s: %s", (int)blen, base, method, path,
             a->too_large ? "the answer is larger than 64 KiB"
             : curl_err[0] ? curl_err
                           : curl_easy_strerror(cc));
    goto done;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
done:
  if (e) curl_easy_cleanup(e);
  curl_slist_free_all(h);
  rtc_buf_free_secret(&hdr);
  rtc_buf_free(&url);
  return rc;
}

/* n decimal digits at s (digits only: no sign, no blank), or -1. */
static int digits(const char *s, int n) {
  int v = 0, i;
  for (i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* RFC 3339 "2026-11-30T12:00:00[.000000](Z|+hh:mm|-hh:mm)" (or no offset: UTC, as the service
 * writes it) -> unix seconds, or -1: digits only, real days of the month, every field in its
 * range. */
static double parse_time(const char *s) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  struct tm tm;
  int y, mo, d, h, mi, sec, off = 0, mdays;
  time_t t;
  if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':')
    return -1;
  y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
  h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      sec < 0 || sec > 60)
    return -1;
  mdays = days[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
  if (d > mdays) return -1;
  s += 19;
  if (*s == '.') {
    if (!isdigit((unsigned char)s[1])) return -1;
    do s++; while (isdigit((unsigned char)*s));
  }
  if (*s == '+' || *s == '-') {
    int oh = digits(s + 1, 2), om = s[3] == ':' ? digits(s + 4, 2) : -1;
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || s[6] != '\0') return -1;
    off = (*s == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else if (!((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') && s[0] != '\0') {
    return -1;
  }
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  t = timegm(&tm);
  return t == (time_t)-1 ? -1 : (double)t - off;
}

static const char *json_text(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  return s && s[0] ? s : NULL;
}

int rtc_metadata_keys(const char *url, double timeout, double now, const char *label,
                      rtc_metadata *m, char *err, size_t errlen) {
  answer tok = {RTC_BUF_INIT, 0}, key = {RTC_BUF_INIT, 0};
  long status = 0;
  json_t *root = NULL, *cred;
  json_error_t jerr;
  const char *ak, *sk, *st, *exp;
  size_t aklen, sklen, stlen;
  double expires;
  int rc;
  rc = metadata_call(url, "/meta-data/latest/api/token", "PUT", NULL, timeout, &status, &tok, err,
                     errlen);
  if (rc) goto done;
  if (status == 200 && tok.body.len > 0 && tok.body.len < 4096 &&
      !rtc_text_has(tok.body.data, tok.body.len, RTC_C_CONTROL | RTC_C_SPACE)) {
    m->session = tok.body; /* moved: kept (and wiped when m is freed) for the later GETs */
    tok.body = (rtc_buf)RTC_BUF_INIT;
  } else if (status != 404 && status != 405 && status != 503 && status != 200) {
    rc = status >= 500 ? RTC_CRED_TRANSPORT : RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: PUT /meta-data/latest/api/token answered %ld", label, status);
    goto done;
  } /* 404/405/503 (or an unusable token): go on without a session token */
  rc = metadata_call(url, "/openstack/latest/securitykey", "GET",
                     m->session.len ? m->session.data : NULL, timeout, &status, &key, err, errlen);
  if (rc) goto done;
  if (status != 200) {
    rc = status >= 500 ? RTC_CRED_TRANSPORT : RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: GET /openstack/latest/securitykey answered %ld%s", label, status,
             status == 404 ? " (does the instance have an agency?)" : "");
    goto done;
  }
  root = json_loadb(key.body.data ? key.body.data : "", key.body.len, 0, &jerr);
  cred = root ? json_object_get(root, "credential") : NULL;
  if (!json_is_object(cred)) {
    rc = RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: the securitykey answer is not %s", label,
             root ? "a JSON object with a \"credential\" object" : "JSON");
    goto done;
  }
  ak = json_text(cred, "access"), sk = json_text(cred, "secret");
  st = json_text(cred, "securitytoken"), exp = json_text(cred, "expires_at");
  if (!ak || !sk || !st || !exp) {
    rc = RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: the securitykey answer lacks credential.%s", label,
             !ak ? "access" : !sk ? "secret" : !st ? "securitytoken" : "expires_at");
    goto done;
  }
  expires = parse_time(exp);
  if (expires < 0) {
    rc = RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: credential.expires_at is not a UTC time like "
             "2026-11-30T12:00:00.000000Z", label);
    goto done;
  }
  if (expires <= now) {
    rc = RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: the keys it handed out expired at %.40s", label, exp);
    goto done;
  }
  /* one block for the three secrets, so that one wipe covers them */
  aklen = strlen(ak), sklen = strlen(sk), stlen = strlen(st);
  if (rtc_buf_ensure(&m->secrets, aklen + sklen + stlen + 3) != 0) {
    rc = RTC_CRED_NOMEM;
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  rtc_buf_add_unsafe(&m->secrets, ak, aklen + 1);
  rtc_buf_add_unsafe(&m->secrets, sk, sklen + 1);
  rtc_buf_add_unsafe(&m->secrets, st, stlen + 1);
  m->ak = m->secrets.data;
  m->sk = m->ak + aklen + 1;
  m->security_token = m->sk + sklen + 1;
  m->expires_at = expires;
  snprintf(m->expires_text, sizeof m->expires_text, "%.40s", exp);
done:
  json_decref(root);
  rtc_buf_free_secret(&tok.body);
  rtc_buf_free_secret(&key.body);
  return rc;
}

int rtc_metadata_project(const char *url, double timeout, rtc_metadata *m, char *err,
                         size_t errlen) {
  answer meta = {RTC_BUF_INIT, 0};
  json_error_t jerr;
  int rc = metadata_call(url, "/openstack/latest/meta_data.json", "GET",
                         m->session.len ? m->session.data : NULL, timeout, &m->project_status,
                         &meta, err, errlen);
  if (rc == RTC_CRED_OK && m->project_status == 200) {
    json_t *root = json_loadb(meta.body.data ? meta.body.data : "", meta.body.len, 0, &jerr);
    const char *pid = root ? json_text(root, "project_id") : NULL;
    if (pid && !(m->project_id = strdup(pid))) {
      rc = RTC_CRED_NOMEM;
      snprintf(err, errlen, "out of memory");
    }
    json_decref(root);
  }
  rtc_buf_free(&meta.body);
  return rc;
}

void rtc_metadata_free(rtc_metadata *m) {
  rtc_buf_free_secret(&m->session);
  rtc_buf_free_secret(&m->secrets);
  free(m->project_id);
  memset(m, 0, sizeof *m);
}
