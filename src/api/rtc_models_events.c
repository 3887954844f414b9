/* rtc_models_events.c: the body of a recording event callback (EVENTS.md "Body fields"), as a
 * schema row like the answers': rtc.events.verify types a delivery with it, and the docs and the
 * command read the same row. Every field is optional; integers are bounded here (the binding
 * refuses a value outside the row's range, naming the field). */
#include "rtc_models.h"

#define RTC_INT53_MAX 9007199254740991LL /* the largest integer every Lua holds exactly */

const char *const rtc_event_types[] = {"RECORD_NEW_FILE_START", "RECORD_FILE_COMPLETE",
                                       "CLOUD_RECORD_SERVER_OVER", NULL};

static const char *const record_formats[] = {"HLS", "MP4", NULL};

/* The enums document the values (rtc.events.schema()); a value outside them is kept as it came:
 * answers are typed, never validated, and the provider adds values over time. */
static const rtc_field event_fields[] = {
  F_ENUM("event_type", 0, rtc_event_types), F_STRING("job_id", 0), F_STRING("app_id", 0),
  F_STRING("room_id", 0),      F_STRING("stream_name", 0),   F_ENUM("record_format", 0, record_formats),
  F_STRING("download_url", 0),
  F_INTEGER("record_duration", 0, 0, RTC_INT53_MAX),
  F_INTEGER("file_size", 0, 0, RTC_INT53_MAX),
  F_INTEGER("width", 0, 0, RTC_INT32_MAX),
  F_INTEGER("height", 0, 0, RTC_INT32_MAX),
  F_STRING("start_time", 0),   F_STRING("end_time", 0),      F_STRING("obs_location", 0),
  F_STRING("obs_bucket", 0),   F_STRING("obs_object", 0),    F_STRING("detail_message", 0),
};
RTC_SCHEMA(rtc_model_event, "RecordEvent", event_fields, NULL, NULL);
