/* fuzz/decode_fuzzer.c: client:decode(op, status, headers, body) on arbitrary answers.
 *
 * Input: byte 0 picks the operation; bytes 1-2 the status (a list of interesting ones, or any
 * value from -100 to 32667); byte 3 which headers are given and how (strings, ngx-style lists,
 * numbers in lists, no table at all); then the X-Request-Id value (length-prefixed); the rest
 * is the body.
 * Checked: decode never raises; it returns a job/stop table (2xx), or nil and an rtc.error whose
 * kind is "api" (300..599) or "decode" (any status: a bad X-request-Id is refused); __tostring
 * of both works and gives one line without control bytes; a result holds no inf or NaN, every
 * `*_id` in it is a string (at most 256 bytes, no control bytes), and lua-cjson can encode it
 * (what the command does). */
#include "fuzz_common.h"

static lua_State *L;
static int client_ref, decode_ref, tostring_ref, encode_ref;

static const char *const ops[] = {"create_job", "get_job", "update_job", "stop_job",
                                   "list_apps", "get_app", "get_record_rule", "get_mix_job"};
static const long statuses[] = {200, 201, 204, 200, 201, 400, 401, 403, 404, 409, 429, 500,
                                502, 503, 504, 301, 302, 304, 100, 199, 299, 300, 599, 600,
                                0, -1, 200, 200};
static const char *const content_types[] = {
    "application/json;charset=utf-8", "application/json", "text/html", "", "text/plain; x=\"y\"",
    "application/problem+json", "\xff\xfe", "application/json; charset=latin1"};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  L = fuzz_new_state();
  client_ref = fuzz_ref_chunk(L, "return rtc.new{endpoint = 'http://127.0.0.1:1', token = 't'}");
  lua_rawgeti(L, LUA_REGISTRYINDEX, client_ref);
  lua_getfield(L, -1, "decode"); /* through the client's __index */
  decode_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);
  lua_getglobal(L, "tostring");
  tostring_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  encode_ref = fuzz_ref_chunk(L, "return require('cjson').new().encode");
  fuzz_gc_setup(L);
  return 0;
}

/* The method, applied to client, op, status, headers (or nil), body: pushed, not yet called. */
static void push_call(const char *op, long status, fuzz_input *in) {
  uint8_t flags = fuzz_byte(in);
  size_t rid_len;
  const char *rid = fuzz_bytes(in, 80, &rid_len);
  int lists = flags & 4;
  lua_rawgeti(L, LUA_REGISTRYINDEX, decode_ref);
  lua_rawgeti(L, LUA_REGISTRYINDEX, client_ref);
  lua_pushstring(L, op);
  lua_pushinteger(L, status);
  if (flags & 16) {
    lua_pushnil(L); /* no headers table */
    return;
  }
  lua_createtable(L, 0, 4);
#define SET_HEADER(name, push)          \
  do {                                  \
    if (lists) lua_createtable(L, 1, 0); \
    push;                               \
    if (lists) lua_rawseti(L, -2, 1);   \
    lua_setfield(L, -2, name);          \
  } while (0)
  if (flags & 1) {
    if (flags & 32) /* a number where a string is expected (ngx gives strings, users may not) */
      SET_HEADER((flags & 64) ? "x-request-id" : "X-Request-Id",
                 lua_pushinteger(L, (lua_Integer)rid_len * 1000003 + (lua_Integer)flags));
    else
      SET_HEADER((flags & 64) ? "x-request-id" : "X-Request-Id", lua_pushlstring(L, rid, rid_len));
  }
  if (flags & 2) SET_HEADER("Content-Type", lua_pushstring(L, content_types[flags >> 5]));
  if (flags & 8) SET_HEADER("LOCATION", lua_pushlstring(L, rid, rid_len));
  if (flags & 128) { /* odd entries decode must skip */
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "x-request-id-");
    lua_pushinteger(L, 7);
    lua_rawseti(L, -2, 1);
  }
#undef SET_HEADER
}

static void check_tostring(int idx) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, tostring_ref);
  lua_pushvalue(L, idx);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) FUZZ_FAIL("tostring raised: %s", lua_tostring(L, -1));
  FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING, "tostring gave no string");
  {
    size_t len, i;
    const char *s = lua_tolstring(L, -1, &len);
    for (i = 0; i < len; i++)
      FUZZ_CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] != 0x7f,
                 "tostring holds a control byte at %zu", i);
  }
  lua_pop(L, 1);
}

/* The value at idx (a result, or part of one) as documented: finite numbers, and the id the
 * operation documents (id_key, at the top) a string. */
static void check_typed(int idx, int depth, const char *id_key) {
  idx = lua_absindex(L, idx);
  FUZZ_CHECK(depth < 2000, "result nested too deeply");
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -1) == LUA_TNUMBER) {
      double d = (double)lua_tonumber(L, -1);
      FUZZ_CHECK(d == d && d - d == 0, "a result holds inf or NaN");
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      check_typed(-1, depth + 1, NULL);
    }
    if (id_key && lua_type(L, -2) == LUA_TSTRING) {
      size_t vlen, i;
      const char *k = lua_tostring(L, -2);
      if (strcmp(k, id_key) == 0) {
        const char *v;
        FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING, "%s is a %s", k, luaL_typename(L, -1));
        v = lua_tolstring(L, -1, &vlen);
        FUZZ_CHECK(vlen <= 256, "%s is %zu bytes", k, vlen);
        for (i = 0; i < vlen; i++)
          FUZZ_CHECK((unsigned char)v[i] >= 0x20 && (unsigned char)v[i] != 0x7f,
                     "%s holds a control byte", k);
      }
    }
    lua_pop(L, 1);
  }
}

static void check_encodes(int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, encode_ref);
  lua_pushvalue(L, idx);
  lua_pushnil(L);
  lua_setmetatable(L, -2); /* a plain table, as the command sees it (pairs) */
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    const char *why = lua_tostring(L, -1);
    /* lua-cjson's own limits (sparse arrays of undocumented fields, depth) are not typing */
    FUZZ_CHECK(why == NULL || strstr(why, "NaN") == NULL, "cjson.encode: %s", why);
  }
  lua_pop(L, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  fuzz_gc_before(L);
  int top = lua_gettop(L), nres;
  const char *op = ops[fuzz_byte(&in) & 7];
  uint8_t s1 = fuzz_byte(&in), s2 = fuzz_byte(&in);
  long status = s1 < 0x80 ? statuses[s1 % (sizeof statuses / sizeof statuses[0])]
                          : (long)(((s1 & 0x7f) << 8) | s2) - 100;
  push_call(op, status, &in);
  lua_pushlstring(L, (const char *)in.p, in.n); /* the body */
  if (lua_pcall(L, 5, LUA_MULTRET, 0) != LUA_OK)
    FUZZ_FAIL("decode(%s, %ld) raised: %s", op, status, lua_tostring(L, -1));
  nres = lua_gettop(L) - top;
  if (nres == 1 && lua_type(L, -1) == LUA_TTABLE) {
    FUZZ_CHECK(status >= 200 && status <= 299, "a result for HTTP %ld", status);
    check_tostring(-1);
    check_typed(-1, 0, strcmp(op, "get_app") == 0 ? "app_id" :
                       strstr(op, "_job") && strcmp(op, "stop_job") != 0 ? "job_id" : NULL);
    check_encodes(-1);
  } else {
    const char *kind;
    FUZZ_CHECK(nres == 2 && lua_isnil(L, -2) && lua_type(L, -1) == LUA_TTABLE,
               "decode(%s, %ld): expected a table or nil, err (%d values)", op, status, nres);
    lua_getfield(L, -1, "kind");
    kind = lua_tostring(L, -1);
    FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING, "err.kind is not a string");
    if (status >= 300 && status <= 599)
      FUZZ_CHECK(strcmp(kind, "api") == 0 || strcmp(kind, "decode") == 0, "HTTP %ld gave kind %s",
                 status, kind);
    else
      FUZZ_CHECK(strcmp(kind, "decode") == 0, "HTTP %ld gave kind %s", status, kind);
    lua_pop(L, 1);
    lua_getfield(L, -1, "message");
    FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING, "err.message is not a string");
    lua_pop(L, 1);
    check_tostring(-1);
  }
  lua_settop(L, top);
  fuzz_gc_after(L);
  return 0;
}
