/* rtc_engine.c: the libcurl transport. Every call, blocking or not, is a small state machine
 * (queued -> running -> done, back to queued for a retry) driven over one curl multi handle,
 * so deadlines, retries, failover and concurrency are written once. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "rtc.h"

double rtc_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Full jitter wants a uniform draw; xorshift64* is plenty (this is not cryptography). */
static double random01(rtc_client *c) {
  c->rng ^= c->rng >> 12;
  c->rng ^= c->rng << 25;
  c->rng ^= c->rng >> 27;
  return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void free_attempt_headers(rtc_call *call);

/* ---------------------------------------------------------------- libcurl callbacks */

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
  rtc_call *call = ud;
  size_t len = size * n;
  if (len > call->max_body || call->response.len > call->max_body - len) {
    call->too_large = 1; /* returning short makes libcurl stop reading: CURLE_WRITE_ERROR */
    return 0;
  }
  if (rtc_buf_add(&call->response, data, len) != 0) return 0;
  return len;
}

/* Copies a header's trimmed value into out when its name matches (case-insensitively). */
static int header_value(const char *line, size_t len, const char *name, char *out, size_t outlen) {
  size_t nlen = strlen(name), end;
  if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0) return 0;
  line += nlen + 1;
  len -= nlen + 1;
  while (len && (*line == ' ' || *line == '\t')) line++, len--;
  end = len;
  while (end && isspace((unsigned char)line[end - 1])) end--;
  if (end >= outlen) end = outlen - 1;
  memcpy(out, line, end);
  out[end] = '\0';
  return 1;
}

static size_t on_header(char *line, size_t size, size_t n, void *ud) {
  rtc_call *call = ud;
  size_t len = size * n;
  char value[64];
  if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) { /* a new answer (after 100 Continue, say) */
    call->request_id[0] = call->content_type[0] = call->location[0] = '\0';
    call->retry_after = -1;
    return len;
  }
  if (header_value(line, len, "x-request-id", call->request_id, sizeof call->request_id) ||
      header_value(line, len, "content-type", call->content_type, sizeof call->content_type) ||
      header_value(line, len, "location", call->location, sizeof call->location))
    return len;
  if (header_value(line, len, "retry-after", value, sizeof value)) {
    char *end;
    double seconds = strtod(value, &end);
    if (end != value && *end == '\0' && seconds >= 0 && isdigit((unsigned char)value[0])) {
      call->retry_after = seconds;
    } else {
      time_t when = curl_getdate(value, NULL); /* an HTTP date */
      if (when != (time_t)-1) call->retry_after = difftime(when, time(NULL)) > 0
                                                      ? difftime(when, time(NULL)) : 0;
    }
  }
  return len;
}

/* ---------------------------------------------------------------- easy handles */

static CURL *new_easy(rtc_client *c) {
  CURL *e = curl_easy_init();
  CURLcode rc = CURLE_OK;
  if (e == NULL) return NULL;
#define SET(opt, val) \
  if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val)
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_FOLLOWLOCATION, 0L); /* a redirect could carry Authorization elsewhere */
#if LIBCURL_VERSION_NUM >= 0x075500
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
  SET(CURLOPT_SSL_VERIFYPEER, c->cfg.insecure ? 0L : 1L);
  SET(CURLOPT_SSL_VERIFYHOST, c->cfg.insecure ? 0L : 2L);
  if (c->cfg.ca_file) SET(CURLOPT_CAINFO, c->cfg.ca_file);
  if (c->cfg.ca_path) SET(CURLOPT_CAPATH, c->cfg.ca_path);
  if (c->cfg.proxy) SET(CURLOPT_PROXY, c->cfg.proxy);
#undef SET
  if (rc != CURLE_OK) {
    curl_easy_cleanup(e);
    return NULL;
  }
  return e;
}

static void give_back_easy(rtc_client *c, CURL *e) {
  if (c->nidle < RTC_IDLE_HANDLES) c->idle[c->nidle++] = e;
  else curl_easy_cleanup(e);
}

int rtc_engine_open(rtc_client *c, char *err, size_t errlen) {
  c->multi = curl_multi_init();
  if (c->multi == NULL) {
    snprintf(err, errlen, "curl_multi_init failed");
    return -1;
  }
  c->rng = (unsigned long long)time(NULL) ^ ((unsigned long long)(size_t)c << 16) ^
           0x9e3779b97f4a7c15ULL;
  c->limit = (int)c->cfg.concurrency;
  c->next_id = 1;
  return 0;
}

/* ---------------------------------------------------------------- finishing a call */

/* Takes the result and error on the stack top; the call is done. */
static void complete(lua_State *L, rtc_client *c, rtc_call *call) {
  if (!lua_isnil(L, -1)) {
    lua_pushinteger(L, call->attempts);
    lua_setfield(L, -2, "attempts");
  }
  lua_createtable(L, 2, 0);
  lua_insert(L, -3);
  lua_rawseti(L, -3, 2);
  lua_rawseti(L, -2, 1);
  call->result_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  call->state = RTC_CALL_DONE;
  if (call->batch_index > 0) {
    c->batch_done++;
    if (c->progress_ref != LUA_NOREF) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, call->result_ref);
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      lua_remove(L, -3);
      rtc_batch_progress(L, c, call->batch_index);
    }
  } else {
    call->next_done = NULL;
    if (c->done_tail) c->done_tail->next_done = call;
    else c->done_head = call;
    c->done_tail = call;
  }
}

static void complete_error(lua_State *L, rtc_client *c, rtc_call *call, const char *kind,
                           long status, const char *message) {
  lua_pushnil(L);
  rtc_push_error(L, kind, status, NULL, message, call->request_id[0] ? call->request_id : NULL,
                 NULL);
  complete(L, c, call);
}

/* Puts the call back in the queue for another attempt after delay, unless that would pass
 * its deadline. */
static int schedule_retry(rtc_client *c, rtc_call *call, double delay, double now) {
  if (now + delay >= call->deadline_at) return 0;
  call->state = RTC_CALL_QUEUED;
  call->not_before = now + delay;
  c->queued++;
  return 1;
}

static double backoff(rtc_client *c, int attempt) {
  double cap = c->cfg.backoff_base * pow(2.0, attempt > 30 ? 30 : attempt - 1);
  if (cap > c->cfg.backoff_max) cap = c->cfg.backoff_max;
  return cap * random01(c);
}

static int retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/* Failures that another attempt cannot mend. */
static int final_curl_error(CURLcode rc) {
  switch (rc) {
  case CURLE_URL_MALFORMAT: case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_OUT_OF_MEMORY:
  case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH: case CURLE_WRITE_ERROR: case CURLE_BAD_FUNCTION_ARGUMENT:
    return 1;
  default:
    return 0;
  }
}

/* The endpoint could not be reached: nothing of the request left (sent: header bytes sent). */
static int connection_failure(CURLcode rc, long sent) {
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
      rc == CURLE_COULDNT_RESOLVE_PROXY)
    return 1;
  /* A timeout with nothing sent was spent connecting. On a reused connection the connect time
   * is 0 too, so only the bytes sent tell the two apart. */
  return rc == CURLE_OPERATION_TIMEDOUT && sent == 0;
}

static void finish_attempt(lua_State *L, rtc_client *c, rtc_call *call, CURLcode rc) {
  CURL *e = call->easy;
  long status = 0, sent = 0;
  int conn_failed, may_retry;
  double now = rtc_now();
  char line[CURL_ERROR_SIZE + 160];

  if (curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) status = 0;
  if (curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK) sent = 1;
  conn_failed = rc != CURLE_OK && connection_failure(rc, sent);
  curl_multi_remove_handle(c->multi, e);
  give_back_easy(c, e);
  call->easy = NULL;
  free_attempt_headers(call);
  c->running--;

  may_retry = call->attempts <= (int)c->cfg.retries &&
              (call->req.op->retry == RTC_RETRY_IDEMPOTENT || sent == 0 || conn_failed);

  if (rc == CURLE_OK) {
    if (c->cfg.debug_ref != LUA_NOREF) {
      snprintf(line, sizeof line, "< HTTP %ld (request %s, %lu bytes)", status,
               call->request_id[0] ? call->request_id : "-", (unsigned long)call->response.len);
      rtc_debug(L, c, line);
    }
    if (retryable_status(status) && may_retry) {
      double delay = backoff(c, call->attempts);
      if (call->retry_after > delay) delay = call->retry_after;
      if (schedule_retry(c, call, delay, now)) return;
    }
    c->preferred = call->endpoint;
    rtc_decode(L, c, call->req.op, status, call->request_id[0] ? call->request_id : NULL,
               call->content_type, call->location, call->response.data ? call->response.data : "",
               call->response.len);
    complete(L, c, call);
    return;
  }

  if (call->too_large) {
    snprintf(line, sizeof line,
             "the answer (HTTP %ld) is larger than max_body (%.0f bytes); reading stopped there",
             status, c->cfg.max_body);
    rtc_debug(L, c, line);
    lua_pushnil(L);
    rtc_push_error(L, "decode", status ? status : 0, NULL, line,
                   call->request_id[0] ? call->request_id : NULL, NULL);
    complete(L, c, call);
    return;
  }

  if (call->curl_error[0] == '\0') snprintf(call->curl_error, sizeof call->curl_error, "%s",
                                            curl_easy_strerror(rc));
  snprintf(line, sizeof line, "! %s", call->curl_error);
  rtc_debug(L, c, line);
  if (conn_failed && c->cfg.nendpoints > 1) {
    call->endpoint = (call->endpoint + 1) % c->cfg.nendpoints;
    /* Straight on to the next endpoint while some are untried; back off once all failed. */
    if (may_retry && schedule_retry(c, call,
                                    call->attempts % c->cfg.nendpoints ? 0.0
                                                                       : backoff(c, call->attempts),
                                    now))
      return;
  } else if (may_retry && !final_curl_error(rc) &&
             schedule_retry(c, call, backoff(c, call->attempts), now)) {
    return;
  }
  complete_error(L, c, call, rc == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport",
                 status > 0 ? status : 0, call->curl_error);
}

/* ---------------------------------------------------------------- starting an attempt */

static int slist_add(struct curl_slist **list, rtc_buf *tmp, const char *name, const char *value) {
  struct curl_slist *next;
  tmp->len = 0;
  if (rtc_buf_add(tmp, name, strlen(name)) || rtc_buf_add(tmp, ": ", value[0] ? 2 : 1) ||
      rtc_buf_add(tmp, value, strlen(value)))
    return -1;
  if (value[0] == '\0') tmp->data[tmp->len - 1] = ';'; /* "Name;" sends an empty header */
  next = curl_slist_append(*list, tmp->data);
  if (next == NULL) return -1;
  *list = next;
  return 0;
}

/* (X-Security-Token too: refreshed metadata keys bring a new one) */
static int per_attempt(const char *name) {
  return strcmp(name, "X-Sdk-Date") == 0 || strcmp(name, "Authorization") == 0 ||
         strcmp(name, "X-Security-Token") == 0;
}

/* The headers that never change for an endpoint and a kind of request, built once per client. */
static struct curl_slist *fixed_headers(rtc_client *c, int endpoint, int has_body,
                                        const rtc_headers *h) {
  struct curl_slist **slot = &c->fixed_headers[endpoint][has_body ? 1 : 0];
  struct curl_slist *list = *slot;
  rtc_buf tmp = {NULL, 0, 0};
  size_t i;
  if (list != NULL) return list; /* built already */
  for (i = 0; i < h->n; i++)
    if (!per_attempt(h->name[i]) && slist_add(&list, &tmp, h->name[i], h->value[i]) != 0) break;
  if (i < h->n || slist_add(&list, &tmp, "Accept", "application/json") ||
      slist_add(&list, &tmp, "Expect", "")) { /* no 100-continue round trip */
    curl_slist_free_all(list);
    list = NULL;
  }
  rtc_buf_free(&tmp);
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
  call->slist = fixed;
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
  call->slist = nodes;
  return 0;
}

static void free_attempt_headers(rtc_call *call) {
  free(call->header_block);
  call->header_block = NULL;
  call->slist = NULL;
}

static void debug_request(lua_State *L, rtc_client *c, rtc_call *call, const char *url,
                          const rtc_headers *h) {
  rtc_buf line = {NULL, 0, 0};
  size_t i;
  char head[64];
  if (c->cfg.debug_ref == LUA_NOREF) return;
  snprintf(head, sizeof head, " (attempt %d)", call->attempts);
  if (rtc_buf_add(&line, "> ", 2) || rtc_buf_add(&line, call->req.op->method,
                                                   strlen(call->req.op->method)) ||
      rtc_buf_add(&line, " ", 1) || rtc_buf_add(&line, url, strlen(url)) ||
      rtc_buf_add(&line, head, strlen(head)))
    goto done;
  for (i = 0; i < h->n; i++) {
    /* Secrets stay out of debug output: the token and security token are shown redacted. */
    int secret = strcmp(h->name[i], "X-Auth-Token") == 0 ||
                 strcmp(h->name[i], "X-Security-Token") == 0;
    if (rtc_buf_add(&line, "\n> ", 3) || rtc_buf_add(&line, h->name[i], strlen(h->name[i])) ||
        rtc_buf_add(&line, ": ", 2) ||
        rtc_buf_add(&line, secret ? "<redacted>" : h->value[i],
                    secret ? 10 : strlen(h->value[i])))
      goto done;
  }
  if (call->req.body.len && (rtc_buf_add(&line, "\n> ", 3) ||
                             rtc_buf_add(&line, call->req.body.data, call->req.body.len)))
    goto done;
  rtc_debug(L, c, line.data);
done:
  rtc_buf_free(&line);
}

static void start_attempt(lua_State *L, rtc_client *c, rtc_call *call, double now) {
  rtc_headers h;
  rtc_buf url = {NULL, 0, 0};
  struct curl_slist *fixed;
  char err[256];
  const rtc_endpoint *ep = &c->endpoints[call->endpoint];
  const char *method = call->req.op->method;
  double left = call->deadline_at - now, timeout = c->cfg.timeout;
  long timeout_ms, connect_ms;
  CURLcode rc = CURLE_OK;
  CURL *e;

  call->attempts++;
  if (left <= 0) {
    complete_error(L, c, call, "timeout", 0, "the call's deadline passed before it could be sent");
    return;
  }
  if (timeout > left) timeout = left;
  timeout_ms = (long)ceil(timeout * 1000.0);
  connect_ms = (long)ceil((c->cfg.connect_timeout < timeout ? c->cfg.connect_timeout : timeout) *
                          1000.0);

  if (rtc_build_headers(c, &call->req, call->endpoint, &h, err, sizeof err) != 0) {
    complete_error(L, c, call, "transport", 0, err);
    return;
  }
  fixed = fixed_headers(c, call->endpoint, call->req.body.len > 0, &h);
  if (fixed == NULL || attempt_headers(call, &h, fixed) != 0 ||
      rtc_buf_add(&url, ep->base, strlen(ep->base)) ||
      rtc_buf_add(&url, call->req.target.data, call->req.target.len)) {
    rtc_headers_free(&h);
    rtc_buf_free(&url);
    free_attempt_headers(call);
    complete_error(L, c, call, "transport", 0, "out of memory building the request");
    return;
  }
  debug_request(L, c, call, url.data, &h);
  rtc_headers_free(&h);

  e = c->nidle ? c->idle[--c->nidle] : new_easy(c);
  if (e == NULL) {
    rtc_buf_free(&url);
    free_attempt_headers(call);
    complete_error(L, c, call, "transport", 0, "curl_easy_init failed");
    return;
  }
  call->response.len = 0;
  call->too_large = 0;
  call->request_id[0] = call->content_type[0] = call->location[0] = '\0';
  call->retry_after = -1;
  call->curl_error[0] = '\0';
#define SET(opt, val) \
  if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val)
  SET(CURLOPT_URL, url.data);
  SET(CURLOPT_HTTPHEADER, call->slist);
  SET(CURLOPT_PRIVATE, (void *)call);
  SET(CURLOPT_WRITEDATA, (void *)call);
  SET(CURLOPT_HEADERDATA, (void *)call);
  SET(CURLOPT_ERRORBUFFER, call->curl_error);
  SET(CURLOPT_TIMEOUT_MS, timeout_ms);
  SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  SET(CURLOPT_HTTPGET, 1L); /* resets whatever method the handle's last call used */
  if (call->req.body.len) {
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->req.body.len);
    SET(CURLOPT_POSTFIELDS, call->req.body.data);
  }
  SET(CURLOPT_CUSTOMREQUEST,
      strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0 ? NULL : method);
#undef SET
  rtc_buf_free(&url);
  call->easy = e;
  if (rc != CURLE_OK || curl_multi_add_handle(c->multi, e) != CURLM_OK) {
    call->easy = NULL;
    give_back_easy(c, e);
    free_attempt_headers(call);
    complete_error(L, c, call, "transport", 0,
                   rc != CURLE_OK ? curl_easy_strerror(rc) : "curl_multi_add_handle failed");
    return;
  }
  call->state = RTC_CALL_RUNNING;
  c->running++;
}

/* ---------------------------------------------------------------- the loop */

static void start_due(lua_State *L, rtc_client *c) {
  rtc_call *call;
  double now;
  if (c->queued == 0 || c->running >= c->limit) return;
  now = rtc_now();
  for (call = c->calls; call && c->running < c->limit; call = call->next) {
    if (call->state != RTC_CALL_QUEUED || call->not_before > now) continue;
    c->queued--;
    start_attempt(L, c, call, now);
  }
}

static void collect(lua_State *L, rtc_client *c) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
    rtc_call *call = NULL;
    if (msg->msg != CURLMSG_DONE) continue;
    if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call) != CURLE_OK ||
        call == NULL)
      continue;
    finish_attempt(L, c, call, msg->data.result);
  }
}

double rtc_engine_timeout(rtc_client *c) {
  long ms = -1;
  double best = -1, now;
  rtc_call *call;
  if (c->running == 0 && c->queued == 0) return -1;
  if (c->running > 0 && curl_multi_timeout(c->multi, &ms) == CURLM_OK && ms >= 0)
    best = (double)ms / 1000.0;
  if (c->queued > 0 && c->running < c->limit) {
    now = rtc_now();
    for (call = c->calls; call; call = call->next) {
      double wait;
      if (call->state != RTC_CALL_QUEUED) continue;
      wait = call->not_before > now ? call->not_before - now : 0;
      if (best < 0 || wait < best) best = wait;
    }
  }
  if (best < 0) best = 1.0; /* running with no libcurl timer: look again within a second */
  return best;
}

void rtc_engine_run(lua_State *L, rtc_client *c, double wait, rtc_call *until, int until_batch) {
  double end = wait >= 0 ? rtc_now() + wait : -1;
  for (;;) {
    int still = 0;
    double now, next;
    long ms;
    start_due(L, c);
    if (c->running > 0) {
      curl_multi_perform(c->multi, &still);
      collect(L, c);
      start_due(L, c); /* retries due now, and places freed by finished calls */
    }
    if (until ? until->state == RTC_CALL_DONE
              : until_batch ? c->batch_done >= c->batch_total : c->done_head != NULL)
      break;
    if (c->running == 0 && c->queued == 0) break;
    now = rtc_now();
    if (end >= 0 && now >= end) break;
    next = rtc_engine_timeout(c);
    if (end >= 0 && end - now < next) next = end - now;
    ms = (long)ceil(next * 1000.0);
    if (ms > 1000) ms = 1000;
    if (ms > 0 || c->running == 0) curl_multi_poll(c->multi, NULL, 0, (int)ms, NULL);
  }
}

/* ---------------------------------------------------------------- call lifetime */

rtc_call *rtc_engine_submit(rtc_client *c, rtc_request *req) {
  rtc_call *call = calloc(1, sizeof *call);
  if (call == NULL) return NULL;
  call->req = *req;
  memset(req, 0, sizeof *req); /* the call owns the buffers now */
  call->id = c->next_id++;
  call->state = RTC_CALL_QUEUED;
  call->endpoint = c->preferred;
  call->not_before = rtc_now();
  call->deadline_at = call->not_before + c->cfg.deadline;
  call->max_body = (size_t)c->cfg.max_body;
  call->retry_after = -1;
  call->result_ref = LUA_NOREF;
  if (c->calls_tail) c->calls_tail->next = call;
  else c->calls = call;
  c->calls_tail = call;
  c->queued++;
  return call;
}

static void unlink_call(rtc_client *c, rtc_call *call) {
  rtc_call **p, *prev = NULL;
  for (p = &c->calls; *p; prev = *p, p = &(*p)->next)
    if (*p == call) {
      *p = call->next;
      if (c->calls_tail == call) c->calls_tail = prev;
      break;
    }
  prev = NULL;
  for (p = &c->done_head; *p; prev = *p, p = &(*p)->next_done)
    if (*p == call) {
      *p = call->next_done;
      if (c->done_tail == call) c->done_tail = prev;
      break;
    }
}

/* Stops whatever the call is doing (no result is made). */
static void abort_call(rtc_client *c, rtc_call *call) {
  if (call->state == RTC_CALL_RUNNING) {
    curl_multi_remove_handle(c->multi, call->easy);
    give_back_easy(c, call->easy);
    call->easy = NULL;
    c->running--;
  } else if (call->state == RTC_CALL_QUEUED) {
    c->queued--;
  }
  free_attempt_headers(call);
}

void rtc_engine_release(lua_State *L, rtc_client *c, rtc_call *call) {
  unlink_call(c, call);
  abort_call(c, call);
  if (call->result_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, call->result_ref);
  rtc_buf_free(&call->req.target);
  rtc_buf_free(&call->req.body);
  rtc_buf_free(&call->response);
  free(call);
}

void rtc_engine_cancel(lua_State *L, rtc_client *c, rtc_call *call) {
  if (call->state == RTC_CALL_DONE) return;
  abort_call(c, call);
  complete_error(L, c, call, "cancelled", 0, "the call was cancelled");
}

void rtc_engine_close(lua_State *L, rtc_client *c) {
  int i, k;
  while (c->calls) rtc_engine_release(L, c, c->calls);
  while (c->nidle > 0) curl_easy_cleanup(c->idle[--c->nidle]);
  if (c->multi) curl_multi_cleanup(c->multi);
  c->multi = NULL;
  for (i = 0; i < RTC_MAX_ENDPOINTS; i++)
    for (k = 0; k < 2; k++) {
      struct curl_slist *n;
      for (n = c->fixed_headers[i][k]; n; n = n->next) OPENSSL_cleanse(n->data, strlen(n->data));
      curl_slist_free_all(c->fixed_headers[i][k]); /* held the token, if any: cleansed above */
      c->fixed_headers[i][k] = NULL;
    }
}
