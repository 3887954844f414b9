/* rtc_sign.c - SDK-HMAC-SHA256 request signer (see API.md "Authentication").
 *
 * Canonical request (lines joined by '\n'):
 *   METHOD / canonical URI / canonical query / canonical headers ("name:value\n" each) /
 *   signed headers (';') / payload hash
 * String to sign: "SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256(canonical request)>"
 * Signature: hex HMAC-SHA256(SK, string to sign).
 *
 * Hot path: one malloc for the canonical request (sized up front), one for the Authorization
 * value; header/query sort arrays and the decode scratch live on the stack for typical sizes.
 */
#define _POSIX_C_SOURCE 200809L

#include "rtc_sign.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#define SIGN_ALGORITHM "SDK-HMAC-SHA256"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define DATE_LEN 16
#define SMALL_N 16        /* headers / query params sorted in stack arrays up to this count */
#define SMALL_SCRATCH 512 /* decode scratch on the stack up to this target length */

/* OpenSSL 3 looks an algorithm up on every EVP_sha256()/HMAC() call, and that look-up costs
 * more than hashing a request. A prepared key (rtc_sign_key, one per client) fetches SHA-256
 * once and keeps an HMAC context keyed with the SK, which each signature duplicates. Without a
 * key (rtc.sign), the plain one-shot calls do. No process-wide state. */
struct rtc_sign_key {
    EVP_MD *md;
    EVP_MAC_CTX *mac;
};

rtc_sign_key *rtc_sign_key_new(const char *sk, size_t sk_len)
{
    rtc_sign_key *key;
    EVP_MAC *mac;
    OSSL_PARAM params[2];
    if (sk_len == 0 || (key = calloc(1, sizeof *key)) == NULL)
        return NULL;
    key->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    key->mac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context keeps its own reference */
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (key->md == NULL || key->mac == NULL ||
        EVP_MAC_init(key->mac, (const unsigned char *)sk, sk_len, params) != 1) {
        rtc_sign_key_free(key);
        return NULL;
    }
    return key;
}

void rtc_sign_key_free(rtc_sign_key *key)
{
    if (key != NULL) {
        EVP_MAC_CTX_free(key->mac); /* OpenSSL cleanses the keyed state */
        EVP_MD_free(key->md);
        free(key);
    }
}

static int sha256(const rtc_sign_key *key, const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, key != NULL ? key->md : EVP_sha256(), NULL) == 1 &&
           n == 32;
}

static int hmac_sha256(const rtc_sign_key *key, const char *sk, size_t sk_len, const void *data,
                       size_t len, unsigned char out[32])
{
    EVP_MAC_CTX *ctx;
    size_t n = 0;
    int ok;
    if (key == NULL) {
        unsigned int m = 0;
        return HMAC(EVP_sha256(), sk, (int)sk_len, data, len, out, &m) != NULL && m == 32;
    }
    if ((ctx = EVP_MAC_CTX_dup(key->mac)) == NULL)
        return 0;
    ok = EVP_MAC_update(ctx, data, len) == 1 && EVP_MAC_final(ctx, out, &n, 32) == 1 && n == 32;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

static const char HEX_LOWER[] = "0123456789abcdef";
static const char HEX_UPPER[] = "0123456789ABCDEF";

/* ------------------------------------------------------------------------------------------ */
/* small helpers                                                                              */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    if (vsnprintf(err, errlen, fmt, ap) < 0)
        err[0] = '\0';
    va_end(ap);
    err[errlen - 1] = '\0';
}

static unsigned char lower_c(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower_c(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len > 0 && is_blank((unsigned char)p[0])) {
        p++;
        len--;
    }
    while (len > 0 && is_blank((unsigned char)p[len - 1]))
        len--;
    *s = p;
    *n = len;
}

static int ci_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t i, n = al < bl ? al : bl;
    for (i = 0; i < n; i++) {
        unsigned char ca = lower_c((unsigned char)a[i]), cb = lower_c((unsigned char)b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return (al > bl) - (al < bl);
}

static int ci_eq_lit(const char *s, size_t n, const char *lit)
{
    size_t ln = strlen(lit);
    return n == ln && ci_cmp(s, n, lit, ln) == 0;
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int r = n ? memcmp(a, b, n) : 0;
    if (r != 0)
        return r;
    return (al > bl) - (al < bl);
}

static int is_date_form(const char *s, size_t n)
{
    size_t i;
    if (n != DATE_LEN || s[8] != 'T' || s[15] != 'Z')
        return 0;
    for (i = 0; i < 15; i++)
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* a + b into *acc, sticky overflow flag */
static void add_sz(size_t *acc, size_t v, int *ovf)
{
    if (v > SIZE_MAX - *acc)
        *ovf = 1;
    else
        *acc += v;
}

static void mul_add_sz(size_t *acc, size_t v, size_t k, int *ovf)
{
    if (k != 0 && v > SIZE_MAX / k)
        *ovf = 1;
    else
        add_sz(acc, v * k, ovf);
}

static void hex_lower(char *out, const unsigned char *in, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = HEX_LOWER[in[i] >> 4];
        out[2 * i + 1] = HEX_LOWER[in[i] & 15];
    }
}

/* Insertion sort for small arrays (typical: a handful of headers), qsort beyond. */
typedef int (*cmp_fn)(const void *, const void *);

static void sort_small(void *base, size_t n, size_t size, cmp_fn cmp)
{
    unsigned char tmp[64];
    unsigned char *b = (unsigned char *)base;
    size_t i, j;
    if (n < 2)
        return;
    if (n > SMALL_N || size > sizeof tmp) {
        qsort(base, n, size, cmp);
        return;
    }
    for (i = 1; i < n; i++) {
        memcpy(tmp, b + i * size, size);
        j = i;
        while (j > 0 && cmp(b + (j - 1) * size, tmp) > 0) {
            memcpy(b + j * size, b + (j - 1) * size, size);
            j--;
        }
        memcpy(b + j * size, tmp, size);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* growable buffer with a sticky failure flag                                                 */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

/* make room for extra bytes plus a NUL */
static int sb_reserve(sbuf *b, size_t extra)
{
    size_t need, ncap;
    char *np;
    if (b->failed)
        return -1;
    if (extra > SIZE_MAX - 1 - b->len) {
        b->failed = 1;
        return -1;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    np = (char *)realloc(b->p, ncap);
    if (np == NULL) {
        b->failed = 1;
        return -1;
    }
    b->p = np;
    b->cap = ncap;
    return 0;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (n == 0 || sb_reserve(b, n) != 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void sb_putc(sbuf *b, char c)
{
    if (sb_reserve(b, 1) != 0)
        return;
    b->p[b->len++] = c;
}

static void sb_put_lower(sbuf *b, const char *s, size_t n)
{
    size_t i;
    if (n == 0 || sb_reserve(b, n) != 0)
        return;
    for (i = 0; i < n; i++)
        b->p[b->len + i] = (char)lower_c((unsigned char)s[i]);
    b->len += n;
}

/* percent-encode every byte but A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash), uppercase hex */
static void sb_encode(sbuf *b, const char *s, size_t n, int keep_slash)
{
    size_t i;
    char *o;
    if (n == 0)
        return;
    if (n > (SIZE_MAX - 1) / 3) {
        b->failed = 1;
        return;
    }
    if (sb_reserve(b, 3 * n) != 0)
        return;
    o = b->p + b->len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = HEX_UPPER[c >> 4];
            *o++ = HEX_UPPER[c & 15];
        }
    }
    b->len = (size_t)(o - b->p);
}

/* percent-decode src into dst (dst has room for n bytes); malformed escapes stay literal */
static size_t pct_decode(char *dst, const char *src, size_t n)
{
    size_t i = 0, o = 0;
    while (i < n) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%' && n - i > 2) {
            int h = hexval((unsigned char)src[i + 1]), l = hexval((unsigned char)src[i + 2]);
            if (h >= 0 && l >= 0) {
                dst[o++] = (char)((h << 4) | l);
                i += 3;
                continue;
            }
        }
        dst[o++] = (char)c;
        i++;
    }
    return o;
}

/* ------------------------------------------------------------------------------------------ */
/* sorting                                                                                    */

typedef struct qparam {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} qparam;

static int qparam_cmp(const void *x, const void *y)
{
    const qparam *a = (const qparam *)x, *b = (const qparam *)y;
    int r = bytes_cmp(a->name, a->name_len, b->name, b->name_len);
    return r != 0 ? r : bytes_cmp(a->value, a->value_len, b->value, b->value_len);
}

static int header_cmp(const void *x, const void *y)
{
    const rtc_sign_header *a = *(const rtc_sign_header *const *)x;
    const rtc_sign_header *b = *(const rtc_sign_header *const *)y;
    return ci_cmp(a->name, a->name_len, b->name, b->name_len);
}

/* ------------------------------------------------------------------------------------------ */
/* the signer                                                                                 */

enum { SIGN_OK = 0, SIGN_FAIL = -1, SIGN_BAD_HEADERS = -2 };

static int sign_impl(const char *method, const char *target, size_t target_len,
                     const rtc_sign_header *headers, size_t nheaders,
                     const char *body, size_t body_len,
                     const char *ak, const char *sk, size_t sk_len, const rtc_sign_key *key,
                     char **authorization, char **canonical, char *err, size_t errlen)
{
    const rtc_sign_header *hstack[SMALL_N];
    const rtc_sign_header **hs = hstack;
    qparam qstack[SMALL_N];
    qparam *qs = qstack;
    char sstack[SMALL_SCRATCH];
    char *scratch = sstack;
    sbuf cb = { NULL, 0, 0, 0 };
    const rtc_sign_header *date_h = NULL, *csha_h = NULL;
    const char *date = NULL, *path = target, *query = NULL, *payload = EMPTY_SHA256;
    size_t date_len = 0, path_len = target_len, query_len = 0, method_len, ak_len, i, nq = 0;
    size_t cap = 0, sh_start, sh_len, auth_len, pos;
    unsigned char md[EVP_MAX_MD_SIZE];
    char body_hex[64], sts[sizeof SIGN_ALGORITHM + DATE_LEN + 1 + 64 + 1];
    size_t sts_len;
    char *auth = NULL;
    int ovf = 0, rc = SIGN_FAIL;

    if (authorization != NULL)
        *authorization = NULL;
    if (canonical != NULL)
        *canonical = NULL;
    if (err != NULL && errlen > 0)
        err[0] = '\0';

    /* ---- argument checks ---- */
    if (authorization == NULL) {
        set_err(err, errlen, "no place for the authorization value");
        return SIGN_FAIL;
    }
    if (method == NULL || (method_len = strlen(method)) == 0) {
        set_err(err, errlen, "method is empty");
        return SIGN_FAIL;
    }
    for (i = 0; i < method_len; i++)
        if (!is_tchar((unsigned char)method[i])) {
            set_err(err, errlen, "method is not an HTTP token");
            return SIGN_FAIL;
        }
    if (target == NULL && target_len > 0) {
        set_err(err, errlen, "target is NULL");
        return SIGN_FAIL;
    }
    for (i = 0; i < target_len; i++)
        if (is_ctl((unsigned char)target[i])) {
            set_err(err, errlen, "target contains a control character");
            return SIGN_FAIL;
        }
    if (headers == NULL && nheaders > 0) {
        set_err(err, errlen, "headers is NULL");
        return SIGN_FAIL;
    }
    if (body == NULL && body_len > 0) {
        set_err(err, errlen, "body is NULL");
        return SIGN_FAIL;
    }
    if (ak == NULL || (ak_len = strlen(ak)) == 0) {
        set_err(err, errlen, "ak is empty");
        return SIGN_FAIL;
    }
    for (i = 0; i < ak_len; i++) {
        unsigned char c = (unsigned char)ak[i];
        if (is_ctl(c) || c == ' ' || c == ',') {
            set_err(err, errlen, "ak contains a blank, ',' or a control character");
            return SIGN_FAIL;
        }
    }
    if (key == NULL && (sk == NULL || sk_len == 0)) {
        set_err(err, errlen, "sk is empty");
        return SIGN_FAIL;
    }
    if (sk_len > (size_t)INT_MAX) {
        set_err(err, errlen, "sk is too long");
        return SIGN_FAIL;
    }

    /* ---- headers: validate, sort by lowercase name, find the special ones ---- */
    if (nheaders > SMALL_N) {
        if (nheaders > SIZE_MAX / sizeof *hs) {
            set_err(err, errlen, "too many headers");
            return SIGN_FAIL;
        }
        hs = (const rtc_sign_header **)malloc(nheaders * sizeof *hs);
        if (hs == NULL) {
            set_err(err, errlen, "out of memory");
            return SIGN_FAIL;
        }
    }
    for (i = 0; i < nheaders; i++) {
        const rtc_sign_header *h = &headers[i];
        size_t k;
        if (h->name == NULL || h->name_len == 0 || (h->value == NULL && h->value_len > 0)) {
            set_err(err, errlen, "header %u: empty name or NULL value", (unsigned)i + 1);
            rc = SIGN_BAD_HEADERS;
            goto done;
        }
        for (k = 0; k < h->name_len; k++) {
            unsigned char c = (unsigned char)h->name[k];
            if (is_ctl(c) || c == ' ' || c == ':') {
                set_err(err, errlen, "header %u: name contains a blank, ':' or a control character",
                        (unsigned)i + 1);
                rc = SIGN_BAD_HEADERS;
                goto done;
            }
        }
        for (k = 0; k < h->value_len; k++) {
            unsigned char c = (unsigned char)h->value[k];
            if (c == '\r' || c == '\n' || c == '\0') {
                set_err(err, errlen, "header \"%.*s\": value contains CR, LF or NUL",
                        (int)(h->name_len > 64 ? 64 : h->name_len), h->name);
                rc = SIGN_BAD_HEADERS;
                goto done;
            }
        }
        hs[i] = h;
        /* sizes of the canonical header line + the signed-headers entry */
        add_sz(&cap, h->name_len, &ovf);
        add_sz(&cap, h->name_len, &ovf);
        add_sz(&cap, h->value_len, &ovf);
        add_sz(&cap, 3, &ovf);
    }
    sort_small((void *)hs, nheaders, sizeof *hs, header_cmp);
    for (i = 0; i < nheaders; i++) {
        const rtc_sign_header *h = hs[i];
        if (i > 0 && header_cmp(&hs[i - 1], &hs[i]) == 0) {
            set_err(err, errlen, "duplicate header \"%.*s\"",
                    (int)(h->name_len > 64 ? 64 : h->name_len), h->name);
            rc = SIGN_BAD_HEADERS;
            goto done;
        }
        if (ci_eq_lit(h->name, h->name_len, "x-sdk-date"))
            date_h = h;
        else if (ci_eq_lit(h->name, h->name_len, "x-sdk-content-sha256"))
            csha_h = h;
    }
    if (date_h == NULL) {
        set_err(err, errlen, "missing X-Sdk-Date header");
        rc = SIGN_BAD_HEADERS;
        goto done;
    }
    date = date_h->value;
    date_len = date_h->value_len;
    trim(&date, &date_len);
    if (!is_date_form(date, date_len)) {
        set_err(err, errlen, "X-Sdk-Date: expected YYYYMMDDTHHMMSSZ");
        rc = SIGN_BAD_HEADERS;
        goto done;
    }

    /* ---- target: split path / query, scratch space for decoding ---- */
    if (target_len > 0) {
        const char *q = (const char *)memchr(target, '?', target_len);
        if (q != NULL) {
            path_len = (size_t)(q - target);
            query = q + 1;
            query_len = target_len - path_len - 1;
        }
    }
    if (target_len > SMALL_SCRATCH) {
        scratch = (char *)malloc(target_len);
        if (scratch == NULL) {
            set_err(err, errlen, "out of memory");
            goto done;
        }
    }
    if (query_len > 0) {
        nq = 1;
        for (i = 0; i < query_len; i++)
            nq += query[i] == '&';
        if (nq > SMALL_N) {
            if (nq > SIZE_MAX / sizeof *qs) {
                set_err(err, errlen, "query too long");
                goto done;
            }
            qs = (qparam *)malloc(nq * sizeof *qs);
            if (qs == NULL) {
                set_err(err, errlen, "out of memory");
                goto done;
            }
        }
    }

    /* ---- size the canonical request once ---- */
    add_sz(&cap, method_len + 1, &ovf);
    mul_add_sz(&cap, path_len, 3, &ovf);
    add_sz(&cap, 2, &ovf);                /* "/" for an empty path or the final '/', '\n' */
    mul_add_sz(&cap, query_len, 3, &ovf);
    add_sz(&cap, nq + 1, &ovf);           /* '=' added to names without one, '\n' */
    add_sz(&cap, 2 + 64 + 1, &ovf);       /* blank line, signed-headers '\n', payload hash */
    if (ovf || sb_reserve(&cb, cap) != 0) {
        set_err(err, errlen, ovf ? "request too large" : "out of memory");
        goto done;
    }

    /* method, uppercase */
    for (i = 0; i < method_len; i++) {
        unsigned char c = (unsigned char)method[i];
        cb.p[cb.len++] = (char)((c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c);
    }
    sb_putc(&cb, '\n');

    /* canonical URI: decode whole path, split on '/', encode segments, join, end with '/'.
     * Encoding every byte except '/' after decoding is exactly that. */
    if (path_len > 0) {
        size_t dl = pct_decode(scratch, path, path_len);
        sb_encode(&cb, scratch, dl, 1);
    }
    if (cb.failed || cb.len == 0 || cb.p[cb.len - 1] != '/')
        sb_putc(&cb, '/');
    sb_putc(&cb, '\n');

    /* canonical query */
    if (query_len > 0) {
        size_t start = 0, o = 0, n = 0;
        while (start <= query_len) {
            const char *piece = query + start;
            const char *amp = (const char *)memchr(piece, '&', query_len - start);
            size_t plen = amp ? (size_t)(amp - piece) : query_len - start;
            if (plen > 0) {
                const char *eq = (const char *)memchr(piece, '=', plen);
                size_t nl = eq ? (size_t)(eq - piece) : plen;
                qparam *qp = &qs[n++];
                qp->name = scratch + o;
                qp->name_len = pct_decode(scratch + o, piece, nl);
                o += qp->name_len;
                qp->value = scratch + o;
                qp->value_len = eq ? pct_decode(scratch + o, eq + 1, plen - nl - 1) : 0;
                o += qp->value_len;
            }
            start += plen + 1;
        }
        sort_small(qs, n, sizeof *qs, qparam_cmp);
        for (i = 0; i < n; i++) {
            if (i > 0)
                sb_putc(&cb, '&');
            sb_encode(&cb, qs[i].name, qs[i].name_len, 0);
            sb_putc(&cb, '=');
            sb_encode(&cb, qs[i].value, qs[i].value_len, 0);
        }
    }
    sb_putc(&cb, '\n');

    /* canonical headers */
    for (i = 0; i < nheaders; i++) {
        const rtc_sign_header *h = hs[i];
        const char *v = h->value;
        size_t vl = h->value_len;
        if (memchr(h->name, '_', h->name_len) != NULL)
            continue;
        trim(&v, &vl);
        sb_put_lower(&cb, h->name, h->name_len);
        sb_putc(&cb, ':');
        sb_put(&cb, v, vl);
        sb_putc(&cb, '\n');
    }
    sb_putc(&cb, '\n');

    /* signed headers */
    sh_start = cb.len;
    for (i = 0; i < nheaders; i++) {
        const rtc_sign_header *h = hs[i];
        if (memchr(h->name, '_', h->name_len) != NULL)
            continue;
        if (cb.len != sh_start)
            sb_putc(&cb, ';');
        sb_put_lower(&cb, h->name, h->name_len);
    }
    sh_len = cb.len - sh_start;
    sb_putc(&cb, '\n');

    /* payload hash */
    if (body_len > 0) {
        const char *cv = NULL;
        size_t cvl = 0;
        if (csha_h != NULL) {
            cv = csha_h->value;
            cvl = csha_h->value_len;
            trim(&cv, &cvl);
        }
        if (cvl > 0) {
            sb_put(&cb, cv, cvl);
            payload = NULL;
        } else {
            if (!sha256(key, body, body_len, md)) {
                set_err(err, errlen, "SHA-256 of the body failed");
                goto done;
            }
            hex_lower(body_hex, md, 32);
            sb_put(&cb, body_hex, 64);
            payload = NULL;
        }
    }
    if (payload != NULL)
        sb_put(&cb, payload, 64);
    if (cb.failed) {
        set_err(err, errlen, "out of memory");
        goto done;
    }
    cb.p[cb.len] = '\0';

    /* string to sign */
    if (!sha256(key, cb.p, cb.len, md)) {
        set_err(err, errlen, "SHA-256 of the canonical request failed");
        goto done;
    }
    sts_len = 0;
    memcpy(sts, SIGN_ALGORITHM "\n", sizeof SIGN_ALGORITHM);
    sts_len += sizeof SIGN_ALGORITHM;
    memcpy(sts + sts_len, date, DATE_LEN);
    sts_len += DATE_LEN;
    sts[sts_len++] = '\n';
    hex_lower(sts + sts_len, md, 32);
    sts_len += 64;

    /* signature */
    if (!hmac_sha256(key, sk, sk_len, sts, sts_len, md)) {
        set_err(err, errlen, "HMAC-SHA256 failed");
        goto done;
    }

    /* Authorization value */
#define AUTH_P1 SIGN_ALGORITHM " Access="
#define AUTH_P2 ", SignedHeaders="
#define AUTH_P3 ", Signature="
    auth_len = 0;
    add_sz(&auth_len, sizeof AUTH_P1 - 1 + sizeof AUTH_P2 - 1 + sizeof AUTH_P3 - 1 + 64 + 1, &ovf);
    add_sz(&auth_len, ak_len, &ovf);
    add_sz(&auth_len, sh_len, &ovf);
    if (ovf) {
        set_err(err, errlen, "request too large");
        goto done;
    }
    auth = (char *)malloc(auth_len);
    if (auth == NULL) {
        set_err(err, errlen, "out of memory");
        goto done;
    }
    pos = 0;
    memcpy(auth + pos, AUTH_P1, sizeof AUTH_P1 - 1);
    pos += sizeof AUTH_P1 - 1;
    memcpy(auth + pos, ak, ak_len);
    pos += ak_len;
    memcpy(auth + pos, AUTH_P2, sizeof AUTH_P2 - 1);
    pos += sizeof AUTH_P2 - 1;
    memcpy(auth + pos, cb.p + sh_start, sh_len);
    pos += sh_len;
    memcpy(auth + pos, AUTH_P3, sizeof AUTH_P3 - 1);
    pos += sizeof AUTH_P3 - 1;
    hex_lower(auth + pos, md, 32);
    pos += 64;
    auth[pos] = '\0';
#undef AUTH_P1
#undef AUTH_P2
#undef AUTH_P3

    *authorization = auth;
    if (canonical != NULL) {
        *canonical = cb.p;
        cb.p = NULL;
    }
    rc = SIGN_OK;

done:
    free(cb.p);
    if (hs != hstack)
        free((void *)hs);
    if (qs != qstack)
        free(qs);
    if (scratch != sstack)
        free(scratch);
    return rc;
}

int rtc_sign_authorization(const char *method, const char *target, size_t target_len,
                           const rtc_sign_header *headers, size_t nheaders,
                           const char *body, size_t body_len,
                           const char *ak, const char *sk, size_t sk_len,
                           char **authorization, char **canonical, char *err, size_t errlen)
{
    return sign_impl(method, target, target_len, headers, nheaders, body, body_len, ak, sk, sk_len, NULL,
                     authorization, canonical, err, errlen) == SIGN_OK ? 0 : -1;
}

int rtc_sign_authorization_key(const rtc_sign_key *key, const char *method, const char *target,
                               size_t target_len, const rtc_sign_header *headers, size_t nheaders,
                               const char *body, size_t body_len, const char *ak,
                               char **authorization, char *err, size_t errlen)
{
    if (key == NULL) {
        set_err(err, errlen, "no signing key");
        return -1;
    }
    return sign_impl(method, target, target_len, headers, nheaders, body, body_len, ak, NULL, 0, key,
                     authorization, NULL, err, errlen) == SIGN_OK ? 0 : -1;
}

static void put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
}

void rtc_sign_format_date(char out[17], time_t t)
{
    struct tm tmv;
    int y;
    if (gmtime_r(&t, &tmv) == NULL || tmv.tm_year < -1900 || tmv.tm_year > 9999 - 1900) {
        memcpy(out, "19700101T000000Z", 17);
        return;
    }
    y = tmv.tm_year + 1900;
    put2(out, y / 100);
    put2(out + 2, y % 100);
    put2(out + 4, tmv.tm_mon + 1);
    put2(out + 6, tmv.tm_mday);
    out[8] = 'T';
    put2(out + 9, tmv.tm_hour);
    put2(out + 11, tmv.tm_min);
    put2(out + 13, tmv.tm_sec > 59 ? 59 : tmv.tm_sec); /* leap second: the gateway wants 00..59 */
    out[15] = 'Z';
    out[16] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Lua binding                                                                                */

#define BOX_MT "rtc.sign.box"

typedef struct sign_box {
    char *authorization;
    char *canonical;
} sign_box;

static int box_gc(lua_State *L)
{
    sign_box *b = (sign_box *)luaL_checkudata(L, 1, BOX_MT);
    free(b->authorization);
    free(b->canonical);
    b->authorization = NULL;
    b->canonical = NULL;
    return 0;
}

/* stack slots of rtc_l_sign */
enum { S_REQ = 1, S_METHOD, S_URL, S_HEADERS, S_BODY, S_AK, S_SK, S_DATE, S_TARGET, S_OUT, S_HARR,
       S_BOX };

static const char *field_string(lua_State *L, int idx, const char *field, size_t *len, int optional)
{
    int t = lua_type(L, idx);
    if (t == LUA_TSTRING)
        return lua_tolstring(L, idx, len);
    if (optional && t == LUA_TNIL) {
        *len = 0;
        return NULL;
    }
    *len = 0; /* never used: luaL_error does not return, but analyzers cannot know that */
    luaL_error(L, "rtc.sign: req.%s: expected a string, got %s", field, luaL_typename(L, idx));
    return NULL;
}

static int has_ctl(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (is_ctl((unsigned char)s[i]))
            return 1;
    return 0;
}

static int is_scheme_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '-' || c == '.';
}

int rtc_l_sign(lua_State *L)
{
    const char *method, *url, *body, *ak, *sk, *date, *host = NULL, *target, *ct = NULL;
    size_t method_len, url_len, body_len, ak_len, sk_len, date_len, host_len = 0, target_len;
    size_t ct_len = 0, n = 0, i, rest_start, rest_len;
    int has_date = 0, has_host = 0, has_csha = 0, add_csha = 0, rc;
    rtc_sign_header *harr;
    sign_box *box;
    char datebuf[17];
    char errbuf[256];

    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_getfield(L, S_REQ, "method");
    lua_getfield(L, S_REQ, "url");
    lua_getfield(L, S_REQ, "headers");
    lua_getfield(L, S_REQ, "body");
    lua_getfield(L, S_REQ, "ak");
    lua_getfield(L, S_REQ, "sk");
    lua_getfield(L, S_REQ, "date");

    method = field_string(L, S_METHOD, "method", &method_len, 0);
    if (method_len == 0)
        return luaL_error(L, "rtc.sign: req.method: expected a non-empty string");
    for (i = 0; i < method_len; i++)
        if (!is_tchar((unsigned char)method[i]))
            return luaL_error(L, "rtc.sign: req.method: expected an HTTP method token");
    url = field_string(L, S_URL, "url", &url_len, 0);
    if (lua_type(L, S_HEADERS) != LUA_TNIL && lua_type(L, S_HEADERS) != LUA_TTABLE)
        return luaL_error(L, "rtc.sign: req.headers: expected a table, got %s",
                          luaL_typename(L, S_HEADERS));
    body = field_string(L, S_BODY, "body", &body_len, 1);
    ak = field_string(L, S_AK, "ak", &ak_len, 0);
    if (ak_len == 0)
        return luaL_error(L, "rtc.sign: req.ak: expected a non-empty string");
    for (i = 0; i < ak_len; i++) {
        unsigned char c = (unsigned char)ak[i];
        if (is_ctl(c) || c == ' ' || c == ',')
            return luaL_error(L, "rtc.sign: req.ak: contains a blank, ',' or a control character");
    }
    sk = field_string(L, S_SK, "sk", &sk_len, 0);
    if (sk_len == 0)
        return luaL_error(L, "rtc.sign: req.sk: expected a non-empty string");
    date = field_string(L, S_DATE, "date", &date_len, 1);
    if (date != NULL && !is_date_form(date, date_len))
        return luaL_error(L, "rtc.sign: req.date: expected YYYYMMDDTHHMMSSZ (UTC)");

    /* url: "scheme://[userinfo@]host[:port][/path][?query][#fragment]" or "/path[?query]" */
    if (url_len == 0)
        return luaL_error(L, "rtc.sign: req.url: expected a non-empty string");
    if (has_ctl(url, url_len))
        return luaL_error(L, "rtc.sign: req.url: contains a control character");
    i = 0;
    if ((url[0] >= 'A' && url[0] <= 'Z') || (url[0] >= 'a' && url[0] <= 'z')) {
        while (i < url_len && is_scheme_char((unsigned char)url[i]))
            i++;
    }
    if (i > 0 && url_len - i >= 3 && memcmp(url + i, "://", 3) == 0) {
        size_t a = i + 3, e = a, at;
        while (e < url_len && url[e] != '/' && url[e] != '?' && url[e] != '#')
            e++;
        at = e;
        while (at > a && url[at - 1] != '@')
            at--;
        host = url + at;
        host_len = e - at;
        if (host_len == 0)
            return luaL_error(L, "rtc.sign: req.url: no host");
        rest_start = e;
    } else if (url[0] == '/' && !(url_len > 1 && url[1] == '/')) {
        rest_start = 0;
    } else {
        return luaL_error(L, "rtc.sign: req.url: expected scheme://host/path or a path starting "
                             "with '/'");
    }
    rest_len = url_len - rest_start;
    {
        const char *hash = (const char *)memchr(url + rest_start, '#', rest_len);
        if (hash != NULL)
            rest_len = (size_t)(hash - (url + rest_start));
    }
    if (rest_len == 0 || url[rest_start] == '?') {
        lua_pushliteral(L, "/");
        lua_pushlstring(L, url + rest_start, rest_len);
        lua_concat(L, 2);
        target = lua_tolstring(L, -1, &target_len);
    } else {
        lua_pushnil(L);
        target = url + rest_start;
        target_len = rest_len;
    }
    /* stack: S_TARGET */

    /* pass 1 over headers: validate, count, find the special ones */
    if (lua_type(L, S_HEADERS) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, S_HEADERS) != 0) {
            const char *name, *value;
            size_t nl, vl, k;
            if (lua_type(L, -2) != LUA_TSTRING)
                return luaL_error(L, "rtc.sign: req.headers: expected string keys, got %s",
                                  luaL_typename(L, -2));
            name = lua_tolstring(L, -2, &nl);
            if (nl == 0)
                return luaL_error(L, "rtc.sign: req.headers: empty header name");
            for (k = 0; k < nl; k++)
                if (!is_tchar((unsigned char)name[k]))
                    return luaL_error(L, "rtc.sign: req.headers: header name with an invalid "
                                         "character (CR, LF, blank, ':' ...)");
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_error(L, "rtc.sign: req.headers[\"%s\"]: expected a string, got %s",
                                  name, luaL_typename(L, -1));
            value = lua_tolstring(L, -1, &vl);
            for (k = 0; k < vl; k++)
                if (value[k] == '\r' || value[k] == '\n' || value[k] == '\0')
                    return luaL_error(L, "rtc.sign: req.headers[\"%s\"]: value contains CR, LF "
                                         "or NUL", name);
            lua_pop(L, 1);
            if (ci_eq_lit(name, nl, "authorization"))
                continue; /* replaced by ours */
            n++;
            if (ci_eq_lit(name, nl, "x-sdk-date")) {
                const char *d = value;
                size_t dl = vl;
                trim(&d, &dl);
                if (!is_date_form(d, dl))
                    return luaL_error(L, "rtc.sign: req.headers[\"%s\"]: expected "
                                         "YYYYMMDDTHHMMSSZ (UTC)", name);
                has_date = 1;
            } else if (ci_eq_lit(name, nl, "host")) {
                has_host = 1;
            } else if (ci_eq_lit(name, nl, "x-sdk-content-sha256")) {
                has_csha = 1;
            } else if (ci_eq_lit(name, nl, "content-type")) {
                ct = value;
                ct_len = vl;
            }
        }
    }
    if (ct != NULL && !has_csha) {
        static const char json[] = "application/json", bson[] = "application/bson";
        trim(&ct, &ct_len);
        add_csha = !((ct_len >= sizeof json - 1 && ci_cmp(ct, sizeof json - 1, json, sizeof json - 1) == 0) ||
                     (ct_len >= sizeof bson - 1 && ci_cmp(ct, sizeof bson - 1, bson, sizeof bson - 1) == 0));
    }

    lua_createtable(L, 0, (int)(n < 64 ? n : 64) + 4); /* S_OUT */
    harr = (rtc_sign_header *)lua_newuserdata(L, (n + 3) * sizeof *harr); /* S_HARR */
    n = 0;

    /* pass 2: copy into the new table and the header array (strings stay anchored by S_HEADERS) */
    if (lua_type(L, S_HEADERS) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, S_HEADERS) != 0) {
            size_t nl, vl;
            const char *name = lua_tolstring(L, -2, &nl);
            const char *value = lua_tolstring(L, -1, &vl);
            if (ci_eq_lit(name, nl, "authorization")) {
                lua_pop(L, 1);
                continue;
            }
            harr[n].name = name;
            harr[n].name_len = nl;
            harr[n].value = value;
            harr[n].value_len = vl;
            n++;
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, S_OUT);
        }
    }
    if (!has_date) {
        if (date == NULL) {
            rtc_sign_format_date(datebuf, time(NULL));
            lua_pushlstring(L, datebuf, DATE_LEN);
            date = lua_tolstring(L, -1, &date_len);
        } else {
            lua_pushvalue(L, S_DATE);
        }
        harr[n].name = "X-Sdk-Date";
        harr[n].name_len = 10;
        harr[n].value = date;
        harr[n].value_len = date_len;
        n++;
        lua_setfield(L, S_OUT, "X-Sdk-Date");
    }
    if (!has_host && host != NULL) {
        lua_pushlstring(L, host, host_len);
        harr[n].name = "Host";
        harr[n].name_len = 4;
        harr[n].value = lua_tolstring(L, -1, &harr[n].value_len);
        n++;
        lua_setfield(L, S_OUT, "Host");
    }
    if (add_csha) {
        harr[n].name = "X-Sdk-Content-Sha256";
        harr[n].name_len = 20;
        harr[n].value = "UNSIGNED-PAYLOAD";
        harr[n].value_len = 16;
        n++;
        lua_pushliteral(L, "UNSIGNED-PAYLOAD");
        lua_setfield(L, S_OUT, "X-Sdk-Content-Sha256");
    }

    /* the box frees the C strings even if a Lua allocation below raises */
    box = (sign_box *)lua_newuserdata(L, sizeof *box); /* S_BOX */
    box->authorization = NULL;
    box->canonical = NULL;
    if (luaL_newmetatable(L, BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);

    rc = sign_impl(method, target, target_len, harr, n, body, body_len, ak, sk, sk_len, NULL,
                   &box->authorization, &box->canonical, errbuf, sizeof errbuf);
    if (rc == SIGN_BAD_HEADERS)
        return luaL_error(L, "rtc.sign: req.headers: %s", errbuf);
    if (rc != SIGN_OK)
        return luaL_error(L, "rtc.sign: %s", errbuf);

    lua_pushstring(L, box->authorization);
    lua_setfield(L, S_OUT, "Authorization");
    lua_pushvalue(L, S_OUT);
    lua_pushstring(L, box->canonical);
    free(box->authorization);
    free(box->canonical);
    box->authorization = NULL;
    box->canonical = NULL;
    return 2;
}
