/* rtc_decode.c: answers -> documented types, or a structured error. A pure function of
 * (operation, status, headers, body). Calls rtc_error, rtc_normalize, lua-cjson. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rtc_lua.h"

static const char *skip_blanks(const char *s, const char *end) {
  if (end - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3; /* a BOM */
  while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
  return s;
}

/* Decodes body as a JSON object onto the stack; 0 and a reason when it is not one. */
static int decode_object(lua_State *L, rtc_client *c, const char *body, size_t len, char *why,
                         size_t whylen, const char *content_type) {
  const char *start = skip_blanks(body, body + len);
  if (start == body + len) {
    snprintf(why, whylen, "the answer has no body where a JSON object was expected");
    return 0;
  }
  if (*start != '{') {
    snprintf(why, whylen, "the answer is not a JSON object (content-type %s, starts with \"%.16s\")",
             content_type && content_type[0] ? content_type : "none", start);
    {
      char *p;
      for (p = why; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
    }
    return 0;
  }
  if (!rtc_utf8_valid(body, len)) {
    snprintf(why, whylen, "the answer is not valid UTF-8");
    return 0;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->module->decode_ref);
  lua_pushlstring(L, start, (size_t)(body + len - start)); /* from the '{': no BOM for cjson */
  if (lua_pcall(L, 1, 1, 0) != 0) {
    snprintf(why, whylen, "the answer is not valid JSON: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  if (lua_type(L, -1) != LUA_TTABLE) { /* cannot happen after '{', but cheap to be sure */
    lua_pop(L, 1);
    snprintf(why, whylen, "the answer is not a JSON object");
    return 0;
  }
  return 1;
}

/* The first string (or number) among keys of the decoded error body at idx. */
/* The first non-empty string (or number, as text) among keys of the decoded error body at idx.
 * A number is replaced in the table by its text, so that the table keeps the string alive. */
static const char *first_field(lua_State *L, int idx, const char *const *keys) {
  for (; *keys; keys++) {
    lua_pushstring(L, *keys);
    lua_rawget(L, idx);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      char text[64];
      double d = (double)lua_tonumber(L, -1);
      if (d == floor(d) && fabs(d) < 1e15) snprintf(text, sizeof text, "%.0f", d); /* 1001, not 1001.0 */
      else snprintf(text, sizeof text, "%.17g", d);
      lua_pop(L, 1);
      lua_pushstring(L, *keys);
      lua_pushstring(L, text);
      lua_rawset(L, idx);
      lua_pushstring(L, *keys);
      lua_rawget(L, idx);
    }
    if (lua_type(L, -1) == LUA_TSTRING && lua_rawlen(L, -1) > 0) {
      const char *s = lua_tostring(L, -1);
      lua_pop(L, 1); /* the table holds this very string */
      return s;
    }
    lua_pop(L, 1);
  }
  return NULL;
}

/* Text of a body that is not JSON, cut and made printable for a one-line message. */
static void body_excerpt(const char *body, size_t len, char *out, size_t outlen) {
  size_t i, o = 0;
  for (i = 0; i < len && o + 4 < outlen && i < 200; i++) {
    unsigned char ch = (unsigned char)body[i];
    out[o++] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : (ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
  }
  if (i < len && o + 4 < outlen) { memcpy(out + o, "...", 3); o += 3; }
  out[o] = '\0';
}

static void decode_error_answer(lua_State *L, rtc_client *c, long status, const char *rid,
                                const char *content_type, const char *location, const char *body,
                                size_t len) {
  static const char *const code_keys[] = {"error_code", "errorCode", "code", NULL};
  static const char *const msg_keys[] = {"error_msg", "errorMsg", "message", "msg", NULL};
  static const char *const rid_keys[] = {"request_id", "requestId", NULL};
  char why[320];
  lua_pushnil(L);
  if (status >= 300 && status < 400) {
    snprintf(why, sizeof why, "unexpected redirect%s%s (not followed: it could carry the "
             "credentials elsewhere)", location && location[0] ? " to " : "",
             location ? location : "");
    rtc_push_error(L, "api", status, NULL, why, rid, NULL);
    return;
  }
  if (len > 0 && decode_object(L, c, body, len, why, sizeof why, content_type)) {
    int t = lua_gettop(L);
    const char *code = first_field(L, t, code_keys);
    const char *msg = first_field(L, t, msg_keys);
    if (rid == NULL) rid = first_field(L, t, rid_keys);
    if (rid && !rtc_answer_id_ok(rid, strlen(rid))) rid = NULL; /* the body's: left in message */
    if (msg == NULL) body_excerpt(body, len, why, sizeof why);
    rtc_push_error(L, "api", status, code, msg ? msg : why, rid, NULL);
    lua_remove(L, t);
    return;
  }
  if (len == 0) snprintf(why, sizeof why, "(empty body)");
  else body_excerpt(body, len, why, sizeof why);
  rtc_push_error(L, "api", status, NULL, why, rid, NULL);
}

/* result.status: the HTTP status, which tells apart what one operation may answer (a new record
 * rule is 201, a replaced one 200). Set raw: the table is the module's own. */
static void set_status(lua_State *L, long status) {
  lua_pushliteral(L, "status");
  lua_pushinteger(L, (lua_Integer)status);
  lua_rawset(L, -3);
}

static void decode_answer(lua_State *L, rtc_client *c, const rtc_operation *op, long status,
                          const char *request_id, const char *content_type,
                          const char *location, const char *body, size_t len) {
  char why[320];
  if (status < 200 || status > 599) {
    snprintf(why, sizeof why, "unexpected HTTP status %ld", status);
    lua_pushnil(L);
    rtc_push_error(L, "decode", status, NULL, why, request_id, NULL);
    return;
  }
  if (status >= 300) {
    decode_error_answer(L, c, status, request_id, content_type, location, body, len);
    return;
  }
  if (op->response == NULL) { /* stop_job: 204, whatever body there may be */
    lua_createtable(L, 0, 2);
    rtc_set_string(L, "request_id", request_id);
    set_status(L, status);
    luaL_setmetatable(L, RTC_RESULT_MT);
    lua_pushnil(L);
    return;
  }
  if (!decode_object(L, c, body, len, why, sizeof why, content_type)) {
    lua_pushnil(L);
    rtc_push_error(L, "decode", status, NULL, why, request_id, NULL);
    return;
  }
  {
    char field[256], typed[320];
    if (rtc_normalize(L, -1, op->response, body, len, field, sizeof field, typed,
                      sizeof typed) != 0) {
      /* the answer as decoded stays reachable as err.answer, for programs that want it */
      int answer = lua_gettop(L);
      lua_pushnil(L);
      rtc_push_error(L, "decode", status, NULL, typed, request_id, field);
      lua_pushvalue(L, answer);
      lua_setfield(L, -2, "answer");
      lua_remove(L, answer);
      return;
    }
  }
  rtc_set_string(L, "request_id", request_id);
  set_status(L, status);
  luaL_setmetatable(L, RTC_JOB_MT);
  lua_pushnil(L);
}

/* An X-request-Id is shown to people and logged: a long or control-laden one is not an id. The
 * answer is then refused as decode, keeping what it said (code, and its text in the message,
 * which tostring escapes) but never the header itself. Result and error are on the stack top. */
static void refuse_request_id(lua_State *L, long status, const char *request_id) {
  char why[160];
  const char *code = NULL, *said = NULL;
  int err = lua_gettop(L);
  snprintf(why, sizeof why, "the answer's X-request-Id header is not a request id (%s)",
           strlen(request_id) > RTC_MAX_ANSWER_ID ? "longer than 256 bytes" :
           "control characters or invalid UTF-8");
  if (lua_type(L, err) == LUA_TTABLE) {
    code = rtc_raw_string(L, err, "code", NULL);
    said = rtc_raw_string(L, err, "message", NULL);
  }
  lua_pushnil(L);
  if (said) {
    lua_pushfstring(L, "%s; the answer said: %s", why, said);
    rtc_push_error(L, "decode", status, code, lua_tostring(L, -1), NULL, NULL);
    lua_remove(L, -2);
  } else {
    rtc_push_error(L, "decode", status, code, why, NULL, NULL);
  }
  lua_replace(L, err);     /* the new error where the old one was */
  lua_replace(L, err - 1); /* nil where the result was */
}

void rtc_decode(lua_State *L, rtc_client *c, const rtc_operation *op, long status,
                const char *request_id, const char *content_type, const char *location,
                const char *body, size_t len) {
  int bad_id;
  luaL_checkstack(L, 10, "rtc: decode");
  if (request_id && request_id[0] == '\0') request_id = NULL;
  bad_id = request_id && !rtc_answer_id_ok(request_id, strlen(request_id));
  decode_answer(L, c, op, status, bad_id ? NULL : request_id, content_type, location, body, len);
  if (bad_id) refuse_request_id(L, status, request_id);
}
