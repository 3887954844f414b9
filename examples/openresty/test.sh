#!/bin/bash
# shellcheck disable=SC2034  # variables are read inside the eval'd check strings
# examples/openresty/test.sh -- `make test-openresty`
#
# A real nginx (1 worker, Debian's lua module, the LuaJIT build of rtc.so) against the mock, every
# call through rtc.ngx (test_app.lua answers JSON about what came back), checked with curl:
#   - every operation from a content handler and from an ngx.timer callback (the thread pool),
#     and from a content handler through the subrequest way: jobs and errors with their fields,
#     metatables and tostring
#   - the worker keeps answering while a call waits 1.5 s upstream (and, as a control, a
#     blocking call in a handler does stall it)
#   - retries with Retry-After, failover, the deadline, a batch of 100, a missing and a full
#     pool, options that cannot cross to the threads
#   - TLS: a self-signed upstream refused by default, accepted with its CA (both ways)
#   - AK/SK signing verified by the mock (both ways); no secret in error.log
#   - the README's nginx.conf, as it is written there
# Works from a checkout the nginx worker user cannot read (a 0700 directory): as root the test
# nginx runs its workers as root (`user root;`), otherwise as the invoking user anyway.
# Prints "N passed, N failed"; exits non-zero on any failure.
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
testlib_on_exit() { local f; for f in "${NGINX_PIDS[@]}"; do stop_nginx "$f"; done; }

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
# readme.lua README: the README's OpenResty nginx.conf, pointed at this checkout and this test
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
sub("/usr/lib/nginx/modules/", e("MODULES_DIR") .. "/")
sub('"/usr/local/share/lua/5.1/?.lua;;"', '"' .. e("ROOT") .. '/?.lua;;"')
sub('"/usr/local/lib/lua/5.1/?.so;;"', '"' .. e("SODIR") .. '/?.so;;"')
sub("listen 8080;", "listen 127.0.0.1:" .. e("RPORT") .. ";")
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
# slow_start NAME CURL-ARGS...: the mock holds its next API answer 1.5 s; the request runs in the
# background; returns once the mock holds it (so what follows is measured while it waits)
slow_start() {
    SLOW_NAME=$1; shift
    mockctl POST /_mock/script '{"delay": 1.5}' >/dev/null
    ( out=$(curl -s -m 30 -o "$TMP/$SLOW_NAME.json" -w '%{http_code} %{time_total}' "$@")
      echo "$out $(date +%s.%N)" >"$TMP/$SLOW_NAME.res" ) &
    SLOW_PID=$!
    for _ in $(seq 100); do [ "$(stats in_flight)" -ge 1 ] 2>/dev/null && return 0; sleep 0.05; done
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
    FAST_TIME=$TIME; t_fast=$(date +%s.%N)
    ping
    slow_wait
    echo "     $MODE: slow get_job ${SLOW_TIME}s; meanwhile get_job ${FAST_TIME}s, /ping ${PING_TIME}s"
    check "$MODE: while a call waits 1.5 s upstream, /ping answers in < 0.5 s (and < a third of it)" \
        eval '[ "$PING_CODE" = 200 ] && lt "$PING_TIME" 0.5 && lt "$PING_TIME" "$SLOW_TIME / 3"'
    check "$MODE: ... and another get_job on the same worker answers in < 0.5 s, before the slow one" \
        eval 'jis "$TMP/fast-$MODE.json" result.job_id "$J2" && lt "$FAST_TIME" 0.5 && lt "$t_fast" "$SLOW_END"'
    check "$MODE: the slow call still succeeds after >= 1.4 s" \
        eval 'jis "$TMP/slow-$MODE.json" result.job_id "$J2" && lt 1.4 "$SLOW_TIME"'
done
slow_start blocking "$NG/blocking?app_id=$APP&job_id=$J2"
ping
slow_wait
echo "     control: with rtc's blocking call in a handler, /ping took ${PING_TIME}s"
check "control: a blocking get_job in a handler stalls /ping (>= 1 s): the measure works" \
    eval '[ "$SLOW_CODE" = 200 ] && lt 1.0 "$PING_TIME"'

# ---- retries, failover, deadline, batch --------------------------------------------------
DEAD=$(free_port)
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
done
mockctl POST /_mock/script '{"delay": 3, "times": 3}' >/dev/null
call dl get_job "{\"opts\":{\"deadline\":1,\"timeout\":5,\"retries\":2},\"args\":[\"$APP\",\"$J3\"]}"
mockctl DELETE /_mock/script >/dev/null
check "pool: deadline 1 s against a 3 s upstream -> rtc.error kind=timeout in < 2.5 s" \
    eval 'jis "$TMP/dl.json" err.kind timeout && jis "$TMP/dl.json" mt rtc.error && lt "$(jget "$TMP/dl.json" elapsed)" 2.5'

# ---- pools: missing, full ----------------------------------------------------------------
call nopool get_job "{\"opts\":{\"pool\":\"nope\"},\"args\":[\"$APP\",\"$J3\"]}"
check "a missing pool raises an error naming the thread_pool directive" \
    eval 'jget "$TMP/nopool.json" raised | grep -q "no thread pool \"nope\" .*add .thread_pool nope threads="'
mockctl POST /_mock/script '{"delay": 1, "times": 3}' >/dev/null
pids=()
for i in 1 2 3; do
    call "full$i" get_job "{\"opts\":{\"pool\":\"tiny\",\"max_pending\":2},\"args\":[\"$APP\",\"$J3\"]}" &
    pids+=($!)
    sleep 0.2
done
wait "${pids[@]}"
mockctl DELETE /_mock/script >/dev/null
check "a full pool (threads=1 max_queue=1, max_pending=2, 3 calls): one gets kind=transport naming thread_pool" \
    eval 'cat "$TMP"/full?.json | grep -q "\"kind\":\"transport\"" && grep -l "thread_pool tiny" "$TMP"/full?.json | grep -q . &&
          [ "$(grep -l "\"ok\":true" "$TMP"/full?.json | wc -l)" -ge 1 ]'

# ---- the pool's size and the pending count (issue 22) -------------------------------------------
call tinybig get_job "{\"opts\":{\"pool\":\"tiny\",\"max_pending\":1024},\"args\":[\"$APP\",\"$J3\"]}"
check "max_pending above the pool's threads + max_queue (nginx.conf: tiny threads=1 max_queue=1) raises, naming both" \
    eval 'jget "$TMP/tinybig.json" raised | grep -q "threads 1 + max_queue 1"'
mockctl POST /_mock/script '{"delay": 1, "times": 3}' >/dev/null
pids=()
for i in 1 2 3; do
    call "tinydef$i" get_job "{\"opts\":{\"pool\":\"tiny\"},\"args\":[\"$APP\",\"$J3\"]}" &
    pids+=($!)
    sleep 0.2
done
wait "${pids[@]}"
mockctl DELETE /_mock/script >/dev/null
check "max_pending's default fits the declared pool (tiny: 2): the third call is refused, the worker lives" \
    eval 'cat "$TMP"/tinydef?.json | grep -q "\"kind\":\"transport\"" && [ "$(grep -l "\"ok\":true" "$TMP"/tinydef?.json | wc -l)" -eq 2 ] &&
          [ "$(curl -s -m 5 "$NG/ping")" = pong ]'
hf=$(curl -s -m 10 -D - -o /dev/null "$NG/hf?app=$APP&job=$J3")
check "a pool call from header_filter raises (worker threads refused there) and gives its place back" \
    eval 'echo "$hf" | grep -qi "^X-Raised: .*cannot run in thread pool" && echo "$hf" | grep -qi "^X-Pending: 0"'
mockctl POST /_mock/script '{"delay": 3, "times": 2}' >/dev/null
ew1=$(curl -s -m 10 "$NG/exit_wait?app=$APP&job=$J3")
ew2=$(curl -s -m 10 "$NG/exit_wait?app=$APP&job=$J3")
call ewfull get_job "{\"opts\":{\"pool\":\"tiny\"},\"args\":[\"$APP\",\"$J3\"]}"
sleep 7
mockctl DELETE /_mock/script >/dev/null
call ewlater get_job "{\"opts\":{\"pool\":\"tiny\",\"deadline\":1},\"args\":[\"$APP\",\"$J3\"]}"
check "requests that end (ngx.exit) while their call waits: full meanwhile, the places come back (not refused forever)" \
    eval '[ "$ew1" = "pending 1" ] && [ "$ew2" = "pending 2" ] && jis "$TMP/ewfull.json" err.kind transport &&
          jis "$TMP/ewlater.json" ok true'
# a wait_job runs for its own timeout (20 s), not its deadline (1 s): its place is kept that long,
# so two calls 8 s later do not overfill the pool (one queues behind it, one is refused)
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

# ---- the README's nginx.conf -------------------------------------------------------------
J5=$(create_job 5)
readme_conf() {
    MODULES_DIR=$MODULES_DIR ROOT=$ROOT SODIR=$SODIR RPORT=$PORT "$LUAJIT" "$TMP/readme.lua" "$ROOT/README.md"
    [ -n "$USER_LINE" ] && echo "$USER_LINE"
}
if NGINX_ENV="RTC_WATCH_APP=$APP RTC_WATCH_JOB=$J5 $JOIN_ENV" start_conf readme readme_conf; then
    ok "nginx started with the README's nginx.conf"
    R=http://127.0.0.1:$PORT
    curl -s -m 10 -o "$TMP/rj.json" -w '%{http_code}' "$R/job?app=$APP&job=$J5" >"$TMP/rj.code"
    check "README /job: 200 with the job as JSON" eval '[ "$(cat "$TMP/rj.code")" = 200 ] && jis "$TMP/rj.json" job_id "$J5"'
    curl -s -m 10 -o "$TMP/rn.txt" -w '%{http_code}' "$R/job?app=$APP&job=no-such-job" >"$TMP/rn.code"
    check "README /job of an unknown job: 502 HTTP 404 RTC.00001003 ..." \
        eval '[ "$(cat "$TMP/rn.code")" = 502 ] && grep -q "^HTTP 404 RTC.00001003" "$TMP/rn.txt"'
    w=
    for _ in $(seq 50); do
        w=$(curl -s -m 5 "$R/watched?job=$J5"); [ "$w" != "-" ] && [ -n "$w" ] && break; sleep 0.1
    done
    check "README timer: the watched job's state is in the shared dict ($w)" eval 'echo "$w" | grep -Eq "^(INIT|RUNNING)$"'
    curl -s -m 10 -o "$TMP/rs.txt" -w '%{http_code}' -X PUT --data-binary '{"record_param":{"record_rule_id":"readme"}}' \
        "$R/job_sub?app=$APP&job=$J5" >"$TMP/rs.code"
    check "README /job_sub (the subrequest way): 200, the job updated" \
        eval '[ "$(cat "$TMP/rs.code")" = 200 ] && grep -qx "$J5" "$TMP/rs.txt" &&
              [ "$(mockctl GET /_mock/jobs | "$LUAJIT" -e "local t = require(\"cjson\").decode(io.read(\"*a\"))
                   print(t[\"$APP\"][\"$J5\"].record_param.record_rule_id)")" = readme ]'
    join_checks readme "$R"
    check "README nginx: no Lua error in its error.log" eval '! grep -E "runtime error|\[(alert|crit|emerg)\]" "$TMP/error-readme.log"'
else
    not_ok "nginx started with the README's nginx.conf"
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
