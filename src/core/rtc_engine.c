/* rtc_engine.c: the libcurl transport (see rtc_engine.h). No Lua here: what it reads and writes
 * is the rtc_transfer structs its caller owns. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#ifdef __linux__
#include <sys/epoll.h>
#include <unistd.h>
#endif

#include "rtc_engine.h"
#include "rtc_text.h"

#define RTC_MAX_HEADER_LINE 16384 /* an answer header longer than this is refused */
#define RTC_KEPT_HEADERS_MAX 65536 /* the answer headers kept for debug lines, at most */
#define RTC_POLL_SOCKETS 32       /* more sockets than this: epoll (Linux) */

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
    t->headers_ended = 0;
    rtc_buf_reset(&t->answer_headers);
    return len;
  }
  /* the empty line ends a header block: an answer cut before it is no answer */
  if ((len == 2 && line[0] == '\r' && line[1] == '\n') || (len == 1 && line[0] == '\n')) {
    t->headers_ended = 1;
    return len;
  }
  if (len > RTC_MAX_HEADER_LINE) {
    t->headers_too_large = RTC_HEADER_PAST_LINE_LIMIT;
    return 0;
  }
  /* for --debug only; a lost line (out of memory, past 64 KiB) is not a lost answer */
  if (t->keep_headers && len > 2 && t->answer_headers.len + len <= RTC_KEPT_HEADERS_MAX &&
      rtc_buf_add(&t->answer_headers, line, len) != 0)
    rtc_buf_reset(&t->answer_headers);
  /* the id buffer holds one byte more than the documented cap: a longer id arrives over the cap
   * (cut there), and the binding refuses it as decode */
  switch (len > 0 ? line[0] | 0x20 : 0) { /* the first letter picks the one name to compare */
  case 'x': header_value(line, len, "x-request-id", t->request_id, sizeof t->request_id); break;
  case 'c': header_value(line, len, "content-type", t->content_type, sizeof t->content_type); break;
  case 'l': header_value(line, len, "location", t->location, sizeof t->location); break;
  case 'r': header_value(line, len, "retry-after", t->retry_after, sizeof t->retry_after); break;
  default: break;
  }
  return len;
}

/* Called before each time the request is sent, on a new or a reused connection: libcurl's own
 * re-send shows as a second call. */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port) {
  rtc_transfer *t = ud;
  (void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
  t->sends++;
  return CURL_PREREQFUNC_OK;
}

/* ---------------------------------------------------------------- sockets and the timer */

#ifdef __linux__
static void epoll_set(rtc_engine *e, const rtc_socket *s, int op) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = (uint32_t)(((s->what & CURL_POLL_IN) ? EPOLLIN : 0) |
                         ((s->what & CURL_POLL_OUT) ? EPOLLOUT : 0));
  ev.data.u64 = ((uint64_t)(uint32_t)s->shard << 32) | (uint32_t)s->fd;
  if (epoll_ctl(e->epfd, op, s->fd, &ev) != 0) /* a reused descriptor number: the other way */
    (void)epoll_ctl(e->epfd, op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s->fd, &ev);
}
#endif

/* e->fd_slot[fd] is the socket's place in e->sockets (index + 1; 0: none): libcurl forgets
 * its socketp whenever a connection goes idle (every transfer), a descriptor number is ours. */
static size_t slot_of(const rtc_engine *e, curl_socket_t fd) {
  return fd >= 0 && (size_t)fd < e->fd_cap ? e->fd_slot[fd] : 0;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *ud, void *socketp) {
  rtc_shard *sh = ud;
  rtc_engine *e = sh->engine;
  size_t i = slot_of(e, fd);
  (void)easy;
  (void)socketp;
  if (i > e->nsockets || (i > 0 && e->sockets[i - 1].fd != fd)) i = 0; /* cannot happen */
  if (what == CURL_POLL_REMOVE) {
    if (i > 0 && e->sockets[i - 1].shard == sh->index) {
      size_t last = --e->nsockets;
#ifdef __linux__
      if (e->epoll_mode) (void)epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
#endif
      e->fd_slot[fd] = 0;
      if (i - 1 != last) {
        e->sockets[i - 1] = e->sockets[last];
        e->fd_slot[e->sockets[i - 1].fd] = i;
      }
    }
    return 0;
  }
  if (fd < 0) return -1;
  if ((size_t)fd >= e->fd_cap) {
    size_t cap = e->fd_cap ? e->fd_cap : 64, *p;
    while (cap <= (size_t)fd) cap *= 2;
    p = realloc(e->fd_slot, cap * sizeof *p);
    if (p == NULL) return -1;
    memset(p + e->fd_cap, 0, (cap - e->fd_cap) * sizeof *p);
    e->fd_slot = p;
    e->fd_cap = cap;
  }
  if (i == 0) {
    if (e->nsockets == e->socket_cap) {
      size_t cap = e->socket_cap ? e->socket_cap * 2 : 16;
      rtc_socket *p = realloc(e->sockets, cap * sizeof *p);
      if (p == NULL) return -1;
      e->sockets = p;
      e->socket_cap = cap;
    }
    i = ++e->nsockets;
    e->fd_slot[fd] = i;
    e->sockets[i - 1].fd = fd;
    e->sockets[i - 1].shard = sh->index;
    e->sockets[i - 1].what = what;
#ifdef __linux__
    if (e->epoll_mode) epoll_set(e, &e->sockets[i - 1], EPOLL_CTL_ADD);
#endif
    return 0;
  }
  e->sockets[i - 1].what = what;
  e->sockets[i - 1].shard = sh->index;
#ifdef __linux__
  if (e->epoll_mode) epoll_set(e, &e->sockets[i - 1], EPOLL_CTL_MOD);
#endif
  return 0;
}

static int on_timer(CURLM *multi, long ms, void *ud) {
  rtc_shard *sh = ud;
  (void)multi;
  sh->timer_at = ms < 0 ? -1 : rtc_now() + (double)ms / 1000.0;
  return 0;
}

/* Creates e->shards[e->nshards]: 0, or -1. */
static int add_shard(rtc_engine *e) {
  rtc_shard *sh = &e->shards[e->nshards];
  CURLM *m = curl_multi_init();
  sh->engine = e;
  sh->index = e->nshards;
  sh->running = 0;
  sh->timer_at = -1;
  if (m == NULL || curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
      curl_multi_setopt(m, CURLMOPT_SOCKETDATA, (void *)sh) != CURLM_OK ||
      curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
      curl_multi_setopt(m, CURLMOPT_TIMERDATA, (void *)sh) != CURLM_OK) {
    if (m) curl_multi_cleanup(m);
    return -1;
  }
  sh->multi = m;
  e->nshards++;
  return 0;
}

/* The first shard with room; a new one when all are full; the least busy when none can be had. */
static rtc_shard *pick_shard(rtc_engine *e) {
  int i, best = 0;
  for (i = 0; i < e->nshards; i++)
    if (e->shards[i].running < RTC_SHARD_TRANSFERS) return &e->shards[i];
  if (e->nshards < RTC_SHARDS && add_shard(e) == 0) return &e->shards[e->nshards - 1];
  for (i = 1; i < e->nshards; i++)
    if (e->shards[i].running < e->shards[best].running) best = i;
  return &e->shards[best];
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
  SET(CURLOPT_PREREQFUNCTION, on_prereq);
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

/* t: the transfer whose options h holds (NULL: unknown, all are set again). */
static void give_back_easy(rtc_engine *e, CURL *h, const rtc_transfer *t, const char *proxy) {
  rtc_idle_easy *slot;
  if (e->nidle == RTC_IDLE_HANDLES) {
    curl_easy_cleanup(h);
    return;
  }
  slot = &e->idle[e->nidle++];
  slot->easy = h;
  slot->t = t;
  slot->headers = t ? t->headers : NULL;
  slot->proxy = proxy;
  slot->timeout_ms = t ? t->timeout_ms : -1;
  slot->connect_ms = t ? t->connect_ms : -1;
}

int rtc_engine_init(rtc_engine *e, const rtc_engine_settings *settings, char *err,
                    size_t errlen) {
  memset(e, 0, sizeof *e);
  e->settings = *settings;
  e->epfd = -1;
  if (add_shard(e) != 0) {
    snprintf(err, errlen, "curl_multi_init failed");
    return -1;
  }
#ifdef __linux__
  e->epfd = epoll_create1(EPOLL_CLOEXEC); /* -1: poll() does the waiting */
#endif
  return 0;
}

void rtc_engine_free(rtc_engine *e) {
  int i;
  while (e->nidle > 0) curl_easy_cleanup(e->idle[--e->nidle].easy);
  for (i = 0; i < e->nshards; i++) curl_multi_cleanup(e->shards[i].multi);
  e->nshards = 0;
  free(e->sockets);
  e->sockets = NULL;
  e->nsockets = e->socket_cap = 0;
  free(e->fd_slot);
  e->fd_slot = NULL;
  e->fd_cap = 0;
#ifdef __linux__
  if (e->epfd >= 0) close(e->epfd);
#endif
  e->epfd = -1;
}

/* ---------------------------------------------------------------- transfers */

int rtc_engine_add(rtc_engine *e, rtc_transfer *t) {
  CURLcode rc = CURLE_OK;
  rtc_idle_easy last = {NULL, NULL, NULL, NULL, -1, -1};
  CURL *h;
  const char *m = t->method, *proxy = NULL;
  int https = strncasecmp(t->url, "https:", 6) == 0;
  rtc_shard *sh;
  if (e->nidle > 0) last = e->idle[--e->nidle];
  h = last.easy ? last.easy : new_easy(e);
  t->status = 0;
  t->code = CURLE_OK;
  t->error[0] = '\0';
  t->sent = 0;
  t->connect_status = 0;
  t->headers_ended = 0;
  t->sends = 0;
  t->too_large = t->headers_too_large = 0;
  t->request_id[0] = t->content_type[0] = t->location[0] = t->retry_after[0] = '\0';
  rtc_buf_reset(&t->response);
  rtc_buf_reset(&t->answer_headers);
  t->next_done = NULL;
  if (h == NULL) {
    t->code = CURLE_OUT_OF_MEMORY;
    snprintf(t->error, sizeof t->error, "curl_easy_init failed");
    return -1;
  }
#define SET(opt, val) \
  if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val)
  if (e->settings.proxy == NULL) { /* the scheme as written: "HTTPS://" is https too */
    proxy = https ? e->settings.env_https_proxy : e->settings.env_http_proxy;
    if (proxy == NULL) proxy = "";
    if (proxy != last.proxy) SET(CURLOPT_PROXY, proxy); /* the client's strings: same text */
  }
  /* Without a proxy (or through a CONNECT tunnel, https) the request line holds the path only:
   * libcurl is given the origin and the path apart, so it does not parse the whole URL and
   * print it back (about 6k instructions per call in libcurl 7.88). Through an http proxy the
   * request line is the whole URL: libcurl builds it. */
  if (t->origin && ((proxy != NULL && proxy[0] == '\0') || https)) {
    SET(CURLOPT_URL, t->origin);
    SET(CURLOPT_REQUEST_TARGET, t->url + strlen(t->origin));
  } else {
    SET(CURLOPT_URL, t->url);
    SET(CURLOPT_REQUEST_TARGET, NULL);
  }
  if (last.t != t || last.headers != t->headers) SET(CURLOPT_HTTPHEADER, t->headers);
  if (last.t != t) {
    SET(CURLOPT_PRIVATE, (void *)t);
    SET(CURLOPT_WRITEDATA, (void *)t);
    SET(CURLOPT_HEADERDATA, (void *)t);
    SET(CURLOPT_PREREQDATA, (void *)t);
    SET(CURLOPT_ERRORBUFFER, t->error);
  }
  if (last.timeout_ms != t->timeout_ms) SET(CURLOPT_TIMEOUT_MS, t->timeout_ms);
  if (last.connect_ms != t->connect_ms) SET(CURLOPT_CONNECTTIMEOUT_MS, t->connect_ms);
  SET(CURLOPT_FRESH_CONNECT, t->fresh ? 1L : 0L);
  SET(CURLOPT_FORBID_REUSE, t->fresh ? 1L : 0L);
  SET(CURLOPT_HTTP_VERSION, t->http_version ? t->http_version : (long)CURL_HTTP_VERSION_NONE);
  SET(CURLOPT_HTTPGET, 1L); /* resets whatever method the handle's last transfer used */
  /* A POST without a body (enable, disable, dismiss) is still a POST: an empty one. */
  if (t->body_len || strcmp(m, "POST") == 0) {
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
    SET(CURLOPT_POSTFIELDS, t->body_len ? t->body : "");
  }
  SET(CURLOPT_CUSTOMREQUEST, strcmp(m, "GET") == 0 || strcmp(m, "POST") == 0 ? NULL : m);
#undef SET
  sh = pick_shard(e);
  if (rc != CURLE_OK || curl_multi_add_handle(sh->multi, h) != CURLM_OK) {
    give_back_easy(e, h, NULL, NULL); /* what was set is not known: all again next time */
    t->code = rc != CURLE_OK ? rc : CURLE_FAILED_INIT;
    snprintf(t->error, sizeof t->error, "%s",
             rc != CURLE_OK ? curl_easy_strerror(rc) : "curl_multi_add_handle failed");
    return -1;
  }
  t->easy = h;
  t->proxy = proxy;
  t->shard = sh->index;
  sh->running++;
  e->running++;
  return 0;
}

static void detach(rtc_engine *e, rtc_transfer *t) {
  curl_multi_remove_handle(e->shards[t->shard].multi, t->easy);
  give_back_easy(e, t->easy, t, t->proxy);
  t->easy = NULL;
  e->shards[t->shard].running--;
  e->running--;
}

void rtc_engine_abort(rtc_engine *e, rtc_transfer *t) {
  if (t->easy) detach(e, t);
}

static void collect(rtc_engine *e, CURLM *multi) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
    rtc_transfer *t = NULL;
    CURL *h = msg->easy_handle;
    if (msg->msg != CURLMSG_DONE) continue;
    if (curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&t) != CURLE_OK || t == NULL) continue;
    t->code = msg->data.result;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t->status) != CURLE_OK) t->status = 0;
    if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &t->sent) != CURLE_OK) t->sent = 1;
    if (curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &t->connect_status) != CURLE_OK)
      t->connect_status = 0;
    /* libcurl 7.88 takes a status line and part of the headers then FIN as a whole answer
     * without a body: it is an answer cut off, as a body short of its Content-Length is */
    if (t->code == CURLE_OK && t->status > 0 && !t->headers_ended) {
      t->code = CURLE_PARTIAL_FILE;
      snprintf(t->error, sizeof t->error, "the answer was cut off in its headers");
    }
    /* libcurl refuses answer headers past its own limits (a 100 KiB line, or too many) as out
     * of memory or too large: once the request went out and before any body came, that is the
     * answer's fault, not the machine's */
    if ((t->code == CURLE_OUT_OF_MEMORY
#ifdef CURLE_TOO_LARGE
         || t->code == CURLE_TOO_LARGE
#endif
         ) && t->sent > 0 && t->response.len == 0 && !t->headers_too_large) {
      t->headers_too_large = RTC_HEADERS_PAST_LIBCURL;
      snprintf(t->error, sizeof t->error, "%s", curl_easy_strerror(t->code));
    }
    if (t->code != CURLE_OK && t->error[0] == '\0')
      snprintf(t->error, sizeof t->error, "%s", curl_easy_strerror(t->code));
    detach(e, t);
    if (e->done_tail) e->done_tail->next_done = t;
    else e->done_head = t;
    e->done_tail = t;
  }
}

long rtc_engine_timeout_ms(const rtc_engine *e) {
  double left, at = -1;
  int i;
  for (i = 0; i < e->nshards; i++)
    if (e->shards[i].timer_at >= 0 && (at < 0 || e->shards[i].timer_at < at))
      at = e->shards[i].timer_at;
  if (at < 0) return -1;
  left = (at - rtc_now()) * 1000.0;
  return left <= 0 ? 0 : (long)left + 1;
}

static void socket_ready(rtc_engine *e, int shard, curl_socket_t fd, int flags) {
  int still;
  if (shard >= 0 && shard < e->nshards)
    curl_multi_socket_action(e->shards[shard].multi, fd, flags, &still);
}

/* poll() over every socket: where epoll is not to be had */
static void wait_poll(rtc_engine *e, long ms) {
  struct pollfd stack_fds[64], *fds = stack_fds;
  int stack_shards[64], *shards = stack_shards;
  size_t i, n = e->nsockets;
  int ready = 0;
  if (n > sizeof stack_fds / sizeof stack_fds[0]) {
    fds = malloc(n * sizeof *fds);
    shards = malloc(n * sizeof *shards);
    if (fds == NULL || shards == NULL) {
      free(fds);
      free(shards);
      fds = stack_fds;
      shards = stack_shards;
      n = sizeof stack_fds / sizeof stack_fds[0];
    }
  }
  for (i = 0; i < n; i++) {
    fds[i].fd = e->sockets[i].fd;
    fds[i].events = (short)(((e->sockets[i].what & CURL_POLL_IN) ? POLLIN : 0) |
                            ((e->sockets[i].what & CURL_POLL_OUT) ? POLLOUT : 0));
    fds[i].revents = 0;
    shards[i] = e->sockets[i].shard;
  }
  if (n > 0 || ms > 0) ready = poll(fds, (nfds_t)n, (int)ms);
  /* the socket list may change under socket_action: the pollfd copy is what is walked */
  for (i = 0; ready > 0 && i < n; i++) {
    int flags = 0;
    if (fds[i].revents == 0) continue;
    if (fds[i].revents & (POLLIN | POLLHUP)) flags |= CURL_CSELECT_IN;
    if (fds[i].revents & POLLOUT) flags |= CURL_CSELECT_OUT;
    if (fds[i].revents & (POLLERR | POLLNVAL)) flags |= CURL_CSELECT_ERR;
    socket_ready(e, shards[i], fds[i].fd, flags);
  }
  if (fds != stack_fds) {
    free(fds);
    free(shards);
  }
}

void rtc_engine_wait(rtc_engine *e, long max_ms) {
  long ms = rtc_engine_timeout_ms(e);
  double now;
  int i;
  if (ms < 0 || ms > max_ms) ms = max_ms;
#ifdef __linux__
  /* A few sockets: one poll() call, no registrations (libcurl drops and re-adds a socket on
   * every transfer). Many: epoll, which hands back only the sockets with something to do, so a
   * wait does not cost more with concurrency. Back to poll() once no socket is left. */
  if (e->epoll_mode && e->nsockets == 0) e->epoll_mode = 0;
  if (!e->epoll_mode && e->epfd >= 0 && e->nsockets > RTC_POLL_SOCKETS) {
    size_t j;
    e->epoll_mode = 1;
    for (j = 0; j < e->nsockets; j++) epoll_set(e, &e->sockets[j], EPOLL_CTL_ADD);
  }
  if (e->epoll_mode) {
    struct epoll_event evs[256];
    int k = 0, j;
    if (e->nsockets > 0 || ms > 0) k = epoll_wait(e->epfd, evs, 256, (int)ms);
    for (j = 0; j < k; j++) {
      int flags = 0;
      uint32_t ev = evs[j].events;
      if (ev & (EPOLLIN | EPOLLHUP)) flags |= CURL_CSELECT_IN;
      if (ev & EPOLLOUT) flags |= CURL_CSELECT_OUT;
      if (ev & EPOLLERR) flags |= CURL_CSELECT_ERR;
      socket_ready(e, (int)(evs[j].data.u64 >> 32), (curl_socket_t)(uint32_t)evs[j].data.u64,
                   flags);
    }
  } else
#endif
    wait_poll(e, ms);
  now = rtc_now();
  for (i = 0; i < e->nshards; i++) {
    rtc_shard *sh = &e->shards[i];
    if (sh->timer_at >= 0 && now >= sh->timer_at) {
      int still;
      sh->timer_at = -1;
      curl_multi_socket_action(sh->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    }
  }
  for (i = 0; i < e->nshards; i++) collect(e, e->shards[i].multi);
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
