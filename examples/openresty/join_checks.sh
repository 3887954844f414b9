# shellcheck shell=bash
# examples/openresty/join_checks.sh -- sourced by test.sh: the join signature checks.
#   join_checks NAME URL: the signature distribution location at URL/join-signature of a running
#   nginx started with JOIN_ENV in its environment (RTC_APP_ID, RTC_APP_KEY, RTC_JOIN_SECRET):
#   refusals, the answer's five values, the signature against openssl, and the same values from
#   `rtcjob join-signature` (LuaJIT, the same rtc.so) for the same inputs.
#   join_worked URL: JOIN.md's two worked signatures made inside nginx (the test nginx only).
JOIN_APP=app-join
JOIN_KEY=join-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0
JOIN_SECRET=caller-secret-4242
JOIN_ENV="RTC_APP_ID=$JOIN_APP RTC_APP_KEY=$JOIN_KEY RTC_JOIN_SECRET=$JOIN_SECRET"

# jcurl NAME URL [CURL-ARGS...] -> $TMP/NAME.json, HTTP code in JCODE, headers in $TMP/NAME.h
jcurl() {
    local name=$1 url=$2; shift 2
    JCODE=$(curl -s -m 10 -o "$TMP/$name.json" -D "$TMP/$name.h" -w '%{http_code}' "$@" "$url")
}

join_worked() { # URL
    jcurl jw "$1/join-worked"
    check "nginx: JOIN.md's worked signatures, '+' and plain concatenation" \
        eval '[ "$JCODE" = 200 ] &&
              jis "$TMP/jw.json" plus 32cd71b546b8c5062d3d11cf79050f5a15c6839a844549f82a195dcbdf32bc55 &&
              jis "$TMP/jw.json" plain 93afc2d39e2c1f9d12501f0ab3a350242f57dd327c9d83403e79de90e2fd216f'
}

# the command's answer for the same inputs: rtcjob under LuaJIT with the module nginx loads
join_cli() { # NAME ROOM USER CTIME
    RTC_APP_KEY=$JOIN_KEY RTC_CPATH="$SODIR/?.so" "$LUAJIT" "$ROOT/bin/rtcjob" join-signature \
        "$JOIN_APP" "$2" "$3" --ctime "$4" --json >"$TMP/$1.json" 2>"$TMP/$1.err"
}

same_five() { # FILE FILE: the five values the client SDKs take are equal
    local f
    for f in app_id room_id user_id ctime signature; do
        [ "$(jget "$1" $f)" = "$(jget "$2" $f)" ] || return 1
    done
}

# join_case NAME URL QUERY-ROOM QUERY-USER ROOM USER: one signature asked for and checked
join_case() {
    local n=$1 u=$2 room=$5 user=$6 before after ctime sig
    before=$(date +%s)
    jcurl "$n-ok" "$u?room_id=$3&user_id=$4" -H "X-Join-Secret: $JOIN_SECRET"
    after=$(date +%s)
    ctime=$(jget "$TMP/$n-ok.json" ctime); sig=$(jget "$TMP/$n-ok.json" signature)
    check "$n join ($room / $user): 200 with app_id, room_id, user_id, ctime, signature; no-store" \
        eval '[ "$JCODE" = 200 ] && jis "$TMP/$n-ok.json" app_id "$JOIN_APP" &&
              jis "$TMP/$n-ok.json" room_id "$room" && jis "$TMP/$n-ok.json" user_id "$user" &&
              echo "$sig" | grep -Eq "^[0-9a-f]{64}$" && grep -qi "^Cache-Control: no-store" "$TMP/$n-ok.h"'
    check "$n join ($room): ctime = now + 7200 (nginx's clock)" \
        eval '[ -n "$ctime" ] && [ "$ctime" -ge $((before + 7200 - 2)) ] && [ "$ctime" -le $((after + 7200 + 1)) ]'
    check "$n join ($room): the signature is openssl's HMAC-SHA256 of APP+ROOM+USER+CTIME" \
        eval '[ "$sig" = "$(printf "%s" "$JOIN_APP+$room+$user+$ctime" |
                             openssl dgst -sha256 -hmac "$JOIN_KEY" | sed "s/.* //")" ]'
    join_cli "$n-cli" "$room" "$user" "$ctime"
    check "$n join ($room): rtcjob join-signature --ctime answers the same five values" \
        same_five "$TMP/$n-cli.json" "$TMP/$n-ok.json"
}

join_checks() { # NAME URL
    local n=$1 u=$2/join-signature
    jcurl "$n-no" "$u?room_id=room-1&user_id=user-1"
    check "$n join: no X-Join-Secret -> 401, no signature" \
        eval '[ "$JCODE" = 401 ] && jis "$TMP/$n-no.json" error.kind unauthorized && ! jget "$TMP/$n-no.json" signature >/dev/null'
    jcurl "$n-bad" "$u?room_id=room-1&user_id=user-1" -H "X-Join-Secret: ${JOIN_SECRET}x"
    check "$n join: a wrong X-Join-Secret -> 401" eval '[ "$JCODE" = 401 ]'
    jcurl "$n-post" "$u?room_id=room-1&user_id=user-1" -X POST -H "X-Join-Secret: $JOIN_SECRET"
    check "$n join: POST -> 405" eval '[ "$JCODE" = 405 ]'

    join_case "$n" "$u" room-1 user-1 room-1 user-1
    join_case "$n" "$u" "r%20%C3%A9+x" "u%2B1" "r é x" "u+1"   # decoded as the SDKs send them
    jcurl "$n-empty" "$u?user_id=user-1" -H "X-Join-Secret: $JOIN_SECRET"
    check "$n join: no room_id -> 400 invalid, field room_id" \
        eval '[ "$JCODE" = 400 ] && jis "$TMP/$n-empty.json" error.kind invalid && jis "$TMP/$n-empty.json" error.field room_id'
    jcurl "$n-ctl" "$u?room_id=r&user_id=u%0Ax" -H "X-Join-Secret: $JOIN_SECRET"
    check "$n join: a control character in user_id -> 400, field user_id" \
        eval '[ "$JCODE" = 400 ] && jis "$TMP/$n-ctl.json" error.field user_id'
    jcurl "$n-two" "$u?room_id=a&room_id=b&user_id=u" -H "X-Join-Secret: $JOIN_SECRET"
    check "$n join: room_id twice -> 400, field room_id" \
        eval '[ "$JCODE" = 400 ] && jis "$TMP/$n-two.json" error.field room_id'
    check "$n join: the app_key and the caller secret are in no answer and not in error.log" \
        eval '! grep -l -e "$JOIN_KEY" -e "$JOIN_SECRET" "$TMP/$n"-*.json "$TMP/$n"-*.h "$TMP/$n"-*.err \
                 "$TMP/error-$n.log" 2>/dev/null | grep -q .'
}
