/*
 * examples/embed/host.c -- a C program that embeds Lua 5.4 and links the
 * `rtc` module statically (its C sources are compiled into this binary; no
 * rtc.so is loaded).
 *
 *   cc -O2 -Wall -Wextra -Werror -o rtc-host host.c $(pkg-config --cflags --libs rtcjob)
 *
 * (after `make install`: librtcjob.a, rtcjob.h, rtcjob.pc), or from the sources as `make embed`
 * does it (examples/embed/test.sh).
 *
 *   RTC_ENDPOINT=http://127.0.0.1:8080 RTC_AUTH_TOKEN=... \
 *     examples/embed/rtc-host examples/embed/update.lua APP_ID JOB_ID rtmp://host/live/s
 *
 * The module loads lua-cjson with `require "cjson"`: this host finds the system's cjson.so
 * through package.cpath.  Built with -DRTC_HOST_STATIC_CJSON and lua-cjson's static
 * library (Debian: -l:liblua5.4-cjson.a) it preloads cjson too and loads nothing from disk.
 *
 * The script gets its arguments in the global table `arg` (arg[0] = script,
 * arg[1..n] = the rest), like the standalone interpreter.  Exit status: 0 on
 * success, 1 when the script raised an error, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

/* defined in rtcjob.c, compiled into this program */
int luaopen_rtc(lua_State *L);

/* error handler: add a traceback to the error message (keeps error objects
 * with a __tostring, such as rtc errors, readable) */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

#ifdef RTC_HOST_STATIC_CJSON
/* lua-cjson linked in as well (Debian: liblua5.4-cjson.a): the module loads "cjson" with
 * require, and package.preload answers it -- then nothing at all is loaded from disk */
int luaopen_cjson(lua_State *L);
#endif

/* everything that touches Lua runs here, under lua_pcall: errors raised while opening the
 * libraries or the module (e.g. "module 'cjson' not found") are reported, not a panic */
static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    int i;

    luaL_openlibs(L);

#ifdef RTC_HOST_STATIC_CJSON
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_cjson);
    lua_setfield(L, -2, "cjson");
    lua_pop(L, 1);
#endif

    /* the module: package.loaded["rtc"] = luaopen_rtc(L); no global */
    luaL_requiref(L, "rtc", luaopen_rtc, 0);
    lua_pop(L, 1);

    /* arg table, as lua.c builds it: arg[0] = script, arg[1..] = its arguments */
    lua_createtable(L, argc - 2, 2);
    for (i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");

    if (luaL_loadfile(L, argv[1]) != LUA_OK)
        return lua_error(L);
    for (i = 2; i < argc; i++)
        lua_pushstring(L, argv[i]);
    lua_call(L, argc - 2, 0);
    return 0;
}

int main(int argc, char **argv)
{
    lua_State *L;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT.lua [ARGS...]\n", argc > 0 ? argv[0] : "rtc-host");
        return 2;
    }
    L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "%s: cannot create Lua state: not enough memory\n", argv[0]);
        return 1;
    }
    lua_pushcfunction(L, msghandler);
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    rc = 0;
    if (lua_pcall(L, 2, 0, 1) != LUA_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], lua_tostring(L, -1));
        rc = 1;
    }
    lua_close(L);   /* runs __gc / closes every rtc client */
    return rc;
}
