/* rtc_buf.c: the growable byte buffer (see rtc_buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "rtc_buf.h"

int rtc_buf_ensure(rtc_buf *b, size_t extra) {
  size_t need, cap;
  char *p;
  if (extra > (size_t)-1 - b->len - 1) return -1;
  need = b->len + extra + 1;
  if (need <= b->cap) return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > (size_t)-1 / 2 ? need : cap * 2;
  p = realloc(b->data, cap);
  if (p == NULL) return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int rtc_buf_add(rtc_buf *b, const char *s, size_t n) {
  if (rtc_buf_ensure(b, n) != 0) return -1;
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int rtc_buf_add_str(rtc_buf *b, const char *s) { return rtc_buf_add(b, s, strlen(s)); }

int rtc_buf_add_char(rtc_buf *b, char c) { return rtc_buf_add(b, &c, 1); }

int rtc_buf_addf(rtc_buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[128];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return -1;
  if ((size_t)n < sizeof small) return rtc_buf_add(b, small, (size_t)n);
  if (rtc_buf_ensure(b, (size_t)n) != 0) return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void rtc_buf_reset(rtc_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

void rtc_buf_free(rtc_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void rtc_buf_free_secret(rtc_buf *b) {
  if (b->data) OPENSSL_cleanse(b->data, b->cap);
  rtc_buf_free(b);
}

char *rtc_buf_take(rtc_buf *b) {
  char *p;
  if (b->data == NULL && (rtc_buf_ensure(b, 0) != 0 || b->data == NULL)) return NULL;
  b->data[b->len] = '\0';
  p = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}
