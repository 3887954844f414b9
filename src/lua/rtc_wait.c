/* rtc_wait.c: the wait_<x> functions: client:wait_job(app_id, job_id, state, opts) polls
 * get_job until the job is in state, or in one it cannot leave (STOPPED), or the time is up.
 * Made from the rows: every get_<x> operation (GET, no body, no query) whose answer has a
 * string "state" field gets a wait_<x> (today get_job and get_mix_job); nothing per operation.
 * The getter is called as any Lua code would call it (client:get_job(...)), so no C pointer is
 * held across that call; between calls the thread sleeps (nanosleep: no Lua runs, no CPU is
 * used). Calls rtc_error (the timeout error) and rtc_api (the rows). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rtc_lua.h"
#include "rtc_wait.h"

#define RTC_WAIT_TIMEOUT 300.0     /* seconds, when opts.timeout is not given */
#define RTC_WAIT_FIRST 0.2         /* the first pause, when opts.interval is not given */
#define RTC_WAIT_FACTOR 1.5        /* each pause this much longer than the one before ... */
#define RTC_WAIT_CAP 2.0           /* ... up to this (or up to opts.interval when it is longer) */
#define RTC_WAIT_MAX 604800.0      /* a week: a longer timeout is a mistake */
#define RTC_FINAL_STATE "STOPPED"
#define RTC_WAIT_LOOK 0.05         /* seconds: the least a look is given */  /* a job (or mix job) in this state never changes again */

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps for s seconds, whole, even when a signal interrupts the sleep. */
static void sleep_seconds(double s) {
  struct timespec req, rem;
  if (!(s > 0)) return;
  req.tv_sec = (time_t)s;
  req.tv_nsec = (long)((s - (double)req.tv_sec) * 1e9);
  if (req.tv_nsec >= 1000000000L) req.tv_nsec = 999999999L;
  while (nanosleep(&req, &rem) != 0 && errno == EINTR) req = rem;
}

/* opts[k] (raw read) as seconds in [min, RTC_WAIT_MAX], or dflt when absent; anything else
 * raises, naming the option. */
static double opt_seconds(lua_State *L, int opts, int arg, const char *k, double dflt,
                          double min) {
  double v;
  if (opts == 0) return dflt;
  if (rtc_raw_field(L, opts, k) == LUA_TNIL) {
    lua_pop(L, 1);
    return dflt;
  }
  v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : NAN;
  lua_pop(L, 1);
  if (!(v >= min && v <= RTC_WAIT_MAX)) { /* also NaN and a non-number */
    char msg[128];
    snprintf(msg, sizeof msg, "opts.%s: expected seconds, a number from %g to %g", k, min,
             RTC_WAIT_MAX);
    luaL_argerror(L, arg, msg);
  }
  return v;
}

/* The "timeout" error: what the last answer said, and its request id. */
static int fail_timeout(lua_State *L, const rtc_operation *op, int job, const char *want,
                        double timeout) {
  const char *state = rtc_raw_string(L, job, "state", NULL);
  const char *request_id = rtc_raw_string(L, job, "request_id", NULL);
  char msg[512];
  snprintf(msg, sizeof msg, "%s: still %.64s, not %.64s, after %g s", op->name,
           state ? state : "without a state", want, timeout);
  lua_pushnil(L);
  rtc_push_error(L, "timeout", 0, NULL, msg, request_id, NULL);
  return 2;
}

/* The client the getter at fn will use, pushed (an anchor: it lives through the call; nil when
 * unknown), or NULL: a method's self, or the default client of the module's own function (its
 * module state is its first upvalue). A getter replaced by Lua code is called unbounded. */
static rtc_client *bounded_client(lua_State *L, int base, int fn) {
  rtc_client *c = NULL;
  if (base == 2) {
    lua_pushvalue(L, 1);
    c = luaL_testudata(L, -1, RTC_CLIENT_MT);
  } else if (lua_tocfunction(L, fn) == lrtc_operation_call && lua_getupvalue(L, fn, 1)) {
    rtc_module *m = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (m && m->default_ref != LUA_NOREF) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, m->default_ref);
      c = luaL_testudata(L, -1, RTC_CLIENT_MT);
    } else {
      lua_pushnil(L);
    }
  } else {
    lua_pushnil(L);
  }
  return c;
}

/* wait_<x>([client,] path params..., state, opts) -> the answer, or nil, err */
static int lrtc_wait(lua_State *L) {
  const rtc_operation *op = (const rtc_operation *)lua_touserdata(L, lua_upvalueindex(2));
  int base = rtc_args_base(L); /* after the client, or from 1 (the default client) */
  int nparams = rtc_operation_nparams(op), i, state_arg = base + nparams;
  int opts_arg = state_arg + 1, opts = 0, fn, nargs, last, looks;
  rtc_client *c;
  double timeout, pause, cap, deadline;
  const char *want;
  size_t want_len;

  {
    char why[96];
    int bad = rtc_check_path_args(L, op, base, 0, why, sizeof why);
    if (bad) return luaL_argerror(L, bad, why);
  }
  if (lua_type(L, state_arg) != LUA_TSTRING || lua_rawlen(L, state_arg) == 0 ||
      strlen(lua_tostring(L, state_arg)) != lua_rawlen(L, state_arg)) {
    char msg[96];
    snprintf(msg, sizeof msg, "state: expected a state name such as \"RUNNING\", got %s",
             lua_type(L, state_arg) != LUA_TSTRING ? luaL_typename(L, state_arg)
             : lua_rawlen(L, state_arg) == 0       ? "an empty string"
                                                   : "a string with a NUL byte");
    return luaL_argerror(L, state_arg, msg);
  }
  if (lua_type(L, opts_arg) == LUA_TTABLE) opts = opts_arg;
  else if (!lua_isnoneornil(L, opts_arg))
    return luaL_argerror(L, opts_arg, "opts: expected a table or nil");
  if (opts) { /* a misspelt option would be waited out silently: refuse what is not known */
    lua_pushnil(L);
    while (lua_next(L, opts) != 0) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      lua_pop(L, 1);
      if (k == NULL || (strcmp(k, "timeout") != 0 && strcmp(k, "interval") != 0)) {
        char msg[128];
        snprintf(msg, sizeof msg, "opts: unknown option %s%.40s%s (the options are timeout "
                 "and interval)", k ? "\"" : "", k ? k : "(not a name)", k ? "\"" : "");
        return luaL_argerror(L, opts_arg, msg);
      }
    }
  }
  timeout = opt_seconds(L, opts, opts_arg, "timeout", RTC_WAIT_TIMEOUT, 0);
  pause = opt_seconds(L, opts, opts_arg, "interval", RTC_WAIT_FIRST, 0.001);
  cap = pause > RTC_WAIT_CAP ? pause : RTC_WAIT_CAP;
  lua_settop(L, opts_arg);
  want = lua_tostring(L, state_arg); /* the argument stays on the stack: the pointer lives */

  if (base == 2) lua_getfield(L, 1, op->name); /* a normal method look-up on the client */
  else lua_getfield(L, lua_upvalueindex(1), op->name);
  if (!lua_isfunction(L, -1)) return luaL_error(L, "rtc: no %s to call", op->name);
  fn = lua_gettop(L);
  nargs = base - 1 + nparams;
  luaL_checkstack(L, nargs + 4, "rtc: too many path parameters");

  deadline = now_seconds() + timeout;
  want_len = lua_rawlen(L, state_arg);
  lua_pushnil(L); /* the last answer */
  last = lua_gettop(L);
  for (looks = 0;; looks++) {
    const char *state;
    size_t state_len;
    double left = deadline - now_seconds();
    /* each look ends within the time left (a hung get_job cannot hold the wait past it); the
     * first is always made (a zero timeout looks once), given at least RTC_WAIT_LOOK */
    if (looks > 0 && left < RTC_WAIT_LOOK) return fail_timeout(L, op, last, want, timeout);
    c = bounded_client(L, base, fn);
    lua_pushvalue(L, fn);
    for (i = 1; i <= nargs; i++) lua_pushvalue(L, i);
    if (c) c->next_max_time = left > RTC_WAIT_LOOK ? left : RTC_WAIT_LOOK;
    lua_call(L, nargs, 2);
    if (c) c->next_max_time = 0;
    lua_remove(L, -3); /* the client's anchor */
    if (!lua_toboolean(L, -2)) {
      const char *kind = lua_type(L, -1) == LUA_TTABLE ? rtc_raw_string(L, lua_gettop(L), "kind", NULL)
                                                       : NULL;
      /* the look was cut by the wait's own time: the wait's timeout, with the last answer */
      if (looks > 0 && kind && strcmp(kind, "timeout") == 0 && now_seconds() >= deadline - 0.002)
        return fail_timeout(L, op, last, want, timeout);
      return 2; /* nil, err: the getter's own error */
    }
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TTABLE) {
      char msg[128];
      snprintf(msg, sizeof msg, "%s: the answer is not a table", op->name);
      lua_pushnil(L);
      rtc_push_error(L, "decode", 0, NULL, msg, NULL, NULL);
      return 2;
    }
    state = rtc_raw_string(L, lua_gettop(L), "state", &state_len);
    /* by length too: a NUL inside the server's text must not make "RUNNING\0x" RUNNING */
    if (state && ((state_len == want_len && memcmp(state, want, want_len) == 0) ||
                  (state_len == strlen(RTC_FINAL_STATE) &&
                   memcmp(state, RTC_FINAL_STATE, state_len) == 0)))
      return 1;
    lua_replace(L, last);
    left = deadline - now_seconds();
    if (left <= 0) return fail_timeout(L, op, last, want, timeout);
    /* the last look starts early enough to end by the deadline */
    sleep_seconds(pause < left - RTC_WAIT_LOOK ? pause : left - RTC_WAIT_LOOK);
    pause *= RTC_WAIT_FACTOR;
    if (pause > cap) pause = cap;
  }
}

void rtc_wait_register(lua_State *L, int methods_idx) {
  size_t i, k;
  char name[96];
  methods_idx = lua_absindex(L, methods_idx);
  for (i = 0; i < rtc_noperations; i++) {
    const rtc_operation *op = &rtc_operations[i];
    int has_state = 0;
    if (strncmp(op->name, "get_", 4) != 0 || strcmp(op->method, "GET") != 0 || op->request ||
        op->query || !op->response)
      continue;
    for (k = 0; k < op->response->nfields; k++)
      if (strcmp(op->response->fields[k].name, "state") == 0 &&
          op->response->fields[k].type == RTC_T_STRING)
        has_state = 1;
    if (!has_state) continue;
    snprintf(name, sizeof name, "wait_%s", op->name + 4);
    lua_pushvalue(L, methods_idx);
    lua_pushlightuserdata(L, (void *)op);
    lua_pushcclosure(L, lrtc_wait, 2);
    lua_setfield(L, methods_idx, name);
  }
}
