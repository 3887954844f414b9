/* rtc_join_lua.c - rtc.join_signature(app_id, app_key, room_id, user_id [, opts]) -> signature,
 * ctime: the join signature a backend hands its clients (rtc_join.c does the work). The
 * arguments are checked (wrong Lua types raise, naming the argument), read raw (no metamethod
 * of opts runs) and copied into one block C owns; the key's copy is wiped with OPENSSL_cleanse
 * once signed. No Lua call runs between the copy and the wipe, so nothing can leak it, and no
 * message ever holds any part of the key. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "rtc_join.h"
#include "rtc_lua.h"

#define FN "rtc.join_signature"

static const char *const arg_names[] = {"app_id", "app_key", "room_id", "user_id"};

static double number_option(lua_State *L, const char *key) {
  if (lua_type(L, -1) != LUA_TNUMBER)
    luaL_error(L, FN ": opts.%s: expected a number, got %s", key, luaL_typename(L, -1));
  return (double)lua_tonumber(L, -1);
}

/* 1 when an unknown option's name may be shown: a short identifier, not arbitrary text. */
static int shown_name(const char *s) {
  size_t i;
  for (i = 0; s[i] != '\0'; i++)
    if (i >= 32 || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
                     (i > 0 && s[i] >= '0' && s[i] <= '9')))
      return 0;
  return i > 0;
}

/* Reads opts (argument 5, a table or nil) raw into r; unknown keys and wrong types raise. The
 * join string stays anchored in opts, which is on the stack. */
static void read_options(lua_State *L, rtc_join_request *r) {
  if (lua_isnoneornil(L, 5)) return;
  if (lua_type(L, 5) != LUA_TTABLE)
    luaL_error(L, FN ": opts: expected a table or nil, got %s", luaL_typename(L, 5));
  lua_pushnil(L);
  while (lua_next(L, 5) != 0) {
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (key != NULL && strcmp(key, "ttl") == 0) {
      r->ttl = number_option(L, key);
      r->has_ttl = 1;
    } else if (key != NULL && strcmp(key, "ctime") == 0) {
      r->ctime = number_option(L, key);
      r->has_ctime = 1;
    } else if (key != NULL && strcmp(key, "now") == 0) {
      r->now = number_option(L, key);
    } else if (key != NULL && strcmp(key, "join") == 0) {
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, FN ": opts.join: expected a string (\"+\" or \"\"), got %s", luaL_typename(L, -1));
      r->sep = lua_tolstring(L, -1, &r->sep_len);
    } else if (key != NULL && shown_name(key)) {
      luaL_error(L, FN ": opts.%s: unknown option (expected ttl, ctime, now or join)", key);
    } else if (key != NULL) { /* no short identifier: not echoed (control bytes, a pasted key) */
      luaL_error(L, FN ": opts: an unknown option (expected ttl, ctime, now or join)");
    } else {
      luaL_error(L, FN ": opts: unknown %s key (expected ttl, ctime, now or join)", luaL_typename(L, -2));
    }
    lua_pop(L, 1);
  }
}

int lrtc_join_signature(lua_State *L) {
  rtc_join_request r;
  const char *in[4], *field = NULL;
  size_t len[4], total = 0, i;
  char signature[RTC_JOIN_SIGNATURE_LEN + 1], err[256], *block, *at;
  long long ctime = 0;
  int rc;

  memset(&r, 0, sizeof r);
  for (i = 0; i < 4; i++) {
    if (lua_type(L, (int)i + 1) != LUA_TSTRING)
      return luaL_error(L, FN ": %s (argument %d): expected a string, got %s", arg_names[i],
                        (int)i + 1, luaL_typename(L, (int)i + 1));
    in[i] = lua_tolstring(L, (int)i + 1, &len[i]);
  }
  r.sep = "+";
  r.sep_len = 1;
  r.now = (double)time(NULL);
  read_options(L, &r);

  /* one block C owns: the ids, the key and the separator */
  for (i = 0; i < 4; i++) total += len[i];
  total += r.sep_len + 1;
  if ((block = malloc(total)) == NULL) return luaL_error(L, FN ": out of memory");
  at = block;
  for (i = 0; i < 4; i++) {
    memcpy(at, in[i], len[i]);
    in[i] = at;
    at += len[i];
  }
  memcpy(at, r.sep, r.sep_len);
  r.sep = at;
  r.app_id = in[0], r.app_id_len = len[0];
  r.app_key = in[1], r.app_key_len = len[1];
  r.room_id = in[2], r.room_id_len = len[2];
  r.user_id = in[3], r.user_id_len = len[3];

  rc = rtc_join_sign(&r, signature, &ctime, &field, err, sizeof err);
  OPENSSL_cleanse(block, total);
  free(block);

  if (rc == -2) return luaL_error(L, FN ": %s", err);
  if (rc != 0) {
    lua_pushnil(L);
    rtc_push_error(L, "invalid", 0, NULL, err, NULL, field);
    return 2;
  }
  lua_pushlstring(L, signature, RTC_JOIN_SIGNATURE_LEN);
#if LUA_VERSION_NUM >= 503
  lua_pushinteger(L, (lua_Integer)ctime);
#else
  lua_pushnumber(L, (lua_Number)ctime); /* exact: ctime is far below 2^53 */
#endif
  return 2;
}
