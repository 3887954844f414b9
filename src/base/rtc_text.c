/* rtc_text.c: character classes, UTF-8, hex, the percent codec and escaping for display. */
#include <string.h>

#include "rtc_text.h"

#define U RTC_C_UNRESERVED
#define C RTC_C_CONTROL
#define B RTC_C_BLANK
#define T RTC_C_TCHAR
#define H RTC_C_HEX
#define D RTC_C_DIGIT
#define S RTC_C_SPACE
/* clang-format off */
const unsigned char rtc_char_class[256] = {
  /* 0x00 */ C, C, C, C, C, C, C, C, C, C|B|S, C|S, C|S, C|S, C|S, C, C,
  /* 0x10 */ C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
  /* 0x20 ' ' */ B|S, T, 0, T, T, T, T, T, 0, 0, T, T, 0, U|T, U|T, 0,
  /* 0x30 '0' */ U|T|H|D, U|T|H|D, U|T|H|D, U|T|H|D, U|T|H|D, U|T|H|D, U|T|H|D, U|T|H|D,
                 U|T|H|D, U|T|H|D, 0, 0, 0, 0, 0, 0,
  /* 0x40 '@' */ 0, U|T|H, U|T|H, U|T|H, U|T|H, U|T|H, U|T|H, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T,
  /* 0x50 'P' */ U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, 0, 0, 0, T, U|T,
  /* 0x60 '`' */ T, U|T|H, U|T|H, U|T|H, U|T|H, U|T|H, U|T|H, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T,
  /* 0x70 'p' */ U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, U|T, 0, T, 0, U|T, C,
  /* 0x80-0xff: none */
};
/* clang-format on */
#undef U
#undef C
#undef B
#undef T
#undef H
#undef D
#undef S

static const char hex_upper[] = "0123456789ABCDEF";

int rtc_text_has(const char *s, size_t len, unsigned cls) {
  size_t i;
  for (i = 0; i < len; i++)
    if (rtc_char_class[(unsigned char)s[i]] & cls) return 1;
  return 0;
}

/* Length of the valid UTF-8 sequence at s[0..len), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t len) {
  unsigned char c = s[0];
  size_t n, k;
  unsigned long cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) n = 1, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef) n = 2, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4) n = 3, cp = c & 0x07;
  else return 0;
  if (len <= n) return 0;
  for (k = 1; k <= n; k++) {
    if ((s[k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[k] & 0x3f);
  }
  if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n + 1;
}

int rtc_utf8_valid(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    size_t n;
    /* ASCII fast path: eight bytes at a time while none has its high bit set */
    while (i + 8 <= len) {
      unsigned long long w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= len) break;
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    n = utf8_sequence(s + i, len - i);
    if (n == 0) return 0;
    i += n;
  }
  return 1;
}

int rtc_hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* every byte's two lower-case hex digits: one 2-byte copy a byte (digests are hexed 3 times a
 * signature) */
static const char hex_lower_pairs[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void rtc_hex_lower(char *out, const unsigned char *in, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) memcpy(out + 2 * i, hex_lower_pairs + 2 * in[i], 2);
}

int rtc_pct_encode(rtc_buf *b, const char *s, size_t len, int keep_slash) {
  size_t i;
  if (len > ((size_t)-1 - b->len) / 3 - 1 || rtc_buf_ensure(b, len * 3) != 0) return -1;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (rtc_is(c, RTC_C_UNRESERVED) || (keep_slash && c == '/')) {
      rtc_buf_add_char_unsafe(b, (char)c);
    } else {
      rtc_buf_add_char_unsafe(b, '%');
      rtc_buf_add_char_unsafe(b, hex_upper[c >> 4]);
      rtc_buf_add_char_unsafe(b, hex_upper[c & 15]);
    }
  }
  rtc_buf_terminate(b);
  return 0;
}

size_t rtc_pct_decode(char *dst, const char *src, size_t len) {
  size_t i = 0, o = 0;
  while (i < len) {
    int hi, lo;
    if (src[i] == '%' && i + 2 < len &&
        (hi = rtc_hex_value((unsigned char)src[i + 1])) >= 0 &&
        (lo = rtc_hex_value((unsigned char)src[i + 2])) >= 0) {
      dst[o++] = (char)(hi * 16 + lo);
      i += 3;
    } else {
      dst[o++] = src[i++];
    }
  }
  return o;
}

int rtc_text_escape(rtc_buf *b, const char *str, size_t len, size_t max) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, shown = len > max ? max : len;
  /* worst case: every byte as \xHH, plus "…" */
  if (shown > ((size_t)-1 - b->len) / 4 - 4 || rtc_buf_ensure(b, shown * 4 + 3) != 0) return -1;
  while (i < shown) {
    unsigned char c = s[i];
    size_t n;
    if (rtc_is(c, RTC_C_CONTROL)) {
      rtc_buf_add_char_unsafe(b, '\\');
      switch (c) {
      case '\n': rtc_buf_add_char_unsafe(b, 'n'); break;
      case '\r': rtc_buf_add_char_unsafe(b, 'r'); break;
      case '\t': rtc_buf_add_char_unsafe(b, 't'); break;
      case 0x1b: rtc_buf_add_char_unsafe(b, 'e'); break;
      default:
        rtc_buf_add_char_unsafe(b, 'x');
        rtc_buf_add_char_unsafe(b, hex_upper[c >> 4]);
        rtc_buf_add_char_unsafe(b, hex_upper[c & 15]);
      }
      i++;
      continue;
    }
    n = utf8_sequence(s + i, shown - i);
    if (n == 0) {
      rtc_buf_add_unsafe(b, "\\x", 2);
      rtc_buf_add_char_unsafe(b, hex_upper[c >> 4]);
      rtc_buf_add_char_unsafe(b, hex_upper[c & 15]);
      i++;
      continue;
    }
    /* C1 controls (U+0080..U+009F) act as escapes on some terminals too */
    if (n == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
      rtc_buf_add_unsafe(b, "\\u00", 4);
      rtc_buf_add_char_unsafe(b, hex_upper[s[i + 1] >> 4]);
      rtc_buf_add_char_unsafe(b, hex_upper[s[i + 1] & 15]);
      i += 2;
      continue;
    }
    rtc_buf_add_unsafe(b, (const char *)s + i, n);
    i += n;
  }
  if (shown < len) rtc_buf_add_unsafe(b, "\xe2\x80\xa6", 3); /* … */
  rtc_buf_terminate(b);
  return 0;
}

static size_t path_put(char *path, size_t cap, size_t at, const char *s, size_t len) {
  size_t room = cap - 1 - at;
  if (len > room) len = room;
  memcpy(path + at, s, len);
  return at + len;
}

void rtc_path_name(char *path, size_t cap, size_t at, const char *name) {
  if (at > 0) at = path_put(path, cap, at, ".", 1);
  at = path_put(path, cap, at, name, strlen(name));
  path[at] = '\0';
}

void rtc_path_index(char *path, size_t cap, size_t at, unsigned long long index) {
  char digits[24], *d = digits + sizeof digits;
  *--d = ']';
  do *--d = (char)('0' + index % 10); while ((index /= 10) > 0);
  *--d = '[';
  at = path_put(path, cap, at, d, (size_t)(digits + sizeof digits - d));
  path[at] = '\0';
}

size_t rtc_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), i, j;
  size_t row[33];
  if (la > 32 || lb > 32) return 99;
  for (j = 0; j <= lb; j++) row[j] = j;
  for (i = 1; i <= la; i++) {
    size_t diag = row[0], up;
    row[0] = i;
    for (j = 1; j <= lb; j++) {
      size_t best;
      up = row[j];
      best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static int is_word(unsigned char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The secret that matches at in[i] (the longest), or -1. */
static int secret_at(const char *in, size_t len, size_t i, const char *const *secrets, size_t n,
                     size_t *slen) {
  size_t k;
  int best = -1;
  *slen = 0;
  for (k = 0; k < n; k++) {
    size_t l = secrets[k] ? strlen(secrets[k]) : 0;
    if (l == 0 || l > len - i || l <= *slen || memcmp(in + i, secrets[k], l) != 0) continue;
    if (l < RTC_MASK_SHORT && /* a short one only as a word of its own: "S" stays in "SDK" */
        ((is_word((unsigned char)secrets[k][0]) && i > 0 && is_word((unsigned char)in[i - 1])) ||
         (is_word((unsigned char)secrets[k][l - 1]) && i + l < len &&
          is_word((unsigned char)in[i + l]))))
      continue;
    best = (int)k;
    *slen = l;
  }
  return best;
}

int rtc_mask_secrets(rtc_buf *out, const char *in, size_t len, const char *const *secrets,
                     size_t n) {
  size_t i = 0, start = 0, slen;
  while (i < len) {
    if (secret_at(in, len, i, secrets, n, &slen) >= 0) {
      if (rtc_buf_add(out, in + start, i - start) || rtc_buf_add_str(out, RTC_MASK)) return -1;
      i += slen;
      start = i;
    } else {
      i++;
    }
  }
  return rtc_buf_add(out, in + start, len - start);
}
