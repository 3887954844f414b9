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

/* ---------------------------------------------------------------- debug lines */

static void queue_line(rtc_dispatch *d, rtc_buf *line) {
  char *s;
  if (d->nlines == d->lines_cap) {
    size_t cap = d->lines_cap ? d->lines_cap * 2 : 16;
    char **p = realloc(d->lines, cap * sizeof *p);
    if (p == NULL) { rtc_buf_free(line); return; } /* a lost debug line, not a lost call */
    d->lines = p;
    d->lines_cap = cap;
  }
  s = rtc_buf_take(line);
  if (s) d->lines[d->nlines++] = s;
}

char **rtc_dispatch_take_lines(rtc_dispatch *d, size_t *n) {
  char **lines = d->lines;
  *n = d->nlines;
  d->lines = NULL;
  d->nlines = d->lines_cap = 0;
  return lines;
}

/* ---------------------------------------------------------------- the queues */

static double random01(rtc_dispatch *d) { /* xorshift64*: plenty for jitter */
  d->rng ^= d->rng >> 12;
  d->rng ^= d->rng << 25;
  d->rng ^= d->rng >> 27;
  return (double)((d->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void ready_push(rtc_dispatch *d, rtc_call *call) {
  call->next = NULL;
  if (d->ready_tail) d->ready_tail->next = call;
  else d->ready_head = call;
  d->ready_tail = call;
}

static void ready_remove(rtc_dispatch *d, rtc_call *call) {
  rtc_call **p, *prev = NULL;
  for (p = &d->ready_head; *p; prev = *p, p = &(*p)->next)
    if (*p == call) {
      *p = call->next;
      if (d->ready_tail == call) d->ready_tail = prev;
      call->next = NULL;
      return;
    }
}

static void heap_set(rtc_dispatch *d, size_t i, rtc_call *call) {
  d->heap[i] = call;
  call->heap_pos = i + 1;
}

static void heap_up(rtc_dispatch *d, size_t i) {
  rtc_call *call = d->heap[i];
  while (i > 0 && d->heap[(i - 1) / 2]->not_before > call->not_before) {
    heap_set(d, i, d->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  heap_set(d, i, call);
}

static void heap_down(rtc_dispatch *d, size_t i) {
  rtc_call *call = d->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= d->nheap) break;
    if (c + 1 < d->nheap && d->heap[c + 1]->not_before < d->heap[c]->not_before) c++;
    if (d->heap[c]->not_before >= call->not_before) break;
    heap_set(d, i, d->heap[c]);
    i = c;
  }
  heap_set(d, i, call);
}

static int heap_push(rtc_dispatch *d, rtc_call *call) {
  if (d->nheap == d->heap_cap) {
    size_t cap = d->heap_cap ? d->heap_cap * 2 : 16;
    rtc_call **p = realloc(d->heap, cap * sizeof *p);
    if (p == NULL) return -1;
    d->heap = p;
    d->heap_cap = cap;
  }
  d->heap[d->nheap++] = call;
  heap_up(d, d->nheap - 1);
  return 0;
}

static void heap_remove(rtc_dispatch *d, rtc_call *call) {
  size_t i = call->heap_pos - 1;
  call->heap_pos = 0;
  d->nheap--;
  if (i == d->nheap) return;
  d->heap[i] = d->heap[d->nheap];
  d->heap[i]->heap_pos = i + 1;
  heap_up(d, i);
  heap_down(d, d->heap[i]->heap_pos - 1);
}

static void done_push(rtc_dispatch *d, rtc_call *call) {
  int k;
  call->state = RTC_CALL_DONE;
  if (call->cls == RTC_CALL_BLOCKING) return;
  k = call->cls == RTC_CALL_BATCH;
  call->next = NULL;
  if (d->done_tail[k]) d->done_tail[k]->next = call;
  else d->done_head[k] = call;
  d->done_tail[k] = call;
}

static void done_remove(rtc_dispatch *d, rtc_call *call) {
  int k = call->cls == RTC_CALL_BATCH;
  rtc_call **p, *prev = NULL;
  if (call->cls == RTC_CALL_BLOCKING) return;
  for (p = &d->done_head[k]; *p; prev = *p, p = &(*p)->next)
    if (*p == call) {
      *p = call->next;
      if (d->done_tail[k] == call) d->done_tail[k] = prev;
      call->next = NULL;
      return;
    }
}

rtc_call *rtc_dispatch_take_done(rtc_dispatch *d, rtc_call_class cls) {
  int k = cls == RTC_CALL_BATCH;
  rtc_call *call = d->done_head[k];
  if (call) {
    d->done_head[k] = call->next;
    if (d->done_head[k] == NULL) d->done_tail[k] = NULL;
    call->next = NULL;
  }
  return call;
}

const rtc_call *rtc_dispatch_peek_done(const rtc_dispatch *d, rtc_call_class cls) {
  return d->done_head[cls == RTC_CALL_BATCH];
}

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
  done_push(d, call);
}

static void schedule(rtc_dispatch *d, rtc_call *call, double delay, double now) {
  call->state = RTC_CALL_QUEUED;
  d->queued++;
  call->not_before = now + delay;
  if (delay <= 0 || heap_push(d, call) != 0) ready_push(d, call);
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

static rtc_attempt_error classify(CURLcode rc) {
  if (rc == CURLE_OK) return RTC_ERR_NONE;
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      rc == CURLE_COULDNT_RESOLVE_PROXY)
    return RTC_ERR_CONNECT;
  if (rc == CURLE_OPERATION_TIMEDOUT) return RTC_ERR_TIMEOUT;
  return config_error(rc) ? RTC_ERR_CONFIG : RTC_ERR_TRANSPORT;
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
    if (d->cfg->debug && rtc_buf_add_str(&line, msg) == 0) queue_line(d, &line);
    finish_error(d, call, "decode", t->status, msg);
    return;
  }
  memset(&o, 0, sizeof o);
  o.idempotent = call->op->retry == RTC_RETRY_IDEMPOTENT;
  o.attempt = call->attempts;
  o.status = t->code == CURLE_OK ? t->status : 0;
  o.error = classify(t->code);
  o.sent = t->sent != 0;
  o.retry_after = -1;
  if (t->retry_after[0] != '\0' &&
      rtc_retry_after_parse(t->retry_after, (double)time(NULL), &o.retry_after) != 0)
    o.retry_after = -1;
  o.started = call->started;
  o.now = now;
  o.endpoint = call->endpoint;
  o.random = random01(d);
  rtc_policy_decide(&d->policy, &o, &dec);
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
    if (rc == 0) queue_line(d, &line);
    else rtc_buf_free(&line);
  }
  if (dec.retry) {
    call->endpoint = dec.endpoint;
    schedule(d, call, dec.delay, now);
    return;
  }
  if (o.error == RTC_ERR_CONNECT || (o.error == RTC_ERR_TIMEOUT && !o.sent))
    call->endpoint = (call->endpoint + 1) % d->cfg->nendpoints; /* as the policy would go on */
  if (t->code == CURLE_OK) {
    d->preferred = call->endpoint;
    call->err_kind = NULL;
    done_push(d, call);
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
    queue_line(d, &line);
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
    call->deadline_at = now + cfg->deadline;
  }
  call->attempts++;
  left = call->deadline_at - now;
  if (call->attempts > 1 && call->t.code == CURLE_OK && call->t.status > 0 &&
      left < RTC_MIN_ATTEMPT) {
    /* a retry whose time came too late for an attempt to finish (a loaded machine starts it
     * after its planned time): the call ends with the answer it had, as the policy would */
    call->attempts--;
    call->err_kind = NULL;
    done_push(d, call);
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
      heap_remove(d, call);
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
  call->endpoint = d->preferred;
  call->started = -1;
  call->next_all = d->all;
  if (d->all) d->all->prev_all = call;
  d->all = call;
  call->state = RTC_CALL_QUEUED;
  d->queued++;
  ready_push(d, call);
  return call;
}

/* Stops whatever the call is doing. */
static void abort_call(rtc_dispatch *d, rtc_call *call) {
  if (call->state == RTC_CALL_RUNNING) {
    rtc_engine_abort(&d->engine, &call->t);
    d->running--;
  } else if (call->state == RTC_CALL_QUEUED) {
    if (call->heap_pos) heap_remove(d, call);
    else ready_remove(d, call);
    d->queued--;
  }
  free_attempt(call);
}

void rtc_dispatch_release(rtc_dispatch *d, rtc_call *call) {
  abort_call(d, call);
  if (call->state == RTC_CALL_DONE) done_remove(d, call);
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
