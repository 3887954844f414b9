/* rtc_validate.c: requests checked against the rows before anything is sent: params and query
 * tables (raw reads: no metamethod runs) and path parameters. Pure. Calls rtc_api (the rows),
 * rtc_error (describing a value), rtc_text. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rtc_lua.h"

/* ---------------------------------------------------------------- validation */

typedef struct vstate {
  lua_State *L;
  char path[256];
  char failed[256]; /* the path where validation failed (path itself unwinds afterwards) */
  char *err;
  size_t errlen;
} vstate;

static int fail(vstate *v, const char *expected, int idx) {
  char got[96];
  snprintf(v->failed, sizeof v->failed, "%s", v->path[0] ? v->path : "params");
  if (idx) rtc_describe_value(v->L, idx, got, sizeof got);
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
  if (name) rtc_path_name(v->path, sizeof v->path, old, name);
  else rtc_path_index(v->path, sizeof v->path, old, (unsigned long long)index);
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
  if (lua_type(v->L, idx) != LUA_TNUMBER) goto refused;
  if (rtc_isinteger(v->L, idx)) {
    value = (long long)lua_tointeger(v->L, idx);
  } else {
    double d = (double)lua_tonumber(v->L, idx);
    /* Only whole numbers that a double holds exactly (|d| <= 2^53) pass as integers. */
    if (!(d == floor(d)) || fabs(d) > 9007199254740992.0) goto refused;
    value = (long long)d;
  }
  if ((value >= f->min && value <= f->max) || ((f->flags & RTC_OR_ZERO) && value == 0)) return 1;
refused: /* the message is written only when it is needed */
  snprintf(expected, sizeof expected, "an integer from %lld to %lld%s", f->min, f->max,
           f->flags & RTC_OR_ZERO ? ", or 0" : "");
  return fail(v, expected, idx);
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
    if (r->value[0] == '!') /* given, and not that value */
      applies = !lua_isnil(L, -1) && !is_or_contains(L, lua_gettop(L), r->value + 1);
    else
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
      snprintf(msg, sizeof msg, "required when %s is %s%s", r->when,
               r->value[0] == '!' ? "not " : "", r->value + (r->value[0] == '!'));
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
      rtc_describe_value(L, -2, key, sizeof key);
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
      rtc_describe_value(L, -2, key, sizeof key);
      lua_pop(L, 2);
      snprintf(msg, sizeof msg, "expected field names (strings) as keys, got key %s", key);
      return fail(v, msg, 0);
    }
    f = rtc_find_field(s, lua_tostring(L, -2));
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
