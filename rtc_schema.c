/* rtc_schema.c: the API as data (operations and field schemas), and the pure functions that
 * read it: request validation, path encoding, and response normalization. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc.h"

/* ---------------------------------------------------------------- validation */

typedef struct vstate {
  lua_State *L;
  char path[256];
  char failed[256]; /* the path where validation failed (path itself unwinds afterwards) */
  char *err;
  size_t errlen;
} vstate;

/* Describes the value at idx for a message: strings quoted and cut, others by type. */
static void describe(lua_State *L, int idx, char *out, size_t outlen) {
  int t = lua_type(L, idx);
  if (t == LUA_TSTRING) {
    size_t len, i, o = 0;
    const char *s = lua_tolstring(L, idx, &len);
    int escape_high = !rtc_utf8_valid(s, len); /* a message must stay valid UTF-8 itself */
    if (outlen < 8) { if (outlen) out[0] = '\0'; return; }
    out[o++] = '"';
    for (i = 0; i < len && o + 6 < outlen && (i < 48 || (s[i] & 0xc0) == 0x80); i++) {
      unsigned char c = (unsigned char)s[i];
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (escape_high && c >= 0x80))
        o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
      else
        out[o++] = (char)c;
    }
    if (i < len && o + 4 < outlen) { memcpy(out + o, "...", 3); o += 3; }
    out[o++] = '"';
    out[o] = '\0';
  } else if (t == LUA_TNUMBER) {
    lua_Number n = lua_tonumber(L, idx);
    if (rtc_isinteger(L, idx)) snprintf(out, outlen, "%lld", (long long)lua_tointeger(L, idx));
    else snprintf(out, outlen, "%.17g", (double)n);
  } else if (t == LUA_TBOOLEAN) {
    snprintf(out, outlen, "%s", lua_toboolean(L, idx) ? "true" : "false");
  } else {
    snprintf(out, outlen, "a %s", lua_typename(L, t));
  }
}

static int fail(vstate *v, const char *expected, int idx) {
  char got[96];
  snprintf(v->failed, sizeof v->failed, "%s", v->path[0] ? v->path : "params");
  if (idx) describe(v->L, idx, got, sizeof got);
  if (idx)
    snprintf(v->err, v->errlen, "%s: expected %s, got %s", v->path[0] ? v->path : "params",
             expected, got);
  else
    snprintf(v->err, v->errlen, "%s: %s", v->path[0] ? v->path : "params", expected);
  return 0;
}

/* Path bookkeeping: append ".name" or "[i]" and restore the previous length afterwards. */
static size_t path_push(vstate *v, const char *name, long long index) {
  size_t old = strlen(v->path);
  if (name)
    snprintf(v->path + old, sizeof v->path - old, "%s%s", old ? "." : "", name);
  else
    snprintf(v->path + old, sizeof v->path - old, "[%lld]", index);
  return old;
}


static int check_string(vstate *v, const rtc_field *f, const rtc_format *format, int idx) {
  size_t len;
  const char *s;
  char expected[160];
  if (lua_type(v->L, idx) != LUA_TSTRING)
    return fail(v, format ? format->expected : "a string", idx);
  s = lua_tolstring(v->L, idx, &len);
  if (memchr(s, '\0', len)) return fail(v, "text without NUL bytes", idx);
  if (len > RTC_MAX_TEXT) return fail(v, "a string of at most 4096 bytes", 0);
  if (f->type == RTC_T_STRING && f->max > 0 && (long long)len > f->max) { /* the field's own */
    snprintf(expected, sizeof expected, "a string of at most %lld bytes", f->max);
    return fail(v, expected, 0);
  }
  if (!rtc_utf8_valid(s, len)) return fail(v, "UTF-8 text", idx);
  if (format && !format->check(s, len)) return fail(v, format->expected, idx);
  if ((f->flags & RTC_NONEMPTY) && len == 0) return fail(v, "a non-empty string", idx);
  if (f->enums) {
    const char *const *e;
    size_t o = 0;
    for (e = f->enums; *e; e++)
      if (strcmp(*e, s) == 0) return 1;
    o += (size_t)snprintf(expected, sizeof expected, "one of ");
    for (e = f->enums; *e && o < sizeof expected; e++)
      o += (size_t)snprintf(expected + o, sizeof expected - o, "%s%s", *e, e[1] ? ", " : "");
    return fail(v, expected, idx);
  }
  return 1;
}

static int check_integer(vstate *v, const rtc_field *f, int idx) {
  char expected[96];
  long long value;
  snprintf(expected, sizeof expected, "an integer from %lld to %lld", f->min, f->max);
  if (lua_type(v->L, idx) != LUA_TNUMBER) return fail(v, expected, idx);
  if (rtc_isinteger(v->L, idx)) {
    value = (long long)lua_tointeger(v->L, idx);
  } else {
    double d = (double)lua_tonumber(v->L, idx);
    /* Only whole numbers that a double holds exactly (|d| <= 2^53) pass as integers. */
    if (!(d == floor(d)) || fabs(d) > 9007199254740992.0) return fail(v, expected, idx);
    value = (long long)d;
  }
  if (value < f->min || value > f->max) return fail(v, expected, idx);
  return 1;
}

static int check_object(vstate *v, int idx, const rtc_schema *s);

/* 1 when the value at idx is the string value, or an array that holds it. */
static int is_or_contains(lua_State *L, int idx, const char *value) {
  size_t i, n;
  if (lua_type(L, idx) == LUA_TSTRING) return strcmp(lua_tostring(L, idx), value) == 0;
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  n = lua_rawlen(L, idx);
  for (i = 1; i <= n; i++) {
    int hit;
    lua_rawgeti(L, idx, (int)i);
    hit = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), value) == 0;
    lua_pop(L, 1);
    if (hit) return 1;
  }
  return 0;
}

/* The schema's rules: "when field F is (or contains) V, field G is required". */
static int check_rules(vstate *v, int idx, const rtc_schema *s) {
  lua_State *L = v->L;
  const rtc_rule *r;
  for (r = s->rules; r->when; r++) {
    int applies, present;
    lua_pushstring(L, r->when);
    lua_rawget(L, idx);
    applies = is_or_contains(L, lua_gettop(L), r->value);
    lua_pop(L, 1);
    if (!applies) continue;
    lua_pushstring(L, r->then);
    lua_rawget(L, idx);
    present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!present) {
      char msg[256];
      size_t old = path_push(v, r->then, 0);
      snprintf(msg, sizeof msg, "required when %s is %s", r->when, r->value);
      fail(v, msg, 0);
      v->path[old] = '\0';
      return 0;
    }
  }
  return 1;
}

static int check_array(vstate *v, const rtc_field *f, int idx) {
  lua_State *L = v->L;
  size_t n, i, old;
  char expected[192];
  if (lua_type(L, idx) != LUA_TTABLE) return fail(v, "an array (a Lua sequence)", idx);
  n = lua_rawlen(L, idx);
  if ((long long)n > f->max) {
    snprintf(expected, sizeof expected, "expected at most %lld entries, got %lu", f->max,
             (unsigned long)n);
    return fail(v, expected, 0);
  }
  /* Every key must be 1..n: this also finds holes and hash parts. At most n+1 steps. */
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    int ok = lua_type(L, -2) == LUA_TNUMBER;
    if (ok) {
      lua_Number k = lua_tonumber(L, -2);
      ok = k >= 1 && k <= (lua_Number)n && k == floor(k);
    }
    if (!ok) {
      char key[96];
      describe(L, -2, key, sizeof key);
      lua_pop(L, 2);
      snprintf(expected, sizeof expected,
               "expected an array without holes or other keys (found key %s)", key);
      return fail(v, expected, 0);
    }
    lua_pop(L, 1);
  }
  if ((long long)n < f->min) {
    snprintf(expected, sizeof expected, "expected a non-empty array of %s",
             f->format ? f->format->expected : "strings");
    return fail(v, expected, 0);
  }
  for (i = 1; i <= n; i++) {
    int ok;
    lua_rawgeti(L, idx, (int)i);
    old = path_push(v, NULL, (long long)i);
    if (f->item == RTC_T_OBJECT && f->object) /* an array of objects: each by the item schema */
      ok = lua_type(L, -1) == LUA_TTABLE ? check_object(v, lua_gettop(L), f->object)
                                         : fail(v, "a table", lua_gettop(L));
    else
      ok = check_string(v, f, f->format, lua_gettop(L));
    v->path[old] = '\0';
    lua_pop(L, 1);
    if (!ok) return 0;
  }
  return 1;
}

static int check_value(vstate *v, const rtc_field *f, int idx) {
  switch (f->type) {
  case RTC_T_STRING: return check_string(v, f, f->format, idx);
  case RTC_T_BOOLEAN:
    return lua_type(v->L, idx) == LUA_TBOOLEAN ? 1 : fail(v, "a boolean", idx);
  case RTC_T_INTEGER: return check_integer(v, f, idx);
  case RTC_T_NUMBER: {
    lua_Number d;
    if (lua_type(v->L, idx) != LUA_TNUMBER) return fail(v, "a number", idx);
    d = lua_tonumber(v->L, idx);
    if (d != d || (f->fmin <= f->fmax && (d < f->fmin || d > f->fmax))) {
      char what[96];
      snprintf(what, sizeof what, "a number from %g to %g", f->fmin, f->fmax);
      return fail(v, what, idx);
    }
    return 1;
  }
  case RTC_T_ARRAY: return check_array(v, f, idx);
  case RTC_T_OBJECT:
    if (lua_type(v->L, idx) != LUA_TTABLE) return fail(v, "a table", idx);
    return check_object(v, idx, f->object);
  }
  return fail(v, "a known type", idx);
}

static const rtc_field *find_field(const rtc_schema *s, const char *name) {
  size_t i;
  for (i = 0; i < s->nfields; i++) /* first byte first: most names differ there */
    if (s->fields[i].name[0] == name[0] && strcmp(s->fields[i].name, name) == 0)
      return &s->fields[i];
  return NULL;
}

static int unknown_field(vstate *v, const rtc_schema *s, const char *name) {
  size_t i, best = 99;
  const char *suggestion = NULL;
  char msg[160];
  for (i = 0; i < s->nfields; i++) {
    size_t d = rtc_edit_distance(name, s->fields[i].name);
    if (d < best) { best = d; suggestion = s->fields[i].name; }
  }
  if (suggestion && best <= 3)
    snprintf(msg, sizeof msg, "unknown field (did you mean \"%s\"?)", suggestion);
  else
    snprintf(msg, sizeof msg, "unknown field (%s has no such field)", s->name);
  return fail(v, msg, 0);
}

static int check_object(vstate *v, int idx, const rtc_schema *s) {
  lua_State *L = v->L;
  size_t i, old;
  luaL_checkstack(L, 4, "rtc: validation");
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const rtc_field *f;
    int ok;
    if (lua_type(L, -2) != LUA_TSTRING) {
      char key[96], msg[160];
      describe(L, -2, key, sizeof key);
      lua_pop(L, 2);
      snprintf(msg, sizeof msg, "expected field names (strings) as keys, got key %s", key);
      return fail(v, msg, 0);
    }
    f = find_field(s, lua_tostring(L, -2));
    old = path_push(v, lua_tostring(L, -2), 0);
    if (f == NULL) {
      unknown_field(v, s, lua_tostring(L, -2));
      lua_pop(L, 2);
      return 0;
    }
    ok = check_value(v, f, lua_gettop(L));
    v->path[old] = '\0';
    lua_pop(L, 1);
    if (!ok) { lua_pop(L, 1); return 0; }
  }
  for (i = 0; i < s->nfields; i++) {
    const rtc_field *f = &s->fields[i];
    if (!(f->flags & RTC_REQUIRED)) continue;
    lua_pushstring(L, f->name);
    lua_rawget(L, idx);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      old = path_push(v, f->name, 0);
      fail(v, "required field missing", 0);
      v->path[old] = '\0';
      return 0;
    }
    lua_pop(L, 1);
  }
  if (s->rules && !check_rules(v, idx, s)) return 0;
  if (s->one_of) {
    const char *const *name;
    char msg[160];
    size_t o;
    for (name = s->one_of; *name; name++) {
      lua_pushstring(L, *name);
      lua_rawget(L, idx);
      if (!lua_isnil(L, -1)) { lua_pop(L, 1); return 1; }
      lua_pop(L, 1);
    }
    o = (size_t)snprintf(msg, sizeof msg, "expected at least one of ");
    for (name = s->one_of; *name && o < sizeof msg; name++)
      o += (size_t)snprintf(msg + o, sizeof msg - o, "%s%s", *name, name[1] ? ", " : "");
    return fail(v, msg, 0);
  }
  return 1;
}

int rtc_validate(lua_State *L, int idx, const rtc_schema *s, char *err, size_t errlen,
                 char *field, size_t fieldlen) {
  vstate v;
  int ok;
  v.L = L;
  v.path[0] = v.failed[0] = '\0';
  v.err = err;
  v.errlen = errlen;
  ok = check_object(&v, lua_absindex(L, idx), s);
  if (!ok && field) snprintf(field, fieldlen, "%s", v.failed[0] ? v.failed : "params");
  return ok;
}

/* ---------------------------------------------------------------- path parameters */

#define RTC_MAX_ID 256

int rtc_check_id(const char *s, size_t len, char *err, size_t errlen) {
  size_t i;
  const char *why = NULL;
  if (len == 0) why = "must not be empty";
  else if (len > RTC_MAX_ID) why = "must be at most 256 bytes";
  else if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
    why = "must not be \".\" or \"..\"";
  else if (!rtc_utf8_valid(s, len)) why = "must be UTF-8 text";
  for (i = 0; why == NULL && i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    /* '/' '?' '#' would address another resource if a proxy decoded them: refused, not encoded */
    if (c == '/' || c == '?' || c == '#') why = "must not contain '/', '?' or '#'";
    else if (c < 0x20 || c == 0x7f) why = "must not contain control characters or NUL";
  }
  if (why == NULL) return 1;
  snprintf(err, errlen, "%s", why);
  return 0;
}



/* ---------------------------------------------------------------- response normalization */

static int is_json_null(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL;
}

/* Replaces the number at the top of the stack by the string a person would write for it. */
static void number_to_string(lua_State *L) {
  char tmp[64];
  double d = (double)lua_tonumber(L, -1);
  if (rtc_isinteger(L, -1) || (d == floor(d) && fabs(d) < 1e18)) {
    /* whole numbers by hand: this runs for every id of every answer */
    long long v = rtc_isinteger(L, -1) ? (long long)lua_tointeger(L, -1) : (long long)d;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char *p = tmp + sizeof tmp;
    do *--p = (char)('0' + u % 10); while ((u /= 10) != 0);
    if (v < 0) *--p = '-';
    lua_pop(L, 1);
    lua_pushlstring(L, p, (size_t)(tmp + sizeof tmp - p));
    return;
  }
  snprintf(tmp, sizeof tmp, "%.17g", d);
  lua_pop(L, 1);
  lua_pushstring(L, tmp);
}

/* Leaves an integer when the number at the top is whole (a no-op on 5.1, where it is one).
 * Returns whether the value was replaced. */
static int number_to_integer(lua_State *L) {
#if LUA_VERSION_NUM >= 503
  lua_Number d;
  if (rtc_isinteger(L, -1)) return 0;
  d = lua_tonumber(L, -1);
  if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
    lua_pop(L, 1);
    lua_pushinteger(L, (lua_Integer)d);
    return 1;
  }
#else
  (void)L;
#endif
  return 0;
}

static int normalize_value(lua_State *L, int idx, rtc_type type, const rtc_schema *object,
                           rtc_type item);

/* Arrays from JSON: nulls are dropped and the rest closed up, so the array stays a sequence. */
static void normalize_array(lua_State *L, int idx, rtc_type item, const rtc_schema *object) {
  size_t n = lua_rawlen(L, idx), i, out = 0;
  for (i = 1; i <= n; i++) {
    int replaced;
    lua_rawgeti(L, idx, (int)i);
    if (is_json_null(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    replaced = normalize_value(L, lua_gettop(L), item, item == RTC_T_OBJECT ? object : NULL, item);
    out++;
    if (replaced || out != i) lua_rawseti(L, idx, (int)out);
    else lua_pop(L, 1);
  }
  for (i = out + 1; i <= n; i++) {
    lua_pushnil(L);
    lua_rawseti(L, idx, (int)i);
  }
}

/* Normalizes the value at idx (the top of the stack) in place; returns 1 when it replaced the
 * value on the stack (the caller stores it back), 0 when the value is unchanged. */
static int normalize_value(lua_State *L, int idx, rtc_type type, const rtc_schema *object,
                           rtc_type item) {
  int t = lua_type(L, idx);
  luaL_checkstack(L, 6, "rtc: response nested too deeply");
  if (t == LUA_TNUMBER) {
    if (type == RTC_T_NUMBER) return 0; /* a float field keeps its value */
    if (type != RTC_T_STRING) return number_to_integer(L);
    number_to_string(L);
    return 1;
  }
  if (t == LUA_TSTRING && type == RTC_T_INTEGER) {
    lua_Number d = lua_tonumber(L, idx); /* "30" for an integer field becomes 30 */
    if ((d != 0 || strcmp(lua_tostring(L, idx), "0") == 0) && d == floor(d) &&
        fabs(d) <= 9007199254740992.0) {
      lua_pop(L, 1);
      lua_pushinteger(L, (lua_Integer)d);
      return 1;
    }
    return 0;
  }
  if (t == LUA_TSTRING && type == RTC_T_BOOLEAN) { /* "true" for a boolean field becomes true */
    const char *v = lua_tostring(L, idx);
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
      int b = v[0] == 't';
      lua_pop(L, 1);
      lua_pushboolean(L, b);
      return 1;
    }
    return 0;
  }
  if (t == LUA_TTABLE) {
    if (type == RTC_T_ARRAY) normalize_array(L, idx, item, object);
    else if (object) rtc_normalize(L, idx, object);
    else if (lua_rawlen(L, idx) > 0) normalize_array(L, idx, RTC_T_OBJECT, NULL);
    else rtc_normalize(L, idx, NULL);
  }
  return 0; /* tables change in place */
}

void rtc_normalize(lua_State *L, int idx, const rtc_schema *s) {
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 6, "rtc: response nested too deeply");
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const rtc_field *f = NULL;
    if (is_json_null(L, -1)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, idx); /* clearing a field during traversal is allowed */
      continue;
    }
    if (s && lua_type(L, -2) == LUA_TSTRING) f = find_field(s, lua_tostring(L, -2));
    if (f ? normalize_value(L, lua_gettop(L), f->type, f->object, f->item)
          : normalize_value(L, lua_gettop(L), RTC_T_OBJECT, NULL, RTC_T_OBJECT)) {
      lua_pushvalue(L, -2); /* store the replacement: assigning an existing key mid-traversal */
      lua_insert(L, -2);
      lua_rawset(L, idx);
    } else {
      lua_pop(L, 1);
    }
  }
}
