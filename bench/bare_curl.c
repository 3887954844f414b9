/* bench/bare_curl.c — the floor rtc is compared with: the same PUT that rtc sends (method, URL,
 * headers, body read from a file written by `bench/seq.lua --dump`, i.e. client:prepare), sent
 * with libcurl in a loop on ONE reused easy handle. Per call it does what any client must do
 * with the answer and nothing more: collect the body into a buffer, look for X-request-Id among
 * the response headers, check the status. No signing, no JSON.
 *
 *   bare_curl REQUEST_FILE N [WARMUP]   -> RESULT bare calls=N seconds=S cpu_seconds=S calls_per_s=R
 *   bare_curl --version                 -> the libcurl version string
 * N may be 0 (start-up-only run, used to subtract start-up cost under callgrind).
 */
#include "bare_request.h"

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    printf("%s\n", curl_version());
    return 0;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: %s REQUEST_FILE N [WARMUP]\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]), warmup = argc > 3 ? atol(argv[3]) : 1000;

  struct request req;
  request_read(&req, argv[1]);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *h = curl_easy_init();
  struct answer ans = {{0}, {0}};
  request_set(h, &req, &ans);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);

  double t0 = 0;
  clock_t c0 = 0;
  for (long i = -warmup; i < n; i++) {
    if (i == 0) { t0 = now(); c0 = clock(); }
    answer_reset(&ans);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || ans.body.len == 0 || !ans.request_id[0]) {
      fprintf(stderr, "call %ld failed: %s, HTTP %ld, %zu body bytes, request id '%s'\n",
              i, curl_easy_strerror(rc), status, ans.body.len, ans.request_id);
      return 1;
    }
  }
  if (n <= 0) { t0 = now(); c0 = clock(); }
  double dt = now() - t0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
  printf("RESULT bare calls=%ld warmup=%ld seconds=%.6f cpu_seconds=%.6f calls_per_s=%.6f\n",
         n, warmup, dt, cpu, n > 0 ? n / dt : 0.0);

  curl_easy_cleanup(h);
  curl_global_cleanup();
  free(ans.body.p);
  request_free(&req);
  return 0;
}
