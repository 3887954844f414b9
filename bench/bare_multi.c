/* bench/bare_multi.c — the floor for many calls at once: the same request as bare_curl.c (read
 * from a `bench/seq.lua --dump` file), N times with at most C in flight on one multi handle,
 * driven the way libcurl recommends for many transfers: curl_multi_socket_action with its socket
 * and timer callbacks and epoll. C easy handles, each re-added as soon as its transfer ends (the
 * multi handle's connection cache gives the reuse). Per call: collect the body, find
 * X-request-Id, check the status. No signing, no JSON.
 *
 *   bare_multi REQUEST_FILE N C [REPEATS]
 *     -> RESULT baremulti n=N concurrency=C best=S worst=S first=S (after one warm-up round of C)
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <time.h>

struct buf { char *p; size_t len, cap; };

static void buf_add(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    b->p = p; b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

struct slot { CURL *h; struct buf resp; char request_id[128]; };

static size_t on_body(char *s, size_t size, size_t n, void *ud) {
  buf_add(&((struct slot *)ud)->resp, s, size * n);
  return size * n;
}

static size_t on_header(char *s, size_t size, size_t n, void *ud) {
  struct slot *sl = ud;
  size_t len = size * n;
  static const char name[] = "x-request-id:";
  if (len > sizeof name - 1 && strncasecmp(s, name, sizeof name - 1) == 0) {
    const char *v = s + sizeof name - 1, *e = s + len;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) e--;
    size_t vl = (size_t)(e - v);
    if (vl >= sizeof sl->request_id) vl = sizeof sl->request_id - 1;
    memcpy(sl->request_id, v, vl);
    sl->request_id[vl] = 0;
  }
  return len;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int epfd;
static long timer_ms = -1;
static double timer_at = -1;

static int on_socket(CURL *e, curl_socket_t fd, int what, void *ud, void *sockp) {
  struct epoll_event ev;
  (void)e; (void)ud;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
  }
  memset(&ev, 0, sizeof ev);
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
  ev.data.fd = fd;
  if (epoll_ctl(epfd, sockp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0)
    epoll_ctl(epfd, sockp ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
  return 0;
}

static int on_timer(CURLM *m, long ms, void *ud) {
  (void)m; (void)ud;
  timer_ms = ms;
  timer_at = ms < 0 ? -1 : now() + ms / 1000.0;
  return 0;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  struct buf b = {0};
  char tmp[4096];
  size_t r;
  while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&b, tmp, r);
  fclose(f);
  if (!b.p) buf_add(&b, "", 0);
  *len = b.len;
  return b.p;
}

static CURLM *multi;
static struct slot *slots;
static long issued, finished, total;

static void add(struct slot *sl) {
  sl->resp.len = 0;
  sl->request_id[0] = 0;
  curl_multi_add_handle(multi, sl->h);
  issued++;
}

static void collect(void) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
    struct slot *sl;
    long status = 0;
    if (msg->msg != CURLMSG_DONE) continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    if (msg->data.result != CURLE_OK || status != 200 || sl->resp.len == 0 || !sl->request_id[0]) {
      fprintf(stderr, "call failed: %s, HTTP %ld\n", curl_easy_strerror(msg->data.result), status);
      exit(1);
    }
    curl_multi_remove_handle(multi, sl->h);
    finished++;
    if (issued < total) add(sl);
  }
}

static double run(long n, long c) {
  struct epoll_event evs[256];
  int still;
  double t0 = now();
  issued = finished = 0;
  total = n;
  for (long i = 0; i < c && i < n; i++) add(&slots[i]);
  while (finished < total) {
    long ms = timer_at < 0 ? 1000 : (long)((timer_at - now()) * 1000.0) + 1;
    if (ms < 0) ms = 0;
    int k = epoll_wait(epfd, evs, 256, (int)ms);
    for (int i = 0; i < k; i++) {
      int flags = ((evs[i].events & (EPOLLIN | EPOLLHUP)) ? CURL_CSELECT_IN : 0) |
                  ((evs[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                  ((evs[i].events & EPOLLERR) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(multi, evs[i].data.fd, flags, &still);
    }
    if (timer_at >= 0 && now() >= timer_at) {
      timer_at = -1;
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &still);
    }
    collect();
  }
  return now() - t0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s REQUEST_FILE N C [REPEATS]\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]), c = atol(argv[3]), repeats = argc > 4 ? atol(argv[4]) : 3;
  size_t flen;
  char *file = slurp(argv[1], &flen), *end = file + flen, *p = file;
  char *line[2];
  for (int i = 0; i < 2; i++) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) { fprintf(stderr, "bad request file\n"); return 1; }
    *nl = 0; line[i] = p; p = nl + 1;
  }
  const char *method = line[0], *url = line[1];
  struct curl_slist *headers = NULL;
  for (;;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) { fprintf(stderr, "bad request file: no blank line\n"); return 1; }
    *nl = 0;
    if (nl == p) { p = nl + 1; break; }
    headers = curl_slist_append(headers, p);
    p = nl + 1;
  }
  headers = curl_slist_append(headers, "Expect:");
  const char *body = p;
  size_t body_len = (size_t)(end - p);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, c);
  slots = calloc((size_t)c, sizeof *slots);
  for (long i = 0; i < c; i++) {
    CURL *h = slots[i].h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &slots[i]);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &slots[i]);
    curl_easy_setopt(h, CURLOPT_PRIVATE, &slots[i]);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  }
  run(c, c); /* warm-up: opens the connections */
  double best = 1e9, worst = 0, first = -1;
  for (long r = 0; r < repeats; r++) {
    double dt = run(n, c);
    if (first < 0) first = dt;
    if (dt < best) best = dt;
    if (dt > worst) worst = dt;
  }
  printf("RESULT baremulti n=%ld concurrency=%ld repeats=%ld best=%.6f worst=%.6f first=%.6f\n",
         n, c, repeats, best, worst, first);
  for (long i = 0; i < c; i++) { curl_easy_cleanup(slots[i].h); free(slots[i].resp.p); }
  free(slots);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  curl_global_cleanup();
  free(file);
  return 0;
}
