/* bench/bare_curl.c — the floor rtc is compared with: the same PUT that rtc sends (method, URL,
 * headers, body read from a file written by `bench/seq.lua --dump`, i.e. client:prepare), sent
 * with libcurl in a loop on ONE reused easy handle. Per call it does what any client must do
 * with the answer and nothing more: collect the body into a buffer, look for X-request-Id among
 * the response headers, check the status. No signing, no JSON.
 *
 *   bare_curl REQUEST_FILE N [WARMUP]   -> RESULT bare calls=N seconds=S cpu_seconds=S calls_per_s=R
 *   bare_curl --version                 -> the libcurl version string
 * N may be 0 (start-up-only run, used to subtract start-up cost under callgrind).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

static size_t on_body(char *s, size_t size, size_t n, void *ud) {
  buf_add(ud, s, size * n);
  return size * n;
}

struct hdrs { char request_id[128]; };

static size_t on_header(char *s, size_t size, size_t n, void *ud) {
  struct hdrs *h = ud;
  size_t len = size * n;
  static const char name[] = "x-request-id:";
  if (len > sizeof name - 1 && strncasecmp(s, name, sizeof name - 1) == 0) {
    const char *v = s + sizeof name - 1, *e = s + len;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) e--;
    size_t vl = (size_t)(e - v);
    if (vl >= sizeof h->request_id) vl = sizeof h->request_id - 1;
    memcpy(h->request_id, v, vl);
    h->request_id[vl] = 0;
  }
  return len;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("%s\n", curl_version());
    return 0;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: %s REQUEST_FILE N [WARMUP]\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]), warmup = argc > 3 ? atol(argv[3]) : 1000;

  /* request file: method \n url \n (Name: value \n)* \n body */
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
  CURL *h = curl_easy_init();
  struct buf resp = {0};
  struct hdrs rh;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &rh);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);

  double t0 = 0;
  clock_t c0 = 0;
  for (long i = -warmup; i < n; i++) {
    if (i == 0) { t0 = now(); c0 = clock(); }
    resp.len = 0;
    rh.request_id[0] = 0;
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || resp.len == 0 || !rh.request_id[0]) {
      fprintf(stderr, "call %ld failed: %s, HTTP %ld, %zu body bytes, request id '%s'\n",
              i, curl_easy_strerror(rc), status, resp.len, rh.request_id);
      return 1;
    }
  }
  if (n <= 0) { t0 = now(); c0 = clock(); }
  double dt = now() - t0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
  printf("RESULT bare calls=%ld warmup=%ld seconds=%.6f cpu_seconds=%.6f calls_per_s=%.6f\n",
         n, warmup, dt, cpu, n > 0 ? n / dt : 0.0);

  curl_easy_cleanup(h);
  curl_slist_free_all(headers);
  curl_global_cleanup();
  free(resp.p);
  free(file);
  return 0;
}
