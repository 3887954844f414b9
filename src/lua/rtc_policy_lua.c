/* rtc_policy_lua.c: the Lua face of the retry policy: rtc.policy(opts), client:policy(),
 * policy:decide(outcome), policy:endpoints(), and the rate limit: policy:take(now) and
 * policy:hold(until). The rules are rtc_policy.c's; this file only
 * converts tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rtc_lua.h"
#include "rtc_policy_lua.h"

#define RTC_POLICY_MT "rtc.policy"

typedef struct policy_ud {
  rtc_policy p;
  rtc_bucket bucket;             /* shared by whoever holds this policy object */
  int endpoints_ref;             /* a Lua array of base URLs */
  rtc_health health[RTC_MAX_ENDPOINTS]; /* what policy:failed / succeeded said of each */
  unsigned long long rng;
} policy_ud;

/* luaL_error's format knows no %g: every message with a number is formatted here first */
static int raise_range(lua_State *L, const char *where, const char *key, double lo, double hi) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s: expected a number from %g to %g", where, key, lo, hi);
  return luaL_error(L, "%s", msg);
}

static double number_field(lua_State *L, int idx, const char *key, double def, double lo,
                           double hi) {
  double v = def;
  rtc_raw_field(L, idx, key);
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TNUMBER)
      luaL_error(L, "rtc.policy: %s: expected a number, got %s", key, luaL_typename(L, -1));
    v = (double)lua_tonumber(L, -1);
    if (!(v >= lo && v <= hi)) raise_range(L, "rtc.policy", key, lo, hi); /* NaN too */
  }
  lua_pop(L, 1);
  return v;
}

#define POLICY_OPTIONS(X) X(retries) X(backoff_base) X(backoff_max) X(deadline) X(rate) X(endpoint)
#define POLICY_OPTION_NAME(n) #n,
static const char *const policy_options[] = {POLICY_OPTIONS(POLICY_OPTION_NAME) NULL};

/* rtc.policy{} refuses what it does not know, as rtc.new does */
static void check_policy_options(lua_State *L, int idx) {
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    const char *best = NULL;
    size_t k, best_d = 4;
    if (name == NULL)
      luaL_error(L, "rtc.policy: option names must be strings, got a %s key", luaL_typename(L, -2));
    for (k = 0; policy_options[k]; k++) {
      size_t d = rtc_edit_distance(name, policy_options[k]);
      if (d == 0) break;
      if (d < best_d) best_d = d, best = policy_options[k];
    }
    if (policy_options[k] == NULL) {
      if (best) luaL_error(L, "rtc.policy: unknown option \"%s\" (did you mean \"%s\"?)", name, best);
      luaL_error(L, "rtc.policy: unknown option \"%s\" (the options are retries, backoff_base, "
                    "backoff_max, deadline, rate and endpoint)", name);
    }
    lua_pop(L, 1);
  }
}

/* outcome.key read raw: nil (absent: def), or a finite number from lo to hi (whole: an integer) */
static double outcome_number(lua_State *L, const char *key, int required, double def, double lo,
                             double hi, int whole) {
  double v = def;
  rtc_raw_field(L, 2, key);
  if (lua_isnil(L, -1)) {
    if (required) luaL_error(L, "policy:decide: outcome.%s: expected a number, got nil", key);
  } else {
    char msg[256];
    if (lua_type(L, -1) != LUA_TNUMBER)
      luaL_error(L, "policy:decide: outcome.%s: expected a number, got %s", key,
                 luaL_typename(L, -1));
    v = (double)lua_tonumber(L, -1);
    if (!(v >= lo && v <= hi) || (whole && v != (double)(long long)v)) {
      snprintf(msg, sizeof msg, "policy:decide: outcome.%s: expected %s from %g to %g%s", key,
               whole ? "a whole number" : "a number", lo, hi, hi == 1 ? " (1 excluded)" : "");
      luaL_error(L, "%s", msg);
    }
  }
  lua_pop(L, 1);
  return v;
}

/* Pushes a new policy object; the endpoint list is on the stack top (popped). */
static policy_ud *push_policy(lua_State *L, const rtc_policy *p, double rate) {
  policy_ud *u;
  int list = lua_gettop(L);
  u = lua_newuserdata(L, sizeof *u);
  u->p = *p;
  memset(u->health, 0, sizeof u->health);
  rtc_bucket_init(&u->bucket, rate, 0);
  u->rng = 0x9e3779b97f4a7c15ULL ^ (unsigned long long)(size_t)u;
  lua_pushvalue(L, list);
  u->endpoints_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  luaL_setmetatable(L, RTC_POLICY_MT);
  lua_remove(L, list);
  return u;
}

void rtc_push_client_policy(lua_State *L, const rtc_config *cfg) {
  rtc_policy p;
  int i;
  p.retries = (int)cfg->retries;
  p.backoff_base = cfg->backoff_base;
  p.backoff_max = cfg->backoff_max;
  p.deadline = cfg->deadline;
  p.nendpoints = cfg->nendpoints;
  lua_createtable(L, cfg->nendpoints, 0);
  for (i = 0; i < cfg->nendpoints; i++) {
    lua_pushstring(L, cfg->endpoints[i].base);
    lua_rawseti(L, -2, i + 1);
  }
  push_policy(L, &p, (double)cfg->rate);
}

/* rtc.policy{retries =, backoff_base =, backoff_max =, deadline =, endpoint = url|{urls}} */
int lrtc_policy(lua_State *L) {
  rtc_policy p;
  double rate;
  int n = 0;
  if (lua_isnoneornil(L, 1)) { /* rtc.policy(nil) too: the table must be at 1 */
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  check_policy_options(L, 1);
  p.retries = (int)number_field(L, 1, "retries", 2, 0, 10);
  p.backoff_base = number_field(L, 1, "backoff_base", 0.1, 0.001, 60);
  p.backoff_max = number_field(L, 1, "backoff_max", 5, 0.001, 600);
  p.deadline = number_field(L, 1, "deadline", 60, 0.001, 86400);
  rate = number_field(L, 1, "rate", 0, 0, 100000);
  lua_newtable(L);
  rtc_raw_field(L, 1, "endpoint");
  if (lua_type(L, -1) == LUA_TSTRING) {
    lua_rawseti(L, 2, ++n);
  } else if (lua_type(L, -1) == LUA_TTABLE) {
    int i, k = (int)lua_rawlen(L, -1);
    for (i = 1; i <= k && i <= RTC_MAX_ENDPOINTS; i++) {
      lua_rawgeti(L, -1, i);
      if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "rtc.policy: endpoint[%d]: expected a URL", i);
      lua_rawseti(L, 2, ++n);
    }
    lua_pop(L, 1);
  } else {
    lua_pop(L, 1);
    lua_pushliteral(L, "https://rtc-api.myhuaweicloud.com");
    lua_rawseti(L, 2, ++n);
  }
  p.nendpoints = n;
  push_policy(L, &p, rate);
  return 1;
}

static const char *const error_names[] = {"connect", "timeout", "transport", "config", NULL};

/* policy:decide(outcome) -> {retry = true, delay =, endpoint =} or {retry = false, kind =} */
static int lrtc_policy_decide(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  rtc_outcome o;
  rtc_decision d;
  const rtc_operation *op;
  luaL_checktype(L, 2, LUA_TTABLE);
  memset(&o, 0, sizeof o);
  rtc_raw_field(L, 2, "operation");
  op = lua_type(L, -1) == LUA_TSTRING ? rtc_find_operation(lua_tostring(L, -1)) : NULL;
  if (op == NULL)
    return luaL_error(L, "policy:decide: outcome.operation: expected an operation name: %s",
                      rtc_operation_names());
  o.idempotent = op->retry == RTC_RETRY_IDEMPOTENT;
  o.attempt = (int)outcome_number(L, "attempt", 0, 1, 1, 1000000, 1);
  o.status = (long)outcome_number(L, "status", 0, 0, 0, 999, 1);
  rtc_raw_field(L, 2, "error");
  if (!lua_isnil(L, -1)) {
    const char *e = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int i;
    for (i = 0; e && error_names[i] && strcmp(error_names[i], e) != 0; i++) {}
    if (e == NULL || error_names[i] == NULL)
      return luaL_error(L, "policy:decide: outcome.error: expected connect, timeout, transport "
                           "or config, got %s%s%s", e ? "\"" : "", e ? e : luaL_typename(L, -1),
                        e ? "\"" : "");
    o.error = (rtc_attempt_error)(i + 1);
  }
  if (o.error == RTC_ERR_NONE && o.status <= 0)
    return luaL_error(L, "policy:decide: the outcome needs a status or an error");
  rtc_raw_field(L, 2, "sent");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TBOOLEAN)
    return luaL_error(L, "policy:decide: outcome.sent: expected a boolean, got %s",
                      luaL_typename(L, -1));
  o.sent = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
  o.now = outcome_number(L, "now", 1, 0, -HUGE_VAL, HUGE_VAL, 0); /* finite: NaN and inf fail */
  if (!isfinite(o.now)) return luaL_error(L, "policy:decide: outcome.now: expected a finite number");
  o.started = outcome_number(L, "started", 0, o.now, -HUGE_VAL, HUGE_VAL, 0);
  if (!isfinite(o.started))
    return luaL_error(L, "policy:decide: outcome.started: expected a finite number");
  rtc_raw_field(L, 2, "retry_after");
  o.retry_after = -1;
  if (lua_type(L, -1) == LUA_TNUMBER) {
    lua_pop(L, 1);
    o.retry_after = outcome_number(L, "retry_after", 1, 0, 0, HUGE_VAL, 0);
    if (!isfinite(o.retry_after))
      return luaL_error(L, "policy:decide: outcome.retry_after: expected a finite number");
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    if (rtc_retry_after_parse(lua_tostring(L, -1), o.now, &o.retry_after) != 0)
      o.retry_after = -1;
  } else if (!lua_isnil(L, -1)) {
    return luaL_error(L, "policy:decide: outcome.retry_after: expected seconds or an HTTP date, "
                         "got %s", luaL_typename(L, -1));
  }
  o.endpoint = (int)outcome_number(L, "endpoint", 0, 1, 1, RTC_MAX_ENDPOINTS, 1) - 1;
  if (o.endpoint < 0 || o.endpoint >= u->p.nendpoints) o.endpoint = 0;
  rtc_raw_field(L, 2, "random");
  if (lua_isnil(L, -1)) {
    u->rng ^= u->rng >> 12, u->rng ^= u->rng << 25, u->rng ^= u->rng >> 27;
    o.random = (double)((u->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
  } else {
    o.random = outcome_number(L, "random", 1, 0, 0, 1, 0);
    if (o.random >= 1) return luaL_error(L, "policy:decide: outcome.random: expected a number "
                                            "from 0 to 1 (1 excluded)");
  }
  lua_settop(L, 2);
  rtc_policy_decide(&u->p, &o, &d);
  lua_createtable(L, 0, 3);
  lua_pushboolean(L, d.retry);
  lua_setfield(L, -2, "retry");
  if (d.retry) {
    lua_pushnumber(L, (lua_Number)d.delay);
    lua_setfield(L, -2, "delay");
    lua_pushinteger(L, d.endpoint + 1);
    lua_setfield(L, -2, "endpoint");
  } else {
    lua_pushstring(L, d.kind);
    lua_setfield(L, -2, "kind");
  }
  return 1;
}

/* policy:take(now) -> 0 when an attempt may start now (a token is taken), else the seconds to
 * wait before asking again. now: any one clock, in seconds (ngx.now(), os.time(), ...). */
static int lrtc_policy_take(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  lua_pushnumber(L, (lua_Number)rtc_bucket_take(&u->bucket, (double)luaL_checknumber(L, 2)));
  return 1;
}

/* policy:hold(until): no take succeeds before until (a 429's Retry-After, on the same clock). */
static int lrtc_policy_hold(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  rtc_bucket_hold(&u->bucket, (double)luaL_checknumber(L, 2));
  return 0;
}

/* an endpoint argument: 1 .. the policy's number of endpoints -> 0-based */
static int check_endpoint(lua_State *L, const policy_ud *u, int arg) {
  lua_Integer k = luaL_checkinteger(L, arg);
  if (k < 1 || k > u->p.nendpoints)
    luaL_argerror(L, arg, lua_pushfstring(L, "endpoint: expected 1 to %d", u->p.nendpoints));
  return (int)k - 1;
}

static double check_now(lua_State *L, int arg) {
  double now = (double)luaL_checknumber(L, arg);
  if (!isfinite(now)) luaL_argerror(L, arg, "now: expected a finite number");
  return now;
}

/* policy:failed(endpoint, now) -> seconds the endpoint is avoided for (it could not be reached:
 * refused, a timeout, a proxy that could not reach it) */
static int lrtc_policy_failed(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  int k = check_endpoint(L, u, 2);
  lua_pushnumber(L, (lua_Number)rtc_health_failed(&u->health[k], check_now(L, 3)));
  return 1;
}

/* policy:succeeded(endpoint): it answered; its failures are forgotten */
static int lrtc_policy_succeeded(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  rtc_health_ok(&u->health[check_endpoint(L, u, 2)]);
  return 0;
}

/* policy:pick(now [, from]) -> the endpoint a call should use: from (default 1) or the next one
 * not avoided at now; when all are, the one whose time is over first */
static int lrtc_policy_pick(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  double now = check_now(L, 2);
  int from = lua_isnoneornil(L, 3) ? 0 : check_endpoint(L, u, 3);
  lua_pushinteger(L, rtc_health_pick(u->health, u->p.nendpoints, from, now) + 1);
  return 1;
}

static int lrtc_policy_endpoints(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  int i, n;
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->endpoints_ref);
  n = (int)lua_rawlen(L, -1);
  lua_createtable(L, n, 0); /* a fresh copy: callers may change theirs */
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, -2, i);
    lua_rawseti(L, -2, i);
  }
  return 1;
}

static int lrtc_policy_gc(lua_State *L) {
  policy_ud *u = luaL_checkudata(L, 1, RTC_POLICY_MT);
  luaL_unref(L, LUA_REGISTRYINDEX, u->endpoints_ref);
  u->endpoints_ref = LUA_NOREF;
  return 0;
}

void rtc_policy_open(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"decide", lrtc_policy_decide}, {"endpoints", lrtc_policy_endpoints}, {"take", lrtc_policy_take},
    {"hold", lrtc_policy_hold}, {"failed", lrtc_policy_failed},
    {"succeeded", lrtc_policy_succeeded}, {"pick", lrtc_policy_pick}, {NULL, NULL}};
  if (luaL_newmetatable(L, RTC_POLICY_MT)) {
    lua_pushliteral(L, RTC_POLICY_MT);
    lua_setfield(L, -2, "__name");
    lua_pushcfunction(L, lrtc_policy_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushliteral(L, RTC_POLICY_MT);
    lua_setfield(L, -2, "__metatable");
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}
