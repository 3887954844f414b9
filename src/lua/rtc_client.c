/* rtc_client.c: the client object: its lifetime (close deferred while busy), the blocking
 * calls, prepare and decode, and the default client. Calls rtc_options, rtc_build, rtc_decode,
 * rtc_error, rtc_dispatch. No Lua runs while the dispatcher holds a call. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtc_headers.h"
#include "rtc_policy.h"
#include "rtc_lua.h"
#include "rtc_credentials.h"

rtc_module *rtc_module_state(lua_State *L) {
  return (rtc_module *)lua_touserdata(L, lua_upvalueindex(1));
}

rtc_client *rtc_new_client(lua_State *L, int opts_idx) {
  rtc_client *c;
  char err[128];
  if (opts_idx) opts_idx = lua_absindex(L, opts_idx);
  c = lua_newuserdata(L, sizeof *c);
  memset(c, 0, sizeof *c);
  c->debug_ref = LUA_NOREF;
  c->progress_ref = LUA_NOREF;
  c->closed = 1; /* until the dispatcher is open, __gc only frees what options were read */
  c->module = rtc_module_state(L);
  luaL_setmetatable(L, RTC_CLIENT_MT);
  rtc_load_config(L, c, opts_idx);
  if (rtc_dispatch_init(&c->d, &c->cfg, err, sizeof err) != 0) luaL_error(L, "rtc.new: %s", err);
  c->open = 1;
  c->closed = 0;
  return c;
}

void rtc_close_client(lua_State *L, rtc_client *c) {
  if (c->open) rtc_dispatch_free(&c->d);
  c->open = 0;
  if (c->progress_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, c->progress_ref);
  c->progress_ref = LUA_NOREF;
  rtc_free_config(L, c);
  c->closed = 1;
  c->close_pending = 0;
}

/* close() while a method of the client runs (from a callback or a finalizer) is deferred until
 * that method returns: nothing is freed under the running method's feet. */
int lrtc_client_close(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, 1, RTC_CLIENT_MT);
  if (c->busy) c->close_pending = 1;
  else rtc_close_client(L, c); /* idempotent; frees what a failed rtc.new read, too */
  return 0;
}

rtc_client *rtc_check_client(lua_State *L, int idx) {
  rtc_client *c = luaL_checkudata(L, idx, RTC_CLIENT_MT);
  if (c->closed || c->close_pending) luaL_error(L, "rtc: the client is closed");
  if (c->busy)
    luaL_error(L, "rtc: the client is busy (one of its methods is running: called from inside "
                  "one of its callbacks or a finalizer)");
  return c;
}

/* A method that runs calls marks the client busy from the first call to the last callback; no
 * luaL_error may be raised in between (callbacks run under pcall). */
void rtc_enter(rtc_client *c) { c->busy = 1; }

void rtc_leave(lua_State *L, rtc_client *c) {
  c->busy = 0;
  if (c->close_pending) rtc_close_client(L, c);
}

/* The one way through a client method: body runs under lua_pcall with the client marked busy,
 * and the flag is cleared on every way out. An error raised inside (a finalizer's on Lua 5.1,
 * 5.3 and LuaJIT, out of memory anywhere) is caught here, unwind(c, ctx) drops what the body
 * left half done, busy is cleared (a close() asked for meanwhile happens now), and the error
 * goes on. The body finds ctx with rtc_busy_ctx(L); its arguments are the nargs values on the
 * stack's top, and its results replace them (their number is returned). */
int rtc_busy(lua_State *L, rtc_client *c, int nargs, lua_CFunction body, void *ctx,
             rtc_unwind_fn unwind, int flags) {
  int base = lua_gettop(L) - nargs, status;
  lua_pushlightuserdata(L, ctx);
  lua_pushcclosure(L, body, 1); /* allocates: a finalizer may close the client before it is busy */
  /* closed by such a finalizer: a body whose unwind says it copes (batch) answers cancelled */
  if ((c->closed || c->close_pending) && !(flags & RTC_BUSY_CLOSED_OK))
    return luaL_error(L, "rtc: the client is closed");
  if (c->busy) return luaL_error(L, "rtc: the client is busy");
  lua_insert(L, base + 1);
  c->busy = 1;
  status = lua_pcall(L, nargs, LUA_MULTRET, 0);
  if (status != 0 && unwind != NULL) unwind(c, ctx);
  rtc_leave(L, c);
  if (status != 0) return lua_error(L);
  return lua_gettop(L) - base;
}

int lrtc_client_tostring(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, 1, RTC_CLIENT_MT);
  const rtc_credentials *cr = c->closed || c->cfg.auth == NULL ? NULL : c->cfg.auth->creds;
  char text[1024];
  /* written into C memory first: pushing allocates, and a finalizer may close the client */
  if (cr == NULL) {
    snprintf(text, sizeof text, "rtc.client(closed)");
  } else {
    const char *ins = c->cfg.insecure == 1 ? ", insecure=true" : "";
    if (cr->kind == RTC_AUTH_TOKEN) {
      snprintf(text, sizeof text, "rtc.client(endpoint=%.300s, auth=token%s)",
               c->cfg.endpoints[0].url, ins);
    } else if (cr->kind == RTC_AUTH_AKSK) {
      /* the AK names a key but is still shown shortened; the SK never is */
      snprintf(text, sizeof text, "rtc.client(endpoint=%.300s, auth=aksk, ak=%.4s..., "
               "project_id=%.300s%s)", c->cfg.endpoints[0].url, cr->ak,
               cr->project_id ? cr->project_id : "", ins);
    } else {
      snprintf(text, sizeof text, "rtc.client(endpoint=%.300s, auth=none%s)",
               c->cfg.endpoints[0].url, ins);
    }
  }
  lua_pushstring(L, text);
  return 1;
}

int rtc_mask_text(const rtc_client *c, const char *text, size_t len, rtc_buf *out) {
  const char *secrets[6];
  size_t n = 0, i;
  const rtc_credentials *cr = c->cfg.auth != NULL ? c->cfg.auth->creds : NULL;
  if (cr != NULL) {
    secrets[n++] = cr->sk;
    secrets[n++] = cr->token;
    secrets[n++] = cr->security_token;
  }
  for (i = 0; i < 3; i++) secrets[n++] = c->proxy_secret[i];
  return rtc_mask_secrets(out, text, len, secrets, n);
}

void rtc_mask_error(lua_State *L, const rtc_client *c, int idx) {
  rtc_buf masked = RTC_BUF_INIT;
  size_t len;
  const char *message;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) return;
  message = rtc_raw_string(L, idx, "message", &len); /* held by err, ours: no Lua runs here */
  if (message == NULL || rtc_mask_text(c, message, len, &masked) != 0) {
    rtc_buf_free(&masked);
    return;
  }
  if (masked.len != len) {
    lua_pushliteral(L, "message");
    lua_pushlstring(L, masked.data, masked.len);
    rtc_buf_free(&masked); /* freed before Lua allocates: nothing leaks if that raises */
    lua_rawset(L, idx);
  }
  rtc_buf_free(&masked);
}

/* Hands the debug lines the loop queued to the debug callback, after the loop returned. */
void rtc_flush_debug(lua_State *L, rtc_client *c) {
  size_t n, i;
  char **lines;
  if (c->new_lines.len) { /* taken first: the callback may close the client */
    rtc_buf startup = c->new_lines;
    memset(&c->new_lines, 0, sizeof c->new_lines);
    rtc_debug_lines(L, c, &startup);
  }
  if (!c->open || c->d.nlines == 0) return;
  lines = rtc_dispatch_take_lines(&c->d, &n);
  for (i = 0; i < n; i++) {
    rtc_debug_line(L, c, lines[i]);
    free(lines[i]);
  }
  free(lines);
}

/* Pushes what a finished call returns (result, err: one of them nil), decoding its answer. The
 * call was taken out of the dispatcher: this code owns it, and frees it once pushed. */
/* An answer meaning "already in that state" to a call an earlier attempt of which may have
 * done it (its answer lost): JobDone (RTC.00001009) to a stop, 404 to a DELETE. */
static int already_done(lua_State *L, const rtc_call *call, int err) {
  const char *kind, *code;
  lua_Integer status;
  if (!call->maybe_done) return 0;
  kind = rtc_raw_string(L, err, "kind", NULL);
  code = rtc_raw_string(L, err, "code", NULL);
  rtc_raw_field(L, err, "status");
  status = lua_tointeger(L, -1);
  lua_pop(L, 1);
  if (kind == NULL || strcmp(kind, "api") != 0) return 0;
  if (strcmp(call->op->method, "DELETE") == 0 && status == 404) return 1;
  return strncmp(call->op->name, "stop_", 5) == 0 && status == 400 && code &&
         strcmp(code, "RTC.00001009") == 0;
}

/* Pushes what a finished call returns (result, err: one of them nil), decoding its answer. The
 * call was taken out of the dispatcher: this code owns it, and frees it once pushed. */
void rtc_push_outcome(lua_State *L, rtc_client *c, rtc_call *call) {
  const rtc_transfer *t = &call->t;
  if (call->err_kind) {
    lua_pushnil(L);
    /* an id from a broken answer is kept only when it is one (as rtc_decode does) */
    rtc_push_error(L, call->err_kind, call->t.status, NULL,
                   call->err_message ? call->err_message : "out of memory",
                   t->request_id[0] && rtc_answer_id_ok(t->request_id, strlen(t->request_id))
                       ? t->request_id : NULL, NULL);
  } else {
    rtc_decode(L, c, call->op, t->status, t->request_id[0] ? t->request_id : NULL,
               t->content_type, t->location, t->response.data ? t->response.data : "",
               t->response.len);
  }
  if (lua_isnil(L, -2) && already_done(L, call, lua_gettop(L))) {
    /* success: what was asked is done; the result says it was so already */
    int err = lua_gettop(L);
    lua_createtable(L, 0, 3);
    lua_pushliteral(L, "request_id");
    lua_pushliteral(L, "request_id");
    lua_rawget(L, err);
    lua_rawset(L, -3);
    lua_pushliteral(L, "status");
    lua_pushliteral(L, "status");
    lua_rawget(L, err);
    lua_rawset(L, -3);
    lua_pushliteral(L, "already");
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    luaL_setmetatable(L, RTC_RESULT_MT);
    lua_replace(L, err - 1);
    lua_pushnil(L);
    lua_replace(L, err);
  }
  if (!lua_isnil(L, -1)) {
    double wait;
    rtc_mask_error(L, c, -1);
    lua_pushinteger(L, call->attempts);
    lua_setfield(L, -2, "attempts");
    /* the request may have reached the server and its answer was lost: the caller must find
     * out what happened (list the jobs, get the job) before making it again */
    if (call->lost) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "sent");
    }
    /* the last answer's Retry-After, in seconds: for whoever paces calls above this client
     * (rtc.ngx's shared rate holds all workers after a 429) */
    if (t->retry_after[0] != '\0' &&
        rtc_retry_after_parse(t->retry_after, (double)time(NULL), &wait) == 0 && wait >= 0) {
      lua_pushnumber(L, (lua_Number)wait);
      lua_setfield(L, -2, "retry_after");
    }
  }
}

void rtc_free_call(rtc_client *c, rtc_call *call) {
  if (c->open) rtc_dispatch_release(&c->d, call);
}

int rtc_fail_invalid(lua_State *L, const char *err, const char *field) {
  lua_pushnil(L);
  rtc_push_error(L, "invalid", 0, NULL, err, NULL, field[0] ? field : NULL);
  return 2;
}

/* Validates and builds the request of op from the arguments at base.. Misuse (Lua types) raises,
 * naming fname and the argument as the user counts it (after the client); invalid input returns 0
 * with nil, err pushed. */
int rtc_build_or_fail(lua_State *L, rtc_client *c, const rtc_operation *op, int base,
                         const char *fname, rtc_request *req) {
  char err[512], field[256];
  int badarg;
  build_result result = rtc_build_request(L, c, op, base, req, err, sizeof err, field,
                                          sizeof field, &badarg);
  /* Building allocates (cjson, error objects), so a finalizer may have closed the client
   * meanwhile: say so, rather than what its emptied configuration would make of the call. */
  if (c->closed) {
    if (result == BUILD_OK) rtc_buf_free(&req->target), rtc_buf_free(&req->body);
    luaL_error(L, "rtc: the client is closed (by Lua code that ran while '%s' was being built)",
               fname);
    return 0;
  }
  switch (result) {
  case BUILD_MISUSE: /* arg 1 is the client (a method's self, or the default one inserted) */
    luaL_error(L, "bad argument #%d to '%s' (%s)", badarg - 1, fname, err);
    return 0;
  case BUILD_INVALID:
    rtc_fail_invalid(L, err, field);
    return 0;
  case BUILD_OK: break;
  }
  return 1;
}

rtc_call *rtc_queue_call(lua_State *L, rtc_client *c, rtc_request *req, rtc_call_class cls) {
  rtc_call *call = rtc_dispatch_submit(&c->d, req->op, &req->target, &req->body, cls);
  if (call == NULL) luaL_error(L, "rtc: out of memory");
  return call;
}

typedef struct call_ctx {
  rtc_client *c;
  const rtc_operation *op;
  int base;
} call_ctx;

/* The whole pipeline of one blocking call, busy (see rtc_busy). No Lua runs while the
 * dispatcher holds the call; decoding and the debug callback run after it returned. */
static int lrtc_call_body(lua_State *L) {
  call_ctx *x = rtc_busy_ctx(L);
  rtc_client *c = x->c;
  rtc_request req;
  rtc_call *call;
  if (!rtc_build_or_fail(L, c, x->op, x->base, x->op->name, &req)) return 2;
  call = rtc_queue_call(L, c, &req, RTC_CALL_BLOCKING);
  call->max_time = c->next_max_time;
  c->next_max_time = 0;
  /* a call with a bound of its own (a wait_* look) ends by it, time waiting its turn included (a
   * rate limit, a 429's hold of the client) */
  rtc_dispatch_run(&c->d, call->max_time > 0 ? call->max_time : -1, call, RTC_CALL_BLOCKING);
  if (call->state != RTC_CALL_DONE)
    rtc_dispatch_fail(&c->d, call, "timeout", "the call's own time bound passed");
  /* from here the call is this code's alone: released on every way out (see rtc_unwind_held) */
  c->held = call;
  rtc_flush_debug(L, c);
  rtc_push_outcome(L, c, call);
  c->held = NULL;
  rtc_free_call(c, call);
  if (!lua_isnil(L, -2)) {
    lua_pop(L, 1);
    return 1;
  }
  return 2;
}

/* A call that an error (a finalizer's, out of memory) interrupted is not left queued. */
void rtc_unwind_held(rtc_client *c, void *ctx) {
  (void)ctx;
  if (c->held != NULL) rtc_free_call(c, c->held);
  c->held = NULL;
}

/* Runs op with the arguments at base.. on client c (argument 1). */
static int run_call(lua_State *L, rtc_client *c, const rtc_operation *op, int base) {
  call_ctx x;
  x.c = c;
  x.op = op;
  x.base = base;
  return rtc_busy(L, c, lua_gettop(L), lrtc_call_body, &x, rtc_unwind_held, 0);
}

/* client:update_job(...) and rtc.update_job(...): upvalue 2 is the operation, upvalue 3 says
 * whether this is the module's function (default client) or a method. */
int lrtc_operation_call(lua_State *L) {
  const rtc_operation *op = lua_touserdata(L, lua_upvalueindex(2));
  if (lua_toboolean(L, lua_upvalueindex(3))) {
    int n = rtc_default_client(L);
    rtc_client *c;
    if (n == 2) return 2;
    c = rtc_check_client(L, -1);
    lua_insert(L, 1);
    return run_call(L, c, op, 2);
  }
  return run_call(L, rtc_check_client(L, 1), op, 2);
}

const rtc_operation *rtc_check_operation(lua_State *L, int idx) {
  const char *name = luaL_checkstring(L, idx);
  const rtc_operation *op = rtc_find_operation(name);
  if (op == NULL)
    luaL_argerror(L, idx, lua_pushfstring(L, "unknown operation \"%s\" (expected %s)", name,
                                             rtc_operation_names()));
  return op;
}

typedef struct prepare_ctx {
  rtc_client *c;
  const rtc_operation *op;
  time_t now;
  int endpoint;
} prepare_ctx;

/* prepare's work, busy: a close() from a finalizer waits until the headers are Lua strings. */
static int lrtc_prepare_body(lua_State *L) {
  prepare_ctx *x = rtc_busy_ctx(L);
  rtc_client *c = x->c;
  rtc_request req;
  rtc_headers h;
  char err[512];
  const rtc_endpoint *ep;
  size_t i;
  if (!rtc_build_or_fail(L, c, x->op, 3, "prepare", &req)) return 2;
  ep = &c->cfg.endpoints[x->endpoint];
  if (rtc_build_headers(&c->cfg, x->endpoint, x->op, &req.target, &req.body, x->now, &h, err,
                        sizeof err) != 0) {
    rtc_buf_free(&req.target);
    rtc_buf_free(&req.body);
    /* as a call would fail: the metadata service did not renew expired keys (or no memory) */
    lua_pushnil(L);
    rtc_push_error(L, "transport", 0, NULL, err, NULL, NULL);
    return 2;
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, x->op->method);
  lua_setfield(L, -2, "method");
  lua_pushstring(L, ep->base);
  lua_pushlstring(L, req.target.data, req.target.len);
  lua_concat(L, 2);
  lua_setfield(L, -2, "url");
  lua_createtable(L, 0, (int)h.n);
  for (i = 0; i < h.n; i++) {
    lua_pushstring(L, h.value[i]);
    lua_setfield(L, -2, h.name[i]);
  }
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, req.body.data ? req.body.data : "", req.body.len);
  lua_setfield(L, -2, "body");
  rtc_buf_free(&req.target);
  rtc_buf_free(&req.body);
  return 1;
}

/* client:prepare(op, ..., {now = unix seconds, endpoint = k}) -> { method, url, headers, body }:
 * built and signed, not sent; the same inputs give the same bytes. */
int lrtc_client_prepare(lua_State *L) {
  prepare_ctx x;
  int extra;
  x.c = rtc_check_client(L, 1);
  x.op = rtc_check_operation(L, 2);
  extra = 3 + rtc_operation_nparams(x.op) + (x.op->request || x.op->query ? 1 : 0);
  x.endpoint = x.c->d.preferred;
  x.now = time(NULL);
  if (lua_type(L, extra) == LUA_TTABLE) { /* read raw: no metamethod runs while building */
    lua_pushliteral(L, "now");
    lua_rawget(L, extra);
    if (!lua_isnil(L, -1)) {
      lua_Number t = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : -1;
      luaL_argcheck(L, t >= 0 && t < 253402300800.0, extra,
                    "opts.now: expected unix seconds (a number from 0 to year 9999)");
      x.now = (time_t)t;
    }
    lua_pushliteral(L, "endpoint");
    lua_rawget(L, extra);
    if (!lua_isnil(L, -1)) {
      lua_Number k = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
      luaL_argcheck(L, k >= 1 && k <= x.c->cfg.nendpoints && k == (lua_Number)(int)k, extra,
                    "opts.endpoint: expected the 1-based number of an endpoint");
      x.endpoint = (int)k - 1;
    }
    lua_pop(L, 2);
  } else if (!lua_isnoneornil(L, extra)) {
    luaL_checktype(L, extra, LUA_TTABLE);
  }
  return rtc_busy(L, x.c, lua_gettop(L), lrtc_prepare_body, &x, NULL, 0);
}

/* Case-insensitive look-up in a headers table given to decode: pushes the value (a string, or
 * nil), which stays on the stack, so that nothing a finalizer does to the table frees it. Raw
 * reads only: no metamethod of the table runs. */
static void push_header(lua_State *L, int idx, const char *name) {
  size_t n = strlen(name);
  int top = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_rawlen(L, -2) == n) {
      const char *k = lua_tostring(L, -2);
      size_t i;
      for (i = 0; i < n && tolower((unsigned char)k[i]) == name[i]; i++) {}
      if (i == n && (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TTABLE)) {
        if (lua_type(L, -1) == LUA_TTABLE) /* ngx.resp.get_headers gives lists for repeats */
          lua_rawgeti(L, -1, 1);
        if (lua_type(L, -1) != LUA_TSTRING) lua_pushnil(L); /* strings only */
        lua_replace(L, top + 1);
        lua_settop(L, top + 1);
        return;
      }
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L);
}

typedef struct decode_ctx {
  rtc_client *c;
  const rtc_operation *op;
  long status;
} decode_ctx;

/* decode's work, busy; its stack: client, op, status, headers, body, then the three header
 * values (strings or nil), anchored there until it returns. */
static int lrtc_decode_body(lua_State *L) {
  decode_ctx *x = rtc_busy_ctx(L);
  size_t len = 0;
  const char *body = lua_tolstring(L, 5, &len);
  rtc_decode(L, x->c, x->op, x->status, lua_tostring(L, 6), lua_tostring(L, 7),
             lua_tostring(L, 8), body, len);
  if (lua_isnil(L, -2)) { /* nil, err */
    rtc_mask_error(L, x->c, -1);
    return 2;
  }
  lua_pop(L, 1);
  return 1;
}

/* client:decode(op, status, headers, body) -> exactly what the real call returns. */
int lrtc_client_decode(lua_State *L) {
  decode_ctx x;
  x.c = rtc_check_client(L, 1);
  x.op = rtc_check_operation(L, 2);
  x.status = (long)luaL_checkinteger(L, 3);
  if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TTABLE);
  if (lua_isnoneornil(L, 5)) {
    lua_settop(L, 5);
    lua_pushliteral(L, "");
    lua_replace(L, 5);
  } else {
    luaL_checklstring(L, 5, NULL); /* a number becomes its text in the slot itself */
  }
  lua_settop(L, 5);
  if (lua_istable(L, 4)) {
    push_header(L, 4, "x-request-id");
    push_header(L, 4, "content-type");
    push_header(L, 4, "location");
  } else {
    lua_settop(L, 8);
  }
  return rtc_busy(L, x.c, lua_gettop(L), lrtc_decode_body, &x, NULL, 0);
}

/* rtc.new(opts) under pcall, so that a bad environment becomes nil, err for module calls. */
static int lrtc_protected_new(lua_State *L) {
  rtc_new_client(L, lua_isnoneornil(L, 1) ? 0 : 1);
  return 1;
}

int rtc_default_client(lua_State *L) {
  rtc_module *m = rtc_module_state(L);
  if (m->default_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->default_ref);
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushcclosure(L, lrtc_protected_new, 1);
  if (lua_pcall(L, 0, 1, 0) != 0) { /* the environment held bad values */
    if (lua_type(L, -1) != LUA_TTABLE) {
      const char *msg = lua_tostring(L, -1);
      lua_pushnil(L);
      rtc_push_error(L, "invalid", 0, NULL, msg ? msg : "bad environment", NULL, NULL);
      return 2;
    }
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushvalue(L, -1);
  m->default_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 1;
}

