/* fuzz/fuzz_common.h: what the libFuzzer harnesses share: a way to fail loudly, a cursor over
 * the input, and (for the Lua harnesses) one Lua state with the rtc module linked in
 * (luaopen_rtc from the module's own sources, cjson from Debian via require). */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

int luaopen_rtc(lua_State *L);

/* An invariant did not hold: report it and abort, so libFuzzer saves the input. */
#define FUZZ_FAIL(...)                                                   \
  do {                                                                   \
    fprintf(stderr, "\n*** invariant failed (%s:%d): ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__);                                        \
    fprintf(stderr, "\n");                                               \
    abort();                                                             \
  } while (0)

#define FUZZ_CHECK(cond, ...) \
  do {                        \
    if (!(cond)) FUZZ_FAIL(__VA_ARGS__); \
  } while (0)

/* A Lua state with rtc loaded as the global "rtc"; aborts when that cannot be done. */
static inline lua_State *fuzz_new_state(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) FUZZ_FAIL("luaL_newstate");
  luaL_openlibs(L);
  luaL_requiref(L, "rtc", luaopen_rtc, 1); /* needs require "cjson" (Debian's lua-cjson) */
  lua_pop(L, 1);
  return L;
}

/* The collector. FUZZ_GC=stress (the default): a full collection before each input, so that an
 * input replays the same way on its own (a saved crash reproduces), and a collector that never
 * pauses (pause 0, step multiplier 1000: a whole cycle per step), so that a string that lost its last reference is
 * freed within a few allocations: a C pointer kept to it becomes a heap-use-after-free that
 * ASan reports. FUZZ_GC=normal: Lua's default settings and a full collection every 1000
 * inputs (faster, but a finding may need the inputs before it to replay). */
static int fuzz_gc_stress = 1;

static inline void fuzz_gc_setup(lua_State *L) {
  const char *mode = getenv("FUZZ_GC");
  fuzz_gc_stress = !(mode && strcmp(mode, "normal") == 0);
  /* 0 would mean "leave as is": pause 1 is stored as 1/4 = 0, a collector that never rests */
  if (fuzz_gc_stress) lua_gc(L, LUA_GCINC, 1, 1000, 0);
}

static inline void fuzz_gc_before(lua_State *L) {
  if (fuzz_gc_stress) lua_gc(L, LUA_GCCOLLECT, 0);
}

static inline void fuzz_gc_after(lua_State *L) {
  static unsigned long runs;
  if (!fuzz_gc_stress && ++runs % 1000 == 0) lua_gc(L, LUA_GCCOLLECT, 0);
}

/* Runs chunk (which returns one value) and leaves a registry reference to its result. */
static inline int fuzz_ref_chunk(lua_State *L, const char *chunk) {
  if (luaL_dostring(L, chunk) != LUA_OK) FUZZ_FAIL("setup chunk failed: %s", lua_tostring(L, -1));
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* A cursor over the fuzzer's input. */
typedef struct fuzz_input {
  const uint8_t *p;
  size_t n;
} fuzz_input;

static inline uint8_t fuzz_byte(fuzz_input *in) {
  uint8_t b;
  if (in->n == 0) return 0;
  b = *in->p++;
  in->n--;
  return b;
}

/* Up to len bytes (fewer where the input ends); *got is how many. */
static inline const char *fuzz_take(fuzz_input *in, size_t len, size_t *got) {
  const char *s = (const char *)in->p;
  if (len > in->n) len = in->n;
  in->p += len;
  in->n -= len;
  *got = len;
  return s;
}

/* Up to max bytes (a length byte first, taken modulo max + 1). */
static inline const char *fuzz_bytes(fuzz_input *in, size_t max, size_t *len) {
  size_t want = fuzz_byte(in) % (max + 1); /* the length byte first, then the bytes it counts */
  const char *s = (const char *)in->p;
  if (want > in->n) want = in->n;
  in->p += want;
  in->n -= want;
  *len = want;
  return s;
}

#endif
