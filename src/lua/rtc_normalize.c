/* rtc_normalize.c: answers turned into the documented types, or refused naming the field:
 * conversions only where exact, long number literals read back from the body. Pure. Calls
 * rtc_api (the rows), rtc_error (describing a value), rtc_text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc_lua.h"

/* ---------------------------------------------------------------- response normalization */

/* An answer is typed as documented, or refused: a value converts only when the conversion is
 * exact (see the README's table under "Calls"). A number literal of more than 15 significant
 * digits may have been rounded by lua-cjson (a double), so its text is read back from the body:
 * an id sent as 9007199254740993 stays "9007199254740993", never "9007199254740992". */
typedef struct long_literal {
  double value;
  const char *text;
  size_t len;
  int integer;                           /* digits only, with an optional '-' */
} long_literal;

/* Where the walk is: one segment a level (a key, or an array's index), kept as pointers to the
 * keys on the Lua stack; the path is written out only when an answer is refused. */
#define PATH_SEGMENTS 130 /* answers nest at most 128 deep (decode_max_depth) */
typedef struct path_segment {
  const char *name;                      /* NULL: index */
  size_t index;
} path_segment;

typedef struct nstate {
  lua_State *L;
  const char *body;
  size_t len;
  int scanned, incomplete;
  long_literal *lits;
  size_t nlits, cap;
  path_segment seg[PATH_SEGMENTS];
  int depth;
  char *why;
  size_t whylen;
  char *field;
  size_t fieldlen;
  int failed;
} nstate;

static int is_json_null(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == NULL;
}

/* A decoded JSON object (string keys) rather than an array; {} is both. */
static int is_json_object(lua_State *L, int idx) {
  int yes = 0;
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  if (lua_next(L, idx) != 0) {
    yes = lua_type(L, -2) == LUA_TSTRING;
    lua_pop(L, 2);
  }
  return yes;
}

/* Records the number literals of the body with more than 15 significant digits. Strings are
 * skipped (with their escapes); everything else is either a number's character or not. */
static int number_char(char c) {
  return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
}

/* The end of the string whose opening quote is at p (past its closing quote, or end): memchr
 * finds each quote; one after an odd run of backslashes is escaped. */
static const char *skip_string(const char *p, const char *end) {
  for (p++; p < end;) {
    const char *q = memchr(p, '"', (size_t)(end - p)), *b;
    if (q == NULL) return end;
    for (b = q; b > p && b[-1] == '\\'; b--) {}
    p = q + 1;
    if ((q - b) % 2 == 0) return p;
  }
  return end;
}

static void scan_literals(nstate *n) {
  const char *p = n->body, *end = n->body + n->len;
  n->scanned = 1;
  while (p < end) {
    if (*p == '"') {
      p = skip_string(p, end);
      continue;
    }
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
      const char *start = p;
      int digits = 0, leading = 1, integer = 1;
      for (; p < end && number_char(*p); p++) {
        if (*p == 'e' || *p == 'E') { integer = 0; leading = -1; }
        else if (*p == '.') integer = 0;
        else if (*p >= '0' && *p <= '9' && leading >= 0 && (*p != '0' || !leading)) {
          leading = 0; /* 0.000123: zeros before the first other digit do not count */
          digits++;
        }
      }
      if (digits > 15) {
        char tmp[400];
        size_t len = (size_t)(p - start);
        if (n->nlits == n->cap) {
          size_t cap = n->cap ? n->cap * 2 : 8;
          long_literal *q = realloc(n->lits, cap * sizeof *q);
          if (q == NULL) { n->incomplete = 1; continue; } /* long numbers then refused */
          n->lits = q;
          n->cap = cap;
        }
        if (len >= sizeof tmp) len = sizeof tmp - 1;
        memcpy(tmp, start, len);
        tmp[len] = '\0';
        n->lits[n->nlits].value = strtod(tmp, NULL);
        n->lits[n->nlits].text = start;
        n->lits[n->nlits].len = (size_t)(p - start);
        n->lits[n->nlits].integer = integer;
        n->nlits++;
      }
      continue;
    }
    p++;
  }
}

static void push_segment(nstate *n, const char *name, size_t index) {
  if (n->depth < PATH_SEGMENTS) {
    n->seg[n->depth].name = name;
    n->seg[n->depth].index = index;
  }
  n->depth++;
}

/* "publish_param.rtmp_urls[1]", cut to fit cap */
static void write_path(const nstate *n, char *out, size_t cap) {
  int i;
  size_t at = 0;
  out[0] = '\0';
  for (i = 0; i < n->depth && i < PATH_SEGMENTS; i++) {
    if (n->seg[i].name) rtc_path_name(out, cap, at, n->seg[i].name);
    else rtc_path_index(out, cap, at, (unsigned long long)n->seg[i].index);
    at = strlen(out);
  }
}

static int refuse(nstate *n, const char *expected, int idx) {
  char got[80], path[256];
  int t = lua_type(n->L, idx);
  if (t == LUA_TNUMBER) {
    double d = (double)lua_tonumber(n->L, idx);
    snprintf(got, sizeof got, d != d ? "NaN" : isinf(d) ? "an infinite number" : "the number %.17g", d);
  } else if (t == LUA_TSTRING) {
    rtc_describe_value(n->L, idx, got, sizeof got);
  } else {
    snprintf(got, sizeof got, "%s", t == LUA_TTABLE ? (is_json_object(n->L, idx) ? "an object" :
             "an array") : t == LUA_TBOOLEAN ? (lua_toboolean(n->L, idx) ? "true" : "false") :
             lua_typename(n->L, t));
  }
  n->failed = 1;
  write_path(n, path, sizeof path);
  snprintf(n->field, n->fieldlen, "%s", path);
  snprintf(n->why, n->whylen, "the answer's %s is %s where %s was expected", path[0] ?
           path : "body", got, expected);
  return 0;
}

/* Pushes the decimal text of a whole number (the magnitude and its sign). */
static void push_integer_text(lua_State *L, unsigned long long v, int negative) {
  char digits[24], *d = digits + sizeof digits;
  do *--d = (char)('0' + v % 10); while ((v /= 10) > 0);
  if (negative) *--d = '-';
  lua_pushlstring(L, d, (size_t)(digits + sizeof digits - d));
}

/* The string for a number met in a string field, pushed in its place; 0 (refused) when no exact
 * text is known. */
static int number_to_string(nstate *n, int idx) {
  lua_State *L = n->L;
  char tmp[64];
  double d = (double)lua_tonumber(L, idx);
  size_t i;
  const long_literal *match = NULL;
  if (d != d || isinf(d)) return refuse(n, "a string", idx);
  if (rtc_isinteger(L, idx)) {
    lua_Integer k = lua_tointeger(L, idx);
    lua_pop(L, 1);
    push_integer_text(L, (unsigned long long)(k < 0 ? -(unsigned long long)k : (unsigned long long)k),
                      k < 0);
    return 1;
  }
  if (!n->scanned) scan_literals(n);
  if (n->incomplete && fabs(d) >= 1e15) return refuse(n, "a string", idx);
  for (i = 0; i < n->nlits; i++) {
    if (n->lits[i].value != d) continue;
    if (!n->lits[i].integer || (match && (match->len != n->lits[i].len ||
                                          memcmp(match->text, n->lits[i].text, match->len) != 0)))
      return refuse(n, "a string (a number this long has no exact text: the answer is ambiguous)", idx);
    match = &n->lits[i];
  }
  if (match) {
    lua_pop(L, 1);
    lua_pushlstring(L, match->text, match->len); /* the literal itself: exact */
    return 1;
  }
  if (fabs(d) >= 9007199254740992.0) /* a short literal (1e20) rounded to a double */
    return refuse(n, "a string (a number beyond 2^53 is not an exact id)", idx);
  /* the literal had at most 15 significant digits: %.15g gives back its value exactly (a
   * whole number is written as "%.0f" would write it, without printf's cost) */
  if (d == floor(d) && (d != 0 || !signbit(d))) {
    lua_pop(L, 1);
    push_integer_text(L, (unsigned long long)fabs(d), d < 0);
    return 1;
  }
  if (d == floor(d)) snprintf(tmp, sizeof tmp, "%.0f", d);
  else snprintf(tmp, sizeof tmp, "%.15g", d);
  lua_pop(L, 1);
  lua_pushstring(L, tmp);
  return 1;
}

/* An integer for an integral number within 2^53 (the range a double holds exactly). */
static int to_integer(nstate *n, int idx, double d, int *replaced) {
  if (!(d == floor(d) && fabs(d) < 9007199254740992.0))
    return refuse(n, "an integer", idx);
  if (!n->scanned) scan_literals(n);
  if (n->incomplete && fabs(d) >= 1e15) return refuse(n, "an integer", idx);
  {
    size_t i;
    for (i = 0; i < n->nlits; i++) /* 5.0000000000000001 arrives as 5: not the value sent */
      if (n->lits[i].value == d && !n->lits[i].integer) return refuse(n, "an integer", idx);
  }
#if LUA_VERSION_NUM >= 503
  if (!rtc_isinteger(n->L, idx)) {
    lua_pop(n->L, 1);
    lua_pushinteger(n->L, (lua_Integer)d);
    *replaced = 1;
  }
#else
  (void)replaced; /* 5.1: every number is already the one type */
#endif
  return 1;
}

static int normalize_value(nstate *n, int idx, rtc_type type, const rtc_schema *object,
                           rtc_type item, int *replaced);
static int normalize_object(nstate *n, int idx, const rtc_schema *s);

/* Arrays from JSON: nulls are dropped and the rest closed up, so the array stays a sequence. */
static int normalize_array(nstate *n, int idx, rtc_type item, const rtc_schema *object) {
  lua_State *L = n->L;
  size_t n0 = lua_rawlen(L, idx), i, out = 0;
  for (i = 1; i <= n0; i++) {
    int replaced = 0;
    lua_rawgeti(L, idx, (int)i);
    if (is_json_null(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    out++;
    push_segment(n, NULL, out);
    if (!normalize_value(n, lua_gettop(L), item, item == RTC_T_OBJECT ? object : NULL, item,
                         &replaced))
      return 0;
    n->depth--;
    if (replaced || out != i) lua_rawseti(L, idx, (int)out);
    else lua_pop(L, 1);
  }
  for (i = out + 1; i <= n0; i++) {
    lua_pushnil(L);
    lua_rawseti(L, idx, (int)i);
  }
  return 1;
}

/* Checks and converts the value at idx (the top of the stack) in place; *replaced is set when
 * the value on the stack was replaced (the caller stores it back). 0: refused (n->why). */
static int normalize_value(nstate *n, int idx, rtc_type type, const rtc_schema *object,
                           rtc_type item, int *replaced) {
  lua_State *L = n->L;
  int t = lua_type(L, idx);
  luaL_checkstack(L, 6, "rtc: response nested too deeply");
  if (t == LUA_TNUMBER) {
    double d = (double)lua_tonumber(L, idx);
    if (d != d || isinf(d)) return refuse(n, "a finite number", idx); /* 1e400: cjson's inf */
    switch (type) {
    case RTC_T_NUMBER: return 1;
    case RTC_T_INTEGER: return to_integer(n, idx, d, replaced);
    case RTC_T_STRING: *replaced = 1; return number_to_string(n, idx);
    case RTC_T_BOOLEAN: return refuse(n, "a boolean", idx);
    case RTC_T_ARRAY: return refuse(n, "an array", idx);
    case RTC_T_OBJECT: /* undocumented: as sent, whole numbers as integers */
      if (object) return refuse(n, "an object", idx);
#if LUA_VERSION_NUM >= 503
      if (!rtc_isinteger(L, idx) && d == floor(d) && fabs(d) < 9007199254740992.0) {
        lua_pop(L, 1);
        lua_pushinteger(L, (lua_Integer)d);
        *replaced = 1;
      }
#endif
      return 1;
    }
    return 1;
  }
  if (t == LUA_TSTRING) {
    const char *v = lua_tostring(L, idx);
    char *end;
    switch (type) {
    case RTC_T_STRING: return 1;
    case RTC_T_INTEGER: case RTC_T_NUMBER: {
      /* "30" for an integer field becomes 30: decimal digits only, no "0x1e", " 30", "inf" */
      size_t i, len = strlen(v);
      double d;
      int ok = len > 0 && len <= 15;
      for (i = (v[0] == '-'); ok && i < len; i++)
        ok = (v[i] >= '0' && v[i] <= '9') || (type == RTC_T_NUMBER && v[i] == '.');
      d = ok ? strtod(v, &end) : 0;
      if (!ok || *end != '\0' || i == (size_t)(v[0] == '-'))
        return refuse(n, type == RTC_T_INTEGER ? "an integer" : "a number", idx);
      lua_pop(L, 1);
      if (type == RTC_T_INTEGER) lua_pushinteger(L, (lua_Integer)d);
      else lua_pushnumber(L, (lua_Number)d);
      *replaced = 1;
      return 1;
    }
    case RTC_T_BOOLEAN:
      if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) { /* "true" becomes true */
        int b = v[0] == 't';
        lua_pop(L, 1);
        lua_pushboolean(L, b);
        *replaced = 1;
        return 1;
      }
      return refuse(n, "a boolean", idx);
    case RTC_T_ARRAY: return refuse(n, "an array", idx);
    case RTC_T_OBJECT: return object ? refuse(n, "an object", idx) : 1;
    }
    return 1;
  }
  if (t == LUA_TBOOLEAN) {
    if (type == RTC_T_BOOLEAN || (type == RTC_T_OBJECT && object == NULL)) return 1;
    return refuse(n, type == RTC_T_STRING ? "a string" : type == RTC_T_INTEGER ? "an integer" :
                  type == RTC_T_NUMBER ? "a number" : type == RTC_T_ARRAY ? "an array" :
                  "an object", idx);
  }
  if (t == LUA_TTABLE) {
    if (type == RTC_T_ARRAY) {
      if (is_json_object(L, idx)) return refuse(n, "an array", idx);
      return normalize_array(n, idx, item, object);
    }
    if (type != RTC_T_OBJECT)
      return refuse(n, type == RTC_T_STRING ? "a string" : type == RTC_T_INTEGER ? "an integer" :
                    type == RTC_T_NUMBER ? "a number" : "a boolean", idx);
    if (object && lua_rawlen(L, idx) > 0) return refuse(n, "an object", idx);
    if (object) return normalize_object(n, idx, object);
    if (lua_rawlen(L, idx) > 0) return normalize_array(n, idx, RTC_T_OBJECT, NULL);
    return normalize_object(n, idx, NULL);
  }
  return 1;
}

static int normalize_object(nstate *n, int idx, const rtc_schema *s) {
  lua_State *L = n->L;
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 6, "rtc: response nested too deeply");
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const rtc_field *f = NULL;
    int replaced = 0, ok, named = 0;
    if (is_json_null(L, -1)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, idx); /* clearing a field during traversal is allowed */
      continue;
    }
    if (lua_type(L, -2) == LUA_TSTRING) {
      const char *key = lua_tostring(L, -2);
      if (s) f = rtc_find_field(s, key);
      push_segment(n, key, 0); /* the key stays on the stack while its value is checked */
      named = 1;
    }
    ok = f ? normalize_value(n, lua_gettop(L), f->type, f->object, f->item, &replaced)
           : normalize_value(n, lua_gettop(L), RTC_T_OBJECT, NULL, RTC_T_OBJECT, &replaced);
    if (ok && f && f->type == RTC_T_STRING && lua_type(L, -1) == LUA_TSTRING) {
      size_t klen = strlen(f->name), vlen;
      const char *v = lua_tolstring(L, -1, &vlen);
      if (klen > 3 && strcmp(f->name + klen - 3, "_id") == 0 && !rtc_answer_id_ok(v, vlen))
        ok = refuse(n, "an id (at most 256 bytes of UTF-8 text, no control characters)", -1);
    }
    if (!ok) {
      lua_pop(L, 2);
      return 0;
    }
    n->depth -= named;
    if (replaced) {
      lua_pushvalue(L, -2); /* store the replacement: assigning an existing key mid-traversal */
      lua_insert(L, -2);
      lua_rawset(L, idx);
    } else {
      lua_pop(L, 1);
    }
  }
  return 1;
}

int rtc_answer_id_ok(const char *s, size_t len) {
  size_t i;
  if (len > RTC_MAX_ANSWER_ID || !rtc_utf8_valid(s, len)) return 0;
  for (i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f) return 0;
  return 1;
}

int rtc_normalize(lua_State *L, int idx, const rtc_schema *s, const char *body, size_t len,
                  char *field, size_t fieldlen, char *why, size_t whylen) {
  nstate n; /* not zeroed whole: the segments are written before they are read */
  int top = lua_gettop(L), ok;
  n.scanned = n.incomplete = n.failed = n.depth = 0;
  n.lits = NULL;
  n.nlits = n.cap = 0;
  n.L = L;
  n.body = body;
  n.len = len;
  n.field = field;
  n.fieldlen = fieldlen;
  n.why = why;
  n.whylen = whylen;
  ok = normalize_object(&n, idx, s);
  free(n.lits);
  lua_settop(L, top);
  return ok ? 0 : -1;
}
