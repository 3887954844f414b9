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
#include <sys/epoll.h>

#include "bare_request.h"

struct slot { CURL *h; struct answer ans; };

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

static CURLM *multi;
static struct slot *slots;
static long issued, finished, total;

static void add(struct slot *sl) {
  answer_reset(&sl->ans);
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
    if (msg->data.result != CURLE_OK || status != 200 || sl->ans.body.len == 0 || !sl->ans.request_id[0]) {
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
  struct request req;
  request_read(&req, argv[1]);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, c);
  slots = calloc((size_t)c, sizeof *slots);
  for (long i = 0; i < c; i++) {
    CURL *h = slots[i].h = curl_easy_init();
    request_set(h, &req, &slots[i].ans);
    curl_easy_setopt(h, CURLOPT_PRIVATE, &slots[i]);
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
  for (long i = 0; i < c; i++) { curl_easy_cleanup(slots[i].h); free(slots[i].ans.body.p); }
  free(slots);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  request_free(&req);
  return 0;
}
