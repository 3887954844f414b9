#!/usr/bin/env bash
# torture/run.sh — the torture harness (torture/run.lua) on every Lua, against the module built
# with clang -fsanitize=address,undefined (build/asan-<lua>/rtc.so), the ASan runtime preloaded
# into the (uninstrumented) interpreter, and a local mock (mock/server.lua under lua5.4). A run
# passes when the harness passes and the sanitizers reported nothing. Ends with "N passed, N
# failed" (one check per Lua). TORTURE_LUAS picks the interpreters; TORTURE_ROUNDS the rounds.
set -uo pipefail
cd "$(dirname "$0")/.."

LUAS=${TORTURE_LUAS:-"lua5.4 lua5.3 lua5.1 luajit"}
ROUNDS=${TORTURE_ROUNDS:-1}
ASAN_RT=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
SAN_CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
[ -f "$ASAN_RT" ] || { echo "no ASan runtime ($ASAN_RT): apt-get install libclang-rt-14-dev"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
mock_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# the mock: 127.0.0.1 only, a free port, gone with this script
lua5.4 mock/server.lua --port 0 --token torture-token --any-project --parent-pid $$ \
  > "$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/mock.log" && break
  sleep 0.1
done
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/mock.log" | head -n 1)
[ -n "$port" ] || { cat "$work/mock.log"; echo "0 passed, 1 failed"; exit 1; }
url="http://127.0.0.1:$port"

passed=0
failed=0
for lua in $LUAS; do
  out="build/asan-$lua"
  if ! make -s --no-print-directory all LUA="$lua" CC=clang OUT="$out" CFLAGS="$SAN_CFLAGS" >"$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "=== torture $lua: the sanitized build failed"
    failed=$((failed + 1))
    continue
  fi
  # a clean environment: the default client goes to the mock, nothing else is ever contacted
  env -i PATH="$PATH" HOME="$work" RTC_ENDPOINT="$url" RTC_AUTH_TOKEN=torture-token \
    LD_PRELOAD="$ASAN_RT" ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$lua" torture/run.lua "$out/?.so" "$url" "$ROUNDS" >"$work/out" 2>"$work/err"
  rc=$?
  cat "$work/out"
  reports=$(grep -cE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$work/err")
  if [ "$rc" -eq 0 ] && [ "$reports" -eq 0 ]; then
    echo "=== torture $lua: ok, 0 sanitizer reports"
    passed=$((passed + 1))
  else
    head -n 60 "$work/err"
    echo "=== torture $lua: exit $rc, $reports sanitizer reports"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
