/* fuzz/request_fuzzer.c: client:prepare("create_job"/"update_job", app_id, job_id, params)
 * on arbitrary Lua values.
 *
 * Input: byte 0 flags (operation, JSON mode, AK/SK or token client, numeric or long ids);
 * app_id and job_id (length-prefixed); then either JSON text handed to cjson.decode (JSON mode;
 * nulls become cjson.null), or a tiny program that builds a value: each byte picks what comes
 * next (field names and values from a dictionary, raw strings, integers, special floats,
 * booleans, objects, arrays with holes, long arrays, nil, cjson.null, a function...).
 * Checked: prepare raises only when params is not a table; otherwise it returns a request
 * (method, url under the endpoint without blanks/controls/'?'/'#', header values without CR,
 * LF or NUL, a body that cjson reads back and that prepare accepts again), or nil and an
 * rtc.error of kind "invalid" with a message. */
#include <math.h>

#include "fuzz_common.h"

static lua_State *L;
static int token_ref, aksk_ref, prepare_ref, cjson_decode_ref, tostring_ref;

#define ENDPOINT "http://127.0.0.1:1"

static const char *const dict[] = {
    "publish_param", "rtmp_urls", "record_param", "record_rule_id", "room_id", "user_id",
    "is_record_audio", "video_type", "select_stream_type", "max_idle_time", "publish_parm",
    "job_id", "", "rtmp://your.rtmp-server.com", "rtmps://a/b?c=d", "rtmp://", "rtmp://a b",
    "http://x", "CAMERASTREAM", "SCREENSTREAM", "LD", "SD", "HD", "FHD", "fhd",
    "5f5e172b9016ed5b0961a43", "r1", "u1", "a/b", "\\/", "\xff", "\xc3\xa9", "\xed\xa0\x80",
    "\xf4\x90\x80\x80", "a\0b", "rtmp://\x7f", "\"quoted\"", "30", "1e3", "true"};
#define NDICT (sizeof dict / sizeof dict[0])
/* the dictionary's entries are C strings, but "a\0b" must keep its NUL */
static void push_dict(uint8_t b) {
  const char *s = dict[b % NDICT];
  if (strcmp(s, "a") == 0 && s[1] == '\0' && s[2] == 'b') lua_pushlstring(L, s, 3);
  else lua_pushstring(L, s);
}

static int noop(lua_State *l) {
  (void)l;
  return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  L = fuzz_new_state();
  token_ref = fuzz_ref_chunk(L, "return rtc.new{endpoint = '" ENDPOINT "', token = 't'}");
  aksk_ref = fuzz_ref_chunk(L, "return rtc.new{endpoint = '" ENDPOINT "', ak = 'AK', sk = 'SK', "
                               "project_id = 'p', security_token = 'sts'}");
  lua_rawgeti(L, LUA_REGISTRYINDEX, token_ref);
  lua_getfield(L, -1, "prepare");
  prepare_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);
  cjson_decode_ref = fuzz_ref_chunk(L, "return require('cjson').new().decode");
  lua_getglobal(L, "tostring");
  tostring_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  fuzz_gc_setup(L);
  return 0;
}

static void gen_value(fuzz_input *in, int depth);

static void gen_key(fuzz_input *in, int depth) {
  uint8_t b = fuzz_byte(in);
  switch (b % 5) {
  case 0: case 1: case 2: push_dict(fuzz_byte(in)); break;
  case 3: lua_pushinteger(L, (lua_Integer)(int8_t)fuzz_byte(in)); break;
  default: gen_value(in, depth + 8); break; /* any scalar (deep: no more tables) */
  }
}

static void gen_table(fuzz_input *in, int depth, int n) {
  int i;
  lua_createtable(L, 0, n);
  for (i = 0; i < n && in->n > 0; i++) {
    gen_key(in, depth);
    gen_value(in, depth + 1);
    /* nil and NaN keys cannot be stored */
    if (lua_isnil(L, -2) || (lua_type(L, -2) == LUA_TNUMBER && lua_tonumber(L, -2) != lua_tonumber(L, -2)))
      lua_pop(L, 2);
    else
      lua_rawset(L, -3);
  }
}

static void gen_value(fuzz_input *in, int depth) {
  uint8_t b = fuzz_byte(in);
  size_t len;
  const char *s;
  luaL_checkstack(L, 8, "fuzz");
  if (depth > 12 && b % 12 >= 5 && b % 12 <= 8) b = 0; /* no deeper tables */
  switch (b % 12) {
  case 0: case 1: push_dict(fuzz_byte(in)); break;
  case 2:
    s = fuzz_bytes(in, 64, &len);
    lua_pushlstring(L, s, len);
    break;
  case 3: {
    static const lua_Integer special[] = {5, 30, 43200, 43201, 4, 0, -1, LUA_MAXINTEGER,
                                          LUA_MININTEGER, 9007199254740993LL};
    uint8_t k = fuzz_byte(in);
    lua_pushinteger(L, k < 64 ? special[k % 10] : (lua_Integer)(int16_t)(k << 8 | fuzz_byte(in)));
    break;
  }
  case 4: {
    static const double special[] = {30.0, 30.5, 5.0, 43200.0, 1e300, -0.0, 9007199254740992.0,
                                     9223372036854775808.0, 0.1, -43200.0};
    uint8_t k = fuzz_byte(in);
    if (k == 255) lua_pushnumber(L, NAN);
    else if (k == 254) lua_pushnumber(L, INFINITY);
    else if (k == 253) lua_pushnumber(L, -INFINITY);
    else lua_pushnumber(L, special[k % 10]);
    break;
  }
  case 5: case 6: gen_table(in, depth, fuzz_byte(in) % 6); break;
  case 7: { /* an array, maybe with a hole or an extra key */
    int n = fuzz_byte(in) % 6, i;
    uint8_t shape = fuzz_byte(in);
    lua_createtable(L, n, 0);
    for (i = 1; i <= n && in->n > 0; i++) {
      if ((shape & 7) == 1 && i == 2) continue; /* a hole */
      gen_value(in, depth + 1);
      if (lua_isnil(L, -1)) lua_pop(L, 1);
      else lua_rawseti(L, -2, i);
    }
    if ((shape & 7) == 2) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "n");
    }
    break;
  }
  case 8: { /* a long array of URLs: around the 100-entry limit */
    int n = 90 + fuzz_byte(in) % 20, i;
    lua_createtable(L, n, 0);
    for (i = 1; i <= n; i++) {
      lua_pushfstring(L, "rtmp://h/%d", i);
      lua_rawseti(L, -2, i);
    }
    break;
  }
  case 9: lua_pushboolean(L, fuzz_byte(in) & 1); break;
  case 10: lua_pushlightuserdata(L, NULL); break; /* what cjson.null is */
  default:
    switch (fuzz_byte(in) % 3) {
    case 0: lua_pushnil(L); break;
    case 1: lua_pushcfunction(L, noop); break;
    default: lua_rawgeti(L, LUA_REGISTRYINDEX, token_ref); break; /* a userdata */
    }
  }
}

static void push_id(fuzz_input *in, uint8_t flags, int which) {
  size_t len;
  const char *s = fuzz_bytes(in, 80, &len);
  if (flags & (which ? 16 : 8)) {
    lua_pushinteger(L, (lua_Integer)len * 7919 - 3);
  } else if (flags & 32 && which) { /* over the 256-byte limit, or just under */
    luaL_Buffer b;
    size_t i, want = 250 + len % 12;
    luaL_buffinit(L, &b);
    for (i = 0; i < want; i++) luaL_addchar(&b, len ? s[i % len] : 'j');
    luaL_pushresult(&b);
  } else {
    lua_pushlstring(L, s, len);
  }
}

static int is_string_field(int idx, const char *key) {
  int t;
  lua_getfield(L, idx, key);
  t = lua_type(L, -1);
  lua_pop(L, 1);
  return t == LUA_TSTRING;
}

/* The request table at idx: the invariants of a prepared request. */
static void check_request(int idx, const char *op) {
  size_t len, i;
  const char *s;
  FUZZ_CHECK(is_string_field(idx, "method") && is_string_field(idx, "url") &&
                 is_string_field(idx, "body"),
             "request without method, url or body");
  lua_getfield(L, idx, "url");
  s = lua_tolstring(L, -1, &len);
  FUZZ_CHECK(len > sizeof ENDPOINT "/v2/apps/" - 1 &&
                 memcmp(s, ENDPOINT "/v2/apps/", sizeof ENDPOINT "/v2/apps/" - 1) == 0,
             "url outside the endpoint: %s", s);
  for (i = 0; i < len; i++)
    FUZZ_CHECK((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f && s[i] != '?' && s[i] != '#',
               "url with a blank, control, '?' or '#' byte at %zu: %s", i, s);
  lua_pop(L, 1);
  lua_getfield(L, idx, "headers");
  FUZZ_CHECK(lua_type(L, -1) == LUA_TTABLE, "request without headers");
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    FUZZ_CHECK(lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING,
               "a header that is not string: string");
    s = lua_tolstring(L, -1, &len);
    for (i = 0; i < len; i++)
      FUZZ_CHECK(s[i] != '\r' && s[i] != '\n' && s[i] != '\0', "header %s: CR, LF or NUL",
                 lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  /* the body reads back as JSON, and prepare accepts what it reads */
  lua_rawgeti(L, LUA_REGISTRYINDEX, cjson_decode_ref);
  lua_getfield(L, idx, "body");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK)
    FUZZ_FAIL("%s body is not JSON: %s", op, lua_tostring(L, -1));
  FUZZ_CHECK(lua_type(L, -1) == LUA_TTABLE, "the body is not a JSON object");
  {
    int params = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, prepare_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, token_ref);
    lua_pushstring(L, op);
    lua_pushliteral(L, "app");
    if (strcmp(op, "update_job") == 0) lua_pushliteral(L, "job");
    lua_pushvalue(L, params);
    if (lua_pcall(L, strcmp(op, "update_job") == 0 ? 5 : 4, 2, 0) != LUA_OK)
      FUZZ_FAIL("prepare of the read-back body raised: %s", lua_tostring(L, -1));
    if (lua_type(L, -2) != LUA_TTABLE) {
      lua_getfield(L, -1, "message");
      FUZZ_FAIL("prepare refused its own body: %s", lua_tostring(L, -1));
    }
    lua_settop(L, params - 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  fuzz_gc_before(L);
  int top = lua_gettop(L), params, nres, rc;
  uint8_t flags = fuzz_byte(&in);
  const char *op = flags & 1 ? "update_job" : "create_job";
  int params_is_table;
  lua_rawgeti(L, LUA_REGISTRYINDEX, prepare_ref);
  lua_rawgeti(L, LUA_REGISTRYINDEX, flags & 4 ? aksk_ref : token_ref);
  lua_pushstring(L, op);
  push_id(&in, flags, 0);
  if (flags & 1) push_id(&in, flags, 1);
  if (flags & 2) { /* JSON mode */
    lua_rawgeti(L, LUA_REGISTRYINDEX, cjson_decode_ref);
    lua_pushlstring(L, (const char *)in.p, in.n);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) { /* not JSON: nothing to test */
      lua_settop(L, top);
      return 0;
    }
  } else {
    if ((flags & 0xc0) != 0xc0) { /* mostly an object at the top */
      gen_table(&in, 0, 1 + fuzz_byte(&in) % 6);
    } else {
      gen_value(&in, 0);
    }
  }
  params = lua_gettop(L);
  params_is_table = lua_type(L, params) == LUA_TTABLE;
  rc = lua_pcall(L, params - top - 1, LUA_MULTRET, 0);
  nres = lua_gettop(L) - top;
  if (rc != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    FUZZ_CHECK(!params_is_table, "%s raised with a table as params: %s", op,
               msg ? msg : "(not a string)");
    FUZZ_CHECK(msg && strstr(msg, "bad argument"), "%s raised: %s", op, msg ? msg : "?");
  } else if (nres == 1) {
    FUZZ_CHECK(lua_type(L, -1) == LUA_TTABLE, "prepare returned one non-table value");
    check_request(lua_gettop(L), op);
  } else {
    FUZZ_CHECK(nres == 2 && lua_isnil(L, -2) && lua_type(L, -1) == LUA_TTABLE,
               "prepare: expected a request or nil, err (%d values)", nres);
    lua_getfield(L, -1, "kind");
    FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "invalid") == 0,
               "prepare failed with kind %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_getfield(L, -1, "message");
    FUZZ_CHECK(lua_type(L, -1) == LUA_TSTRING, "err.message is not a string");
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, tostring_ref);
    lua_pushvalue(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) FUZZ_FAIL("tostring(err) raised");
  }
  lua_settop(L, top);
  fuzz_gc_after(L);
  return 0;
}
