/* rtc_wait.h: client:wait_<x>(path params..., state, opts), polling get_<x> until the answer's
 * state is the one asked for or STOPPED, made from the rows whose answer has a string "state"
 * (get_job, get_mix_job): nothing per operation. */
#ifndef RTC_WAIT_H
#define RTC_WAIT_H

#include "rtc_compat.h"

/* Adds wait_<x> to the table at methods_idx: a client's method table (client:wait_job(...)) or
 * the module (rtc.wait_job(...), the default client). The functions keep that table as an
 * upvalue and call get_<x> from it (on the client, through the client's own look-up). */
void rtc_wait_register(lua_State *L, int methods_idx);

#endif
