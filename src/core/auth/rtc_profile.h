/* rtc_profile.h: the SDKs' credentials file (INI), read and parsed; one section's raw values.
 * Knows nothing of the chain: rtc_credentials.c decides what the values mean, checks them and
 * reports what the reader found (a file open to group or others). Return codes and sizes are
 * rtc_cred_codes.h's; nothing there is called. */
#ifndef RTC_PROFILE_H
#define RTC_PROFILE_H

#include "rtc_buf.h"
#include "rtc_cred_codes.h"

typedef struct rtc_profile {
  char path[4096];                 /* the file ("~/.huaweicloud/credentials" when no home) */
  char label[RTC_CRED_SOURCE_LEN]; /* "profile /root/.huaweicloud/credentials [basic]"; "" when
                                    * there is no home directory to look in */
  int present;                     /* the file exists (0: the default file is absent) */
  int has_section;                 /* the section was there */
  int open_to_others;              /* group or others may access the file (mode below) */
  unsigned mode;                   /* its permission bits, when open_to_others */
  /* the section's values, NULL when absent or empty; they point into text */
  const char *ak, *sk, *project_id, *security_token;
  rtc_buf text; /* the file, split in place; wiped by rtc_profile_free */
} rtc_profile;

/* Reads the section of the credentials file: credentials_file (the option; NULL: env
 * HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials). p must be zeroed. 0, with
 * present 0 when the default file does not exist, or an error code and err naming the file (and
 * the line; never its text). p's facts (open_to_others) are set either way; free it with
 * rtc_profile_free either way. */
int rtc_profile_read(rtc_profile *p, const char *credentials_file, const char *section, char *err,
                     size_t errlen);
void rtc_profile_free(rtc_profile *p); /* wipes the text: it holds keys */

/* getenv, with an empty value taken as unset: the one reading of the environment the profile
 * reader and the chain share. */
const char *rtc_env(const char *name);

#endif
