/* rtc_dispatch.c: the calls of a client (see rtc_dispatch.h). Calls rtc_headers (headers,
 * signing), rtc_policy, rtc_engine; no Lua. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtc_dispatch.h"
#include "rtc_headers.h"
#include "rtc_text.h"

#include "rtc_dispatch_queues.h"

/* ---------------------------------------------------------------- finishing */

static void free_attempt(rtc_call *call) {
  rtc_headers_free_attempt(call->header_block);
  call->header_block = NULL;
  call->t.headers = NULL;
}

static void finish_error(rtc_dispatch *d, rtc_call *call, const char *kind, long status,
                         const char *message) {
  rtc_buf m = RTC_BUF_INIT;
  call->err_kind = kind;
  call->t.status = status;
  free(call->err_message);
  call->err_message = rtc_buf_add_str(&m, message) == 0 ? rtc_buf_take(&m) : NULL;
  rtc_buf_free(&m);
  rtc_done_push(d, call);
}

static void schedule(rtc_dispatch *d, rtc_call *call, double delay, double now) {
  call->state = RTC_CALL_QUEUED;
  d->queued++;
  call->not_before = now + delay;
  if (delay <= 0 || rtc_heap_push(d, call) != 0) rtc_ready_push(d, call);
}

/* Failures that another attempt cannot mend: the configuration (a proxy scheme, a CA file, a
 * URL) or the peer's certificate. */
static int config_error(CURLcode rc) {
  switch (rc) {
  case CURLE_URL_MALFORMAT: case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_OUT_OF_MEMORY:
  case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_WRITE_ERROR: case CURLE_BAD_FUNCTION_ARGUMENT:
  case CURLE_FAILED_INIT: case CURLE_NOT_BUILT_IN:
    return 1;
  default:
    return 0;
  }
}

static rtc_attempt_error classify(const rtc_transfer *t) {
  CURLcode rc = t->code;
  if (rc == CURLE_OK) return RTC_ERR_NONE;
  /* the proxy answered CONNECT with an error: it could not reach the endpoint (5xx), so the
   * request never left; or it refused us (407, 403, ...): a setting to fix */
  if (t->connect_status >= 500) return RTC_ERR_CONNECT;
  if (t->connect_status == 407 || t->connect_status == 403) return RTC_ERR_CONFIG;
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      rc == CURLE_COULDNT_RESOLVE_PROXY)
    return RTC_ERR_CONNECT;
  if (rc == CURLE_OPERATION_TIMEDOUT) return RTC_ERR_TIMEOUT;
  /* an answer that is no HTTP (libcurl 7.88 refuses HTTP/0.9 as an unsupported protocol) is
   * the server's fault, not the configuration's */
  if (rc == CURLE_UNSUPPORTED_PROTOCOL && t->sent > 0) return RTC_ERR_TRANSPORT;
  return config_error(rc) ? RTC_ERR_CONFIG : RTC_ERR_TRANSPORT;
}

/* A debug line "endpoint N (url) avoided for S s: why". */
static void endpoint_failed(rtc_dispatch *d, int endpoint, double now, const char *why) {
  double hold;
  rtc_buf line = RTC_BUF_INIT;
  if (d->cfg->nendpoints < 2) return;
  hold = rtc_health_failed(&d->health[endpoint], now);
  if (!d->cfg->debug) return;
  if (rtc_buf_addf(&line, "endpoint %d (%s) avoided by later calls for %g s: %s", endpoint + 1,
                   d->cfg->endpoints[endpoint].base, hold, why) == 0)
    rtc_queue_line(d, &line);
  else
    rtc_buf_free(&line);
}

static void finish_attempt(rtc_dispatch *d, rtc_call *call) {
  rtc_transfer *t = &call->t;
  rtc_outcome o;
  rtc_decision dec;
  double now = rtc_now();
  rtc_buf line = RTC_BUF_INIT;
  free_attempt(call);
  d->running--;
  if (t->too_large || t->headers_too_large) { /* never retried: the same answer would come */
    char msg[256];
    if (t->too_large)
      snprintf(msg, sizeof msg, "the answer (HTTP %ld) is larger than max_body (%ld bytes); "
               "reading stopped there", t->status, d->cfg->max_body);
    else if (t->headers_too_large == RTC_HEADERS_PAST_LIBCURL)
      snprintf(msg, sizeof msg, "the answer's headers pass libcurl's limits (a header line "
               "over 100 KiB, or too many headers: libcurl said \"%s\"); reading stopped there",
               curl_easy_strerror(t->code));
    else
      snprintf(msg, sizeof msg, "an answer header is longer than the limit (16384 "
               "bytes); reading stopped there");
    if (d->cfg->debug && rtc_buf_add_str(&line, msg) == 0) rtc_queue_line(d, &line);
    finish_error(d, call, "decode", t->status, msg);
    return;
  }
  if (t->sends > 1) { /* libcurl re-sent it: the first went out, and its answer was lost */
    call->attempts += t->sends - 1; /* before the policy counts them against retries */
    call->maybe_done = 1;
  }
  memset(&o, 0, sizeof o);
  o.idempotent = call->op->retry == RTC_RETRY_IDEMPOTENT;
  o.attempt = call->attempts;
  o.status = t->code == CURLE_OK ? t->status : 0;
  o.error = classify(t);
  /* a tunnel the proxy did not open carried nothing of the request; libcurl counts the CONNECT
   * in its bytes sent, so only the pre-request callback (run once the connection, tunnel
   * included, is up) says the request itself went out */
  o.sent = t->sends > 0 && t->sent != 0 && o.error != RTC_ERR_CONNECT && t->connect_status < 300;
  o.retry_after = -1;
  if (t->retry_after[0] != '\0' &&
      rtc_retry_after_parse(t->retry_after, (double)time(NULL), &o.retry_after) != 0)
    o.retry_after = -1;
  o.started = call->started;
  o.now = now;
  o.endpoint = call->endpoint;
  o.random = rtc_random01(d);
  rtc_policy_decide(&d->policy, &o, &dec);
  /* the policy knows the client's deadline; a call's own shorter bound (wait_*) holds too */
  if (dec.retry && now + dec.delay >= call->deadline_at) dec.retry = 0;
  if (o.sent && (o.error == RTC_ERR_TIMEOUT || o.error == RTC_ERR_TRANSPORT)) call->lost = 1;
  if (o.error == RTC_ERR_CONNECT)
    endpoint_failed(d, call->endpoint, now, t->connect_status ? "the proxy could not reach it"
                                                              : "could not connect");
  else if (o.error == RTC_ERR_TIMEOUT && (!o.sent || t->timeout_ms >= (long)(d->cfg->timeout * 1000)))
    /* an attempt cut short by the call's own bound (its deadline, wait_*) says nothing of the
     * endpoint */
    endpoint_failed(d, call->endpoint, now, o.sent ? "no answer in time" : "connect timed out");
  else if (o.error == RTC_ERR_NONE)
    rtc_health_ok(&d->health[call->endpoint]);
  /* a 429 with Retry-After slows the whole client: no attempt of any call starts before then
   * (bounded by the deadline, so that a hostile value cannot park the client for a day) */
  if (o.status == 429 && o.retry_after > 0)
    rtc_bucket_hold(&d->bucket, now + (o.retry_after < d->cfg->deadline ? o.retry_after :
                                       d->cfg->deadline));
  if (d->cfg->debug) {
    /* the server's request id and libcurl's text (which may quote the server) are escaped:
     * a debug line is read by people, on terminals */
    int rc;
    if (t->code == CURLE_OK)
      rc = rtc_buf_addf(&line, "< HTTP %ld (request ", t->status) |
           (t->request_id[0] ? rtc_text_escape(&line, t->request_id, strlen(t->request_id), 256)
                             : rtc_buf_add_char(&line, '-')) |
           rtc_buf_addf(&line, ", %lu bytes)", (unsigned long)t->response.len) |
           rtc_answer_debug(&line, &t->answer_headers, &t->response);
    else
      rc = rtc_buf_add(&line, "! ", 2) | rtc_text_escape(&line, t->error, strlen(t->error), 512);
    if (rc == 0) rtc_queue_line(d, &line);
    else rtc_buf_free(&line);
  }
  if (dec.retry) {
    rtc_buf why = RTC_BUF_INIT;
    /* what this attempt may have done stays true for the next one's answer */
    if (call->lost || (o.sent && o.status >= 500 && o.status <= 504)) call->maybe_done = 1;
    call->endpoint = rtc_health_pick(d->health, d->cfg->nendpoints, dec.endpoint, now + dec.delay);
    if (d->cfg->debug && d->cfg->nendpoints > 1 &&
        rtc_buf_addf(&why, "retry %d on endpoint %d (%s) in %.3f s", call->attempts + 1,
                     call->endpoint + 1, d->cfg->endpoints[call->endpoint].base, dec.delay) == 0)
      rtc_queue_line(d, &why);
    else
      rtc_buf_free(&why);
    schedule(d, call, dec.delay, now);
    return;
  }
  if (t->code == CURLE_OK) {
    d->preferred = call->endpoint;
    call->err_kind = NULL;
    rtc_done_push(d, call);
    return;
  }
  if (o.error == RTC_ERR_CONNECT) /* the next call starts where this one would have gone on */
    d->preferred = rtc_health_pick(d->health, d->cfg->nendpoints, call->endpoint, now);
  if (t->connect_status >= 300) {
    char msg[CURL_ERROR_SIZE + 128];
    snprintf(msg, sizeof msg, "%s (the proxy answered CONNECT with HTTP %ld%s)", t->error,
             t->connect_status, o.error == RTC_ERR_CONFIG ? ": check the proxy setting and "
             "its credentials" : o.error == RTC_ERR_CONNECT ? ": it could not reach the "
             "endpoint" : "");
    finish_error(d, call, o.error == RTC_ERR_CONFIG ? "config" : "transport", t->connect_status,
                 msg);
    return;
  }
  finish_error(d, call, t->code == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport",
               t->status > 0 ? t->status : 0, t->error);
}

/* ---------------------------------------------------------------- starting an attempt */

#define RTC_MIN_ATTEMPT 0.05 /* seconds: less time left than this is no attempt */

static void debug_request(rtc_dispatch *d, rtc_call *call, const rtc_headers *h) {
  rtc_buf line = RTC_BUF_INIT;
  if (!d->cfg->debug) return;
  if (rtc_headers_debug(&line, call->op->method, call->url.data, call->attempts, h, &call->body))
    rtc_buf_free(&line);
  else
    rtc_queue_line(d, &line);
}

static void start_attempt(rtc_dispatch *d, rtc_call *call, double now) {
  const rtc_config *cfg = d->cfg;
  const rtc_endpoint *ep;
  rtc_headers h;
  struct curl_slist *fixed;
  char err[256];
  double left, timeout = cfg->timeout;

  if (call->started < 0) { /* the deadline counts from the first attempt, not the queue */
    call->started = now;
    call->deadline_at = now + (call->max_time > 0 && call->max_time < cfg->deadline
                                   ? call->max_time : cfg->deadline);
    call->endpoint = rtc_health_pick(d->health, cfg->nendpoints, d->preferred, now);
  }
  call->attempts++;
  left = call->deadline_at - now;
  if (call->attempts > 1 && call->t.code == CURLE_OK && call->t.status > 0 &&
      left < RTC_MIN_ATTEMPT) {
    /* a retry whose time came too late for an attempt to finish (a loaded machine starts it
     * after its planned time): the call ends with the answer it had, as the policy would */
    call->attempts--;
    call->err_kind = NULL;
    rtc_done_push(d, call);
    return;
  }
  if (left <= 0) {
    finish_error(d, call, "timeout", 0, "the call's deadline passed before it could be sent");
    return;
  }
  if (timeout > left) timeout = left;
  ep = &cfg->endpoints[call->endpoint];
  if (rtc_build_headers(cfg, call->endpoint, call->op, &call->target, &call->body, time(NULL),
                        &h, err, sizeof err) != 0) {
    finish_error(d, call, "transport", 0, err);
    return;
  }
  fixed = rtc_headers_fixed(
      &d->fixed_headers[call->endpoint][rtc_content_slot(call->op, call->body.len)], &h);
  rtc_buf_reset(&call->url);
  if (fixed != NULL) call->t.headers = rtc_headers_attempt(&h, fixed, &call->header_block);
  if (fixed == NULL || call->t.headers == NULL || rtc_buf_add_str(&call->url, ep->base) ||
      rtc_buf_add(&call->url, call->target.data, call->target.len)) {
    free_attempt(call);
    finish_error(d, call, "transport", 0, "out of memory building the request");
    return;
  }
  debug_request(d, call, &h);
  call->t.method = call->op->method;
  call->t.url = call->url.data;
  call->t.origin = ep->origin;
  call->t.body = call->body.data;
  call->t.body_len = call->body.len;
  call->t.timeout_ms = (long)ceil(timeout * 1000.0);
  call->t.connect_ms = (long)ceil((cfg->connect_timeout < timeout ? cfg->connect_timeout : timeout) *
                                  1000.0);
  call->t.max_body = (size_t)cfg->max_body;
  /* one that must not be repeated goes on a connection of its own (see rtc_transfer.fresh) */
  call->t.fresh = call->op->retry != RTC_RETRY_IDEMPOTENT;
  call->t.http_version = d->http_version;
  call->t.keep_headers = cfg->debug != 0;
  call->t.owner = call;
  if (rtc_engine_add(&d->engine, &call->t) != 0) {
    free_attempt(call);
    finish_error(d, call, "transport", 0, call->t.error);
    return;
  }
  call->state = RTC_CALL_RUNNING;
  d->running++;
}

/* Starts what is due while there is room and the rate limit lets it: retries whose time came
 * first, then the FIFO. */
static void start_due(rtc_dispatch *d) {
  double now;
  if (d->queued == 0 || d->running >= d->limit) return;
  now = rtc_now();
  while (d->running < d->limit) {
    rtc_call *call;
    int due = d->nheap > 0 && d->heap[0]->not_before <= now;
    if (!due && d->ready_head == NULL) break;
    if (rtc_bucket_take(&d->bucket, now) > 0) break; /* rtc_dispatch_timeout knows how long */
    if (due) {
      call = d->heap[0];
      rtc_heap_remove(d, call);
    } else if (d->ready_head) {
      call = d->ready_head;
      d->ready_head = call->next;
      if (d->ready_head == NULL) d->ready_tail = NULL;
      call->next = NULL;
    } else {
      break;
    }
    d->queued--;
    start_attempt(d, call, now);
  }
}

static void collect(rtc_dispatch *d) {
  rtc_transfer *t;
  while ((t = rtc_engine_take_done(&d->engine)) != NULL) finish_attempt(d, (rtc_call *)t->owner);
}

double rtc_dispatch_timeout(rtc_dispatch *d) {
  double best = -1;
  if (d->running == 0 && d->queued == 0) return -1;
  if (d->running > 0) {
    long ms = rtc_engine_timeout_ms(&d->engine);
    if (ms >= 0) best = (double)ms / 1000.0;
  }
  if (d->queued > 0 && d->running < d->limit) {
    double wait = 0, now = rtc_now(), limited = rtc_bucket_wait(&d->bucket, now);
    if (d->ready_head == NULL && d->nheap > 0) {
      wait = d->heap[0]->not_before - now;
      if (wait < 0) wait = 0;
    }
    if (limited > wait) wait = limited;
    if (best < 0 || wait < best) best = wait;
  }
  if (best < 0) best = 1.0; /* running with no libcurl timer: look again within a second */
  return best;
}

void rtc_dispatch_run(rtc_dispatch *d, double wait, const rtc_call *until, rtc_call_class cls) {
  double end = wait >= 0 ? rtc_now() + wait : -1;
  int k = cls == RTC_CALL_BATCH;
  for (;;) {
    double next;
    long ms;
    start_due(d);
    if (until ? until->state == RTC_CALL_DONE : d->done_head[k] != NULL) break;
    if (d->running == 0 && d->queued == 0) break;
    next = rtc_dispatch_timeout(d);
    if (end >= 0) {
      double left = end - rtc_now();
      if (left < next) next = left;
    }
    if (next < 0) next = 0;
    ms = (long)ceil(next * 1000.0);
    if (ms > 1000) ms = 1000;
    rtc_engine_wait(&d->engine, ms); /* at least one pass, even with wait 0 */
    collect(d);
    if (end >= 0 && rtc_now() >= end) {
      start_due(d);
      break;
    }
  }
}

/* ---------------------------------------------------------------- call lifetime */

int rtc_dispatch_init(rtc_dispatch *d, const rtc_config *cfg, char *err, size_t errlen) {
  rtc_engine_settings s;
  memset(d, 0, sizeof *d);
  d->cfg = cfg;
  d->policy.retries = (int)cfg->retries;
  d->policy.backoff_base = cfg->backoff_base;
  d->policy.backoff_max = cfg->backoff_max;
  d->policy.deadline = cfg->deadline;
  d->policy.nendpoints = cfg->nendpoints;
  d->limit = (int)cfg->concurrency;
  /* "2": HTTP/2 where TLS negotiates it (libcurl 7.88's default too); "1.1": as the official
   * SDKs speak */
  d->http_version = cfg->http_version == NULL ? 0
                    : strcmp(cfg->http_version, "1.1") == 0 ? (long)CURL_HTTP_VERSION_1_1
                                                             : (long)CURL_HTTP_VERSION_2TLS;
  rtc_bucket_init(&d->bucket, (double)cfg->rate, rtc_now());
  d->next_id = 1;
  d->rng = (unsigned long long)time(NULL) ^ ((unsigned long long)(size_t)d << 16) ^
           0x9e3779b97f4a7c15ULL;
  s.insecure = cfg->insecure;
  s.ca_file = cfg->ca_file;
  s.ca_path = cfg->ca_path;
  s.proxy = cfg->proxy;
  s.env_http_proxy = cfg->env_http_proxy;
  s.env_https_proxy = cfg->env_https_proxy;
  s.env_no_proxy = cfg->env_no_proxy;
  return rtc_engine_init(&d->engine, &s, err, errlen);
}

/* One released call is kept for the next submit: calls one after another then reuse its struct
 * (over 1 KB to zero) and its URL and answer buffers rather than allocating them again. Buffers
 * past this size are not kept (an answer may be up to max_body). */
#define RTC_SPARE_BUF_MAX 65536

static rtc_call *take_spare(rtc_dispatch *d) {
  rtc_call *call = d->spare;
  rtc_buf url, response;
  if (call == NULL) return calloc(1, sizeof *call);
  d->spare = NULL;
  url = call->url;
  response = call->t.response;
  memset(call, 0, sizeof *call);
  rtc_buf_reset(&url);
  rtc_buf_reset(&response);
  call->url = url;
  call->t.response = response;
  return call;
}

static void free_call(rtc_call *call) {
  rtc_buf_free(&call->url);
  rtc_buf_free(&call->t.answer_headers);
  rtc_buf_free(&call->t.response);
  free(call);
}

rtc_call *rtc_dispatch_submit(rtc_dispatch *d, const rtc_operation *op, rtc_buf *target,
                              rtc_buf *body, rtc_call_class cls) {
  rtc_call *call = take_spare(d);
  if (call == NULL) {
    rtc_buf_free(target);
    rtc_buf_free(body);
    return NULL;
  }
  call->target = *target;
  call->body = *body;
  memset(target, 0, sizeof *target);
  memset(body, 0, sizeof *body); /* the call owns the buffers now */
  call->op = op;
  call->cls = cls;
  call->id = d->next_id++;
  call->started = -1;
  call->next_all = d->all;
  if (d->all) d->all->prev_all = call;
  d->all = call;
  call->state = RTC_CALL_QUEUED;
  d->queued++;
  rtc_ready_push(d, call);
  return call;
}

/* Stops whatever the call is doing. */
static void abort_call(rtc_dispatch *d, rtc_call *call) {
  if (call->state == RTC_CALL_RUNNING) {
    rtc_engine_abort(&d->engine, &call->t);
    d->running--;
  } else if (call->state == RTC_CALL_QUEUED) {
    if (call->heap_pos) rtc_heap_remove(d, call);
    else rtc_ready_remove(d, call);
    d->queued--;
  }
  free_attempt(call);
}

void rtc_dispatch_release(rtc_dispatch *d, rtc_call *call) {
  abort_call(d, call);
  if (call->state == RTC_CALL_DONE) rtc_done_remove(d, call);
  if (d->all == call) d->all = call->next_all;
  else if (call->prev_all) call->prev_all->next_all = call->next_all;
  if (call->next_all) call->next_all->prev_all = call->prev_all;
  rtc_buf_free(&call->target);
  rtc_buf_free(&call->body);
  rtc_buf_free(&call->t.answer_headers);
  free(call->err_message);
  call->err_message = NULL;
  if (d->spare == NULL && call->url.cap <= RTC_SPARE_BUF_MAX &&
      call->t.response.cap <= RTC_SPARE_BUF_MAX)
    d->spare = call;
  else
    free_call(call);
}

void rtc_dispatch_fail(rtc_dispatch *d, rtc_call *call, const char *kind, const char *message) {
  if (call->state == RTC_CALL_DONE) return;
  abort_call(d, call);
  finish_error(d, call, kind, 0, message);
}

void rtc_dispatch_cancel(rtc_dispatch *d, rtc_call *call) {
  rtc_dispatch_fail(d, call, "cancelled", "the call was cancelled");
}

void rtc_dispatch_free(rtc_dispatch *d) {
  int i, k;
  size_t n;
  while (d->all) rtc_dispatch_release(d, d->all);
  if (d->spare) free_call(d->spare);
  d->spare = NULL;
  rtc_engine_free(&d->engine);
  for (i = 0; i < RTC_MAX_ENDPOINTS; i++)
    for (k = 0; k < 3; k++) rtc_headers_free_fixed(&d->fixed_headers[i][k]);
  for (n = 0; n < d->nlines; n++) free(d->lines[n]);
  free(d->lines);
  d->lines = NULL;
  d->nlines = d->lines_cap = 0;
  free(d->heap);
  d->heap = NULL;
  d->nheap = d->heap_cap = 0;
}
