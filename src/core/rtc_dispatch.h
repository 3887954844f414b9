/* rtc_dispatch.h: the calls of a client. A FIFO of ready calls, a min-heap of delayed retries,
 * the concurrency limit, per-attempt headers and signing, the retry policy after each attempt,
 * and a done list holding the raw answers. No Lua: what the loop produces for Lua (results,
 * debug lines) waits in plain C until the binding takes it after the loop returned. */
#ifndef RTC_DISPATCH_H
#define RTC_DISPATCH_H

#include <stddef.h>
#include <time.h>

#include "rtc_api.h"
#include "rtc_buf.h"
#include "rtc_engine.h"
#include "rtc_policy.h"
#include "rtc_config.h"

typedef enum { RTC_CALL_QUEUED, RTC_CALL_RUNNING, RTC_CALL_DONE } rtc_call_state;
typedef enum { RTC_CALL_BLOCKING, RTC_CALL_STARTED, RTC_CALL_BATCH } rtc_call_class;

typedef struct rtc_call {
  struct rtc_call *next;                 /* ready FIFO, or a done list */
  struct rtc_call *prev_all, *next_all;  /* every live call of the client */
  size_t heap_pos;                       /* 1-based place in the delayed heap; 0: not there */
  long long id;
  rtc_call_class cls;
  int batch_index;
  rtc_call_state state;
  const rtc_operation *op;
  rtc_buf target, body;                  /* the encoded path (no endpoint prefix), JSON */
  int endpoint, attempts;
  int lost;                              /* an attempt may have reached the server and its
                                          * answer was lost (reset, timeout, cut-off answer) */
  int maybe_done;                        /* an earlier attempt may have done what was asked
                                          * (its answer lost, or a 5xx): "already" answers are
                                          * success then */
  double max_time;                       /* > 0: the call's own bound, below the deadline */
  double started, deadline_at, not_before; /* started < 0 until the first attempt */
  rtc_transfer t;                        /* this (or the last) attempt */
  rtc_buf url;
  void *header_block;
  /* once done: err_kind NULL means an answer to decode (t.status, t.response, ...) */
  const char *err_kind;
  char *err_message;
} rtc_call;

typedef struct rtc_dispatch {
  const rtc_config *cfg;
  rtc_policy policy;
  rtc_bucket bucket;                     /* the rate limit and a 429's hold, for every call */
  rtc_engine engine;
  rtc_call *all;
  rtc_call *ready_head, *ready_tail;
  rtc_call **heap;
  size_t nheap, heap_cap;
  rtc_call *done_head[2], *done_tail[2]; /* started calls, batch calls */
  int running, queued, limit, preferred;
  long http_version;                     /* CURL_HTTP_VERSION_* from cfg->http_version */
  rtc_health health[RTC_MAX_ENDPOINTS];  /* endpoints that failed are avoided for a while */
  long long next_id;
  unsigned long long rng;
  struct curl_slist *fixed_headers[RTC_MAX_ENDPOINTS][3]; /* by rtc_content_slot() */
  rtc_call *spare;                       /* a released call kept for the next submit */
  char **lines;                          /* debug lines waiting for the binding */
  size_t nlines, lines_cap;
} rtc_dispatch;

int rtc_dispatch_init(rtc_dispatch *d, const rtc_config *cfg, char *err, size_t errlen);
void rtc_dispatch_free(rtc_dispatch *d);
/* Queues a call, taking target and body; NULL when out of memory (the buffers are then freed). */
rtc_call *rtc_dispatch_submit(rtc_dispatch *d, const rtc_operation *op, rtc_buf *target,
                              rtc_buf *body, rtc_call_class cls);
/* Drives the calls until `until` is done (until != NULL), or a call of class `cls` is done
 * (until == NULL), or nothing is left to do, or wait seconds passed (wait < 0: no bound). */
void rtc_dispatch_run(rtc_dispatch *d, double wait, const rtc_call *until, rtc_call_class cls);
/* Takes the oldest done call of the class (STARTED or BATCH) off its done list, or NULL. */
rtc_call *rtc_dispatch_take_done(rtc_dispatch *d, rtc_call_class cls);
const rtc_call *rtc_dispatch_peek_done(const rtc_dispatch *d, rtc_call_class cls);
/* Unlinks the call from everything, stops it if running, frees it. */
void rtc_dispatch_release(rtc_dispatch *d, rtc_call *call);
/* Stops a call that is not done; it becomes done with kind "cancelled". */
void rtc_dispatch_cancel(rtc_dispatch *d, rtc_call *call);
/* Stops a call that is not done; it becomes done with this kind (a static string) and message. */
void rtc_dispatch_fail(rtc_dispatch *d, rtc_call *call, const char *kind, const char *message);
/* Seconds until the loop has something to do; < 0 when idle. */
double rtc_dispatch_timeout(rtc_dispatch *d);
/* Hands over the queued debug lines (the caller frees each and the array); *n their number. */
char **rtc_dispatch_take_lines(rtc_dispatch *d, size_t *n);

#endif
