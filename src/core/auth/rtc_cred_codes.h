/* rtc_cred_codes.h: the return codes and sizes every part of the credentials layer shares (the
 * chain, the profile file reader, the metadata client). The lowest header of src/core/auth: the
 * readers include it, never the chain's rtc_credentials.h. */
#ifndef RTC_CRED_CODES_H
#define RTC_CRED_CODES_H

/* return codes: 0 or the kind of the error (rtc_cred_kind gives its name) */
enum { RTC_CRED_OK = 0, RTC_CRED_INVALID = 1, RTC_CRED_TRANSPORT = 2, RTC_CRED_NOMEM = 3 };

#define RTC_CRED_MAX_VALUE 65536 /* IAM tokens run to several KiB */
#define RTC_CRED_SOURCE_LEN 480  /* "profile /root/.huaweicloud/credentials [basic]" and the like */

#endif
