/* rtc_engine.c: the libcurl transport (see rtc_engine.h). No Lua here: what it reads and writes
 * is the rtc_transfer structs its caller owns. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rtc_engine.h"
#include "rtc_text.h"

#define RTC_MAX_HEADER_LINE 16384 /* an answer header longer than this is refused */

double rtc_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- libcurl callbacks */

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
  rtc_transfer *t = ud;
  size_t len = size * n;
  if (len > t->max_body || t->response.len > t->max_body - len) {
    t->too_large = 1; /* returning short makes libcurl stop reading: CURLE_WRITE_ERROR */
    return 0;
  }
  if (rtc_buf_add(&t->response, data, len) != 0) return 0;
  return len;
}

/* Copies a header's trimmed value into out when its name matches (case-insensitively). */
static int header_value(const char *line, size_t len, const char *name, char *out, size_t outlen) {
  size_t nlen = strlen(name), end;
  if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0) return 0;
  line += nlen + 1;
  len -= nlen + 1;
  while (len && rtc_is(*line, RTC_C_BLANK)) line++, len--;
  end = len;
  while (end && rtc_is(line[end - 1], RTC_C_SPACE)) end--;
  if (end >= outlen) end = outlen - 1;
  memcpy(out, line, end);
  out[end] = '\0';
  return 1;
}

static size_t on_header(char *line, size_t size, size_t n, void *ud) {
  rtc_transfer *t = ud;
  size_t len = size * n;
  if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) { /* a new answer (after 100 Continue, say) */
    t->request_id[0] = t->content_type[0] = t->location[0] = t->retry_after[0] = '\0';
    return len;
  }
  if (len > RTC_MAX_HEADER_LINE) {
    t->headers_too_large = 1;
    return 0;
  }
  if (header_value(line, len, "x-request-id", t->request_id, sizeof t->request_id) ||
      header_value(line, len, "content-type", t->content_type, sizeof t->content_type) ||
      header_value(line, len, "location", t->location, sizeof t->location))
    return len;
  header_value(line, len, "retry-after", t->retry_after, sizeof t->retry_after);
  return len;
}

/* ---------------------------------------------------------------- sockets and the timer */

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *ud, void *socketp) {
  rtc_engine *e = ud;
  size_t i;
  (void)easy;
  (void)socketp;
  for (i = 0; i < e->nsockets && e->sockets[i].fd != fd; i++) {}
  if (what == CURL_POLL_REMOVE) {
    if (i < e->nsockets) e->sockets[i] = e->sockets[--e->nsockets];
    return 0;
  }
  if (i == e->nsockets) {
    if (e->nsockets == e->socket_cap) {
      size_t cap = e->socket_cap ? e->socket_cap * 2 : 16;
      rtc_socket *p = realloc(e->sockets, cap * sizeof *p);
      if (p == NULL) return -1;
      e->sockets = p;
      e->socket_cap = cap;
    }
    e->nsockets++;
    e->sockets[i].fd = fd;
  }
  e->sockets[i].what = what;
  return 0;
}

static int on_timer(CURLM *multi, long ms, void *ud) {
  rtc_engine *e = ud;
  (void)multi;
  e->timer_at = ms < 0 ? -1 : rtc_now() + (double)ms / 1000.0;
  return 0;
}

/* ---------------------------------------------------------------- easy handles */

static CURL *new_easy(const rtc_engine *e) {
  CURL *h = curl_easy_init();
  CURLcode rc = CURLE_OK;
  if (h == NULL) return NULL;
#define SET(opt, val) \
  if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val)
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_HEADERFUNCTION, on_header);
  SET(CURLOPT_FOLLOWLOCATION, 0L); /* a redirect could carry Authorization elsewhere */
#if LIBCURL_VERSION_NUM >= 0x075500
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  SET(CURLOPT_TCP_KEEPALIVE, 1L);
  SET(CURLOPT_SSL_VERIFYPEER, e->settings.insecure ? 0L : 1L);
  SET(CURLOPT_SSL_VERIFYHOST, e->settings.insecure ? 0L : 2L);
  if (e->settings.ca_file) SET(CURLOPT_CAINFO, e->settings.ca_file);
  if (e->settings.ca_path) SET(CURLOPT_CAPATH, e->settings.ca_path);
  /* The proxy is set explicitly ("" when none): libcurl then reads no environment per request;
   * the client read it once (see rtc_engine_add for the per-scheme one). */
  if (e->settings.proxy) SET(CURLOPT_PROXY, e->settings.proxy);
  SET(CURLOPT_NOPROXY, e->settings.env_no_proxy ? e->settings.env_no_proxy : "");
#undef SET
  if (rc != CURLE_OK) {
    curl_easy_cleanup(h);
    return NULL;
  }
  return h;
}

static void give_back_easy(rtc_engine *e, CURL *h) {
  if (e->nidle < RTC_IDLE_HANDLES) e->idle[e->nidle++] = h;
  else curl_easy_cleanup(h);
}

int rtc_engine_init(rtc_engine *e, const rtc_engine_settings *settings, char *err,
                    size_t errlen) {
  memset(e, 0, sizeof *e);
  e->settings = *settings;
  e->timer_at = -1;
  e->multi = curl_multi_init();
  if (e->multi == NULL ||
      curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
      curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, (void *)e) != CURLM_OK ||
      curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
      curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, (void *)e) != CURLM_OK) {
    if (e->multi) curl_multi_cleanup(e->multi);
    e->multi = NULL;
    snprintf(err, errlen, "curl_multi_init failed");
    return -1;
  }
  return 0;
}

void rtc_engine_free(rtc_engine *e) {
  while (e->nidle > 0) curl_easy_cleanup(e->idle[--e->nidle]);
  if (e->multi) curl_multi_cleanup(e->multi);
  e->multi = NULL;
  free(e->sockets);
  e->sockets = NULL;
  e->nsockets = e->socket_cap = 0;
}

/* ---------------------------------------------------------------- transfers */

int rtc_engine_add(rtc_engine *e, rtc_transfer *t) {
  CURLcode rc = CURLE_OK;
  CURL *h = e->nidle ? e->idle[--e->nidle] : new_easy(e);
  const char *m = t->method;
  t->status = 0;
  t->code = CURLE_OK;
  t->error[0] = '\0';
  t->sent = 0;
  t->too_large = t->headers_too_large = 0;
  t->request_id[0] = t->content_type[0] = t->location[0] = t->retry_after[0] = '\0';
  rtc_buf_reset(&t->response);
  t->next_done = NULL;
  if (h == NULL) {
    t->code = CURLE_OUT_OF_MEMORY;
    snprintf(t->error, sizeof t->error, "curl_easy_init failed");
    return -1;
  }
#define SET(opt, val) \
  if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val)
  SET(CURLOPT_URL, t->url);
  SET(CURLOPT_HTTPHEADER, t->headers);
  SET(CURLOPT_PRIVATE, (void *)t);
  SET(CURLOPT_WRITEDATA, (void *)t);
  SET(CURLOPT_HEADERDATA, (void *)t);
  SET(CURLOPT_ERRORBUFFER, t->error);
  SET(CURLOPT_TIMEOUT_MS, t->timeout_ms);
  SET(CURLOPT_CONNECTTIMEOUT_MS, t->connect_ms);
  if (e->settings.proxy == NULL) {
    const char *p = strncmp(t->url, "https:", 6) == 0 ? e->settings.env_https_proxy
                                                      : e->settings.env_http_proxy;
    SET(CURLOPT_PROXY, p ? p : "");
  }
  SET(CURLOPT_HTTPGET, 1L); /* resets whatever method the handle's last transfer used */
  /* A POST without a body (enable, disable, dismiss) is still a POST: an empty one. */
  if (t->body_len || strcmp(m, "POST") == 0) {
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
    SET(CURLOPT_POSTFIELDS, t->body_len ? t->body : "");
  }
  SET(CURLOPT_CUSTOMREQUEST, strcmp(m, "GET") == 0 || strcmp(m, "POST") == 0 ? NULL : m);
#undef SET
  if (rc != CURLE_OK || curl_multi_add_handle(e->multi, h) != CURLM_OK) {
    give_back_easy(e, h);
    t->code = rc != CURLE_OK ? rc : CURLE_FAILED_INIT;
    snprintf(t->error, sizeof t->error, "%s",
             rc != CURLE_OK ? curl_easy_strerror(rc) : "curl_multi_add_handle failed");
    return -1;
  }
  t->easy = h;
  e->running++;
  return 0;
}

static void detach(rtc_engine *e, rtc_transfer *t) {
  curl_multi_remove_handle(e->multi, t->easy);
  give_back_easy(e, t->easy);
  t->easy = NULL;
  e->running--;
}

void rtc_engine_abort(rtc_engine *e, rtc_transfer *t) {
  if (t->easy) detach(e, t);
}

static void collect(rtc_engine *e) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(e->multi, &left)) != NULL) {
    rtc_transfer *t = NULL;
    CURL *h = msg->easy_handle;
    if (msg->msg != CURLMSG_DONE) continue;
    if (curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&t) != CURLE_OK || t == NULL) continue;
    t->code = msg->data.result;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t->status) != CURLE_OK) t->status = 0;
    if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &t->sent) != CURLE_OK) t->sent = 1;
    if (t->code != CURLE_OK && t->error[0] == '\0')
      snprintf(t->error, sizeof t->error, "%s", curl_easy_strerror(t->code));
    detach(e, t);
    if (e->done_tail) e->done_tail->next_done = t;
    else e->done_head = t;
    e->done_tail = t;
  }
}

long rtc_engine_timeout_ms(const rtc_engine *e) {
  double left;
  if (e->timer_at < 0) return -1;
  left = (e->timer_at - rtc_now()) * 1000.0;
  return left <= 0 ? 0 : (long)left + 1;
}

void rtc_engine_wait(rtc_engine *e, long max_ms) {
  struct pollfd stack_fds[64], *fds = stack_fds;
  size_t i, n = e->nsockets;
  long ms = rtc_engine_timeout_ms(e);
  int still, ready = 0;
  if (ms < 0 || ms > max_ms) ms = max_ms;
  if (n > sizeof stack_fds / sizeof stack_fds[0]) {
    fds = malloc(n * sizeof *fds);
    if (fds == NULL) { fds = stack_fds; n = sizeof stack_fds / sizeof stack_fds[0]; }
  }
  for (i = 0; i < n; i++) {
    fds[i].fd = e->sockets[i].fd;
    fds[i].events = (short)(((e->sockets[i].what & CURL_POLL_IN) ? POLLIN : 0) |
                            ((e->sockets[i].what & CURL_POLL_OUT) ? POLLOUT : 0));
    fds[i].revents = 0;
  }
  if (n > 0 || ms > 0) ready = poll(fds, (nfds_t)n, (int)ms);
  /* the socket list may change under socket_action: the pollfd copy is what is walked */
  for (i = 0; ready > 0 && i < n; i++) {
    int flags = 0;
    if (fds[i].revents == 0) continue;
    if (fds[i].revents & (POLLIN | POLLHUP)) flags |= CURL_CSELECT_IN;
    if (fds[i].revents & POLLOUT) flags |= CURL_CSELECT_OUT;
    if (fds[i].revents & (POLLERR | POLLNVAL)) flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(e->multi, fds[i].fd, flags, &still);
  }
  if (fds != stack_fds) free(fds);
  if (e->timer_at >= 0 && rtc_now() >= e->timer_at) {
    e->timer_at = -1;
    curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &still);
  }
  collect(e);
}

rtc_transfer *rtc_engine_take_done(rtc_engine *e) {
  rtc_transfer *t = e->done_head;
  if (t) {
    e->done_head = t->next_done;
    if (e->done_head == NULL) e->done_tail = NULL;
    t->next_done = NULL;
  }
  return t;
}
