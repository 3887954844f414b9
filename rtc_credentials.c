/* rtc_credentials.c: the credentials chain (options, environment, profile file, ECS metadata)
 * and the region table. See rtc_credentials.h for the order and how the module calls it. */
#define _DEFAULT_SOURCE /* timegm, getpwuid_r */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "rtc_buf.h"
#include "rtc_credentials.h"
#include "rtc_text.h"

#define MAX_PROFILE_FILE (1 << 20)
#define MAX_METADATA_ANSWER 65536
#define RETRY_AFTER_FAILED_REFRESH 10.0
#define REFRESH_AHEAD 300.0

const char *rtc_cred_kind(int rc) {
  return rc == RTC_CRED_TRANSPORT ? "transport" : rc == RTC_CRED_NOMEM ? "memory" : "invalid";
}

/* ---------------------------------------------------------------- small helpers */

static void wipe_free(char **p) {
  if (*p) {
    OPENSSL_cleanse(*p, strlen(*p));
    free(*p);
    *p = NULL;
  }
}

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

static void debug_line(rtc_cred_debug_fn fn, void *ud, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void debug_line(rtc_cred_debug_fn fn, void *ud, const char *fmt, ...) {
  char line[768];
  va_list ap;
  if (fn == NULL) return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fn(ud, line);
}

static void add_tried(rtc_credentials *c, const char *what) {
  size_t n = strlen(c->tried);
  snprintf(c->tried + n, sizeof c->tried - n, "%s%s", n ? ", " : "", what);
}

/* A value a header will carry: non-empty, bounded, no control bytes (CR/LF would add headers). */
static int check_value(const char *source, const char *key, const char *v, char *err,
                       size_t errlen) {
  size_t len = strlen(v);
  if (len > RTC_CRED_MAX_VALUE || rtc_text_has(v, len, RTC_C_CONTROL)) {
    snprintf(err, errlen, "%s: %s: expected at most %d bytes without control characters", source,
             key, RTC_CRED_MAX_VALUE);
    return RTC_CRED_INVALID;
  }
  return RTC_CRED_OK;
}

/* One source's key material, before it is taken. */
typedef struct found {
  const char *ak, *sk, *security_token, *token, *project_id;
  const char *name_ak, *name_sk, *name_security_token, *name_token; /* how the source calls them */
} found;

static int has_keys(const found *f) { return f->ak || f->sk || f->security_token || f->token; }

/* Checks a source's key material as a whole and copies it into c. */
static int take(rtc_credentials *c, const found *f, const char *source, char *err,
                size_t errlen) {
  int rc;
  if (f->token && (f->ak || f->sk)) {
    snprintf(err, errlen, "%s: both %s and %s are set: use one kind of credentials, a token or "
             "an AK/SK pair", source, f->name_token, f->ak ? f->name_ak : f->name_sk);
    return RTC_CRED_INVALID;
  }
  if (f->ak && !f->sk) {
    snprintf(err, errlen, "%s: %s is set without %s: set %s too", source, f->name_ak, f->name_sk,
             f->name_sk);
    return RTC_CRED_INVALID;
  }
  if (f->sk && !f->ak) {
    snprintf(err, errlen, "%s: %s is set without %s: set %s too", source, f->name_sk, f->name_ak,
             f->name_ak);
    return RTC_CRED_INVALID;
  }
  if (f->security_token && !f->ak) {
    snprintf(err, errlen, "%s: %s goes with temporary keys: set %s and %s too", source,
             f->name_security_token, f->name_ak, f->name_sk);
    return RTC_CRED_INVALID;
  }
  if ((f->ak && (rc = check_value(source, f->name_ak, f->ak, err, errlen))) ||
      (f->sk && (rc = check_value(source, f->name_sk, f->sk, err, errlen))) ||
      (f->security_token &&
       (rc = check_value(source, f->name_security_token, f->security_token, err, errlen))) ||
      (f->token && (rc = check_value(source, f->name_token, f->token, err, errlen))))
    return rc;
  c->kind = f->token ? RTC_AUTH_TOKEN : RTC_AUTH_AKSK;
  if ((f->token && !(c->token = strdup(f->token))) || (f->ak && !(c->ak = strdup(f->ak))) ||
      (f->sk && !(c->sk = strdup(f->sk))) ||
      (f->security_token && !(c->security_token = strdup(f->security_token)))) {
    snprintf(err, errlen, "out of memory");
    return RTC_CRED_NOMEM;
  }
  snprintf(c->source, sizeof c->source, "%s", source);
  return RTC_CRED_OK;
}

static int take_project(rtc_credentials *c, const char *project_id, const char *source,
                        char *err, size_t errlen) {
  int rc = check_value(source, "project_id", project_id, err, errlen);
  if (rc) return rc;
  if (!(c->project_id = strdup(project_id))) {
    snprintf(err, errlen, "out of memory");
    return RTC_CRED_NOMEM;
  }
  snprintf(c->project_source, sizeof c->project_source, "%s", source);
  return RTC_CRED_OK;
}

/* ---------------------------------------------------------------- the profile file (INI) */

typedef struct profile {
  char path[4096];
  char label[RTC_CRED_SOURCE_LEN]; /* "profile /root/.huaweicloud/credentials [basic]" */
  rtc_buf text;                    /* the file, split in place: values point into it */
  int present, has_section;
  found keys;
} profile;

static char *trim(char *s, char *end) {
  while (s < end && rtc_is(*s, RTC_C_BLANK)) s++;
  while (end > s && rtc_is(end[-1], RTC_C_SPACE)) end--;
  *end = '\0';
  return s;
}

/* A tiny strict INI reader, enough for the SDKs' credentials file: "[section]", "key = value",
 * blank lines and "#" or ";" comments. Anything else is an error naming the file and the line
 * (never its text: it may hold a key). */
static int parse_profile(profile *p, const char *section, char *err, size_t errlen) {
  char *s = p->text.data, *end = s + p->text.len;
  int line = 0, in_section = 0;
  while (s < end) {
    char *eol = memchr(s, '\n', (size_t)(end - s)), *l, *eq;
    if (eol == NULL) eol = end;
    line++;
    l = trim(s, eol);
    s = eol + (eol < end);
    if (line == 1 && (unsigned char)l[0] == 0xEF && (unsigned char)l[1] == 0xBB &&
        (unsigned char)l[2] == 0xBF)
      l += 3; /* a BOM */
    if (*l == '\0' || *l == '#' || *l == ';') continue;
    if (rtc_text_has(l, strlen(l), RTC_C_CONTROL)) goto malformed;
    if (*l == '[') {
      size_t n = strlen(l);
      if (n < 3 || l[n - 1] != ']') goto malformed;
      l[n - 1] = '\0';
      l = trim(l + 1, l + n - 1);
      if (*l == '\0') goto malformed;
      in_section = strcmp(l, section) == 0;
      if (in_section) {
        if (p->has_section) {
          snprintf(err, errlen, "%s, line %d: section [%s] appears twice", p->path, line,
                   section);
          return RTC_CRED_INVALID;
        }
        p->has_section = 1;
      }
      continue;
    }
    eq = strchr(l, '=');
    if (eq == NULL || eq == l) goto malformed;
    {
      char *key = trim(l, eq), *value = trim(eq + 1, eq + 1 + strlen(eq + 1));
      const char **slot = NULL;
      size_t vlen = strlen(value);
      if (*key == '\0') goto malformed;
      if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
        value[vlen - 1] = '\0'; /* a quoted value, as the SDKs' INI readers take it */
        value++;
      }
      if (!in_section) continue;
      if (strcmp(key, "ak") == 0) slot = &p->keys.ak;
      else if (strcmp(key, "sk") == 0) slot = &p->keys.sk;
      else if (strcmp(key, "project_id") == 0) slot = &p->keys.project_id;
      else if (strcmp(key, "security_token") == 0) slot = &p->keys.security_token;
      if (slot == NULL) continue; /* domain_id, iam_endpoint, ...: not ours */
      if (*slot) {
        snprintf(err, errlen, "%s, line %d: %s appears twice in [%s]", p->path, line, key,
                 section);
        return RTC_CRED_INVALID;
      }
      if (*value) *slot = value;
    }
    continue;
  malformed:
    snprintf(err, errlen, "%s, line %d: expected [section], key = value, or a # comment",
             p->path, line);
    return RTC_CRED_INVALID;
  }
  return RTC_CRED_OK;
}

static int profile_path(const rtc_cred_request *in, char *out, size_t outlen, int *explicit_path) {
  const char *p = in->credentials_file ? in->credentials_file
                                       : env("HUAWEICLOUD_SDK_CREDENTIALS_FILE");
  const char *home;
  *explicit_path = p != NULL;
  if (p) return snprintf(out, outlen, "%s", p) < (int)outlen ? 0 : -1;
  home = env("HOME");
  if (home == NULL) {
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res) home = res->pw_dir;
  }
  if (home == NULL) return -1;
  return snprintf(out, outlen, "%s/.huaweicloud/credentials", home) < (int)outlen ? 0 : -1;
}

/* Reads the profile: 0 with p->present 0 when the default file does not exist. */
static int read_profile(const rtc_cred_request *in, profile *p, const char *section,
                        rtc_cred_debug_fn dbg, void *ud, char *err, size_t errlen) {
  int explicit_path, rc;
  struct stat st;
  FILE *f;
  size_t n;
  if (profile_path(in, p->path, sizeof p->path, &explicit_path) != 0) {
    snprintf(p->path, sizeof p->path, "~/.huaweicloud/credentials");
    return RTC_CRED_OK; /* no home directory: nothing to read */
  }
  snprintf(p->label, sizeof p->label, "profile %.300s [%.128s]", p->path, section);
  f = fopen(p->path, "rb");
  if (f == NULL) {
    if (errno == ENOENT && !explicit_path) return RTC_CRED_OK;
    snprintf(err, errlen, "profile %s: cannot read it: %s%s", p->path, strerror(errno),
             in->credentials_file ? " (option credentials_file)"
             : explicit_path      ? " (env HUAWEICLOUD_SDK_CREDENTIALS_FILE)"
                                  : "");
    return RTC_CRED_INVALID;
  }
  p->present = 1;
  if (fstat(fileno(f), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      fclose(f);
      snprintf(err, errlen, "profile %s: not a regular file", p->path);
      return RTC_CRED_INVALID;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO))
      debug_line(dbg, ud, "rtc: profile %s is accessible by group or others (mode %03o): "
                 "chmod 600 it", p->path, (unsigned)(st.st_mode & 0777));
  }
  if (rtc_buf_ensure(&p->text, 4096) != 0) {
    fclose(f);
    snprintf(err, errlen, "out of memory");
    return RTC_CRED_NOMEM;
  }
  for (;;) {
    n = fread(p->text.data + p->text.len, 1, p->text.cap - p->text.len - 1, f);
    p->text.len += n;
    if (n == 0) break;
    if (p->text.len > MAX_PROFILE_FILE) {
      fclose(f);
      snprintf(err, errlen, "profile %s: larger than %d bytes", p->path, MAX_PROFILE_FILE);
      return RTC_CRED_INVALID;
    }
    if (p->text.cap - p->text.len < 2 && rtc_buf_ensure(&p->text, p->text.cap) != 0) {
      fclose(f);
      snprintf(err, errlen, "out of memory");
      return RTC_CRED_NOMEM;
    }
  }
  rc = ferror(f);
  fclose(f);
  if (rc) {
    snprintf(err, errlen, "profile %s: read error", p->path);
    return RTC_CRED_INVALID;
  }
  rtc_buf_terminate(&p->text);
  if (memchr(p->text.data, '\0', p->text.len)) {
    snprintf(err, errlen, "profile %s: not a text file (it holds a NUL byte)", p->path);
    return RTC_CRED_INVALID;
  }
  return parse_profile(p, section, err, errlen);
}

/* ---------------------------------------------------------------- the ECS metadata service */

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

/* "2026-11-30T12:00:00.000000Z" -> unix seconds, or -1. */
static double parse_time(const char *s) {
  struct tm tm;
  int y, mo, d, h, mi, sec, n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
    return -1;
  s += n;
  if (*s == '.') do s++; while (isdigit((unsigned char)*s));
  if (strcmp(s, "Z") != 0 && strcmp(s, "") != 0 && strcmp(s, "+00:00") != 0) return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
  memset(&tm, 0, sizeof tm);
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  return (double)timegm(&tm);
}

static const char *json_text(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  return s && s[0] ? s : NULL;
}

/* Fetches the keys (and, when want_project, the project id). On success the new values replace
 * c's key material (wiped first) and c's refresh times are set from expires_at and now. */
static int metadata_fetch(rtc_credentials *c, double now, int want_project, char *err,
                          size_t errlen) {
  answer tok = {RTC_BUF_INIT, 0}, key = {RTC_BUF_INIT, 0};
  long status = 0;
  char *session = NULL;
  json_t *root = NULL, *cred;
  json_error_t jerr;
  const char *ak, *sk, *st, *exp;
  double expires;
  int rc;
  char label[RTC_CRED_SOURCE_LEN];
  snprintf(label, sizeof label, "metadata %.300s", c->metadata_url);
  rc = metadata_call(c->metadata_url, "/meta-data/latest/api/token", "PUT", NULL, c->timeout,
                     &status, &tok, err, errlen);
  if (rc) goto done;
  if (status == 200 && tok.body.len > 0 && tok.body.len < 4096 &&
      !rtc_text_has(tok.body.data, tok.body.len, RTC_C_CONTROL | RTC_C_SPACE)) {
    session = rtc_buf_take(&tok.body);
  } else if (status != 404 && status != 405 && status != 503 && status != 200) {
    rc = status >= 500 ? RTC_CRED_TRANSPORT : RTC_CRED_INVALID;
    snprintf(err, errlen, "%s: PUT /meta-data/latest/api/token answered %ld", label, status);
    goto done;
  } /* 404/405/503 (or an unusable token): go on without a session token */
  rc = metadata_call(c->metadata_url, "/openstack/latest/securitykey", "GET", session,
                     c->timeout, &status, &key, err, errlen);
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
  {
    found f = {ak, sk, st, NULL, NULL, "credential.access", "credential.secret",
               "credential.securitytoken", "token"};
    char *old_ak = c->ak, *old_sk = c->sk, *old_st = c->security_token;
    c->ak = c->sk = c->security_token = NULL;
    rc = take(c, &f, label, err, errlen);
    if (rc) {
      wipe_free(&c->ak), wipe_free(&c->sk), wipe_free(&c->security_token);
      c->ak = old_ak, c->sk = old_sk, c->security_token = old_st;
      goto done;
    }
    wipe_free(&old_ak), wipe_free(&old_sk), wipe_free(&old_st);
  }
  c->expires_at = expires;
  {
    double ahead = (expires - now) / 2;
    c->refresh_at = expires - (ahead < REFRESH_AHEAD ? ahead : REFRESH_AHEAD);
  }
  c->retry_at = 0;
  c->generation++;
  debug_line(c->debug, c->debug_ud, "rtc: %s: temporary keys until %.40s", label, exp);
  if (want_project) {
    answer meta = {RTC_BUF_INIT, 0};
    json_t *m;
    const char *pid;
    rc = metadata_call(c->metadata_url, "/openstack/latest/meta_data.json", "GET", session,
                       c->timeout, &status, &meta, err, errlen);
    if (rc == RTC_CRED_OK && status == 200) {
      m = json_loadb(meta.body.data ? meta.body.data : "", meta.body.len, 0, &jerr);
      pid = m ? json_text(m, "project_id") : NULL;
      if (pid) {
        char src[RTC_CRED_SOURCE_LEN];
        snprintf(src, sizeof src, "%.290s (meta_data.json)", label);
        rc = take_project(c, pid, src, err, errlen);
      }
      json_decref(m);
    } else if (rc == RTC_CRED_OK) {
      debug_line(c->debug, c->debug_ud, "rtc: %s: GET /openstack/latest/meta_data.json answered "
                 "%ld: no project_id from there", label, status);
    }
    rtc_buf_free(&meta.body);
  }
done:
  json_decref(root);
  wipe_free(&session);
  rtc_buf_free_secret(&tok.body);
  rtc_buf_free_secret(&key.body);
  return rc;
}

/* ---------------------------------------------------------------- the chain */

void rtc_credentials_free(rtc_credentials *c) {
  wipe_free(&c->ak), wipe_free(&c->sk), wipe_free(&c->security_token), wipe_free(&c->token);
  free(c->project_id), free(c->metadata_url);
  memset(c, 0, sizeof *c);
}

static int metadata_enabled(const rtc_cred_request *in, int *bad) {
  const char *v;
  *bad = 0;
  if (in->metadata >= 0) return in->metadata != 0;
  v = env("RTC_METADATA");
  if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0) return 0;
  if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) return 1;
  *bad = 1;
  return 0;
}

int rtc_credentials_resolve(const rtc_cred_request *in, rtc_credentials *c, char *err,
                            size_t errlen) {
  profile *p = NULL;
  const char *section = in->profile ? in->profile : env("RTC_PROFILE");
  int rc = RTC_CRED_OK, use_metadata, bad_switch;
  found opt = {in->ak, in->sk, in->security_token, in->token, in->project_id, "ak", "sk",
               "security_token", "token"};
  found envf = {env("HUAWEICLOUD_SDK_AK"), env("HUAWEICLOUD_SDK_SK"),
                env("HUAWEICLOUD_SDK_SECURITY_TOKEN"), env("RTC_AUTH_TOKEN"),
                env("HUAWEICLOUD_SDK_PROJECT_ID"), "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                "HUAWEICLOUD_SDK_SECURITY_TOKEN", "RTC_AUTH_TOKEN"};
  memset(c, 0, sizeof *c);
  c->debug = in->debug, c->debug_ud = in->debug_ud;
  c->timeout = in->timeout > 0 ? in->timeout : RTC_METADATA_TIMEOUT;
  if (err && errlen) err[0] = '\0';
  if (section == NULL) section = "basic";
  if (section[0] == '\0' || strlen(section) > 128 ||
      rtc_text_has(section, strlen(section), RTC_C_CONTROL) || strpbrk(section, "[]")) {
    snprintf(err, errlen, "%s: expected a section name of at most 128 bytes without brackets "
             "or control characters", in->profile ? "option profile" : "env RTC_PROFILE");
    return RTC_CRED_INVALID;
  }
  use_metadata = metadata_enabled(in, &bad_switch);
  if (bad_switch) {
    snprintf(err, errlen, "env RTC_METADATA: expected 1, true, 0 or false");
    return RTC_CRED_INVALID;
  }

  /* 1. options, 2. environment */
  add_tried(c, "options");
  if (has_keys(&opt)) {
    rc = take(c, &opt, "options", err, errlen);
    if (rc == RTC_CRED_OK) snprintf(c->source, sizeof c->source, "option");
    goto project;
  }
  add_tried(c, "env HUAWEICLOUD_SDK_AK/SK, RTC_AUTH_TOKEN");
  if (has_keys(&envf)) {
    char src[RTC_CRED_SOURCE_LEN];
    snprintf(src, sizeof src, "env %s", envf.token ? "RTC_AUTH_TOKEN" : envf.ak
             ? "HUAWEICLOUD_SDK_AK" : envf.sk ? "HUAWEICLOUD_SDK_SK"
             : "HUAWEICLOUD_SDK_SECURITY_TOKEN");
    rc = take(c, &envf, "environment", err, errlen);
    if (rc == RTC_CRED_OK) snprintf(c->source, sizeof c->source, "%s", src);
    goto project;
  }

project:
  /* 3. the profile file: read whenever keys or project_id are still wanted */
  if (rc) goto fail;
  if (c->kind == RTC_AUTH_NONE || (c->kind == RTC_AUTH_AKSK && !opt.project_id &&
                                   !envf.project_id)) {
    p = calloc(1, sizeof *p);
    if (p == NULL) {
      snprintf(err, errlen, "out of memory");
      rc = RTC_CRED_NOMEM;
      goto fail;
    }
    rc = read_profile(in, p, section, c->debug, c->debug_ud, err, errlen);
    if (rc) goto fail;
    if (in->profile && strcmp(section, "basic") != 0 && !p->has_section) {
      snprintf(err, errlen, "profile %s: no section [%s] (option profile)", p->path, section);
      rc = RTC_CRED_INVALID;
      goto fail;
    }
    add_tried(c, p->label[0] ? p->label : "profile ~/.huaweicloud/credentials");
    if (!p->present) {
      size_t n = strlen(c->tried);
      snprintf(c->tried + n, sizeof c->tried - n, " (absent)");
    }
    if (c->kind == RTC_AUTH_NONE && has_keys(&p->keys)) {
      p->keys.name_ak = "ak", p->keys.name_sk = "sk", p->keys.name_token = "token";
      p->keys.name_security_token = "security_token";
      rc = take(c, &p->keys, p->label, err, errlen);
      if (rc) goto fail;
    }
  }

  /* 4. the metadata service, when asked for */
  if (c->kind == RTC_AUTH_NONE) {
    if (!use_metadata) {
      add_tried(c, "metadata (off: set metadata = true or RTC_METADATA=1)");
    } else {
      const char *url = in->metadata_url ? in->metadata_url : env("RTC_METADATA_URL");
      if (url == NULL) url = RTC_METADATA_DEFAULT_URL;
      if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, errlen, "%s: expected an http:// or https:// URL",
                 in->metadata_url ? "option metadata_url" : "env RTC_METADATA_URL");
        rc = RTC_CRED_INVALID;
        goto fail;
      }
      if (check_value(in->metadata_url ? "option" : "env", "metadata_url", url, err, errlen)) {
        rc = RTC_CRED_INVALID;
        goto fail;
      }
      if (!(c->metadata_url = strdup(url))) {
        snprintf(err, errlen, "out of memory");
        rc = RTC_CRED_NOMEM;
        goto fail;
      }
      {
        char label[RTC_CRED_SOURCE_LEN];
        snprintf(label, sizeof label, "metadata %.300s", url);
        add_tried(c, label);
      }
      rc = metadata_fetch(c, (double)time(NULL), !opt.project_id && !envf.project_id &&
                          !(p && p->keys.project_id), err, errlen);
      if (rc) goto fail;
    }
  }

  /* project_id: option, env, profile section, metadata (already taken when found there) */
  if (c->project_id == NULL) {
    if (opt.project_id) rc = take_project(c, opt.project_id, "option", err, errlen);
    else if (envf.project_id)
      rc = take_project(c, envf.project_id, "env HUAWEICLOUD_SDK_PROJECT_ID", err, errlen);
    else if (p && p->keys.project_id)
      rc = take_project(c, p->keys.project_id, p->label, err, errlen);
    if (rc) goto fail;
  }
  if (c->kind == RTC_AUTH_AKSK && c->project_id == NULL) {
    snprintf(err, errlen, "project_id is required with AK/SK (keys from %s): set the "
             "project_id option, env HUAWEICLOUD_SDK_PROJECT_ID, or project_id in the profile "
             "(tried: %s)", c->source, c->tried);
    rc = RTC_CRED_INVALID;
    goto fail;
  }
  if (c->kind != RTC_AUTH_NONE)
    debug_line(c->debug, c->debug_ud, "rtc: credentials (%s) from %s%s%s",
               c->kind == RTC_AUTH_TOKEN ? "token" : "AK/SK", c->source,
               c->project_id ? ", project_id from " : "", c->project_id ? c->project_source : "");
  if (p) rtc_buf_free_secret(&p->text);
  free(p);
  return RTC_CRED_OK;
fail:
  if (p) rtc_buf_free_secret(&p->text);
  free(p);
  rtc_credentials_free(c);
  return rc;
}

int rtc_credentials_refresh(rtc_credentials *c, double now, char *err, size_t errlen) {
  int rc;
  if (c->metadata_url == NULL || now < c->refresh_at) return RTC_CRED_OK;
  if (now < c->retry_at && now < c->expires_at) return RTC_CRED_OK;
  rc = metadata_fetch(c, now, 0, err, errlen);
  if (rc == RTC_CRED_OK) return RTC_CRED_OK;
  if (now < c->expires_at) { /* the old keys still work: keep them, try again a little later */
    debug_line(c->debug, c->debug_ud, "rtc: refreshing the metadata keys failed (%s); the "
               "current ones stay in use until they expire", err);
    c->retry_at = now + RETRY_AFTER_FAILED_REFRESH;
    if (err && errlen) err[0] = '\0';
    return RTC_CRED_OK;
  }
  return rc;
}

/* ---------------------------------------------------------------- regions */

/* The official SDKs' table (huaweicloud-sdk-go-v3 services/cloudrtc/v2/region). */
static const struct {
  const char *id, *endpoint;
} regions[] = {
    {"cn-north-4", "https://rtc-api.myhuaweicloud.com"},
};
#define NREGIONS (sizeof regions / sizeof regions[0])

const char *rtc_region_list(void) { return "cn-north-4"; }

const char *rtc_region_endpoint(const char *region, char *err, size_t errlen) {
  char name[160];
  size_t i, n = strlen(region);
  const char *v;
  if (n == 0 || n > 64 || rtc_text_has(region, n, RTC_C_CONTROL | RTC_C_SPACE)) {
    snprintf(err, errlen, "region: expected a region name such as \"cn-north-4\" (known: %s)",
             rtc_region_list());
    return NULL;
  }
  n = (size_t)snprintf(name, sizeof name, "HUAWEICLOUD_SDK_REGION_CLOUDRTC_");
  for (i = 0; region[i] && n + 1 < sizeof name; i++)
    name[n++] = region[i] == '-' ? '_' : (char)toupper((unsigned char)region[i]);
  name[n] = '\0';
  if ((v = env(name)) != NULL) {
    if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
      snprintf(err, errlen, "env %s: expected an http:// or https:// URL", name);
      return NULL;
    }
    return v;
  }
  for (i = 0; i < NREGIONS; i++)
    if (strcmp(regions[i].id, region) == 0) return regions[i].endpoint;
  snprintf(err, errlen, "region \"%.64s\" is not known: the known regions are %s (or set "
           "endpoint, or %.64s)", region, rtc_region_list(), name);
  return NULL;
}

int rtc_endpoint_choose(int endpoint_given, const char *region, const char **url, char *source,
                        size_t sourcelen, char *err, size_t errlen) {
  const char *v;
  *url = NULL;
  if (endpoint_given) {
    snprintf(source, sourcelen, "option endpoint");
    return RTC_CRED_OK;
  }
  if (region) {
    if ((*url = rtc_region_endpoint(region, err, errlen)) == NULL) return RTC_CRED_INVALID;
    snprintf(source, sourcelen, "option region %.64s", region);
    return RTC_CRED_OK;
  }
  if ((v = env("RTC_ENDPOINT")) != NULL) {
    *url = v;
    snprintf(source, sourcelen, "env RTC_ENDPOINT");
    return RTC_CRED_OK;
  }
  if ((v = env("RTC_REGION")) != NULL) {
    char why[512];
    if ((*url = rtc_region_endpoint(v, why, sizeof why)) == NULL) {
      snprintf(err, errlen, "env RTC_REGION: %s", why);
      return RTC_CRED_INVALID;
    }
    snprintf(source, sourcelen, "env RTC_REGION %.64s", v);
    return RTC_CRED_OK;
  }
  *url = RTC_DEFAULT_ENDPOINT;
  snprintf(source, sourcelen, "default");
  return RTC_CRED_OK;
}
