# shellcheck shell=bash
# examples/testlib.sh -- sourced (not run) by examples/*/test.sh: the checks and their count,
# a temporary directory removed at exit, and the mock server.
#
#   . "$HERE/../testlib.sh"       sets ROOT (the repository), MOCK_LUA (env RTC_MOCK_LUA, lua5.4)
#   testlib_init NAME             TMP=$(mktemp -d ${TMPDIR:-/tmp}/rtc-NAME.XXXXXX), cleanup at exit
#   ok WHAT / not_ok WHAT         one check passed / failed
#   check WHAT COMMAND...         ok or not_ok by COMMAND's exit status
#   finish                        prints "N passed, N failed"; exits 0 when none failed, else 1
#   start_mock                    mock/server.lua --token test-token in the background: MOCK_PID,
#                                 MOCK_PORT, MOCK (its URL); not_ok + finish when it does not start
#   stop_mock                     stops it (also done at exit)
#   mockctl METHOD PATH [JSON]    a call to the mock's control API; the answer on stdout
#   mock_create_job APP SUFFIX    creates a job (room-SUFFIX, user-SUFFIX, record_rule_id rule-1)
#                                 through the API with the token; the answer (JSON) on stdout
#
# The sourcing script may set TESTLIB_LOGS (names or patterns of files in $TMP whose tail is shown
# when something failed; default: mock.log) and define testlib_on_exit (run first at exit, e.g.
# to stop a server of its own). KEEP_TMP=1 keeps the temporary directory.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOCK_LUA=${RTC_MOCK_LUA:-lua5.4}
MOCK_PID=
TESTLIB_LOGS=(mock.log)

pass=0
fail=0
ok()     { pass=$((pass + 1)); echo "ok   - $*"; }
not_ok() { fail=$((fail + 1)); echo "FAIL - $*"; }
check()  { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && exit 0
    exit 1
}

testlib_cleanup() {
    local rc=$? pattern f
    if declare -F testlib_on_exit >/dev/null; then testlib_on_exit; fi
    stop_mock
    if [ "$fail" -gt 0 ] || [ "$rc" -ne 0 ]; then
        for pattern in "${TESTLIB_LOGS[@]}"; do
            for f in "$TMP"/$pattern; do
                [ -s "$f" ] && { echo "---- tail of $f"; tail -n 30 "$f"; }
            done
        done
    fi
    if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}

testlib_init() { # NAME
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/rtc-$1.XXXXXX")
    trap testlib_cleanup EXIT
    trap 'exit 130' INT TERM
}

start_mock() {
    "$MOCK_LUA" "$ROOT/mock/server.lua" --port 0 --token test-token --parent-pid $$ \
        >"$TMP/mock.out" 2>"$TMP/mock.log" &
    MOCK_PID=$!
    MOCK_PORT=
    for _ in $(seq 400); do # 20 s: a bound only a mock that cannot start reaches
        MOCK_PORT=$(sed -n 's/^listening on [^:]*:\([0-9]*\).*/\1/p' "$TMP/mock.out" 2>/dev/null)
        [ -n "$MOCK_PORT" ] && break
        kill -0 "$MOCK_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$MOCK_PORT" ]; then not_ok "mock started"; finish; fi
    ok "mock listening on 127.0.0.1:$MOCK_PORT"
    MOCK=http://127.0.0.1:$MOCK_PORT
}

stop_mock() {
    [ -n "$MOCK_PID" ] || return 0
    kill "$MOCK_PID" 2>/dev/null
    wait "$MOCK_PID" 2>/dev/null
    MOCK_PID=
}

mockctl() { # METHOD PATH [JSON]
    curl -sS -m 5 -X "$1" -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$MOCK$2"
}

mock_create_job() { # APP SUFFIX
    curl -sS -m 5 -X POST -H 'X-Auth-Token: test-token' -H 'Content-Type: application/json' \
        --data-binary "{\"room_id\":\"room-$2\",\"user_id\":\"user-$2\",\"record_param\":{\"record_rule_id\":\"rule-1\"}}" \
        "$MOCK/v2/apps/$1/individual-stream-jobs"
}
