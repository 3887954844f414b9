/* rtc_error.c: the error object (one push function, __tostring and __concat), rtc.assert, and
 * the tostring of jobs and results. Server text is escaped for display (rtc_text_escape). Calls
 * rtc_text and rtc_buf only. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "rtc_lua.h"

void rtc_set_string(lua_State *L, const char *key, const char *value) {
  if (value == NULL || value[0] == '\0') return;
  lua_pushstring(L, value);
  lua_setfield(L, -2, key);
}

void rtc_push_error(lua_State *L, const char *kind, long status, const char *code,
                    const char *message, const char *request_id, const char *field) {
  lua_createtable(L, 0, 7);
  rtc_set_string(L, "kind", kind);
  if (status > 0) {
    lua_pushinteger(L, status);
    lua_setfield(L, -2, "status");
  }
  rtc_set_string(L, "code", code);
  rtc_set_string(L, "message", message ? message : "");
  rtc_set_string(L, "request_id", request_id);
  rtc_set_string(L, "field", field);
  luaL_setmetatable(L, RTC_ERROR_MT);
}

/* Raises an "invalid" error object: for misuse that is about values, not Lua types. */
int rtc_raise_invalid(lua_State *L, const char *message) {
  rtc_push_error(L, "invalid", 0, NULL, message, NULL, NULL);
  return lua_error(L);
}

int rtc_raw_field(lua_State *L, int t, const char *key) {
  t = lua_absindex(L, t);
  lua_pushstring(L, key);
  lua_rawget(L, t);
  return lua_type(L, -1);
}

/* A string field read raw (no metamethod runs), or NULL. */
const char *rtc_raw_string(lua_State *L, int idx, const char *key, size_t *len) {
  const char *s;
  s = rtc_raw_field(L, idx, key) == LUA_TSTRING ? lua_tolstring(L, -1, len) : NULL;
  lua_pop(L, 1); /* the table holds the very string */
  return s;
}

static lua_Integer raw_integer(lua_State *L, int idx, const char *key) {
  lua_Integer v = 0;
  if (rtc_raw_field(L, idx, key) == LUA_TNUMBER) v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

#define RTC_SHOWN_MAX 4096 /* bytes of server text shown by tostring */

/* The one-line text of the error at idx into b: "HTTP 404 RTC.00001003 InvalidParameterValue
 * (request 6f1c...)", "invalid: publish_param.rtmp_urls[2]: expected ...", "timeout: ... (3
 * attempts)". Server text is escaped (no control byte reaches a terminal). 0 or -1 (memory). */
static int error_text(lua_State *L, int idx, rtc_buf *b) {
  size_t klen = 0, clen = 0, mlen = 0, rlen = 0;
  const char *kind = rtc_raw_string(L, idx, "kind", &klen), *code = rtc_raw_string(L, idx, "code", &clen);
  const char *message = rtc_raw_string(L, idx, "message", &mlen);
  const char *rid = rtc_raw_string(L, idx, "request_id", &rlen);
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
  if (rtc_raw_field(L, idx, "sent") == LUA_TBOOLEAN && lua_toboolean(L, -1))
    rc |= rtc_buf_add_str(b, " (the request may have reached the server)");
  lua_pop(L, 1);
  return rc ? -1 : 0;
}

/* Pushes the text of the error at idx. Built in C and pushed once: nothing is pushed between
 * the steps, so no stack slot can be mistaken for another. */
void rtc_push_error_text(lua_State *L, int idx) {
  rtc_buf b = RTC_BUF_INIT;
  int rc = error_text(L, idx, &b);
  if (rc == 0) lua_pushlstring(L, b.data ? b.data : "", b.len);
  rtc_buf_free(&b);
  if (rc != 0) luaL_error(L, "rtc: out of memory");
}

int lrtc_error_tostring(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  rtc_push_error_text(L, 1);
  return 1;
}

int rtc_is_error(lua_State *L, int idx) {
  int yes = 0;
  if (lua_type(L, idx) == LUA_TTABLE && lua_getmetatable(L, idx)) {
    luaL_getmetatable(L, RTC_ERROR_MT);
    yes = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  return yes;
}

/* "failed: " .. err and err .. "!" both work, on every Lua. */
int lrtc_error_concat(lua_State *L) {
  int i;
  for (i = 1; i <= 2; i++) {
    if (rtc_is_error(L, i)) rtc_push_error_text(L, i);
    else if (lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER) lua_pushvalue(L, i);
    else return luaL_error(L, "attempt to concatenate a %s value", luaL_typename(L, i));
  }
  lua_concat(L, 2);
  return 1;
}

/* rtc.assert(v, err, ...): v and the rest when v is true; else raises err, the error object
 * itself where the host Lua shows tables it cannot print (5.2+, LuaJIT), its text on 5.1. */
int lrtc_assert(lua_State *L) {
  if (lua_toboolean(L, 1)) return lua_gettop(L);
  if (lua_isnoneornil(L, 2)) lua_pushliteral(L, "assertion failed!");
  else if (rtc_is_error(L, 2)) {
#if LUA_VERSION_NUM < 502 && !defined(RTC_LUAJIT)
    rtc_push_error_text(L, 2);
#else
    lua_pushvalue(L, 2);
#endif
  } else lua_pushvalue(L, 2);
  return lua_error(L);
}

/* A job (or stop_job's result) reads well in a REPL; code still sees a plain table (pairs,
 * cjson.encode): the metatable has __tostring and __name only. */
/* A result prints its identifying fields, in this order, and "…" when it has others (pairs shows
 * them all): one line, server text escaped. */
int lrtc_job_tostring(lua_State *L) {
  static const char *const keys[] = {"job_id", "rule_id", "app_id", "app_name", "state",
                                     "room_id", "user_id", "stream_name", "stop_reason",
                                     "request_id", NULL};
  const char *const *k;
  int first = 1, rc, shown = 0, total = 0;
  rtc_buf b = RTC_BUF_INIT;
  luaL_checktype(L, 1, LUA_TTABLE);
  rc = rtc_buf_add_str(&b, lua_tostring(L, lua_upvalueindex(1))) | rtc_buf_add_char(&b, '{');
  for (k = keys; *k; k++) {
    size_t len;
    const char *v = rtc_raw_string(L, 1, *k, &len);
    if (v == NULL) continue;
    rc |= rtc_buf_addf(&b, "%s%s=\"", first ? "" : ", ", *k) |
          rtc_text_escape(&b, v, len, 256) | rtc_buf_add_char(&b, '"');
    first = 0;
    shown++;
  }
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) { /* raw: next never runs a metamethod */
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "status") == 0) continue;
    total++;
  }
  if (total > shown) rc |= rtc_buf_add_str(&b, first ? "\xe2\x80\xa6" : ", \xe2\x80\xa6");
  rc |= rtc_buf_add_char(&b, '}');
  if (rc == 0) lua_pushlstring(L, b.data, b.len);
  rtc_buf_free(&b);
  if (rc != 0) return luaL_error(L, "rtc: out of memory");
  return 1;
}

/* Describes the value at idx for a message: strings quoted and cut, others by type. */
void rtc_describe_value(lua_State *L, int idx, char *out, size_t outlen) {
  int t = lua_type(L, idx);
  if (t == LUA_TSTRING) {
    size_t len, i, o = 0;
    const char *s = lua_tolstring(L, idx, &len);
    int escape_high = !rtc_utf8_valid(s, len); /* a message must stay valid UTF-8 itself */
    if (outlen < 8) { if (outlen) out[0] = '\0'; return; }
    out[o++] = '"';
    for (i = 0; i < len && o + 6 < outlen && (i < 48 || (s[i] & 0xc0) == 0x80); i++) {
      unsigned char c = (unsigned char)s[i];
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (escape_high && c >= 0x80))
        o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
      else
        out[o++] = (char)c;
    }
    if (i < len && o + 4 < outlen) { memcpy(out + o, "...", 3); o += 3; }
    out[o++] = '"';
    out[o] = '\0';
  } else if (t == LUA_TNUMBER) {
    lua_Number n = lua_tonumber(L, idx);
    if (rtc_isinteger(L, idx)) snprintf(out, outlen, "%lld", (long long)lua_tointeger(L, idx));
    else snprintf(out, outlen, "%.17g", (double)n);
  } else if (t == LUA_TBOOLEAN) {
    snprintf(out, outlen, "%s", lua_toboolean(L, idx) ? "true" : "false");
  } else {
    snprintf(out, outlen, "a %s", lua_typename(L, t));
  }
}
