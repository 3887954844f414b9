#!/usr/bin/env bash
# bench/run.sh — `make bench`: rtc vs a bare libcurl loop, against local nginx servers.
# Run from anywhere after `make` (uses build/<lua>/rtc.so, else ./rtc.so, or RTC_CPATH).
# Needs: nginx, libnginx-mod-http-lua (+ndk), valgrind, libcurl4-openssl-dev, pkg-config, cc, lua5.4.
# Optional: lua-socket (µs wall clock in the Lua drivers; /proc/uptime, 10 ms, otherwise).
# Knobs (env): BENCH_SEQ_N=20000 BENCH_REPEATS=3 BENCH_CG_N=2000 BENCH_BATCH_N=1000
#   BENCH_CONC=64 BENCH_DELAY_MS=20 BENCH_MEM_N=100000 BENCH_MEM_WARMUP=5000 BENCH_BATCH_SEQ=1
#   BENCH_LIN_SMALL=1000 BENCH_LIN_N=100000 BENCH_LIN_CONC=256 (linearity, batch)
#   BENCH_SP_SMALL=2000 BENCH_SP_N=30000 (start/poll outstanding) BENCH_FLAT_N=1000000 (keep_results=false; RSS at N/10, N/2, N)
#   BENCH_HC_N=10000 BENCH_HC_CONC=1000 (high concurrency vs bench/bare_multi.c)
#   BENCH_KEEP=1 (keep the temp dir: nginx logs, callgrind files)
#   BENCH_ONLY=2 (section 2 alone, for measuring one change: prints aksk, token, token6k, bare
#   instructions per call and writes no results.md; with BENCH_KEEP=1, callgrind_annotate the files)
#   BENCH_ONLY=faults (the "Faults" section alone: bench/faults.lua against mock/fault.lua; it
#   replaces that section of results.md). Its knobs: BENCH_FAULT_CREATES=5000
#   BENCH_FAULT_GETS=20000 BENCH_FAILOVER_N=2000 BENCH_FAULT_CONC=128 BENCH_FRESH_N=1000
#   BENCH_ONLY=ngx (section 7 alone, OpenResty via bench/ngx.sh and wrk: rewrites only that section
#   of bench/results.md) BENCH_NGX_SECONDS=5 BENCH_NGX_CONC="1 16 64" BENCH_NGX_THREADS=16 BENCH_NGX_ROUNDS=2
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

LUA=${RTC_LUA:-lua5.4}
SEQ_N=${BENCH_SEQ_N:-20000}
REPEATS=${BENCH_REPEATS:-3}
CG_N=${BENCH_CG_N:-2000}
CG_WARM=20
BATCH_N=${BENCH_BATCH_N:-1000}
CONC=${BENCH_CONC:-64}
DELAY_MS=${BENCH_DELAY_MS:-20}
MEM_N=${BENCH_MEM_N:-100000}
MEM_WARM=${BENCH_MEM_WARMUP:-5000}
BATCH_SEQ=${BENCH_BATCH_SEQ:-1}
NGX_MODS=${NGX_MODULES:-/usr/lib/nginx/modules}
LIN_SMALL=${BENCH_LIN_SMALL:-1000}
LIN_N=${BENCH_LIN_N:-100000}
LIN_CONC=${BENCH_LIN_CONC:-256}
SP_SMALL=${BENCH_SP_SMALL:-2000}
SP_N=${BENCH_SP_N:-30000}
FLAT_N=${BENCH_FLAT_N:-1000000}
HC_N=${BENCH_HC_N:-10000}
HC_CONC=${BENCH_HC_CONC:-1000}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

for tool in nginx valgrind callgrind_annotate cc pkg-config "$LUA"; do
  command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool (make deps)"
done
[ -f "$NGX_MODS/ngx_http_lua_module.so" ] || die "missing $NGX_MODS/ngx_http_lua_module.so (apt-get install libnginx-mod-http-lua)"
# the module make built for this Lua (build/<lua>/rtc.so), else ./rtc.so (luarocks make's)
if [ -z "${RTC_CPATH:-}" ]; then
  if [ -f "$root/build/$LUA/rtc.so" ]; then export RTC_CPATH="$root/build/$LUA/?.so"
  elif [ ! -f "$root/rtc.so" ]; then die "no build/$LUA/rtc.so or ./rtc.so: run make first"; fi
fi

# the "Faults" section (issue 22): its own servers (mock/fault.lua), no nginx
faults_section() { "$LUA" "$here/faults.lua"; }
if [ "${BENCH_ONLY:-}" = faults ]; then
  log "faults: bench/faults.lua"
  faults_section > "${TMPDIR:-/tmp}/rtc-bench-faults.$$.md"
  "$LUA" - "$here/results.md" "${TMPDIR:-/tmp}/rtc-bench-faults.$$.md" <<'LUA'
local f = io.open(arg[1]); local old = f:read("a"); f:close()
f = io.open(arg[2]); local new = f:read("a"); f:close()
local a, b = old:find("<!%-%- faults %-%->.-<!%-%- /faults %-%->\n?")
if a then old = old:sub(1, a - 1) .. new .. old:sub(b + 1) else old = old .. "\n" .. new end
f = io.open(arg[1], "w"); f:write(old); f:close()
LUA
  cat "${TMPDIR:-/tmp}/rtc-bench-faults.$$.md"
  rm -f "${TMPDIR:-/tmp}/rtc-bench-faults.$$.md"
  log "faults: written to bench/results.md"
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtc-bench.XXXXXX")
chmod 755 "$tmp"
ngx_pid=""
cleanup() {
  local rc=$?
  if [ -n "$ngx_pid" ] && kill -0 "$ngx_pid" 2>/dev/null; then
    kill -TERM "$ngx_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$ngx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$ngx_pid" 2>/dev/null || true
    wait "$ngx_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- nginx (both servers, one process)
JOB_BODY='{ "job_id" : 1, "app_id" : 1, "room_id" : 100, "user_id" : "user001", "is_record_audio" : true, "video_type" : "CAMERASTREAM", "select_stream_type" : "FHD", "max_idle_time" : 30, "publish_param" : { "rtmp_urls" : [ "rtmp://your.rtmp-server.com" ] }, "record_param" : { "record_rule_id" : "5f5e172b9016ed5b0961a43" }, "create_time" : "2006-01-02T15:04:05.075Z", "start_time" : "2006-01-02T15:04:05.075Z" }'
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"   # workers would otherwise drop to nobody
mkdir -p "$tmp/logs"

write_conf() { # $1 seq port, $2 batch port
  local delay
  delay=$(awk -v d="$DELAY_MS" 'BEGIN { printf "%.3f", d / 1000 }')
  cat > "$tmp/nginx.conf" <<NGX
load_module $NGX_MODS/ndk_http_module.so;
load_module $NGX_MODS/ngx_http_lua_module.so;
$user_line
worker_processes 1;
worker_rlimit_nofile 8192;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  tcp_nodelay on;
  # a. sequential server: fixed job answer
  server {
    listen 127.0.0.1:$1 reuseport backlog=4096;
    location /v2/apps/ {
      default_type application/json;
      add_header X-request-Id \$request_id;
      return 200 '$JOB_BODY';
    }
  }
  # b. batch server: same answer after $DELAY_MS ms, many connections at once
  server {
    listen 127.0.0.1:$2 backlog=4096;
    location /v2/apps/ {
      content_by_lua_block {
        ngx.sleep($delay)
        ngx.header["Content-Type"] = "application/json"
        ngx.header["X-request-Id"] = ngx.var.request_id
        ngx.print('$JOB_BODY')
      }
    }
  }
}
NGX
}

start_nginx() { # runs nginx in the foreground as our own child; retries on a busy port
  local try p1 p2
  for try in $(seq 1 25); do
    p1=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    p2=$(( p1 + 1 ))
    write_conf "$p1" "$p2"
    rm -f "$tmp/nginx.pid"
    nginx -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2>"$tmp/logs/start.err" &
    ngx_pid=$!
    for _ in $(seq 1 100); do
      [ -s "$tmp/nginx.pid" ] && break
      kill -0 "$ngx_pid" 2>/dev/null || break
      sleep 0.05
    done
    if [ -s "$tmp/nginx.pid" ] && kill -0 "$ngx_pid" 2>/dev/null; then
      SEQ_PORT=$p1; BATCH_PORT=$p2
      return 0
    fi
    wait "$ngx_pid" 2>/dev/null || true
    ngx_pid=""
    grep -q "Address already in use" "$tmp/logs/start.err" "$tmp/logs/error.log" 2>/dev/null ||
      { cat "$tmp/logs/start.err" "$tmp/logs/error.log" >&2 2>/dev/null; die "nginx failed to start"; }
  done
  die "no free port pair found"
}
start_nginx
SEQ_URL="http://127.0.0.1:$SEQ_PORT"
BATCH_URL="http://127.0.0.1:$BATCH_PORT"
log "nginx pid $ngx_pid: sequential $SEQ_URL, batch ($DELAY_MS ms) $BATCH_URL"

# ---------------------------------------------------------------- bare libcurl loop
cc -O2 -Wall -o "$tmp/bare_curl" "$here/bare_curl.c" $(pkg-config --cflags --libs libcurl) \
  || die "cannot build bench/bare_curl.c (libcurl4-openssl-dev, pkg-config)"
cc -O2 -Wall -o "$tmp/bare_multi" "$here/bare_multi.c" $(pkg-config --cflags --libs libcurl) \
  || die "cannot build bench/bare_multi.c"
"$LUA" "$here/seq.lua" --dump "$SEQ_URL" "$tmp/request.txt" || die "seq.lua --dump failed"
"$LUA" "$here/seq.lua" --dump "$BATCH_URL" "$tmp/request-batch.txt" || die "seq.lua --dump failed"

# ---------------------------------------------------------------- 7. OpenResty (bench/ngx.sh)
# -> $tmp/ngx.md: req/s of proxy_pass, the pool way and the subrequest way at each concurrency
ngx_section() {
  local out c p po su st
  log "7. OpenResty: proxy_pass vs rtc.ngx (pool, subrequest), wrk ${BENCH_NGX_SECONDS:-5} s at ${BENCH_NGX_CONC:-1 16 64}"
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  out=$(bash "$here/ngx.sh" "$SEQ_PORT" "$tmp/request.txt" "$tmp") || die "bench/ngx.sh failed"
  rps() { awk -v w="$1" -v c="$2" '$1 == "RESULT" && $3 == "way=" w && $4 == "conc=" c { sub("rps=", "", $5); print $5 }' <<<"$out"; }
  cpu() { awk -v w="$1" -v c="$2" '$1 == "RESULT" && $3 == "way=" w && $4 == "conc=" c { sub("cpu_us=", "", $6); print $6 }' <<<"$out"; }
  {
    echo "<!-- ngx: written by bench/run.sh section 7 (BENCH_ONLY=ngx rewrites only this part) -->"
    echo "## OpenResty: rtc.ngx against a plain proxy_pass"
    echo
    echo "One front nginx worker (Debian's lua module, the LuaJIT build), the same AK/SK-signed"
    echo "\`update_job\` three ways against the fast local upstream above (\`return 200\`, keep-alive), wrk"
    echo "-t1 for ${BENCH_NGX_SECONDS:-5} s per figure, the ways alternating, best of ${BENCH_NGX_ROUNDS:-2} rounds: a plain \`proxy_pass\` of the signed request (through an"
    echo "\`upstream{}\` with \`keepalive\`: the ceiling), the thread-pool way (a pool of"
    echo "${BENCH_NGX_THREADS:-16} threads, one cached client per thread) and the subrequest way (the recommended one in request"
    echo "handlers: \`opts.upstream\`, an \`upstream{}\` with \`keepalive\`; its location includes \`rtc/ngx/subrequest.conf\`)."
    echo "Target: the subrequest way ≥ 0.6× proxy_pass at 16 connections. CPU: the front nginx's (its"
    echo "worker and the pool's threads), µs per request, in the run each req/s comes from."
    echo
    echo "| connections | proxy_pass req/s (CPU µs) | subrequest req/s (CPU µs) | subrequest ratio | pool req/s (CPU µs) | pool ratio | target | status |"
    echo "|---:|---:|---:|---:|---:|---:|---|---|"
    for c in ${BENCH_NGX_CONC:-1 16 64}; do
      p=$(rps proxy "$c"); po=$(rps pool "$c"); su=$(rps sub "$c")
      st="—|info"
      [ "$c" = 16 ] && st="subrequest ≥ 0.6×|$(status "$su / $p >= 0.6")"
      echo "| $c | $(f1 "$p" 0) ($(cpu proxy "$c")) | $(f1 "$su" 0) ($(cpu sub "$c")) | $(calc "printf \"%.2f\", $su / $p")× | $(f1 "$po" 0) ($(cpu pool "$c")) | $(calc "printf \"%.2f\", $po / $p")× | $st |"
    done
    echo
    echo "- load average before the runs: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared: the ratios move with it)"
    echo "- $(wrk --version 2>&1 | head -n1 | cut -c1-60); nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'); $(luajit -v | head -n1 | cut -c1-40); $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "<!-- /ngx -->"
  } >"$tmp/ngx.md"
}
status() { if calc "exit !($1)"; then echo "met"; else echo "**MISSED**"; fi; }
f1() { calc "printf \"%.${2:-1}f\", $1"; }

# field KEY < RESULT line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n1; }
run() { # label, command... -> prints the RESULT line, fails loudly otherwise
  local label=$1 out; shift
  if ! out=$(timeout 300 "$@" 2>"$tmp/$label.err"); then
    cat "$tmp/$label.err" >&2; die "$label failed: $*"
  fi
  grep '^RESULT ' <<<"$out" | tail -n1 | grep . || { cat "$tmp/$label.err" >&2; die "$label printed no RESULT"; }
}
fmax() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
calc() { awk "BEGIN { $1 }"; }

ONLY=${BENCH_ONLY:-}
[ -z "$ONLY" ] || [ "$ONLY" = 2 ] || [ "$ONLY" = ngx ] || die "BENCH_ONLY: expected 2 or ngx (or unset)"
if [ "$ONLY" = ngx ]; then # rewrite only the OpenResty section of bench/results.md
  ngx_section
  RES="$here/results.md" NGX="$tmp/ngx.md" "$LUA" -e '
    local function slurp(p) local f = io.open(p, "rb"); if not f then return "" end
      local s = f:read("a"); f:close(); return s end
    local res, part = slurp(os.getenv("RES")), slurp(os.getenv("NGX"))
    local a = res:find("<!-- ngx:", 1, true)
    local _, b = res:find("<!-- /ngx -->\n", 1, true)
    if a and b then res = res:sub(1, a - 1) .. part .. res:sub(b + 1)
    else res = res .. "\n" .. part end
    local f = assert(io.open(os.getenv("RES"), "wb")); f:write(res); f:close()'
  cat "$tmp/ngx.md"
  log "section 7 written to bench/results.md"
  exit 0
fi

# ---------------------------------------------------------------- 1. sequential calls/s
[ -z "$ONLY" ] || REPEATS=0
log "1. sequential: $REPEATS x ($SEQ_N calls), rtc and bare alternating"
best_rtc=0; best_bare=0; cpu_rtc=1e9; cpu_bare=1e9
fmin() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 < b + 0) ? a : b }'; }
for i in $(seq 1 "$REPEATS"); do
  rl=$(run seq "$LUA" "$here/seq.lua" "$SEQ_URL" "$SEQ_N" 1000)
  bl=$(run bare "$tmp/bare_curl" "$tmp/request.txt" "$SEQ_N" 1000)
  r=$(field calls_per_s <<<"$rl"); b=$(field calls_per_s <<<"$bl")
  rc=$(calc "printf \"%.2f\", $(field cpu_seconds <<<"$rl") * 1e6 / $SEQ_N")
  bc=$(calc "printf \"%.2f\", $(field cpu_seconds <<<"$bl") * 1e6 / $SEQ_N")
  log "   round $i: rtc $r/s ($rc µs CPU/call), bare $b/s ($bc µs CPU/call)"
  best_rtc=$(fmax "$best_rtc" "$r"); best_bare=$(fmax "$best_bare" "$b")
  cpu_rtc=$(fmin "$cpu_rtc" "$rc"); cpu_bare=$(fmin "$cpu_bare" "$bc")
done
if [ -z "$ONLY" ]; then
  seq_ratio=$(calc "printf \"%.3f\", $best_rtc / $best_bare")
  cpu_ratio=$(calc "printf \"%.2f\", $cpu_rtc / $cpu_bare")
fi

# ---------------------------------------------------------------- 2. instructions per call
log "2. callgrind: $CG_N calls and 0 calls (after $CG_WARM warm-up calls), rtc and bare"
cg_total() { # callgrind out file -> total Ir
  awk '/^(summary|totals):/ { print $2; exit }' "$1"
}
cg() { # name, n, command...
  local name=$1 n=$2; shift 2
  run "cg-$name-$n" valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$name.$n" "$@" >/dev/null
  cg_total "$tmp/cg.$name.$n"
}
cg_r0=$(cg rtc 0 "$LUA" "$here/seq.lua" "$SEQ_URL" 0 "$CG_WARM")
cg_rn=$(cg rtc "$CG_N" "$LUA" "$here/seq.lua" "$SEQ_URL" "$CG_N" "$CG_WARM")
cg_b0=$(cg bare 0 "$tmp/bare_curl" "$tmp/request.txt" 0 "$CG_WARM")
cg_bn=$(cg bare "$CG_N" "$tmp/bare_curl" "$tmp/request.txt" "$CG_N" "$CG_WARM")
ipc_rtc=$(calc "printf \"%.0f\", ($cg_rn - $cg_r0) / $CG_N")
ipc_bare=$(calc "printf \"%.0f\", ($cg_bn - $cg_b0) / $CG_N")
ipc_ratio=$(calc "printf \"%.2f\", $ipc_rtc / $ipc_bare")
cg_t0=$(BENCH_AUTH=token cg token 0 "$LUA" "$here/seq.lua" "$SEQ_URL" 0 "$CG_WARM")
cg_tn=$(BENCH_AUTH=token cg token "$CG_N" "$LUA" "$here/seq.lua" "$SEQ_URL" "$CG_N" "$CG_WARM")
ipc_token=$(calc "printf \"%.0f\", ($cg_tn - $cg_t0) / $CG_N")
# a token of an IAM token's size: libcurl prints every header byte on its own (7.88)
CG_LONG_N=$(( CG_N / 4 > 0 ? CG_N / 4 : 1 ))
cg_l0=$(BENCH_AUTH=token BENCH_TOKEN_BYTES=6000 cg token6k 0 "$LUA" "$here/seq.lua" "$SEQ_URL" 0 "$CG_WARM")
cg_ln=$(BENCH_AUTH=token BENCH_TOKEN_BYTES=6000 cg token6k "$CG_LONG_N" "$LUA" "$here/seq.lua" "$SEQ_URL" "$CG_LONG_N" "$CG_WARM")
ipc_token6k=$(calc "printf \"%.0f\", ($cg_ln - $cg_l0) / $CG_LONG_N")
if [ -n "$ONLY" ]; then
  printf 'aksk %s\ntoken %s\ntoken6k %s\nbare %s\n' "$ipc_rtc" "$ipc_token" "$ipc_token6k" "$ipc_bare"
  exit 0
fi

# ---------------------------------------------------------------- 3. batch
seq_batch_n=0; [ "$BATCH_SEQ" = 1 ] && seq_batch_n=$BATCH_N
log "3. batch: $BATCH_N calls, concurrency $CONC, ${DELAY_MS} ms server (best of 3); then $seq_batch_n sequential"
batch_out=$(timeout 300 "$LUA" "$here/batch.lua" "$BATCH_URL" "$BATCH_N" "$CONC" 3 "$seq_batch_n" 2>"$tmp/batch.err") \
  || { cat "$tmp/batch.err" >&2; die "batch.lua failed"; }
bline=$(grep '^RESULT batch ' <<<"$batch_out") || die "batch.lua printed no result"
batch_best=$(field best <<<"$bline"); batch_worst=$(field worst <<<"$bline"); batch_first=$(field first <<<"$bline")
ideal=$(calc "printf \"%.3f\", int(($BATCH_N + $CONC - 1) / $CONC) * $DELAY_MS / 1000")
batch_ratio=$(calc "printf \"%.2f\", $batch_best / $ideal")
if [ "$seq_batch_n" -gt 0 ]; then
  batch_seq=$(grep '^RESULT batchseq ' <<<"$batch_out" | field seconds)
  speedup=$(calc "printf \"%.1f\", $batch_seq / $batch_best")
fi

# ---------------------------------------------------------------- 4. memory
log "4. memory: $MEM_N calls after $MEM_WARM warm-up"
mline=$(run memory "$LUA" "$here/memory.lua" "$SEQ_URL" "$MEM_N" "$MEM_WARM")
rss0=$(field rss_before_kib <<<"$mline"); rss1=$(field rss_after_kib <<<"$mline")
rss_growth=$(field rss_growth_kib <<<"$mline"); rss_peak=$(field rss_peak_kib <<<"$mline")
lua0=$(field lua_before_kib <<<"$mline"); lua1=$(field lua_after_kib <<<"$mline")

# ---------------------------------------------------------------- 5. scale: linearity, memory
log "5. linear: batch of $LIN_SMALL (best of 3) and of $LIN_N calls, concurrency $LIN_CONC, ${DELAY_MS} ms server"
lin_small=1e9
for _ in 1 2 3; do
  l=$(run lin-small "$LUA" "$here/scale.lua" batch "$BATCH_URL" "$LIN_SMALL" "$LIN_CONC")
  lin_small=$(fmin "$lin_small" "$(field us_per_call <<<"$l")")
done
lbig=$(run lin-big "$LUA" "$here/scale.lua" batch "$BATCH_URL" "$LIN_N" "$LIN_CONC")
lin_big=$(field us_per_call <<<"$lbig")
lin_ratio=$(calc "printf \"%.2f\", $lin_big / $lin_small")
big_rss0=$(field rss_before_kib <<<"$lbig"); big_peak=$(field rss_peak_kib <<<"$lbig")
big_results=$(field results_kib <<<"$lbig"); big_over=$(field overhead_kib <<<"$lbig")

log "6. start/poll: $SP_SMALL (best of 3) and $SP_N calls outstanding, concurrency $LIN_CONC, fast server"
sp_small=1e9; sp_big=1e9; spc_small=1e9; spc_big=1e9
for _ in 1 2 3; do # alternating, best of 3 each: a shared machine's noise hits both sizes alike
  l=$(run sp-small "$LUA" "$here/scale.lua" startpoll "$SEQ_URL" "$SP_SMALL" "$LIN_CONC")
  sp_small=$(fmin "$sp_small" "$(field us_per_call <<<"$l")")
  spc_small=$(fmin "$spc_small" "$(field cpu_us_per_call <<<"$l")")
  l=$(run sp-big "$LUA" "$here/scale.lua" startpoll "$SEQ_URL" "$SP_N" "$LIN_CONC")
  sp_big=$(fmin "$sp_big" "$(field us_per_call <<<"$l")")
  spc_big=$(fmin "$spc_big" "$(field cpu_us_per_call <<<"$l")")
done
sp_ratio=$(calc "printf \"%.2f\", $sp_big / $sp_small")
spc_ratio=$(calc "printf \"%.2f\", $spc_big / $spc_small")

flat_marks=$(awk -v n="$FLAT_N" 'BEGIN { printf "%d %d %d", n / 10, n / 2, n }')
log "7. keep_results = false: $FLAT_N calls, concurrency $LIN_CONC, fast server; RSS at $flat_marks"
# shellcheck disable=SC2086
fl=$(run flat "$LUA" "$here/scale.lua" flat "$SEQ_URL" "$FLAT_N" "$LIN_CONC" $flat_marks)
flat_rss=""; flat_first=""; flat_last=""
for m in $flat_marks; do
  v=$(field "rss_${m}_kib" <<<"$fl"); flat_rss="$flat_rss $m: $v KiB;"
  [ -n "$flat_first" ] || flat_first=$v; flat_last=$v
done
flat_before=$(field rss_before_kib <<<"$fl"); flat_secs=$(field seconds <<<"$fl")
flat_growth=$(( flat_last - flat_before ))

log "8. high concurrency: $HC_N calls at concurrency $HC_CONC, ${DELAY_MS} ms server, rtc and bare curl-multi (best of 3)"
hl=$(timeout 300 "$LUA" "$here/batch.lua" "$BATCH_URL" "$HC_N" "$HC_CONC" 3 2>"$tmp/hc.err") \
  || { cat "$tmp/hc.err" >&2; die "batch.lua (high concurrency) failed"; }
hc_rtc=$(grep '^RESULT batch ' <<<"$hl" | field best)
hb=$(run hc-bare "$tmp/bare_multi" "$tmp/request-batch.txt" "$HC_N" "$HC_CONC" 3)
hc_bare=$(field best <<<"$hb")
hc_ratio=$(calc "printf \"%.2f\", $hc_bare / $hc_rtc")
hc_ideal=$(calc "printf \"%.3f\", int(($HC_N + $HC_CONC - 1) / $HC_CONC) * $DELAY_MS / 1000")

# ---------------------------------------------------------------- table
status() { if calc "exit !($1)"; then echo "met"; else echo "**MISSED**"; fi; }
st_seq=$(status "$seq_ratio >= 0.90")
st_batch=$(status "$batch_ratio <= 1.2")
st_mem=$(status "$rss_growth < 1024")
st_lin=$(status "$lin_ratio <= 1.15")
st_sp=$(status "$sp_ratio <= 1.3")
st_bigmem=$(status "$big_over <= 32768")
st_flat=$(status "$flat_growth < 32768")
st_hc=$(status "$hc_ratio >= 0.8")
st_ak=$(status "$ipc_rtc <= 180000")
st_tok=$(status "$ipc_token <= 135000")
f1() { calc "printf \"%.${2:-1}f\", $1"; }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[ -n "$cpu" ] || cpu=$(lscpu 2>/dev/null | awk -F': *' '/Model name/ { print $2; exit }' || true)
clock=$("$LUA" -e "print(dofile('$here/common.lua').clock_name)")
cmd="make bench   # = bash bench/run.sh (after make)"
[ "${BENCH_SEQ_N:-}${BENCH_CG_N:-}${BENCH_BATCH_N:-}${BENCH_MEM_N:-}${BENCH_CONC:-}" ] && \
  cmd="BENCH_SEQ_N=$SEQ_N BENCH_CG_N=$CG_N BENCH_BATCH_N=$BATCH_N BENCH_CONC=$CONC BENCH_MEM_N=$MEM_N bash bench/run.sh"

{
cat <<MD
# rtc benchmark

| # | measure | rtc | bare libcurl / reference | ratio | target | status |
|---|---|---:|---:|---:|---|---|
| 1 | sequential \`client:update_job\` calls/s, AK/SK-signed (best of $REPEATS × $SEQ_N, after 1000 warm-up) | $(f1 "$best_rtc" 0) | $(f1 "$best_bare" 0) | $seq_ratio | ≥ 0.90 | $st_seq |
| 1b | client process CPU time (user + sys) per call, µs, same runs (lowest of $REPEATS) | $cpu_rtc | $cpu_bare | ${cpu_ratio}× | — | info |
| 2 | instructions per call, AK/SK, callgrind: (whole process with $CG_N calls − same process with 0 calls) / $CG_N; both after $CG_WARM warm-up calls, so start-up is subtracted | $ipc_rtc | $ipc_bare | $ipc_ratio× | ≤ 180,000 | $st_ak |
| 2b | instructions per call, token (\`X-Auth-Token\`, no signing), same method | $ipc_token | $ipc_bare | $(calc "printf \"%.2f\", $ipc_token / $ipc_bare")× | ≤ 135,000 | $st_tok |
| 2c | the same with a 6000-byte token, as IAM tokens are ($CG_LONG_N calls): libcurl 7.88 prints each header byte on its own, about 90 instructions a byte — with real tokens, AK/SK signing is the cheaper way | $ipc_token6k | — | $(calc "printf \"%.2f\", $ipc_token6k / $ipc_rtc")× AK/SK | — | info |
| 3a | \`client:batch\` $BATCH_N calls, concurrency $CONC, server delays each answer $DELAY_MS ms: wall s (best of 3; first $(f1 "$batch_first" 3), worst $(f1 "$batch_worst" 3)) | $(f1 "$batch_best" 3) | ideal ceil($BATCH_N/$CONC)×$DELAY_MS ms = $ideal | $batch_ratio× | ≤ 1.2× | $st_batch |
MD
if [ "$seq_batch_n" -gt 0 ]; then
echo "| 3b | the same $BATCH_N calls made sequentially: wall s | $(f1 "$batch_seq" 3) | batch $(f1 "$batch_best" 3) | batch is ${speedup}× faster | — | info |"
fi
cat <<MD
| 4 | resident memory growth over $MEM_N sequential calls after $MEM_WARM warm-up (VmRSS, after a full GC) | $rss_growth KiB ($rss0 → $rss1 KiB, peak $rss_peak) | — | — | < 1024 KiB | $st_mem |
| 4b | Lua heap, collectgarbage("count") after a full GC, before → after | $(f1 "$lua0") → $(f1 "$lua1") KiB | — | — | — | info |
| 5 | linear: \`client:batch\` wall µs per call, concurrency $LIN_CONC, ${DELAY_MS} ms server: $LIN_N calls vs $LIN_SMALL (best of 3) | $(f1 "$lin_big") | $(f1 "$lin_small") | ${lin_ratio}× | ≤ 1.15× | $st_lin |
| 5b | linear: \`start\` every call, then \`poll\` until all are in: wall µs per call, $SP_N outstanding vs $SP_SMALL (best of 3 each), concurrency $LIN_CONC, fast server | $(f1 "$sp_big") | $(f1 "$sp_small") | ${sp_ratio}× | ≤ 1.3× | $st_sp |
| 5b′ | the same runs, client CPU (user + sys) µs per call | $(f1 "$spc_big") | $(f1 "$spc_small") | ${spc_ratio}× | — | info |
| 5c | memory: the $LIN_N-call batch's peak RSS (VmHWM) over RSS before it, less the Lua results it returns (collectgarbage("count") growth, $big_results KiB) | $big_over KiB ($big_rss0 → peak $big_peak KiB) | 32768 KiB | — | ≤ 32 MiB over the results | $st_bigmem |
| 5d | memory: \`batch{keep_results = false, progress = ...}\` of $FLAT_N calls, fast server, concurrency $LIN_CONC ($(f1 "$flat_secs") s): VmRSS at |$flat_rss (before: $flat_before KiB) | — | growth over RSS before the batch: $flat_growth KiB ($(calc "printf \"%.0f\", $flat_growth * 1024 / $FLAT_N") B a call) | flat: < 32 MiB whatever the count | $st_flat |
| 6 | high concurrency: $HC_N calls at concurrency $HC_CONC, ${DELAY_MS} ms server: wall s (best of 3; ideal $hc_ideal) vs bench/bare_multi.c (curl_multi_socket_action + epoll, $HC_CONC easy handles, one multi handle) | $(f1 "$hc_rtc" 3) | $(f1 "$hc_bare" 3) | throughput ${hc_ratio}× bare | ≥ 0.8× | $st_hc |

Timing figures are ratios measured in one run on a shared machine (rtc and the bare loop
alternate, best of each). The bare loop (bench/bare_curl.c) sends the very request
\`client:prepare\` builds (same URL, headers, body), pre-signed once, on one reused easy handle;
it only collects the body and finds X-request-Id — no signing, no JSON, no Lua.
Servers: nginx on 127.0.0.1, one worker process, keep-alive; the sequential server answers a
fixed job body (the seed example) with \`return 200\`; the batch server with \`ngx.sleep\`.

- machine: $(uname -srm); nproc $(nproc); CPU: ${cpu:-unknown}
- $("$LUA" -v 2>&1 | head -n1); Lua wall clock: $clock
- $("$tmp/bare_curl" --version); nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'); $(valgrind --version)
- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- reproduce: \`$cmd\`
MD
} > "$tmp/results.md"

# where the instructions go: self cost per library (N-call run minus 0-call run, per call),
# and rtc.so functions (plus a few library entry points) inclusive, per call of the N-call run
byobj() { # callgrind file -> "object<TAB>self Ir", from the raw file: every cost line counted
  # under the object it belongs to (callgrind_annotate leaves the [object] off some lines)
  # (an object's name is given once, at its first ob= or cob= line; later ones give "(id)" only)
  awk 'function obj(v,   id, nm) { id = v; nm = ""
         if (match(v, /^\([0-9]+\)/)) { id = substr(v, 1, RLENGTH); nm = substr(v, RLENGTH + 2) }
         if (nm != "") name[id] = nm; else if (!(id in name)) name[id] = v
         return name[id] }
       /^cob=/ { obj(substr($0, 5)); next }
       /^ob=/ { cur = obj(substr($0, 4)); next }
       /^calls=/ { skip = 1; next }
       /^[0-9+*-]/ { if (skip) { skip = 0; next }; o = cur; sub(/.*\//, "", o); s[o] += $2; next }
       END { for (o in s) print o "\t" s[o] }' "$1"
}
{
  echo
  echo "## Where the instructions go (callgrind)"
  echo
  echo "Self instructions per call by library: (run with $CG_N calls − run with 0 calls) / $CG_N."
  echo
  echo "| library | rtc | bare libcurl |"
  echo "|---|---:|---:|"
  byobj "$tmp/cg.rtc.$CG_N" > "$tmp/o.rn"; byobj "$tmp/cg.rtc.0" > "$tmp/o.r0"
  byobj "$tmp/cg.bare.$CG_N" > "$tmp/o.bn"; byobj "$tmp/cg.bare.0" > "$tmp/o.b0"
  awk -F'\t' -v N="$CG_N" -v t="$tmp" '
    FILENAME == t "/o.rn" { a[$1] = $2; k[$1] } FILENAME == t "/o.r0" { b[$1] = $2 }
    FILENAME == t "/o.bn" { c[$1] = $2; k[$1] } FILENAME == t "/o.b0" { d[$1] = $2 }
    END { for (o in k) { r = (a[o] - b[o]) / N; x = (c[o] - d[o]) / N
            if (r >= 100 || x >= 100) printf "| %s | %.0f | %.0f |\n", o, r, x } }' \
    "$tmp/o.rn" "$tmp/o.r0" "$tmp/o.bn" "$tmp/o.b0" | sort -t'|' -k3 -rn
  echo
  echo "rtc functions, inclusive instructions per call (all $((CG_N + CG_WARM)) calls of the $CG_N-call run; top 25):"
  echo
  echo '```'
  rtc_so=$("$LUA" -e 'package.cpath = (os.getenv("RTC_CPATH") or "./?.so") .. ";" .. package.cpath
    print(package.searchpath("rtc", package.cpath) or "")' 2>/dev/null || true)
  nm "$rtc_so" 2>/dev/null | awk '$2 ~ /^[tT]$/ { print $3 }' > "$tmp/rtc.syms" || true
  callgrind_annotate --inclusive=yes --threshold=100 "$tmp/cg.rtc.$CG_N" 2>/dev/null |
    awk -v q="'" -v N="$((CG_N + CG_WARM))" -v syms="$tmp/rtc.syms" '
      BEGIN { while ((getline l < syms) > 0) mine[l] = 1 }
      /^ *[0-9,]+ \(/ && index($0, q) == 0 {
        n = $1; gsub(",", "", n); f = $0; sub(/^ *[0-9,]+ \( *[0-9.]+%\) +/, "", f)
        obj = ""; if (match(f, / \[.*\]$/)) { obj = substr(f, RSTART + 2, RLENGTH - 3); sub(/.*\//, "", obj) }
        fn = f; sub(/ \[.*$/, "", fn); sub(/^.*:/, "", fn)
        if (obj == "rtc.so" || (obj == "" && fn in mine)) label = fn " [rtc.so]"
        else if (fn ~ /^(HMAC|EVP_Digest|EVP_MAC_init|EVP_MAC_final|curl_multi_perform|curl_easy_perform)$/) label = fn " [" obj "]"
        else next
        if (!(fn in best) || n + 0 > best[fn] + 0) { best[fn] = n; name[fn] = label }
      }
      END { for (fn in best) printf "%9.0f  %s\n", best[fn] / N, name[fn] }' | sort -rn | head -n 25 || true
  echo '```'
} >> "$tmp/results.md"

[ -n "$ONLY" ] || { echo; faults_section; } >> "$tmp/results.md"
ngx_section
{ echo; cat "$tmp/ngx.md"; } >> "$tmp/results.md"
# a record kept by hand (<!-- record --> ... <!-- /record -->: before/after figures) stays
if [ -f "$here/results.md" ]; then
  { echo; sed -n '/^<!-- record -->$/,/^<!-- \/record -->$/p' "$here/results.md"; } >> "$tmp/results.md"
fi

cp "$tmp/results.md" "$here/results.md"
cat "$here/results.md"
log "written to bench/results.md"
