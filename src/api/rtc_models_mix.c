/* rtc_models_mix.c: the schemas of mix-stream jobs, rooms and OBS buckets
 * (API-v2-operations.md sections 3 and 4). Data only, plus the s3:// format of images.
 * Request schemas carry every documented rule; answer schemas only types. */
#include <string.h>

#include "rtc_models.h"
#include "rtc_text.h"

/* s3://bucket/object: a non-empty bucket, '/', a non-empty object name, no blank or control
 * byte anywhere (the docs' only form for mix images). */
static int is_s3_uri(const char *s, size_t len) {
  const char *slash;
  if (len < 8 || strncmp(s, "s3://", 5) != 0) return 0;
  if (rtc_text_has(s, len, RTC_C_CONTROL | RTC_C_BLANK)) return 0;
  slash = memchr(s + 5, '/', len - 5);
  return slash != NULL && slash > s + 5 && (size_t)(slash - s) + 1 < len;
}

static const rtc_format s3_uri = {"an s3://bucket/object URI", is_s3_uri};

/* The SDK's 13 templates (with '*', what to send; doc oddity 5) and the docs' audio_only. */
static const char *const encode_templates[] = {
  "1920*1080_30_4620", "1920*1080_30_3150", "1920*1080_15_3460", "1920*1080_15_2080",
  "1280*720_30_3420",  "1280*720_30_1710",  "1280*720_15_2260",  "1280*720_15_1130",
  "640*480_30_1000",   "640*480_30_1500",   "640*480_15_500",    "480*360_30_490",
  "480*360_15_320",    "audio_only",        NULL};
static const char *const crop_modes[] = {"KEEP_RATIO_PADDING", "KEEP_RATIO_CROP", NULL};
static const char *const filling_policies[] = {"FIXED_USER", "SHARED_SCREEN", NULL};
static const char *const object_list_types[] = {"folders", "objects", NULL};
static const char *const obs_locations[] = {"cn-north-4", "cn-north-1", "cn-north-5",
                                            "cn-north-6", "cn-south-1", "cn-east-2", NULL};

#define RTC_MAX_PANES 100  /* none documented: bounds the arrays before anything walks them */
#define RTC_MAX_USERS 1000 /* none documented for remove_users either */

/* ---------------------------------------------------------------- mix jobs */

static const rtc_field layout_pane_fields[] = {
  F_INTEGER("id", 0, 1, RTC_INT32_MAX), /* panes count from 1 */
  F_STRING("user_id", 0),
  F_ENUM("video_type", 0, rtc_video_types),
  F_NUMBER("x", 0, 0.0, 1.0), /* fractions of the canvas */
  F_NUMBER("y", 0, 0.0, 1.0),
  F_NUMBER("width", 0, 0.0, 1.0),
  F_NUMBER("height", 0, 0.0, 1.0),
  F_INTEGER("zorder", 0, 0, 25), /* 0 = bottom; at most 25 layers */
  F_ENUM("crop_mode", 0, crop_modes),
  F_ENUM("filling_policy", 0, filling_policies),
};
RTC_SCHEMA(rtc_model_layout_pane, "MixLayoutPane", layout_pane_fields, NULL, NULL);

static const rtc_field user_background_fields[] = {
  F_STRING("user_id", RTC_REQUIRED | RTC_NONEMPTY),
  F_FORMAT("image_uri", RTC_REQUIRED | RTC_NONEMPTY, &s3_uri),
};
RTC_SCHEMA(rtc_model_user_background, "MixUserBackgroundImage", user_background_fields, NULL,
           NULL);

static const rtc_field mix_param_fields[] = {
  F_STRING("room_id", RTC_REQUIRED | RTC_NONEMPTY),
  F_ENUM("encode_template", RTC_REQUIRED, encode_templates),
  F_INTEGER("max_idle_time", 0, 5, 43200),
  F_STRING("layout_template", 0), /* documented values but no SDK enum: free text (oddity 8) */
  F_FORMAT("default_user_background_image", 0, &s3_uri),
  F_FORMAT("screen_background_image", 0, &s3_uri),
  F_FORMAT("background_image", 0, &s3_uri),
  F_OBJECTS("layout_panes", 0, 0, RTC_MAX_PANES, rtc_model_layout_pane),
  F_OBJECTS("user_background_images", 0, 0, RTC_MAX_PANES, rtc_model_user_background),
};
/* The create page: a video mix needs a layout (audio_only mixes none); the custom layout its
 * panes. The MixParam page lets nine_grids_view go without panes: only custom requires them. */
static const rtc_rule mix_param_rules[] = {
  {"encode_template", "!audio_only", "layout_template"},
  {"layout_template", "custom", "layout_panes"},
  {NULL, NULL, NULL}};
RTC_SCHEMA(rtc_model_mix_param, "MixParam", mix_param_fields, NULL, mix_param_rules);

static const rtc_field mix_job_req_fields[] = {
  F_OBJECT("mix_param", RTC_REQUIRED, rtc_model_mix_param),
  F_OBJECT("record_param", 0, rtc_model_record_param),
};
RTC_SCHEMA(rtc_model_mix_job_req, "MixJobReq", mix_job_req_fields, NULL, NULL);

/* no room_id and no encode_template: an update changes the layout only */
static const rtc_field update_mix_param_fields[] = {
  F_STRING("layout_template", 0),
  F_FORMAT("background_image", 0, &s3_uri),
  F_FORMAT("default_user_background_image", 0, &s3_uri),
  F_FORMAT("screen_background_image", 0, &s3_uri),
  F_INTEGER("max_idle_time", 0, 5, 43200),
  F_OBJECTS("layout_panes", 0, 0, RTC_MAX_PANES, rtc_model_layout_pane),
  F_OBJECTS("user_background_images", 0, 0, RTC_MAX_PANES, rtc_model_user_background),
};
RTC_SCHEMA(rtc_model_update_mix_param, "UpdateMixParam", update_mix_param_fields, NULL, NULL);

static const rtc_field update_mix_req_fields[] = {
  F_OBJECT("mix_param", RTC_REQUIRED, rtc_model_update_mix_param),
};
RTC_SCHEMA(rtc_model_update_mix_req, "UpdateMixJobReq", update_mix_req_fields, NULL, NULL);

static const rtc_field mix_job_fields[] = {
  F_STRING("job_id", 0),      F_STRING("stream_name", 0),   F_STRING("app_id", 0),
  F_STRING("room_id", 0),
  F_OBJECT("mix_param", 0, rtc_model_mix_param),
  F_OBJECT("record_param", 0, rtc_model_record_param),
  F_STRING("create_time", 0), F_STRING("update_time", 0),   F_STRING("state", 0),
  F_STRING("stop_reason", 0), F_STRING("description", 0),   F_STRING("start_time", 0),
  F_STRING("stop_time", 0),
};
RTC_SCHEMA(rtc_model_mix_job, "MixJob", mix_job_fields, NULL, NULL);

/* ---------------------------------------------------------------- rooms */

static const rtc_field remove_users_fields[] = {
  F_STRINGS("user_ids", RTC_REQUIRED | RTC_NONEMPTY, 1, RTC_MAX_USERS, NULL, NULL),
};
RTC_SCHEMA(rtc_model_remove_users_req, "RemoveUsersReq", remove_users_fields, NULL, NULL);

/* ---------------------------------------------------------------- OBS buckets */

static const rtc_field obs_objects_query_fields[] = {
  F_STRING("bucket", RTC_REQUIRED | RTC_NONEMPTY),
  F_STRING("prefix", 0), /* a folder path */
  F_ENUM("type", RTC_REQUIRED, object_list_types),
  F_ENUM("location", RTC_REQUIRED, obs_locations),
};
RTC_SCHEMA(rtc_model_obs_objects_query, "ListObsBucketObjectsQuery", obs_objects_query_fields,
           NULL, NULL);

static const rtc_field obs_bucket_fields[] = {
  F_STRING("bucket", 0), F_STRING("location", 0),
  F_STRING("creation_date", 0), /* "2020/07/16 15:11:55 GMT+08:00", not ISO 8601 */
  F_BOOLEAN("is_authorized"),
};
RTC_SCHEMA(rtc_model_obs_bucket, "ObsBucket", obs_bucket_fields, NULL, NULL);

static const rtc_field obs_bucket_list_fields[] = {
  F_INT_ANY("count"), F_OBJECTS("buckets", 0, 0, RTC_ANY_LENGTH, rtc_model_obs_bucket),
};
RTC_SCHEMA(rtc_model_obs_bucket_list, "ListObsBucketsResponse", obs_bucket_list_fields, NULL,
           NULL);

static const rtc_field obs_object_fields[] = {
  F_STRING("file_name", 0), F_INT_ANY("size"), /* kilobytes */
  F_STRING("last_modified", 0),
};
RTC_SCHEMA(rtc_model_obs_object, "ObsObject", obs_object_fields, NULL, NULL);

static const rtc_field obs_object_list_fields[] = {
  F_INT_ANY("count"), F_OBJECTS("objects", 0, 0, RTC_ANY_LENGTH, rtc_model_obs_object),
};
RTC_SCHEMA(rtc_model_obs_object_list, "ListObsBucketObjectsResponse", obs_object_list_fields,
           NULL, NULL);

static const rtc_field obs_authority_fields[] = {
  F_STRING("bucket", RTC_REQUIRED | RTC_NONEMPTY),
  F_INTEGER("operation", RTC_REQUIRED, 0, 1), /* 1 grants SparkRTC access, 0 revokes it */
  F_ENUM("location", RTC_REQUIRED, obs_locations),
  F_STRING("project_id", 0),
};
RTC_SCHEMA(rtc_model_obs_authority, "ObsAuthorityConfig", obs_authority_fields, NULL, NULL);
