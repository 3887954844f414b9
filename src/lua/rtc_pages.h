/* rtc_pages.h: client:each_<item>(path params..., opts), the iterators over the list operations,
 * made from the rows that carry list metadata (rtc_operation.list): nothing per operation. */
#ifndef RTC_PAGES_H
#define RTC_PAGES_H

#include "rtc_compat.h"

/* Adds each_<item> for every list operation to the table at methods_idx: a client's method
 * table (called as client:each_app(opts)) or the module (rtc.each_app(opts), the default
 * client). The functions keep that table as an upvalue and call the list operation from it. */
void rtc_pages_register(lua_State *L, int methods_idx);

/* rtc.pager(list operation, path params..., opts) -> ask, answer: the walk over pages without
 * its I/O, for other transports (rtc.ngx). ask() -> {n = k, the list operation's arguments after
 * the client} for the next page, or nil when the walk is over; answer(result, err) -> the page's
 * items (an array, maybe empty), or nil, err (the walk is over: err is the call's, or a "decode"
 * error about the answer). Call them in turn: ask, the call, answer. */
int lrtc_pager(lua_State *L);

#endif
