/* rtc_reflect.h: rtc.operations() and rtc.operation(name) (rtc_reflect.c). */
#ifndef RTC_REFLECT_H
#define RTC_REFLECT_H

#include "rtc_compat.h"

int lrtc_operations(lua_State *L);
int lrtc_operation_row(lua_State *L);
/* pushes a schema row as rtc.operations() shows one: {name, fields = {{name, type, ...}}} */
struct rtc_schema;
void rtc_push_schema(lua_State *L, const struct rtc_schema *s);

#endif
