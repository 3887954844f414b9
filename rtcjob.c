/* rtcjob.c: the front door. luaopen_rtc builds the module: the metatables (protected), the
 * module functions, one method and one module function per operation row, the pagers and the
 * waiters. Where a reader starts; everything it registers lives in src/lua (the binding), which
 * calls the core below it (src/core, src/api, src/base: no Lua there). Every function Lua calls
 * is named lrtc_<object>_<name> (lrtc_client_prepare, lrtc_policy_decide) or lrtc_<name> for the
 * module's own (lrtc_new, lrtc_sign). */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include <curl/curl.h>

#include "rtcjob.h"
#include "rtc_lua.h"
#include "rtc_credentials.h"
#include "rtc_pages.h"
#include "rtc_policy_lua.h"
#include "rtc_reflect.h"
#include "rtc_sign.h"
#include "rtc_wait.h"

static int lrtc_new(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
  rtc_new_client(L, lua_isnoneornil(L, 1) ? 0 : 1); /* no options: from the environment */
  return 1;
}

/* rtc.configure(opts): the default client is rebuilt from opts (no opts: the environment). */
static int lrtc_configure(lua_State *L) {
  rtc_module *m = rtc_module_state(L);
  int old = m->default_ref;
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    rtc_new_client(L, 1); /* raises on bad options, leaving the old default in place */
    m->default_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else {
    m->default_ref = LUA_NOREF; /* rebuilt from the environment on next use */
  }
  if (old != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, old);
    luaL_unref(L, LUA_REGISTRYINDEX, old);
    lua_pushcfunction(L, lrtc_client_close);
    lua_insert(L, -2);
    lua_call(L, 1, 0);
  }
  return 0;
}

static int lrtc_module_gc(lua_State *L) {
  rtc_module *m = lua_touserdata(L, 1);
  if (m->default_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, m->default_ref);
  m->default_ref = LUA_NOREF;
  return 0;
}

static const luaL_Reg client_methods[] = {
  {"prepare", lrtc_client_prepare}, {"decode", lrtc_client_decode}, {"start", lrtc_client_start},
  {"poll", lrtc_client_poll},       {"timeout", lrtc_client_timeout}, {"pending", lrtc_client_pending},
  {"cancel", lrtc_client_cancel},   {"batch", lrtc_client_batch},   {"close", lrtc_client_close},
  {"fds", lrtc_client_fds},         {"policy", lrtc_client_policy},
  {NULL, NULL}};

static const luaL_Reg client_meta[] = {
  {"__gc", lrtc_client_close}, {"__close", lrtc_client_close}, {"__tostring", lrtc_client_tostring},
  {NULL, NULL}};

static const luaL_Reg module_functions[] = {
  {"new", lrtc_new}, {"configure", lrtc_configure}, {"sign", lrtc_sign}, {"policy", lrtc_policy},
  {"assert", lrtc_assert}, {"operations", lrtc_operations}, {"operation", lrtc_operation_row},
  {"credentials", lrtc_credentials}, {"join_signature", lrtc_join_signature},
  {"pager", lrtc_pager},
  {NULL, NULL}};

/* One row of rtc_operations becomes a method and a module function: nothing per operation. */
static void register_operations(lua_State *L, int target, int is_module) {
  size_t i;
  for (i = 0; i < rtc_noperations; i++) {
    lua_pushvalue(L, -1); /* module state */
    lua_pushlightuserdata(L, (void *)&rtc_operations[i]);
    lua_pushboolean(L, is_module);
    lua_pushcclosure(L, lrtc_operation_call, 3);
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
  value_metatable(L, RTC_ERROR_MT, lrtc_error_tostring, lrtc_error_concat);
  value_metatable(L, RTC_JOB_MT, lrtc_job_tostring, NULL);
  value_metatable(L, RTC_RESULT_MT, lrtc_job_tostring, NULL);
  rtc_policy_open(L);

  lua_newtable(L);
  module = lua_gettop(L);
  m = lua_newuserdata(L, sizeof *m);
  m->encode_ref = m->decode_ref = m->default_ref = LUA_NOREF;
  lua_newtable(L);
  lua_pushcfunction(L, lrtc_module_gc);
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
  rtc_pages_register(L, lua_gettop(L)); /* each_<item>, from the rows with list metadata */
  rtc_wait_register(L, lua_gettop(L));  /* wait_<x>, from the get rows whose answer has a state */
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);

  lua_pushvalue(L, -1);
  register_operations(L, module, 1);
  lua_pop(L, 1);
  rtc_pages_register(L, module);
  rtc_wait_register(L, module);
  rtc_events_register(L, module); /* rtc.events.verify, rtc.events.sign */
  luaL_setfuncs(L, module_functions, 1);
  lua_pushliteral(L, RTC_VERSION);
  lua_setfield(L, module, "_VERSION");
  return 1;
}
