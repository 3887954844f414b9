/* rtc_options.c: the client options (the RTC_OPTIONS X-macro rows in rtc_lua.h), read from the
 * options table, completed by the credentials chain (environment, profile file, metadata
 * service), checked, and stored in typed rtc_config fields. Calls rtc_error (to raise invalid),
 * rtc_text, rtc_credentials, rtc_config (the prepared signing key). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "rtc_lua.h"
#include "rtc_credentials.h"
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

/* Raises an "invalid" error whose field is the option. */
static void refuse(lua_State *L, const char *msg, const char *option) {
  rtc_push_error(L, "invalid", 0, NULL, msg, NULL, option);
  lua_error(L);
}

static void refuse_proxy(lua_State *L, const char *msg) { refuse(L, msg, "proxy"); }

static int has_control(const char *s, size_t len) { return rtc_text_has(s, len, RTC_C_CONTROL); }

static void free_secret(char **p) {
  if (*p) {
    OPENSSL_cleanse(*p, strlen(*p));
    free(*p);
    *p = NULL;
  }
}

/* The options' copies of the credentials: once the chain has run, auth->creds has them. */
static void free_credential_options(rtc_config *cfg) {
  free_secret(&cfg->sk);
  free_secret(&cfg->token);
  free_secret(&cfg->security_token);
  free(cfg->ak), free(cfg->project_id);
  cfg->ak = cfg->project_id = NULL;
}

void rtc_free_config(lua_State *L, rtc_client *c) {
  int i;
  for (i = 0; i < c->cfg.nendpoints; i++) {
    rtc_endpoint *ep = &c->cfg.endpoints[i];
    free(ep->url), free(ep->base), free(ep->host), free(ep->prefix), free(ep->origin);
    ep->url = ep->base = ep->host = ep->prefix = ep->origin = NULL;
  }
  c->cfg.nendpoints = 0;
  free_credential_options(&c->cfg);
  if (c->cfg.auth) rtc_auth_free(c->cfg.auth);
  free(c->cfg.auth);
  c->cfg.auth = NULL;
  free(c->cfg.user_agent), free(c->cfg.ca_file), free(c->cfg.ca_path), free(c->cfg.proxy);
  free(c->cfg.http_version);
  c->cfg.http_version = NULL;
  free(c->cfg.region), free(c->cfg.profile), free(c->cfg.credentials_file);
  free(c->cfg.metadata_url);
  free(c->cfg.env_http_proxy), free(c->cfg.env_https_proxy), free(c->cfg.env_no_proxy);
  c->cfg.env_http_proxy = c->cfg.env_https_proxy = c->cfg.env_no_proxy = NULL;
  c->cfg.user_agent = c->cfg.ca_file = c->cfg.ca_path = c->cfg.proxy = NULL;
  c->cfg.region = c->cfg.profile = c->cfg.credentials_file = c->cfg.metadata_url = NULL;
  for (i = 0; i < 3; i++) {
    if (c->proxy_secret[i]) OPENSSL_cleanse(c->proxy_secret[i], strlen(c->proxy_secret[i]));
    free(c->proxy_secret[i]);
    c->proxy_secret[i] = NULL;
  }
  if (c->debug_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, c->debug_ref);
  c->debug_ref = LUA_NOREF;
  c->cfg.debug = 0;
  rtc_buf_free(&c->new_lines);
}

/* One line to the client's debug callback, now (Lua may run: never while a call is held). A
 * failing logger must not fail what logged. */
void rtc_debug_line(lua_State *L, rtc_client *c, const char *line) {
  rtc_buf masked = RTC_BUF_INIT;
  if (c->debug_ref == LUA_NOREF) return;
  if (rtc_mask_text(c, line, strlen(line), &masked) != 0) { /* no memory: no line */
    rtc_buf_free(&masked);
    return;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->debug_ref);
  if (lua_type(L, -1) != LUA_TFUNCTION) { /* the reference went with a close() */
    lua_pop(L, 1);
    rtc_buf_free(&masked);
    return;
  }
  lua_pushlstring(L, masked.data ? masked.data : "", masked.len);
  rtc_buf_free(&masked); /* before the callback: nothing of ours to leak if it raises */
  if (lua_pcall(L, 1, 0, 0) != 0) lua_pop(L, 1);
}

void rtc_debug_lines(lua_State *L, rtc_client *c, rtc_buf *lines) {
  size_t off;
  for (off = 0; off < lines->len; off += strlen(lines->data + off) + 1)
    rtc_debug_line(L, c, lines->data + off);
  rtc_buf_free(lines);
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
                 (extra = url_part(u, CURLUPART_USER)) != NULL || memchr(url, '@', len) != NULL ||
                 /* an empty "?" or "#" too: libcurl reports none, and a proxy would be sent a
                  * request line other than the path that was signed */
                 memchr(url, '?', len) != NULL || memchr(url, '#', len) != NULL))
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
  /* the origin, when the URL as written ends in the path libcurl read (no "..", no escapes
   * it rewrote): the engine then sends the path as the request target, unparsed */
  if (end >= plen && memcmp(url + end - plen, path ? path : "", plen) == 0)
    c->cfg.endpoints[i].origin = rtc_dup_string(L, url, end - plen);
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

/* A proxy libcurl can use: read by curl_url (no scheme: http), a scheme libcurl speaks to a
 * proxy, a host, a port that is one. 0, or why not (never the URL: it may hold a password). The
 * password, when there is one, is copied to *password (for masking). */
static const char *proxy_problem(const char *s, char **password) {
  static const char *const schemes[] = {"http", "https", "socks4", "socks4a", "socks5",
                                        "socks5h", NULL};
  const char *const *p, *why = NULL;
  char *scheme = NULL, *host = NULL, *pw = NULL;
  CURLU *u = curl_url();
  CURLUcode rc;
  *password = NULL;
  if (u == NULL) return "out of memory";
  rc = curl_url_set(u, CURLUPART_URL, s, CURLU_DEFAULT_SCHEME | CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    why = curl_url_strerror(rc);
  } else {
    (void)curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) why = "no scheme";
    else {
      for (p = schemes; *p && strcasecmp(*p, scheme) != 0; p++) {}
      if (*p == NULL) why = "not a proxy scheme (http, https, socks4, socks4a, socks5, socks5h)";
    }
    if (why == NULL && (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]))
      why = "no host";
  }
  if (pw != NULL && pw[0]) *password = strdup(pw);
  curl_free(pw), curl_free(scheme), curl_free(host);
  curl_url_cleanup(u);
  return why;
}

/* Checks a proxy URL at rtc.new, where names it ("opts.proxy", "environment variable
 * https_proxy"); keeps its password in *password for masking. Raises invalid, field option. */
static void check_proxy(lua_State *L, const char *s, const char *where, char **password) {
  char msg[320];
  const char *why = proxy_problem(s, password);
  if (why == NULL) return;
  snprintf(msg, sizeof msg, "rtc.new: %s: not a proxy URL libcurl can use (%s); expected "
           "[scheme://][user:password@]host[:port] (the value is not shown: it may hold a "
           "password)", where, why);
  refuse_proxy(L, msg);
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
      refuse(L, msg, o->name);
    }
    s = lua_tolstring(L, idx, &len);
    /* CR or LF in anything that becomes a header would let a value add headers of its own */
    if (len == 0 || len > RTC_MAX_OPTION_TEXT || has_control(s, len)) {
      snprintf(msg, sizeof msg,
               "rtc.new: opts.%s: expected a non-empty string of at most 65536 bytes without "
               "control characters (CR, LF, NUL)", o->name);
      refuse(L, msg, o->name);
    }
    if (strcmp(o->name, "http_version") == 0 && strcmp(s, "1.1") != 0 && strcmp(s, "2") != 0) {
      snprintf(msg, sizeof msg, "rtc.new: opts.http_version: expected \"1.1\" or \"2\"");
      refuse(L, msg, o->name);
    }
    *(char **)field = rtc_dup_string(L, s, len);
    if (strcmp(o->name, "proxy") == 0) /* checked from C's copy */
      check_proxy(L, c->cfg.proxy, "opts.proxy", &c->proxy_secret[0]);
    return;
  }
  case RTC_OPT_SECONDS: case RTC_OPT_COUNT: {
    double d = t == LUA_TNUMBER ? (double)lua_tonumber(L, idx) : NAN;
    if (!(d >= o->min && d <= o->max) || (o->kind == RTC_OPT_COUNT && d != floor(d))) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected %s from %g to %g", o->name,
               o->kind == RTC_OPT_COUNT ? "a whole number" : "a number of seconds", o->min,
               o->max);
      refuse(L, msg, o->name);
    }
    if (o->kind == RTC_OPT_COUNT) *(long *)field = (long)d; /* typed: see RTC_OPTIONS */
    else *(double *)field = d;
    return;
  }
  case RTC_OPT_BOOL:
    if (t != LUA_TBOOLEAN) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a boolean", o->name);
      refuse(L, msg, o->name);
    }
    *(int *)field = lua_toboolean(L, idx);
    return;
  case RTC_OPT_FUNCTION:
    if (t != LUA_TFUNCTION) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a function", o->name);
      refuse(L, msg, o->name);
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

/* A copy of the first of the variables that is set and not empty, or NULL; *which names it. */
static char *env_copy(lua_State *L, const char *a, const char *b, const char *c2, const char *d,
                      const char **which) {
  const char *names[4];
  int i;
  names[0] = a, names[1] = b, names[2] = c2, names[3] = d;
  for (i = 0; i < 4; i++) {
    const char *v = names[i] ? getenv(names[i]) : NULL;
    if (v && v[0]) {
      if (which) *which = names[i];
      return rtc_dup_string(L, v, strlen(v));
    }
  }
  return NULL;
}

/* A CA file or directory that is not there fails every call: refused here, named. */
static void check_ca(lua_State *L, const char *path, const char *option, int directory) {
  struct stat st;
  char msg[400];
  if (path == NULL) return;
  if (stat(path, &st) != 0 || access(path, R_OK) != 0)
    snprintf(msg, sizeof msg, "rtc.new: opts.%s: cannot read %.300s: %s", option, path,
             strerror(errno));
  else if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
    snprintf(msg, sizeof msg, "rtc.new: opts.%s: %.300s is not a %s", option, path,
             directory ? "directory" : "regular file");
  else
    return;
  refuse(L, msg, option);
}

/* Collects the chain's debug lines while it runs (no Lua may run inside it). */
static void queue_debug_line(void *ud, const char *line) {
  rtc_buf *b = ud;
  if (b->len < 8192) (void)rtc_buf_add(b, line, strlen(line) + 1); /* NUL-separated */
}

/* Raises kind with "rtc.new: message", the option named in field. */
static void raise_option(lua_State *L, const char *kind, const char *message, const char *field) {
  char msg[1400];
  snprintf(msg, sizeof msg, "rtc.new: %s", message);
  rtc_push_error(L, kind, 0, NULL, msg, NULL, field);
  lua_error(L);
}

/* What the signer refuses can never be sent: find out here, once, not as a failure of every
 * call. The key is prepared (AK, X-Project-Id, X-Security-Token checked), then a request to
 * each endpoint is signed (its Host and base path checked). */
static void check_signable(lua_State *L, rtc_client *c) {
  rtc_auth *a = c->cfg.auth;
  const rtc_credentials *cr = a->creds;
  char err[600], msg[1200];
  int i;
  if (rtc_auth_prepare(a, err, sizeof err) != 0) {
    const char *option = strncmp(err, "ak: ", 4) == 0                 ? "ak"
                         : strstr(err, "\"X-Project-Id\"") != NULL     ? "project_id"
                         : strstr(err, "\"X-Security-Token\"") != NULL ? "security_token"
                                                                        : NULL;
    if (option == NULL) {
      luaL_error(L, "rtc.new: %s", err); /* OpenSSL, memory */
      return;
    }
    snprintf(msg, sizeof msg, "%s (from %s) cannot be sent: %s", option,
             strcmp(option, "project_id") == 0 ? cr->project_source : cr->source, err);
    raise_option(L, "invalid", msg, option);
  }
  for (i = 0; i < c->cfg.nendpoints; i++) {
    const rtc_endpoint *ep = &c->cfg.endpoints[i];
    rtc_sign_header h[2];
    h[0].name = "Host", h[0].name_len = 4, h[0].value = ep->host, h[0].value_len = strlen(ep->host);
    h[1].name = "X-Sdk-Date", h[1].name_len = 10, h[1].value = "20200101T000000Z";
    h[1].value_len = 16;
    rtc_buf_reset(&a->authorization);
    if (rtc_sign_key_sign(a->key, "GET", ep->prefix, strlen(ep->prefix), "/", 1, h, 2, NULL, 0,
                          &a->authorization, err, sizeof err) != 0) {
      snprintf(msg, sizeof msg, "endpoint %s cannot be signed: %s", ep->url, err);
      raise_option(L, "invalid", msg, "endpoint");
    }
  }
}

/* The credentials chain (rtc_credentials.h) over the explicit options: the keys from the
 * options, the environment, the profile file or the metadata service, and the endpoint (option
 * endpoint > option region > RTC_ENDPOINT > RTC_REGION > the default). Its debug lines go to
 * the debug callback once it has returned. */
static void apply_credentials_chain(lua_State *L, rtc_client *c) {
  rtc_cred_request in;
  rtc_buf lines = RTC_BUF_INIT;
  char err[1200], src[160];
  const char *url;
  int rc;
  if (rtc_endpoint_choose(c->cfg.nendpoints > 0, c->cfg.region, &url, src, sizeof src, err,
                          sizeof err) != RTC_CRED_OK)
    raise_option(L, "invalid", err, "region");
  if (url) add_endpoint(L, c, url, strlen(url), src);
  c->cfg.auth = calloc(1, sizeof *c->cfg.auth);
  if (c->cfg.auth != NULL) c->cfg.auth->creds = calloc(1, sizeof *c->cfg.auth->creds);
  if (c->cfg.auth == NULL || c->cfg.auth->creds == NULL) {
    luaL_error(L, "rtc.new: out of memory");
    return;
  }
  memset(&in, 0, sizeof in);
  in.ak = c->cfg.ak, in.sk = c->cfg.sk, in.project_id = c->cfg.project_id;
  in.security_token = c->cfg.security_token, in.token = c->cfg.token;
  in.profile = c->cfg.profile, in.credentials_file = c->cfg.credentials_file;
  in.metadata_url = c->cfg.metadata_url, in.metadata = c->cfg.metadata;
  if (c->debug_ref != LUA_NOREF) in.debug = queue_debug_line, in.debug_ud = &lines;
  rc = rtc_credentials_resolve(&in, c->cfg.auth->creds, err, sizeof err);
  c->cfg.auth->creds->debug = NULL; /* `lines` ends here; refreshes run where no Lua may run */
  free_credential_options(&c->cfg);   /* the chain's answer holds what is used */
  if (rc != RTC_CRED_OK) {              /* no client comes out of this rtc.new: the lines now */
    rtc_debug_lines(L, c, &lines);
    raise_option(L, rtc_cred_kind(rc), err, "credentials");
  }
  /* a client's lines wait for its first call, as every debug line does: the callback never
   * runs inside rtc.new, before the client it may want to use exists */
  c->new_lines = lines;
  if (c->cfg.auth->creds->kind == RTC_AUTH_AKSK) check_signable(L, c);
}

/* Reads the options from the table at idx, or (idx == 0) from the environment. */
void rtc_load_config(lua_State *L, rtc_client *c, int idx) {
  size_t i;
  char msg[320];
  for (i = 0; i < NOPTIONS; i++) {
    void *field = (char *)&c->cfg + rtc_options[i].offset;
    if (rtc_options[i].kind == RTC_OPT_SECONDS) *(double *)field = rtc_options[i].def;
    else if (rtc_options[i].kind == RTC_OPT_COUNT) *(long *)field = (long)rtc_options[i].def;
    else if (rtc_options[i].kind == RTC_OPT_BOOL) *(int *)field = (int)rtc_options[i].def;
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
  apply_credentials_chain(L, c); /* the environment, the profile file, the metadata service */
  if (c->cfg.backoff_max < c->cfg.backoff_base)
    rtc_raise_invalid(L, "rtc.new: opts.backoff_max must not be less than opts.backoff_base");
  /* the proxy environment, read once here as libcurl would read it on every request */
  {
    const char *which = NULL;
    char where[64];
    c->cfg.env_http_proxy = env_copy(L, "http_proxy", NULL, "all_proxy", "ALL_PROXY", &which);
    snprintf(where, sizeof where, "environment variable %s", which ? which : "");
    if (c->cfg.env_http_proxy != NULL)
      check_proxy(L, c->cfg.env_http_proxy, where, &c->proxy_secret[1]);
    c->cfg.env_https_proxy = env_copy(L, "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                      &which);
    snprintf(where, sizeof where, "environment variable %s", which ? which : "");
    if (c->cfg.env_https_proxy != NULL)
      check_proxy(L, c->cfg.env_https_proxy, where, &c->proxy_secret[2]);
  }
  c->cfg.env_no_proxy = env_copy(L, "no_proxy", "NO_PROXY", NULL, NULL, NULL);
  check_ca(L, c->cfg.ca_file, "ca_file", 0);
  check_ca(L, c->cfg.ca_path, "ca_path", 1);
  if (c->cfg.insecure == 1) { /* said once, where a debug callback will see it */
    static const char line[] = "rtc: insecure = true: TLS certificates and host names are not "
                               "verified";
    if (rtc_buf_add(&c->new_lines, line, sizeof line) != 0) luaL_error(L, "rtc.new: out of memory");
  }
  if (c->cfg.user_agent == NULL) {
    const char *ua = "rtcjob/" RTC_VERSION " (lua-rtc; " LUA_VERSION ")";
    c->cfg.user_agent = rtc_dup_string(L, ua, strlen(ua));
  }
}

