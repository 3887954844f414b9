#!/bin/bash
# examples/embed/test.sh -- builds the C host that embeds Lua 5.4 with the `rtc` module
# compiled in (no rtc.so), and runs examples/embed/update.lua in it against the mock.
# Prints "N passed, N failed"; exits non-zero on any failure.
#
# Environment: CC (cc), RTC_MOCK_LUA (lua5.4), RTC_HOST (use this already built host, e.g.
#   examples/embed/rtc-host from `make embed`, instead of building one in a temporary
#   directory), KEEP_TMP=1 keeps the temporary directory.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=examples/testlib.sh
. "$HERE/../testlib.sh"
testlib_init embed
CC=${CC:-cc}
HOST=${RTC_HOST:-$TMP/rtc-host}
case $HOST in /*) ;; *) HOST=$PWD/$HOST ;; esac   # the host runs from another directory

# ---- build: the module's C sources compiled into the host ---------------------------------
# (the same command as `make embed`)
CJSON_A=$("$CC" -print-file-name=liblua5.4-cjson.a)   # the full path when the compiler finds it
HOST_STATIC=$TMP/rtc-host-static
# the module's sources and include path, as the Makefile lists them (from its folders)
SRCS=$(make -s --no-print-directory -C "$ROOT" print-sources)
INCS=$(make -s --no-print-directory -C "$ROOT" print-includes)
if [ -z "${RTC_HOST:-}" ]; then
    # shellcheck disable=SC2046,SC2086
    if (cd "$ROOT" && "$CC" -O2 -Wall -Wextra -Werror -o "$HOST" examples/embed/host.c \
            $SRCS $(pkg-config --cflags --libs lua5.4 libcurl libcrypto jansson) -lm $INCS) \
            >"$TMP/build.log" 2>&1; then
        ok "host built: cc -Wall -Wextra -Werror host.c rtcjob.c src/*/*.c -llua5.4 -lcurl -lcrypto -lm"
    else
        not_ok "host build"; cat "$TMP/build.log"; finish
    fi
fi
# the fully self-contained variant: lua-cjson linked in too (when its static library exists)
if [ "${CJSON_A#/}" != "$CJSON_A" ] && [ -f "$CJSON_A" ]; then
    # shellcheck disable=SC2046,SC2086
    if (cd "$ROOT" && "$CC" -O2 -Wall -Wextra -Werror -DRTC_HOST_STATIC_CJSON -o "$HOST_STATIC" \
            examples/embed/host.c $SRCS "$CJSON_A" \
            $(pkg-config --cflags --libs lua5.4 libcurl libcrypto jansson) -lm $INCS) \
            >"$TMP/build2.log" 2>&1; then
        ok "self-contained host built (-DRTC_HOST_STATIC_CJSON + liblua5.4-cjson.a)"
    else
        not_ok "self-contained host build"; cat "$TMP/build2.log"; HOST_STATIC=
    fi
else
    echo "skip - no $CJSON_A: the self-contained variant is not built"
    HOST_STATIC=
fi
check "luaopen_rtc is defined inside the host binary" \
    eval 'nm "$HOST" 2>/dev/null | grep -q " T luaopen_rtc$"'
check "the host does not link any rtc.so" eval '! ldd "$HOST" | grep -q "rtc\.so"'

# ---- the mock ------------------------------------------------------------------------------
start_mock
APP=app-embed

JOB=$(mock_create_job "$APP" e | sed -n 's/.*"job_id" *: *"\([^"]*\)".*/\1/p')
if [ -z "$JOB" ]; then not_ok "job created in the mock"; finish; fi
ok "job $JOB created in the mock"

# run the host from an empty directory (./?.so finds nothing) with the default package.cpath
# (the system's cjson.so); update.lua sets package.cpath = "" before require "rtc", so only
# the linked-in module can satisfy it. LD_DEBUG=files logs every shared object loaded.
run_host() { # OUT ERR args...
    local out=$1 err=$2; shift 2
    mkdir -p "$TMP/empty"
    (cd "$TMP/empty" && env -u LUA_CPATH -u LUA_CPATH_5_4 -u LUA_INIT -u LUA_INIT_5_4 \
        RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token LD_DEBUG=files LD_DEBUG_OUTPUT="$TMP/ld" \
        "$HOST" "$HERE/update.lua" "$@") >"$out" 2>"$err"
}

URL=rtmp://embed.example.com/live/s1
run_host "$TMP/out" "$TMP/err" "$APP" "$JOB" "$URL" rule-9
rc=$?
check "update.lua in the host: exit 0" eval '[ $rc = 0 ] || { cat "$TMP/err"; false; }'
check "prints the updated job (job_id, publish_param.rtmp_urls[1], record_rule_id)" \
    eval 'grep -qx "job_id=$JOB" "$TMP/out" && grep -qx "publish_param.rtmp_urls\[1\]=$URL" "$TMP/out" &&
          grep -qx "record_param.record_rule_id=rule-9" "$TMP/out" && grep -qx "app_id=$APP" "$TMP/out"'
check "reports the module as linked in (rtc 0.1.0)" grep -q '^rtc 0\.1\.0 (linked into the host)$' "$TMP/out"
check "no rtc.so was loaded (LD_DEBUG=files)" eval 'cat "$TMP"/ld.* >"$TMP/ld.all" && grep -q "cjson" "$TMP/ld.all" && ! grep -q "rtc\.so" "$TMP/ld.all"'
rm -f "$TMP"/ld.*

if [ -n "$HOST_STATIC" ]; then
    (cd "$TMP/empty" && env -u LUA_INIT -u LUA_INIT_5_4 LUA_CPATH="$TMP/empty/?.so" LUA_CPATH_5_4="$TMP/empty/?.so" \
        RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token LD_DEBUG=files LD_DEBUG_OUTPUT="$TMP/lds" \
        "$HOST_STATIC" "$HERE/update.lua" "$APP" "$JOB" rtmp://embed.example.com/live/static) >"$TMP/outs" 2>"$TMP/errs"
    rc=$?
    check "self-contained host, LUA_CPATH pointing nowhere: update works, no Lua module loaded from disk" \
        eval '[ $rc = 0 ] && grep -qx "publish_param.rtmp_urls\[1\]=rtmp://embed.example.com/live/static" "$TMP/outs" &&
              cat "$TMP"/lds.* >"$TMP/lds.all" && grep -q "libcurl" "$TMP/lds.all" &&
              ! grep -Eq "rtc\.so|cjson" "$TMP/lds.all" || { cat "$TMP/errs"; false; }'
fi

# the default host with cjson out of reach: an error message, not a panic (pmain runs protected)
(cd "$TMP/empty" && LUA_CPATH="$TMP/empty/?.so" LUA_CPATH_5_4="$TMP/empty/?.so" \
    "$HOST" "$HERE/update.lua" "$APP" "$JOB" "$URL") >/dev/null 2>"$TMP/errc"
rc=$?
check "default host without a reachable cjson.so: exit 1, \"module 'cjson' not found\" (no panic)" \
    eval '[ $rc = 1 ] && grep -q "module .cjson. not found" "$TMP/errc"'

mockctl GET /_mock/requests >"$TMP/requests.json"
check "the mock got one PUT with X-Auth-Token and the new rtmp URL" \
    eval 'grep -q "\"method\":\"PUT\"" "$TMP/requests.json" &&
          grep -q "\"x-auth-token\":\"test-token\"" "$TMP/requests.json" &&
          grep -q "embed.example.com" "$TMP/requests.json"'

run_host "$TMP/out2" "$TMP/err2" "$APP" no-such-job "$URL"
rc=$?
check "unknown job: exit 1, 'error: HTTP 404 RTC.00001003 ...' on stderr" \
    eval '[ $rc = 1 ] && grep -q "^error: HTTP 404 RTC.00001003" "$TMP/err2"'

run_host "$TMP/out3" "$TMP/err3" "$APP" "$JOB" http://not-rtmp
rc=$?
check "invalid URL: exit 1, 'invalid: publish_param.rtmp_urls[1]' on stderr" \
    eval '[ $rc = 1 ] && grep -q "invalid: publish_param.rtmp_urls\[1\]" "$TMP/err3"'

# a script that raises: the host prints the error with a traceback and exits 1
printf 'error(setmetatable({}, {__tostring = function() return "custom error object" end}))\n' >"$TMP/raise.lua"
"$HOST" "$TMP/raise.lua" >/dev/null 2>"$TMP/err4"
rc=$?
check "a script error: exit 1, message + traceback on stderr" \
    eval '[ $rc = 1 ] && grep -q "custom error object" "$TMP/err4" && grep -q "stack traceback" "$TMP/err4"'
"$HOST" >/dev/null 2>&1
check "no script: usage, exit 2" test $? = 2

# the module works the same when the script is given arguments through `arg`
printf 'local rtc = require "rtc"\nassert(package.loaded.rtc == rtc)\nprint(arg[0], arg[1], select("#", ...))\nprint(tostring(rtc.new{endpoint = "http://127.0.0.1:1", token = "t"}))\n' >"$TMP/args.lua"
(cd "$TMP/empty" && env -u LUA_CPATH -u LUA_CPATH_5_4 "$HOST" "$TMP/args.lua" one two) >"$TMP/out5" 2>&1
check "arg table and ... are passed; rtc.new works; tostring(client) hides the token" \
    eval 'grep -q "args.lua	one	2" "$TMP/out5" && grep -q "^rtc.client(" "$TMP/out5" &&
          ! grep -q "token=t" "$TMP/out5"'

# memory: run the update under valgrind when it is installed
if command -v valgrind >/dev/null 2>&1; then
    (cd "$TMP/empty" && RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token \
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$HOST" "$HERE/update.lua" "$APP" "$JOB" rtmp://embed.example.com/live/vg) \
        >"$TMP/vg.out" 2>"$TMP/vg.err"
    rc=$?
    check "valgrind: no memory errors, no definite leaks (update + lua_close)" \
        eval '[ $rc = 0 ] || { tail -n 40 "$TMP/vg.err"; false; }'
    (cd "$TMP/empty" && RTC_ENDPOINT="$MOCK" RTC_AUTH_TOKEN=test-token \
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$HOST" "$HERE/update.lua" "$APP" no-such-job rtmp://embed.example.com/live/vg) \
        >/dev/null 2>"$TMP/vg2.err"
    rc=$?
    check "valgrind on the error path (os.exit(1, true) closes the state): exit 1, clean" \
        eval '[ $rc = 1 ] || { tail -n 40 "$TMP/vg2.err"; false; }'
fi

finish
