/* rtc_build.c: validate -> build: the path through rtc_pct_encode, the body through a private
 * lua-cjson instance. Calls rtc_validate, rtc_text, rtc_api. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc_lua.h"
#include "rtc_credentials.h"

static const char *const credential_help =
    "set token (env RTC_AUTH_TOKEN) for token auth, or ak, sk and project_id (env "
    "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID) for AK/SK signing";

/* Numbers go out as the shortest text that reads back to the same double, as the official SDKs
 * send them (Python's repr: 1/3 -> 0.3333333333333333); lua-cjson 2.1.0 writes at most 14
 * significant digits, so it never formats a number of ours: each number of the (private, validated)
 * copy becomes a placeholder string "\xFF<k>\xFF" before lua-cjson encodes it, and the quoted
 * placeholder is then replaced by the number's text. No collision is possible: every string of
 * a validated body is UTF-8, where the byte 0xFF never occurs, and every key a field name. */
#define PLACEHOLDER 0xFF
#define BODY_DEPTH 16 /* deeper than any schema: what lies beyond is left as it is (refused) */

typedef struct body_number {
  int is_int;
  long long i;
  double d;
} body_number;

/* The shortest of %.15g, %.16g, %.17g that reads back to d (%.17g always does). */
static void shortest_double(char *out, size_t outlen, double d) {
  int p;
  for (p = 15; p <= 17; p++) {
    snprintf(out, outlen, "%.*g", p, d);
    if (strtod(out, NULL) == d) return;
  }
}

static void number_text(char *out, size_t outlen, const body_number *n) {
  if (n->is_int) snprintf(out, outlen, "%lld", n->i);
  else if (n->d == floor(n->d) && fabs(n->d) < 9.2e18) snprintf(out, outlen, "%lld", (long long)n->d);
  else shortest_double(out, outlen, n->d);
}

/* Pushes a private copy of the table at idx, read raw (no metamethod runs): what is validated,
 * encoded and sent is this copy, which no Lua code (a finalizer, a metamethod) can reach. */
static void copy_table(lua_State *L, int idx, int depth) {
  size_t n = 0, narr;
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 6, "rtc: params nested too deeply");
  /* sized from a first pass (lua_next allocates nothing): no rehash while filling the copy */
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    n++;
    lua_pop(L, 1);
  }
  narr = lua_rawlen(L, idx);
  if (narr > n) narr = n;
  n -= narr; /* the rest: the hash part */
  lua_createtable(L, narr > INT_MAX ? INT_MAX : (int)narr, n > INT_MAX ? INT_MAX : (int)n);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -1) == LUA_TTABLE && depth < BODY_DEPTH) {
      copy_table(L, -1, depth + 1);
      lua_remove(L, -2);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
}

/* Replaces every number value of the copy at idx by its placeholder, its value kept in nums. */
static int mark_numbers(lua_State *L, int idx, rtc_buf *nums, int depth) {
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 6, "rtc: params nested too deeply");
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -1) == LUA_TTABLE && depth < BODY_DEPTH) {
      if (mark_numbers(L, -1, nums, depth + 1) != 0) return -1;
    } else if (lua_type(L, -1) == LUA_TNUMBER) {
      body_number n;
      char mark[32];
      size_t k = nums->len / sizeof n;
      n.is_int = rtc_isinteger(L, -1);
      n.i = n.is_int ? (long long)lua_tointeger(L, -1) : 0;
      n.d = (double)lua_tonumber(L, -1);
      if (rtc_buf_add(nums, (const char *)&n, sizeof n) != 0) return -1;
      snprintf(mark, sizeof mark, "%c%lu%c", PLACEHOLDER, (unsigned long)k, PLACEHOLDER);
      lua_pushvalue(L, -2);
      lua_pushstring(L, mark);
      lua_rawset(L, idx); /* an existing key: allowed while traversing */
    }
    lua_pop(L, 1);
  }
  return 0;
}

/* JSON text of the validated copy at params, from the private lua-cjson instance, numbers
 * spliced in (see PLACEHOLDER). lua-cjson writes '/' as "\/", which JSON allows but the seed's
 * examples do not use, so the escape is undone (escape-aware). */
static int encode_body(lua_State *L, rtc_module *m, int params, rtc_buf *out, char *err,
                       size_t errlen) {
  size_t len, i, start;
  const char *s;
  rtc_buf nums = RTC_BUF_INIT;
  int rc = 0;
  if (mark_numbers(L, params, &nums, 0) != 0) {
    rtc_buf_free(&nums);
    snprintf(err, errlen, "params: out of memory");
    return 0;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->encode_ref);
  lua_pushvalue(L, params);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    rtc_buf_free(&nums);
    snprintf(err, errlen, "params: cannot be encoded as JSON: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  s = lua_tolstring(L, -1, &len); /* on the stack until popped: no Lua runs in between */
  for (i = start = 0; i < len && rc == 0;) {
    if (s[i] == '\\' && i + 1 < len) {
      if (s[i + 1] == '/') {
        rc |= rtc_buf_add(out, s + start, i - start) | rtc_buf_add_char(out, '/');
        start = i + 2;
      }
      i += 2;
    } else if (s[i] == '"' && i + 1 < len && (unsigned char)s[i + 1] == PLACEHOLDER) {
      size_t j = i + 2, k = 0;
      char text[40];
      while (j < len && s[j] >= '0' && s[j] <= '9') k = k * 10 + (size_t)(s[j++] - '0');
      if (j + 1 >= len || (unsigned char)s[j] != PLACEHOLDER || s[j + 1] != '"' ||
          k >= nums.len / sizeof(body_number)) {
        i++; /* cannot happen (see PLACEHOLDER): left as it is */
        continue;
      }
      number_text(text, sizeof text, (const body_number *)nums.data + k);
      rc |= rtc_buf_add(out, s + start, i - start) | rtc_buf_add_str(out, text);
      i = start = j + 2;
    } else {
      i++;
    }
  }
  rc |= rtc_buf_add(out, s + start, len - start);
  lua_pop(L, 1);
  rtc_buf_free(&nums);
  if (rc != 0) {
    snprintf(err, errlen, "params: out of memory");
    return 0;
  }
  return 1;
}

/* Appends "?name=value&..." for the query fields present in the table at idx (validated: scalars
 * only), in schema order so that the same table always gives the same bytes. 0 or -1. */
static int add_query(lua_State *L, int idx, const rtc_schema *s, rtc_buf *target) {
  size_t i;
  int first = 1, rc = 0;
  for (i = 0; i < s->nfields && rc == 0; i++) {
    const rtc_field *f = &s->fields[i];
    lua_pushstring(L, f->name);
    lua_rawget(L, idx);
    if (!lua_isnil(L, -1)) {
      rc |= rtc_buf_add_char(target, first ? '?' : '&');
      rc |= rtc_pct_encode(target, f->name, strlen(f->name), 0) | rtc_buf_add_char(target, '=');
      if (lua_type(L, -1) == LUA_TBOOLEAN) {
        rc |= rtc_buf_add_str(target, lua_toboolean(L, -1) ? "true" : "false");
      } else if (lua_type(L, -1) == LUA_TNUMBER) {
        lua_Number d = lua_tonumber(L, -1);
        char text[40];
        if (f->type == RTC_T_INTEGER) snprintf(text, sizeof text, "%lld", (long long)d);
        else shortest_double(text, sizeof text, (double)d);
        rc |= rtc_buf_add_str(target, text);
      } else {
        size_t len;
        const char *v = lua_tolstring(L, -1, &len);
        rc |= rtc_pct_encode(target, v, len, 0);
      }
      first = 0;
    }
    lua_pop(L, 1);
  }
  return rc ? -1 : 0;
}

/* Validates the call's arguments at base.. and builds its request. BUILD_INVALID leaves a
 * message in err (and the offending path in field); BUILD_MISUSE a message about Lua types. */
int rtc_check_path_args(lua_State *L, const rtc_operation *op, int base, int numbers,
                        char *err, size_t errlen) {
  int i, n = rtc_operation_nparams(op);
  for (i = 0; i < n; i++) {
    int t = lua_type(L, base + i);
    if (t != LUA_TSTRING && !(numbers && t == LUA_TNUMBER)) {
      char name[32];
      rtc_operation_param(op, i, name, sizeof name);
      snprintf(err, errlen, "%s: expected a string, got %s", name, luaL_typename(L, base + i));
      return base + i;
    }
  }
  return 0;
}

/* The Lua types of a call's arguments at base.. (path arguments, then params or query): the
 * stack index of the first wrong one, with a message in err, or 0. Types only: client:batch
 * checks every entry with it before anything is sent, and builds each entry later. */
int rtc_check_call_types(lua_State *L, const rtc_operation *op, int base, char *err,
                         size_t errlen) {
  int nparams = rtc_operation_nparams(op), bad = rtc_check_path_args(L, op, base, 1, err, errlen);
  if (bad != 0) return bad;
  if (op->request && lua_type(L, base + nparams) != LUA_TTABLE) {
    snprintf(err, errlen, "params: expected a table, got %s", luaL_typename(L, base + nparams));
    return base + nparams;
  }
  if (op->query && !op->request && !lua_isnoneornil(L, base + nparams) &&
      lua_type(L, base + nparams) != LUA_TTABLE) {
    snprintf(err, errlen, "query: expected a table, got %s", luaL_typename(L, base + nparams));
    return base + nparams;
  }
  return 0;
}

build_result rtc_build_request(lua_State *L, rtc_client *c, const rtc_operation *op, int base,
                                  rtc_request *req, char *err, size_t errlen, char *field,
                                  size_t fieldlen, int *badarg) {
  const char *p;
  int i = 0, nparams = rtc_operation_nparams(op);
  memset(req, 0, sizeof *req);
  req->op = op;
  field[0] = '\0';
  if ((*badarg = rtc_check_call_types(L, op, base, err, errlen)) != 0) return BUILD_MISUSE;
  /* the target: the template with each parameter as one percent-encoded segment */
  i = 0;
  for (p = op->path; *p;) {
    const char *brace = strchr(p, '{'), *close;
    size_t len;
    const char *value;
    char name[32];
    if (brace == NULL) {
      if (rtc_buf_add(&req->target, p, strlen(p))) goto oom;
      break;
    }
    if (rtc_buf_add(&req->target, p, (size_t)(brace - p))) goto oom;
    close = strchr(brace, '}');
    value = lua_tolstring(L, base + i, &len);
    if (!rtc_check_id(value, len, err, errlen)) {
      size_t used;
      rtc_operation_param(op, i, name, sizeof name);
      snprintf(field, fieldlen, "%s", name);
      /* the message reads "job_id: must not be empty" */
      used = strlen(err);
      if (strlen(name) + 2 + used < errlen) {
        memmove(err + strlen(name) + 2, err, used + 1);
        memcpy(err, name, strlen(name));
        memcpy(err + strlen(name), ": ", 2);
      }
      goto invalid;
    }
    if (rtc_pct_encode(&req->target, value, len, 0)) goto oom;
    i++;
    p = close ? close + 1 : brace + strlen(brace);
  }
  if ((op->request || op->query) && lua_type(L, base + nparams) == LUA_TTABLE) {
    /* the one read of params (or query): a private copy, which is what is checked and sent */
    copy_table(L, base + nparams, 0);
    lua_replace(L, base + nparams);
  }
  if (op->request) {
    int params = base + nparams;
    if (!rtc_validate(L, params, op->request, err, errlen, field, fieldlen)) goto invalid;
    if (!encode_body(L, c->module, params, &req->body, err, errlen)) goto invalid;
  }
  if (op->query && !op->request && lua_type(L, base + nparams) == LUA_TTABLE) {
    int q = base + nparams;
    if (!rtc_validate(L, q, op->query, err, errlen, field, fieldlen)) goto invalid;
    if (add_query(L, q, op->query, &req->target)) goto oom;
  }
  /* validating and encoding allocate: a finalizer may have closed the client (its
   * configuration is gone); the caller reports that */
  if (c->closed) {
    snprintf(err, errlen, "the client is closed");
    goto invalid;
  }
  if (c->cfg.auth->creds->kind == RTC_AUTH_NONE) {
    snprintf(err, errlen, "no credentials: %s (tried: %.300s)", credential_help,
             c->cfg.auth->creds->tried);
    snprintf(field, fieldlen, "credentials");
    goto invalid;
  }
  return BUILD_OK;
oom:
  snprintf(err, errlen, "out of memory building the request");
invalid:
  rtc_buf_free(&req->target);
  rtc_buf_free(&req->body);
  return BUILD_INVALID;
}

