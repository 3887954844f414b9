/* rtc_compat.h: the few Lua API differences between 5.1/LuaJIT, 5.2, 5.3 and 5.4 that the
 * module touches, in the spirit of LPeg's and luasocket's compat headers. Nothing more. */
#ifndef RTC_COMPAT_H
#define RTC_COMPAT_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/* LuaJIT speaks the 5.1 API but, unlike PUC 5.1, shows any error value (a table's __tostring).
 * Its lualib.h names its jit library; PUC Lua's has no such name. */
#if defined(LUA_JITLIBNAME)
#define RTC_LUAJIT 1
#endif

#if LUA_VERSION_NUM < 502
#define lua_rawlen(L, i) lua_objlen(L, (i))
#define lua_absindex(L, i) \
  (((i) > 0 || (i) <= LUA_REGISTRYINDEX) ? (i) : lua_gettop(L) + (i) + 1)
#endif

/* PUC Lua 5.1 only: LuaJIT 2.1 has these already (and defines luaL_newlibtable). */
#if LUA_VERSION_NUM < 502 && !defined(luaL_newlibtable)
#define luaL_newlib(L, l) (lua_newtable(L), luaL_setfuncs(L, (l), 0))
#define luaL_setmetatable(L, name) (luaL_getmetatable(L, (name)), lua_setmetatable(L, -2))
static inline void luaL_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
  luaL_checkstack(L, nup + 1, "too many upvalues");
  for (; l->name != NULL; l++) {
    int i;
    for (i = 0; i < nup; i++) lua_pushvalue(L, -nup);
    lua_pushcclosure(L, l->func, nup);
    lua_setfield(L, -(nup + 2), l->name);
  }
  lua_pop(L, nup);
}
static inline void *luaL_testudata(lua_State *L, int i, const char *name) {
  void *p = lua_touserdata(L, i);
  if (p == NULL || !lua_getmetatable(L, i)) return NULL;
  luaL_getmetatable(L, name);
  if (!lua_rawequal(L, -1, -2)) p = NULL;
  lua_pop(L, 2);
  return p;
}
#endif

#if LUA_VERSION_NUM < 503
/* No integer subtype: a number is an integer when it has no fraction. */
#define rtc_isinteger(L, i) 0
#else
#define rtc_isinteger(L, i) lua_isinteger(L, (i))
#endif

#endif
