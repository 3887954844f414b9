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

int lrtc_client_tostring(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, 1, RTC_CLIENT_MT);
  const rtc_credentials *cr = c->closed || c->cfg.auth == NULL ? NULL : c->cfg.auth->creds;
  if (cr == NULL) {
    lua_pushliteral(L, "rtc.client(closed)");
  } else if (cr->kind == RTC_AUTH_TOKEN) {
    lua_pushfstring(L, "rtc.client(endpoint=%s, auth=token)", c->cfg.endpoints[0].url);
  } else if (cr->kind == RTC_AUTH_AKSK) {
    /* the AK names a key but is still shown shortened; the SK never is */
    char ak[8];
    snprintf(ak, sizeof ak, "%.4s", cr->ak);
    lua_pushfstring(L, "rtc.client(endpoint=%s, auth=aksk, ak=%s..., project_id=%s)",
                    c->cfg.endpoints[0].url, ak, cr->project_id ? cr->project_id : "");
  } else {
    lua_pushfstring(L, "rtc.client(endpoint=%s, auth=none)", c->cfg.endpoints[0].url);
  }
  return 1;
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

/* Runs op with the arguments at base.. on client c: the whole pipeline. No Lua runs while the
 * dispatcher holds the call; decoding and the debug callback run after it returned. */
static int run_call(lua_State *L, rtc_client *c, const rtc_operation *op, int base) {
  rtc_request req;
  rtc_call *call;
  if (!rtc_build_or_fail(L, c, op, base, op->name, &req)) return 2;
  call = rtc_queue_call(L, c, &req, RTC_CALL_BLOCKING);
  call->max_time = c->next_max_time;
  c->next_max_time = 0;
  rtc_enter(c);
  /* a call with a bound of its own (a wait_* look) ends by it, time waiting its turn included (a
   * rate limit, a 429's hold of the client) */
  rtc_dispatch_run(&c->d, call->max_time > 0 ? call->max_time : -1, call, RTC_CALL_BLOCKING);
  if (call->state != RTC_CALL_DONE)
    rtc_dispatch_fail(&c->d, call, "timeout", "the call's own time bound passed");
  rtc_flush_debug(L, c);
  rtc_push_outcome(L, c, call);
  rtc_free_call(c, call);
  rtc_leave(L, c);
  if (!lua_isnil(L, -2)) {
    lua_pop(L, 1);
    return 1;
  }
  return 2;
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

static int push_headers(lua_State *L, const rtc_headers *h) {
  size_t i;
  lua_createtable(L, 0, (int)h->n);
  for (i = 0; i < h->n; i++) {
    lua_pushstring(L, h->value[i]);
    lua_setfield(L, -2, h->name[i]);
  }
  return 1;
}

/* client:prepare(op, ..., {now = unix seconds, endpoint = k}) -> { method, url, headers, body }:
 * built and signed, not sent; the same inputs give the same bytes. */
int lrtc_client_prepare(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  const rtc_operation *op = rtc_check_operation(L, 2);
  rtc_request req;
  rtc_headers h;
  char err[512];
  const rtc_endpoint *ep;
  int extra = 3 + rtc_operation_nparams(op) + (op->request || op->query ? 1 : 0);
  int endpoint = c->d.preferred;
  time_t now = time(NULL);
  if (lua_type(L, extra) == LUA_TTABLE) { /* read raw: no metamethod runs while building */
    lua_pushliteral(L, "now");
    lua_rawget(L, extra);
    if (!lua_isnil(L, -1)) {
      lua_Number t = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : -1;
      luaL_argcheck(L, t >= 0 && t < 253402300800.0, extra,
                    "opts.now: expected unix seconds (a number from 0 to year 9999)");
      now = (time_t)t;
    }
    lua_pushliteral(L, "endpoint");
    lua_rawget(L, extra);
    if (!lua_isnil(L, -1)) {
      lua_Number k = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
      luaL_argcheck(L, k >= 1 && k <= c->cfg.nendpoints && k == (lua_Number)(int)k, extra,
                    "opts.endpoint: expected the 1-based number of an endpoint");
      endpoint = (int)k - 1;
    }
    lua_pop(L, 2);
  } else if (!lua_isnoneornil(L, extra)) {
    luaL_checktype(L, extra, LUA_TTABLE);
  }
  if (!rtc_build_or_fail(L, c, op, 3, "prepare", &req)) return 2;
  ep = &c->cfg.endpoints[endpoint];
  if (rtc_build_headers(&c->cfg, endpoint, op, &req.target, &req.body, now, &h, err,
                        sizeof err) != 0) {
    rtc_buf_free(&req.target);
    rtc_buf_free(&req.body);
    /* as a call would fail: the metadata service did not renew expired keys (or no memory) */
    lua_pushnil(L);
    rtc_push_error(L, "transport", 0, NULL, err, NULL, NULL);
    return 2;
  }
  lua_createtable(L, 0, 4);
  lua_pushstring(L, op->method);
  lua_setfield(L, -2, "method");
  lua_pushstring(L, ep->base);
  lua_pushlstring(L, req.target.data, req.target.len);
  lua_concat(L, 2);
  lua_setfield(L, -2, "url");
  push_headers(L, &h);
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, req.body.data ? req.body.data : "", req.body.len);
  lua_setfield(L, -2, "body");
  rtc_buf_free(&req.target);
  rtc_buf_free(&req.body);
  return 1;
}

/* Case-insensitive look-up in a headers table given to decode. */
static const char *find_header(lua_State *L, int idx, const char *name) {
  size_t n = strlen(name);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_rawlen(L, -2) == n) {
      const char *k = lua_tostring(L, -2);
      size_t i;
      for (i = 0; i < n && tolower((unsigned char)k[i]) == name[i]; i++) {}
      if (i == n && (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TTABLE)) {
        const char *v = NULL;
        if (lua_type(L, -1) == LUA_TTABLE) { /* ngx.resp.get_headers gives lists for repeats */
          lua_rawgeti(L, -1, 1);
          lua_remove(L, -2);
        }
        if (lua_type(L, -1) == LUA_TSTRING) v = lua_tostring(L, -1); /* strings only: see field_string */
        lua_pop(L, 2);
        return v; /* held by the headers table (or its list) */
      }
    }
    lua_pop(L, 1);
  }
  return NULL;
}

/* client:decode(op, status, headers, body) -> exactly what the real call returns. */
int lrtc_client_decode(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  const rtc_operation *op = rtc_check_operation(L, 2);
  long status = (long)luaL_checkinteger(L, 3);
  size_t len = 0;
  const char *body, *rid = NULL, *ctype = NULL, *location = NULL;
  if (!lua_isnoneornil(L, 4)) {
    luaL_checktype(L, 4, LUA_TTABLE);
    rid = find_header(L, 4, "x-request-id");
    ctype = find_header(L, 4, "content-type");
    location = find_header(L, 4, "location");
  }
  body = luaL_optlstring(L, 5, "", &len);
  rtc_decode(L, c, op, status, rid, ctype, location, body, len);
  if (lua_isnil(L, -2)) return 2; /* nil, err */
  lua_pop(L, 1);
  return 1;
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

