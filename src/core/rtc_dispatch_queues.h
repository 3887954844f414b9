/* rtc_dispatch_queues.h: the dispatcher's queues (the ready FIFO, the delayed heap, the done
 * lists), its debug lines and its jitter draw; rtc_dispatch.c's only. No Lua. */
#ifndef RTC_DISPATCH_QUEUES_H
#define RTC_DISPATCH_QUEUES_H

#include "rtc_dispatch.h"

void rtc_queue_line(rtc_dispatch *d, rtc_buf *line); /* takes line (a lost line is dropped) */
double rtc_random01(rtc_dispatch *d);
void rtc_ready_push(rtc_dispatch *d, rtc_call *call);
void rtc_ready_remove(rtc_dispatch *d, rtc_call *call);
int rtc_heap_push(rtc_dispatch *d, rtc_call *call); /* 0, or -1 when out of memory */
void rtc_heap_remove(rtc_dispatch *d, rtc_call *call);
void rtc_done_push(rtc_dispatch *d, rtc_call *call);
void rtc_done_remove(rtc_dispatch *d, rtc_call *call);

#endif
