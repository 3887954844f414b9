/* rtc_batch.c: the client methods for many calls at once: start/poll/cancel/pending, fds and
 * timeout for event loops, batch, and policy(). Calls rtc_client, rtc_dispatch, rtc_policy_lua. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "rtc_lua.h"
#include "rtc_policy_lua.h"

static rtc_call *find_call(rtc_client *c, lua_Integer id) {
  rtc_call *call;
  for (call = c->d.all; call; call = call->next_all)
    if (call->id == id && call->cls == RTC_CALL_STARTED) return call;
  return NULL;
}

typedef struct start_ctx {
  rtc_client *c;
  const rtc_operation *op;
} start_ctx;

static int lrtc_start_body(lua_State *L) {
  start_ctx *x = rtc_busy_ctx(L);
  rtc_request req;
  rtc_call *call;
  if (!rtc_build_or_fail(L, x->c, x->op, 3, "start", &req)) return 2;
  call = rtc_queue_call(L, x->c, &req, RTC_CALL_STARTED);
  lua_pushinteger(L, (lua_Integer)call->id);
  rtc_dispatch_run(&x->c->d, 0, NULL, RTC_CALL_STARTED); /* get it on the wire now; never waits */
  rtc_flush_debug(L, x->c);
  return 1;
}

/* client:start(op, ...) -> id: the call runs while the caller polls. */
int lrtc_client_start(lua_State *L) {
  start_ctx x;
  x.c = rtc_check_client(L, 1);
  x.op = rtc_check_operation(L, 2);
  return rtc_busy(L, x.c, lua_gettop(L), lrtc_start_body, &x, NULL, 0);
}

/* One finished call taken out of the client and decoded, busy: released however that ends. */
static int lrtc_poll_next_body(lua_State *L) {
  rtc_client *c = rtc_busy_ctx(L);
  rtc_call *call = rtc_dispatch_take_done(&c->d, RTC_CALL_STARTED);
  if (call == NULL) return 0;
  c->held = call;
  lua_pushinteger(L, (lua_Integer)call->id);
  rtc_push_outcome(L, c, call);
  c->held = NULL;
  rtc_free_call(c, call);
  return 3;
}

/* Each step takes one finished call out of the client, then decodes it: the client may be
 * closed by then (the result is the iterator's own). */
static int lrtc_client_poll_next(lua_State *L) {
  rtc_client *c = luaL_checkudata(L, lua_upvalueindex(1), RTC_CLIENT_MT);
  if (c->closed || c->busy || !c->open) return 0;
  if (rtc_dispatch_peek_done(&c->d, RTC_CALL_STARTED) == NULL) return 0;
  lua_settop(L, 0);
  lua_pushvalue(L, lua_upvalueindex(1)); /* the client stays anchored while the body runs */
  return rtc_busy(L, c, 1, lrtc_poll_next_body, c, rtc_unwind_held, 0);
}

static int lrtc_poll_body(lua_State *L) {
  rtc_client *c = rtc_busy_ctx(L);
  double *wait = lua_touserdata(L, 1);
  rtc_dispatch_run(&c->d, *wait, NULL, RTC_CALL_STARTED);
  rtc_flush_debug(L, c);
  return 0;
}

/* for id, result, err in client:poll(timeout) do ... end — waits at most timeout seconds
 * (0: never blocks) for at least one call to finish, then yields every finished call. */
int lrtc_client_poll(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  double wait = (double)luaL_optnumber(L, 2, 0);
  luaL_argcheck(L, wait >= 0 && wait <= 86400, 2, "expected a timeout from 0 to 86400 seconds");
  lua_settop(L, 1);
  if (rtc_dispatch_peek_done(&c->d, RTC_CALL_STARTED) == NULL) {
    lua_pushlightuserdata(L, &wait);
    rtc_busy(L, c, 1, lrtc_poll_body, c, NULL, 0);
  }
  lua_settop(L, 1);
  lua_pushcclosure(L, lrtc_client_poll_next, 1); /* the iterator holds the client */
  return 1;
}

int lrtc_client_timeout(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  double t = rtc_dispatch_peek_done(&c->d, RTC_CALL_STARTED) ? 0 : rtc_dispatch_timeout(&c->d);
  if (t < 0) lua_pushnil(L);
  else lua_pushnumber(L, (lua_Number)t);
  return 1;
}

/* client:fds() -> readable, writable: the sockets libcurl waits on now (tracked with its socket
 * callback: exact for any descriptor number), for an event loop that sleeps on its own. */
static int lrtc_fds_body(lua_State *L) {
  rtc_client *c = rtc_busy_ctx(L);
  size_t i;
  int nr = 0, nw = 0;
  lua_newtable(L);
  lua_newtable(L);
  for (i = 0; i < c->d.engine.nsockets; i++) {
    const rtc_socket *s = &c->d.engine.sockets[i];
    if (s->what & CURL_POLL_IN) {
      lua_pushinteger(L, (lua_Integer)s->fd);
      lua_rawseti(L, -3, ++nr);
    }
    if (s->what & CURL_POLL_OUT) {
      lua_pushinteger(L, (lua_Integer)s->fd);
      lua_rawseti(L, -2, ++nw);
    }
  }
  return 2;
}

int lrtc_client_fds(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  lua_settop(L, 1);
  rtc_busy(L, c, 0, lrtc_fds_body, c, NULL, 0);
  return 2;
}

int lrtc_client_pending(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  rtc_call *call;
  lua_Integer n = 0;
  for (call = c->d.all; call; call = call->next_all)
    if (call->cls == RTC_CALL_STARTED) n++;
  lua_pushinteger(L, n);
  return 1;
}

int lrtc_client_cancel(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  rtc_call *call = find_call(c, luaL_checkinteger(L, 2));
  int cancelled = call != NULL && call->state != RTC_CALL_DONE;
  if (cancelled) rtc_dispatch_cancel(&c->d, call);
  lua_pushboolean(L, cancelled);
  return 1;
}

/* progress(done, total, index, result, err), with result, err on the stack top (kept). The
 * function stays in a stack slot of batch (progress, 0: none), not in the registry: a batch that
 * raises half way has no reference to drop. */
static void batch_progress(lua_State *L, int progress, int done, int total, int index) {
  if (progress == 0) return;
  lua_pushvalue(L, progress);
  lua_pushinteger(L, done);
  lua_pushinteger(L, total);
  lua_pushinteger(L, index);
  lua_pushvalue(L, -6);
  lua_pushvalue(L, -6);
  if (lua_pcall(L, 5, 0, 0) != 0) lua_pop(L, 1); /* a failing callback must not stop the batch */
}

/* Stores outcome (result, err on top of the stack) as results[index] = {result=} or {err=}
 * (results 0: not kept); pops them. */
static void store_outcome(lua_State *L, int results, int index, lua_Integer *ok,
                          lua_Integer *failed) {
  if (lua_isnil(L, -1)) (*ok)++;
  else (*failed)++;
  if (results) {
    lua_createtable(L, 0, 1);
    if (lua_isnil(L, -2)) {
      lua_pushvalue(L, -3);
      lua_setfield(L, -2, "result");
    } else {
      lua_pushvalue(L, -2);
      lua_setfield(L, -2, "err");
    }
    lua_rawseti(L, results, index);
  }
  lua_pop(L, 2);
}

static void drop_batch_calls(rtc_client *c) {
  rtc_call *call, *next;
  for (call = c->d.all; call; call = next) {
    next = call->next_all;
    if (call->cls == RTC_CALL_BATCH) rtc_dispatch_release(&c->d, call);
  }
}

#define CLOSED_MESSAGE "the client was closed"

/* Ends every unfinished call of the batch with kind and message: they come out as done. */
static void end_batch_calls(rtc_client *c, const char *kind, const char *message) {
  rtc_call *call, *next;
  for (call = c->d.all; call; call = next) {
    next = call->next_all;
    if (call->cls == RTC_CALL_BATCH && call->state != RTC_CALL_DONE)
      rtc_dispatch_fail(&c->d, call, kind, message);
  }
}

/* Where a batch is: entries next..total are not built yet; inflight calls are with the
 * dispatcher (queued, running or done but not taken). Stack slots: calls (2), progress (0: none),
 * results (0: not kept). */
typedef struct batch_state {
  int progress, results, total, done, next, inflight;
  lua_Integer ok, failed;
} batch_state;

/* Pushes entry i's operation's arguments (its path arguments, then params or query) and
 * returns the operation (NULL: no such name); *base is where the arguments start. */
static const rtc_operation *push_entry(lua_State *L, int i, int *base) {
  const rtc_operation *op;
  int k, np;
  lua_rawgeti(L, 2, i);
  if (lua_type(L, -1) != LUA_TTABLE) return NULL;
  lua_rawgeti(L, -1, 1);
  op = lua_type(L, -1) == LUA_TSTRING ? rtc_find_operation(lua_tostring(L, -1)) : NULL;
  lua_pop(L, 1);
  if (op == NULL) return NULL;
  *base = lua_gettop(L) + 1;
  np = rtc_operation_nparams(op);
  luaL_checkstack(L, np + 4, "rtc: batch");
  for (k = 0; k <= np; k++) lua_rawgeti(L, *base - 1, k + 2);
  return op;
}

/* Hands entry index's outcome (result, err on the stack top) to progress and to the results. */
static void batch_answer(lua_State *L, batch_state *b, int index) {
  b->done++;
  batch_progress(L, b->progress, b->done, b->total, index);
  store_outcome(L, b->results, index, &b->ok, &b->failed);
}

/* Answers every entry not built yet with kind and message, as the calls in flight end. */
static void answer_unbuilt(lua_State *L, batch_state *b, const char *kind, const char *message) {
  for (; b->next <= b->total; b->next++) {
    lua_pushnil(L);
    rtc_push_error(L, kind, 0, NULL, message, NULL, NULL);
    lua_pushinteger(L, 0);
    lua_setfield(L, -2, "attempts");
    batch_answer(L, b, b->next);
  }
}

/* Builds entries in order until `want` calls are with the dispatcher: the C state of a batch is
 * that of a few times its concurrency, whatever its length. An invalid entry is answered at
 * once. 0, or -1 out of memory (nothing of the batch is left queued then). */
static int top_up(lua_State *L, rtc_client *c, batch_state *b, int want) {
  while (b->next <= b->total && b->inflight < want && !c->close_pending) {
    rtc_request req;
    rtc_call *call;
    char err[512], field[256];
    int base, badarg, top = lua_gettop(L), index = b->next++;
    const rtc_operation *op = push_entry(L, index, &base);
    build_result built = BUILD_INVALID;
    field[0] = '\0';
    if (op == NULL) /* checked up front: a progress callback changed calls since */
      snprintf(err, sizeof err, "calls[%d]: changed while the batch ran", index);
    else
      built = rtc_build_request(L, c, op, base, &req, err, sizeof err, field, sizeof field,
                                &badarg);
    lua_settop(L, top);
    if (built == BUILD_OK) {
      call = rtc_dispatch_submit(&c->d, op, &req.target, &req.body, RTC_CALL_BATCH);
      if (call == NULL) return -1;
      call->batch_index = index;
      b->inflight++;
      continue;
    }
    lua_pushnil(L);
    rtc_push_error(L, "invalid", 0, NULL, err, NULL, field[0] ? field : NULL);
    batch_answer(L, b, index);
  }
  return 0;
}

/* Reads opts (raw: no metamethod of opts runs); leaves progress in a stack slot of its own. */
static void batch_options(lua_State *L, batch_state *b, lua_Integer *concurrency, int *keep,
                          double *deadline) {
  if (lua_isnoneornil(L, 3)) return;
  luaL_checktype(L, 3, LUA_TTABLE);
  rtc_raw_field(L, 3, "concurrency");
  if (!lua_isnil(L, -1)) {
    *concurrency = luaL_checkinteger(L, -1);
    luaL_argcheck(L, *concurrency >= 1 && *concurrency <= 4096, 3,
                  "opts.concurrency: expected a whole number from 1 to 4096");
  }
  rtc_raw_field(L, 3, "progress");
  if (!lua_isnil(L, -1)) {
    luaL_argcheck(L, lua_type(L, -1) == LUA_TFUNCTION, 3, "opts.progress: expected a function");
    b->progress = 1;
  }
  rtc_raw_field(L, 3, "keep_results");
  if (!lua_isnil(L, -1)) {
    luaL_argcheck(L, lua_type(L, -1) == LUA_TBOOLEAN, 3, "opts.keep_results: expected a boolean");
    *keep = lua_toboolean(L, -1);
  }
  rtc_raw_field(L, 3, "deadline"); /* a bound on the whole batch (each call has its own too) */
  if (!lua_isnil(L, -1)) {
    *deadline = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : -1;
    luaL_argcheck(L, *deadline > 0 && *deadline <= 86400, 3,
                  "opts.deadline: expected seconds from 0 to 86400");
  }
  lua_pop(L, 2);
  lua_remove(L, -2);
  if (b->progress) b->progress = lua_gettop(L);
  else lua_pop(L, 1);
}

/* Every entry's Lua types, before anything is sent: misuse raises with nothing on the wire. */
static void check_entries(lua_State *L, int n) {
  int i, base, top = lua_gettop(L);
  char err[512];
  for (i = 1; i <= n; i++) {
    const rtc_operation *op = push_entry(L, i, &base);
    if (lua_type(L, top + 1) != LUA_TTABLE)
      luaL_error(L, "bad argument #1 to 'batch' (calls[%d]: expected a table such as "
                    "{\"update_job\", app_id, job_id, params})", i);
    else if (op == NULL) /* else: analyzers do not know luaL_error never returns */
      luaL_error(L, "bad argument #1 to 'batch' (calls[%d][1]: expected an operation name: %s)",
                 i, rtc_operation_names());
    else if (rtc_check_call_types(L, op, base, err, sizeof err) != 0)
      luaL_error(L, "bad argument #1 to 'batch' (calls[%d]: %s)", i, err);
    lua_settop(L, top);
  }
}

/* client:batch(calls, opts) -> results, { ok = n, failed = n }. Every entry's Lua types are
 * checked first; then entries are built in order as calls finish, a few times the concurrency
 * ahead, and each finished call is taken out, decoded, given to progress and freed at once: C
 * memory stays flat however long the batch (opts.keep_results = false: results only through
 * progress, so Lua memory stays flat too). */
typedef struct batch_ctx {
  rtc_client *c;
  batch_state b;
  int saved_limit, keep;
  lua_Integer concurrency;
  double deadline;
  int started; /* the body ran: there is a limit to restore */
} batch_ctx;

/* An error (a finalizer's, out of memory) half way: no call of the batch stays queued. */
static void unwind_batch(rtc_client *c, void *ctx) {
  batch_ctx *x = ctx;
  if (c->open && x->started) {
    c->d.limit = x->saved_limit;
    drop_batch_calls(c);
  }
}

/* The batch itself, busy: a finalizer's close() while entries are built is deferred, and what
 * is left of the batch then ends as cancelled. */
static int lrtc_batch_body(lua_State *L) {
  batch_ctx *x = rtc_busy_ctx(L);
  rtc_client *c = x->c;
  batch_state *bs = &x->b;
  int want;
  double batch_end = -1;
  rtc_call *call;
  if (c->open) x->started = 1;
  lua_createtable(L, x->keep ? bs->total : 0, 0);
  if (x->keep) bs->results = lua_gettop(L);
  /* twice the concurrency queued: a call that finishes always has a successor ready */
  want = 2 * (int)x->concurrency;
  if (c->open) c->d.limit = (int)x->concurrency;
  if (x->deadline > 0) batch_end = rtc_now() + x->deadline;
  while (bs->done < bs->total) {
    double wait = -1;
    int ending = 0;
    /* close() from a callback: what is left ends, nothing more is sent */
    if (c->close_pending || c->closed) {
      end_batch_calls(c, "cancelled", CLOSED_MESSAGE);
      answer_unbuilt(L, bs, "cancelled", CLOSED_MESSAGE);
      ending = 1;
    } else if (batch_end >= 0 && (wait = batch_end - rtc_now()) <= 0) {
      /* the whole batch's bound: what is left ends as timeout */
      end_batch_calls(c, "timeout", "the batch's deadline passed");
      answer_unbuilt(L, bs, "timeout", "the batch's deadline passed");
      wait = 0;
      ending = 1;
    } else if (top_up(L, c, bs, want) != 0) {
      return luaL_error(L, "rtc: out of memory"); /* unwind_batch drops what was queued */
    }
    if (bs->inflight == 0) continue; /* answered without sending (invalid, ended): go on */
    if (!c->close_pending) {
      rtc_dispatch_run(&c->d, wait, NULL, RTC_CALL_BATCH);
      rtc_flush_debug(L, c);
    }
    if (rtc_dispatch_peek_done(&c->d, RTC_CALL_BATCH) == NULL) {
      if (batch_end >= 0 || c->close_pending || ending) continue; /* bound or close came first */
      break; /* cannot happen: the dispatcher returns only with a batch call done */
    }
    while ((call = rtc_dispatch_take_done(&c->d, RTC_CALL_BATCH)) != NULL) {
      int index = call->batch_index;
      c->held = call;
      rtc_push_outcome(L, c, call);
      c->held = NULL;
      rtc_free_call(c, call); /* the C state goes as soon as the result is Lua's */
      bs->inflight--;
      batch_answer(L, bs, index);
    }
  }
  unwind_batch(c, x); /* the limit back; batch calls are left only when closed mid-batch */
  if (!x->keep) lua_pushnil(L);
  else lua_pushvalue(L, bs->results);
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, bs->ok);
  lua_setfield(L, -2, "ok");
  lua_pushinteger(L, bs->failed);
  lua_setfield(L, -2, "failed");
  return 2;
}

/* client:batch(calls, opts) -> results, { ok = n, failed = n }. Every entry's Lua types are
 * checked first; then entries are built in order as calls finish, a few times the concurrency
 * ahead, and each finished call is taken out, decoded, given to progress and freed at once: C
 * memory stays flat however long the batch (opts.keep_results = false: results only through
 * progress, so Lua memory stays flat too). */
int lrtc_client_batch(lua_State *L) {
  batch_ctx x;
  size_t n;
  memset(&x, 0, sizeof x);
  x.c = rtc_check_client(L, 1);
  x.saved_limit = x.c->d.limit;
  x.keep = 1;
  x.deadline = -1;
  x.concurrency = (lua_Integer)x.c->cfg.concurrency;
  x.b.next = 1;
  luaL_checktype(L, 2, LUA_TTABLE);
  n = lua_rawlen(L, 2);
  luaL_argcheck(L, n <= RTC_MAX_BATCH, 2, "at most 1000000 calls in one batch");
  batch_options(L, &x.b, &x.concurrency, &x.keep, &x.deadline);
  check_entries(L, (int)n);
  x.b.total = (int)n;
  /* the body copes with a client a finalizer closed just before it (everything cancelled) */
  return rtc_busy(L, x.c, lua_gettop(L), lrtc_batch_body, &x, unwind_batch, RTC_BUSY_CLOSED_OK);
}

static int lrtc_policy_body(lua_State *L) {
  rtc_client *c = rtc_busy_ctx(L);
  rtc_push_client_policy(L, &c->cfg); /* allocates while it reads the configuration */
  return 1;
}

int lrtc_client_policy(lua_State *L) {
  rtc_client *c = rtc_check_client(L, 1);
  lua_settop(L, 1);
  rtc_busy(L, c, 0, lrtc_policy_body, c, NULL, 0);
  return 1;
}

