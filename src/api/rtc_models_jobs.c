/* rtc_models_jobs.c: the schemas of the four individual-stream job operations (API.md), as
 * they were in rtc_api.c: data only, plus the one format they need. */
#include <string.h>

#include "rtc_models.h"
#include "rtc_text.h"

/* rtmp:// or rtmps:// and then no blank or control byte (a prefix check, not a URL parser:
 * the service is the judge of the rest). */
static int is_rtmp_url(const char *s, size_t len) {
  size_t prefix;
  if (len > 7 && strncmp(s, "rtmp://", 7) == 0) prefix = 7;
  else if (len > 8 && strncmp(s, "rtmps://", 8) == 0) prefix = 8;
  else return 0;
  return !rtc_text_has(s + prefix, len - prefix, RTC_C_CONTROL | RTC_C_BLANK);
}

static const rtc_format rtmp_url = {"an rtmp:// or rtmps:// URL", is_rtmp_url};
const char *const rtc_video_types[] = {"CAMERASTREAM", "SCREENSTREAM", NULL};
static const char *const stream_types[] = {"LD", "SD", "HD", "FHD", NULL};
static const char *const publish_or_record[] = {"publish_param", "record_param", NULL};

#define RTC_MAX_RTMP_URLS 100 /* bounds the array before anything walks it */

static const rtc_field publish_param_fields[] = {
  F_STRINGS("rtmp_urls", RTC_REQUIRED, 1, RTC_MAX_RTMP_URLS, NULL, &rtmp_url),
};
RTC_SCHEMA(rtc_model_publish_param, "PublishParam", publish_param_fields, NULL, NULL);

static const rtc_field record_param_fields[] = {
  F_STRING("record_rule_id", RTC_REQUIRED | RTC_NONEMPTY),
};
RTC_SCHEMA(rtc_model_record_param, "RecordParam", record_param_fields, NULL, NULL);

static const rtc_field update_fields[] = {
  F_OBJECT("publish_param", 0, rtc_model_publish_param),
  F_OBJECT("record_param", 0, rtc_model_record_param),
};
RTC_SCHEMA(rtc_model_update_job_req, "UpdateIndividualJobReq", update_fields, publish_or_record,
           NULL);

static const rtc_field create_fields[] = {
  F_STRING("room_id", RTC_REQUIRED | RTC_NONEMPTY),
  F_STRING("user_id", RTC_REQUIRED | RTC_NONEMPTY),
  F_BOOLEAN("is_record_audio"),
  F_ENUM("video_type", 0, rtc_video_types),
  F_ENUM("select_stream_type", 0, stream_types),
  F_INTEGER("max_idle_time", 0, 5, 43200),
  F_OBJECT("record_param", 0, rtc_model_record_param),
  F_OBJECT("publish_param", 0, rtc_model_publish_param),
};
RTC_SCHEMA(rtc_model_create_job_req, "IndividualStreamJobReq", create_fields, publish_or_record,
           NULL);

/* The job as answered: only types matter here (the service is the judge of its values). */
static const rtc_field job_fields[] = {
  F_STRING("job_id", 0),      F_STRING("stream_name", 0),   F_STRING("app_id", 0),
  F_STRING("room_id", 0),     F_STRING("user_id", 0),       F_BOOLEAN("is_record_audio"),
  F_STRING("video_type", 0),  F_STRING("select_stream_type", 0),
  F_INTEGER("max_idle_time", 0, 0, 0),
  F_OBJECT("record_param", 0, rtc_model_record_param),
  F_OBJECT("publish_param", 0, rtc_model_publish_param),
  F_STRING("create_time", 0), F_STRING("update_time", 0),   F_STRING("start_time", 0),
  F_STRING("stop_time", 0),   F_STRING("state", 0),         F_STRING("stop_reason", 0),
  F_STRING("description", 0),
};
RTC_SCHEMA(rtc_model_job, "IndividualStreamJobInfo", job_fields, NULL, NULL);
