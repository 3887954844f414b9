/* bench/sign_bench.c: instructions per signature, for callgrind (see bench/README.md).
 *   cc -O2 -Isrc/base -Isrc/core bench/sign_bench.c src/core/rtc_sign.c src/base/rtc_buf.c \
 *     src/base/rtc_text.c -lcrypto -o build/sign_bench  (the signer needs no Lua)
 *   valgrind --tool=callgrind build/sign_bench 1000  ;  ... 11000
 * The difference of the two totals over 10000 is the cost of one signature of an update_job
 * request as a client signs it (Host, Content-Type, X-Sdk-Date, X-Project-Id; a JSON body).
 * argv[2]: "key" (default) rtc_sign_authorization_key, "sk" rtc_sign_authorization (rtc.sign's
 * path: a key per call), "fast" rtc_sign_key_prepare once + rtc_sign_key_sign into one rtc_buf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc_sign.h"

int main(int argc, char **argv) {
  static const char body[] = "{\"publish_param\":{\"rtmp_urls\":[\"rtmp://live.example.com/app/s1\"]}}";
  static const char target[] = "/v2/apps/0123456789abcdef/individual-stream-jobs/job-0001";
  rtc_sign_header h[4] = {
      {"Host", 4, "rtc-api.myhuaweicloud.com", 25},
      {"Content-Type", 12, "application/json;charset=utf-8", 30},
      {"X-Sdk-Date", 10, "20240229T235959Z", 16},
      {"X-Project-Id", 12, "0123456789abcdef0123456789abcdef", 32},
  };
  long n = argc > 1 ? atol(argv[1]) : 1000, i;
  const char *mode = argc > 2 ? argv[2] : "key";
  int with_sk = strcmp(mode, "sk") == 0, fast = strcmp(mode, "fast") == 0;
  rtc_buf out = RTC_BUF_INIT;
  rtc_sign_key *key = rtc_sign_key_new("SecretKey", 9);
  unsigned long sum = 0;
  char err[256];
  if (key == NULL) return 1;
  if (fast && rtc_sign_key_prepare(key, "AccessKey", h + 3, 1, err, sizeof err) != 0) return 1;
  for (i = 0; i < n && fast; i++) {
    rtc_buf_reset(&out);
    if (rtc_sign_key_sign(key, "PUT", "", 0, target, sizeof target - 1, h, 3, body, sizeof body - 1,
                          &out, err, sizeof err) != 0) {
      fprintf(stderr, "sign_bench: %s\n", err);
      return 1;
    }
    sum += (unsigned char)out.data[out.len - 1];
  }
  rtc_buf_free(&out);
  for (i = 0; i < n && !fast; i++) {
    char *auth = NULL;
    int rc = with_sk ? rtc_sign_authorization("PUT", target, sizeof target - 1, h, 4, body,
                                              sizeof body - 1, "AccessKey", "SecretKey", 9, &auth,
                                              NULL, err, sizeof err)
                     : rtc_sign_authorization_key(key, "PUT", target, sizeof target - 1, h, 4, body,
                                                  sizeof body - 1, "AccessKey", &auth, err, sizeof err);
    if (rc != 0) {
      fprintf(stderr, "sign_bench: %s\n", err);
      return 1;
    }
    sum += (unsigned char)auth[strlen(auth) - 1];
    free(auth);
  }
  rtc_sign_key_free(key);
  printf("%lu\n", sum);
  return 0;
}
