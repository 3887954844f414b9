#!/bin/sh
# memcheck/run.sh: memcheck/driver.lua under valgrind (make memcheck).
# Passes only with 0 valgrind errors and 0 bytes definitely or indirectly lost; the driver
# itself asserts that every client path behaved.
#   memcheck/run.sh                    everything
#   MEMCHECK_ONLY=batch memcheck/run.sh, MEMCHECK_SKIP=gc_numeric memcheck/run.sh  (see driver.lua)
#   LUA=lua5.4 VALGRIND=valgrind       the programs used
set -eu
cd "$(dirname "$0")/.."
LUA=${LUA:-lua5.4}
VALGRIND=${VALGRIND:-valgrind}
LOG=${MEMCHECK_LOG:-build/memcheck.log}
mkdir -p "$(dirname "$LOG")"
command -v "$VALGRIND" >/dev/null || { echo "memcheck: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
# the module make built (RTC_CPATH, as make sets it: build/<lua>/?.so)
SO=$(printf '%s' "${RTC_CPATH:-build/lua5.4/?.so}" | sed 's/?/rtc/')
[ -f "$SO" ] || { echo "memcheck: $SO not built (run make)" >&2; exit 2; }

# The default client is built from these: the driver wants them unset (deterministic).
unset RTC_ENDPOINT RTC_AUTH_TOKEN HUAWEICLOUD_SDK_AK HUAWEICLOUD_SDK_SK \
  HUAWEICLOUD_SDK_PROJECT_ID HUAWEICLOUD_SDK_SECURITY_TOKEN

status=0
"$VALGRIND" --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --error-exitcode=1 \
  --suppressions=memcheck/lua.supp --num-callers=30 --keep-debuginfo=yes --log-file="$LOG" \
  "$LUA" memcheck/driver.lua || status=$?

# valgrind's own verdict, from its log
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$LOG" | tail -n 1)
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$LOG" | tail -n 1 | tr -d ,)
indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$LOG" | tail -n 1 | tr -d ,)
reachable=$(sed -n 's/.*still reachable: \([0-9,]*\) bytes.*/\1/p' "$LOG" | tail -n 1 | tr -d ,)
# "All heap blocks were freed": valgrind prints no LEAK SUMMARY at all
if grep -q "All heap blocks were freed" "$LOG"; then definite=0; indirect=0; reachable=0; fi
echo "memcheck: valgrind: ${errors:-?} errors, ${definite:-?} bytes definitely lost," \
  "${indirect:-?} bytes indirectly lost, ${reachable:-?} bytes still reachable (log: $LOG)"
if [ "$status" -ne 0 ] || [ "${errors:-1}" != 0 ] || [ "${definite:-1}" != 0 ] || [ "${indirect:-1}" != 0 ]; then
  echo "memcheck: FAILED (exit $status); the first errors:" >&2
  grep -A 25 -m 3 -E "Invalid|uninitialised|definitely lost in|indirectly lost in|Mismatched|overlap" "$LOG" | head -n 120 >&2 || true
  exit 1
fi
echo "memcheck: OK"
