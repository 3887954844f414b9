/* rtc_sign_lua.c - rtc.sign(req): the signer for Lua users (headers, canonical_request).
 * This file checks Lua types, splits req.url and completes the headers as the official SDK
 * does (X-Sdk-Date, Host, X-Sdk-Content-Sha256); the signer (rtc_sign.c) checks the values
 * and names the offending field, and its message is raised as "rtc.sign: req.<field>: ...". */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtc_compat.h"
#include "rtc_sign.h"
#include "rtc_text.h"

#define BOX_MT "rtc.sign.box"

/* Holds the signer's malloc'd strings so that a Lua error while pushing them frees them. */
typedef struct sign_box {
    char *authorization;
    char *canonical;
} sign_box;

static int box_gc(lua_State *L)
{
    sign_box *b = (sign_box *)luaL_checkudata(L, 1, BOX_MT);
    free(b->authorization);
    free(b->canonical);
    b->authorization = NULL;
    b->canonical = NULL;
    return 0;
}

/* stack slots of rtc_l_sign */
enum { S_REQ = 1, S_METHOD, S_URL, S_HEADERS, S_BODY, S_AK, S_SK, S_DATE, S_TARGET, S_OUT,
       S_HARR, S_BOX };

static const char *field_string(lua_State *L, int idx, const char *field, size_t *len,
                                int optional)
{
    int t = lua_type(L, idx);
    *len = 0;
    if (t == LUA_TSTRING)
        return lua_tolstring(L, idx, len);
    if (!(optional && t == LUA_TNIL))
        luaL_error(L, "rtc.sign: req.%s: expected a string, got %s", field, luaL_typename(L, idx));
    return NULL;
}

/* 1 when name is lit, ASCII case aside (lit lowercase). */
static int name_is(const char *name, size_t len, const char *lit)
{
    size_t i;
    if (len != strlen(lit))
        return 0;
    for (i = 0; i < len; i++)
        if ((name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]) != lit[i])
            return 0;
    return 1;
}

/* 1 when a Content-Type value asks for X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD (it starts with
 * neither application/json nor application/bson, ASCII case aside, blanks trimmed). */
static int unsigned_payload(const char *ct, size_t len)
{
    while (len > 0 && rtc_is(*ct, RTC_C_SPACE)) {
        ct++;
        len--;
    }
    return !(len >= 16 && (name_is(ct, 16, "application/json") ||
                           name_is(ct, 16, "application/bson")));
}

/* req.url: "scheme://[userinfo@]host[:port][/path][?query][#fragment]" or "/path[?query]".
 * Sets the host as sent (NULL for a bare path) and the start of the path. */
static void split_url(lua_State *L, const char *url, size_t len, const char **host,
                      size_t *host_len, size_t *rest)
{
    size_t i = 0;
    *host = NULL;
    *host_len = 0;
    if (len == 0)
        luaL_error(L, "rtc.sign: req.url: expected a non-empty string");
    if (rtc_text_has(url, len, RTC_C_CONTROL))
        luaL_error(L, "rtc.sign: req.url: contains a control character");
    if ((url[0] | 0x20) >= 'a' && (url[0] | 0x20) <= 'z')
        while (i < len && (rtc_is(url[i], RTC_C_UNRESERVED) || url[i] == '+') && url[i] != '_' &&
               url[i] != '~')
            i++; /* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    if (i > 0 && len - i >= 3 && memcmp(url + i, "://", 3) == 0) {
        size_t a = i + 3, e = a, at;
        while (e < len && url[e] != '/' && url[e] != '?' && url[e] != '#')
            e++;
        for (at = e; at > a && url[at - 1] != '@'; at--)
            ;
        if (e == at)
            luaL_error(L, "rtc.sign: req.url: no host");
        *host = url + at;
        *host_len = e - at;
        *rest = e;
    } else if (url[0] == '/' && !(len > 1 && url[1] == '/')) {
        *rest = 0;
    } else {
        luaL_error(L, "rtc.sign: req.url: expected scheme://host/path or a path starting with '/'");
    }
}

static void add_header(rtc_sign_header *h, size_t *n, const char *name, const char *value,
                       size_t value_len)
{
    h[*n].name = name;
    h[*n].name_len = strlen(name);
    h[*n].value = value;
    h[*n].value_len = value_len;
    (*n)++;
}

int rtc_l_sign(lua_State *L)
{
    const char *method, *url, *body, *ak, *sk, *date, *host, *target, *hash;
    size_t method_len, url_len, body_len, ak_len, sk_len, date_len, host_len, target_len, rest = 0;
    size_t n = 0;
    int has_date = 0, has_host = 0, add_csha = 0, has_csha = 0;
    rtc_sign_header *harr;
    sign_box *box;
    char datebuf[17], errbuf[320];

    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_getfield(L, S_REQ, "method");
    lua_getfield(L, S_REQ, "url");
    lua_getfield(L, S_REQ, "headers");
    lua_getfield(L, S_REQ, "body");
    lua_getfield(L, S_REQ, "ak");
    lua_getfield(L, S_REQ, "sk");
    lua_getfield(L, S_REQ, "date");
    method = field_string(L, S_METHOD, "method", &method_len, 0);
    url = field_string(L, S_URL, "url", &url_len, 0);
    if (!lua_isnil(L, S_HEADERS) && !lua_istable(L, S_HEADERS))
        return luaL_error(L, "rtc.sign: req.headers: expected a table, got %s",
                          luaL_typename(L, S_HEADERS));
    body = field_string(L, S_BODY, "body", &body_len, 1);
    ak = field_string(L, S_AK, "ak", &ak_len, 0);
    sk = field_string(L, S_SK, "sk", &sk_len, 0);
    date = field_string(L, S_DATE, "date", &date_len, 1);
    /* the signer takes method and AK as C strings: a NUL would cut them short unseen */
    if (memchr(method, '\0', method_len) != NULL)
        return luaL_error(L, "rtc.sign: req.method: expected an HTTP token, got a NUL byte");
    if (memchr(ak, '\0', ak_len) != NULL)
        return luaL_error(L, "rtc.sign: req.ak: contains a blank, ',' or a control character");
    if (date != NULL && !rtc_sign_date_valid(date, date_len))
        return luaL_error(L, "rtc.sign: req.date: expected YYYYMMDDTHHMMSSZ, a real UTC time "
                             "(month 01-12, a day of that month, hour 00-23, minute and second "
                             "00-59)");

    split_url(L, url, url_len, &host, &host_len, &rest);
    target = url + rest;
    target_len = url_len - rest;
    if ((hash = memchr(target, '#', target_len)) != NULL)
        target_len = (size_t)(hash - target);
    if (target_len == 0 || target[0] == '?') { /* "https://h" and "https://h?x" sign "/" */
        lua_pushliteral(L, "/");
        lua_pushlstring(L, target, target_len);
        lua_concat(L, 2);
        target = lua_tolstring(L, -1, &target_len);
    } else {
        lua_pushnil(L);
    } /* S_TARGET */

    /* pass 1: types, count, the headers that decide what is added */
    if (lua_istable(L, S_HEADERS)) {
        lua_pushnil(L);
        while (lua_next(L, S_HEADERS) != 0) {
            const char *name, *value;
            size_t nl, vl;
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_error(L, "rtc.sign: req.headers: expected string keys, got %s",
                                  luaL_typename(L, -2));
            name = lua_tolstring(L, -2, &nl);
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "rtc.sign: req.headers[\"%s\"]: expected a string, got %s",
                                  name, luaL_typename(L, -1));
            value = lua_tolstring(L, -1, &vl);
            lua_pop(L, 1);
            if (name_is(name, nl, "authorization"))
                continue; /* replaced by ours */
            n++;
            has_date |= name_is(name, nl, "x-sdk-date");
            has_host |= name_is(name, nl, "host");
            has_csha |= name_is(name, nl, "x-sdk-content-sha256");
            if (name_is(name, nl, "content-type"))
                add_csha = unsigned_payload(value, vl);
        }
    }
    add_csha = add_csha && !has_csha;

    lua_createtable(L, 0, (int)(n < 64 ? n : 64) + 4); /* S_OUT */
    harr = (rtc_sign_header *)lua_newuserdata(L, (n + 3) * sizeof *harr); /* S_HARR */
    n = 0;
    /* pass 2: into the new table and the header array (strings anchored by req.headers) */
    if (lua_istable(L, S_HEADERS)) {
        lua_pushnil(L);
        while (lua_next(L, S_HEADERS) != 0) {
            size_t nl, vl;
            const char *name = lua_tolstring(L, -2, &nl), *value = lua_tolstring(L, -1, &vl);
            if (name_is(name, nl, "authorization")) {
                lua_pop(L, 1);
                continue;
            }
            harr[n].name = name;
            harr[n].name_len = nl;
            harr[n].value = value;
            harr[n].value_len = vl;
            n++;
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, S_OUT);
        }
    }
    if (!has_date) {
        if (date == NULL) {
            rtc_sign_format_date(datebuf, time(NULL));
            lua_pushstring(L, datebuf);
        } else {
            lua_pushvalue(L, S_DATE);
        }
        date = lua_tolstring(L, -1, &date_len);
        add_header(harr, &n, "X-Sdk-Date", date, date_len);
        lua_setfield(L, S_OUT, "X-Sdk-Date");
    }
    if (!has_host && host != NULL) {
        lua_pushlstring(L, host, host_len);
        add_header(harr, &n, "Host", lua_tostring(L, -1), host_len);
        lua_setfield(L, S_OUT, "Host");
    }
    if (add_csha) {
        add_header(harr, &n, "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD", 16);
        lua_pushliteral(L, "UNSIGNED-PAYLOAD");
        lua_setfield(L, S_OUT, "X-Sdk-Content-Sha256");
    }

    box = (sign_box *)lua_newuserdata(L, sizeof *box); /* S_BOX */
    box->authorization = NULL;
    box->canonical = NULL;
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    if (rtc_sign_authorization(method, target, target_len, harr, n, body, body_len, ak, sk,
                               sk_len, &box->authorization, &box->canonical, errbuf,
                               sizeof errbuf) != 0) {
        static const char *const fields[] = { "method:", "headers:", "headers[", "body:",
                                              "ak:", "sk:" };
        size_t i;
        if (strncmp(errbuf, "target:", 7) == 0) /* the target comes from req.url */
            return luaL_error(L, "rtc.sign: req.url:%s", errbuf + 7);
        for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (strncmp(errbuf, fields[i], strlen(fields[i])) == 0)
                return luaL_error(L, "rtc.sign: req.%s", errbuf);
        return luaL_error(L, "rtc.sign: %s", errbuf);
    }
    lua_pushstring(L, box->authorization);
    lua_setfield(L, S_OUT, "Authorization");
    lua_pushvalue(L, S_OUT);
    lua_pushstring(L, box->canonical);
    free(box->authorization); /* now rather than at the box's collection */
    free(box->canonical);
    box->authorization = NULL;
    box->canonical = NULL;
    return 2;
}
