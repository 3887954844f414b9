#!/usr/bin/env bash
# bench/cg.sh — `make bench` section 2 alone: instructions per sequential client:update_job call,
# (callgrind total of seq.lua with N calls − the same with 0 calls) / N, AK/SK and token, against
# an nginx on 127.0.0.1 answering the seed job body (as bench/run.sh's server a).
#   bash bench/cg.sh [N]     (after make; BENCH_KEEP=1 keeps the callgrind files)
# Prints "aksk N" and "token N"; `callgrind_annotate --inclusive=yes` on the kept files shows where.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
LUA=${RTC_LUA:-lua5.4}
N=${1:-${BENCH_CG_N:-2000}}
NGX_MODS=${NGX_MODULES:-/usr/lib/nginx/modules}
export RTC_CPATH=${RTC_CPATH:-build/$LUA/?.so}
for tool in nginx valgrind "$LUA"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing tool: $tool" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtc-cg.XXXXXX")
chmod 755 "$tmp"
mkdir -p "$tmp/logs"
ngx_pid=""
cleanup() {
  if [ -n "$ngx_pid" ]; then kill -TERM "$ngx_pid" 2>/dev/null || true; wait "$ngx_pid" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
JOB_BODY='{ "job_id" : 1, "app_id" : 1, "room_id" : 100, "user_id" : "user001", "is_record_audio" : true, "video_type" : "CAMERASTREAM", "select_stream_type" : "FHD", "max_idle_time" : 30, "publish_param" : { "rtmp_urls" : [ "rtmp://your.rtmp-server.com" ] }, "record_param" : { "record_rule_id" : "5f5e172b9016ed5b0961a43" }, "create_time" : "2006-01-02T15:04:05.075Z", "start_time" : "2006-01-02T15:04:05.075Z" }'
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
for _ in $(seq 1 25); do
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  cat > "$tmp/nginx.conf" <<NGX
$user_line
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$port;
    location /v2/apps/ {
      default_type application/json;
      add_header X-request-Id \$request_id;
      return 200 '$JOB_BODY';
    }
  }
}
NGX
  rm -f "$tmp/nginx.pid"
  nginx -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2>"$tmp/logs/start.err" &
  ngx_pid=$!
  for _ in $(seq 1 100); do [ -s "$tmp/nginx.pid" ] && break; kill -0 "$ngx_pid" 2>/dev/null || break; sleep 0.05; done
  [ -s "$tmp/nginx.pid" ] && kill -0 "$ngx_pid" 2>/dev/null && break
  wait "$ngx_pid" 2>/dev/null || true
  ngx_pid=""
done
[ -n "$ngx_pid" ] || { cat "$tmp/logs/start.err" >&2; echo "nginx failed to start" >&2; exit 1; }
total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }
for auth in aksk token; do
  for n in 0 "$N"; do
    BENCH_AUTH=$auth valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$auth.$n" \
      "$LUA" "$here/seq.lua" "http://127.0.0.1:$port" "$n" 20 >/dev/null 2>"$tmp/err.$auth.$n" ||
      { cat "$tmp/err.$auth.$n" >&2; exit 1; }
  done
  echo "$auth $(( ($(total "$tmp/cg.$auth.$N") - $(total "$tmp/cg.$auth.0")) / N ))"
done
