/* rtc_headers.h: the headers of one attempt: built from the client's settings (rtc_config.h),
 * signed through rtc_sign.h's C API, and the libcurl header lists built from them. No Lua. */
#ifndef RTC_HEADERS_H
#define RTC_HEADERS_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

#include "rtc_api.h"
#include "rtc_buf.h"
#include "rtc_config.h"
#include "rtc_text.h"   /* RTC_MASK: how secrets are shown (one style) */

/* The headers of one attempt; values point into the config, the keys (auth) or date. Valid
 * until the next rtc_build_headers of the same client. */
#define RTC_MAX_HEADERS 12
typedef struct rtc_headers {
  const char *name[RTC_MAX_HEADERS];
  const char *value[RTC_MAX_HEADERS];
  size_t n;
  unsigned per_attempt; /* bit i: header i may change from one attempt to the next */
  char date[17];
} rtc_headers;

/* Builds (and for AK/SK signs) the headers of op's request to endpoint at time now. Metadata
 * keys whose refresh time has come are refreshed first (pure C, may block up to the metadata
 * timeout; see rtc_credentials.h), and the key is prepared again when they changed. */
int rtc_build_headers(const rtc_config *cfg, int endpoint, const rtc_operation *op,
                      const rtc_buf *target, const rtc_buf *body, time_t now, rtc_headers *h,
                      char *err, size_t errlen);

/* The Content-Type an operation sends (the charset form with most bodies; plain JSON without a
 * body and where the row says so), and which of the three cached header lists it belongs to. */
const char *rtc_content_type(const rtc_operation *op, size_t body_len);
int rtc_content_slot(const rtc_operation *op, size_t body_len);

/* The header list that never changes for an endpoint and a kind of request (built once into
 * *slot, from h without the per-attempt headers); NULL when out of memory. */
struct curl_slist *rtc_headers_fixed(struct curl_slist **slot, const rtc_headers *h);
/* The per-attempt headers (X-Sdk-Date, Authorization, and X-Security-Token, which changes when
 * keys are refreshed) linked in front of fixed: one block (*block, NULL when there were none),
 * freed with rtc_headers_free_attempt. NULL when out of memory. */
struct curl_slist *rtc_headers_attempt(const rtc_headers *h, struct curl_slist *fixed,
                                       void **block);
void rtc_headers_free_attempt(void *block); /* wipes it first: it may hold the security token */
/* Frees a fixed list, wiping its texts first (they may hold the token). */
void rtc_headers_free_fixed(struct curl_slist **slot);
/* "> METHOD url (attempt n)" and the headers (secrets redacted) and body, into line: 0 or -1. */
int rtc_headers_debug(rtc_buf *line, const char *method, const char *url, int attempt,
                      const rtc_headers *h, const rtc_buf *body);
/* The answer's headers ("< Name: value", secrets masked) and body ("< " then the body), each
 * escaped for one line and cut at RTC_DEBUG_BODY_MAX bytes, appended to line: 0 or -1. */
int rtc_answer_debug(rtc_buf *line, const rtc_buf *headers, const rtc_buf *body);
#define RTC_DEBUG_BODY_MAX 4096

#endif
