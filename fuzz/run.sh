#!/usr/bin/env bash
# fuzz/run.sh [seconds]: builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for
# a bounded time (default 60 s each). make fuzz runs it (FUZZ_SECONDS=...).
#   fuzz/run.sh 300                 five minutes each
#   FUZZERS="decode sign" fuzz/run.sh    some of them (decode, request, sign)
#   FUZZ_JOBS=2 fuzz/run.sh         parallel workers per harness (libFuzzer -fork)
# Binaries: fuzz/<name>-fuzzer (instrumented module objects: fuzz/obj/). Working corpora:
# fuzz/corpus-<name>/ (seeded from fuzz/seeds/<name>/, kept between runs). Logs:
# build/fuzz/<name>.log. Findings: fuzz/crash-*, fuzz/leak-*, fuzz/timeout-* (reproduce:
# fuzz/<name>-fuzzer fuzz/crash-...). All of these are in .gitignore.
# Exits 1 when a harness found something.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
FUZZERS=${FUZZERS:-"decode request sign"}
CC_FUZZ=${CC_FUZZ:-clang}
LUA_PC=${LUA_PC:-lua5.4}
JOBS=${FUZZ_JOBS:-1}
LOGS=build/fuzz
mkdir -p "$LOGS"

command -v "$CC_FUZZ" >/dev/null || { echo "fuzz: $CC_FUZZ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS_FUZZ="-O1 -g -std=c99 $(make -s --no-print-directory print-includes) $(pkg-config --cflags "$LUA_PC" libcurl libcrypto jansson)"
LIBS_FUZZ="$(pkg-config --libs "$LUA_PC" libcurl libcrypto jansson) -lm -lpthread"

# the module's sources, instrumented, once (fuzzer-no-link: coverage without a second main)
MODULE_OBJS=""
for src in $(make -s --no-print-directory print-sources); do  # the Makefile's list (its folders)
  o="fuzz/obj/${src%.c}.o"
  mkdir -p "$(dirname "$o")"
  if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o")" ] || [ "$0" -nt "$o" ]; then
    # shellcheck disable=SC2086
    "$CC_FUZZ" $CFLAGS_FUZZ -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
      -fno-omit-frame-pointer -c "$src" -o "$o"
  fi
  MODULE_OBJS="$MODULE_OBJS $o"
done
for f in $FUZZERS; do
  # shellcheck disable=SC2086
  "$CC_FUZZ" $CFLAGS_FUZZ $SAN "fuzz/${f}_fuzzer.c" $MODULE_OBJS -o "fuzz/${f}-fuzzer" $LIBS_FUZZ
done

found=0
summary=""
for f in $FUZZERS; do
  corpus="fuzz/corpus-$f"
  mkdir -p "$corpus"
  log="$LOGS/$f.log"
  dict=""
  [ -f "fuzz/$f.dict" ] && dict="-dict=fuzz/$f.dict"
  echo "fuzz: $f: ${SECONDS_EACH}s ..."
  set +e
  if [ "$JOBS" -gt 1 ]; then
    # shellcheck disable=SC2086
    "fuzz/$f-fuzzer" $dict -fork="$JOBS" -ignore_crashes=0 -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
      -timeout=10 -max_len=8192 -print_final_stats=1 -artifact_prefix=fuzz/ "$corpus" "fuzz/seeds/$f" >"$log" 2>&1
  else
    # shellcheck disable=SC2086
    "fuzz/$f-fuzzer" $dict -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -max_len=8192 \
      -print_final_stats=1 -artifact_prefix=fuzz/ "$corpus" "fuzz/seeds/$f" >"$log" 2>&1
  fi
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(grep -o '#[0-9]*' "$log" | tail -n 1 | tr -d '#')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  units=$(find "$corpus" -type f | wc -l)
  if [ "$rc" -ne 0 ]; then
    found=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
    line="fuzz: $f: FOUND a problem after ${execs:-?} execs (exit $rc); input: ${artifact:-see $log}"
    echo "$line"
    grep -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant failed|SUMMARY:" "$log" | head -n 5 | sed 's/^/fuzz:   /'
    grep -E "^    #[0-9]+ .* in " "$log" | head -n 8 | sed 's/^/fuzz:   /'
  else
    line="fuzz: $f: ${execs:-?} execs, ${cov:-cov: ?}, corpus $units inputs, no findings"
    echo "$line"
  fi
  summary="$summary$line
"
done
printf '%s' "$summary"
exit "$found"
