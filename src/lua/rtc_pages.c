/* rtc_pages.c: the walk over pages, one state machine with two faces.
 * - The pager (rtc.pager(op, path params..., opts) -> ask, answer): pure, no I/O. ask() gives the
 *   arguments of the list operation's next call ({n = k, path params..., query}), or nil when the
 *   walk is over; answer(result, err) takes what that call returned and gives the page's items
 *   (an array, maybe empty) or nil, err (the walk is over). Any transport drives it: rtc.ngx
 *   (the pool or subrequests, where a C function may not call a method that yields).
 * - each_<item>: the same state, driven here: it calls the list operation as any Lua code would
 *   (client:list_record_rules(app_id, {offset = page, limit = n})), a page at a time and only
 *   when its items are used up, so no C pointer is held across that call. offset is a page
 * number counted from 0 (the docs: "the page number"). A walk ends at the total the answer
 * reports, or at a short or empty page. A page that fails, and a page whose items repeat ANY
 * page seen before in the walk (a server that ignores offset, or cycles A, B, A, B, would
 * otherwise be walked forever), end the walk with the error: each_<item> RAISES it, so that a
 * plain `for item in client:each_x(...)` loop cannot mistake a failed walk for a complete list;
 * the pager's answer() returns nil, err to its driver. Pages are told apart by a SHA-256
 * fingerprint of their items (OpenSSL), kept in a set. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "rtc_lua.h"
#include "rtc_api.h"
#include "rtc_pages.h"

#define RTC_PAGE_LIMIT 100     /* the default page size: list_apps' documented default */
#define RTC_MAX_PAGES 100000   /* a server that always has one more full page: stop somewhere */
#define RTC_SAME_DEPTH 16      /* items nest a few levels; deeper tables compare by identity */

/* The walk's state lives in a plain table (the step's upvalue 1), so the GC owns it. */
#define S_FN "fn"         /* the list operation's function */
#define S_SELF "self"     /* the client, or nil for the module's functions */
#define S_ARGS "args"     /* the path parameters, an array */
#define S_QUERY "query"   /* the other query options (copied), or nil */
#define S_PAGE "page"     /* the next page number */
#define S_START "start"   /* the first page number */
#define S_LIMIT "limit"   /* items per page */
#define S_SEEN "seen"     /* items received so far */
#define S_ITEMS "items"   /* the current page's array */
#define S_INDEX "i"       /* the last item handed out */
#define S_PAGES "pages"   /* fingerprint of each page's items -> its page number */
#define S_LAST "last"     /* true: the current page is the last */
#define S_DONE "done"     /* true: the walk is over */

static lua_Integer get_int(lua_State *L, int t, const char *k) {
  lua_Integer v;
  lua_getfield(L, t, k);
  v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

static void set_int(lua_State *L, int t, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, t, k);
}

static int get_bool(lua_State *L, int t, const char *k) {
  int v;
  lua_getfield(L, t, k);
  v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* A digest of a decoded JSON value, the same for equal values whatever order a table keeps its
 * keys in: a table's is made from the XOR of its pairs' digests (keys are unique, so no two
 * pairs cancel) and its size. Raw access: results' metatables never run. 0, or -1 (OpenSSL). */
static int digest_value(lua_State *L, EVP_MD_CTX *ctx, int idx, int depth, unsigned char out[32]) {
  unsigned char acc[32], kd[32], vd[32];
  char num[64];
  size_t len = 0, count = 0, i;
  const char *bytes = NULL;
  int type = lua_type(L, idx);
  unsigned int n;
  idx = lua_absindex(L, idx);
  if (type == LUA_TTABLE && depth <= RTC_SAME_DEPTH) {
    memset(acc, 0, sizeof acc);
    luaL_checkstack(L, 4, "rtc: answer nested too deeply");
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
      if (digest_value(L, ctx, -2, depth + 1, kd) != 0 ||
          digest_value(L, ctx, -1, depth + 1, vd) != 0 ||
          EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, kd, 32) != 1 ||
          EVP_DigestUpdate(ctx, vd, 32) != 1 || EVP_DigestFinal_ex(ctx, kd, &n) != 1) {
        lua_pop(L, 2); /* the value and the key lua_next left */
        return -1;
      }
      for (i = 0; i < 32; i++) acc[i] ^= kd[i];
      count++;
      lua_pop(L, 1);
    }
    len = (size_t)snprintf(num, sizeof num, "t%lu:", (unsigned long)count);
    return EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
           EVP_DigestUpdate(ctx, num, len) == 1 && EVP_DigestUpdate(ctx, acc, 32) == 1 &&
           EVP_DigestFinal_ex(ctx, out, &n) == 1 ? 0 : -1;
  }
  switch (type) {
  case LUA_TSTRING: bytes = lua_tolstring(L, idx, &len); num[0] = 's'; break;
  case LUA_TNUMBER:
    len = (size_t)snprintf(num + 1, sizeof num - 1, "%.17g", (double)lua_tonumber(L, idx));
    bytes = num + 1;
    num[0] = 'n';
    break;
  case LUA_TBOOLEAN: bytes = lua_toboolean(L, idx) ? "true" : "false"; len = strlen(bytes);
    num[0] = 'b'; break;
  default: bytes = ""; num[0] = type == LUA_TTABLE ? 'd' : 'x'; break; /* too deep: alike */
  }
  return EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(ctx, num, 1) == 1 &&
         EVP_DigestUpdate(ctx, bytes, len) == 1 && EVP_DigestFinal_ex(ctx, out, &n) == 1 ? 0 : -1;
}

/* Pushes the fingerprint of the items at idx (a 32-byte string), or nil when OpenSSL fails. */
static void push_fingerprint(lua_State *L, int idx) {
  unsigned char d[32];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int rc = ctx ? digest_value(L, ctx, idx, 0, d) : -1;
  EVP_MD_CTX_free(ctx);
  if (rc == 0) lua_pushlstring(L, (const char *)d, sizeof d);
  else lua_pushnil(L);
}

/* Ends the walk (its pages are dropped) and returns nil, plus err when one is on the top. */
static int finish(lua_State *L, int state, int with_error) {
  lua_pushboolean(L, 1);
  lua_setfield(L, state, S_DONE);
  lua_pushnil(L);
  lua_setfield(L, state, S_ITEMS);
  lua_pushnil(L);
  lua_setfield(L, state, S_PAGES);
  if (!with_error) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

/* A "decode" error about the answer at result (its request_id, when it has one). */
static int fail_decode(lua_State *L, int state, int result, const char *message) {
  const char *request_id = NULL;
  if (result) {
    lua_pushliteral(L, "request_id");
    lua_rawget(L, result);
    request_id = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  }
  rtc_push_error(L, "decode", 0, NULL, message, request_id, NULL);
  return finish(L, state, 1);
}

/* The walk is over, or its last page is in: no more calls. */
static int walk_over(lua_State *L, int state) {
  return get_bool(L, state, S_DONE) || get_bool(L, state, S_LAST);
}

/* Pushes the list operation's arguments for the next page (after the client): the path
 * parameters, then a fresh query table (the operation may keep what it is given) when the
 * operation takes one. Returns how many. */
static int push_call_args(lua_State *L, int state, const rtc_operation *op) {
  int i, n;
  lua_getfield(L, state, S_ARGS);
  n = (int)lua_rawlen(L, -1);
  luaL_checkstack(L, n + 4, "rtc: too many path parameters");
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lua_insert(L, -2); /* the args table stays on top */
  }
  lua_pop(L, 1);
  if (!op->query) return n;
  lua_newtable(L);
  lua_getfield(L, state, S_QUERY);
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -5);
    }
  }
  lua_pop(L, 1);
  if (op->list->paged) {
    set_int(L, lua_gettop(L), "offset", get_int(L, state, S_PAGE));
    set_int(L, lua_gettop(L), "limit", get_int(L, state, S_LIMIT));
  }
  return n + 1;
}

/* One page's answer (the list operation's result, at index result): pushes its items array and
 * returns 1, or ends the walk and returns 2 (nil, a "decode" error pushed). */
static int page_answer(lua_State *L, int state, const rtc_operation *op, int result) {
  const rtc_list *list = op->list;
  char msg[256];
  int items;
  lua_Integer n, limit, page = get_int(L, state, S_PAGE), seen;
  if (lua_type(L, result) != LUA_TTABLE) {
    snprintf(msg, sizeof msg, "%s: the answer is not a table", op->name);
    return fail_decode(L, state, 0, msg);
  }
  lua_pushstring(L, list->items);
  lua_rawget(L, result);
  if (lua_isnil(L, -1)) { /* no array: an empty page */
    lua_pop(L, 1);
    lua_newtable(L);
  } else if (lua_type(L, -1) != LUA_TTABLE) {
    snprintf(msg, sizeof msg, "%s: expected \"%s\" to be an array in the answer", op->name,
             list->items);
    return fail_decode(L, state, result, msg);
  }
  items = lua_gettop(L);
  n = (lua_Integer)lua_rawlen(L, items);
  seen = get_int(L, state, S_SEEN) + n;
  if (!list->paged) {
    lua_pushboolean(L, 1);
    lua_setfield(L, state, S_LAST);
  } else {
    limit = get_int(L, state, S_LIMIT);
    if (n > 0) {
      int pages;
      lua_getfield(L, state, S_PAGES);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, state, S_PAGES);
      }
      pages = lua_gettop(L);
      push_fingerprint(L, items);
      if (lua_isnil(L, -1))
        return fail_decode(L, state, result, "out of memory fingerprinting a page");
      lua_pushvalue(L, -1);
      lua_rawget(L, pages);
      if (!lua_isnil(L, -1)) {
        snprintf(msg, sizeof msg,
                 "%s: page %lld repeats the items of page %lld (the server may not read "
                 "offset as a page number); the walk stops here",
                 op->name, (long long)page, (long long)lua_tointeger(L, -1));
        return fail_decode(L, state, result, msg);
      }
      lua_pop(L, 1);
      lua_pushinteger(L, page);
      lua_rawset(L, pages);
      lua_pop(L, 1);
    }
    if (page - get_int(L, state, S_START) + 1 >= RTC_MAX_PAGES) {
      snprintf(msg, sizeof msg, "%s: more than %d pages; the walk stops here", op->name,
               RTC_MAX_PAGES);
      return fail_decode(L, state, result, msg);
    }
    if (n == 0 || n < limit) {
      lua_pushboolean(L, 1);
      lua_setfield(L, state, S_LAST);
    }
    if (list->total) { /* the total the API reports ends the walk without one more call */
      lua_pushstring(L, list->total);
      lua_rawget(L, result);
      if (lua_type(L, -1) == LUA_TNUMBER && (lua_Number)seen >= lua_tonumber(L, -1)) {
        lua_pushboolean(L, 1);
        lua_setfield(L, state, S_LAST);
      }
      lua_pop(L, 1);
    }
    set_int(L, state, S_PAGE, page + 1);
  }
  set_int(L, state, S_SEEN, seen);
  return 1;
}

/* each_<item>'s step: the next item, or nil (the end), or nil, err */
static int lrtc_pager_step(lua_State *L) {
  int state = lua_upvalueindex(1);
  const rtc_operation *op = (const rtc_operation *)lua_touserdata(L, lua_upvalueindex(2));
  lua_settop(L, 0); /* the generic for's arguments are not used */
  for (;;) {
    int nargs;
    if (get_bool(L, state, S_DONE)) return finish(L, state, 0);
    lua_getfield(L, state, S_ITEMS);
    if (lua_type(L, -1) == LUA_TTABLE) {
      lua_Integer i = get_int(L, state, S_INDEX) + 1;
      if (i <= (lua_Integer)lua_rawlen(L, -1)) {
        set_int(L, state, S_INDEX, i);
        lua_rawgeti(L, -1, (int)i);
        return 1;
      }
    }
    lua_pop(L, 1);
    if (walk_over(L, state)) return finish(L, state, 0);

    lua_getfield(L, state, S_FN);
    lua_getfield(L, state, S_SELF);
    nargs = lua_isnil(L, -1) ? (lua_pop(L, 1), 0) : 1;
    nargs += push_call_args(L, state, op);
    lua_call(L, nargs, 2);
    if (!lua_toboolean(L, -2)) { /* nil, err: the walk ends, raising err */
      finish(L, state, 1);
      return lua_error(L);
    }
    lua_pop(L, 1);
    /* a refused page (a cycle, not a list): raised too, never a short list */
    if (page_answer(L, state, op, lua_gettop(L)) != 1) return lua_error(L);
    lua_setfield(L, state, S_ITEMS);
    set_int(L, state, S_INDEX, 0);
    lua_settop(L, 0);
  }
}

/* the pager's ask(): {n = k, the list operation's arguments} for the next page, or nil */
static int lrtc_pager_ask(lua_State *L) {
  int state = lua_upvalueindex(1), n, i, t;
  const rtc_operation *op = (const rtc_operation *)lua_touserdata(L, lua_upvalueindex(2));
  lua_settop(L, 0);
  if (walk_over(L, state)) return finish(L, state, 0);
  n = push_call_args(L, state, op);
  lua_createtable(L, n, 1);
  t = lua_gettop(L);
  for (i = n; i >= 1; i--) {
    lua_pushvalue(L, i);
    lua_rawseti(L, t, i);
  }
  set_int(L, t, "n", n);
  return 1;
}

/* the pager's answer(result, err): the page's items, or nil, err (the walk is over) */
static int lrtc_pager_answer(lua_State *L) {
  int state = lua_upvalueindex(1);
  const rtc_operation *op = (const rtc_operation *)lua_touserdata(L, lua_upvalueindex(2));
  lua_settop(L, 2);
  if (get_bool(L, state, S_DONE)) return luaL_error(L, "rtc.pager: the walk is over (answer after its end)");
  if (!lua_toboolean(L, 1)) { /* the call failed: its error ends the walk */
    if (lua_isnil(L, 2)) {
      char msg[160];
      snprintf(msg, sizeof msg, "%s: no answer and no error", op->name);
      return fail_decode(L, state, 0, msg);
    }
    return finish(L, state, 1);
  }
  return page_answer(L, state, op, 1);
}

/* An integer option of opts (raw read), or dflt; a wrong type or range raises. */
static lua_Integer opt_integer(lua_State *L, int opts, int arg, const char *k, lua_Integer dflt,
                               lua_Integer min) {
  lua_Number d;
  lua_Integer v;
  int is_number;
  if (opts == 0) return dflt;
  if (rtc_raw_field(L, opts, k) == LUA_TNIL) {
    lua_pop(L, 1);
    return dflt;
  }
  is_number = lua_type(L, -1) == LUA_TNUMBER;
  d = lua_tonumber(L, -1);
  v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (!is_number || d != (lua_Number)v || v < min) {
    char msg[96];
    snprintf(msg, sizeof msg, "opts.%s: expected an integer of at least %lld", k,
             (long long)min);
    luaL_argerror(L, arg, msg);
  }
  return v;
}

/* Checks the path parameters from base and the opts after them, and pushes a new walk's state
 * (fn and self are the caller's to set). */
static int new_state(lua_State *L, const rtc_operation *op, int base) {
  int nparams = rtc_operation_nparams(op), i, opts_arg = base + nparams, opts = 0, state;
  {
    char why[96];
    int bad = rtc_check_path_args(L, op, base, 0, why, sizeof why);
    if (bad) return luaL_argerror(L, bad, why);
  }
  if (lua_type(L, opts_arg) == LUA_TTABLE) opts = opts_arg;
  else if (!lua_isnoneornil(L, opts_arg))
    return luaL_argerror(L, opts_arg, "opts: expected a table or nil");
  if (opts && !op->query) { /* nothing to pass: a non-empty table is a mistake */
    lua_pushnil(L);
    if (lua_next(L, opts) != 0) return luaL_argerror(L, opts_arg, "opts: this list takes none");
  }

  lua_createtable(L, 0, 14);
  state = lua_gettop(L);
  lua_createtable(L, nparams, 0);
  for (i = 0; i < nparams; i++) {
    lua_pushvalue(L, base + i);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, state, S_ARGS);
  if (op->list->paged) {
    lua_Integer page = opt_integer(L, opts, opts_arg, "offset", 0, 0);
    set_int(L, state, S_PAGE, page);
    set_int(L, state, S_START, page);
    set_int(L, state, S_LIMIT, opt_integer(L, opts, opts_arg, "limit", RTC_PAGE_LIMIT, 1));
  }
  if (opts && op->query) { /* the other query options, copied now: later changes do not count */
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, opts) != 0) {
      int skip = op->list->paged && lua_type(L, -2) == LUA_TSTRING &&
                 (strcmp(lua_tostring(L, -2), "offset") == 0 ||
                  strcmp(lua_tostring(L, -2), "limit") == 0);
      if (skip) {
        lua_pop(L, 1);
      } else {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
      }
    }
    lua_setfield(L, state, S_QUERY);
  }
  set_int(L, state, S_SEEN, 0);
  set_int(L, state, S_INDEX, 0);
  return state;
}

/* each_<item>([client,] path params..., opts) -> step function */
static int lrtc_each(lua_State *L) {
  const rtc_operation *op = (const rtc_operation *)lua_touserdata(L, lua_upvalueindex(2));
  int base = rtc_args_base(L); /* after the client, or from 1 (the default client) */
  int state = new_state(L, op, base);
  if (base == 2) {
    lua_getfield(L, 1, op->name); /* a normal method look-up on the client */
    lua_pushvalue(L, 1);
    lua_setfield(L, state, S_SELF);
  } else {
    lua_getfield(L, lua_upvalueindex(1), op->name);
  }
  if (!lua_isfunction(L, -1)) return luaL_error(L, "rtc: no %s to call", op->name);
  lua_setfield(L, state, S_FN);
  lua_pushvalue(L, state);
  lua_pushlightuserdata(L, (void *)op);
  lua_pushcclosure(L, lrtc_pager_step, 2);
  return 1;
}

/* rtc.pager(list operation, path params..., opts) -> ask, answer (see the top of this file) */
int lrtc_pager(lua_State *L) {
  const rtc_operation *op = rtc_check_operation(L, 1);
  int state;
  if (op->list == NULL) return luaL_argerror(L, 1, "not a list operation (rtc.operation(name).list)");
  state = new_state(L, op, 2);
  lua_pushvalue(L, state);
  lua_pushlightuserdata(L, (void *)op);
  lua_pushcclosure(L, lrtc_pager_ask, 2);
  lua_pushvalue(L, state);
  lua_pushlightuserdata(L, (void *)op);
  lua_pushcclosure(L, lrtc_pager_answer, 2);
  return 2;
}

void rtc_pages_register(lua_State *L, int methods_idx) {
  size_t i;
  char name[96];
  methods_idx = lua_absindex(L, methods_idx);
  for (i = 0; i < rtc_noperations; i++) {
    const rtc_operation *op = &rtc_operations[i];
    if (op->list == NULL) continue;
    snprintf(name, sizeof name, "each_%s", op->list->item);
    lua_pushvalue(L, methods_idx);
    lua_pushlightuserdata(L, (void *)op);
    lua_pushcclosure(L, lrtc_each, 2);
    lua_setfield(L, methods_idx, name);
  }
}
