/* fuzz/decode_fuzzer.c: client:decode(op, status, headers, body) on arbitrary answers.
 *
 * Input: byte 0 picks the operation; bytes 1-2 the status (a list of interesting ones, or any
 * value from -100 to 32667); byte 3 which headers are given and how (strings, ngx-style lists,
 * numbers in lists, no table at all); then the X-Request-Id value (length-prefixed); the rest
 * is the body.
 * Checked: decode never raises; it returns a job/stop table (2xx), or nil and an rtc.error whose
 * kind is "api" (300..599) or "decode"; __tostring of both works. */
#include "fuzz_common.h"

static lua_State *L;
static int client_ref, decode_ref, tostring_ref;

static const char *const ops[] = {"create_job", "get_job", "update_job", "stop_job"};
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
  lua_pop(L, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  fuzz_gc_before(L);
  int top = lua_gettop(L), nres;
  const char *op = ops[fuzz_byte(&in) & 3];
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
  } else {
    const char *kind;
    FUZZ_CHECK(nres == 2 && lua_isnil(L, -2) && lua_type(L, -1) == LUA_TTABLE,
               "decode(%s, %ld): expected a table or nil, err (%d values)", op, status, nres);
    lua_getfield(L, -1, "kind");
    kind = lua_tostring(L, -1);
    FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING, "err.kind is not a string");
    if (status >= 300 && status <= 599)
      FUZZ_CHECK(strcmp(kind, "api") == 0, "HTTP %ld gave kind %s", status, kind);
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
