/* rtc_profile.c: the SDKs' credentials file (INI): where it is, read whole (bounded, a regular
 * text file), and one section's ak, sk, project_id, security_token (see rtc_profile.h). Calls
 * rtc_buf and rtc_text only; the chain in rtc_credentials.c calls it. */
#define _DEFAULT_SOURCE /* getpwuid_r */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtc_profile.h"
#include "rtc_text.h"

#define MAX_PROFILE_FILE (1 << 20)

const char *rtc_env(const char *name) {
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

void rtc_profile_free(rtc_profile *p) { rtc_buf_free_secret(&p->text); }

static char *trim(char *s, char *end) {
  while (s < end && rtc_is(*s, RTC_C_BLANK)) s++;
  while (end > s && rtc_is(end[-1], RTC_C_SPACE)) end--;
  *end = '\0';
  return s;
}

/* A tiny strict INI reader, enough for the SDKs' credentials file: "[section]", "key = value",
 * blank lines and "#" or ";" comments. Anything else is an error naming the file and the line
 * (never its text: it may hold a key). */
static int parse_profile(rtc_profile *p, const char *section, char *err, size_t errlen) {
  char *s = p->text.data, *end = s + p->text.len;
  int line = 0, in_section = 0;
  while (s < end) {
    char *eol = memchr(s, '\n', (size_t)(end - s)), *l, *eq;
    if (eol == NULL) eol = end;
    line++;
    l = trim(s, eol);
    s = eol + (eol < end);
    if (line == 1 && (unsigned char)l[0] == 0xEF && (unsigned char)l[1] == 0xBB &&
        (unsigned char)l[2] == 0xBF)
      l += 3; /* a BOM */
    if (*l == '\0' || *l == '#' || *l == ';') continue;
    if (rtc_text_has(l, strlen(l), RTC_C_CONTROL)) goto malformed;
    if (*l == '[') {
      size_t n = strlen(l);
      if (n < 3 || l[n - 1] != ']') goto malformed;
      l[n - 1] = '\0';
      l = trim(l + 1, l + n - 1);
      if (*l == '\0') goto malformed;
      in_section = strcmp(l, section) == 0;
      if (in_section) {
        if (p->has_section) {
          snprintf(err, errlen, "%s, line %d: section [%s] appears twice", p->path, line,
                   section);
          return RTC_CRED_INVALID;
        }
        p->has_section = 1;
      }
      continue;
    }
    eq = strchr(l, '=');
    if (eq == NULL || eq == l) goto malformed;
    {
      char *key = trim(l, eq), *value = trim(eq + 1, eq + 1 + strlen(eq + 1));
      const char **slot = NULL;
      size_t vlen = strlen(value);
      if (*key == '\0') goto malformed;
      if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
        value[vlen - 1] = '\0'; /* a quoted value, as the SDKs' INI readers take it */
        value++;
      }
      if (!in_section) continue;
      if (strcmp(key, "ak") == 0) slot = &p->ak;
      else if (strcmp(key, "sk") == 0) slot = &p->sk;
      else if (strcmp(key, "project_id") == 0) slot = &p->project_id;
      else if (strcmp(key, "security_token") == 0) slot = &p->security_token;
      if (slot == NULL) continue; /* domain_id, iam_endpoint, ...: not ours */
      if (*slot) {
        snprintf(err, errlen, "%s, line %d: %s appears twice in [%s]", p->path, line, key,
                 section);
        return RTC_CRED_INVALID;
      }
      if (*value) *slot = value;
    }
    continue;
  malformed:
    snprintf(err, errlen, "%s, line %d: expected [section], key = value, or a # comment",
             p->path, line);
    return RTC_CRED_INVALID;
  }
  return RTC_CRED_OK;
}

static int profile_path(const char *credentials_file, char *out, size_t outlen,
                        int *explicit_path) {
  const char *p =
      credentials_file ? credentials_file : rtc_env("HUAWEICLOUD_SDK_CREDENTIALS_FILE");
  const char *home;
  *explicit_path = p != NULL;
  if (p) return snprintf(out, outlen, "%s", p) < (int)outlen ? 0 : -1;
  home = rtc_env("HOME");
  if (home == NULL) {
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res) home = res->pw_dir;
  }
  if (home == NULL) return -1;
  return snprintf(out, outlen, "%s/.huaweicloud/credentials", home) < (int)outlen ? 0 : -1;
}

int rtc_profile_read(rtc_profile *p, const char *credentials_file, const char *section, char *err,
                     size_t errlen) {
  int explicit_path, rc;
  struct stat st;
  FILE *f;
  size_t n;
  int fd;
  if (profile_path(credentials_file, p->path, sizeof p->path, &explicit_path) != 0) {
    if (explicit_path) { /* a path named on purpose is never skipped in silence */
      snprintf(err, errlen, "profile %.64s...: the path is longer than %u bytes%s",
               credentials_file ? credentials_file : rtc_env("HUAWEICLOUD_SDK_CREDENTIALS_FILE"),
               (unsigned)sizeof p->path - 1,
               credentials_file ? " (option credentials_file)"
                                : " (env HUAWEICLOUD_SDK_CREDENTIALS_FILE)");
      return RTC_CRED_INVALID;
    }
    snprintf(p->path, sizeof p->path, "~/.huaweicloud/credentials");
    return RTC_CRED_OK; /* no home directory: nothing to read */
  }
  snprintf(p->label, sizeof p->label, "profile %.300s [%.128s]", p->path, section);
  /* O_NONBLOCK: opening a FIFO would wait for a writer forever; fstat then refuses anything
   * but a regular file before a byte is read, and blocking reads are back for the file */
  fd = open(p->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  f = NULL;
  if (fd >= 0) {
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      snprintf(err, errlen, "profile %s: not a regular file", p->path);
      return RTC_CRED_INVALID;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if ((f = fdopen(fd, "rb")) == NULL) close(fd);
  }
  if (f == NULL) {
    if (errno == ENOENT && !explicit_path) return RTC_CRED_OK;
    snprintf(err, errlen, "profile %s: cannot read it: %s%s", p->path, strerror(errno),
             credentials_file ? " (option credentials_file)"
             : explicit_path  ? " (env HUAWEICLOUD_SDK_CREDENTIALS_FILE)"
                              : "");
    return RTC_CRED_INVALID;
  }
  p->present = 1;
  if (fstat(fileno(f), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      fclose(f);
      snprintf(err, errlen, "profile %s: not a regular file", p->path);
      return RTC_CRED_INVALID;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) { /* the caller warns: keys others may read */
      p->open_to_others = 1;
      p->mode = (unsigned)(st.st_mode & 0777);
    }
  }
  if (rtc_buf_ensure(&p->text, 4096) != 0) {
    fclose(f);
    snprintf(err, errlen, "out of memory");
    return RTC_CRED_NOMEM;
  }
  for (;;) {
    n = fread(p->text.data + p->text.len, 1, p->text.cap - p->text.len - 1, f);
    p->text.len += n;
    if (n == 0) break;
    if (p->text.len > MAX_PROFILE_FILE) {
      fclose(f);
      snprintf(err, errlen, "profile %s: larger than %d bytes", p->path, MAX_PROFILE_FILE);
      return RTC_CRED_INVALID;
    }
    if (p->text.cap - p->text.len < 2 && rtc_buf_ensure(&p->text, p->text.cap) != 0) {
      fclose(f);
      snprintf(err, errlen, "out of memory");
      return RTC_CRED_NOMEM;
    }
  }
  rc = ferror(f);
  fclose(f);
  if (rc) {
    snprintf(err, errlen, "profile %s: read error", p->path);
    return RTC_CRED_INVALID;
  }
  rtc_buf_terminate(&p->text);
  if (memchr(p->text.data, '\0', p->text.len)) {
    snprintf(err, errlen, "profile %s: not a text file (it holds a NUL byte)", p->path);
    return RTC_CRED_INVALID;
  }
  return parse_profile(p, section, err, errlen);
}
