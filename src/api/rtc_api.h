/* rtc_api.h: the API as data: the table of operations (rtc_api.c) and its look-ups; the row types
 * are rtc_rows.h's. No Lua, no libcurl: every other part reads these. */
#ifndef RTC_API_H
#define RTC_API_H

#include <stddef.h>

#include "rtc_rows.h"

extern const rtc_operation rtc_operations[];
extern const size_t rtc_noperations;
const rtc_operation *rtc_find_operation(const char *name);
const rtc_field *rtc_find_field(const rtc_schema *s, const char *name); /* NULL: no such field */
/* Path parameters of an operation: counted from its template. */
int rtc_operation_nparams(const rtc_operation *op);
/* The name between braces of the i-th "{...}" of op's template, into out. */
void rtc_operation_param(const rtc_operation *op, int i, char *out, size_t outlen);
/* "create_job, get_job, update_job or stop_job", from the table. */
const char *rtc_operation_names(void);

#endif
