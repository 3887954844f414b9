/* rtc_dispatch.c: the calls of a client (see rtc_dispatch.h). Calls no Lua API: it includes
 * rtc_sign.h for the signer's C functions only. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "rtc_dispatch.h"
#include "rtc_sign.h"

/* ---------------------------------------------------------------- headers and signing */

static void add_header(rtc_headers *h, const char *name, const char *value) {
  if (h->n < RTC_MAX_HEADERS) {
    h->name[h->n] = name;
    h->value[h->n] = value;
    h->n++;
  }
}

void rtc_headers_free(rtc_headers *h) {
  free(h->authorization);
  h->authorization = NULL;
}

int rtc_build_headers(const rtc_config *cfg, int endpoint, const rtc_operation *op,
                      const rtc_buf *target, const rtc_buf *body, time_t now, rtc_headers *h,
                      char *err, size_t errlen) {
  const rtc_endpoint *ep = &cfg->endpoints[endpoint];
  h->n = 0;
  h->authorization = NULL;
  add_header(h, "Host", ep->host);
  add_header(h, "Content-Type",
             body->len ? (op->content_type ? op->content_type : "application/json;charset=utf-8")
                       : "application/json");
  if (cfg->token) {
    add_header(h, "X-Auth-Token", cfg->token);
  } else {
    rtc_sign_header signed_headers[RTC_MAX_HEADERS];
    rtc_buf path = RTC_BUF_INIT;
    size_t i;
    int rc;
    rtc_sign_format_date(h->date, now);
    add_header(h, "X-Sdk-Date", h->date);
    add_header(h, "X-Project-Id", cfg->project_id);
    if (cfg->security_token) add_header(h, "X-Security-Token", cfg->security_token);
    for (i = 0; i < h->n; i++) {
      signed_headers[i].name = h->name[i];
      signed_headers[i].name_len = strlen(h->name[i]);
      signed_headers[i].value = h->value[i];
      signed_headers[i].value_len = strlen(h->value[i]);
    }
    if (rtc_buf_add_str(&path, ep->prefix) || rtc_buf_add(&path, target->data, target->len)) {
      rtc_buf_free(&path);
      snprintf(err, errlen, "out of memory signing the request");
      return -1;
    }
    rc = rtc_sign_authorization_key(cfg->sign_key, op->method, path.data, path.len,
                                    signed_headers, h->n, body->data, body->len, cfg->ak,
                                    &h->authorization, err, errlen);
    rtc_buf_free(&path);
    if (rc != 0) return -1;
    add_header(h, "Authorization", h->authorization);
  }
  add_header(h, "User-Agent", cfg->user_agent);
  return 0;
}

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
  free(call->header_block);
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
  if (t->too_large || t->headers_too_large) {
    char msg[256];
    if (t->too_large)
      snprintf(msg, sizeof msg, "the answer (HTTP %ld) is larger than max_body (%ld bytes); "
               "reading stopped there", t->status, d->cfg->max_body);
    else
      snprintf(msg, sizeof msg, "an answer header is longer than 16384 bytes; reading stopped "
               "there");
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
  if (d->cfg->debug) {
    if (t->code == CURLE_OK)
      rtc_buf_addf(&line, "< HTTP %ld (request %s, %lu bytes)", t->status,
                   t->request_id[0] ? t->request_id : "-", (unsigned long)t->response.len);
    else
      rtc_buf_addf(&line, "! %s", t->error);
    queue_line(d, &line);
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

static int per_attempt(const char *name) {
  return strcmp(name, "X-Sdk-Date") == 0 || strcmp(name, "Authorization") == 0;
}

static int slist_add(struct curl_slist **list, rtc_buf *tmp, const char *name, const char *value) {
  struct curl_slist *next;
  rtc_buf_reset(tmp);
  if (rtc_buf_add_str(tmp, name) || rtc_buf_add(tmp, ": ", value[0] ? 2 : 1) ||
      rtc_buf_add_str(tmp, value))
    return -1;
  next = curl_slist_append(*list, tmp->data);
  if (next == NULL) return -1;
  *list = next;
  return 0;
}

/* The headers that never change for an endpoint and a kind of request, built once per client.
 * "Expect:" (no value) removes libcurl's own Expect header: no 100-continue round trip, and no
 * Expect header on the wire at all. */
static struct curl_slist *fixed_headers(rtc_dispatch *d, int endpoint, int has_body,
                                        const rtc_headers *h) {
  struct curl_slist **slot = &d->fixed_headers[endpoint][has_body ? 1 : 0];
  struct curl_slist *list = *slot;
  rtc_buf tmp = RTC_BUF_INIT;
  size_t i;
  if (list != NULL) return list;
  for (i = 0; i < h->n; i++)
    if (!per_attempt(h->name[i]) && slist_add(&list, &tmp, h->name[i], h->value[i]) != 0) break;
  if (i < h->n || slist_add(&list, &tmp, "Accept", "application/json") ||
      slist_add(&list, &tmp, "Expect", "")) {
    curl_slist_free_all(list);
    list = NULL;
  }
  rtc_buf_free_secret(&tmp);
  *slot = list;
  return list;
}

/* X-Sdk-Date and Authorization change with every attempt: one block holds their list nodes and
 * texts, linked in front of the fixed list (struct curl_slist is public; libcurl only reads it). */
static int attempt_headers(rtc_call *call, const rtc_headers *h, struct curl_slist *fixed) {
  size_t i, k = 0, text = 0;
  struct curl_slist *nodes;
  char *p;
  for (i = 0; i < h->n; i++)
    if (per_attempt(h->name[i])) k++, text += strlen(h->name[i]) + 2 + strlen(h->value[i]) + 1;
  call->header_block = NULL;
  call->t.headers = fixed;
  if (k == 0) return 0;
  p = malloc(k * sizeof *nodes + text);
  if (p == NULL) return -1;
  nodes = (struct curl_slist *)(void *)p;
  p += k * sizeof *nodes;
  for (i = 0, k = 0; i < h->n; i++) {
    size_t nl, vl;
    if (!per_attempt(h->name[i])) continue;
    nl = strlen(h->name[i]);
    vl = strlen(h->value[i]);
    nodes[k].data = p;
    memcpy(p, h->name[i], nl);
    memcpy(p + nl, ": ", 2);
    memcpy(p + nl + 2, h->value[i], vl + 1);
    p += nl + 2 + vl + 1;
    if (k > 0) nodes[k - 1].next = &nodes[k];
    k++;
  }
  nodes[k - 1].next = fixed;
  call->header_block = nodes;
  call->t.headers = nodes;
  return 0;
}

static void debug_request(rtc_dispatch *d, rtc_call *call, const rtc_headers *h) {
  rtc_buf line = RTC_BUF_INIT;
  size_t i;
  if (!d->cfg->debug) return;
  if (rtc_buf_addf(&line, "> %s %s (attempt %d)", call->op->method, call->url.data,
                   call->attempts))
    goto fail;
  for (i = 0; i < h->n; i++) {
    /* secrets stay out of debug output: the token and security token are shown redacted */
    int secret = strcmp(h->name[i], "X-Auth-Token") == 0 ||
                 strcmp(h->name[i], "X-Security-Token") == 0;
    if (rtc_buf_addf(&line, "\n> %s: %s", h->name[i], secret ? "<redacted>" : h->value[i]))
      goto fail;
  }
  if (call->body.len && (rtc_buf_add(&line, "\n> ", 3) ||
                         rtc_buf_add(&line, call->body.data, call->body.len)))
    goto fail;
  queue_line(d, &line);
  return;
fail:
  rtc_buf_free(&line);
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
  fixed = fixed_headers(d, call->endpoint, call->body.len > 0, &h);
  rtc_buf_reset(&call->url);
  if (fixed == NULL || attempt_headers(call, &h, fixed) != 0 || rtc_buf_add_str(&call->url, ep->base) ||
      rtc_buf_add(&call->url, call->target.data, call->target.len)) {
    rtc_headers_free(&h);
    free_attempt(call);
    finish_error(d, call, "transport", 0, "out of memory building the request");
    return;
  }
  debug_request(d, call, &h);
  rtc_headers_free(&h);
  call->t.method = call->op->method;
  call->t.url = call->url.data;
  call->t.body = call->body.data;
  call->t.body_len = call->body.len;
  call->t.timeout_ms = (long)ceil(timeout * 1000.0);
  call->t.connect_ms = (long)ceil((cfg->connect_timeout < timeout ? cfg->connect_timeout : timeout) *
                                  1000.0);
  call->t.max_body = (size_t)cfg->max_body;
  call->t.owner = call;
  if (rtc_engine_add(&d->engine, &call->t) != 0) {
    free_attempt(call);
    finish_error(d, call, "transport", 0, call->t.error);
    return;
  }
  call->state = RTC_CALL_RUNNING;
  d->running++;
}

/* Starts what is due while there is room: retries whose time came first, then the FIFO. */
static void start_due(rtc_dispatch *d) {
  double now;
  if (d->queued == 0 || d->running >= d->limit) return;
  now = rtc_now();
  while (d->running < d->limit) {
    rtc_call *call;
    if (d->nheap > 0 && d->heap[0]->not_before <= now) {
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
    double wait = 0;
    if (d->ready_head == NULL && d->nheap > 0) {
      wait = d->heap[0]->not_before - rtc_now();
      if (wait < 0) wait = 0;
    }
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

rtc_call *rtc_dispatch_submit(rtc_dispatch *d, const rtc_operation *op, rtc_buf *target,
                              rtc_buf *body, rtc_call_class cls) {
  rtc_call *call = calloc(1, sizeof *call);
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
  if (call->prev_all) call->prev_all->next_all = call->next_all;
  else d->all = call->next_all;
  if (call->next_all) call->next_all->prev_all = call->prev_all;
  rtc_buf_free(&call->target);
  rtc_buf_free(&call->body);
  rtc_buf_free(&call->url);
  rtc_buf_free(&call->t.response);
  free(call->err_message);
  free(call);
}

void rtc_dispatch_cancel(rtc_dispatch *d, rtc_call *call) {
  if (call->state == RTC_CALL_DONE) return;
  abort_call(d, call);
  finish_error(d, call, "cancelled", 0, "the call was cancelled");
}

void rtc_dispatch_free(rtc_dispatch *d) {
  int i, k;
  size_t n;
  while (d->all) rtc_dispatch_release(d, d->all);
  rtc_engine_free(&d->engine);
  for (i = 0; i < RTC_MAX_ENDPOINTS; i++)
    for (k = 0; k < 2; k++) {
      struct curl_slist *node;
      for (node = d->fixed_headers[i][k]; node; node = node->next)
        OPENSSL_cleanse(node->data, strlen(node->data)); /* held the token, if any */
      curl_slist_free_all(d->fixed_headers[i][k]);
      d->fixed_headers[i][k] = NULL;
    }
  for (n = 0; n < d->nlines; n++) free(d->lines[n]);
  free(d->lines);
  d->lines = NULL;
  d->nlines = d->lines_cap = 0;
  free(d->heap);
  d->heap = NULL;
  d->nheap = d->heap_cap = 0;
}
