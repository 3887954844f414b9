/* rtc_policy.c: the retry policy (see rtc_policy.h). Pure: the same outcome always gives the
 * same decision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h> /* curl_getdate: libcurl's HTTP-date parser, a pure function */

#include "rtc_policy.h"
#include "rtc_text.h"

int rtc_policy_retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

double rtc_policy_backoff(const rtc_policy *p, int attempt, double random01) {
  double cap = p->backoff_base * pow(2.0, attempt > 31 ? 30 : attempt < 1 ? 0 : attempt - 1);
  if (cap > p->backoff_max) cap = p->backoff_max;
  if (random01 < 0) random01 = 0;
  if (random01 >= 1) random01 = 0.999999999;
  return cap * random01;
}

static void give_up(rtc_decision *d, const char *kind) {
  d->retry = 0;
  d->delay = 0;
  d->kind = kind;
}

/* A retry at now + delay, unless that would pass the deadline. */
static void retry_at(const rtc_policy *p, const rtc_outcome *o, rtc_decision *d, double delay,
                     int endpoint, const char *kind) {
  if (o->now + delay >= o->started + p->deadline) {
    give_up(d, kind);
    return;
  }
  d->retry = 1;
  d->delay = delay;
  d->endpoint = endpoint;
  d->kind = NULL;
}

void rtc_policy_decide(const rtc_policy *p, const rtc_outcome *o, rtc_decision *d) {
  int n = p->nendpoints > 0 ? p->nendpoints : 1;
  int may_retry = o->attempt <= p->retries;
  double backoff = rtc_policy_backoff(p, o->attempt, o->random);
  d->endpoint = o->endpoint;
  if (o->error == RTC_ERR_NONE) {
    const char *kind = o->status >= 200 && o->status < 300 ? "ok" : "api";
    /* a POST that reached the server is not repeated, whatever the answer */
    if (!rtc_policy_retryable_status(o->status) || !may_retry || !o->idempotent) {
      give_up(d, kind);
      return;
    }
    retry_at(p, o, d, o->retry_after > backoff ? o->retry_after : backoff, o->endpoint, kind);
    return;
  }
  if (o->error == RTC_ERR_CONFIG) { /* another attempt cannot mend it */
    give_up(d, "transport");
    return;
  }
  {
    const char *kind = o->error == RTC_ERR_TIMEOUT ? "timeout" : "transport";
    /* A timeout with nothing sent was spent connecting (on a reused connection the connect
     * time is 0 too, so only the bytes sent tell the two apart). */
    int unreached = o->error == RTC_ERR_CONNECT || (o->error == RTC_ERR_TIMEOUT && !o->sent);
    /* a request that was not sent at all may be sent again, whatever the operation */
    if (!may_retry || (!o->idempotent && o->sent && !unreached)) {
      give_up(d, kind);
      return;
    }
    /* an endpoint that did not answer in time may be black-holed: the next one is tried (an
     * idempotent request, or one that never left) */
    if ((unreached || o->error == RTC_ERR_TIMEOUT) && n > 1) {
      /* straight on to the next endpoint while some are untried; back off once all failed */
      retry_at(p, o, d, o->attempt % n ? 0.0 : backoff, (o->endpoint + 1) % n, kind);
      return;
    }
    retry_at(p, o, d, backoff, o->endpoint, kind);
  }
}

double rtc_health_failed(rtc_health *h, double now) {
  double hold = RTC_AVOID_FIRST;
  int k;
  if (h->fails < 1000) h->fails++;
  for (k = 1; k < h->fails && hold < RTC_AVOID_MAX; k++) hold *= 2;
  if (hold > RTC_AVOID_MAX) hold = RTC_AVOID_MAX;
  h->until = now + hold;
  return hold;
}

void rtc_health_ok(rtc_health *h) {
  h->fails = 0;
  h->until = 0;
}

int rtc_health_pick(const rtc_health *h, int n, int from, double now) {
  int k, best = -1;
  if (n <= 1) return 0;
  if (from < 0 || from >= n) from = 0;
  for (k = 0; k < n; k++) {
    int i = (from + k) % n;
    if (h[i].until <= now) return i;
    if (best < 0 || h[i].until < h[best].until) best = i;
  }
  return best;
}

int rtc_retry_after_parse(const char *value, double now_unix, double *seconds) {
  size_t i, len;
  if (value == NULL) return -1;
  len = strlen(value);
  if (len == 0) return -1;
  for (i = 0; i < len && rtc_is(value[i], RTC_C_DIGIT); i++) {}
  if (i == len) { /* delta-seconds = 1*DIGIT */
    *seconds = len > 9 ? 1e9 : strtod(value, NULL);
    return 0;
  }
  /* an HTTP date (IMF-fixdate, or the obsolete forms): starts with a day name */
  if (!((value[0] >= 'A' && value[0] <= 'Z') || (value[0] >= 'a' && value[0] <= 'z'))) return -1;
  {
    time_t when = curl_getdate(value, NULL);
    if (when == (time_t)-1) return -1;
    *seconds = (double)when > now_unix ? (double)when - now_unix : 0;
  }
  return 0;
}

/* ---------------------------------------------------------------- the rate limit */

void rtc_bucket_init(rtc_bucket *b, double rate, double now) {
  b->rate = rate > 0 ? rate : 0;
  b->tokens = 1;
  b->at = now;
  b->hold_until = 0;
}

static double tokens_at(const rtc_bucket *b, double now) {
  double t = b->tokens + (now > b->at ? (now - b->at) * b->rate : 0);
  return t > 1 ? 1 : t;
}

double rtc_bucket_wait(const rtc_bucket *b, double now) {
  double t;
  if (now < b->hold_until) return b->hold_until - now;
  if (b->rate <= 0) return 0;
  t = tokens_at(b, now);
  return t >= 1 - 1e-9 ? 0 : (1 - t) / b->rate; /* 1e-9: 0.1 * 10 is not always 1 */
}

double rtc_bucket_take(rtc_bucket *b, double now) {
  double wait = rtc_bucket_wait(b, now);
  if (wait > 0) return wait;
  if (b->rate > 0) {
    b->tokens = tokens_at(b, now) - 1;
    b->at = now;
  }
  return 0;
}

void rtc_bucket_hold(rtc_bucket *b, double until) {
  if (until > b->hold_until) b->hold_until = until;
}
