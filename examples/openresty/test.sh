#!/bin/bash
# shellcheck disable=SC2034  # variables are read inside the eval'd check strings
# examples/openresty/test.sh -- `make test-openresty`
#
# Runs the OpenResty example for real: builds the LuaJIT module, starts the mock
# (mock/server.lua) and an nginx (1 worker) with the lua module, and checks with curl:
#   - the cosocket handler (/update) updates a job; errors come back as JSON
#   - the blocking libcurl call in init_by_lua worked (/startup); cli_style.lua works
#   - while one /update waits 1.5 s for the upstream, the worker serves other requests
#     (and, as a control, a blocking call in a handler does stall it)
#   - AK/SK signing survives the trip through the cosocket (Host header etc.)
# Prints "N passed, N failed"; exits non-zero on any failure.
#
# Environment: RTC_MOCK_LUA (lua5.4), LUAJIT (luajit), NGINX (nginx),
#   NGINX_MODULES_DIR (/usr/lib/nginx/modules), RTC_LUAJIT_SO (built by make LUA=luajit),
#   KEEP_TMP=1 keeps the temporary directory.

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
NGINX_UP=

stop_nginx() {
    [ -n "$NGINX_UP" ] || return 0
    local pid
    pid=$(cat "$TMP/nginx.pid" 2>/dev/null)
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
    NGINX_UP=
}
# shellcheck disable=SC2317  # run by testlib_cleanup at exit
testlib_on_exit() { stop_nginx; }

# ---- tools -------------------------------------------------------------------------------
for tool in "$NGINX" "$LUAJIT" "$MOCK_LUA" curl make; do
    if ! command -v "$tool" >/dev/null 2>&1; then not_ok "tool $tool is installed"; finish; fi
done
if [ ! -f "$MODULES_DIR/ngx_http_lua_module.so" ] || [ ! -f "$MODULES_DIR/ndk_http_module.so" ]; then
    not_ok "nginx lua module and NDK in $MODULES_DIR"; finish
fi

# JSON field of a file: jget FILE a.b.1.c  (LuaJIT + cjson, as inside nginx)
cat > "$TMP/jget.lua" <<'EOF'
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
EOF
# fill.lua TEMPLATE PREFIX PORT MODULES_DIR EXAMPLE_DIR RTC_CPATH: the nginx.conf template filled in
cat > "$TMP/fill.lua" <<'EOF'
local f = assert(io.open(arg[1], "rb")); local s = f:read("*a"); f:close()
local sub = { PREFIX = arg[2], PORT = arg[3], MODULES_DIR = arg[4],
              EXAMPLE_DIR = arg[5], RTC_CPATH = arg[6] }
s = s:gsub("\n[ \t]*# @EXTRA_SERVER@[^\n]*", function() return "\n" .. (os.getenv("EXTRA") or "") end)
s = s:gsub("@(%u[%u_]*)@", function(k) return sub[k] end)
io.write(s)
EOF
jget() { "$LUAJIT" "$TMP/jget.lua" "$1" "$2"; }
# jis FILE PATH EXPECTED
jis() { [ "$(jget "$1" "$2")" = "$3" ]; }

# ---- the LuaJIT build of the module ------------------------------------------------------
if [ -z "${RTC_LUAJIT_SO:-}" ]; then
    if make -C "$ROOT" LUA=luajit >"$TMP/make.log" 2>&1; then
        ok "make LUA=luajit"
    else
        not_ok "make LUA=luajit"; tail -n 30 "$TMP/make.log"; finish
    fi
fi
check "LuaJIT module at ${SO#$ROOT/}" test -f "$SO"
SODIR=$(dirname "$SO")
check "rtc.so loads in $LUAJIT" "$LUAJIT" -e "package.cpath='$SODIR/?.so;'..package.cpath
  local rtc = require 'rtc'; assert(type(rtc.new) == 'function' and rtc._VERSION)"
[ "$fail" -eq 0 ] || finish

# ---- the mock ----------------------------------------------------------------------------
start_mock
APP=app-openresty

create_job() { # SUFFIX -> job id
    mock_create_job "$APP" "$1" >"$TMP/create.json" && jget "$TMP/create.json" job_id
}
J1=$(create_job 1); J2=$(create_job 2); J3=$(create_job 3)
if [ -z "$J1" ] || [ -z "$J2" ] || [ -z "$J3" ]; then not_ok "jobs created in the mock"; finish; fi
ok "jobs $J1 $J2 $J3 created in the mock"

# ---- nginx -------------------------------------------------------------------------------
free_port() {
    "$MOCK_LUA" -e 'local s = assert(require("socket").bind("127.0.0.1", 0))
        local _, p = s:getsockname(); s:close(); print(p)'
}

# config from the template; the extra server holds the test-only "blocking" control
write_conf() { # PORT PORT2
    local extra="server {
        listen 127.0.0.1:$2;
        # TEST ONLY, the anti-pattern: a blocking libcurl call in a request handler
        location = /update_blocking {
            content_by_lua_block {
                local h = require(\"handler\")
                local args = ngx.req.get_uri_args()
                local job, err = h.client():update_job(args.app_id, args.job_id,
                    { record_param = { record_rule_id = \"blocking\" } })
                ngx.say(job and \"ok\" or tostring(err))
            }
        }
    }"
    mkdir -p "$TMP/tmp"
    EXTRA="$extra" "$LUAJIT" "$TMP/fill.lua" "$HERE/nginx.conf" "$TMP" "$1" "$MODULES_DIR" "$HERE" \
        "$SODIR/?.so" >"$TMP/nginx.conf"
}

start_nginx() { # env assignments for nginx...
    local i
    for i in 1 2 3; do
        PORT=$(free_port); PORT2=$(free_port)
        write_conf "$PORT" "$PORT2"
        : >"$TMP/error.log"
        if env -u RTC_ENDPOINT -u RTC_AUTH_TOKEN -u HUAWEICLOUD_SDK_AK -u HUAWEICLOUD_SDK_SK \
                -u HUAWEICLOUD_SDK_PROJECT_ID -u HUAWEICLOUD_SDK_SECURITY_TOKEN \
                -u RTC_STARTUP_APP_ID -u RTC_STARTUP_JOB_ID "$@" "$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error.log" 2>>"$TMP/error.log"; then
            NGINX_UP=1
            NG=http://127.0.0.1:$PORT
            NG2=http://127.0.0.1:$PORT2
            for _ in $(seq 50); do
                curl -s -m 1 -o /dev/null "$NG/ping" && return 0
                sleep 0.1
            done
            return 1
        fi
        grep -q 'Address already in use' "$TMP/error.log" || return 1
    done
    return 1
}

write_conf 1 2
check "nginx -t accepts the configuration" \
    "$NGINX" -t -q -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error-t.log"

if start_nginx RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token \
        RTC_STARTUP_APP_ID="$APP" RTC_STARTUP_JOB_ID="$J1"; then
    ok "nginx started (1 worker) on $NG"
else
    not_ok "nginx started"; finish
fi

# req NAME METHOD URL [BODY] -> sets CODE, TIME; body in $TMP/NAME.json
req() {
    local out
    out=$(curl -s -m 20 -o "$TMP/$1.json" -w '%{http_code} %{time_total}' -X "$2" \
        -H 'Content-Type: application/json' ${4:+--data-binary "$4"} "$3")
    CODE=${out%% *}; TIME=${out#* }
}

# ---- the blocking call in init_by_lua ----------------------------------------------------
req startup GET "$NG/startup"
check "init_by_lua get_job (blocking, before the fork): 200 with the job" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/startup.json" job.job_id "$J1" && jis "$TMP/startup.json" ok true'

# ---- the cosocket handler ----------------------------------------------------------------
mockctl POST /_mock/config '{"delay_all": 0}' >/dev/null
URL1="rtmp://live.example.com/app/stream-1"
req upd1 PUT "$NG/update?app_id=$APP&job_id=$J1" "{\"publish_param\":{\"rtmp_urls\":[\"$URL1\"]}}"
check "PUT /update: 200 with the updated job" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/upd1.json" job_id "$J1" &&
          jis "$TMP/upd1.json" publish_param.rtmp_urls.1 "$URL1" && jis "$TMP/upd1.json" app_id "$APP"'
mockctl GET /_mock/requests >"$TMP/requests.json"
check "the mock got PUT .../individual-stream-jobs/$J1 with X-Auth-Token" \
    eval 'grep -q "\"method\":\"PUT\"" "$TMP/requests.json" &&
          grep -q "\"x-auth-token\":\"test-token\"" "$TMP/requests.json" &&
          grep -q "/v2/apps/$APP/individual-stream-jobs/$J1" "$TMP/requests.json"'

req upd_rule POST "$NG/update?app_id=$APP&job_id=$J1" '{"record_param":{"record_rule_id":"rule-2"}}'
check "POST /update with record_param: 200, record_rule_id changed" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/upd_rule.json" record_param.record_rule_id rule-2'

req nojob PUT "$NG/update?app_id=$APP&job_id=no-such-job" "{\"publish_param\":{\"rtmp_urls\":[\"$URL1\"]}}"
check "unknown job: 502 + JSON error {kind=api, status=404, code=RTC.00001003, request_id}" \
    eval '[ "$CODE" = 502 ] && jis "$TMP/nojob.json" kind api && jis "$TMP/nojob.json" status 404 &&
          jis "$TMP/nojob.json" code RTC.00001003 && [ -n "$(jget "$TMP/nojob.json" request_id)" ]'

mockctl POST /_mock/script '{"status": 500, "body": {"error_code": "RTC.00002001", "error_msg": "InternalError"}, "times": 10}' >/dev/null
req e500 PUT "$NG/update?app_id=$APP&job_id=$J1" "{\"publish_param\":{\"rtmp_urls\":[\"$URL1\"]}}"
mockctl DELETE /_mock/script >/dev/null
check "upstream 500: 502 + JSON error {kind=api, status=500, code=RTC.00002001}" \
    eval '[ "$CODE" = 502 ] && jis "$TMP/e500.json" kind api && jis "$TMP/e500.json" status 500 &&
          jis "$TMP/e500.json" code RTC.00002001'

mockctl POST /_mock/reset >/dev/null   # request log only; jobs too -- recreate below
J1=$(create_job 1); J2=$(create_job 2); J3=$(create_job 3)
before=$(mockctl GET /_mock/stats >"$TMP/s0.json"; jget "$TMP/s0.json" requests)
req bad PUT "$NG/update?app_id=$APP&job_id=$J1" '{"publish_param":{"rtmp_urls":["http://not-rtmp"]}}'
after=$(mockctl GET /_mock/stats >"$TMP/s1.json"; jget "$TMP/s1.json" requests)
check "invalid params: 400 + JSON {kind=invalid, message}, nothing sent upstream" \
    eval '[ "$CODE" = 400 ] && jis "$TMP/bad.json" kind invalid && [ "$before" = "$after" ] &&
          jget "$TMP/bad.json" message | grep -q "^publish_param.rtmp_urls\[1\]: expected an rtmp"'
check "invalid params: err.field is the offending path (publish_param.rtmp_urls[1])" \
    eval 'jis "$TMP/bad.json" field "publish_param.rtmp_urls[1]" ||
          { echo "     err.field = $(jget "$TMP/bad.json" field)"; false; }'

req nobody PUT "$NG/update?app_id=$APP&job_id=$J1" 'not json'
check "request body that is not JSON: 400" eval '[ "$CODE" = 400 ] && jis "$TMP/nobody.json" kind invalid'

req get GET "$NG/job?app_id=$APP&job_id=$J1"
check "GET /job (get_job through the cosocket): 200 with the job" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/get.json" job_id "$J1" && jget "$TMP/get.json" state | grep -Eq "^(INIT|RUNNING)$"'
req stop DELETE "$NG/job?app_id=$APP&job_id=$J1"
check "DELETE /job (stop_job, upstream 204 without a body): 200 {request_id}" \
    eval '[ "$CODE" = 200 ] && [ -n "$(jget "$TMP/stop.json" request_id)" ]'
req stopped PUT "$NG/update?app_id=$APP&job_id=$J1" '{"record_param":{"record_rule_id":"late"}}'
check "update of the stopped job: 502 + JSON {kind=api, code=RTC.00001009}" \
    eval '[ "$CODE" = 502 ] && jis "$TMP/stopped.json" kind api && jis "$TMP/stopped.json" code RTC.00001009'

# keep-alive: a burst of updates over pooled upstream connections
mockctl POST /_mock/reset >/dev/null
J1=$(create_job 1); J2=$(create_job 2); J3=$(create_job 3)
s0=$(mockctl GET /_mock/stats >"$TMP/k0.json"; jget "$TMP/k0.json" accepted)
allok=1
for i in 1 2 3 4 5 6; do
    req ka PUT "$NG/update?app_id=$APP&job_id=$J2" "{\"publish_param\":{\"rtmp_urls\":[\"rtmp://x/live/$i\"]}}"
    [ "$CODE" = 200 ] || allok=
done
s1=$(mockctl GET /_mock/stats >"$TMP/k1.json"; jget "$TMP/k1.json" accepted)
check "6 sequential updates all 200" test -n "$allok"
check "upstream keep-alive: 6 updates used $((s1 - s0)) new connection(s) (<= 1)" \
    test "$((s1 - s0))" -le 1

# stale pooled connection: the mock closes after answering; the next call must still work
mockctl POST /_mock/script '{"close": true}' >/dev/null
req close1 PUT "$NG/update?app_id=$APP&job_id=$J2" '{"record_param":{"record_rule_id":"c1"}}'
req close2 PUT "$NG/update?app_id=$APP&job_id=$J2" '{"record_param":{"record_rule_id":"c2"}}'
check "upstream 'Connection: close' then the next update: both 200" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/close1.json" record_param.record_rule_id c1 &&
          jis "$TMP/close2.json" record_param.record_rule_id c2'

mockctl POST /_mock/script '{"raw": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nX-request-Id: chunky\r\n\r\n10\r\n{\"job_id\":\"chunk\r\n6\r\ned\",\"x\r\n4\r\n\":1}\r\n0\r\n\r\n"}' >/dev/null
req chunk PUT "$NG/update?app_id=$APP&job_id=$J2" '{"record_param":{"record_rule_id":"c3"}}'
check "chunked upstream answer decoded (job_id=chunked)" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/chunk.json" job_id chunked'

# ---- the worker is never blocked ---------------------------------------------------------
# slow_start NAME METHOD URL [BODY]: the mock holds its next answer 1.5 s; req runs in the
# background, and slow_start returns 0.3 s later, when that request waits for the mock.
# slow_wait: waits for it; sets SLOW_CODE, SLOW_TIME and SLOW_END (when it finished, epoch s).
slow_start() {
    SLOW_NAME=$1
    mockctl POST /_mock/script '{"delay": 1.5}' >/dev/null
    ( req "$@"; echo "$CODE $TIME $(date +%s.%N)" >"$TMP/$SLOW_NAME.res" ) &
    SLOW_PID=$!
    sleep 0.3
}
slow_wait() {
    wait "$SLOW_PID"
    read -r SLOW_CODE SLOW_TIME SLOW_END <"$TMP/$SLOW_NAME.res"
}

slow_start slow PUT "$NG/update?app_id=$APP&job_id=$J1" '{"record_param":{"record_rule_id":"slow"}}'
req fast PUT "$NG/update?app_id=$APP&job_id=$J3" '{"record_param":{"record_rule_id":"fast"}}'
FAST_CODE=$CODE FAST_TIME=$TIME
t_fast=$(date +%s.%N)
req ping GET "$NG/ping"
PING_CODE=$CODE PING_TIME=$TIME
slow_wait
echo "     slow update ${SLOW_TIME}s, concurrent update ${FAST_TIME}s, ping ${PING_TIME}s"
check "request 2 (update, same worker) served while request 1 waits: 200 in < 0.5 s" \
    eval '[ "$FAST_CODE" = 200 ] && awk "BEGIN{exit !($FAST_TIME < 0.5)}" &&
          jis "$TMP/fast.json" record_param.record_rule_id fast'
check "request 2 completed before request 1" awk "BEGIN{exit !($t_fast < $SLOW_END)}"
check "/ping during the slow call: 200 in < 0.5 s" \
    eval '[ "$PING_CODE" = 200 ] && awk "BEGIN{exit !($PING_TIME < 0.5)}"'
check "request 1 (delayed 1.5 s upstream) still succeeds: 200 after >= 1.4 s" \
    eval '[ "$SLOW_CODE" = 200 ] && awk "BEGIN{exit !($SLOW_TIME >= 1.4)}" &&
          jis "$TMP/slow.json" record_param.record_rule_id slow'

# the blocking libcurl API in a pool thread (ngx.run_worker_thread) does not block either
req thr PUT "$NG/update_thread?app_id=$APP&job_id=$J3" '{"publish_param":{"rtmp_urls":["rtmp://thread/live/s"]}}'
check "PUT /update_thread (libcurl in a pool thread): 200 with the updated job" \
    eval '[ "$CODE" = 200 ] && jis "$TMP/thr.json" job_id "$J3" &&
          jis "$TMP/thr.json" publish_param.rtmp_urls.1 rtmp://thread/live/s'
req thr404 PUT "$NG/update_thread?app_id=$APP&job_id=no-such-job" '{"record_param":{"record_rule_id":"x"}}'
check "/update_thread on an unknown job: 502 + JSON {kind=api, status=404}" \
    eval '[ "$CODE" = 502 ] && jis "$TMP/thr404.json" kind api && jis "$TMP/thr404.json" status 404'
slow_start thrslow PUT "$NG/update_thread?app_id=$APP&job_id=$J3" '{"record_param":{"record_rule_id":"tslow"}}'
req ping3 GET "$NG/ping"
slow_wait
echo "     slow /update_thread ${SLOW_TIME}s, concurrent ping ${TIME}s"
check "/ping while /update_thread waits 1.5 s upstream: < 0.5 s; the slow call still 200" \
    eval '[ "$CODE" = 200 ] && awk "BEGIN{exit !($TIME < 0.5)}" && [ "$SLOW_CODE" = 200 ] &&
          awk "BEGIN{exit !($SLOW_TIME >= 1.4)}"'

# control: the same measurement catches a blocking call in a handler
slow_start blk GET "$NG2/update_blocking?app_id=$APP&job_id=$J1"
req ping2 GET "$NG/ping"
slow_wait
echo "     with a blocking libcurl call in a handler, /ping took ${TIME}s"
check "control: a blocking client:update_job in a handler stalls /ping (>= 1 s)" \
    eval '[ "$SLOW_CODE" = 200 ] && awk "BEGIN{exit !($TIME >= 1.0)}"'

# ---- cli_style.lua: the blocking path outside nginx --------------------------------------
if RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token LUA_CPATH="$SODIR/?.so;;" \
        "$LUAJIT" "$HERE/cli_style.lua" "$APP" "$J3" rtmp://cli.example.com/live/s >"$TMP/cli.json" 2>"$TMP/cli.err"; then
    check "cli_style.lua (luajit, blocking libcurl) prints the updated job" \
        eval 'jis "$TMP/cli.json" job_id "$J3" && jis "$TMP/cli.json" publish_param.rtmp_urls.1 rtmp://cli.example.com/live/s'
else
    not_ok "cli_style.lua exited 0: $(cat "$TMP/cli.err")"
fi
RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token LUA_CPATH="$SODIR/?.so;;" \
    "$LUAJIT" "$HERE/cli_style.lua" "$APP" nope rtmp://cli.example.com/live/s >/dev/null 2>"$TMP/cli.err"
rc=$?
check "cli_style.lua on an unknown job: exit 1, 'RTC.00001003' on stderr" \
    eval '[ $rc = 1 ] && grep -q "RTC.00001003" "$TMP/cli.err"'

check "nginx error.log has no [error]/[crit]/[alert]/[emerg] lines" \
    eval '! grep -E "\[(error|crit|alert|emerg)\]" "$TMP/error.log"'

# ---- AK/SK signing through the cosocket --------------------------------------------------
stop_nginx
if start_nginx RTC_ENDPOINT="$MOCK" HUAWEICLOUD_SDK_AK=test-ak HUAWEICLOUD_SDK_SK=test-sk \
        HUAWEICLOUD_SDK_PROJECT_ID=test-project; then
    ok "nginx restarted with AK/SK credentials"
    req aksk PUT "$NG/update?app_id=$APP&job_id=$J2" '{"publish_param":{"rtmp_urls":["rtmp://aksk/live/s"]}}'
    check "AK/SK-signed update through the cosocket: 200" \
        eval '[ "$CODE" = 200 ] && jis "$TMP/aksk.json" publish_param.rtmp_urls.1 rtmp://aksk/live/s'
    mockctl GET /_mock/requests >"$TMP/requests.json"
    check "the mock saw Authorization: SDK-HMAC-SHA256 and X-Project-Id" \
        eval 'grep -q "SDK-HMAC-SHA256 Access=test-ak" "$TMP/requests.json" &&
              grep -q "\"x-project-id\":\"test-project\"" "$TMP/requests.json"'
    req startup2 GET "$NG/startup"
    check "/startup without RTC_STARTUP_* ids: 404" test "$CODE" = 404
else
    not_ok "nginx restarted with AK/SK credentials"
fi
stop_nginx
if start_nginx RTC_ENDPOINT="$MOCK" HUAWEICLOUD_SDK_AK=test-ak HUAWEICLOUD_SDK_SK=wrong-sk \
        HUAWEICLOUD_SDK_PROJECT_ID=test-project; then
    req badsig PUT "$NG/update?app_id=$APP&job_id=$J2" '{"publish_param":{"rtmp_urls":["rtmp://aksk/live/s"]}}'
    check "wrong SK: 502 + JSON {kind=api, status=401}" \
        eval '[ "$CODE" = 502 ] && jis "$TMP/badsig.json" kind api && jis "$TMP/badsig.json" status 401'

    # ---- the upstream is gone --------------------------------------------------------------
    stop_mock
    req gone PUT "$NG/update?app_id=$APP&job_id=$J2" '{"publish_param":{"rtmp_urls":["rtmp://x/live/s"]}}'
    check "upstream down: 502 + JSON {kind=transport}" \
        eval '[ "$CODE" = 502 ] && jis "$TMP/gone.json" kind transport'
else
    not_ok "nginx restarted with a wrong SK"
fi

finish
