#!/usr/bin/env bash
# bench/ngx.sh — the OpenResty section of `make bench` (bench/run.sh runs it; BENCH_ONLY=ngx runs
# it alone): the same AK/SK-signed update_job three ways through a front nginx (one worker,
# Debian's lua module, the LuaJIT build of rtc.so) against bench/run.sh's fast local upstream
# (`return 200` with the job, keep-alive), driven by wrk at 1, 16 and 64 connections:
#   proxy  a plain proxy_pass of the signed request (the ceiling for nginx), upstream{} keepalive
#   pool   rtc.ngx's thread-pool way (client made once per worker)
#   sub    rtc.ngx's subrequest way through an upstream{} with keepalive (opts.upstream), its
#          location including rtc/ngx/subrequest.conf (the recommended way in request handlers)
# Usage: bench/ngx.sh UPSTREAM_PORT REQUEST_FILE TMPDIR -> one "RESULT ngx way=W conc=C rps=R
# cpu_us=U" line (the best of the rounds; U: the front nginx's CPU per request) on stdout. Knobs: BENCH_NGX_SECONDS (5), BENCH_NGX_CONC ("1 16 64"),
# BENCH_NGX_WAYS ("proxy pool sub"), BENCH_NGX_THREADS (the pool's threads, 16, as the README's
# nginx.conf), BENCH_NGX_ROUNDS (2: the ways alternate within a round; the best of each counts),
# BENCH_NGX_LEGACY=1 (run against a checkout from before rtc.ngx had opts.threads and
# opts.upstream: the subrequest way as its README set it, proxy_pass to the address).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${BENCH_NGX_ROOT:-$(cd "$here/.." && pwd)} # BENCH_NGX_ROOT: another checkout's rtc.ngx and rtc.so
UP_PORT=$1 REQ=$2 TMPD=$3
SECS=${BENCH_NGX_SECONDS:-5}
CONCS=${BENCH_NGX_CONC:-1 16 64}
WAYS=${BENCH_NGX_WAYS:-proxy pool sub}
THREADS=${BENCH_NGX_THREADS:-16}
ROUNDS=${BENCH_NGX_ROUNDS:-2}
LEGACY=false; [ -n "${BENCH_NGX_LEGACY:-}" ] && LEGACY=true # to measure a checkout from before
NGX_MODS=${NGX_MODULES:-/usr/lib/nginx/modules}
log() { printf '[bench ngx] %s\n' "$*" >&2; }
die() { printf '[bench ngx] error: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
command -v luajit >/dev/null || die "luajit is not installed"
make -s -C "$root" LUA=luajit >/dev/null || die "make LUA=luajit failed"

d=$TMPD/ngx
mkdir -p "$d/logs"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
# the signed request as wrk sends it (method, the path on the front, headers, body)
luajit - "$REQ" "$d/proxy_path.txt" >"$d/put.lua" <<'LUA'
local f = assert(io.open(arg[1], "rb")); local s = f:read("*a"); f:close()
local method, url, rest = s:match("^(%u+)\n([^\n]+)\n(.*)$")
local head, body = rest:match("^(.-)\n\n(.*)$")
local out = { ("wrk.method = %q"):format(method), ("wrk.body = %q"):format(body) }
for name, value in head:gmatch("([^:\n]+): ([^\n]*)") do
  if name:lower() ~= "host" then out[#out + 1] = ("wrk.headers[%q] = %q"):format(name, value) end
end
local path = url:match("^https?://[^/]+(/.*)$")
out[#out + 1] = ("wrk.path_proxy = %q"):format(path)
local p = assert(io.open(arg[2], "wb")); p:write(path); p:close()
io.write(table.concat(out, "\n"), "\n")
LUA
write_conf() { # PORT
cat >"$d/nginx.conf" <<NGX
load_module $NGX_MODS/ndk_http_module.so;
load_module $NGX_MODS/ngx_http_lua_module.so;
$user_line
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
thread_pool rtc threads=$THREADS max_queue=65536;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  keepalive_requests 1000000;
  lua_package_path "$root/?.lua;;";
  lua_package_cpath "$root/build/luajit/?.so;;";
  upstream fast { server 127.0.0.1:$UP_PORT; keepalive 64; }
  init_worker_by_lua_block {
    local rtc_ngx = require "rtc.ngx"
    local opts = { endpoint = "http://127.0.0.1:$UP_PORT", ak = "bench-ak", sk = "bench-sk",
                   project_id = "p", retries = 0, max_pending = 65536 }
    local legacy = $LEGACY -- rtc.ngx before issue 24: no threads, no upstream
    -- the pool's size, as its thread_pool line above declares it (max_pending must fit in it)
    if not legacy then opts.threads, opts.max_queue = $THREADS, 65536 end
    package.loaded.bench_pool = rtc_ngx.new(opts)
    opts.subrequest = "/_rtc"
    if not legacy then opts.upstream = "fast" end
    package.loaded.bench_sub = rtc_ngx.new(opts)
  }
  server {
    listen 127.0.0.1:$1 backlog=4096;
    location /v2/ {
      proxy_pass http://fast;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
    location ~ ^/(pool|sub)$ {
      content_by_lua_block {
        local job, err = require("bench_" .. ngx.var[1]):update_job("bench-app", "bench-job",
          { publish_param = { rtmp_urls = { "rtmp://your.rtmp-server.com" } } })
        if not job then ngx.status = 502; return ngx.say(tostring(err)) end
        ngx.say(job.job_id)
      }
    }
    location = /_rtc {
      internal;
      include $root/rtc/ngx/subrequest.conf;
    }
  }
}
NGX
}
started=""
for _ in $(seq 10); do # a free port: retried when taken
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  write_conf "$port"
  if nginx -p "$d" -c "$d/nginx.conf" -g 'daemon on;' 2>"$d/logs/start.err"; then started=1; break; fi
  grep -q 'Address already in use' "$d/logs/start.err" || break
done
[ -n "$started" ] || { cat "$d/logs/start.err" >&2; die "front nginx failed to start"; }
stop() { [ -s "$d/nginx.pid" ] && kill -TERM "$(cat "$d/nginx.pid")" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
for way in $WAYS; do
  path=/$way
  [ "$way" = proxy ] && path=$(cat "$d/proxy_path.txt")
  # wrk's script: the signed PUT; proxy sends it to the request's own path
  { cat "$d/put.lua"; echo "wrk.path = \"$path\""; \
    echo 'request = function() return wrk.format(nil, wrk.path) end'; } >"$d/wrk-$way.lua"
  code=$(curl -s -o "$d/check-$way.txt" -w '%{http_code}' -X PUT --data-binary x "http://127.0.0.1:$port$path") || true
  [ "$code" = 200 ] || { cat "$d/check-$way.txt" "$d/logs/error.log" >&2; die "$way: HTTP $code"; }
  wrk -t1 -c64 -d1s -s "$d/wrk-$way.lua" "http://127.0.0.1:$port" >/dev/null 2>&1 || true # warm-up
done
# the ways alternate within each round (a shared machine's load hits them alike); best of the rounds
declare -A best cpu_of
wpid=$(pgrep -P "$(cat "$d/nginx.pid")" | head -n1) # the one worker
[ -n "$wpid" ] || die "no worker process"
for round in $(seq "$ROUNDS"); do
  for c in $CONCS; do
    for way in $WAYS; do
      # the front nginx's CPU (its worker and the pool's threads: one process) per request
      ticks0=$(awk '{ print $14 + $15 }' "/proc/$wpid/stat")
      out=$(wrk -t1 -c"$c" -d"${SECS}s" -s "$d/wrk-$way.lua" "http://127.0.0.1:$port")
      ticks1=$(awk '{ print $14 + $15 }' "/proc/$wpid/stat")
      rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
      nreq=$(awk '/ requests in / { print $1 }' <<<"$out")
      cpu=$(awk -v a="$ticks0" -v b="$ticks1" -v n="$nreq" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }')
      bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
      [ -z "$bad" ] || die "$way c=$c: $bad non-2xx answers"
      log "round $round: $way c=$c: $rps/s, $cpu µs of the front nginx's CPU a request"
      if awk -v a="$rps" -v b="${best[$way.$c]:-0}" 'BEGIN { exit !(a + 0 > b + 0) }'; then
        best[$way.$c]=$rps; cpu_of[$way.$c]=$cpu
      fi
    done
  done
done
for c in $CONCS; do
  for way in $WAYS; do echo "RESULT ngx way=$way conc=$c rps=${best[$way.$c]} cpu_us=${cpu_of[$way.$c]}"; done
done
