/* rtc_sign_lua.c - rtc.sign(req): the signer for Lua users (headers, canonical_request).
 * This file checks Lua types, reads req.url with libcurl's URL parser (what the engine sends)
 * and completes the headers as the official SDK does (X-Sdk-Date, Host, X-Sdk-Content-Sha256);
 * the signer (rtc_sign.c) checks the values and names the offending field, and its message is
 * raised as "rtc.sign: req.<field>: ...". Without req.ak and req.sk, req.credentials (a table of
 * rtc.credentials' options) takes the keys from the credentials chain (options, environment,
 * profile file; never the metadata service: signing does no network I/O), and adds
 * X-Project-Id and X-Security-Token as the SDKs' BasicCredentials do. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "rtc_lua.h"
#include "rtc_credentials.h"
#include "rtc_sign.h"
#include "rtc_text.h"

#define BOX_MT "rtc.sign.box"

/* Holds what C allocates during one call (the parsed URL, the signer's strings), so that a Lua
 * error on the way frees it. */
typedef struct sign_box {
  CURLU *url;
  char *host, *port, *path, *query;
  char *authorization;
  char *canonical;
  rtc_sign_header *h; /* req.headers, copied in one pass (each name and value one malloc) */
  size_t n, cap;
  rtc_credentials cred; /* the chain's keys (req.credentials); wiped with the box */
} sign_box;

static void box_clear(sign_box *b) {
  size_t i;
  for (i = 0; i < b->n; i++) free((void *)b->h[i].name);
  free(b->h);
  rtc_credentials_free(&b->cred);
  curl_url_cleanup(b->url);
  curl_free(b->host);
  curl_free(b->port);
  curl_free(b->path);
  curl_free(b->query);
  free(b->authorization);
  free(b->canonical);
  memset(b, 0, sizeof *b);
}

static int lrtc_signbox_gc(lua_State *L) {
  box_clear((sign_box *)luaL_checkudata(L, 1, BOX_MT));
  return 0;
}

/* stack slots of lrtc_sign */
enum {
  S_REQ = 1,
  S_METHOD,
  S_URL,
  S_HEADERS,
  S_BODY,
  S_AK,
  S_SK,
  S_DATE,
  S_CRED,      /* req.credentials, then its options: */
  S_C_AK,
  S_C_SK,
  S_C_PROJECT,
  S_C_STOKEN,
  S_C_PROFILE,
  S_C_FILE,
  S_BOX,
  S_HOST,
  S_TARGET,
  S_OUT
};

static const char *field_string(lua_State *L, int idx, const char *field, size_t *len,
                                int optional) {
  int t = lua_type(L, idx);
  *len = 0;
  if (t == LUA_TSTRING) return lua_tolstring(L, idx, len);
  if (!(optional && t == LUA_TNIL))
    luaL_error(L, "rtc.sign: req.%s: expected a string, got %s", field, luaL_typename(L, idx));
  return NULL;
}

/* 1 when name is lit, ASCII case aside (lit lowercase). */
static int name_is(const char *name, size_t len, const char *lit) {
  size_t i;
  if (len != strlen(lit)) return 0;
  for (i = 0; i < len; i++)
    if ((name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]) != lit[i]) return 0;
  return 1;
}

/* 1 when a Content-Type value asks for X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD (it starts with
 * neither application/json nor application/bson, ASCII case aside, blanks trimmed). */
static int unsigned_payload(const char *ct, size_t len) {
  while (len > 0 && rtc_is(*ct, RTC_C_SPACE)) {
    ct++;
    len--;
  }
  return !(len >= 16 &&
           (name_is(ct, 16, "application/json") || name_is(ct, 16, "application/bson")));
}

/* req.url: "scheme://[userinfo@]host[:port][/path][?query][#fragment]", read by curl_url(), or
 * a bare "/path[?query]" taken as it is. Pushes the host ("host[:port]" as the URL names it; nil
 * for a bare path) and the target ("/path[?query]", "/" when the URL has no path). */
static void split_url(lua_State *L, sign_box *box, const char *url, size_t len) {
  const char *sep;
  CURLUcode rc;
  if (len == 0) luaL_error(L, "rtc.sign: req.url: expected a non-empty string");
  if (rtc_text_has(url, len, RTC_C_CONTROL)) /* NUL included */
    luaL_error(L, "rtc.sign: req.url: contains a control character");
  if (url[0] == '/' && !(len > 1 && url[1] == '/')) {
    const char *hash = memchr(url, '#', len);
    lua_pushnil(L);
    lua_pushlstring(L, url, hash != NULL ? (size_t)(hash - url) : len);
    return;
  }
  /* "https:///x": libcurl would take "x" for the host; the user meant a host and gave none */
  if ((sep = strstr(url, "://")) != NULL && sep[3] == '/')
    luaL_error(L, "rtc.sign: req.url: no host");
  if ((box->url = curl_url()) == NULL) luaL_error(L, "rtc.sign: out of memory");
  rc = curl_url_set(box->url, CURLUPART_URL, url,
                    CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS | CURLU_ALLOW_SPACE);
  if (rc == CURLUE_NO_HOST) luaL_error(L, "rtc.sign: req.url: no host");
  if (rc != CURLUE_OK)
    luaL_error(L,
               "rtc.sign: req.url: expected scheme://host/path or a path starting with '/' "
               "(%s)",
               curl_url_strerror(rc));
  if (curl_url_get(box->url, CURLUPART_HOST, &box->host, 0) != CURLUE_OK ||
      curl_url_get(box->url, CURLUPART_PATH, &box->path, 0) != CURLUE_OK)
    luaL_error(L, "rtc.sign: req.url: no host");
  (void)curl_url_get(box->url, CURLUPART_PORT, &box->port, 0);   /* none: CURLUE_NO_PORT */
  (void)curl_url_get(box->url, CURLUPART_QUERY, &box->query, 0); /* none: CURLUE_NO_QUERY */
  lua_pushstring(L, box->host);
  if (box->port != NULL) {
    lua_pushliteral(L, ":");
    lua_pushstring(L, box->port);
    lua_concat(L, 3);
  }
  lua_pushstring(L, box->path[0] == '/' ? box->path : "/");
  if (box->query != NULL) {
    lua_pushliteral(L, "?");
    lua_pushstring(L, box->query);
    lua_concat(L, 3);
  }
}

static void add_header(rtc_sign_header *h, size_t *n, const char *name, const char *value,
                       size_t value_len) {
  h[*n].name = name;
  h[*n].name_len = strlen(name);
  h[*n].value = value;
  h[*n].value_len = value_len;
  (*n)++;
}

int lrtc_sign(lua_State *L) {
  const char *method, *url, *body, *ak, *sk, *date, *target;
  size_t method_len, url_len, body_len, ak_len, sk_len, date_len, target_len;
  size_t n = 0;
  int has_date = 0, has_host = 0, add_csha = 0, has_csha = 0, has_project = 0, has_stoken = 0;
  rtc_sign_header *harr;
  sign_box *box;
  char datebuf[17], errbuf[320];

  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, S_REQ, "method");
  lua_getfield(L, S_REQ, "url");
  lua_getfield(L, S_REQ, "headers");
  lua_getfield(L, S_REQ, "body");
  lua_getfield(L, S_REQ, "ak");
  lua_getfield(L, S_REQ, "sk");
  lua_getfield(L, S_REQ, "date");
  lua_getfield(L, S_REQ, "credentials");
  {
    static const char *const opts[] = {"ak", "sk", "project_id", "security_token", "profile",
                                       "credentials_file"};
    size_t i;
    int given = lua_istable(L, S_CRED);
    if (!given && !lua_isnil(L, S_CRED))
      return luaL_error(L, "rtc.sign: req.credentials: expected a table, got %s",
                        luaL_typename(L, S_CRED));
    for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
      size_t len = 0;
      const char *v = NULL;
      if (given) lua_getfield(L, S_CRED, opts[i]);
      else lua_pushnil(L);
      if (lua_type(L, -1) == LUA_TSTRING) v = lua_tolstring(L, -1, &len);
      if (!lua_isnil(L, -1) && (v == NULL || memchr(v, '\0', len) != NULL))
        return luaL_error(L, "rtc.sign: req.credentials.%s: expected a string", opts[i]);
    }
  }  method = field_string(L, S_METHOD, "method", &method_len, 0);
  url = field_string(L, S_URL, "url", &url_len, 0);
  if (!lua_isnil(L, S_HEADERS) && !lua_istable(L, S_HEADERS))
    return luaL_error(L, "rtc.sign: req.headers: expected a table, got %s",
                      luaL_typename(L, S_HEADERS));
  body = field_string(L, S_BODY, "body", &body_len, 1);
  {
    int chain = lua_istable(L, S_CRED) && lua_isnil(L, S_AK) && lua_isnil(L, S_SK);
    ak = field_string(L, S_AK, "ak", &ak_len, chain);
    sk = field_string(L, S_SK, "sk", &sk_len, chain);
  }
  date = field_string(L, S_DATE, "date", &date_len, 1);
  /* the signer takes method and AK as C strings: a NUL would cut them short unseen */
  if (memchr(method, '\0', method_len) != NULL)
    return luaL_error(L, "rtc.sign: req.method: expected an HTTP token, got a NUL byte");
  if (ak != NULL && memchr(ak, '\0', ak_len) != NULL)
    return luaL_error(L, "rtc.sign: req.ak: contains a blank, ',' or a control character");
  if (date != NULL && !rtc_sign_date_valid(date, date_len))
    return luaL_error(L, "rtc.sign: req.date: " RTC_SIGN_DATE_RULE);

  box = (sign_box *)lua_newuserdata(L, sizeof *box); /* S_BOX */
  memset(box, 0, sizeof *box);
  if (luaL_newmetatable(L, BOX_MT)) {
    lua_pushcfunction(L, lrtc_signbox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  if (ak == NULL) { /* the credentials chain: what the client would sign with */
    rtc_cred_request in;
    char err[1200];
    int rc;
    memset(&in, 0, sizeof in);
    in.ak = lua_tostring(L, S_C_AK);
    in.sk = lua_tostring(L, S_C_SK);
    in.project_id = lua_tostring(L, S_C_PROJECT);
    in.security_token = lua_tostring(L, S_C_STOKEN);
    in.profile = lua_tostring(L, S_C_PROFILE);
    in.credentials_file = lua_tostring(L, S_C_FILE);
    in.metadata = 0;
    rc = rtc_credentials_resolve(&in, &box->cred, err, sizeof err);
    if (rc == RTC_CRED_NOMEM) return luaL_error(L, "rtc.sign: out of memory");
    if (rc == RTC_CRED_OK && box->cred.kind != RTC_AUTH_AKSK) {
      rc = RTC_CRED_INVALID;
      snprintf(err, sizeof err, "no AK/SK in the credentials chain (tried %.1000s)%s", box->cred.tried,
               box->cred.kind == RTC_AUTH_TOKEN ? "; a token cannot sign a request" : "");
    }
    if (rc != RTC_CRED_OK) {
      box_clear(box);
      lua_pushnil(L);
      rtc_push_error(L, rtc_cred_kind(rc), 0, NULL, err, NULL, NULL);
      return 2;
    }
    ak = box->cred.ak;
    ak_len = strlen(ak);
    sk = box->cred.sk;
    sk_len = strlen(sk);
  }
  split_url(L, box, url, url_len); /* S_HOST, S_TARGET */
  target = lua_tolstring(L, S_TARGET, &target_len);

  /* one pass over req.headers, copied into C memory as it goes (malloc only: no Lua code can
   * run between the reads, and nothing read is looked at in Lua memory again) */
  if (lua_istable(L, S_HEADERS)) {
    lua_pushnil(L);
    while (lua_next(L, S_HEADERS) != 0) {
      const char *name, *value;
      size_t nl, vl;
      char *copy;
      if (lua_type(L, -2) != LUA_TSTRING)
        return luaL_error(L, "rtc.sign: req.headers: expected string keys, got %s",
                          luaL_typename(L, -2));
      name = lua_tolstring(L, -2, &nl);
      if (lua_type(L, -1) != LUA_TSTRING)
        return luaL_error(L, "rtc.sign: req.headers[\"%s\"]: expected a string, got %s", name,
                          luaL_typename(L, -1));
      value = lua_tolstring(L, -1, &vl);
      if (name_is(name, nl, "authorization")) { /* replaced by ours */
        lua_pop(L, 1);
        continue;
      }
      if (box->n + 5 >= box->cap) {
        size_t cap = box->cap ? 2 * box->cap : 16;
        rtc_sign_header *h = realloc(box->h, cap * sizeof *h);
        if (h == NULL) return luaL_error(L, "rtc.sign: out of memory");
        box->h = h;
        box->cap = cap;
      }
      if ((copy = malloc(nl + vl + 2)) == NULL) return luaL_error(L, "rtc.sign: out of memory");
      memcpy(copy, name, nl);
      copy[nl] = '\0';
      memcpy(copy + nl + 1, value, vl);
      copy[nl + 1 + vl] = '\0';
      add_header(box->h, &box->n, copy, copy + nl + 1, vl);
      box->h[box->n - 1].name_len = nl; /* a NUL inside the name counts: the signer refuses it */
      has_date |= name_is(name, nl, "x-sdk-date");
      has_host |= name_is(name, nl, "host");
      has_csha |= name_is(name, nl, "x-sdk-content-sha256");
      has_project |= name_is(name, nl, "x-project-id");
      has_stoken |= name_is(name, nl, "x-security-token");
      if (name_is(name, nl, "content-type")) add_csha = unsigned_payload(value, vl);
      lua_pop(L, 1);
    }
  }
  add_csha = add_csha && !has_csha;
  if (box->cap < box->n + 5) { /* room for the five we may add */
    rtc_sign_header *h = realloc(box->h, (box->n + 5) * sizeof *h);
    if (h == NULL) return luaL_error(L, "rtc.sign: out of memory");
    box->h = h;
    box->cap = box->n + 5;
  }
  harr = box->h;
  n = box->n;
  if (!has_date) {
    if (date == NULL) {
      rtc_sign_format_date(datebuf, time(NULL));
      date = datebuf;
      date_len = strlen(datebuf);
    }
    add_header(harr, &n, "X-Sdk-Date", date, date_len);
  }
  if (!has_host && !lua_isnil(L, S_HOST)) {
    size_t host_len;
    const char *host = lua_tolstring(L, S_HOST, &host_len); /* anchored in its slot */
    add_header(harr, &n, "Host", host, host_len);
  }
  if (box->cred.project_id && !has_project) /* the chain's: as BasicCredentials adds them */
    add_header(harr, &n, "X-Project-Id", box->cred.project_id, strlen(box->cred.project_id));
  if (box->cred.security_token && !has_stoken)
    add_header(harr, &n, "X-Security-Token", box->cred.security_token,
               strlen(box->cred.security_token));
  if (add_csha) add_header(harr, &n, "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD", 16);

  if (rtc_sign_authorization(method, target, target_len, harr, n, body, body_len, ak, sk, sk_len,
                             &box->authorization, &box->canonical, errbuf, sizeof errbuf) != 0) {
    static const char *const fields[] = {"method:", "headers:", "headers[", "body:", "ak:", "sk:"};
    size_t i;
    if (strncmp(errbuf, "target:", 7) == 0) /* the target comes from req.url */
      return luaL_error(L, "rtc.sign: req.url:%s", errbuf + 7);
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
      if (strncmp(errbuf, fields[i], strlen(fields[i])) == 0)
        return luaL_error(L, "rtc.sign: req.%s", errbuf);
    return luaL_error(L, "rtc.sign: %s", errbuf);
  }
  /* the answer is built from C's copies (box->n of them are req's, the rest added) */
  lua_createtable(L, 0, (int)(n < 64 ? n : 64) + 1); /* S_OUT */
  {
    size_t i;
    for (i = 0; i < n; i++) {
      lua_pushlstring(L, harr[i].name, harr[i].name_len);
      lua_pushlstring(L, harr[i].value, harr[i].value_len);
      lua_rawset(L, S_OUT);
    }
  }
  lua_pushstring(L, box->authorization);
  lua_setfield(L, S_OUT, "Authorization");
  lua_pushstring(L, box->canonical);
  box_clear(box); /* now rather than at the box's collection */
  return 2;
}
