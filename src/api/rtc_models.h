/* rtc_models.h: every request, query and answer schema of the 28 CloudRTC v2 operations
 * (API-v2-operations.md; the individual-stream jobs: API.md). Data only: the rows live in
 * rtc_models_jobs.c, rtc_models_apps.c and rtc_models_mix.c; rtc_api.c puts them into
 * operations. The field macros below are shared by those three files. */
#ifndef RTC_MODELS_H
#define RTC_MODELS_H

#include "rtc_rows.h"

/* ---- individual-stream jobs (rtc_models_jobs.c) ---- */
extern const rtc_schema rtc_model_publish_param;     /* PublishParam */
extern const rtc_schema rtc_model_record_param;      /* RecordParam (also of mix jobs) */
extern const rtc_schema rtc_model_create_job_req;    /* IndividualStreamJobReq */
extern const rtc_schema rtc_model_update_job_req;    /* UpdateIndividualJobReq */
extern const rtc_schema rtc_model_job;               /* IndividualStreamJobInfo (answers) */
extern const char *const rtc_video_types[];          /* CAMERASTREAM, SCREENSTREAM */

/* ---- apps, record rules, auto record, callbacks (rtc_models_apps.c) ---- */
extern const rtc_schema rtc_model_app_req;           /* AppReq */
extern const rtc_schema rtc_model_list_apps_query;   /* list_apps: state, offset, limit */
extern const rtc_schema rtc_model_app_state;         /* AppState */
extern const rtc_schema rtc_model_app_auth;          /* AppAuth */
extern const rtc_schema rtc_model_callback_url;      /* AppCallbackUrl */
extern const rtc_schema rtc_model_app_callbacks;     /* AppCallbacks */
extern const rtc_schema rtc_model_auto_record_mode;  /* AppAutoRecordMode */
extern const rtc_schema rtc_model_app;               /* App (get_app, items of list_apps) */
extern const rtc_schema rtc_model_app_list;          /* ListAppsResponse */
extern const rtc_schema rtc_model_app_created;       /* CreateAppResponse */
extern const rtc_schema rtc_model_app_switched;      /* StartAppResponse = StopAppResponse */
extern const rtc_schema rtc_model_obs_addr;          /* RecordObsFileAddr */
extern const rtc_schema rtc_model_hls_config;        /* HLSRecordConfig */
extern const rtc_schema rtc_model_mp4_config;        /* MP4RecordConfig */
extern const rtc_schema rtc_model_record_rule_req;   /* RecordRuleReq */
extern const rtc_schema rtc_model_list_rules_query;  /* list_record_rules: offset, limit */
extern const rtc_schema rtc_model_record_rule;       /* RecordRule */
extern const rtc_schema rtc_model_rule_list;         /* ListRecordRulesResponse */
extern const rtc_schema rtc_model_auto_record_req;   /* AutoRecordModeReq */
extern const rtc_schema rtc_model_auto_record;       /* ShowAutoRecordResponse = Update... */
extern const rtc_schema rtc_model_callback_req;      /* AppCallbackUrlReq */
extern const rtc_schema rtc_model_record_callback;   /* ShowRecordCallbackResponse = Update... */

/* ---- mix jobs, rooms, OBS buckets (rtc_models_mix.c) ---- */
extern const rtc_schema rtc_model_layout_pane;       /* MixLayoutPane */
extern const rtc_schema rtc_model_user_background;   /* MixUserBackgroundImage */
extern const rtc_schema rtc_model_mix_param;         /* MixParam */
extern const rtc_schema rtc_model_mix_job_req;       /* MixJobReq */
extern const rtc_schema rtc_model_update_mix_param;  /* UpdateMixParam */
extern const rtc_schema rtc_model_update_mix_req;    /* UpdateMixJobReq */
extern const rtc_schema rtc_model_mix_job;           /* the mix job as answered */
extern const rtc_schema rtc_model_remove_users_req;  /* RemoveUsersReq */
extern const rtc_schema rtc_model_obs_objects_query; /* list_obs_bucket_objects' query */
extern const rtc_schema rtc_model_obs_bucket;        /* ObsBucket */
extern const rtc_schema rtc_model_obs_bucket_list;   /* ListObsBucketsResponse */
extern const rtc_schema rtc_model_obs_object;        /* ObsObject */
extern const rtc_schema rtc_model_obs_object_list;   /* ListObsBucketObjectsResponse */
extern const rtc_schema rtc_model_obs_authority;     /* ObsAuthorityConfig */

/* ---- recording event callbacks (rtc_models_events.c) ---- */
extern const rtc_schema rtc_model_event;             /* the body SparkRTC POSTs (EVENTS.md) */
extern const char *const rtc_event_types[];          /* RECORD_NEW_FILE_START, ... */

/* ---- row helpers for the model files ----
 * Field order: {name, type, flags, min, max, enums, format, object, item, fmin, fmax}. */
#define RTC_N(a) (sizeof(a) / sizeof((a)[0]))
#define RTC_INT32_MAX 2147483647LL
#define RTC_INT32_MIN (-2147483647LL - 1)
/* Answers are normalized, never validated: their arrays are not bounded by the client. */
#define RTC_ANY_LENGTH RTC_INT32_MAX

#define F_STRING(n, fl) {n, RTC_T_STRING, fl, 0, RTC_MAX_TEXT, NULL, NULL, NULL, RTC_T_STRING, 0, 0}
#define F_STRING_MAX(n, fl, len) {n, RTC_T_STRING, fl, 0, len, NULL, NULL, NULL, RTC_T_STRING, 0, 0}
#define F_FORMAT(n, fl, fmt) {n, RTC_T_STRING, fl, 0, RTC_MAX_TEXT, NULL, fmt, NULL, RTC_T_STRING, 0, 0}
#define F_ENUM(n, fl, list) \
  {n, RTC_T_STRING, (fl) | RTC_NONEMPTY, 0, RTC_MAX_TEXT, list, NULL, NULL, RTC_T_STRING, 0, 0}
#define F_BOOLEAN(n) {n, RTC_T_BOOLEAN, 0, 0, 0, NULL, NULL, NULL, RTC_T_BOOLEAN, 0, 0}
#define F_INTEGER(n, fl, lo, hi) {n, RTC_T_INTEGER, fl, lo, hi, NULL, NULL, NULL, RTC_T_INTEGER, 0, 0}
#define F_INT_ANY(n) F_INTEGER(n, 0, RTC_INT32_MIN, RTC_INT32_MAX) /* answers: int32 */
#define F_NUMBER(n, fl, lo, hi) {n, RTC_T_NUMBER, fl, 0, 0, NULL, NULL, NULL, RTC_T_NUMBER, lo, hi}
#define F_OBJECT(n, fl, s) {n, RTC_T_OBJECT, fl, 0, 0, NULL, NULL, &(s), RTC_T_OBJECT, 0, 0}
/* arrays of strings: items from an enum list (or NULL), of a format (or NULL) */
#define F_STRINGS(n, fl, lo, hi, list, fmt) \
  {n, RTC_T_ARRAY, fl, lo, hi, list, fmt, NULL, RTC_T_STRING, 0, 0}
#define F_OBJECTS(n, fl, lo, hi, s) {n, RTC_T_ARRAY, fl, lo, hi, NULL, NULL, &(s), RTC_T_OBJECT, 0, 0}
#define RTC_SCHEMA(var, name, fields, one_of, rules) \
  const rtc_schema var = {name, fields, RTC_N(fields), one_of, rules}

#endif
