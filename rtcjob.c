/* rtcjob.c: the `rtc` Lua module — its one entry point (luaopen_rtc), the client object, and
 * the call pipeline: validate -> build -> sign -> send -> decode. Each step is one function;
 * prepare/decode expose the pure steps so that other transports (OpenResty cosockets) reuse
 * them. The API itself is data: rtc_operations and the schemas in rtc_schema.c, the client
 * options in RTC_OPTIONS (rtc.h). */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/select.h>

#include <openssl/crypto.h>

#include "rtc.h"
#include "rtc_policy_lua.h"
#include "rtc_reflect.h"
#include "rtc_sign.h"

#define DEFAULT_ENDPOINT "https://rtc-api.myhuaweicloud.com"
#define RTC_MAX_OPTION_TEXT 65536 /* IAM tokens run to several KiB */
#define RTC_MAX_BATCH 1000000

static const char *const credential_help =
    "set token (env RTC_AUTH_TOKEN) for token auth, or ak, sk and project_id (env "
    "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID) for AK/SK signing";

/* ================================================================ error objects */

static void set_string(lua_State *L, const char *key, const char *value) {
  if (value == NULL || value[0] == '\0') return;
  lua_pushstring(L, value);
  lua_setfield(L, -2, key);
}

void rtc_push_error(lua_State *L, const char *kind, long status, const char *code,
                    const char *message, const char *request_id, const char *field) {
  lua_createtable(L, 0, 7);
  set_string(L, "kind", kind);
  if (status > 0) {
    lua_pushinteger(L, status);
    lua_setfield(L, -2, "status");
  }
  set_string(L, "code", code);
  set_string(L, "message", message ? message : "");
  set_string(L, "request_id", request_id);
  set_string(L, "field", field);
  luaL_setmetatable(L, RTC_ERROR_MT);
}

/* Raises an "invalid" error object: for misuse that is about values, not Lua types. */
static int raise_invalid(lua_State *L, const char *message) {
  rtc_push_error(L, "invalid", 0, NULL, message, NULL, NULL);
  return lua_error(L);
}

/* A string field read raw (no metamethod runs), or NULL. */
static const char *raw_string(lua_State *L, int idx, const char *key, size_t *len) {
  const char *s;
  lua_pushstring(L, key);
  lua_rawget(L, idx);
  s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : NULL;
  lua_pop(L, 1); /* the table holds the very string */
  return s;
}

static lua_Integer raw_integer(lua_State *L, int idx, const char *key) {
  lua_Integer v = 0;
  lua_pushstring(L, key);
  lua_rawget(L, idx);
  if (lua_type(L, -1) == LUA_TNUMBER) v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

#define RTC_SHOWN_MAX 4096 /* bytes of server text shown by tostring */

/* The one-line text of the error at idx into b: "HTTP 404 RTC.00001003 InvalidParameterValue
 * (request 6f1c...)", "invalid: publish_param.rtmp_urls[2]: expected ...", "timeout: ... (3
 * attempts)". Server text is escaped (no control byte reaches a terminal). 0 or -1 (memory). */
static int error_text(lua_State *L, int idx, rtc_buf *b) {
  size_t klen = 0, clen = 0, mlen = 0, rlen = 0;
  const char *kind = raw_string(L, idx, "kind", &klen), *code = raw_string(L, idx, "code", &clen);
  const char *message = raw_string(L, idx, "message", &mlen);
  const char *rid = raw_string(L, idx, "request_id", &rlen);
  lua_Integer status = raw_integer(L, idx, "status"), attempts = raw_integer(L, idx, "attempts");
  int api = !(kind && strcmp(kind, "api") != 0), rc = 0;
  if (!api) rc |= rtc_text_escape(b, kind, klen, 64) | rtc_buf_add(b, ": ", 2);
  else if (status > 0) rc |= rtc_buf_addf(b, "HTTP %lld ", (long long)status);
  if (code) rc |= rtc_text_escape(b, code, clen, 256) | rtc_buf_add_char(b, ' ');
  if (message) rc |= rtc_text_escape(b, message, mlen, RTC_SHOWN_MAX);
  else rc |= rtc_buf_add_str(b, "(no message)");
  if (!api && (status > 0 || rid)) {
    rc |= rtc_buf_add(b, " (", 2);
    if (status > 0) rc |= rtc_buf_addf(b, "HTTP %lld%s", (long long)status, rid ? ", " : "");
    if (rid) rc |= rtc_buf_add_str(b, "request ") | rtc_text_escape(b, rid, rlen, 256);
    rc |= rtc_buf_add_char(b, ')');
  } else if (api && rid) {
    rc |= rtc_buf_add_str(b, " (request ") | rtc_text_escape(b, rid, rlen, 256) |
          rtc_buf_add_char(b, ')');
  }
  if (attempts > 1) rc |= rtc_buf_addf(b, " (%lld attempts)", (long long)attempts);
  return rc ? -1 : 0;
}

/* Pushes the text of the error at idx. Built in C and pushed once: nothing is pushed between
 * the steps, so no stack slot can be mistaken for another. */
static void push_error_text(lua_State *L, int idx) {
  rtc_buf b = RTC_BUF_INIT;
  int rc = error_text(L, idx, &b);
  if (rc == 0) lua_pushlstring(L, b.data ? b.data : "", b.len);
  rtc_buf_free(&b);
  if (rc != 0) luaL_error(L, "rtc: out of memory");
}

static int error_tostring(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  push_error_text(L, 1);
  return 1;
}

static int is_error(lua_State *L, int idx) {
  int yes = 0;
  if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, RTC_ERROR_MT);
    yes = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  return yes;
}

/* "failed: " .. err and err .. "!" both work, on every Lua. */
static int error_concat(lua_State *L) {
  int i;
  for (i = 1; i <= 2; i++) {
    if (is_error(L, i)) push_error_text(L, i);
    else if (lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER) lua_pushvalue(L, i);
    else return luaL_error(L, "attempt to concatenate a %s value", luaL_typename(L, i));
  }
  lua_concat(L, 2);
  return 1;
}

/* rtc.assert(v, err, ...): v and the rest when v is true; else raises err, the error object
 * itself where the host Lua shows tables it cannot print (5.2+, LuaJIT), its text on 5.1. */
static int l_assert(lua_State *L) {
  if (lua_toboolean(L, 1)) return lua_gettop(L);
  if (lua_isnoneornil(L, 2)) lua_pushliteral(L, "assertion failed!");
  else if (is_error(L, 2)) {
#if LUA_VERSION_NUM < 502 && !defined(LUAJIT_VERSION_NUM)
    push_error_text(L, 2);
#else
    lua_pushvalue(L, 2);
#endif
  } else lua_pushvalue(L, 2);
  return lua_error(L);
}

/* A job (or stop_job's result) reads well in a REPL; code still sees a plain table (pairs,
 * cjson.encode): the metatable has __tostring and __name only. */
static int job_tostring(lua_State *L) {
  static const char *const keys[] = {"job_id", "state", "app_id", "room_id", "user_id",
                                     "stream_name", "stop_reason", "request_id", NULL};
  const char *const *k;
  int first = 1, rc;
  rtc_buf b = RTC_BUF_INIT;
  luaL_checktype(L, 1, LUA_TTABLE);
  rc = rtc_buf_add_str(&b, lua_tostring(L, lua_upvalueindex(1))) | rtc_buf_add_char(&b, '{');
  for (k = keys; *k; k++) {
    size_t len;
    const char *v = raw_string(L, 1, *k, &len);
    if (v == NULL) continue;
    rc |= rtc_buf_addf(&b, "%s%s=\"", first ? "" : ", ", *k) |
          rtc_text_escape(&b, v, len, 256) | rtc_buf_add_char(&b, '"');
    first = 0;
  }
  rc |= rtc_buf_add_char(&b, '}');
  if (rc == 0) lua_pushlstring(L, b.data, b.len);
  rtc_buf_free(&b);
  if (rc != 0) return luaL_error(L, "rtc: out of memory");
  return 1;
}

/* ================================================================ options */

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

static void free_config(lua_State *L, rtc_client *c) {
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

static char *dup_string(lua_State *L, const char *s, size_t len) {
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
static void add_endpoint(lua_State *L, rtc_client *c, const char *url, size_t len,
                         const char *where) {
  size_t scheme, host_end, end = len;
  int i = c->cfg.nendpoints;
  char msg[512];
  if (len > 7 && strncmp(url, "http://", 7) == 0) scheme = 7;
  else if (len > 8 && strncmp(url, "https://", 8) == 0) scheme = 8;
  else scheme = 0;
  if (scheme == 0 || len > 2048 || has_control(url, len) || memchr(url, ' ', len) ||
      memchr(url, '?', len) || memchr(url, '#', len) || memchr(url, '@', len)) {
    snprintf(msg, sizeof msg,
             "rtc.new: %s: expected an http:// or https:// URL without spaces, query, fragment "
             "or user info, such as \"" DEFAULT_ENDPOINT "\"", where);
    raise_invalid(L, msg);
  }
  for (host_end = scheme; host_end < len && url[host_end] != '/'; host_end++) {}
  if (host_end == scheme) {
    snprintf(msg, sizeof msg, "rtc.new: %s: the URL has no host", where);
    raise_invalid(L, msg);
  }
  while (end > host_end && url[end - 1] == '/') end--;
  c->cfg.nendpoints++;
  c->cfg.endpoints[i].url = dup_string(L, url, len);
  c->cfg.endpoints[i].base = dup_string(L, url, end);
  c->cfg.endpoints[i].host = dup_string(L, url + scheme, host_end - scheme);
  c->cfg.endpoints[i].prefix = dup_string(L, url + host_end, end - host_end);
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
    raise_invalid(L, "rtc.new: opts.endpoint: expected a URL or a list of URLs");
  n = lua_rawlen(L, idx);
  if (n < 1 || n > RTC_MAX_ENDPOINTS)
    raise_invalid(L, "rtc.new: opts.endpoint: expected a list of 1 to 16 URLs");
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, (int)i);
    snprintf(where, sizeof where, "opts.endpoint[%u]", (unsigned)i);
    if (lua_type(L, -1) != LUA_TSTRING) {
      char msg[128];
      snprintf(msg, sizeof msg, "rtc.new: %s: expected a URL string", where);
      raise_invalid(L, msg);
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
      raise_invalid(L, msg);
    }
    s = lua_tolstring(L, idx, &len);
    /* CR or LF in anything that becomes a header would let a value add headers of its own */
    if (len == 0 || len > RTC_MAX_OPTION_TEXT || has_control(s, len)) {
      snprintf(msg, sizeof msg,
               "rtc.new: opts.%s: expected a non-empty string of at most 65536 bytes without "
               "control characters (CR, LF, NUL)", o->name);
      raise_invalid(L, msg);
    }
    if (strcmp(o->name, "proxy") == 0 && !proxy_scheme_ok(s)) {
      snprintf(msg, sizeof msg, "rtc.new: opts.proxy: expected host:port or a URL of scheme "
               "http, https, socks4, socks4a, socks5 or socks5h");
      raise_invalid(L, msg);
    }
    *(char **)field = dup_string(L, s, len);
    return;
  }
  case RTC_OPT_SECONDS: case RTC_OPT_COUNT: {
    double d = t == LUA_TNUMBER ? (double)lua_tonumber(L, idx) : NAN;
    if (!(d >= o->min && d <= o->max) || (o->kind == RTC_OPT_COUNT && d != floor(d))) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected %s from %g to %g", o->name,
               o->kind == RTC_OPT_COUNT ? "a whole number" : "a number of seconds", o->min,
               o->max);
      raise_invalid(L, msg);
    }
    if (o->kind == RTC_OPT_COUNT) *(long *)field = (long)d; /* typed: see RTC_OPTIONS */
    else *(double *)field = d;
    return;
  }
  case RTC_OPT_BOOL:
    if (t != LUA_TBOOLEAN) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a boolean", o->name);
      raise_invalid(L, msg);
    }
    *(int *)field = lua_toboolean(L, idx);
    return;
  case RTC_OPT_FUNCTION:
    if (t != LUA_TFUNCTION) {
      snprintf(msg, sizeof msg, "rtc.new: opts.%s: expected a function", o->name);
      raise_invalid(L, msg);
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

/* A copy of the first of the variables that is set and not empty, or NULL. */
static char *env_copy(lua_State *L, const char *a, const char *b, const char *c2, const char *d) {
  const char *names[4];
  int i;
  names[0] = a, names[1] = b, names[2] = c2, names[3] = d;
  for (i = 0; i < 4; i++) {
    const char *v = names[i] ? getenv(names[i]) : NULL;
    if (v && v[0]) return dup_string(L, v, strlen(v));
  }
  return NULL;
}

/* Reads the options from the table at idx, or (idx == 0) from the environment. */
static void load_config(lua_State *L, rtc_client *c, int idx) {
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
        raise_invalid(L, msg);
      } else {
        load_option(L, c, o, lua_gettop(L));
      }
      lua_pop(L, 1);
    }
  } else {
    for (i = 0; i < NOPTIONS; i++) {
      const char *value = rtc_options[i].env ? getenv(rtc_options[i].env) : NULL;
      if (value == NULL || value[0] == '\0') continue;
      lua_pushstring(L, value);
      load_option(L, c, &rtc_options[i], lua_gettop(L));
      lua_pop(L, 1);
    }
  }
  if (c->cfg.nendpoints == 0) add_endpoint(L, c, DEFAULT_ENDPOINT, strlen(DEFAULT_ENDPOINT),
                                           "endpoint");
  if (c->cfg.token && (c->cfg.ak || c->cfg.sk))
    raise_invalid(L, "rtc.new: both token and ak/sk are set: use one kind of credentials, "
                     "token (token auth) or ak, sk and project_id (AK/SK signing)");
  if (c->cfg.ak && !c->cfg.sk)
    raise_invalid(L, "rtc.new: ak is set without sk: set sk too (env HUAWEICLOUD_SDK_SK)");
  if (c->cfg.sk && !c->cfg.ak)
    raise_invalid(L, "rtc.new: sk is set without ak: set ak too (env HUAWEICLOUD_SDK_AK)");
  if (c->cfg.ak && !c->cfg.project_id)
    raise_invalid(L, "rtc.new: project_id is required with ak/sk: set project_id (env "
                     "HUAWEICLOUD_SDK_PROJECT_ID)");
  if (c->cfg.security_token && !c->cfg.ak)
    raise_invalid(L, "rtc.new: security_token goes with temporary ak/sk: set ak and sk too");
  if (c->cfg.backoff_max < c->cfg.backoff_base)
    raise_invalid(L, "rtc.new: opts.backoff_max must not be less than opts.backoff_base");
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
    c->cfg.user_agent = dup_string(L, ua, strlen(ua));
  }
}

/* ================================================================ the client object */

static rtc_module *module_state(lua_State *L) {
  return (rtc_module *)lua_touserdata(L, lua_upvalueindex(1));
}

static rtc_client *new_client(lua_State *L, int opts_idx) {
  rtc_client *c;
  char err[128];
  if (opts_idx) opts_idx = lua_absindex(L, opts_idx);
  c = lua_newuserdata(L, sizeof *c);
  memset(c, 0, sizeof *c);
  c->debug_ref = LUA_NOREF;
  c->progress_ref = LUA_NOREF;
  c->closed = 1; /* until the dispatcher is open, __gc only frees what options were read */
  c->module = module_state(L);
  luaL_setmetatable(L, RTC_CLIENT_MT);
  load_config(L, c, opts_idx);
  if (rtc_dispatch_init(&c->d, &c->cfg, err, sizeof err) != 0) luaL_error(L, "rtc.new: %s", err);
  c->open = 1;
  c->closed = 0;
  return c;
}

static void close_client(lua_State *L, rtc_client *c) {
  if (c->open) rtc_dispatch_free(&c->d);
  c->open = 0;
  if (c->progress_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, c->progress_ref);
  c->progress_ref = LUA_NOREF;
  free_config(L, c);
  c->closed = 1;
  c->close_pending = 0;
}

/* close() while a method of the client runs (from a callback or a finalizer) is deferred until
 * that method returns: nothing is freed under the running method's feet. */
static int client_close(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, 1, RTC_CLIENT_MT);
  if (c->busy) c->close_pending = 1;
  else if (!c->closed || c->open) close_client(L, c);
  return 0;
}

static rtc_client *check_client(lua_State *L, int idx) {
  rtc_client *c = luaL_checkudata(L, idx, RTC_CLIENT_MT);
  if (c->closed || c->close_pending) luaL_error(L, "rtc: the client is closed");
  if (c->busy)
    luaL_error(L, "rtc: the client is busy (one of its methods is running: called from inside "
                  "one of its callbacks or a finalizer)");
  return c;
}

/* A method that runs calls marks the client busy from the first call to the last callback; no
 * luaL_error may be raised in between (callbacks run under pcall). */
static void enter(rtc_client *c) { c->busy = 1; }

static void leave(lua_State *L, rtc_client *c) {
  c->busy = 0;
  if (c->close_pending) close_client(L, c);
}

static int client_tostring(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, 1, RTC_CLIENT_MT);
  if (c->closed) {
    lua_pushliteral(L, "rtc.client(closed)");
  } else if (c->cfg.token) {
    lua_pushfstring(L, "rtc.client(endpoint=%s, auth=token)", c->cfg.endpoints[0].url);
  } else if (c->cfg.ak) {
    /* the AK names a key but is still shown shortened; the SK never is */
    char ak[8];
    snprintf(ak, sizeof ak, "%.4s", c->cfg.ak);
    lua_pushfstring(L, "rtc.client(endpoint=%s, auth=aksk, ak=%s..., project_id=%s)",
                    c->cfg.endpoints[0].url, ak, c->cfg.project_id);
  } else {
    lua_pushfstring(L, "rtc.client(endpoint=%s, auth=none)", c->cfg.endpoints[0].url);
  }
  return 1;
}

/* Hands the debug lines the loop queued to the debug callback, after the loop returned. */
static void flush_debug(lua_State *L, rtc_client *c) {
  size_t n, i;
  char **lines;
  if (!c->open || c->d.nlines == 0) return;
  lines = rtc_dispatch_take_lines(&c->d, &n);
  for (i = 0; i < n; i++) {
    if (c->debug_ref != LUA_NOREF) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, c->debug_ref);
      lua_pushstring(L, lines[i]);
      if (lua_pcall(L, 1, 0, 0) != 0) lua_pop(L, 1); /* a failing logger must not fail the call */
    }
    free(lines[i]);
  }
  free(lines);
}

/* ================================================================ build: validate, encode */

typedef enum { BUILD_OK, BUILD_INVALID, BUILD_MISUSE } build_result;

/* JSON text from the private lua-cjson instance; lua-cjson writes '/' as "\/", which JSON
 * allows but the seed's examples do not use, so the escape is undone (escape-aware). */
static int encode_body(lua_State *L, rtc_module *m, int params, rtc_buf *out, char *err,
                       size_t errlen) {
  size_t len, i;
  const char *s;
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->encode_ref);
  lua_pushvalue(L, params);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    snprintf(err, errlen, "params: cannot be encoded as JSON: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  s = lua_tolstring(L, -1, &len);
  if (rtc_buf_ensure(out, len) != 0) {
    lua_pop(L, 1);
    snprintf(err, errlen, "params: out of memory");
    return 0;
  }
  for (i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len) {
      if (s[i + 1] != '/') out->data[out->len++] = '\\';
      out->data[out->len++] = s[++i];
    } else {
      out->data[out->len++] = s[i];
    }
  }
  out->data[out->len] = '\0';
  lua_pop(L, 1);
  return 1;
}

/* Validates the call's arguments at base.. and builds its request. BUILD_INVALID leaves a
 * message in err (and the offending path in field); BUILD_MISUSE a message about Lua types. */
static build_result build_request(lua_State *L, rtc_client *c, const rtc_operation *op, int base,
                                  rtc_request *req, char *err, size_t errlen, char *field,
                                  size_t fieldlen, int *badarg) {
  const char *p;
  int i = 0;
  memset(req, 0, sizeof *req);
  req->op = op;
  field[0] = '\0';
  *badarg = 0;
  int nparams = rtc_operation_nparams(op);
  for (i = 0; i < nparams; i++) {
    if (lua_type(L, base + i) != LUA_TSTRING && lua_type(L, base + i) != LUA_TNUMBER) {
      char name[32];
      rtc_operation_param(op, i, name, sizeof name);
      snprintf(err, errlen, "%s: expected a string, got %s", name, luaL_typename(L, base + i));
      *badarg = base + i;
      return BUILD_MISUSE;
    }
  }
  if (op->request && lua_type(L, base + nparams) != LUA_TTABLE) {
    snprintf(err, errlen, "params: expected a table, got %s", luaL_typename(L, base + nparams));
    *badarg = base + nparams;
    return BUILD_MISUSE;
  }
  /* the target: the template with each parameter as one percent-encoded segment */
  i = 0;
  for (p = op->path; *p;) {
    const char *brace = strchr(p, '{'), *close;
    size_t len;
    const char *value;
    char name[32];
    if (brace == NULL) {
      if (rtc_buf_add(&req->target, p, strlen(p))) goto oom;
      break;
    }
    if (rtc_buf_add(&req->target, p, (size_t)(brace - p))) goto oom;
    close = strchr(brace, '}');
    value = lua_tolstring(L, base + i, &len);
    if (!rtc_check_id(value, len, err, errlen)) {
      size_t used;
      rtc_operation_param(op, i, name, sizeof name);
      snprintf(field, fieldlen, "%s", name);
      /* the message reads "job_id: must not be empty" */
      used = strlen(err);
      if (strlen(name) + 2 + used < errlen) {
        memmove(err + strlen(name) + 2, err, used + 1);
        memcpy(err, name, strlen(name));
        memcpy(err + strlen(name), ": ", 2);
      }
      goto invalid;
    }
    if (rtc_pct_encode(&req->target, value, len, 0)) goto oom;
    i++;
    p = close ? close + 1 : brace + strlen(brace);
  }
  if (op->request) {
    int params = base + nparams;
    if (!rtc_validate(L, params, op->request, err, errlen, field, fieldlen)) goto invalid;
    if (!encode_body(L, c->module, params, &req->body, err, errlen)) goto invalid;
  }
  if (!c->cfg.token && !c->cfg.ak) {
    snprintf(err, errlen, "no credentials: %s", credential_help);
    snprintf(field, fieldlen, "credentials");
    goto invalid;
  }
  return BUILD_OK;
oom:
  snprintf(err, errlen, "out of memory building the request");
invalid:
  rtc_buf_free(&req->target);
  rtc_buf_free(&req->body);
  return BUILD_INVALID;
}

/* ================================================================ decode */

static const char *skip_blanks(const char *s, const char *end) {
  if (end - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3; /* a BOM */
  while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
  return s;
}

/* Decodes body as a JSON object onto the stack; 0 and a reason when it is not one. */
static int decode_object(lua_State *L, rtc_client *c, const char *body, size_t len, char *why,
                         size_t whylen, const char *content_type) {
  const char *start = skip_blanks(body, body + len);
  if (start == body + len) {
    snprintf(why, whylen, "the answer has no body where a JSON object was expected");
    return 0;
  }
  if (*start != '{') {
    snprintf(why, whylen, "the answer is not a JSON object (content-type %s, starts with \"%.16s\")",
             content_type && content_type[0] ? content_type : "none", start);
    {
      char *p;
      for (p = why; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
    }
    return 0;
  }
  if (!rtc_utf8_valid(body, len)) {
    snprintf(why, whylen, "the answer is not valid UTF-8");
    return 0;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->module->decode_ref);
  lua_pushlstring(L, start, (size_t)(body + len - start)); /* from the '{': no BOM for cjson */
  if (lua_pcall(L, 1, 1, 0) != 0) {
    snprintf(why, whylen, "the answer is not valid JSON: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  if (lua_type(L, -1) != LUA_TTABLE) { /* cannot happen after '{', but cheap to be sure */
    lua_pop(L, 1);
    snprintf(why, whylen, "the answer is not a JSON object");
    return 0;
  }
  return 1;
}

/* The first string (or number) among keys of the decoded error body at idx. */
/* The first non-empty string (or number, as text) among keys of the decoded error body at idx.
 * A number is replaced in the table by its text, so that the table keeps the string alive. */
static const char *first_field(lua_State *L, int idx, const char *const *keys) {
  for (; *keys; keys++) {
    lua_pushstring(L, *keys);
    lua_rawget(L, idx);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      char text[64];
      double d = (double)lua_tonumber(L, -1);
      if (d == floor(d) && fabs(d) < 1e15) snprintf(text, sizeof text, "%.0f", d); /* 1001, not 1001.0 */
      else snprintf(text, sizeof text, "%.17g", d);
      lua_pop(L, 1);
      lua_pushstring(L, *keys);
      lua_pushstring(L, text);
      lua_rawset(L, idx);
      lua_pushstring(L, *keys);
      lua_rawget(L, idx);
    }
    if (lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) > 0) {
      const char *s = lua_tostring(L, -1);
      lua_pop(L, 1); /* the table holds this very string */
      return s;
    }
    lua_pop(L, 1);
  }
  return NULL;
}

/* Text of a body that is not JSON, cut and made printable for a one-line message. */
static void body_excerpt(const char *body, size_t len, char *out, size_t outlen) {
  size_t i, o = 0;
  for (i = 0; i < len && o + 4 < outlen && i < 200; i++) {
    unsigned char ch = (unsigned char)body[i];
    out[o++] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : (ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
  }
  if (i < len && o + 4 < outlen) { memcpy(out + o, "...", 3); o += 3; }
  out[o] = '\0';
}

static void decode_error_answer(lua_State *L, rtc_client *c, long status, const char *rid,
                                const char *content_type, const char *location, const char *body,
                                size_t len) {
  static const char *const code_keys[] = {"error_code", "errorCode", "code", NULL};
  static const char *const msg_keys[] = {"error_msg", "errorMsg", "message", "msg", NULL};
  static const char *const rid_keys[] = {"request_id", "requestId", NULL};
  char why[320];
  lua_pushnil(L);
  if (status >= 300 && status < 400) {
    snprintf(why, sizeof why, "unexpected redirect%s%s (not followed: it could carry the "
             "credentials elsewhere)", location && location[0] ? " to " : "",
             location ? location : "");
    rtc_push_error(L, "api", status, NULL, why, rid, NULL);
    return;
  }
  if (len > 0 && decode_object(L, c, body, len, why, sizeof why, content_type)) {
    int t = lua_gettop(L);
    const char *code = first_field(L, t, code_keys);
    const char *msg = first_field(L, t, msg_keys);
    if (rid == NULL) rid = first_field(L, t, rid_keys);
    if (msg == NULL) body_excerpt(body, len, why, sizeof why);
    rtc_push_error(L, "api", status, code, msg ? msg : why, rid, NULL);
    lua_remove(L, t);
    return;
  }
  if (len == 0) snprintf(why, sizeof why, "(empty body)");
  else body_excerpt(body, len, why, sizeof why);
  rtc_push_error(L, "api", status, NULL, why, rid, NULL);
}

void rtc_decode(lua_State *L, rtc_client *c, const rtc_operation *op, long status,
                const char *request_id, const char *content_type, const char *location,
                const char *body, size_t len) {
  char why[320];
  luaL_checkstack(L, 10, "rtc: decode");
  if (request_id && request_id[0] == '\0') request_id = NULL;
  if (status < 200 || status > 599) {
    snprintf(why, sizeof why, "unexpected HTTP status %ld", status);
    lua_pushnil(L);
    rtc_push_error(L, "decode", status, NULL, why, request_id, NULL);
    return;
  }
  if (status >= 300) {
    decode_error_answer(L, c, status, request_id, content_type, location, body, len);
    return;
  }
  if (op->response == NULL) { /* stop_job: 204, whatever body there may be */
    lua_createtable(L, 0, 1);
    set_string(L, "request_id", request_id);
    luaL_setmetatable(L, RTC_RESULT_MT);
    lua_pushnil(L);
    return;
  }
  if (!decode_object(L, c, body, len, why, sizeof why, content_type)) {
    lua_pushnil(L);
    rtc_push_error(L, "decode", status, NULL, why, request_id, NULL);
    return;
  }
  rtc_normalize(L, -1, op->response);
  set_string(L, "request_id", request_id);
  luaL_setmetatable(L, RTC_JOB_MT);
  lua_pushnil(L);
}

/* ================================================================ calls */

/* Pushes what a finished call returns (result, err: one of them nil), decoding its answer. The
 * call was taken out of the dispatcher: this code owns it, and frees it once pushed. */
static void push_outcome(lua_State *L, rtc_client *c, rtc_call *call) {
  const rtc_transfer *t = &call->t;
  if (call->err_kind) {
    lua_pushnil(L);
    rtc_push_error(L, call->err_kind, call->t.status, NULL,
                   call->err_message ? call->err_message : "out of memory",
                   t->request_id[0] ? t->request_id : NULL, NULL);
  } else {
    rtc_decode(L, c, call->op, t->status, t->request_id[0] ? t->request_id : NULL,
               t->content_type, t->location, t->response.data ? t->response.data : "",
               t->response.len);
  }
  if (!lua_isnil(L, -1)) {
    lua_pushinteger(L, call->attempts);
    lua_setfield(L, -2, "attempts");
  }
}

static void free_call(rtc_client *c, rtc_call *call) {
  if (c->open) rtc_dispatch_release(&c->d, call);
}

static int fail_invalid(lua_State *L, const char *err, const char *field) {
  lua_pushnil(L);
  rtc_push_error(L, "invalid", 0, NULL, err, NULL, field[0] ? field : NULL);
  return 2;
}

/* Validates and builds the request of op from the arguments at base.. Misuse (Lua types) raises,
 * naming fname and the argument as the user counts it (after the client); invalid input returns 0
 * with nil, err pushed. */
static int build_or_fail(lua_State *L, rtc_client *c, const rtc_operation *op, int base,
                         const char *fname, rtc_request *req) {
  char err[512], field[256];
  int badarg;
  switch (build_request(L, c, op, base, req, err, sizeof err, field, sizeof field, &badarg)) {
  case BUILD_MISUSE: /* arg 1 is the client (a method's self, or the default one inserted) */
    luaL_error(L, "bad argument #%d to '%s' (%s)", badarg - 1, fname, err);
    return 0;
  case BUILD_INVALID:
    fail_invalid(L, err, field);
    return 0;
  case BUILD_OK: break;
  }
  return 1;
}

static rtc_call *queue_call(lua_State *L, rtc_client *c, rtc_request *req, rtc_call_class cls) {
  rtc_call *call = rtc_dispatch_submit(&c->d, req->op, &req->target, &req->body, cls);
  if (call == NULL) luaL_error(L, "rtc: out of memory");
  return call;
}

/* Runs op with the arguments at base.. on client c: the whole pipeline. No Lua runs while the
 * dispatcher holds the call; decoding and the debug callback run after it returned. */
static int run_call(lua_State *L, rtc_client *c, const rtc_operation *op, int base) {
  rtc_request req;
  rtc_call *call;
  if (!build_or_fail(L, c, op, base, op->name, &req)) return 2;
  call = queue_call(L, c, &req, RTC_CALL_BLOCKING);
  enter(c);
  rtc_dispatch_run(&c->d, -1, call, RTC_CALL_BLOCKING);
  flush_debug(L, c);
  push_outcome(L, c, call);
  free_call(c, call);
  leave(L, c);
  if (!lua_isnil(L, -2)) {
    lua_pop(L, 1);
    return 1;
  }
  return 2;
}

static int default_client(lua_State *L); /* pushes it, or nil, err */

/* client:update_job(...) and rtc.update_job(...): upvalue 2 is the operation, upvalue 3 says
 * whether this is the module's function (default client) or a method. */
static int l_operation(lua_State *L) {
  const rtc_operation *op = lua_touserdata(L, lua_upvalueindex(2));
  if (lua_toboolean(L, lua_upvalueindex(3))) {
    int n = default_client(L);
    rtc_client *c;
    if (n == 2) return 2;
    c = check_client(L, -1);
    lua_insert(L, 1);
    return run_call(L, c, op, 2);
  }
  return run_call(L, check_client(L, 1), op, 2);
}

static const rtc_operation *check_operation(lua_State *L, int idx) {
  const char *name = luaL_checkstring(L, idx);
  const rtc_operation *op = rtc_find_operation(name);
  if (op == NULL)
    luaL_argerror(L, idx, lua_pushfstring(L, "unknown operation \"%s\" (expected %s)", name,
                                             rtc_operation_names()));
  return op;
}

static int push_headers(lua_State *L, const rtc_headers *h) {
  size_t i;
  lua_createtable(L, 0, (int)h->n);
  for (i = 0; i < h->n; i++) {
    lua_pushstring(L, h->value[i]);
    lua_setfield(L, -2, h->name[i]);
  }
  return 1;
}

/* client:prepare(op, ..., {now = unix seconds, endpoint = k}) -> { method, url, headers, body }:
 * built and signed, not sent; the same inputs give the same bytes. */
static int client_prepare(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  const rtc_operation *op = check_operation(L, 2);
  rtc_request req;
  rtc_headers h;
  char err[512];
  const rtc_endpoint *ep;
  int extra = 3 + rtc_operation_nparams(op) + (op->request ? 1 : 0), endpoint = c->d.preferred;
  time_t now = time(NULL);
  if (lua_type(L, extra) == LUA_TTABLE) {
    lua_getfield(L, extra, "now");
    if (!lua_isnil(L, -1)) {
      lua_Number t = luaL_checknumber(L, -1);
      luaL_argcheck(L, t >= 0 && t < 253402300800.0, extra, "opts.now: expected unix seconds");
      now = (time_t)t;
    }
    lua_getfield(L, extra, "endpoint");
    if (!lua_isnil(L, -1)) {
      lua_Integer k = luaL_checkinteger(L, -1);
      luaL_argcheck(L, k >= 1 && k <= c->cfg.nendpoints, extra,
                    "opts.endpoint: expected the 1-based number of an endpoint");
      endpoint = (int)k - 1;
    }
    lua_pop(L, 2);
  } else if (!lua_isnoneornil(L, extra)) {
    luaL_checktype(L, extra, LUA_TTABLE);
  }
  if (!build_or_fail(L, c, op, 3, "prepare", &req)) return 2;
  ep = &c->cfg.endpoints[endpoint];
  if (rtc_build_headers(&c->cfg, endpoint, op, &req.target, &req.body, now, &h, err,
                        sizeof err) != 0) {
    rtc_buf_free(&req.target);
    rtc_buf_free(&req.body);
    return luaL_error(L, "rtc: %s", err);
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, op->method);
  lua_setfield(L, -2, "method");
  lua_pushstring(L, ep->base);
  lua_pushlstring(L, req.target.data, req.target.len);
  lua_concat(L, 2);
  lua_setfield(L, -2, "url");
  push_headers(L, &h);
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, req.body.data ? req.body.data : "", req.body.len);
  lua_setfield(L, -2, "body");
  rtc_headers_free(&h);
  rtc_buf_free(&req.target);
  rtc_buf_free(&req.body);
  return 1;
}

/* Case-insensitive look-up in a headers table given to decode. */
static const char *find_header(lua_State *L, int idx, const char *name) {
  size_t n = strlen(name);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_rawlen(L, -2) == n) {
      const char *k = lua_tostring(L, -2);
      size_t i;
      for (i = 0; i < n && tolower((unsigned char)k[i]) == name[i]; i++) {}
      if (i == n && (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TTABLE)) {
        const char *v = NULL;
        if (lua_type(L, -1) == LUA_TTABLE) { /* ngx.resp.get_headers gives lists for repeats */
          lua_rawgeti(L, -1, 1);
          lua_remove(L, -2);
        }
        if (lua_type(L, -1) == LUA_TSTRING) v = lua_tostring(L, -1); /* strings only: see field_string */
        lua_pop(L, 2);
        return v; /* held by the headers table (or its list) */
      }
    }
    lua_pop(L, 1);
  }
  return NULL;
}

/* client:decode(op, status, headers, body) -> exactly what the real call returns. */
static int client_decode(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  const rtc_operation *op = check_operation(L, 2);
  long status = (long)luaL_checkinteger(L, 3);
  size_t len = 0;
  const char *body, *rid = NULL, *ctype = NULL, *location = NULL;
  if (!lua_isnoneornil(L, 4)) {
    luaL_checktype(L, 4, LUA_TTABLE);
    rid = find_header(L, 4, "x-request-id");
    ctype = find_header(L, 4, "content-type");
    location = find_header(L, 4, "location");
  }
  body = luaL_optlstring(L, 5, "", &len);
  rtc_decode(L, c, op, status, rid, ctype, location, body, len);
  if (lua_isnil(L, -2)) return 2; /* nil, err */
  lua_pop(L, 1);
  return 1;
}

/* ================================================================ start / poll / batch */

static rtc_call *find_call(rtc_client *c, lua_Integer id) {
  rtc_call *call;
  for (call = c->d.all; call; call = call->next_all)
    if (call->id == id && call->cls == RTC_CALL_STARTED) return call;
  return NULL;
}

/* client:start(op, ...) -> id: the call runs while the caller polls. */
static int client_start(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  const rtc_operation *op = check_operation(L, 2);
  rtc_request req;
  rtc_call *call;
  if (!build_or_fail(L, c, op, 3, "start", &req)) return 2;
  call = queue_call(L, c, &req, RTC_CALL_STARTED);
  lua_pushinteger(L, (lua_Integer)call->id);
  enter(c);
  rtc_dispatch_run(&c->d, 0, NULL, RTC_CALL_STARTED); /* get it on the wire now; never waits */
  flush_debug(L, c);
  leave(L, c);
  return 1;
}

/* Each step takes one finished call out of the client, then decodes it: the client may be
 * closed by then (the result is the iterator's own). */
static int poll_next(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, lua_upvalueindex(1), RTC_CLIENT_MT);
  rtc_call *call;
  if (c->closed || c->busy || !c->open) return 0;
  call = rtc_dispatch_take_done(&c->d, RTC_CALL_STARTED);
  if (call == NULL) return 0;
  enter(c);
  lua_pushinteger(L, (lua_Integer)call->id);
  push_outcome(L, c, call);
  free_call(c, call);
  leave(L, c);
  return 3;
}

/* for id, result, err in client:poll(timeout) do ... end — waits at most timeout seconds
 * (0: never blocks) for at least one call to finish, then yields every finished call. */
static int client_poll(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  double wait = (double)luaL_optnumber(L, 2, 0);
  luaL_argcheck(L, wait >= 0 && wait <= 86400, 2, "expected a timeout from 0 to 86400 seconds");
  if (rtc_dispatch_peek_done(&c->d, RTC_CALL_STARTED) == NULL) {
    enter(c);
    rtc_dispatch_run(&c->d, wait, NULL, RTC_CALL_STARTED);
    flush_debug(L, c);
    leave(L, c);
  }
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, poll_next, 1);
  return 1;
}

static int client_timeout(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  double t = rtc_dispatch_peek_done(&c->d, RTC_CALL_STARTED) ? 0 : rtc_dispatch_timeout(&c->d);
  if (t < 0) lua_pushnil(L);
  else lua_pushnumber(L, (lua_Number)t);
  return 1;
}

/* client:fds() -> readable, writable: the sockets libcurl waits on now (tracked with its socket
 * callback: exact for any descriptor number), for an event loop that sleeps on its own. */
static int client_fds(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  size_t i;
  int nr = 0, nw = 0;
  lua_newtable(L);
  lua_newtable(L);
  for (i = 0; i < c->d.engine.nsockets; i++) {
    const rtc_socket *s = &c->d.engine.sockets[i];
    if (s->what & CURL_POLL_IN) {
      lua_pushinteger(L, (lua_Integer)s->fd);
      lua_rawseti(L, -3, ++nr);
    }
    if (s->what & CURL_POLL_OUT) {
      lua_pushinteger(L, (lua_Integer)s->fd);
      lua_rawseti(L, -2, ++nw);
    }
  }
  return 2;
}

static int client_pending(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  rtc_call *call;
  lua_Integer n = 0;
  for (call = c->d.all; call; call = call->next_all)
    if (call->cls == RTC_CALL_STARTED) n++;
  lua_pushinteger(L, n);
  return 1;
}

static int client_cancel(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  rtc_call *call = find_call(c, luaL_checkinteger(L, 2));
  int cancelled = call != NULL && call->state != RTC_CALL_DONE;
  if (cancelled) rtc_dispatch_cancel(&c->d, call);
  lua_pushboolean(L, cancelled);
  return 1;
}

/* progress(done, total, index, result, err), with result, err on the stack top (kept). */
static void batch_progress(lua_State *L, rtc_client *c, int done, int total, int index) {
  if (c->progress_ref == LUA_NOREF) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->progress_ref);
  lua_pushinteger(L, done);
  lua_pushinteger(L, total);
  lua_pushinteger(L, index);
  lua_pushvalue(L, -6);
  lua_pushvalue(L, -6);
  if (lua_pcall(L, 5, 0, 0) != 0) lua_pop(L, 1); /* a failing callback must not stop the batch */
}

/* Stores outcome (result, err on top of the stack) as results[index] = {result=} or {err=}
 * (results 0: not kept); pops them. */
static void store_outcome(lua_State *L, int results, int index, lua_Integer *ok,
                          lua_Integer *failed) {
  if (lua_isnil(L, -1)) (*ok)++;
  else (*failed)++;
  if (results) {
    lua_createtable(L, 0, 1);
    if (lua_isnil(L, -2)) {
      lua_pushvalue(L, -3);
      lua_setfield(L, -2, "result");
    } else {
      lua_pushvalue(L, -2);
      lua_setfield(L, -2, "err");
    }
    lua_rawseti(L, results, index);
  }
  lua_pop(L, 2);
}

/* client:batch(calls, opts) -> results, { ok = n, failed = n }. Every entry is checked for
 * misuse first; then calls are queued, and each finished one is taken out, decoded, given to
 * progress and freed as the batch goes (opts.keep_results = false: results only through
 * progress, in flat memory). */
static int client_batch(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  size_t n, i;
  int results = 0, saved_limit = c->d.limit, keep = 1, done = 0, progress = 0, total;
  lua_Integer concurrency = (lua_Integer)c->cfg.concurrency, ok = 0, failed = 0;
  rtc_call *call;
  luaL_checktype(L, 2, LUA_TTABLE);
  n = lua_rawlen(L, 2);
  luaL_argcheck(L, n <= RTC_MAX_BATCH, 2, "at most 1000000 calls in one batch");
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_getfield(L, 3, "concurrency");
    if (!lua_isnil(L, -1)) {
      concurrency = luaL_checkinteger(L, -1);
      luaL_argcheck(L, concurrency >= 1 && concurrency <= 4096, 3,
                    "opts.concurrency: expected a whole number from 1 to 4096");
    }
    lua_getfield(L, 3, "progress");
    if (!lua_isnil(L, -1)) {
      luaL_argcheck(L, lua_type(L, -1) == LUA_TFUNCTION, 3, "opts.progress: expected a function");
      progress = 1;
    }
    lua_getfield(L, 3, "keep_results");
    if (!lua_isnil(L, -1)) {
      luaL_argcheck(L, lua_type(L, -1) == LUA_TBOOLEAN, 3, "opts.keep_results: expected a boolean");
      keep = lua_toboolean(L, -1);
    }
    lua_pop(L, 3);
  }
  /* every entry is checked for misuse before anything is sent */
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, 2, (int)i);
    if (lua_type(L, -1) != LUA_TTABLE)
      return luaL_error(L, "bad argument #1 to 'batch' (calls[%d]: expected a table such as "
                           "{\"update_job\", app_id, job_id, params})", (int)i);
    lua_rawgeti(L, -1, 1);
    if (lua_type(L, -1) != LUA_TSTRING || rtc_find_operation(lua_tostring(L, -1)) == NULL)
      return luaL_error(L, "bad argument #1 to 'batch' (calls[%d][1]: expected an operation "
                           "name: %s)", (int)i, rtc_operation_names());
    lua_pop(L, 2);
  }
  lua_createtable(L, keep ? (int)n : 0, 0);
  if (keep) results = lua_gettop(L);
  total = (int)n;
  if (progress) { /* a reference from here on: every way out below drops it */
    lua_getfield(L, 3, "progress");
    c->progress_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  /* build and queue everything; misuse in an entry drops what was queued and raises */
  for (i = 1; i <= n; i++) {
    rtc_request req;
    char err[512], field[256];
    const rtc_operation *op;
    int base, k, np, top = lua_gettop(L);
    lua_rawgeti(L, 2, (int)i);
    lua_rawgeti(L, -1, 1);
    op = rtc_find_operation(lua_tostring(L, -1));
    lua_pop(L, 1);
    base = lua_gettop(L) + 1;
    np = rtc_operation_nparams(op);
    luaL_checkstack(L, np + 4, "rtc: batch");
    for (k = 0; k <= np; k++) lua_rawgeti(L, base - 1, k + 2);
    switch (build_request(L, c, op, base, &req, err, sizeof err, field, sizeof field, &k)) {
    case BUILD_MISUSE: {
      rtc_call *next;
      for (call = c->d.all; call; call = next) {
        next = call->next_all;
        if (call->cls == RTC_CALL_BATCH) rtc_dispatch_release(&c->d, call);
      }
      luaL_unref(L, LUA_REGISTRYINDEX, c->progress_ref);
      c->progress_ref = LUA_NOREF;
      return luaL_error(L, "bad argument #1 to 'batch' (calls[%d]: %s)", (int)i, err);
    }
    case BUILD_INVALID:
      lua_settop(L, top);
      break;
    case BUILD_OK:
      lua_settop(L, top);
      call = rtc_dispatch_submit(&c->d, op, &req.target, &req.body, RTC_CALL_BATCH);
      if (call == NULL) {
        luaL_unref(L, LUA_REGISTRYINDEX, c->progress_ref);
        c->progress_ref = LUA_NOREF;
        return luaL_error(L, "rtc: out of memory");
      }
      call->batch_index = (int)i;
      continue;
    }
    /* invalid entries are answered at once, in order, before anything is sent */
    lua_pushnil(L);
    rtc_push_error(L, "invalid", 0, NULL, err, NULL, field[0] ? field : NULL);
    done++;
    enter(c);
    batch_progress(L, c, done, total, (int)i);
    c->busy = 0;
    store_outcome(L, results, (int)i, &ok, &failed);
  }
  c->d.limit = (int)concurrency;
  enter(c);
  while (done < total) {
    rtc_dispatch_run(&c->d, -1, NULL, RTC_CALL_BATCH);
    flush_debug(L, c);
    if (rtc_dispatch_peek_done(&c->d, RTC_CALL_BATCH) == NULL) break; /* cannot happen */
    while ((call = rtc_dispatch_take_done(&c->d, RTC_CALL_BATCH)) != NULL) {
      int index = call->batch_index;
      push_outcome(L, c, call);
      free_call(c, call); /* the C state goes as soon as the result is Lua's */
      done++;
      batch_progress(L, c, done, total, index);
      store_outcome(L, results, index, &ok, &failed);
    }
  }
  if (c->open) {
    rtc_call *next;
    c->d.limit = saved_limit;
    for (call = c->d.all; call; call = next) { /* left only when closed mid-batch */
      next = call->next_all;
      if (call->cls == RTC_CALL_BATCH) rtc_dispatch_release(&c->d, call);
    }
  }
  if (c->progress_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, c->progress_ref);
  c->progress_ref = LUA_NOREF;
  leave(L, c);
  if (!keep) lua_pushnil(L);
  else lua_pushvalue(L, results);
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, ok);
  lua_setfield(L, -2, "ok");
  lua_pushinteger(L, failed);
  lua_setfield(L, -2, "failed");
  return 2;
}

static int client_policy(lua_State *L) {
  rtc_client *c = check_client(L, 1);
  rtc_push_client_policy(L, &c->cfg);
  return 1;
}

/* ================================================================ the module */

static int l_new(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
  new_client(L, lua_isnoneornil(L, 1) ? 0 : 1); /* no options: from the environment */
  return 1;
}

/* rtc.new(opts) under pcall, so that a bad environment becomes nil, err for module calls. */
static int protected_new(lua_State *L) {
  new_client(L, lua_isnoneornil(L, 1) ? 0 : 1);
  return 1;
}

static int default_client(lua_State *L) {
  rtc_module *m = module_state(L);
  if (m->default_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->default_ref);
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushcclosure(L, protected_new, 1);
  if (lua_pcall(L, 0, 1, 0) != 0) { /* the environment held bad values */
    if (lua_type(L, -1) != LUA_TTABLE) {
      const char *msg = lua_tostring(L, -1);
      lua_pushnil(L);
      rtc_push_error(L, "invalid", 0, NULL, msg ? msg : "bad environment", NULL, NULL);
      return 2;
    }
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushvalue(L, -1);
  m->default_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 1;
}

/* rtc.configure(opts): the default client is rebuilt from opts (no opts: the environment). */
static int l_configure(lua_State *L) {
  rtc_module *m = module_state(L);
  int old = m->default_ref;
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    new_client(L, 1); /* raises on bad options, leaving the old default in place */
    m->default_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else {
    m->default_ref = LUA_NOREF; /* rebuilt from the environment on next use */
  }
  if (old != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, old);
    luaL_unref(L, LUA_REGISTRYINDEX, old);
    lua_pushcfunction(L, client_close);
    lua_insert(L, -2);
    lua_call(L, 1, 0);
  }
  return 0;
}

static int module_gc(lua_State *L) {
  rtc_module *m = lua_touserdata(L, 1);
  if (m->default_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, m->default_ref);
  m->default_ref = LUA_NOREF;
  return 0;
}

static const luaL_Reg client_methods[] = {
  {"prepare", client_prepare}, {"decode", client_decode}, {"start", client_start},
  {"poll", client_poll},       {"timeout", client_timeout}, {"pending", client_pending},
  {"cancel", client_cancel},   {"batch", client_batch},   {"close", client_close},
  {"fds", client_fds},         {"policy", client_policy},
  {NULL, NULL}};

static const luaL_Reg client_meta[] = {
  {"__gc", client_close}, {"__close", client_close}, {"__tostring", client_tostring},
  {NULL, NULL}};

static const luaL_Reg module_functions[] = {
  {"new", l_new}, {"configure", l_configure}, {"sign", rtc_l_sign}, {"policy", rtc_l_policy},
  {"assert", l_assert}, {"operations", rtc_l_operations}, {"operation", rtc_l_operation},
  {NULL, NULL}};

/* One row of rtc_operations becomes a method and a module function: nothing per operation. */
static void register_operations(lua_State *L, int target, int is_module) {
  size_t i;
  for (i = 0; i < rtc_noperations; i++) {
    lua_pushvalue(L, -1); /* module state */
    lua_pushlightuserdata(L, (void *)&rtc_operations[i]);
    lua_pushboolean(L, is_module);
    lua_pushcclosure(L, l_operation, 3);
    lua_setfield(L, target, rtc_operations[i].name);
  }
}

/* Loads lua-cjson and keeps a private instance's encode and decode: the caller's own cjson
 * settings never change what is sent or how answers are read. */
static void open_json(lua_State *L, rtc_module *m) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cjson");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "new");
  lua_call(L, 0, 1);
  lua_getfield(L, -1, "decode_invalid_numbers"); /* no NaN, Infinity or hex in answers */
  lua_pushboolean(L, 0);
  lua_call(L, 1, 0);
  lua_getfield(L, -1, "decode_max_depth");
  lua_pushinteger(L, 128);
  lua_call(L, 1, 0);
  lua_getfield(L, -1, "encode_invalid_numbers");
  lua_pushboolean(L, 0);
  lua_call(L, 1, 0);
  lua_getfield(L, -1, "encode");
  m->encode_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_getfield(L, -1, "decode");
  m->decode_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 2);
}

/* The metatable of a value the module hands out (error, job, result): __name and __tostring
 * only, the tostring function getting the name as its upvalue. __name is set by
 * luaL_newmetatable from 5.3 on; set here for 5.1/LuaJIT too. */
static void value_metatable(lua_State *L, const char *name, lua_CFunction tostring_fn,
                            lua_CFunction concat_fn) {
  if (luaL_newmetatable(L, name)) {
    int mt = lua_gettop(L), k;
    lua_newtable(L); /* what getmetatable shows: the same fields, a copy; the real one is protected */
    for (k = 0; k < 2; k++) {
      lua_pushstring(L, name);
      lua_setfield(L, k ? -2 : mt, "__name");
      lua_pushstring(L, name);
      lua_pushcclosure(L, tostring_fn, 1);
      lua_setfield(L, k ? -2 : mt, "__tostring");
      if (concat_fn) {
        lua_pushcfunction(L, concat_fn);
        lua_setfield(L, k ? -2 : mt, "__concat");
      }
    }
    lua_setfield(L, mt, "__metatable");
  }
  lua_pop(L, 1);
}

int luaopen_rtc(lua_State *L) {
  static int curl_ready = 0;
  rtc_module *m;
  int module;
  if (!curl_ready) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      return luaL_error(L, "rtc: curl_global_init failed");
    curl_ready = 1;
  }
  value_metatable(L, RTC_ERROR_MT, error_tostring, error_concat);
  value_metatable(L, RTC_JOB_MT, job_tostring, NULL);
  value_metatable(L, RTC_RESULT_MT, job_tostring, NULL);
  rtc_policy_open(L);

  lua_newtable(L);
  module = lua_gettop(L);
  m = lua_newuserdata(L, sizeof *m);
  m->encode_ref = m->decode_ref = m->default_ref = LUA_NOREF;
  lua_newtable(L);
  lua_pushcfunction(L, module_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  open_json(L, m);

  luaL_newmetatable(L, RTC_CLIENT_MT); /* methods share the module state as upvalue 1 */
  lua_pushliteral(L, RTC_CLIENT_MT);
  lua_setfield(L, -2, "__name");
  lua_pushliteral(L, RTC_CLIENT_MT);
  lua_setfield(L, -2, "__metatable"); /* protected: no one swaps __gc or __index */
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, client_meta, 1);
  lua_newtable(L);
  lua_pushvalue(L, -3);
  luaL_setfuncs(L, client_methods, 1);
  lua_pushvalue(L, -3);
  register_operations(L, lua_gettop(L) - 1, 0);
  lua_pop(L, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);

  lua_pushvalue(L, -1);
  register_operations(L, module, 1);
  lua_pop(L, 1);
  luaL_setfuncs(L, module_functions, 1);
  lua_pushliteral(L, RTC_VERSION);
  lua_setfield(L, module, "_VERSION");
  return 1;
}
