/* rtc_options.c: the client options (the RTC_OPTIONS X-macro rows in rtc.h), read from the
 * options table or the environment, checked, and stored in typed rtc_config fields. Calls
 * rtc_error (to raise invalid), rtc_text, rtc_sign (the prepared key). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include <curl/curl.h>

#include "rtc.h"
#include "rtc_sign.h"

#define RTC_MAX_OPTION_TEXT 65536 /* IAM tokens run to several KiB */

typedef struct rtc_option {
  const char *name;
  rtc_option_kind kind;
  size_t offset;
  double def, min, max;
  const char *env;
} rtc_option;

#define RTC_OPTION_ROW(name, kind, field, def, min, max, env) \
  {#name, kind, offsetof(rtc_config, field), def, min, max, env},
static const rtc_option rtc_options[] = {RTC_OPTIONS(RTC_OPTION_ROW)};
#define NOPTIONS (sizeof rtc_options / sizeof rtc_options[0])

static int has_control(const char *s, size_t len) { return rtc_text_has(s, len, RTC_C_CONTROL); }

static void free_secret(char **p) {
  if (*p) {
    OPENSSL_cleanse(*p, strlen(*p));
    free(*p);
    *p = NULL;
  }
}

void rtc_free_config(lua_State *L, rtc_client *c) {
  int i;
  for (i = 0; i < c->cfg.nendpoints; i++) {
    rtc_endpoint *ep = &c->cfg.endpoints[i];
    free(ep->url), free(ep->base), free(ep->host), free(ep->prefix);
    ep->url = ep->base = ep->host = ep->prefix = NULL;
  }
  c->cfg.nendpoints = 0;
  free_secret(&c->cfg.sk);
  rtc_sign_key_free(c->cfg.sign_key);
  c->cfg.sign_key = NULL;
  free_secret(&c->cfg.token);
  free_secret(&c->cfg.security_token);
  free(c->cfg.ak), free(c->cfg.project_id), free(c->cfg.user_agent);
  free(c->cfg.ca_file), free(c->cfg.ca_path), free(c->cfg.proxy);
  free(c->cfg.env_http_proxy), free(c->cfg.env_https_proxy), free(c->cfg.env_no_proxy);
  c->cfg.env_http_proxy = c->cfg.env_https_proxy = c->cfg.env_no_proxy = NULL;
  c->cfg.ak = c->cfg.project_id = c->cfg.user_agent = c->cfg.ca_file = c->cfg.ca_path =
      c->cfg.proxy = NULL;
  if (c->debug_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, c->debug_ref);
  c->debug_ref = LUA_NOREF;
  c->cfg.debug = 0;
}

char *rtc_dup_string(lua_State *L, const char *s, size_t len) {
  char *p = malloc(len + 1);
  if (p == NULL) {
    luaL_error(L, "rtc: out of memory");
    return NULL;
  }
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

/* Splits "scheme://host[:port][/prefix]" into what a request needs. */
/* A part of a parsed URL, or NULL when it has none. */
static char *url_part(CURLU *u, CURLUPart part) {
  char *v = NULL;
  if (curl_url_get(u, part, &v, 0) != CURLUE_OK) return NULL;
  return v;
}

/* Splits "scheme://host[:port][/prefix]" into what a request needs, with libcurl's URL parser
 * (curl_url): the same parser that later reads the request's URL. */
static void add_endpoint(lua_State *L, rtc_client *c, const char *url, size_t len,
                         const char *where) {
  int i = c->cfg.nendpoints, bad;
  size_t end = len, plen;
  char msg[512], hostport[600];
  char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *extra = NULL;
  CURLU *u = curl_url();
  if (u == NULL) luaL_error(L, "rtc: out of memory");
  bad = len > 2048 || has_control(url, len) || memchr(url, ' ', len) != NULL ||
        curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK;
  if (!bad) {
    scheme = url_part(u, CURLUPART_SCHEME);
    bad = scheme == NULL || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
          strncasecmp(url, scheme, strlen(scheme)) != 0; /* written, not guessed by libcurl */
    if (!bad && ((extra = url_part(u, CURLUPART_QUERY)) != NULL ||
                 (extra = url_part(u, CURLUPART_FRAGMENT)) != NULL ||
                 (extra = url_part(u, CURLUPART_USER)) != NULL || memchr(url, '@', len) != NULL))
      bad = 1;
  }
  if (!bad) {
    host = url_part(u, CURLUPART_HOST);
    port = url_part(u, CURLUPART_PORT); /* only when written */
    path = url_part(u, CURLUPART_PATH);
  }
  curl_url_cleanup(u);
  curl_free(extra);
  curl_free(scheme);
  /* libcurl reads "http:///path" as host "path": as written, it has none */
  if (!bad && len > 3 && strstr(url, ":///") != NULL && strstr(url, ":///") == strstr(url, "://")) {
    curl_free(host);
    host = NULL;
  }
  if (bad || host == NULL || host[0] == '\0') {
    curl_free(host), curl_free(port), curl_free(path);
    if (bad)
      snprintf(msg, sizeof msg,
               "rtc.new: %s: expected an http:// or https:// URL without spaces, query, fragment "
               "or user info, such as \"" RTC_DEFAULT_ENDPOINT "\"", where);
    else
      snprintf(msg, sizeof msg, "rtc.new: %s: the URL has no host", where);
    rtc_raise_invalid(L, msg);
    return; /* not reached: rtc_raise_invalid raises */
  }
  snprintf(hostport, sizeof hostport, "%s%s%s", host, port ? ":" : "", port ? port : "");
  plen = path ? strlen(path) : 0;
  while (plen > 0 && path[plen - 1] == '/') plen--;
  while (end > 0 && url[end - 1] == '/') end--;
  c->cfg.nendpoints++;
  c->cfg.endpoints[i].url = rtc_dup_string(L, url, len);
  c->cfg.endpoints[i].base = rtc_dup_string(L, url, end);
  c->cfg.endpoints[i].host = rtc_dup_string(L, hostport, strlen(hostport));
  c->cfg.endpoints[i].prefix = rtc_dup_string(L, path ? path : "", plen);
  curl_free(host), curl_free(port), curl_free(path);
}

static void load_endpoints(lua_State *L, rtc_client *c, int idx) {
  char where[64];
  size_t len, i, n;
  if (lua_type(L, idx) == LUA_TSTRING) {
    const char *s = lua_tolstring(L, idx, &len);
    add_endpoint(L, c, s, len, "opts.endpoint");
    return;
  }
  if (lua_type(L, idx) != LUA_TTABLE)
    rtc_raise_invalid(L, "rtc.new: opts.endpoint: expected a URL or a list of URLs");
  n = lua_rawlen(L, idx);
  if (n < 1 || n > RTC_MAX_ENDPOINTS)
    rtc_raise_invalid(L, "rtc.new: opts.endpoint: expected a list of 1 to 16 URLs");
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, (int)i);
    snprintf(where, sizeof where, "opts.endpoint[%u]", (unsigned)i);
    if (lua_type(L, -1) != LUA_TSTRING) {
      char msg[128];
      snprintf(msg, sizeof msg, "rtc.new: %s: expected a URL string", where);
      rtc_raise_invalid(L, msg);
    }
    {
      const char *url = lua_tolstring(L, -1, &len); /* before the call: argument order is unspecified */
      add_endpoint(L, c, url, len, where);
    }
    lua_pop(L, 1);
  }
}

/* A proxy libcurl can use: no scheme (http is meant), or one of those it speaks. */
static int proxy_scheme_ok(const char *s) {
  static const char *const schemes[] = {"http://", "https://", "socks4://", "socks4a://",
                                        "socks5://", "socks5h://", NULL};
  const char *const *p;
  if (strstr(s, "://") == NULL) return 1;
  for (p = schemes; *p; p++)
    if (strncasecmp(s, *p, strlen(*p)) == 0) return 1;
  return 0;
}

/* Stores the value at idx into the option's field, or raises a message naming the option. */
static void load_option(lua_State *L, rtc_client *c, const rtc_option *o, int idx) {
  char msg[320];
  void *field = (char *)&c->cfg + o->offset;
  int t = lua_type(L, idx);
  switch (o->kind) {
  case RTC_OPT_ENDPOINTS:
    load_endpoints(L, c, idx);
    return;
  case RTC_OPT_TEXT: case RTC_OPT_SECRET: case RTC_OPT_PATH: {
    size_t len;
    const char *s;
    if (t != LUA_TSTRING) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a string, got %s", o->name,
               lua_typename(L, t));
      rtc_raise_invalid(L, msg);
    }
    s = lua_tolstring(L, idx, &len);
    /* CR or LF in anything that becomes a header would let a value add headers of its own */
    if (len == 0 || len > RTC_MAX_OPTION_TEXT || has_control(s, len)) {
      snprintf(msg, sizeof msg,
               "rtc.new: opts.%s: expected a non-empty string of at most 65536 bytes without "
               "control characters (CR, LF, NUL)", o->name);
      rtc_raise_invalid(L, msg);
    }
    if (strcmp(o->name, "proxy") == 0 && !proxy_scheme_ok(s)) {
      snprintf(msg, sizeof msg, "rtc.new: opts.proxy: expected host:port or a URL of scheme "
               "http, https, socks4, socks4a, socks5 or socks5h");
      rtc_raise_invalid(L, msg);
    }
    *(char **)field = rtc_dup_string(L, s, len);
    return;
  }
  case RTC_OPT_SECONDS: case RTC_OPT_COUNT: {
    double d = t == LUA_TNUMBER ? (double)lua_tonumber(L, idx) : NAN;
    if (!(d >= o->min && d <= o->max) || (o->kind == RTC_OPT_COUNT && d != floor(d))) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected %s from %g to %g", o->name,
               o->kind == RTC_OPT_COUNT ? "a whole number" : "a number of seconds", o->min,
               o->max);
      rtc_raise_invalid(L, msg);
    }
    if (o->kind == RTC_OPT_COUNT) *(long *)field = (long)d; /* typed: see RTC_OPTIONS */
    else *(double *)field = d;
    return;
  }
  case RTC_OPT_BOOL:
    if (t != LUA_TBOOLEAN) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a boolean", o->name);
      rtc_raise_invalid(L, msg);
    }
    *(int *)field = lua_toboolean(L, idx);
    return;
  case RTC_OPT_FUNCTION:
    if (t != LUA_TFUNCTION) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a function", o->name);
      rtc_raise_invalid(L, msg);
    }
    lua_pushvalue(L, idx);
    c->debug_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    *(int *)field = 1;
    return;
  }
}

static const rtc_option *find_option(const char *name) {
  size_t i;
  for (i = 0; i < NOPTIONS; i++)
    if (strcmp(rtc_options[i].name, name) == 0) return &rtc_options[i];
  return NULL;
}

/* 1 when the option already has a value (from the table). */
static int is_set(const rtc_client *c, const rtc_option *o) {
  const char *field = (const char *)&c->cfg + o->offset;
  switch (o->kind) {
  case RTC_OPT_ENDPOINTS: return c->cfg.nendpoints > 0;
  case RTC_OPT_TEXT: case RTC_OPT_SECRET: case RTC_OPT_PATH:
    return *(char *const *)(const void *)field != NULL;
  default: return 1; /* numbers, booleans, functions have no environment variable */
  }
}

/* A copy of the first of the variables that is set and not empty, or NULL. */
static char *env_copy(lua_State *L, const char *a, const char *b, const char *c2, const char *d) {
  const char *names[4];
  int i;
  names[0] = a, names[1] = b, names[2] = c2, names[3] = d;
  for (i = 0; i < 4; i++) {
    const char *v = names[i] ? getenv(names[i]) : NULL;
    if (v && v[0]) return rtc_dup_string(L, v, strlen(v));
  }
  return NULL;
}

/* Reads the options from the table at idx, or (idx == 0) from the environment. */
void rtc_load_config(lua_State *L, rtc_client *c, int idx) {
  size_t i;
  char msg[320];
  for (i = 0; i < NOPTIONS; i++) {
    void *field = (char *)&c->cfg + rtc_options[i].offset;
    if (rtc_options[i].kind == RTC_OPT_SECONDS) *(double *)field = rtc_options[i].def;
    else if (rtc_options[i].kind == RTC_OPT_COUNT) *(long *)field = (long)rtc_options[i].def;
  }
  if (idx) {
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      const rtc_option *o = lua_type(L, -2) == LUA_TSTRING ? find_option(lua_tostring(L, -2))
                                                           : NULL;
      if (o == NULL) {
        const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        const char *best = NULL;
        size_t k, best_d = 4;
        for (k = 0; name && k < NOPTIONS; k++) {
          size_t d = rtc_edit_distance(name, rtc_options[k].name);
          if (d < best_d) best_d = d, best = rtc_options[k].name;
        }
        if (best)
          snprintf(msg, sizeof msg, "rtc.new: unknown option \"%.64s\" (did you mean \"%s\"?)",
                   name, best);
        else if (name)
          snprintf(msg, sizeof msg, "rtc.new: unknown option \"%.64s\" (the options are listed "
                   "in the README)", name);
        else
          snprintf(msg, sizeof msg, "rtc.new: option names must be strings, got a %s key",
                   luaL_typename(L, -2));
        rtc_raise_invalid(L, msg);
      } else {
        load_option(L, c, o, lua_gettop(L));
      }
      lua_pop(L, 1);
    }
  }
  /* The environment, for any rtc.new: each option the table left out, except that credentials
   * come as a whole from one source (never an AK from the table and an SK from the environment). */
  {
    int explicit_credentials = c->cfg.token || c->cfg.ak || c->cfg.sk || c->cfg.security_token;
    for (i = 0; i < NOPTIONS; i++) {
      const rtc_option *o = &rtc_options[i];
      const char *value = o->env ? getenv(o->env) : NULL;
      int credential = o->kind == RTC_OPT_SECRET || strcmp(o->name, "ak") == 0;
      if (value == NULL || value[0] == '\0') continue;
      if (credential && explicit_credentials) continue;
      if (is_set(c, o)) continue; /* the table's value wins */
      lua_pushstring(L, value);
      load_option(L, c, o, lua_gettop(L));
      lua_pop(L, 1);
    }
  }
  if (c->cfg.nendpoints == 0) add_endpoint(L, c, RTC_DEFAULT_ENDPOINT, strlen(RTC_DEFAULT_ENDPOINT),
                                           "endpoint");
  if (c->cfg.token && (c->cfg.ak || c->cfg.sk))
    rtc_raise_invalid(L, "rtc.new: both token and ak/sk are set: use one kind of credentials, "
                     "token (token auth) or ak, sk and project_id (AK/SK signing)");
  if (c->cfg.ak && !c->cfg.sk)
    rtc_raise_invalid(L, "rtc.new: ak is set without sk: set sk too (env HUAWEICLOUD_SDK_SK)");
  if (c->cfg.sk && !c->cfg.ak)
    rtc_raise_invalid(L, "rtc.new: sk is set without ak: set ak too (env HUAWEICLOUD_SDK_AK)");
  if (c->cfg.ak && !c->cfg.project_id)
    rtc_raise_invalid(L, "rtc.new: project_id is required with ak/sk: set project_id (env "
                     "HUAWEICLOUD_SDK_PROJECT_ID)");
  if (c->cfg.security_token && !c->cfg.ak)
    rtc_raise_invalid(L, "rtc.new: security_token goes with temporary ak/sk: set ak and sk too");
  if (c->cfg.backoff_max < c->cfg.backoff_base)
    rtc_raise_invalid(L, "rtc.new: opts.backoff_max must not be less than opts.backoff_base");
  if (c->cfg.sk) {
    c->cfg.sign_key = rtc_sign_key_new(c->cfg.sk, strlen(c->cfg.sk));
    if (c->cfg.sign_key == NULL) luaL_error(L, "rtc.new: cannot prepare the signing key (OpenSSL)");
  }
  /* the proxy environment, read once here as libcurl would read it on every request */
  c->cfg.env_http_proxy = env_copy(L, "http_proxy", NULL, "all_proxy", "ALL_PROXY");
  c->cfg.env_https_proxy = env_copy(L, "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY");
  c->cfg.env_no_proxy = env_copy(L, "no_proxy", "NO_PROXY", NULL, NULL);
  if (c->cfg.user_agent == NULL) {
    const char *ua = "rtcjob/" RTC_VERSION " (lua-rtc; " LUA_VERSION ")";
    c->cfg.user_agent = rtc_dup_string(L, ua, strlen(ua));
  }
}

