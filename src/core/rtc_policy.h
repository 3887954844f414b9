/* rtc_policy.h: the retry policy, pure (no I/O, no clock: time and the random draw are
 * arguments). Every transport asks it what to do after an attempt: the libcurl dispatcher,
 * and through `policy:decide` OpenResty or a user's own HTTP client. Includes nothing of Lua
 * or libcurl. */
#ifndef RTC_POLICY_H
#define RTC_POLICY_H

#include <stddef.h>

typedef struct rtc_policy {
  int retries;                   /* attempts after the first */
  double backoff_base, backoff_max;
  double deadline;               /* seconds from the first attempt's start */
  int nendpoints;
} rtc_policy;

/* What went wrong below HTTP (RTC_ERR_NONE: an answer with a status came back). */
typedef enum {
  RTC_ERR_NONE, RTC_ERR_CONNECT, RTC_ERR_TIMEOUT, RTC_ERR_TRANSPORT, RTC_ERR_CONFIG
} rtc_attempt_error;

typedef struct rtc_outcome {
  int idempotent;                /* the operation may be repeated after its request was sent */
  int attempt;                   /* 1 for the first */
  long status;                   /* 0 when none */
  rtc_attempt_error error;
  int sent;                      /* any byte of the request went out */
  double retry_after;            /* seconds the server asked for; < 0 when none */
  double started, now;           /* the first attempt's start, and now (any one clock) */
  int endpoint;                  /* 0-based */
  double random;                 /* a uniform draw in [0, 1) for the jitter */
} rtc_outcome;

typedef struct rtc_decision {
  int retry;
  double delay;                  /* seconds, when retry */
  int endpoint;                  /* 0-based: where the next attempt goes */
  const char *kind;              /* when not retry: "ok", "api", "timeout", "transport" */
} rtc_decision;

/* 1 for the statuses another attempt may mend (429, 500, 502, 503, 504). */
int rtc_policy_retryable_status(long status);
/* The backoff before attempt+1: full jitter in [0, min(backoff_max, base * 2^(attempt-1))). */
double rtc_policy_backoff(const rtc_policy *p, int attempt, double random01);
void rtc_policy_decide(const rtc_policy *p, const rtc_outcome *o, rtc_decision *d);

/* What a client knows of one endpoint's health: an endpoint that could not be reached (refused,
 * a timeout, a proxy that could not reach it) is avoided by later calls for a while (30 s, then
 * twice as long after each failure, up to 8 min) and tried again once that time is over; an
 * answer from it forgets the failures. Pure: now is an argument. */
#define RTC_AVOID_FIRST 30.0
#define RTC_AVOID_MAX 480.0
typedef struct rtc_health {
  int fails;                     /* failures in a row */
  double until;                  /* avoided before this (0: never failed) */
} rtc_health;

/* Marks a failure at now; returns the seconds the endpoint is now avoided for. */
double rtc_health_failed(rtc_health *h, double now);
void rtc_health_ok(rtc_health *h);
/* The endpoint to use: the first from `from` on (in order, wrapping) that is not avoided at now;
 * when all are, the one whose time is over first (it is tried again). */
int rtc_health_pick(const rtc_health *h, int n, int from, double now);

/* A Retry-After value as RFC 9110 allows it: delta-seconds (digits only) or an HTTP date
 * (now_unix is the current time of day, for dates). 0 and *seconds (>= 0), or -1 when the value
 * is none of those ("0x3", "3.5", "-1", "soon"). */
int rtc_retry_after_parse(const char *value, double now_unix, double *seconds);

/* The client-side rate limit: a token bucket of one token refilled at `rate` per second, so
 * attempts are spaced 1/rate apart and no second ever sees more than rate + 1 of them; and a hold
 * (a 429's Retry-After) before which no attempt starts. Pure: time is an argument (any one
 * clock, seconds). rate <= 0: no limit, only the hold. */
typedef struct rtc_bucket {
  double rate;
  double tokens;                 /* 0..1 */
  double at;                     /* when tokens was last brought up to date */
  double hold_until;             /* no attempt before this; 0: none */
} rtc_bucket;

void rtc_bucket_init(rtc_bucket *b, double rate, double now);
/* Seconds to wait before an attempt may start (0: now), nothing taken. */
double rtc_bucket_wait(const rtc_bucket *b, double now);
/* 0 and a token taken: start the attempt now; or the seconds to wait (nothing taken). */
double rtc_bucket_take(rtc_bucket *b, double now);
/* No attempt starts before `until` (a later hold wins over an earlier one). */
void rtc_bucket_hold(rtc_bucket *b, double until);

#endif
