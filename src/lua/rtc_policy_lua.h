/* rtc_policy_lua.h: the Lua face of the retry policy (rtc_policy_lua.c). */
#ifndef RTC_POLICY_LUA_H
#define RTC_POLICY_LUA_H

#include "rtc_compat.h"
#include "rtc_dispatch.h"

void rtc_policy_open(lua_State *L);                         /* the rtc.policy metatable */
int lrtc_policy(lua_State *L);                              /* rtc.policy(opts) */
void rtc_push_client_policy(lua_State *L, const rtc_config *cfg); /* client:policy() */

#endif
