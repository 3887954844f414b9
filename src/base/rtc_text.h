/* rtc_text.h: the module's one set of text checks and its one percent codec. Character classes
 * are a 256-entry table (as lua-cjson does), not predicate chains. */
#ifndef RTC_TEXT_H
#define RTC_TEXT_H

#include <stddef.h>

#include "rtc_buf.h"

enum {
  RTC_C_UNRESERVED = 1 << 0, /* RFC 3986: ALPHA DIGIT - . _ ~ */
  RTC_C_CONTROL = 1 << 1,    /* 0x00-0x1f and 0x7f */
  RTC_C_BLANK = 1 << 2,      /* space and tab */
  RTC_C_TCHAR = 1 << 3,      /* RFC 9110 token characters (header names) */
  RTC_C_HEX = 1 << 4,        /* 0-9 a-f A-F */
  RTC_C_DIGIT = 1 << 5,      /* 0-9 */
  RTC_C_SPACE = 1 << 6       /* space, \t \n \v \f \r */
};
extern const unsigned char rtc_char_class[256];
#define rtc_is(c, cls) ((rtc_char_class[(unsigned char)(c)] & (cls)) != 0)

/* 1 when s holds any byte of class cls. */
int rtc_text_has(const char *s, size_t len, unsigned cls);
/* 1 when s is valid UTF-8 (no overlongs, no surrogates; ASCII runs take a fast path). */
int rtc_utf8_valid(const char *s, size_t len);
/* Hex value of c, or -1. */
int rtc_hex_value(unsigned char c);
/* Lowercase hex of n bytes into out (2n chars, no NUL). */
void rtc_hex_lower(char *out, const unsigned char *in, size_t n);

/* Percent-encodes s into b: unreserved bytes kept, '/' kept when keep_slash, every other byte
 * %XX with uppercase hex (what the service and the SDK-HMAC-SHA256 signer expect). 0 or -1. */
int rtc_pct_encode(rtc_buf *b, const char *s, size_t len, int keep_slash);
/* Decodes %XX escapes (a '%' not followed by two hex digits stays as it is) into dst, which may
 * be src; returns the decoded length. */
size_t rtc_pct_decode(char *dst, const char *src, size_t len);

/* Appends s for a person to read on one line: control bytes (and DEL) become \n, \r, \t, \e or
 * \xHH, so no server text can move the cursor, change a terminal's title or split a line; bytes
 * that are not valid UTF-8 become \xHH too. At most max input bytes are shown, then "…". */
int rtc_text_escape(rtc_buf *b, const char *s, size_t len, size_t max);

/* Field paths ("publish_param.rtmp_urls[1]") in a fixed buffer of cap bytes, cut at cap - 1
 * as snprintf would cut them: ".name" (no dot at the start) or "[index]" is appended at at
 * (the path's length, at most cap - 1). Plain copies: a path is built for every field checked,
 * and snprintf costs ~1,000 instructions each time. */
void rtc_path_name(char *path, size_t cap, size_t at, const char *name);
void rtc_path_index(char *path, size_t cap, size_t at, unsigned long long index);

/* Levenshtein distance of two short names (for "did you mean"); large for long names. */
size_t rtc_edit_distance(const char *a, const char *b);

/* The one masking style of the module and the command: a secret's bytes become RTC_MASK. */
#define RTC_MASK "****"
#define RTC_MASK_SHORT 8 /* shorter secrets are masked only where they stand as a word */
/* Appends in[0..len) to out with every occurrence of each of the n secrets (NULL or "" ones
 * skipped) replaced by RTC_MASK, the longest first. 0, or -1 out of memory. */
int rtc_mask_secrets(rtc_buf *out, const char *in, size_t len, const char *const *secrets,
                     size_t n);

#endif
