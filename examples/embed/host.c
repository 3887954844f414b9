/*
 * examples/embed/host.c -- a C program that embeds Lua 5.4 and links the
 * `rtc` module statically (its C sources are compiled into this binary; no
 * rtc.so is loaded).
 *
 *   cc -O2 -Wall -Wextra -Werror -o examples/embed/rtc-host examples/embed/host.c \
 *      rtcjob.c rtc_*.c $(pkg-config --cflags --libs lua5.4 libcurl libcrypto) -I.
 *
 *   RTC_ENDPOINT=http://127.0.0.1:8080 RTC_AUTH_TOKEN=... \
 *     examples/embed/rtc-host examples/embed/update.lua APP_ID JOB_ID rtmp://host/live/s
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

static int run(lua_State *L, int argc, char **argv)
{
    int i, status;

    luaL_openlibs(L);

    /* the module: package.loaded["rtc"] = luaopen_rtc(L); no global */
    luaL_requiref(L, "rtc", luaopen_rtc, 0);
    lua_pop(L, 1);

    /* arg table, as lua.c builds it */
    lua_createtable(L, argc - 2, 2);
    for (i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");

    lua_pushcfunction(L, msghandler);
    status = luaL_loadfile(L, argv[1]);
    if (status != LUA_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], lua_tostring(L, -1));
        return 1;
    }
    for (i = 2; i < argc; i++)
        lua_pushstring(L, argv[i]);
    status = lua_pcall(L, argc - 2, 0, 1);
    if (status != LUA_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], lua_tostring(L, -1));
        return 1;
    }
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
    rc = run(L, argc, argv);
    lua_close(L);   /* runs __gc / closes every rtc client */
    return rc;
}
