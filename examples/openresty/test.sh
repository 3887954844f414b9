#!/bin/bash
# shellcheck disable=SC2034  # variables are read inside the eval'd check strings
# examples/openresty/test.sh -- `make test-openresty`
#
# A real nginx (1 worker, Debian's lua module, the LuaJIT build of rtc.so) against the mock, every
# call through rtc.ngx (test_app.lua answers JSON about what came back), checked with curl:
#   - every operation from a content handler and from an ngx.timer callback (the thread pool),
#     and from a content handler through the subrequest way: jobs and errors with their fields,
#     metatables and tostring
#   - the worker keeps answering while a call waits 3 s upstream (and, as a control, a
#     blocking call in a handler does stall it)
#   - retries with Retry-After, failover, the deadline, a batch of 100, a missing and a full
#     pool, options that cannot cross to the threads
#   - the subrequest way's request (an empty POST's Content-Length) and failures (err.sent, nginx's
#     own 504, no address), from a timer, and broken locations (raise, nothing sent)
#   - TLS: a self-signed upstream refused by default, accepted with its CA (both ways)
#   - AK/SK signing verified by the mock (both ways); no secret in error.log
#   - rtc.ngx.events: signed, repeated, tampered, unsigned, non-object, mistyped, buffered to a
#     file, GET, a raising handler; the mock's deliveries to it
#   - the README's nginx.conf, as it is written there
# Works from a checkout the nginx worker user cannot read (a 0700 directory): as root the test
# nginx runs its workers as root (`user root;`), otherwise as the invoking user anyway.
# Prints "N passed, N failed"; exits non-zero on any failure.
# Timing: no check may depend on how fast a busy machine is. What happens while an answer is held
# is told by the mock (it still holds it: in_flight), not by a clock; what must not wait is held a
# minute and bounded at 10 s; what must wait has a lower bound; a state is waited for, not slept on.
#
# Environment: RTC_MOCK_LUA (lua5.4), LUAJIT (luajit), NGINX (nginx),
#   NGINX_MODULES_DIR (/usr/lib/nginx/modules), RTC_LUAJIT_SO (built by make LUA=luajit),
#   RTC_TEST_EXTRA_HTTP (extra http-level lines for the test nginx, e.g. to try a development
#   build), KEEP_TMP=1 keeps the temporary directory.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=examples/testlib.sh
. "$HERE/../testlib.sh"
testlib_init openresty
TESTLIB_LOGS=("error*.log" mock.log)
LUAJIT=${LUAJIT:-luajit}
NGINX=${NGINX:-nginx}
MODULES_DIR=${NGINX_MODULES_DIR:-/usr/lib/nginx/modules}
SO=${RTC_LUAJIT_SO:-$ROOT/build/luajit/rtc.so}
NGINX_PIDS=()

stop_nginx() { # PIDFILE
    local pid
    pid=$(cat "$1" 2>/dev/null)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$1"
}
# shellcheck disable=SC2317  # run by testlib_cleanup at exit
testlib_on_exit() {
    local f
    for f in "${NGINX_PIDS[@]}"; do stop_nginx "$f"; done
    [ -n "${RPREFIX:-}" ] && [ -z "${KEEP_TMP:-}" ] && rm -rf "$RPREFIX"
}

# ---- tools -------------------------------------------------------------------------------
for tool in "$NGINX" "$LUAJIT" "$MOCK_LUA" curl make openssl; do
    if ! command -v "$tool" >/dev/null 2>&1; then not_ok "tool $tool is installed"; finish; fi
done
if [ ! -f "$MODULES_DIR/ngx_http_lua_module.so" ] || [ ! -f "$MODULES_DIR/ndk_http_module.so" ]; then
    not_ok "nginx lua module and NDK in $MODULES_DIR"; finish
fi

# JSON field of a file: jget FILE a.b.1.c  (LuaJIT + cjson, as inside nginx)
cat > "$TMP/jget.lua" <<'LUA'
local cjson = require "cjson"
local f = assert(io.open(arg[1], "rb"))
local ok, t = pcall(cjson.decode, f:read("*a"))
f:close()
if not ok then os.exit(2) end
for k in arg[2]:gmatch("[^.]+") do
  if type(t) ~= "table" then os.exit(1) end
  t = t[tonumber(k) or k]
end
if t == nil or t == cjson.null then os.exit(1) end
io.write(type(t) == "table" and cjson.encode(t) or tostring(t))
LUA
# fill.lua TEMPLATE: @NAME@ placeholders from the environment variables FILL_NAME
cat > "$TMP/fill.lua" <<'LUA'
local f = assert(io.open(arg[1], "rb")); local s = f:read("*a"); f:close()
s = s:gsub("\n[ \t]*lua_package_cpath[^\n]*", "%0\n" .. (os.getenv("RTC_TEST_EXTRA_HTTP") or ""), 1)
s = s:gsub("@(%u[%u_]*)@", function(k) return assert(os.getenv("FILL_" .. k), k) end)
io.write(s)
LUA
# readme.lua README: the README's OpenResty nginx.conf as written; only the two addresses a test
# must not hold (its port 8089 and the quick start's mock on 8080) become the test's own
cat > "$TMP/readme.lua" <<'LUA'
local f = assert(io.open(arg[1], "rb")); local s = f:read("*a"); f:close()
local section = assert(s:match("\n## OpenResty\n(.-)\n## "), "no OpenResty section")
local conf = assert(section:match("```nginx\n(.-)\n```"), "no nginx block in the OpenResty section")
local function sub(from, to)
  local n
  conf, n = conf:gsub(from:gsub("%p", "%%%0"), (to:gsub("%%", "%%%%")))
  assert(n > 0, "README nginx.conf: no " .. from)
end
local e = os.getenv
sub("listen 127.0.0.1:8089;", "listen 127.0.0.1:" .. e("RPORT") .. ";")
sub("server 127.0.0.1:8080;", "server 127.0.0.1:" .. e("MOCK_PORT") .. ";")
if e("MODULES_DIR") ~= "/usr/lib/nginx/modules" then sub("/usr/lib/nginx/modules/", e("MODULES_DIR") .. "/") end
conf = conf:gsub("\n[ \t]*lua_package_cpath[^\n]*", "%0\n" .. (e("RTC_TEST_EXTRA_HTTP") or ""), 1)
io.write(conf, "\n")
LUA
jget() { "$LUAJIT" "$TMP/jget.lua" "$1" "$2"; }
jis() { [ "$(jget "$1" "$2")" = "$3" ]; }     # jis FILE PATH EXPECTED
lt() { awk "BEGIN{exit !($1 < $2)}"; }        # lt A B: A < B (decimals)

# ---- the LuaJIT build of the module ------------------------------------------------------
if [ -z "${RTC_LUAJIT_SO:-}" ]; then
    if make -C "$ROOT" LUA=luajit >"$TMP/make.log" 2>&1; then
        ok "make LUA=luajit"
    else
        not_ok "make LUA=luajit"; tail -n 30 "$TMP/make.log"; finish
    fi
fi
check "LuaJIT module at ${SO#"$ROOT"/}" test -f "$SO"
SODIR=$(dirname "$SO")
LJ_ENV=(env LUA_PATH="$ROOT/?.lua;;" LUA_CPATH="$SODIR/?.so;;")
check "rtc.so and rtc.ngx load in $LUAJIT (outside nginx: constructing works)" "${LJ_ENV[@]}" "$LUAJIT" -e "
  local m = require 'rtc.ngx'; assert(m._VERSION and #m.operations() >= 4)
  assert(tostring(m.new{ endpoint = 'http://127.0.0.1:9', token = 't' }):find('pool rtc', 1, true))"
check "rtc.ngx.new refuses a debug function, naming the option" "${LJ_ENV[@]}" "$LUAJIT" -e "
  local ok, e = pcall(require('rtc.ngx').new, { endpoint = 'http://127.0.0.1:9', token = 't', debug = print })
  assert(not ok and e:find('option debug is a function', 1, true), e)"
check "rtc.ngx.new refuses an upstream that is no upstream{} name, naming opts.upstream[2]" "${LJ_ENV[@]}" "$LUAJIT" -e "
  local ok, e = pcall(require('rtc.ngx').new, { endpoint = 'http://127.0.0.1:9', token = 't', subrequest = '/_rtc',
    upstream = { 'rtc_api', true } })
  assert(not ok and e:find('opts.upstream[2]', 1, true), tostring(e))
  ok, e = pcall(require('rtc.ngx').new, { endpoint = 'http://127.0.0.1:9', token = 't', upstream = 'a/b' })
  assert(not ok and e:find('opts.upstream', 1, true), tostring(e))"
check "rtc.ngx.new raises rtc's own error for a bad option" "${LJ_ENV[@]}" "$LUAJIT" -e "
  local ok, e = pcall(require('rtc.ngx').new, { endpoint = 'http://127.0.0.1:9', token = 't', tiemout = 1 })
  assert(not ok and tostring(e):find('tiemout', 1, true), tostring(e))"
[ "$fail" -eq 0 ] || finish

# ---- a self-signed certificate for the TLS upstream --------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$TMP/ca.key" -out "$TMP/ca.pem" >"$TMP/openssl.log" 2>&1; then
    ok "self-signed certificate for 127.0.0.1"
else
    not_ok "openssl req"; cat "$TMP/openssl.log"; finish
fi

# ---- the mock ----------------------------------------------------------------------------
start_mock
APP=app-openresty
create_job() { # SUFFIX -> job id
    mock_create_job "$APP" "$1" >"$TMP/create.json" && jget "$TMP/create.json" job_id
}
J1=$(create_job 1)
if [ -z "$J1" ]; then not_ok "a job created in the mock"; finish; fi

# ---- nginx -------------------------------------------------------------------------------
free_port() {
    "$MOCK_LUA" -e 'local s = assert(require("socket").bind("127.0.0.1", 0))
        local _, p = s:getsockname(); s:close(); print(p)'
}
# as root, workers would run as nobody, who may not read a 0700 checkout: run them as root
USER_LINE=
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
mkdir -p "$TMP/tmp" "$TMP/logs"

# start_conf NAME CONF-WRITER: writes $TMP/NAME.conf with fresh ports and starts nginx with it
# (env RTC_ENDPOINT=$MOCK RTC_AUTH_TOKEN=test-token plus NGINX_ENV), retrying on a taken port
start_conf() {
    local name=$1 writer=$2 i
    for i in 1 2 3; do
        PORT=$(free_port); TLS_PORT=$(free_port)
        "$writer" >"$TMP/$name.conf" || return 1
        : >"$TMP/error-$name.log"
        if env RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token ${NGINX_ENV:-} "$NGINX" -p "$TMP" \
                -c "$TMP/$name.conf" -e "$TMP/error-$name.log" \
                -g "pid $TMP/$name.pid; error_log $TMP/error-$name.log info;" \
                2>>"$TMP/error-$name.log"; then
            NGINX_PIDS+=("$TMP/$name.pid")
            for _ in $(seq 50); do
                curl -s -m 1 -o /dev/null "http://127.0.0.1:$PORT/" && return 0
                sleep 0.1
            done
            return 1
        fi
        grep -q 'Address already in use' "$TMP/error-$name.log" || return 1
    done
    return 1
}
test_conf() {
    FILL_PREFIX=$TMP FILL_PORT=$PORT FILL_TLS_PORT=$TLS_PORT FILL_MODULES_DIR=$MODULES_DIR \
    FILL_ROOT=$ROOT FILL_EXAMPLE_DIR=$HERE FILL_RTC_CPATH="$SODIR/?.so" \
    FILL_MOCK="127.0.0.1:$MOCK_PORT" FILL_USER="$USER_LINE" \
        "$LUAJIT" "$TMP/fill.lua" "$HERE/nginx.conf" | grep -v '^pid \|^error_log '
}
PORT=1 TLS_PORT=2
test_conf >"$TMP/check.conf"
check "nginx -t accepts the test configuration" \
    "$NGINX" -t -q -p "$TMP" -c "$TMP/check.conf" -e "$TMP/error-t.log" -g "pid $TMP/t.pid;"
# shellcheck source=examples/openresty/join_checks.sh
. "$HERE/join_checks.sh"
if NGINX_ENV="$JOIN_ENV" start_conf test test_conf; then
    ok "nginx started (1 worker) on 127.0.0.1:$PORT ${USER_LINE:+(user root)}"
else
    not_ok "nginx started"; finish
fi
NG=http://127.0.0.1:$PORT
TLS=https://127.0.0.1:$TLS_PORT
ERRLOG=$TMP/error-test.log

# call NAME OP JSON [CURL-ARGS...]: POST /call/OP -> $TMP/NAME.json; sets CODE and TIME
call() {
    local name=$1 op=$2 body=$3 out; shift 3
    out=$(curl -s -m 30 -o "$TMP/$name.json" -w '%{http_code} %{time_total}' -X POST \
        -H 'Content-Type: application/json' "$@" --data-binary "$body" "$NG/call/$op")
    CODE=${out%% *}; TIME=${out#* }
}
stats() { mockctl GET /_mock/stats >"$TMP/stats.json"; jget "$TMP/stats.json" "$1"; }

# ---- every operation, three ways ---------------------------------------------------------
# MODE: pool (content handler), timer (ngx.timer callback, pool), subrequest (content handler)
for MODE in pool timer subrequest; do
    case $MODE in
        pool) X='"via":"pool"' ;;
        timer) X='"via":"pool","timer":true' ;;
        subrequest) X='"via":"subrequest"' ;;
    esac
    call "c-$MODE" create_job "{$X,\"args\":[\"$APP\",{\"room_id\":\"room-$MODE\",\"user_id\":\"user-$MODE\",\"record_param\":{\"record_rule_id\":\"rule-1\"}}]}"
    J=$(jget "$TMP/c-$MODE.json" result.job_id)
    check "$MODE: create_job -> rtc.job with job_id, room_id; tostring rtc.job{...}" \
        eval '[ -n "$J" ] && jis "$TMP/c-$MODE.json" mt rtc.job && jis "$TMP/c-$MODE.json" result.room_id "room-$MODE" &&
              jget "$TMP/c-$MODE.json" tostring | grep -q "^rtc.job{"'
    [ "$MODE" = timer ] && check "timer: the call ran in an ngx.timer callback" jis "$TMP/c-$MODE.json" in_timer true
    call "g-$MODE" get_job "{$X,\"args\":[\"$APP\",\"$J\"]}"
    check "$MODE: get_job -> rtc.job, same job_id, a state, request_id" \
        eval 'jis "$TMP/g-$MODE.json" mt rtc.job && jis "$TMP/g-$MODE.json" result.job_id "$J" &&
              jget "$TMP/g-$MODE.json" result.state | grep -Eq "^(INIT|RUNNING)$" &&
              [ -n "$(jget "$TMP/g-$MODE.json" result.request_id)" ]'
    call "u-$MODE" update_job "{$X,\"args\":[\"$APP\",\"$J\",{\"record_param\":{\"record_rule_id\":\"r-$MODE\"},\"publish_param\":{\"rtmp_urls\":[\"rtmp://x/live/$MODE\"]}}]}"
    check "$MODE: update_job -> rtc.job with the new record_rule_id and rtmp_urls" \
        eval 'jis "$TMP/u-$MODE.json" mt rtc.job && jis "$TMP/u-$MODE.json" result.record_param.record_rule_id "r-$MODE" &&
              jis "$TMP/u-$MODE.json" result.publish_param.rtmp_urls.1 "rtmp://x/live/$MODE"'
    call "s-$MODE" stop_job "{$X,\"args\":[\"$APP\",\"$J\"]}"
    check "$MODE: stop_job -> rtc.result with request_id" \
        eval 'jis "$TMP/s-$MODE.json" ok true && jis "$TMP/s-$MODE.json" mt rtc.result &&
              [ -n "$(jget "$TMP/s-$MODE.json" result.request_id)" ]'
    call "n-$MODE" get_job "{$X,\"args\":[\"$APP\",\"no-such-job\"]}"
    check "$MODE: unknown job -> rtc.error {kind=api, status=404, code, request_id}; tostring HTTP 404 ..." \
        eval 'jis "$TMP/n-$MODE.json" ok false && jis "$TMP/n-$MODE.json" mt rtc.error &&
              jis "$TMP/n-$MODE.json" err.kind api && jis "$TMP/n-$MODE.json" err.status 404 &&
              jis "$TMP/n-$MODE.json" err.code RTC.00001003 && [ -n "$(jget "$TMP/n-$MODE.json" err.request_id)" ] &&
              jget "$TMP/n-$MODE.json" tostring | grep -q "^HTTP 404 RTC.00001003"'
    before=$(stats requests)
    call "i-$MODE" update_job "{$X,\"args\":[\"$APP\",\"$J\",{\"publish_param\":{\"rtmp_urls\":[\"http://not-rtmp\"]}}]}"
    after=$(stats requests)
    check "$MODE: invalid params -> rtc.error {kind=invalid, field}, nothing sent" \
        eval 'jis "$TMP/i-$MODE.json" mt rtc.error && jis "$TMP/i-$MODE.json" err.kind invalid &&
              jis "$TMP/i-$MODE.json" err.field "publish_param.rtmp_urls[1]" && [ "$before" = "$after" ] &&
              jget "$TMP/i-$MODE.json" tostring | grep -q "^invalid: publish_param.rtmp_urls"'
done

call misuse update_job "{\"args\":[\"$APP\",\"x\",5]}"
check "pool: misuse raises in the caller, as rtc does (bad argument #3 to 'update_job')" \
    eval 'jget "$TMP/misuse.json" raised | grep -q "bad argument #3 to .update_job. (params: expected a table"'

call progress batch "{\"progress\":true,\"args\":[[[\"get_job\",\"$APP\",\"x\"]]]}"
check "pool: a function argument (batch's progress) raises, naming it" \
    eval 'jget "$TMP/progress.json" raised | grep -q "argument #2 of batch.progress is a function"'

# ---- the worker keeps serving ------------------------------------------------------------
# slow_start NAME CURL-ARGS...: the mock holds its next API answer 3 s; the request runs in the
# background; returns once the mock holds it (so what follows happens while it waits)
slow_start() {
    SLOW_NAME=$1; shift
    mockctl POST /_mock/script '{"delay": 3}' >/dev/null
    ( out=$(curl -s -m 30 -o "$TMP/$SLOW_NAME.json" -w '%{http_code} %{time_total}' "$@")
      echo "$out $(date +%s.%N)" >"$TMP/$SLOW_NAME.res" ) &
    SLOW_PID=$!
    for _ in $(seq 400); do [ "$(stats in_flight)" -ge 1 ] 2>/dev/null && return 0; sleep 0.05; done
}
slow_wait() { wait "$SLOW_PID"; read -r SLOW_CODE SLOW_TIME SLOW_END <"$TMP/$SLOW_NAME.res"; }
ping() { # -> PING_CODE, PING_TIME
    local out
    out=$(curl -s -m 10 -o /dev/null -w '%{http_code} %{time_total}' "$NG/ping")
    PING_CODE=${out%% *}; PING_TIME=${out#* }
}
J2=$(create_job 2)
for MODE in pool subrequest; do
    slow_start "slow-$MODE" -X POST --data-binary "{\"via\":\"$MODE\",\"args\":[\"$APP\",\"$J2\"]}" "$NG/call/get_job"
    call "fast-$MODE" get_job "{\"via\":\"$MODE\",\"args\":[\"$APP\",\"$J2\"]}"
    FAST_TIME=$TIME; held_fast=$(stats in_flight)
    ping
    held_ping=$(stats in_flight)
    slow_wait
    echo "     $MODE: slow get_job ${SLOW_TIME}s; meanwhile get_job ${FAST_TIME}s, /ping ${PING_TIME}s"
    # answered while the mock still held the slow call's answer (its in_flight), not "fast"
    check "$MODE: while a call waits 3 s upstream, /ping answers (the mock still holds that call)" \
        eval '[ "$PING_CODE" = 200 ] && [ "$held_ping" = 1 ]'
    check "$MODE: ... and another get_job on the same worker answers, the slow one still held" \
        eval 'jis "$TMP/fast-$MODE.json" result.job_id "$J2" && [ "$held_fast" = 1 ]'
    check "$MODE: the slow call still succeeds after >= 2.9 s" \
        eval 'jis "$TMP/slow-$MODE.json" result.job_id "$J2" && lt 2.9 "$SLOW_TIME"'
done
slow_start blocking "$NG/blocking?app_id=$APP&job_id=$J2"
ping
held_ping=$(stats in_flight)
slow_wait
echo "     control: with rtc's blocking call in a handler, /ping took ${PING_TIME}s"
check "control: a blocking get_job in a handler stalls /ping (answered only once the mock let the call go): the measure works" \
    eval '[ "$SLOW_CODE" = 200 ] && [ "$PING_CODE" = 200 ] && [ "$held_ping" = 0 ]'

# ---- retries, failover, deadline, batch --------------------------------------------------
DEAD=1 # a privileged port nothing listens on (a port merely freed could be taken by another listener)
for MODE in pool subrequest; do
    mockctl POST /_mock/reset >/dev/null
    J3=$(create_job 3)
    mockctl POST /_mock/script '{"status": 503, "headers": {"Retry-After": "1"}, "body": {"error_code": "RTC.00002002", "error_msg": "busy"}}' >/dev/null
    call "ra-$MODE" get_job "{\"via\":\"$MODE\",\"opts\":{\"retries\":2},\"args\":[\"$APP\",\"$J3\"]}"
    n=$(mockctl GET /_mock/requests | "$LUAJIT" -e 'print(#require("cjson").decode(io.read("*a")))')
    check "$MODE: 503 with Retry-After: 1 -> retried after >= 0.9 s, then the job (2 requests)" \
        eval 'jis "$TMP/ra-$MODE.json" result.job_id "$J3" && lt 0.9 "$(jget "$TMP/ra-$MODE.json" elapsed)" && [ "$n" = 3 ]'
    call "fo-$MODE" get_job "{\"via\":\"$MODE\",\"opts\":{\"endpoint\":[\"http://127.0.0.1:$DEAD\",\"$MOCK\"]},\"args\":[\"$APP\",\"$J3\"]}"
    check "$MODE: failover from a dead endpoint to the mock" jis "$TMP/fo-$MODE.json" result.job_id "$J3"
    call "b-$MODE" batch "{\"via\":\"$MODE\",\"args\":[$("$LUAJIT" -e "
        local c = {} for i = 1, 100 do c[i] = string.format('[\"get_job\",\"$APP\",\"%s\"]', i == 50 and 'no-such-job' or '$J3') end
        io.write('[', table.concat(c, ','), ']')")]}"
    check "$MODE: batch of 100 -> 99 ok, 1 failed; rtc.job / rtc.error (404) in call order" \
        eval 'jis "$TMP/b-$MODE.json" summary.ok 99 && jis "$TMP/b-$MODE.json" summary.failed 1 &&
              jis "$TMP/b-$MODE.json" results.1.mt rtc.job && jis "$TMP/b-$MODE.json" results.100.job_id "$J3" &&
              jis "$TMP/b-$MODE.json" results.50.mt rtc.error && jis "$TMP/b-$MODE.json" results.50.status 404'
    # the rate limit holds on both ways (a bucket of one, 5 a second: 10 calls take >= 1.8 s; a
    # lower bound, which a busy machine cannot break)
    call "rl-$MODE" batch "{\"via\":\"$MODE\",\"opts\":{\"rate\":5},\"args\":[$("$LUAJIT" -e "
        local c = {} for i = 1, 10 do c[i] = '[\"get_job\",\"$APP\",\"$J3\"]' end
        io.write('[', table.concat(c, ','), ']')"),{\"concurrency\":10}]}"
    check "$MODE: rate = 5: a batch of 10 (concurrency 10) takes >= 1.6 s, all ok" \
        eval 'jis "$TMP/rl-$MODE.json" summary.ok 10 && lt 1.6 "$(jget "$TMP/rl-$MODE.json" elapsed)"'
    call "rls-$MODE" batch "{\"via\":\"$MODE\",\"opts\":{\"rate\":5,\"shared_rate\":\"rtc_rate\"},\"args\":[$("$LUAJIT" -e "
        local c = {} for i = 1, 10 do c[i] = '[\"get_job\",\"$APP\",\"$J3\"]' end
        io.write('[', table.concat(c, ','), ']')"),{\"concurrency\":10}]}"
    check "$MODE: rate = 5 through lua_shared_dict rtc_rate (shared_rate): the same, >= 1.6 s, all ok" \
        eval 'jis "$TMP/rls-$MODE.json" summary.ok 10 && lt 1.6 "$(jget "$TMP/rls-$MODE.json" elapsed)"'
done
mockctl POST /_mock/script '{"delay": 60, "times": 3}' >/dev/null
call dl get_job "{\"opts\":{\"deadline\":1,\"timeout\":30,\"retries\":2},\"args\":[\"$APP\",\"$J3\"]}"
mockctl DELETE /_mock/script >/dev/null
check "pool: deadline 1 s against an upstream holding its answer 60 s -> rtc.error kind=timeout in >= 0.9 s, < 10 s" \
    eval 'jis "$TMP/dl.json" err.kind timeout && jis "$TMP/dl.json" mt rtc.error &&
          lt 0.9 "$(jget "$TMP/dl.json" elapsed)" && lt "$(jget "$TMP/dl.json" elapsed)" 10'

# ---- the subrequest way: what it sends, what its failures say, broken locations ---------
mockctl POST /_mock/reset >/dev/null
J3=$(create_job 3)
for MODE in pool subrequest; do call "sa-$MODE" start_app "{\"via\":\"$MODE\",\"args\":[\"$APP\"]}"; done
mockctl GET /_mock/requests >"$TMP/sa-req.json"
check "subrequest: a POST without a body (start_app) sends Content-Length: 0, as the pool way (libcurl) does" \
    eval 'jis "$TMP/sa-req.json" 2.method POST && jis "$TMP/sa-req.json" 2.headers.content-length 0 &&
          jis "$TMP/sa-req.json" 3.method POST && jis "$TMP/sa-req.json" 3.headers.content-length 0'
for MODE in pool subrequest; do
    # (a create_job: a call that must not be repeated, which the pool way's libcurl would not
    # send again on a fresh connection either)
    mockctl POST /_mock/script '{"close_before_response": true}' >/dev/null
    call "cbr-$MODE" create_job "{\"via\":\"$MODE\",\"opts\":{\"retries\":2},\"args\":[\"$APP\",{\"room_id\":\"r-cbr\",\"user_id\":\"u-cbr-$MODE\",\"record_param\":{\"record_rule_id\":\"rule-1\"}}]}"
    check "$MODE: create_job, the service closes after reading it -> kind=transport, err.sent = true, tostring says so, not retried" \
        eval 'jis "$TMP/cbr-$MODE.json" err.kind transport && jis "$TMP/cbr-$MODE.json" err.sent true &&
              jis "$TMP/cbr-$MODE.json" err.attempts 1 && jget "$TMP/cbr-$MODE.json" tostring | grep -q "may have reached the server"'
    call "dead-$MODE" get_job "{\"via\":\"$MODE\",\"opts\":{\"endpoint\":\"http://127.0.0.1:$DEAD\",\"retries\":0},\"args\":[\"$APP\",\"$J3\"]}"
    check "$MODE: a refused connection -> kind=transport without err.sent" \
        eval 'jis "$TMP/dead-$MODE.json" err.kind transport && ! jget "$TMP/dead-$MODE.json" err.sent >/dev/null'
done
call noaddr get_job "{\"via\":\"subrequest\",\"opts\":{\"endpoint\":\"http://localhost:$MOCK_PORT\",\"retries\":0},\"args\":[\"$APP\",\"$J3\"]}"
check "subrequest: a host name with no upstream{} and no resolver -> kind=transport, the message says what to add" \
    eval 'jis "$TMP/noaddr.json" err.kind transport && jget "$TMP/noaddr.json" err.message | grep -q "opts.upstream .*resolver"'
mockctl POST /_mock/script '{"delay": 2}' >/dev/null
call short get_job "{\"via\":\"short\",\"opts\":{\"retries\":0},\"args\":[\"$APP\",\"$J3\"]}"
check "subrequest: nginx's own 504 (proxy_read_timeout 1s, an answer after 2 s) -> kind=timeout, err.sent = true" \
    eval 'jis "$TMP/short.json" err.kind timeout && jis "$TMP/short.json" err.sent true'
sleep 1.2 # the held answer goes out (to a closed connection) before the mock counts again
call sub-timer get_job "{\"via\":\"subrequest\",\"timer\":true,\"args\":[\"$APP\",\"$J3\"]}"
check "subrequest: from an ngx.timer it raises, naming the handlers it needs (not the location's variables)" \
    eval 'jget "$TMP/sub-timer.json" raised | grep -q "rewrite, access or content handler, not timer" &&
          ! jget "$TMP/sub-timer.json" raised | grep -q "subrequest.conf"'
call extra get_job "{\"via\":\"subrequest\",\"opts\":{\"ak\":\"test-ak\",\"sk\":\"test-sk\",\"project_id\":\"test-project\"},\"args\":[\"$APP\",\"$J3\",{\"now\":5}]}"
check "subrequest: an argument past the operation's own is ignored, as rtc ignores it (not read as prepare's {now}: the job, not a 401)" \
    jis "$TMP/extra.json" result.job_id "$J3"
before=$(stats requests)
for V in noinc old reset; do call "loc-$V" get_job "{\"via\":\"$V\",\"args\":[\"$APP\",\"$J3\"]}"; done
call loc-batch batch "{\"via\":\"noinc\",\"args\":[[[\"get_job\",\"$APP\",\"$J3\"],[\"get_job\",\"$APP\",\"$J3\"]]]}"
after=$(stats requests)
check "subrequest: a location without the include raises, naming rtc/ngx/subrequest.conf and \$rtc_url" \
    eval 'jget "$TMP/loc-noinc.json" raised | grep -q "_rtc_noinc.*include .*rtc/ngx/subrequest.conf" &&
          jget "$TMP/loc-noinc.json" raised | grep -qF "\$rtc_url"'
check "subrequest: the location of the README before the include (set \$rtc_url \"\"; rtc.ngx.proxy()) raises, naming the include" \
    eval 'jget "$TMP/loc-old.json" raised | grep -q "_rtc_old.*rtc/ngx/subrequest.conf"'
check "subrequest: the include followed by \`set \$rtc_url \"\";\` raises, naming \$rtc_url" \
    eval 'jget "$TMP/loc-reset.json" raised | grep -qF "\$rtc_url is empty"'
check "subrequest: a batch through a location without the include raises too (not a short list)" \
    eval 'jget "$TMP/loc-batch.json" raised | grep -q "rtc/ngx/subrequest.conf"'
check "subrequest: ... and none of these broken locations sent anything ($before -> $after requests)" \
    eval '[ -n "$before" ] && [ "$before" = "$after" ]'

# ---- each_<item>: rtc.pager's walk, on both ways ------------------------------------------
for i in 1 2 3 4 5; do call "app$i" create_app "{\"args\":[{\"app_name\":\"pager-$i\"}]}"; done
call apps list_apps "{\"args\":[{\"limit\":100}]}"
NAPPS=$(jget "$TMP/apps.json" result.count)
for MODE in pool subrequest; do
    before=$(stats requests)
    call "each-$MODE" each_app "{\"via\":\"$MODE\",\"args\":[{\"limit\":2}]}"
    after=$(stats requests)
    n=$(jget "$TMP/each-$MODE.json" items | "$LUAJIT" -e 'print(#require("cjson").decode(io.read("*a")))')
    check "$MODE: each_app{limit = 2} walks every app ($n of $NAPPS) in ceil($NAPPS/2) calls ($before -> $after)" \
        eval 'jis "$TMP/each-$MODE.json" ok true && [ -n "$NAPPS" ] && [ "$NAPPS" -ge 5 ] && [ "$n" = "$NAPPS" ] &&
              [ $((after - before)) -eq $(( (NAPPS + 1) / 2 )) ] && grep -q "\"app_name\":\"pager-5\"" "$TMP/each-$MODE.json"'
    mockctl POST /_mock/script '{"status": 404, "body": {"error_code": "RTC.00001002", "error_msg": "no such app"}}' >/dev/null
    call "eachbad-$MODE" each_record_rule "{\"via\":\"$MODE\",\"args\":[\"$APP\"]}"
    check "$MODE: each_record_rule answered 404 ends with the call's rtc.error (kind=api, 404)" \
        eval 'jis "$TMP/eachbad-$MODE.json" ok false && jis "$TMP/eachbad-$MODE.json" mt rtc.error &&
              jis "$TMP/eachbad-$MODE.json" err.status 404'
done

# ---- pools: missing, full ----------------------------------------------------------------
call nopool get_job "{\"opts\":{\"pool\":\"nope\"},\"args\":[\"$APP\",\"$J3\"]}"
check "a missing pool raises an error naming the thread_pool directive" \
    eval 'jget "$TMP/nopool.json" raised | grep -q "no thread pool \"nope\" .*add .thread_pool nope threads="'
# three calls while the first is held upstream (3 s, and seen held by the mock before the others
# start): the second waits in the pool's queue, the third finds it full
# three_held NAME OPTS: -> $TMP/NAME{1,2,3}.json
three_held() {
    local i n0 pids=()
    n0=$(stats requests)
    mockctl POST /_mock/script '{"delay": 3}' >/dev/null
    call "${1}1" get_job "{\"opts\":$2,\"args\":[\"$APP\",\"$J3\"]}" &
    pids+=($!)
    for _ in $(seq 400); do [ "$(stats requests)" -gt "$n0" ] 2>/dev/null && break; sleep 0.05; done
    for i in 2 3; do
        call "$1$i" get_job "{\"opts\":$2,\"args\":[\"$APP\",\"$J3\"]}" &
        pids+=($!)
    done
    wait "${pids[@]}"
}
three_held full '{"pool":"tiny","max_pending":2}'
mockctl DELETE /_mock/script >/dev/null
check "a full pool (threads=1 max_queue=1, max_pending=2, 3 calls): one gets kind=transport naming thread_pool" \
    eval 'cat "$TMP"/full?.json | grep -q "\"kind\":\"transport\"" && grep -l "thread_pool tiny" "$TMP"/full?.json | grep -q . &&
          [ "$(grep -l "\"ok\":true" "$TMP"/full?.json | wc -l)" -ge 1 ]'

# ---- the pool's size and the pending count (issue 22) -------------------------------------------
call tinybig get_job "{\"opts\":{\"pool\":\"tiny\",\"max_pending\":1024},\"args\":[\"$APP\",\"$J3\"]}"
check "max_pending above the pool's threads + max_queue (nginx.conf: tiny threads=1 max_queue=1) raises, naming both" \
    eval 'jget "$TMP/tinybig.json" raised | grep -q "threads 1 + max_queue 1"'
three_held tinydef '{"pool":"tiny"}'
mockctl DELETE /_mock/script >/dev/null
check "max_pending's default fits the declared pool (tiny: 2): the third call is refused, the worker lives" \
    eval 'cat "$TMP"/tinydef?.json | grep -q "\"kind\":\"transport\"" && [ "$(grep -l "\"ok\":true" "$TMP"/tinydef?.json | wc -l)" -eq 2 ] &&
          [ "$(curl -s -m 5 "$NG/ping")" = pong ]'
hf=$(curl -s -m 10 -D - -o /dev/null "$NG/hf?app=$APP&job=$J3")
check "a pool call from header_filter raises (worker threads refused there) and gives its place back" \
    eval 'echo "$hf" | grep -qi "^X-Raised: .*cannot run in thread pool" && echo "$hf" | grep -qi "^X-Pending: 0"'
# both calls' answers held past their 2 s deadlines (the first runs, the second waits for the
# thread); their requests end (ngx.exit), so each place is given back only once its task must
# have ended (a new call finding the pool full takes them back): the first's 3 s after it began,
# the second's 3 s after that. So the pool is full for 3 s (ewfull comes well within), and after
# 6.5 s (a lower bound: a busy machine only adds to it) both places are free again.
mockctl POST /_mock/script '{"delay": 60, "times": 2}' >/dev/null
ew1=$(curl -s -m 10 "$NG/exit_wait?app=$APP&job=$J3&deadline=2")
ew2=$(curl -s -m 10 "$NG/exit_wait?app=$APP&job=$J3&deadline=2")
call ewfull get_job "{\"opts\":{\"pool\":\"tiny\"},\"args\":[\"$APP\",\"$J3\"]}"
sleep 6.5
mockctl DELETE /_mock/script >/dev/null
call ewlater get_job "{\"opts\":{\"pool\":\"tiny\",\"deadline\":1},\"args\":[\"$APP\",\"$J3\"]}"
check "requests that end (ngx.exit) while their call waits: full meanwhile, the places come back (not refused forever)" \
    eval '[ "$ew1" = "pending 1" ] && [ "$ew2" = "pending 2" ] && jis "$TMP/ewfull.json" err.kind transport &&
          jis "$TMP/ewlater.json" ok true'
# a wait_job runs for its own timeout (20 s), not its deadline (1 s): its place is kept that long,
# so two calls 8 s later (past the deadline's 2 s by 6, before the 22 s by 14: a loaded machine
# adds tenths) do not overfill the pool (one queues behind it, one is refused)
eww=$(curl -s -m 10 "$NG/exit_wait?app=$APP&job=$J3&wait=20")
sleep 8
pids=()
for i in 1 2; do
    call "ewwait$i" get_job "{\"opts\":{\"pool\":\"tiny\",\"deadline\":1},\"args\":[\"$APP\",\"$J3\"]}" &
    pids+=($!)
    sleep 0.2
done
wait "${pids[@]}"
check "a request that ends while its wait_job waits keeps its place for the wait's timeout: the pool is not overfilled, the worker lives" \
    eval '[ "$eww" = "pending 1" ] && grep -l "thread_pool tiny" "$TMP"/ewwait?.json | grep -q . &&
          [ "$(curl -s -m 5 "$NG/ping")" = pong ]'

# ---- TLS ---------------------------------------------------------------------------------
call tls0 get_job "{\"opts\":{\"endpoint\":\"$TLS\",\"retries\":0},\"args\":[\"$APP\",\"$J3\"]}"
check "pool: self-signed upstream refused by default (kind=transport, about the certificate)" \
    eval 'jis "$TMP/tls0.json" err.kind transport && jget "$TMP/tls0.json" err.message | grep -iq "certificate"'
call tls1 get_job "{\"opts\":{\"endpoint\":\"$TLS\",\"ca_file\":\"$TMP/ca.pem\"},\"args\":[\"$APP\",\"$J3\"]}"
check "pool: accepted with its CA (ca_file)" jis "$TMP/tls1.json" result.job_id "$J3"
call tls2 get_job "{\"via\":\"subrequest\",\"opts\":{\"endpoint\":\"$TLS\",\"retries\":0},\"args\":[\"$APP\",\"$J3\"]}"
check "subrequest: refused by default (proxy_ssl_verify, system CAs) -> kind=transport" \
    eval 'jis "$TMP/tls2.json" err.kind transport && jis "$TMP/tls2.json" mt rtc.error && grep -q "certificate verify" "$ERRLOG"'
call tls3 get_job "{\"via\":\"subrequest_ca\",\"opts\":{\"endpoint\":\"$TLS\"},\"args\":[\"$APP\",\"$J3\"]}"
check "subrequest: accepted with its CA (proxy_ssl_trusted_certificate)" jis "$TMP/tls3.json" result.job_id "$J3"

# ---- AK/SK signing; the parent's headers stay home ---------------------------------------
for MODE in pool subrequest; do
    mockctl POST /_mock/reset >/dev/null
    J4=$(create_job 4)
    call "ak-$MODE" update_job "{\"via\":\"$MODE\",\"opts\":{\"ak\":\"test-ak\",\"sk\":\"test-sk\",\"project_id\":\"test-project\"},\"args\":[\"$APP\",\"$J4\",{\"record_param\":{\"record_rule_id\":\"aksk\"}}]}" \
        -H 'X-Parent-Secret: do-not-forward'
    mockctl GET /_mock/requests >"$TMP/req-$MODE.json"
    check "$MODE: AK/SK-signed update_job accepted by the mock (SDK-HMAC-SHA256, X-Project-Id)" \
        eval 'jis "$TMP/ak-$MODE.json" result.record_param.record_rule_id aksk &&
              grep -q "SDK-HMAC-SHA256 Access=test-ak" "$TMP/req-$MODE.json" &&
              grep -q "\"x-project-id\":\"test-project\"" "$TMP/req-$MODE.json"'
    check "$MODE: the handler's own request headers are not forwarded upstream" \
        eval '! grep -qi "x-parent-secret" "$TMP/req-$MODE.json"'
    call "bad-$MODE" get_job "{\"via\":\"$MODE\",\"opts\":{\"ak\":\"test-ak\",\"sk\":\"wrong-sk\",\"project_id\":\"test-project\"},\"args\":[\"$APP\",\"$J4\"]}"
    check "$MODE: a wrong SK -> rtc.error kind=api status=401" \
        eval 'jis "$TMP/bad-$MODE.json" err.kind api && jis "$TMP/bad-$MODE.json" err.status 401'
done
check "error.log holds no secret (SKs, token) and no Lua error, alert or crash" \
    eval '! grep -E "test-sk|wrong-sk|test-token|runtime error|\[(alert|crit|emerg)\]" "$ERRLOG"'

# ---- join signatures (join_checks.sh) ----------------------------------------------------
join_worked "$NG"
join_checks test "$NG"
# ---- recording events: rtc.ngx.events in content handlers (test_app.events) ---------------
EKEY=0123456789abcdef0123456789abcdef
ETS=1764576000
esign() { # RAND TS BODY -> the signature by openssl (independent of the module)
    printf '%s' "$1$2$3" | openssl dgst -sha256 -hmac "$EKEY" | sed 's/^.*= //'
}
# epost NAME PATH RAND SIGNED-BODY SENT-BODY [CURL-ARGS...] -> $TMP/NAME.json, ECODE
epost() {
    local name=$1 path=$2 rand=$3 signed=$4 sent=$5; shift 5
    ECODE=$(curl -s -m 10 -o "$TMP/$name.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H "X-Rtc-Rand: $rand" -H "X-Rtc-Timestamp: $ETS" -H "X-Rtc-Signature: $(esign "$rand" "$ETS" "$signed")" \
        "$@" --data-binary "$sent" "$NG$path")
}
seen() { curl -s -m 5 "$NG/events_seen?job=$1" >"$TMP/seen.json"; jget "$TMP/seen.json" "$2"; }
EB='{"event_type":"RECORD_FILE_COMPLETE","job_id":"ev-1","download_url":"https://b.obs.cn-north-4.myhuaweicloud.com/r/1.mp4","record_duration":65,"file_size":1048576,"width":1280,"height":720}'
epost e1 /events r1 "$EB" "$EB"
check "events: a signed delivery -> 200 {status:1,result:success}; the handler got the typed event" \
    eval '[ "$ECODE" = 200 ] && jis "$TMP/e1.json" status 1 && jis "$TMP/e1.json" result success &&
          [ "$(seen ev-1 n)" = 1 ] && jis "$TMP/seen.json" event.record_duration 65 &&
          jis "$TMP/seen.json" event.x_rtc.rand r1 && jis "$TMP/seen.json" event.download_url https://b.obs.cn-north-4.myhuaweicloud.com/r/1.mp4'
epost e2 /events r1 "$EB" "$EB"
check "events: the same delivery again (lua_shared_dict dedup) -> 200, the handler not run twice" \
    eval '[ "$ECODE" = 200 ] && jis "$TMP/e2.json" result success && [ "$(seen ev-1 n)" = 1 ]'
epost e3 /events r2 "$EB" "$EB"
check "events: a new X-Rtc-Rand -> the handler runs again" eval '[ "$ECODE" = 200 ] && [ "$(seen ev-1 n)" = 2 ]'
epost e4 /events r3 "$EB" "${EB/65/66}"
check "events: a tampered body -> 401 {result:signature}, handler not run" \
    eval '[ "$ECODE" = 401 ] && jis "$TMP/e4.json" result signature && [ "$(seen ev-1 n)" = 2 ]'
ECODE=$(curl -s -m 10 -o "$TMP/e5.json" -w '%{http_code}' -X POST --data-binary "$EB" "$NG/events")
check "events: no signature headers -> 401 naming X-Rtc-Rand" \
    eval '[ "$ECODE" = 401 ] && jget "$TMP/e5.json" message | grep -q X-Rtc-Rand'
epost e6 /events r4 '[1,2]' '[1,2]'
check "events: a signed body that is not an object -> 400 {result:decode}" \
    eval '[ "$ECODE" = 400 ] && jis "$TMP/e6.json" result decode'
BAD='{"job_id":"ev-2","record_duration":6.5}'
epost e7 /events r5 "$BAD" "$BAD"
check "events: a wrongly typed field -> 400 naming record_duration" \
    eval '[ "$ECODE" = 400 ] && jget "$TMP/e7.json" message | grep -q record_duration && [ "$(seen ev-2 n)" = 0 ]'
ECODE=$(curl -s -m 10 -o /dev/null -D "$TMP/e8.h" -w '%{http_code}' "$NG/events")
check "events: GET -> 405 with Allow: POST" eval '[ "$ECODE" = 405 ] && grep -qi "^Allow: POST" "$TMP/e8.h"'
epost e9 /events_raise r6 "$EB" "$EB"
check "events: a handler that raises -> 500, logged" \
    eval '[ "$ECODE" = 500 ] && grep -q "the handler raised" "$ERRLOG"'
BIG="{\"job_id\":\"ev-big\",\"pad\":\"$(head -c 6000 /dev/zero | tr '\0' x)\"}"
epost e10 /events r7 "$BIG" "$BIG"
check "events: a body past client_body_buffer_size (buffered to a file) -> 200, the handler ran" \
    eval '[ "$ECODE" = 200 ] && [ "$(seen ev-big n)" = 1 ] && [ "$(jget "$TMP/seen.json" event.pad | wc -c)" = 6000 ]'
FB='{"job_id":"ev-file","record_duration":3}'
epost e11 /events_file r8 "$FB" "$FB"
check "events: client_body_in_file_only -> 200, the handler ran" eval '[ "$ECODE" = 200 ] && [ "$(seen ev-file n)" = 1 ]'
ECODE=$(curl -s -m 10 -o "$TMP/e12.json" -w '%{http_code}' -X POST --data-binary '{"job_id":"ev-u"}' "$NG/events_unsigned")
check "events: auth_key false accepts an unsigned callback" eval '[ "$ECODE" = 200 ] && [ "$(seen ev-u n)" = 1 ]'
# the mock's sending side against this receiver: a job created and stopped under an app whose
# callback (with the auth_key) is the /events location
mockctl POST /_mock/reset >/dev/null
curl -sS -m 5 -X PUT -H 'X-Auth-Token: test-token' -H 'Content-Type: application/json' \
    --data-binary "{\"url\":\"$NG/events\",\"auth_key\":\"$EKEY\"}" "$MOCK/v2/apps/$APP/record-callback" >/dev/null
JE=$(create_job ev)
curl -sS -m 5 -X DELETE -H 'X-Auth-Token: test-token' "$MOCK/v2/apps/$APP/individual-stream-jobs/$JE" >/dev/null
for _ in $(seq 100); do
    mockctl GET /_mock/deliveries >"$TMP/deliveries.json"
    grep -q '"state":"pending"' "$TMP/deliveries.json" || break
    sleep 0.1
done
check "events: the mock's deliveries of a stopped job (start, complete, over) reach nginx, signed, all 200" \
    eval '[ "$(grep -o "\"state\":\"delivered\"" "$TMP/deliveries.json" | wc -l)" = 3 ] && [ "$(seen "$JE" n)" = 3 ] &&
          jis "$TMP/seen.json" event.event_type CLOUD_RECORD_SERVER_OVER && jis "$TMP/seen.json" event.job_id "$JE"'
check "events: error.log holds no auth_key" eval '! grep -q "$EKEY" "$ERRLOG"'

# ---- one rate for one nginx: two workers share opts.rate (shared_rate) -------------------
J6=$(create_job 6)
workers_conf() {
    FILL_PREFIX=$TMP FILL_PORT=$PORT FILL_MODULES_DIR=$MODULES_DIR FILL_ROOT=$ROOT FILL_EXAMPLE_DIR=$HERE \
    FILL_RTC_CPATH="$SODIR/?.so" FILL_USER="$USER_LINE" \
        "$LUAJIT" "$TMP/fill.lua" "$HERE/nginx-workers.conf"
}
# go JSON: every worker runs the command; waits for all of them -> $TMP/workers.json
go() {
    local w
    curl -s -m 5 -o /dev/null -X POST --data-binary "$1" "$W/go"
    for _ in $(seq 200); do
        sleep 0.1
        curl -s -m 5 -o "$TMP/workers.json" "$W/result"
        w=0; jget "$TMP/workers.json" w0 >/dev/null && w=$((w + 1)); jget "$TMP/workers.json" w1 >/dev/null && w=$((w + 1))
        [ "$w" = 2 ] && return 0
    done
    return 1
}
if NGINX_ENV="RTC_TEST_APP=$APP RTC_TEST_JOB=$J6" start_conf workers workers_conf; then
    ok "nginx started with 2 workers and lua_shared_dict rtc_rate"
    W=http://127.0.0.1:$PORT
    before=$(stats requests)
    go '{"cmd":"rate","n":5}'
    after=$(stats requests)
    span=$("$LUAJIT" -e 'local t = require("cjson").decode(io.read("*a"))
        print(math.max(t.w0.stop, t.w1.stop) - math.min(t.w0.start, t.w1.start))' <"$TMP/workers.json")
    # each worker alone would take 0.8 s (its 5 calls 1/5 s apart); together 10 slots: >= 1.8 s
    check "pool, 2 workers x 5 calls at once, rate = 5 shared: all 10 ok, $((after - before)) requests, in ${span}s >= 1.6 s" \
        eval 'jis "$TMP/workers.json" w0.ok 5 && jis "$TMP/workers.json" w1.ok 5 && [ $((after - before)) = 10 ] && lt 1.6 "$span"'
    mockctl POST /_mock/script '{"status": 429, "headers": {"Retry-After": "2"}, "body": {"error_code": "APIGW.0308", "error_msg": "too many"}}' >/dev/null
    go '{"cmd":"hold"}'
    mockctl DELETE /_mock/script >/dev/null
    check "a 429 with Retry-After: 2 in worker 0 holds worker 1: its next call ends >= 1.9 s after worker 0's began, then ok ($(jget "$TMP/workers.json" w1.elapsed)s)" \
        eval 'jis "$TMP/workers.json" w0.status 429 && jis "$TMP/workers.json" w0.retry_after 2 &&
              jis "$TMP/workers.json" w1.ok 1 && lt 1.9 "$(jget "$TMP/workers.json" w1.elapsed)"'
    check "the workers' nginx: no Lua error in its error.log" eval '! grep -E "runtime error|\[(alert|crit|emerg)\]" "$TMP/error-workers.log"'
else
    not_ok "nginx started with 2 workers"
fi

# ---- the README's nginx.conf -------------------------------------------------------------
# as its comment says: `make install LUA=luajit PREFIX=<prefix>`, the file saved there, nginx
# started with -p <prefix> -e stderr, no `user` line: as root its workers run as nobody and read
# the module from the prefix (made world-readable like /tmp/rtc-nginx would be)
J5=$(create_job 5)
RPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/rtc-readme.XXXXXX") && chmod 0755 "$RPREFIX"
if make -s -C "$ROOT" install LUA=luajit PREFIX="$RPREFIX" >"$TMP/install.log" 2>&1; then
    ok "make install LUA=luajit PREFIX=<the README nginx's prefix>"
else
    not_ok "make install LUA=luajit PREFIX=$RPREFIX"; cat "$TMP/install.log"
fi
readme_start() {
    local i
    for i in 1 2 3; do
        PORT=$(free_port)
        MODULES_DIR=$MODULES_DIR RPORT=$PORT MOCK_PORT=$MOCK_PORT "$LUAJIT" "$TMP/readme.lua" \
            "$ROOT/README.md" >"$RPREFIX/nginx.conf" || return 1
        if env RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token RTC_WATCH_APP=$APP RTC_WATCH_JOB=$J5 \
                RTC_EVENTS_AUTH_KEY=$EKEY $JOIN_ENV \
                "$NGINX" -p "$RPREFIX" -e stderr -c nginx.conf 2>>"$TMP/error-readme-start.log"; then
            NGINX_PIDS+=("$RPREFIX/nginx.pid")
            for _ in $(seq 50); do
                curl -s -m 1 -o /dev/null "http://127.0.0.1:$PORT/" && return 0
                sleep 0.1
            done
            return 1
        fi
        grep -q 'Address already in use' "$TMP/error-readme-start.log" || return 1
    done
    return 1
}
if readme_start; then
    ok "nginx started with the README's nginx.conf (-p <prefix> -e stderr, no user line)"
    check "README nginx: its pid file is under the prefix" test -s "$RPREFIX/nginx.pid"
    R=http://127.0.0.1:$PORT
    curl -s -m 10 -o "$TMP/rj.json" -w '%{http_code}' "$R/job?app=$APP&job=$J5" >"$TMP/rj.code"
    check "README /job: 200 with the job as JSON" eval '[ "$(cat "$TMP/rj.code")" = 200 ] && jis "$TMP/rj.json" job_id "$J5"'
    curl -s -m 10 -o "$TMP/rn.txt" -w '%{http_code}' "$R/job?app=$APP&job=no-such-job" >"$TMP/rn.code"
    check "README /job of an unknown job: 502 failed: HTTP 404 RTC.00001003 ..." \
        eval '[ "$(cat "$TMP/rn.code")" = 502 ] && grep -q "^failed: HTTP 404 RTC.00001003" "$TMP/rn.txt"'
    curl -s -m 10 -o "$TMP/ra.txt" -w '%{http_code}' "$R/job?app=$APP" >"$TMP/ra.code"
    check "README /job without job=: 400 (the handler's, not a 500)" \
        eval '[ "$(cat "$TMP/ra.code")" = 400 ] && grep -q "^usage:" "$TMP/ra.txt"'
    curl -s -m 10 -o "$TMP/re.txt" -w '%{http_code}' "$R/job?app=$APP&job=" >"$TMP/re.code"
    check "README /job with an empty job=: 400 failed: invalid ..." \
        eval '[ "$(cat "$TMP/re.code")" = 400 ] && grep -q "^failed: invalid" "$TMP/re.txt"'
    for i in 1 2 3; do call "rapp$i" create_app "{\"args\":[{\"app_name\":\"readme-$i\"}]}"; done
    call rapps list_apps "{\"args\":[{\"limit\":100}]}"
    NAPPS=$(jget "$TMP/rapps.json" result.count)
    curl -s -m 10 -o "$TMP/rapps.txt" -w '%{http_code}' "$R/apps" >"$TMP/rapps.code"
    check "README /apps (each_app): 200, one line per app ($(wc -l <"$TMP/rapps.txt") of $NAPPS)" \
        eval '[ "$(cat "$TMP/rapps.code")" = 200 ] && [ "$NAPPS" -ge 4 ] && [ "$(wc -l <"$TMP/rapps.txt")" = "$NAPPS" ]'
    w=
    for _ in $(seq 200); do
        w=$(curl -s -m 5 "$R/watched?job=$J5"); [ "$w" != "-" ] && [ -n "$w" ] && break; sleep 0.1
    done
    check "README timer: the watched job's state is in the shared dict ($w)" eval 'echo "$w" | grep -Eq "^(INIT|RUNNING)$"'
    c0=$(stats connections)
    for i in 1 2 3 4 5 6; do
        curl -s -m 10 -o "$TMP/rs.txt" -w '%{http_code}' -X PUT --data-binary "{\"record_param\":{\"record_rule_id\":\"readme$i\"}}" \
            "$R/job_sub?app=$APP&job=$J5" >"$TMP/rs.code"
    done
    c1=$(stats connections)
    check "README /job_sub (the subrequest way): 200, the job updated" \
        eval '[ "$(cat "$TMP/rs.code")" = 200 ] && grep -qx "$J5" "$TMP/rs.txt" &&
              [ "$(mockctl GET /_mock/jobs | "$LUAJIT" -e "local t = require(\"cjson\").decode(io.read(\"*a\"))
                   print(t[\"$APP\"][\"$J5\"].record_param.record_rule_id)")" = readme6 ]'
    join_checks readme "$R"
    ETS=$(date +%s) # the README's receiver keeps the default max_age (300 s)
    RB="{\"event_type\":\"RECORD_FILE_COMPLETE\",\"job_id\":\"$J5\",\"download_url\":\"https://b.obs.cn-north-4.myhuaweicloud.com/r/readme.m3u8\",\"record_duration\":5}"
    ECODE=$(curl -s -m 10 -o "$TMP/re.json" -w '%{http_code}' -X POST -H "X-Rtc-Rand: rr1" -H "X-Rtc-Timestamp: $ETS" \
        -H "X-Rtc-Signature: $(esign rr1 "$ETS" "$RB")" --data-binary "$RB" "$R/rtc-events")
    check "README /rtc-events: a signed RECORD_FILE_COMPLETE -> 200, the handler logged where the file is" \
        eval '[ "$ECODE" = 200 ] && jis "$TMP/re.json" result success && grep -q "recorded $J5: https://b.obs.cn-north-4.myhuaweicloud.com/r/readme.m3u8" "$RPREFIX/error.log"'
    ETS=1764576000
    ECODE=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST -H "X-Rtc-Rand: rr2" -H "X-Rtc-Timestamp: $ETS" \
        -H "X-Rtc-Signature: $(esign rr2 "$ETS" "$RB")" --data-binary "$RB" "$R/rtc-events")
    # (without keepalive: 6; one more is allowed for the timer's pool thread meanwhile)
    check "README /job_sub: 6 calls through upstream rtc_api (keepalive) open at most 2 connections ($c0 -> $c1)" \
        eval '[ -n "$c0" ] && [ -n "$c1" ] && [ $((c1 - c0)) -le 2 ]'
    check "README nginx: no Lua error in its error.log" eval '! grep -E "runtime error|\[(alert|crit|emerg)\]" "$RPREFIX/error.log"'
else
    not_ok "nginx started with the README's nginx.conf"; cat "$TMP/error-readme-start.log" "$RPREFIX/error.log" 2>/dev/null | tail -20
fi

# ---- cli_style.lua: the blocking path outside nginx --------------------------------------
if RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token LUA_CPATH="$SODIR/?.so;;" \
        "$LUAJIT" "$HERE/cli_style.lua" "$APP" "$J5" rtmp://cli.example.com/live/s >"$TMP/cli.json" 2>"$TMP/cli.err"; then
    check "cli_style.lua (luajit, blocking libcurl) prints the updated job" \
        eval 'jis "$TMP/cli.json" job_id "$J5" && jis "$TMP/cli.json" publish_param.rtmp_urls.1 rtmp://cli.example.com/live/s'
else
    not_ok "cli_style.lua exited 0: $(cat "$TMP/cli.err")"
fi

finish
