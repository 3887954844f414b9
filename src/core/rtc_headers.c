/* rtc_headers.c: the headers of one attempt (see rtc_headers.h): built, signed through the
 * signer's C API, and turned into libcurl header lists. No Lua. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "rtc_credentials.h"
#include "rtc_headers.h"
#include "rtc_sign.h"
#include "rtc_text.h"


static void add_header(rtc_headers *h, const char *name, const char *value) {
  if (h->n < RTC_MAX_HEADERS) {
    h->name[h->n] = name;
    h->value[h->n] = value;
    h->n++;
  }
}

#define JSON_UTF8 "application/json;charset=utf-8"

const char *rtc_content_type(const rtc_operation *op, size_t body_len) {
  if (body_len == 0) return "application/json";
  return op->content_type ? op->content_type : JSON_UTF8;
}

int rtc_content_slot(const rtc_operation *op, size_t body_len) {
  if (body_len == 0) return 0;
  return strcmp(rtc_content_type(op, body_len), JSON_UTF8) == 0 ? 1 : 2;
}

void rtc_auth_free(rtc_auth *a) {
  if (a->creds) {
    rtc_credentials_free(a->creds);
    free(a->creds);
    a->creds = NULL;
  }
  rtc_sign_key_free(a->key);
  a->key = NULL;
  rtc_buf_free(&a->authorization);
  a->generation = 0;
}

/* The headers every request of the client carries with the same value, prepared once into the
 * key: lowercased, trimmed and sorted there, not per attempt. */
int rtc_auth_prepare(rtc_auth *a, char *err, size_t errlen) {
  const rtc_credentials *cr = a->creds;
  rtc_sign_header fixed[2];
  size_t n = 0;
  rtc_sign_key *key;
  if (cr == NULL || cr->kind != RTC_AUTH_AKSK || cr->sk == NULL) {
    snprintf(err, errlen, "no AK/SK to sign with");
    return -1;
  }
  key = rtc_sign_key_new(cr->sk, strlen(cr->sk));
  if (key == NULL) {
    snprintf(err, errlen, "cannot prepare the signing key (OpenSSL)");
    return -1;
  }
  if (cr->project_id) {
    fixed[n].name = "X-Project-Id", fixed[n].name_len = 12;
    fixed[n].value = cr->project_id, fixed[n].value_len = strlen(cr->project_id);
    n++;
  }
  if (cr->security_token) {
    fixed[n].name = "X-Security-Token", fixed[n].name_len = 16;
    fixed[n].value = cr->security_token, fixed[n].value_len = strlen(cr->security_token);
    n++;
  }
  if (rtc_sign_key_prepare(key, cr->ak, fixed, n, err, errlen) != 0) {
    rtc_sign_key_free(key);
    return -1;
  }
  rtc_sign_key_free(a->key);
  a->key = key;
  a->generation = cr->generation;
  return 0;
}

/* Metadata keys whose refresh time has come: fetched (pure C, no Lua), and the key prepared
 * again when they changed. Other keys never change: nothing to do. */
static int refresh_keys(rtc_auth *a, char *err, size_t errlen) {
  if (a->creds->metadata_url == NULL) return 0;
  if (rtc_credentials_refresh(a->creds, (double)time(NULL), err, errlen) != RTC_CRED_OK) return -1;
  if (a->creds->generation == a->generation && a->key != NULL) return 0;
  return rtc_auth_prepare(a, err, errlen);
}

int rtc_build_headers(const rtc_config *cfg, int endpoint, const rtc_operation *op,
                      const rtc_buf *target, const rtc_buf *body, time_t now, rtc_headers *h,
                      char *err, size_t errlen) {
  const rtc_endpoint *ep = &cfg->endpoints[endpoint];
  rtc_auth *a = cfg->auth;
  const rtc_credentials *cr = a->creds;
  h->n = 0;
  add_header(h, "Host", ep->host);
  add_header(h, "Content-Type", rtc_content_type(op, body->len));
  if (cr->kind == RTC_AUTH_TOKEN) {
    add_header(h, "X-Auth-Token", cr->token);
  } else if (cr->kind == RTC_AUTH_AKSK) {
    rtc_sign_header per_call[3];
    size_t i;
    if (refresh_keys(a, err, errlen) != 0) return -1;
    cr = a->creds;
    rtc_sign_format_date(h->date, now);
    add_header(h, "X-Sdk-Date", h->date);
    for (i = 0; i < h->n; i++) { /* Host, Content-Type, X-Sdk-Date; the key has the rest */
      per_call[i].name = h->name[i];
      per_call[i].name_len = strlen(h->name[i]);
      per_call[i].value = h->value[i];
      per_call[i].value_len = strlen(h->value[i]);
    }
    rtc_buf_reset(&a->authorization);
    if (rtc_sign_key_sign(a->key, op->method, ep->prefix, strlen(ep->prefix), target->data,
                          target->len, per_call, h->n, body->data, body->len, &a->authorization,
                          err, errlen) != 0)
      return -1;
    if (cr->project_id) add_header(h, "X-Project-Id", cr->project_id);
    if (cr->security_token) add_header(h, "X-Security-Token", cr->security_token);
    add_header(h, "Authorization", a->authorization.data);
  } else {
    snprintf(err, errlen, "no credentials");
    return -1;
  }
  add_header(h, "User-Agent", cfg->user_agent);
  return 0;
}

/* What may change from one attempt to the next: refreshed keys bring a new security token. */
static int per_attempt(const char *name) {
  return strcmp(name, "X-Sdk-Date") == 0 || strcmp(name, "Authorization") == 0 ||
         strcmp(name, "X-Security-Token") == 0;
}

static int slist_add(struct curl_slist **list, rtc_buf *tmp, const char *name, const char *value) {
  struct curl_slist *next;
  rtc_buf_reset(tmp);
  if (rtc_buf_add_str(tmp, name) || rtc_buf_add(tmp, ": ", value[0] ? 2 : 1) ||
      rtc_buf_add_str(tmp, value))
    return -1;
  next = curl_slist_append(*list, tmp->data);
  if (next == NULL) return -1;
  *list = next;
  return 0;
}

/* The headers that never change for an endpoint and a kind of request, built once per client.
 * "Expect:" (no value) removes libcurl's own Expect header: no 100-continue round trip, and no
 * Expect header on the wire at all. */
struct curl_slist *rtc_headers_fixed(struct curl_slist **slot, const rtc_headers *h) {
  struct curl_slist *list = *slot;
  rtc_buf tmp = RTC_BUF_INIT;
  size_t i;
  if (list != NULL) return list;
  for (i = 0; i < h->n; i++)
    if (!per_attempt(h->name[i]) && slist_add(&list, &tmp, h->name[i], h->value[i]) != 0) break;
  if (i < h->n || slist_add(&list, &tmp, "Accept", "application/json") ||
      slist_add(&list, &tmp, "Expect", "")) {
    curl_slist_free_all(list);
    list = NULL;
  }
  rtc_buf_free_secret(&tmp);
  *slot = list;
  return list;
}

/* The per-attempt headers: one block holds their list nodes and texts, linked in front of the
 * fixed list (struct curl_slist is public; libcurl only reads it). The block starts with its
 * size (in a node's room, for alignment), so that it can be wiped. */
struct curl_slist *rtc_headers_attempt(const rtc_headers *h, struct curl_slist *fixed,
                                       void **block) {
  size_t i, k = 0, text = 0, size;
  struct curl_slist *nodes;
  char *p;
  for (i = 0; i < h->n; i++)
    if (per_attempt(h->name[i])) k++, text += strlen(h->name[i]) + 2 + strlen(h->value[i]) + 1;
  *block = NULL;
  if (k == 0) return fixed;
  size = (k + 1) * sizeof *nodes + text;
  p = malloc(size);
  if (p == NULL) return NULL;
  memcpy(p, &size, sizeof size);
  *block = p;
  nodes = (struct curl_slist *)(void *)p + 1;
  p += (k + 1) * sizeof *nodes;
  for (i = 0, k = 0; i < h->n; i++) {
    size_t nl, vl;
    if (!per_attempt(h->name[i])) continue;
    nl = strlen(h->name[i]);
    vl = strlen(h->value[i]);
    nodes[k].data = p;
    memcpy(p, h->name[i], nl);
    memcpy(p + nl, ": ", 2);
    memcpy(p + nl + 2, h->value[i], vl + 1);
    p += nl + 2 + vl + 1;
    if (k > 0) nodes[k - 1].next = &nodes[k];
    k++;
  }
  nodes[k - 1].next = fixed;
  return nodes;
}

void rtc_headers_free_attempt(void *block) {
  size_t size;
  if (block == NULL) return;
  memcpy(&size, block, sizeof size);
  OPENSSL_cleanse(block, size);
  free(block);
}

void rtc_headers_free_fixed(struct curl_slist **slot) {
  struct curl_slist *node;
  for (node = *slot; node; node = node->next)
    OPENSSL_cleanse(node->data, strlen(node->data)); /* held the token, if any */
  curl_slist_free_all(*slot);
  *slot = NULL;
}

int rtc_headers_debug(rtc_buf *line, const char *method, const char *url, int attempt,
                      const rtc_headers *h, const rtc_buf *body) {
  size_t i;
  if (rtc_buf_addf(line, "> %s %s (attempt %d)", method, url, attempt)) return -1;
  for (i = 0; i < h->n; i++) {
    /* secrets stay out of debug output: the token and security token are shown masked (RTC_MASK) */
    int secret = strcmp(h->name[i], "X-Auth-Token") == 0 ||
                 strcmp(h->name[i], "X-Security-Token") == 0;
    if (rtc_buf_addf(line, "\n> %s: %s", h->name[i], secret ? RTC_MASK : h->value[i]))
      return -1;
  }
  if (body->len && (rtc_buf_add(line, "\n> ", 3) || rtc_buf_add(line, body->data, body->len)))
    return -1;
  return 0;
}

