/* rtc_reflect.h: rtc.operations() and rtc.operation(name) (rtc_reflect.c). */
#ifndef RTC_REFLECT_H
#define RTC_REFLECT_H

#include "rtc_compat.h"

int lrtc_operations(lua_State *L);
int lrtc_operation_row(lua_State *L);

#endif
