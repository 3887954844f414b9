/* rtc_engine.h: the libcurl transport. It knows libcurl and nothing of Lua: it takes prepared
 * transfers and hands back finished ones, in plain C structs. Idle easy handles kept for reuse,
 * sockets tracked with libcurl's socket and timer callbacks (epoll on Linux, else poll).
 *
 * Many transfers at once are spread over several multi handles ("shards") of at most
 * RTC_SHARD_TRANSFERS running transfers each: libcurl looks for a reusable connection by walking
 * every connection its multi handle holds to the host, so one multi handle with 1,000 connections
 * costs each new transfer a walk of hundreds of them (measured: ~30k instructions per transfer at
 * concurrency 1000). A shard is filled before the next one is used: one call at a time, or up to
 * RTC_SHARD_TRANSFERS at once, stays on one multi handle and one connection pool. */
#ifndef RTC_ENGINE_H
#define RTC_ENGINE_H

#include <stddef.h>

#include <curl/curl.h>

#include "rtc_buf.h"

/* an X-request-Id is kept up to one byte past the documented 256-byte cap, so a longer one is
 * seen as longer, never silently cut to a valid id */
#define RTC_ENGINE_ID_SIZE (256 + 2)
#define RTC_HEADER_PAST_LINE_LIMIT 1 /* one header line passed RTC_MAX_HEADER_LINE */
#define RTC_HEADERS_PAST_LIBCURL 2   /* libcurl refused the headers (its own size limits) */

typedef struct rtc_transfer {
  /* in: set by the caller before rtc_engine_add; the caller keeps them alive until done */
  const char *method;            /* "GET", "POST", "PUT", "DELETE", ... */
  const char *url;
  /* origin != NULL: url is origin followed by the request target, url + strlen(origin); the
   * engine then hands libcurl the two apart (see rtc_engine_add) */
  const char *origin;
  struct curl_slist *headers;
  const char *body;
  size_t body_len;
  long timeout_ms, connect_ms;
  size_t max_body;
  int fresh;                     /* a new connection, closed after: libcurl cannot re-send the
                                  * request by itself (it does on a reused connection that dies
                                  * before any answer byte, whatever the method) */
  long http_version;             /* CURL_HTTP_VERSION_* (0: libcurl's default) */
  int keep_headers;              /* keep the answer's header lines in answer_headers (--debug) */
  void *owner;                   /* the caller's */
  /* out: valid once the transfer is handed back */
  long status;                   /* 0: no answer */
  CURLcode code;
  char error[CURL_ERROR_SIZE];   /* libcurl's text when code != CURLE_OK */
  long sent;                     /* header bytes sent */
  long connect_status;           /* the proxy's answer to CONNECT (0: none) */
  int headers_ended;             /* the answer's header block was seen to its end */
  int sends;                     /* times the request went out: more than 1 when libcurl re-sent
                                  * it by itself (a reused connection that died first) */
  int too_large;                 /* the answer passed max_body; reading stopped */
  int headers_too_large;         /* RTC_HEADER_PAST_LINE_LIMIT or RTC_HEADERS_PAST_LIBCURL */
  char request_id[RTC_ENGINE_ID_SIZE], content_type[128], location[512], retry_after[64];
  rtc_buf response;
  rtc_buf answer_headers;        /* keep_headers: "Name: value\n" lines, the last answer's */
  /* the engine's */
  CURL *easy;
  const char *proxy;             /* the CURLOPT_PROXY set for it (NULL: the proxy option's) */
  int shard;
  struct rtc_transfer *next_done;
} rtc_transfer;

typedef struct rtc_engine_settings {
  int insecure;
  const char *ca_file, *ca_path, *proxy; /* NULL: libcurl's defaults (proxy: none) */
  /* The proxy environment, read once by the client: used when proxy is NULL (NULL: none) */
  const char *env_http_proxy, *env_https_proxy, *env_no_proxy;
} rtc_engine_settings;

typedef struct rtc_socket {
  curl_socket_t fd;
  int what;                      /* CURL_POLL_IN / OUT / INOUT */
  int shard;                     /* the multi handle that owns it */
} rtc_socket;

#define RTC_IDLE_HANDLES 64
#define RTC_SHARD_TRANSFERS 64   /* running transfers per multi handle before the next is used */
#define RTC_SHARDS 64            /* 64 x 64 = 4096, the most concurrency allows */

struct rtc_engine;
typedef struct rtc_shard {
  CURLM *multi;                  /* created when first needed */
  struct rtc_engine *engine;
  int index, running;
  double timer_at;               /* monotonic seconds; < 0: no libcurl timer */
} rtc_shard;

/* An idle easy handle and what its last transfer set on it, which a handle keeps: options that
 * are the same for the next transfer (the same rtc_transfer, as calls made one after another
 * reuse theirs; the same timeouts and proxy) are not set again. */
typedef struct rtc_idle_easy {
  CURL *easy;
  const rtc_transfer *t;         /* NULL: a new handle, nothing set yet */
  const struct curl_slist *headers;
  const char *proxy;
  long timeout_ms, connect_ms;
} rtc_idle_easy;

typedef struct rtc_engine {
  rtc_engine_settings settings;
  rtc_shard shards[RTC_SHARDS];
  int nshards;                   /* shards[0 .. nshards-1] have a multi handle */
  rtc_idle_easy idle[RTC_IDLE_HANDLES];
  int nidle;
  int running;
  rtc_socket *sockets;           /* every socket libcurl waits on */
  size_t nsockets, socket_cap;
  size_t *fd_slot, fd_cap;       /* descriptor -> its index in sockets + 1 (0: none) */
  int epfd;                      /* -1: poll() over sockets */
  int epoll_mode;                /* the sockets are registered with epfd; else poll() */
  rtc_transfer *done_head, *done_tail;
} rtc_engine;

double rtc_now(void); /* monotonic seconds */

/* 0, or -1 with a reason in err. The settings' strings must outlive the engine. */
int rtc_engine_init(rtc_engine *e, const rtc_engine_settings *settings, char *err, size_t errlen);
void rtc_engine_free(rtc_engine *e);
/* Starts a transfer: 0, or -1 with t->code / t->error set (nothing started). */
int rtc_engine_add(rtc_engine *e, rtc_transfer *t);
/* Stops a running transfer; it is not handed back. */
void rtc_engine_abort(rtc_engine *e, rtc_transfer *t);
/* Waits at most max_ms (0: never blocks) for socket activity, drives libcurl, and queues the
 * transfers that finished. */
void rtc_engine_wait(rtc_engine *e, long max_ms);
rtc_transfer *rtc_engine_take_done(rtc_engine *e);
/* Milliseconds until libcurl wants to be driven again; -1 when it has no timer. */
long rtc_engine_timeout_ms(const rtc_engine *e);

#endif
