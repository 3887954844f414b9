/* bench/bare_request.h — what bare_curl.c and bare_multi.c share: the request file that
 * `bench/seq.lua --dump` writes (the very request client:prepare builds), read once; one answer's
 * body and X-request-Id collected by libcurl callbacks; the options every easy handle gets.
 * Header-only: each program is one `cc` away from a binary. */
#ifndef BARE_REQUEST_H
#define BARE_REQUEST_H

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

/* One answer: what any client must keep of it, and nothing more. */
struct answer { struct buf body; char request_id[128]; };

static void answer_reset(struct answer *a) {
  a->body.len = 0;
  a->request_id[0] = 0;
}

static size_t on_body(char *s, size_t size, size_t n, void *ud) {
  buf_add(&((struct answer *)ud)->body, s, size * n);
  return size * n;
}

static size_t on_header(char *s, size_t size, size_t n, void *ud) {
  struct answer *a = ud;
  size_t len = size * n;
  static const char name[] = "x-request-id:";
  if (len > sizeof name - 1 && strncasecmp(s, name, sizeof name - 1) == 0) {
    const char *v = s + sizeof name - 1, *e = s + len;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) e--;
    size_t vl = (size_t)(e - v);
    if (vl >= sizeof a->request_id) vl = sizeof a->request_id - 1;
    memcpy(a->request_id, v, vl);
    a->request_id[vl] = 0;
  }
  return len;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The request file: method \n url \n (Name: value \n)* \n body */
struct request {
  char *file;                    /* the file's text; the fields point into it */
  const char *method, *url, *body;
  size_t body_len;
  struct curl_slist *headers;
};

static void request_read(struct request *r, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  struct buf b = {0};
  char tmp[4096], *p, *end, *line[2];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(&b, tmp, n);
  fclose(f);
  if (!b.p) buf_add(&b, "", 0);
  r->file = p = b.p;
  end = b.p + b.len;
  for (int i = 0; i < 2; i++) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) { fprintf(stderr, "bad request file\n"); exit(1); }
    *nl = 0; line[i] = p; p = nl + 1;
  }
  r->method = line[0];
  r->url = line[1];
  r->headers = NULL;
  for (;;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) { fprintf(stderr, "bad request file: no blank line\n"); exit(1); }
    *nl = 0;
    if (nl == p) { p = nl + 1; break; }
    r->headers = curl_slist_append(r->headers, p);
    p = nl + 1;
  }
  r->headers = curl_slist_append(r->headers, "Expect:"); /* as rtc: no 100-continue */
  r->body = p;
  r->body_len = (size_t)(end - p);
}

static void request_free(struct request *r) {
  curl_slist_free_all(r->headers);
  free(r->file);
}

/* The request and the answer's callbacks on an easy handle (a is its answer). */
static void request_set(CURL *h, const struct request *r, struct answer *a) {
  curl_easy_setopt(h, CURLOPT_URL, r->url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
}

#endif
