/*
 * collect_creds: where secrets come from. Never argv: environment variables,
 * a credentials file only its owner can read, or ~/.netrc.
 */
#include "collect.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sv_file.h"

static int check_private(const char *path, struct sv_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot read: %s", strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return sv_error_set(err, SV_EUSAGE, path, 0, 0, "not a regular file");
    if (sb.st_mode & 077)
        return sv_error_set(err, SV_EUSAGE, path, 0, 0,
                            "refused: readable by others (mode %04o); run 'chmod 600 %s'",
                            (unsigned)(sb.st_mode & 07777), path);
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int collect_secret_file_read(char **out, const char *path, struct sv_error *err)
{
    *out = NULL;
    int rc = check_private(path, err);
    if (rc)
        return rc;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    char line[4096];
    char *got = fgets(line, sizeof line, fp);
    fclose(fp);
    if (!got || !*trim(line)) {
        memset(line, 0, sizeof line);
        return sv_error_set(err, SV_EDATA, path, 1, 0, "empty key file");
    }
    *out = sv_strdup(trim(line));
    memset(line, 0, sizeof line);
    return *out ? 0 : sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
}

static int set_once(char **slot, const char *value)
{
    if (*slot || !value || !*value)
        return 0;
    *slot = sv_strdup(value);
    return *slot ? 0 : SV_ENOMEM;
}

static const char *const env_names[SV_PLATFORM_COUNT][3] = {
    /* user, password, token */
    [SV_PLATFORM_LIMESURVEY] = {"VIGIE_LIMESURVEY_USER", "VIGIE_LIMESURVEY_PASSWORD", NULL},
    [SV_PLATFORM_KOBO] = {"VIGIE_KOBO_USER", "VIGIE_KOBO_PASSWORD", "VIGIE_KOBO_TOKEN"},
    [SV_PLATFORM_ODK] = {"VIGIE_ODK_EMAIL", "VIGIE_ODK_PASSWORD", "VIGIE_ODK_TOKEN"},
    [SV_PLATFORM_CSV] = {NULL, NULL, "VIGIE_TOKEN"},
};

static const char *const file_keys[SV_PLATFORM_COUNT][3] = {
    [SV_PLATFORM_LIMESURVEY] = {"limesurvey_user", "limesurvey_password", NULL},
    [SV_PLATFORM_KOBO] = {"kobo_user", "kobo_password", "kobo_token"},
    [SV_PLATFORM_ODK] = {"odk_email", "odk_password", "odk_token"},
    [SV_PLATFORM_CSV] = {NULL, NULL, "token"},
};

static int from_file(struct collect_creds *c, enum sv_platform p, const char *path,
                     struct sv_error *err)
{
    int rc = check_private(path, err);
    if (rc)
        return rc;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    char line[4096];
    long lineno = 0;
    char **slots[3] = {&c->user, &c->password, &c->token};
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = sv_error_set(err, SV_EDATA, path, lineno, 0, "expected 'key = value'");
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        for (int i = 0; i < 3; i++)
            if (file_keys[p][i] && strcmp(key, file_keys[p][i]) == 0 &&
                set_once(slots[i], value) != 0)
                rc = sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    }
    memset(line, 0, sizeof line);
    fclose(fp);
    return rc;
}

/*
 * ~/.netrc: "machine HOST login L password P" (also "default"). Refused, like
 * the credentials file, when others may read it.
 */
static int from_netrc(struct collect_creds *c, const char *url, struct sv_error *err)
{
    const char *home = getenv("HOME");
    const char *netrc = getenv("NETRC");
    char path[4096];
    if (netrc && *netrc)
        snprintf(path, sizeof path, "%s", netrc);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.netrc", home);
    else
        return 0;
    CURLU *u = curl_url();
    char *host = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return 0;
    }
    curl_url_cleanup(u);
    char *text = NULL;
    size_t len = 0;
    int rc = 0;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        curl_free(host);
        return 0; /* no netrc */
    }
    if ((rc = check_private(path, err)) != 0) {
        curl_free(host);
        return rc;
    }
    if (sv_file_read_all(&text, &len, path, NULL) != 0) {
        curl_free(host);
        return 0;
    }
    char *save = NULL;
    bool match = false, matched = false;
    char *login = NULL, *password = NULL;
    for (char *tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (strcmp(tok, "machine") == 0 || strcmp(tok, "default") == 0) {
            if (matched)
                break;
            if (strcmp(tok, "default") == 0) {
                match = true;
            } else {
                char *m = strtok_r(NULL, " \t\r\n", &save);
                match = m && strcasecmp(m, host) == 0;
            }
            if (match)
                matched = true;
        } else if (match && strcmp(tok, "login") == 0) {
            login = strtok_r(NULL, " \t\r\n", &save);
        } else if (match && strcmp(tok, "password") == 0) {
            password = strtok_r(NULL, " \t\r\n", &save);
        }
    }
    if (matched && (set_once(&c->user, login) || set_once(&c->password, password)))
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    memset(text, 0, len);
    free(text);
    curl_free(host);
    return rc;
}

int collect_creds_load(struct collect_creds *c, enum sv_platform p, const char *url,
                       const char *file, struct sv_error *err)
{
    memset(c, 0, sizeof *c);
    char **slots[3] = {&c->user, &c->password, &c->token};
    for (int i = 0; i < 3; i++)
        if (env_names[p][i] && set_once(slots[i], getenv(env_names[p][i])) != 0)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = 0;
    if (file && (rc = from_file(c, p, file, err)) != 0)
        return rc;
    if (!c->token && (!c->user || !c->password) && url && !collect_url_is_file(url))
        return from_netrc(c, url, err);
    return 0;
}

void collect_creds_release(struct collect_creds *c)
{
    collect_secret_free(c->user);
    collect_secret_free(c->password);
    collect_secret_free(c->token);
    memset(c, 0, sizeof *c);
}
