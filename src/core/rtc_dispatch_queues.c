/* rtc_dispatch_queues.c: the dispatcher's queues and debug lines (see rtc_dispatch_queues.h). */
#include <stdlib.h>
#include <string.h>

#include "rtc_dispatch_queues.h"

/* ---------------------------------------------------------------- debug lines */

void rtc_queue_line(rtc_dispatch *d, rtc_buf *line) {
  char *s;
  if (d->nlines == d->lines_cap) {
    size_t cap = d->lines_cap ? d->lines_cap * 2 : 16;
    char **p = realloc(d->lines, cap * sizeof *p);
    if (p == NULL) { rtc_buf_free(line); return; } /* a lost debug line, not a lost call */
    d->lines = p;
    d->lines_cap = cap;
  }
  s = rtc_buf_take(line);
  if (s) d->lines[d->nlines++] = s;
}

char **rtc_dispatch_take_lines(rtc_dispatch *d, size_t *n) {
  char **lines = d->lines;
  *n = d->nlines;
  d->lines = NULL;
  d->nlines = d->lines_cap = 0;
  return lines;
}

/* ---------------------------------------------------------------- the queues */

double rtc_random01(rtc_dispatch *d) { /* xorshift64*: plenty for jitter */
  d->rng ^= d->rng >> 12;
  d->rng ^= d->rng << 25;
  d->rng ^= d->rng >> 27;
  return (double)((d->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

void rtc_ready_push(rtc_dispatch *d, rtc_call *call) {
  call->next = NULL;
  if (d->ready_tail) d->ready_tail->next = call;
  else d->ready_head = call;
  d->ready_tail = call;
}

void rtc_ready_remove(rtc_dispatch *d, rtc_call *call) {
  rtc_call **p, *prev = NULL;
  for (p = &d->ready_head; *p; prev = *p, p = &(*p)->next)
    if (*p == call) {
      *p = call->next;
      if (d->ready_tail == call) d->ready_tail = prev;
      call->next = NULL;
      return;
    }
}

static void heap_set(rtc_dispatch *d, size_t i, rtc_call *call) {
  d->heap[i] = call;
  call->heap_pos = i + 1;
}

static void heap_up(rtc_dispatch *d, size_t i) {
  rtc_call *call = d->heap[i];
  while (i > 0 && d->heap[(i - 1) / 2]->not_before > call->not_before) {
    heap_set(d, i, d->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  heap_set(d, i, call);
}

static void heap_down(rtc_dispatch *d, size_t i) {
  rtc_call *call = d->heap[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= d->nheap) break;
    if (c + 1 < d->nheap && d->heap[c + 1]->not_before < d->heap[c]->not_before) c++;
    if (d->heap[c]->not_before >= call->not_before) break;
    heap_set(d, i, d->heap[c]);
    i = c;
  }
  heap_set(d, i, call);
}

int rtc_heap_push(rtc_dispatch *d, rtc_call *call) {
  if (d->nheap == d->heap_cap) {
    size_t cap = d->heap_cap ? d->heap_cap * 2 : 16;
    rtc_call **p = realloc(d->heap, cap * sizeof *p);
    if (p == NULL) return -1;
    d->heap = p;
    d->heap_cap = cap;
  }
  d->heap[d->nheap++] = call;
  heap_up(d, d->nheap - 1);
  return 0;
}

void rtc_heap_remove(rtc_dispatch *d, rtc_call *call) {
  size_t i = call->heap_pos - 1;
  call->heap_pos = 0;
  d->nheap--;
  if (i == d->nheap) return;
  d->heap[i] = d->heap[d->nheap];
  d->heap[i]->heap_pos = i + 1;
  heap_up(d, i);
  heap_down(d, d->heap[i]->heap_pos - 1);
}

void rtc_done_push(rtc_dispatch *d, rtc_call *call) {
  int k;
  call->state = RTC_CALL_DONE;
  if (call->cls == RTC_CALL_BLOCKING) return;
  k = call->cls == RTC_CALL_BATCH;
  call->next = NULL;
  if (d->done_tail[k]) d->done_tail[k]->next = call;
  else d->done_head[k] = call;
  d->done_tail[k] = call;
}

void rtc_done_remove(rtc_dispatch *d, rtc_call *call) {
  int k = call->cls == RTC_CALL_BATCH;
  rtc_call **p, *prev = NULL;
  if (call->cls == RTC_CALL_BLOCKING) return;
  for (p = &d->done_head[k]; *p; prev = *p, p = &(*p)->next)
    if (*p == call) {
      *p = call->next;
      if (d->done_tail[k] == call) d->done_tail[k] = prev;
      call->next = NULL;
      return;
    }
}

rtc_call *rtc_dispatch_take_done(rtc_dispatch *d, rtc_call_class cls) {
  int k = cls == RTC_CALL_BATCH;
  rtc_call *call = d->done_head[k];
  if (call) {
    d->done_head[k] = call->next;
    if (d->done_head[k] == NULL) d->done_tail[k] = NULL;
    call->next = NULL;
  }
  return call;
}

const rtc_call *rtc_dispatch_peek_done(const rtc_dispatch *d, rtc_call_class cls) {
  return d->done_head[cls == RTC_CALL_BATCH];
}

