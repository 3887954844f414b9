/* rtc_events_lua.c: rtc.events.verify and rtc.events.sign, the recording event callbacks
 * (EVENTS.md). The arguments are read in one step: the three header values and the body are
 * strings anchored in this call's stack slots, the key and the options are copied into C
 * variables; no argument is read again. The signature and the window are the core's
 * (rtc_events.c); the body is decoded by the module's private lua-cjson instance and typed with
 * the event's schema row (rtc_models_events.c) by rtc_normalize, as answers are. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rtc_lua.h"
#include "rtc_events.h"
#include "rtc_models.h"
#include "rtc_reflect.h"

#define DEFAULT_MAX_AGE 300.0

static const char *const header_names[3] = {"x-rtc-rand", "x-rtc-timestamp", "x-rtc-signature"};
static const char *const header_keys[3] = {"rand", "timestamp", "signature"};

/* stack slots of lrtc_events_verify, after the arguments are read */
enum { V_HEADERS = 1, V_BODY, V_KEY, V_OPTS, V_RAND, V_TIMESTAMP, V_SIGNATURE, V_TOP = V_SIGNATURE };

static int name_is(const char *name, size_t len, const char *lit) {
  size_t i;
  if (len != strlen(lit)) return 0;
  for (i = 0; i < len; i++)
    if ((name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]) != lit[i]) return 0;
  return 1;
}

/* Copies the three headers' values into slots V_RAND.. (nil when absent). A header met twice
 * (two spellings of its name, or a list of values as ngx.req.get_headers gives a repeated
 * header) sets *twice to its name. Other headers are not looked at. */
static void read_headers(lua_State *L, const char **twice) {
  lua_pushnil(L);
  while (lua_next(L, V_HEADERS) != 0) {
    int i, t = lua_type(L, -1);
    size_t len;
    const char *name;
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 1);
      continue;
    }
    name = lua_tolstring(L, -2, &len);
    for (i = 0; i < 3; i++)
      if (name_is(name, len, header_names[i])) break;
    if (i == 3) {
      lua_pop(L, 1);
      continue;
    }
    if (t != LUA_TSTRING && t != LUA_TTABLE)
      luaL_error(L, "rtc.events.verify: headers[\"%s\"]: expected a string, got %s", name,
                 luaL_typename(L, -1));
    if (t == LUA_TTABLE || !lua_isnil(L, V_RAND + i)) *twice = header_names[i];
    else {
      lua_pushvalue(L, -1);
      lua_replace(L, V_RAND + i);
    }
    lua_pop(L, 1);
  }
}

/* opts.max_age (seconds >= 0, or false: no window) and opts.now, read raw. */
static void read_opts(lua_State *L, double *max_age, double *now) {
  *max_age = DEFAULT_MAX_AGE;
  *now = (double)time(NULL);
  if (lua_isnoneornil(L, V_OPTS)) return;
  luaL_checktype(L, V_OPTS, LUA_TTABLE);
  switch (rtc_raw_field(L, V_OPTS, "max_age")) {
  case LUA_TNIL: break;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, -1)) luaL_error(L, "rtc.events.verify: opts.max_age: expected seconds or false, got true");
    *max_age = -1;
    break;
  case LUA_TNUMBER:
    *max_age = (double)lua_tonumber(L, -1);
    if (!(*max_age >= 0) || isinf(*max_age))
      luaL_error(L, "rtc.events.verify: opts.max_age: expected a number of seconds >= 0");
    break;
  default:
    luaL_error(L, "rtc.events.verify: opts.max_age: expected seconds or false, got %s",
               luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  switch (rtc_raw_field(L, V_OPTS, "now")) {
  case LUA_TNIL: break;
  case LUA_TNUMBER:
    *now = (double)lua_tonumber(L, -1);
    if (*now != *now || isinf(*now)) luaL_error(L, "rtc.events.verify: opts.now: expected a finite number");
    break;
  default:
    luaL_error(L, "rtc.events.verify: opts.now: expected seconds since the epoch, got %s",
               luaL_typename(L, -1));
  }
  lua_pop(L, 1);
}

static int fail(lua_State *L, const char *kind, const char *message, const char *field) {
  lua_pushnil(L);
  rtc_push_error(L, kind, 0, NULL, message, NULL, field);
  return 2;
}

/* An integer field outside its row's range: the field's name, or NULL. */
static const char *out_of_range(lua_State *L, int event, char *why, size_t whylen) {
  size_t i;
  for (i = 0; i < rtc_model_event.nfields; i++) {
    const rtc_field *f = &rtc_model_event.fields[i];
    if (f->type != RTC_T_INTEGER) continue;
    if (rtc_raw_field(L, event, f->name) == LUA_TNUMBER) {
      double d = (double)lua_tonumber(L, -1);
      if (d < (double)f->min || d > (double)f->max) {
        snprintf(why, whylen, "the event's %s is %.17g where an integer from %lld to %lld was "
                 "expected", f->name, d, f->min, f->max);
        lua_pop(L, 1);
        return f->name;
      }
    }
    lua_pop(L, 1);
  }
  return NULL;
}

/* Decodes and types the body; pushes the event, or returns the error count (2) pushed. */
static int decode_event(lua_State *L, const char *body, size_t len) {
  char why[320], field[256];
  const char *start = body, *end = body + len;
  rtc_module *m = rtc_module_state(L);
  while (start < end && (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')) start++;
  if (start == end || *start != '{') return fail(L, "decode", "the body is not a JSON object", NULL);
  if (!rtc_utf8_valid(body, len)) return fail(L, "decode", "the body is not valid UTF-8", NULL);
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->decode_ref);
  lua_pushlstring(L, start, (size_t)(end - start));
  if (lua_pcall(L, 1, 1, 0) != 0) {
    snprintf(why, sizeof why, "the body is not valid JSON: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return fail(L, "decode", why, NULL);
  }
  if (lua_type(L, -1) != LUA_TTABLE) {
    lua_pop(L, 1);
    return fail(L, "decode", "the body is not a JSON object", NULL);
  }
  if (rtc_normalize(L, -1, &rtc_model_event, body, len, field, sizeof field, why, sizeof why) != 0) {
    const char *prefix = "the answer's ";
    const char *text = strncmp(why, prefix, strlen(prefix)) == 0 ? why + strlen(prefix) : why;
    lua_pop(L, 1);
    lua_pushfstring(L, "the event's %s", text);
    fail(L, "decode", lua_tostring(L, -1), field);
    lua_remove(L, -3);
    return 2;
  }
  {
    const char *bad = out_of_range(L, lua_gettop(L), why, sizeof why);
    if (bad) {
      lua_pop(L, 1);
      return fail(L, "decode", why, bad);
    }
  }
  return 0;
}

/* rtc.events.verify(headers, body, auth_key [, opts]) -> event | nil, err */
static int lrtc_events_verify(lua_State *L) {
  const char *twice = NULL, *body, *key = NULL;
  size_t body_len, key_len = 0;
  double max_age, now;
  int i;
  luaL_checktype(L, V_HEADERS, LUA_TTABLE);
  luaL_checktype(L, V_BODY, LUA_TSTRING);
  if (lua_type(L, V_KEY) == LUA_TSTRING) key = lua_tolstring(L, V_KEY, &key_len);
  else if (!(lua_type(L, V_KEY) == LUA_TBOOLEAN && !lua_toboolean(L, V_KEY)))
    luaL_error(L, "rtc.events.verify: auth_key: expected a string, or false for unsigned "
               "callbacks, got %s", luaL_typename(L, V_KEY));
  lua_settop(L, V_TOP);
  read_opts(L, &max_age, &now);
  read_headers(L, &twice);
  body = lua_tolstring(L, V_BODY, &body_len); /* the slot anchors it; so do V_KEY and V_RAND.. */
  if (key != NULL) {
    rtc_event_delivery d;
    char why[256];
    if (twice) {
      snprintf(why, sizeof why, "the %s header was given more than once", twice);
      return fail(L, "signature", why, NULL);
    }
    memset(&d, 0, sizeof d);
    d.rand = lua_tolstring(L, V_RAND, &d.rand_len);
    d.timestamp = lua_tolstring(L, V_TIMESTAMP, &d.timestamp_len);
    d.signature = lua_tolstring(L, V_SIGNATURE, &d.signature_len);
    d.body = body;
    d.body_len = body_len;
    if (rtc_event_check(&d, key, key_len, now, max_age, why, sizeof why) != 0)
      return fail(L, "signature", why, NULL);
  }
  if (decode_event(L, body, body_len) != 0) return 2;
  /* the header values, as they came, under event.x_rtc (absent ones are nil) */
  lua_createtable(L, 0, 3);
  for (i = 0; i < 3; i++) {
    lua_pushvalue(L, V_RAND + i);
    lua_setfield(L, -2, header_keys[i]);
  }
  lua_setfield(L, -2, "x_rtc");
  return 1;
}

/* rtc.events.sign(body, auth_key [, {rand =, timestamp =}]) -> {["X-Rtc-Rand"] = ..., ...} */
static int lrtc_events_sign(lua_State *L) {
  size_t body_len, key_len, rand_len = 0, ts_len = 0;
  const char *body, *key, *rand = NULL, *ts = NULL;
  char rand_buf[17], ts_buf[32], sig[RTC_EVENT_SIGNATURE_HEX + 1];
  luaL_checktype(L, 1, LUA_TSTRING);
  luaL_checktype(L, 2, LUA_TSTRING);
  body = lua_tolstring(L, 1, &body_len);
  key = lua_tolstring(L, 2, &key_len);
  lua_settop(L, 3);
  if (!lua_isnil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    if (rtc_raw_field(L, 3, "rand") == LUA_TSTRING) rand = lua_tolstring(L, -1, &rand_len);
    else if (!lua_isnil(L, -1))
      luaL_error(L, "rtc.events.sign: opts.rand: expected a string, got %s", luaL_typename(L, -1));
    /* slot 4 anchors the rand string (left on the stack) */
    switch (rtc_raw_field(L, 3, "timestamp")) {
    case LUA_TNIL: break;
    case LUA_TSTRING: ts = lua_tolstring(L, -1, &ts_len); break;
    case LUA_TNUMBER: {
      double v = (double)lua_tonumber(L, -1);
      if (!(v >= 0 && v < 1e19 && v == floor(v)))
        luaL_error(L, "rtc.events.sign: opts.timestamp: expected a whole number >= 0");
      snprintf(ts_buf, sizeof ts_buf, "%.0f", v);
      ts = ts_buf;
      ts_len = strlen(ts_buf);
      break;
    }
    default:
      luaL_error(L, "rtc.events.sign: opts.timestamp: expected a string or a number, got %s",
                 luaL_typename(L, -1));
    }
    /* slot 5 anchors the timestamp string */
  }
  if (rand == NULL) {
    if (rtc_event_rand(rand_buf) != 0) luaL_error(L, "rtc.events.sign: RAND_bytes failed");
    rand = rand_buf;
    rand_len = 16;
  } else if (!rtc_event_header_ok(rand, rand_len)) {
    luaL_error(L, "rtc.events.sign: opts.rand: expected 1 to %d printable characters",
               RTC_EVENT_MAX_HEADER);
  }
  if (ts == NULL) {
    snprintf(ts_buf, sizeof ts_buf, "%lld", (long long)time(NULL));
    ts = ts_buf;
    ts_len = strlen(ts_buf);
  } else {
    double unused;
    if (rtc_event_timestamp(ts, ts_len, &unused) != 0)
      luaL_error(L, "rtc.events.sign: opts.timestamp: expected decimal digits (seconds or "
                 "milliseconds since the epoch)");
  }
  if (rtc_event_sign(key, key_len, rand, rand_len, ts, ts_len, body, body_len, sig) != 0)
    luaL_error(L, "rtc.events.sign: HMAC-SHA256 failed (libcrypto)");
  lua_createtable(L, 0, 3);
  lua_pushlstring(L, rand, rand_len);
  lua_setfield(L, -2, "X-Rtc-Rand");
  lua_pushlstring(L, ts, ts_len);
  lua_setfield(L, -2, "X-Rtc-Timestamp");
  lua_pushstring(L, sig);
  lua_setfield(L, -2, "X-Rtc-Signature");
  return 1;
}

/* rtc.events.schema() -> the event's row, as rtc.operations() shows a schema (docs, the CLI) */
static int lrtc_events_schema(lua_State *L) {
  rtc_push_schema(L, &rtc_model_event);
  return 1;
}

static const luaL_Reg events_functions[] = {
  {"verify", lrtc_events_verify}, {"sign", lrtc_events_sign}, {"schema", lrtc_events_schema},
  {NULL, NULL}};

void rtc_events_register(lua_State *L, int module) {
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, -2); /* the module state, upvalue 1 of every function */
  luaL_setfuncs(L, events_functions, 1);
  lua_setfield(L, module, "events");
}
