/* rtcjob.h: what a C host that embeds Lua needs to link the `rtc` module in (librtcjob.a; see
 * README, "Embedding in a C host"; `pkg-config --cflags --libs rtcjob`). Register it before
 * running scripts:  luaL_requiref(L, "rtc", luaopen_rtc, 0); lua_pop(L, 1);
 * The module loads lua-cjson with require "cjson": keep the system's cjson.so on package.cpath,
 * or link liblua5.4-cjson.a and preload luaopen_cjson (README). */
#ifndef RTCJOB_H
#define RTCJOB_H

#include <lua.h>

int luaopen_rtc(lua_State *L);

#endif
