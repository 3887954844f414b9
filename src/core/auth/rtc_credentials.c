/* rtc_credentials.c: the credentials chain (options, environment, profile file, ECS metadata):
 * each source's key material checked and taken as a whole, the metadata keys' refresh times,
 * and the region table. See rtc_credentials.h for the order and how the module calls it. Calls
 * rtc_profile (the file), rtc_metadata (the service), rtc_text. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "rtc_credentials.h"
#include "rtc_metadata.h"
#include "rtc_profile.h"
#include "rtc_text.h"

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

/* ---------------------------------------------------------------- the metadata service's keys */

/* Fetches the keys (and, when want_project, the project id) through rtc_metadata.c. On success
 * the new values replace c's key material (wiped first) and c's refresh times are set from
 * expires_at and now. */
static int metadata_fetch(rtc_credentials *c, double now, int want_project, char *err,
                          size_t errlen) {
  rtc_metadata m;
  char label[RTC_CRED_SOURCE_LEN];
  int rc;
  memset(&m, 0, sizeof m);
  snprintf(label, sizeof label, "metadata %.300s", c->metadata_url);
  rc = rtc_metadata_keys(c->metadata_url, c->timeout, now, label, &m, err, errlen);
  if (rc) goto done;
  /* keys the signer would refuse (its rule for an AK) are refused here, before they replace
   * keys that work: a refresh then keeps the old ones (rtc_credentials_refresh says so) */
  if (m.ak && (strpbrk(m.ak, " \t,") != NULL || rtc_text_has(m.ak, strlen(m.ak), RTC_C_CONTROL))) {
    snprintf(err, errlen, "%s: credential.access: contains a blank, ',' or a control character "
             "(the signer refuses such a key)", label);
    rc = RTC_CRED_INVALID;
    goto done;
  }
  {
    found f = {m.ak, m.sk, m.security_token, NULL, NULL, "credential.access", "credential.secret",
               "credential.securitytoken", "token"};
    char *old_ak = c->ak, *old_sk = c->sk, *old_st = c->security_token;
    c->ak = c->sk = c->security_token = NULL;
    rc = take(c, &f, label, err, errlen);
    if (rc) { /* refused: the old keys stay */
      wipe_free(&c->ak), wipe_free(&c->sk), wipe_free(&c->security_token);
      c->ak = old_ak, c->sk = old_sk, c->security_token = old_st;
      goto done;
    }
    wipe_free(&old_ak), wipe_free(&old_sk), wipe_free(&old_st);
  }
  c->expires_at = m.expires_at;
  {
    double ahead = (m.expires_at - now) / 2;
    c->refresh_at = m.expires_at - (ahead < REFRESH_AHEAD ? ahead : REFRESH_AHEAD);
  }
  c->retry_at = 0;
  c->generation++;
  debug_line(c->debug, c->debug_ud, "rtc: %s: temporary keys until %s", label, m.expires_text);
  if (want_project) {
    rc = rtc_metadata_project(c->metadata_url, c->timeout, &m, err, errlen);
    if (rc == RTC_CRED_OK && m.project_status == 200) {
      if (m.project_id) {
        char src[RTC_CRED_SOURCE_LEN];
        snprintf(src, sizeof src, "%.290s (meta_data.json)", label);
        rc = take_project(c, m.project_id, src, err, errlen);
      }
    } else if (rc == RTC_CRED_OK) {
      debug_line(c->debug, c->debug_ud, "rtc: %s: GET /openstack/latest/meta_data.json answered "
                 "%ld: no project_id from there", label, m.project_status);
    }
  }
done:
  rtc_metadata_free(&m);
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
  v = rtc_env("RTC_METADATA");
  if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "false") == 0) return 0;
  if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0) return 1;
  *bad = 1;
  return 0;
}

int rtc_credentials_resolve(const rtc_cred_request *in, rtc_credentials *c, char *err,
                            size_t errlen) {
  rtc_profile *p = NULL;
  const char *section = in->profile ? in->profile : rtc_env("RTC_PROFILE");
  int rc = RTC_CRED_OK, use_metadata, bad_switch;
  found opt = {in->ak, in->sk, in->security_token, in->token, in->project_id, "ak", "sk",
               "security_token", "token"};
  found envf = {rtc_env("HUAWEICLOUD_SDK_AK"), rtc_env("HUAWEICLOUD_SDK_SK"),
                rtc_env("HUAWEICLOUD_SDK_SECURITY_TOKEN"), rtc_env("RTC_AUTH_TOKEN"),
                rtc_env("HUAWEICLOUD_SDK_PROJECT_ID"), "HUAWEICLOUD_SDK_AK",
                "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "RTC_AUTH_TOKEN"};
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
    rc = rtc_profile_read(p, in->credentials_file, section, err, errlen);
    if (p->open_to_others) /* said even when the file is then refused */
      debug_line(c->debug, c->debug_ud, "rtc: profile %s is accessible by group or others "
                 "(mode %03o): chmod 600 it", p->path, p->mode);
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
    if (c->kind == RTC_AUTH_NONE) {
      found pf = {p->ak, p->sk, p->security_token, NULL, p->project_id, "ak", "sk",
                  "security_token", "token"};
      if (has_keys(&pf) && (rc = take(c, &pf, p->label, err, errlen)) != RTC_CRED_OK) goto fail;
    }
  }

  /* 4. the metadata service, when asked for */
  if (c->kind == RTC_AUTH_NONE) {
    if (!use_metadata) {
      add_tried(c, "metadata (off: set metadata = true or RTC_METADATA=1)");
    } else {
      const char *url = in->metadata_url ? in->metadata_url : rtc_env("RTC_METADATA_URL");
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
                          !(p && p->project_id), err, errlen);
      if (rc) goto fail;
    }
  }

  /* project_id: option, env, profile section, metadata (already taken when found there) */
  if (c->project_id == NULL) {
    if (opt.project_id) rc = take_project(c, opt.project_id, "option", err, errlen);
    else if (envf.project_id)
      rc = take_project(c, envf.project_id, "env HUAWEICLOUD_SDK_PROJECT_ID", err, errlen);
    else if (p && p->project_id)
      rc = take_project(c, p->project_id, p->label, err, errlen);
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
  if (p) rtc_profile_free(p);
  free(p);
  return RTC_CRED_OK;
fail:
  if (p) rtc_profile_free(p);
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
  if ((v = rtc_env(name)) != NULL) {
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
  if ((v = rtc_env("RTC_ENDPOINT")) != NULL) {
    *url = v;
    snprintf(source, sourcelen, "env RTC_ENDPOINT");
    return RTC_CRED_OK;
  }
  if ((v = rtc_env("RTC_REGION")) != NULL) {
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
