/* rtc_buf.h: the one growable byte buffer of the module (strbuf-style, as in lua-cjson): reserve
 * once with rtc_buf_ensure, then append with the _unsafe calls, which check nothing. The data is
 * always NUL-terminated after a checked append, so it can be handed to C string APIs. */
#ifndef RTC_BUF_H
#define RTC_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct rtc_buf {
  char *data;
  size_t len, cap;
} rtc_buf;

#define RTC_BUF_INIT {NULL, 0, 0}

/* Room for extra more bytes plus a NUL: 0, or -1 when out of memory (the buffer is unchanged). */
int rtc_buf_ensure(rtc_buf *b, size_t extra);
/* Checked appends: 0, or -1 when out of memory. They keep data NUL-terminated. */
int rtc_buf_add(rtc_buf *b, const char *s, size_t n);
int rtc_buf_add_str(rtc_buf *b, const char *s);
int rtc_buf_add_char(rtc_buf *b, char c);
/* printf-style append (bounded by the formatted length); 0 or -1. */
int rtc_buf_addf(rtc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rtc_buf_reset(rtc_buf *b); /* len 0, memory kept */
void rtc_buf_free(rtc_buf *b);  /* wipes nothing: rtc_buf_free_secret for buffers with secrets */
void rtc_buf_free_secret(rtc_buf *b);
/* Hands the bytes over (NUL-terminated, caller frees); the buffer is empty afterwards. NULL when
 * the buffer never held anything and no memory could be had for "". */
char *rtc_buf_take(rtc_buf *b);

/* Appends after rtc_buf_ensure: no checks, and no NUL (call rtc_buf_terminate when done). */
static inline void rtc_buf_add_unsafe(rtc_buf *b, const char *s, size_t n) {
  memcpy(b->data + b->len, s, n);
  b->len += n;
}
static inline void rtc_buf_add_char_unsafe(rtc_buf *b, char c) { b->data[b->len++] = c; }
static inline void rtc_buf_terminate(rtc_buf *b) {
  if (b->data) b->data[b->len] = '\0';
}

#endif
