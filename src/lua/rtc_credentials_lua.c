/* rtc_credentials_lua.c: rtc.credentials(opts), the Lua face of the credentials chain
 * (rtc_credentials.c). It says where each value came from, with the secrets masked:
 *   { kind = "aksk"|"token"|"none", ak = "AKIA****", sk = "****", security_token = "****",
 *     token = "****", project_id = "...", expires_at = <unix seconds>|nil, endpoint = "https://..",
 *     source = { ak = "profile /root/.huaweicloud/credentials [basic]", sk = ..., project_id = ..,
 *                endpoint = "option region cn-north-4" }, tried = "options, env ..., ..." }
 * or nil, err (an rtc.error, kind "invalid" or "transport"). Wrong argument types raise. */
#include <stdio.h>
#include <string.h>

#include "rtc_lua.h"
#include "rtc_credentials.h"

/* Debug lines wait here while the chain runs: no Lua code runs while C is inside it. */
typedef struct pending_lines {
  char lines[8][768];
  int n;
} pending_lines;

static void queue_line(void *ud, const char *line) {
  pending_lines *p = ud;
  if (p->n < 8) snprintf(p->lines[p->n++], sizeof p->lines[0], "%s", line);
}

/* opts[key] read raw (no metamethod runs), left on the stack: the string stays anchored there
 * until the call returns, whatever Lua code (a finalizer) does to opts meanwhile. */
static const char *opt_string(lua_State *L, int idx, const char *key) {
  const char *s = NULL;
  rtc_raw_field(L, idx, key);
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "rtc.credentials: opts.%s: expected a string, got %s", key,
                 luaL_typename(L, -1));
    s = lua_tostring(L, -1);
    if (strlen(s) != lua_rawlen(L, -1))
      luaL_error(L, "rtc.credentials: opts.%s: expected a string without NUL bytes", key);
  }
  return s;
}

static void set_str(lua_State *L, const char *key, const char *value) {
  if (value == NULL) return;
  lua_pushstring(L, value);
  lua_setfield(L, -2, key);
}

/* "AKIA****": an AK names a key, so a few bytes help find it; short ones are hidden whole. */
static void push_masked_ak(lua_State *L, const char *ak) {
  if (strlen(ak) >= 8) lua_pushfstring(L, "%c%c%c%c****", ak[0], ak[1], ak[2], ak[3]);
  else lua_pushliteral(L, "****");
}

static void flush_debug(lua_State *L, int fn, pending_lines *p) {
  int i;
  if (fn == 0) return;
  for (i = 0; i < p->n; i++) {
    lua_pushvalue(L, fn);
    lua_pushstring(L, p->lines[i]);
    if (lua_pcall(L, 1, 0, 0) != 0) lua_pop(L, 1); /* a failing logger must not fail the call */
  }
}

int lrtc_credentials(lua_State *L) {
  rtc_cred_request in;
  rtc_credentials c;
  pending_lines lines;
  char err[1024], endpoint_source[128];
  const char *region, *url;
  int rc, debug_fn = 0, endpoint_given = 0;
  memset(&in, 0, sizeof in);
  lines.n = 0;
  in.metadata = -1;
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  rtc_raw_field(L, 1, "endpoint"); /* at index 2 */
  endpoint_given = !lua_isnil(L, 2);
  if (endpoint_given && lua_type(L, 2) != LUA_TSTRING && !lua_istable(L, 2))
    return luaL_error(L, "rtc.credentials: opts.endpoint: expected a URL or a list of URLs");
  rtc_raw_field(L, 1, "debug"); /* at index 3 */
  if (!lua_isnil(L, 3)) {
    if (!lua_isfunction(L, 3))
      return luaL_error(L, "rtc.credentials: opts.debug: expected a function");
    debug_fn = 3;
  }
  rtc_raw_field(L, 1, "metadata"); /* at index 4 */
  if (!lua_isnil(L, 4)) {
    if (!lua_isboolean(L, 4))
      return luaL_error(L, "rtc.credentials: opts.metadata: expected a boolean, got %s",
                        luaL_typename(L, 4));
    in.metadata = lua_toboolean(L, 4);
  }
  in.ak = opt_string(L, 1, "ak");
  in.sk = opt_string(L, 1, "sk");
  in.project_id = opt_string(L, 1, "project_id");
  in.security_token = opt_string(L, 1, "security_token");
  in.token = opt_string(L, 1, "token");
  in.profile = opt_string(L, 1, "profile");
  in.credentials_file = opt_string(L, 1, "credentials_file");
  in.metadata_url = opt_string(L, 1, "metadata_url");
  region = opt_string(L, 1, "region");
  in.debug = queue_line;
  in.debug_ud = &lines;

  if (rtc_endpoint_choose(endpoint_given, region, &url, endpoint_source, sizeof endpoint_source,
                          err, sizeof err) != RTC_CRED_OK) {
    lua_pushnil(L);
    rtc_push_error(L, "invalid", 0, NULL, err, NULL, region ? "region" : NULL);
    return 2;
  }
  rc = rtc_credentials_resolve(&in, &c, err, sizeof err);
  if (rc != RTC_CRED_OK) {
    rtc_credentials_free(&c);
    flush_debug(L, debug_fn, &lines);
    if (rc == RTC_CRED_NOMEM) return luaL_error(L, "rtc.credentials: out of memory");
    lua_pushnil(L);
    rtc_push_error(L, rtc_cred_kind(rc), 0, NULL, err, NULL, NULL);
    return 2;
  }
  /* build the answer into Lua values first: the C copies are wiped before any Lua runs */
  lua_createtable(L, 0, 10);
  lua_pushstring(L, c.kind == RTC_AUTH_AKSK ? "aksk" : c.kind == RTC_AUTH_TOKEN ? "token"
                                                                               : "none");
  lua_setfield(L, -2, "kind");
  if (c.ak) {
    push_masked_ak(L, c.ak);
    lua_setfield(L, -2, "ak");
  }
  if (c.sk) set_str(L, "sk", "****");
  if (c.security_token) set_str(L, "security_token", "****");
  if (c.token) set_str(L, "token", "****");
  set_str(L, "project_id", c.project_id);
  if (c.expires_at > 0) {
    lua_pushnumber(L, c.expires_at);
    lua_setfield(L, -2, "expires_at");
  }
  if (url) set_str(L, "endpoint", url);
  else {
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "endpoint");
  }
  if (region) set_str(L, "region", region);
  set_str(L, "tried", c.tried);
  lua_createtable(L, 0, 6);
  if (c.ak) set_str(L, "ak", c.source);
  if (c.sk) set_str(L, "sk", c.source);
  if (c.security_token) set_str(L, "security_token", c.source);
  if (c.token) set_str(L, "token", c.source);
  if (c.project_id) set_str(L, "project_id", c.project_source);
  set_str(L, "endpoint", endpoint_source);
  lua_setfield(L, -2, "source");
  rtc_credentials_free(&c);
  flush_debug(L, debug_fn, &lines);
  return 1;
}
