/*
 * plot_run: run gnuplot on a generated script, safely.
 *
 * The script and its data file are written into a fresh private temporary
 * directory, which becomes gnuplot's working directory. gnuplot is started
 * with fork/execve: a fixed argv (program, script name), no shell, stdin from
 * /dev/null, a clean environment (fixed PATH, C.UTF-8, UTC, HOME inside the
 * temporary directory; nothing else, so no GNUPLOT_LIB or GNUTERM leaks in),
 * in its own process group. Its stderr is captured; a time-out kills the
 * whole group. The figure it produced is then post-processed (SVG sizes in
 * points, a fixed PDF creation date) and moved to its place atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plot.h"
#include "sv_file.h"

#define STDERR_MAX 65536

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Remove a directory tree we created (two levels are enough: fontconfig's cache). */
static void remove_tree(const char *path, int depth)
{
    DIR *d = opendir(path);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat sb;
            if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                if (depth < 4)
                    remove_tree(sub, depth + 1);
            } else {
                unlink(sub);
            }
        }
        closedir(d);
    }
    rmdir(path);
}

static int write_file(const char *dir, const char *name, const char *text, struct sv_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return sv_error_set(err, SV_EIO, path, 0, 0, "cannot write: %s", strerror(e));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0)
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    return 0;
}

static const char *find_gnuplot(const struct plot_run *r)
{
    static const char *const dirs[] = {"/usr/bin/gnuplot", "/usr/local/bin/gnuplot",
                                       "/bin/gnuplot"};
    if (r->gnuplot != NULL)
        return r->gnuplot;
    const char *env = getenv("VIGIE_GNUPLOT");
    if (env != NULL && env[0] != '\0')
        return env;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (access(dirs[i], X_OK) == 0)
            return dirs[i];
    return NULL;
}

/* First non-empty line of gnuplot's stderr, cleaned, for a one-line message. */
static void first_line(const char *s, char *out, size_t size)
{
    while (*s == '\n' || *s == ' ' || *s == '\r')
        s++;
    size_t n = strcspn(s, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

/*
 * gnuplot reports script errors over two or three lines: the offending line,
 * a caret, then '"script", line N: message'. Keep the last non-empty line.
 */
static void last_line(const char *s, char *out, size_t size)
{
    const char *end = s + strlen(s);
    while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
        end--;
    const char *start = end;
    while (start > s && start[-1] != '\n')
        start--;
    size_t n = (size_t)(end - start);
    if (n >= size)
        n = size - 1;
    memcpy(out, start, n);
    out[n] = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

void plot_run_fix_pdf(char *pdf, size_t len)
{
    static const char key[] = "/CreationDate (D:";
    size_t klen = sizeof key - 1;
    for (size_t i = 0; i + klen < len; i++) {
        if (memcmp(pdf + i, key, klen) != 0)
            continue;
        size_t j = i + klen;
        while (j < len && pdf[j] != ')')
            j++;
        /* same length keeps the cross-reference offsets valid: digits become a fixed date */
        static const char fixed[] = "20000101000000";
        size_t k = 0;
        for (size_t p = i + klen; p < j; p++, k++) {
            if (pdf[p] >= '0' && pdf[p] <= '9')
                pdf[p] = k < sizeof fixed - 1 ? fixed[k] : '0';
        }
    }
}

/* width="W" height="H" of the root element -> points. Returns a new buffer or NULL. */
static char *fix_svg(const char *svg, size_t len, size_t *out_len)
{
    const char *root = strstr(svg, "<svg");
    if (root == NULL)
        return NULL;
    const char *end = strchr(root, '>');
    const char *w = strstr(root, " width=\"");
    const char *h = strstr(root, " height=\"");
    if (end == NULL || w == NULL || h == NULL || w > end || h > end || h < w)
        return NULL;
    const char *wq = strchr(w + 8, '"'), *hq = strchr(h + 9, '"');
    if (wq == NULL || hq == NULL || hq > end)
        return NULL;
    struct sv_buf b = SV_BUF_INIT;
    int rc = sv_buf_add(&b, svg, (size_t)(wq - svg));
    if (rc == 0)
        rc = sv_buf_adds(&b, "pt");
    if (rc == 0)
        rc = sv_buf_add(&b, wq, (size_t)(hq - wq));
    if (rc == 0)
        rc = sv_buf_adds(&b, "pt");
    if (rc == 0)
        rc = sv_buf_add(&b, hq, len - (size_t)(hq - svg));
    if (rc != 0) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, out_len);
}

static uint32_t crc32_png(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffU;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320U & (0U - (c & 1U)));
    }
    return c ^ 0xffffffffU;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/*
 * pngcairo writes no resolution, so office software places a 300 dpi figure
 * at 72 or 96 dpi (four times too large): a pHYs chunk (11811 pixels per
 * metre) goes right after IHDR. Returns a new buffer, or NULL to keep the file.
 */
static char *png_add_phys(const char *png, size_t len, size_t *out_len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const size_t ihdr_end = 8 + 4 + 4 + 13 + 4;
    if (len < ihdr_end || memcmp(png, sig, 8) != 0 || memcmp(png + 12, "IHDR", 4) != 0)
        return NULL;
    for (size_t i = 8; i + 8 <= len;) {
        const unsigned char *q = (const unsigned char *)png + i;
        size_t clen = ((size_t)q[0] << 24) | ((size_t)q[1] << 16) | ((size_t)q[2] << 8) | q[3];
        if (memcmp(q + 4, "pHYs", 4) == 0)
            return NULL; /* already there */
        if (memcmp(q + 4, "IDAT", 4) == 0 || clen > len - i - 12)
            break;
        i += clen + 12;
    }
    unsigned char chunk[21];
    const uint32_t ppm = 11811; /* 300 dpi in pixels per metre */
    put_be32(chunk, 9);
    memcpy(chunk + 4, "pHYs", 4);
    put_be32(chunk + 8, ppm);
    put_be32(chunk + 12, ppm);
    chunk[16] = 1; /* unit: metre */
    put_be32(chunk + 17, crc32_png(chunk + 4, 13));
    char *out = malloc(len + sizeof chunk);
    if (out == NULL)
        return NULL;
    memcpy(out, png, ihdr_end);
    memcpy(out + ihdr_end, chunk, sizeof chunk);
    memcpy(out + ihdr_end + sizeof chunk, png + ihdr_end, len - ihdr_end);
    *out_len = len + sizeof chunk;
    return out;
}

/*
 * What gnuplot 5.4's SVG terminal gets wrong, fixed after the run:
 * - it passes "&#" through (numeric references are interpreted: a label
 *   "&#x3c;b&#x3e;" showed as "<b>", "&#xD800;" made the file invalid) and
 *   writes '>' raw (so "]]>" ended the document): in text content "&#"
 *   becomes "&amp;#" and '>' "&gt;";
 * - font-family="DejaVu Sans:Bold" is fontconfig's syntax, which browsers
 *   read as an unknown family: a family list plus font-weight="bold";
 * - the title and description say "Gnuplot": the headline and subtitle.
 * Our own texts cannot forge markup: gnuplot escapes '<' and '&' (but "&#").
 */
static int svg_text_content(struct sv_buf *b, const char *p, const char *end)
{
    int rc = 0;
    for (; p < end && rc == 0; p++) {
        if (*p == '&' && p + 1 < end && p[1] == '#')
            rc = sv_buf_adds(b, "&amp;");
        else if (*p == '>')
            rc = sv_buf_adds(b, "&gt;");
        else
            rc = sv_buf_addc(b, *p);
    }
    return rc;
}

#define SVG_FAMILY "font-family=\"DejaVu Sans, Verdana, sans-serif\""

static char *fix_svg_text(const char *svg, size_t len, const char *title, const char *desc,
                          size_t *out_len)
{
    static const char bold[] = "font-family=\"" PLOT_FONT_BOLD "\"";
    static const char regular[] = "font-family=\"" PLOT_FONT "\"";
    struct sv_buf b = SV_BUF_INIT;
    const char *p = svg, *end = svg + len;
    int rc = 0;
    bool titled = false, described = false;
    while (p < end && rc == 0) {
        size_t left = (size_t)(end - p);
        if (left >= 5 && memcmp(p, "<text", 5) == 0 && (p[5] == '>' || p[5] == ' ')) {
            const char *gt = memchr(p, '>', left);
            const char *close = gt ? strstr(gt, "</text>") : NULL;
            if (gt == NULL || close == NULL)
                break;
            rc = sv_buf_add(&b, p, (size_t)(gt + 1 - p));
            if (rc == 0)
                rc = svg_text_content(&b, gt + 1, close);
            p = close;
            continue;
        }
        if (left >= sizeof bold - 1 && memcmp(p, bold, sizeof bold - 1) == 0) {
            rc = sv_buf_adds(&b, SVG_FAMILY " font-weight=\"bold\"");
            p += sizeof bold - 1;
            continue;
        }
        if (left >= sizeof regular - 1 && memcmp(p, regular, sizeof regular - 1) == 0) {
            rc = sv_buf_adds(&b, SVG_FAMILY);
            p += sizeof regular - 1;
            continue;
        }
        if (!titled && left >= 7 && memcmp(p, "<title>", 7) == 0) {
            const char *close = strstr(p, "</title>");
            if (close != NULL && title != NULL) {
                rc = sv_buf_adds(&b, "<title>");
                if (rc == 0)
                    rc = plot_quote_xml(&b, title);
                p = close;
            }
            titled = true;
            if (close == NULL || title == NULL) {
                rc = rc == 0 ? sv_buf_addc(&b, *p) : rc;
                p++;
            }
            continue;
        }
        if (!described && left >= 6 && memcmp(p, "<desc>", 6) == 0) {
            const char *close = strstr(p, "</desc>");
            described = true;
            if (close != NULL) {
                rc = sv_buf_adds(&b, "<desc>");
                if (rc == 0)
                    rc = plot_quote_xml(&b, desc ? desc : "");
                p = close;
                continue;
            }
        }
        rc = sv_buf_addc(&b, *p);
        p++;
    }
    if (rc == 0 && p < end)
        rc = sv_buf_add(&b, p, (size_t)(end - p));
    if (rc != 0) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, out_len);
}

static int spawn_and_wait(const char *prog, const char *dir, const char *script_name, long timeout,
                          struct sv_buf *errout, struct sv_error *err)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return sv_error_set(err, SV_ERROR, NULL, 0, 0, "pipe: %s", strerror(errno));
    char home[4200], cache[4300];
    snprintf(home, sizeof home, "HOME=%s", dir);
    snprintf(cache, sizeof cache, "XDG_CACHE_HOME=%s/.cache", dir);
    char *const envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "TZ=UTC", home, cache, NULL};
    char *const argv[] = {(char *)prog, (char *)script_name, NULL};

    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        return sv_error_set(err, SV_ERROR, NULL, 0, 0, "fork: %s", strerror(e));
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls */
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(pfd[1], 2);
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        execve(prog, argv, envp);
        _exit(127);
    }
    setpgid(pid, pid); /* also here, to avoid racing the child */
    close(pfd[1]);
    double deadline = now_s() + (double)timeout;
    bool timed_out = false;
    char chunk[4096];
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd p = {pfd[0], POLLIN, 0};
        int pr = poll(&p, 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            continue;
        ssize_t n = read(pfd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EOF: gnuplot closed stderr (exited) */
        if (errout->len < STDERR_MAX)
            sv_buf_add(errout, chunk, (size_t)n);
    }
    close(pfd[0]);
    int status = 0;
    if (!timed_out) {
        /* stderr closed; the process should be gone soon */
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (w < 0 && errno != EINTR) {
                status = 0;
                break;
            }
            if (now_s() > deadline) {
                timed_out = true;
                break;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (timed_out) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        return sv_error_set(err, SV_EEXTERNAL, "gnuplot", 0, 0, "no result after %ld s, killed",
                            timeout);
    }
    char msg[400];
    if (WIFSIGNALED(status)) {
        first_line(errout->data, msg, sizeof msg);
        return sv_error_set(err, SV_EEXTERNAL, "gnuplot", 0, 0, "killed by signal %d%s%s",
                            WTERMSIG(status), msg[0] ? ": " : "", msg);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && errout->len == 0)
        return sv_error_set(err, SV_EEXTERNAL, "gnuplot", 0, 0, "cannot run '%s'", prog);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        last_line(errout->data, msg, sizeof msg);
        return sv_error_set(err, SV_EEXTERNAL, "gnuplot", 0, 0, "exit status %d%s%s",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1, msg[0] ? ": " : "", msg);
    }
    return 0;
}

int plot_run_render(const struct plot_run *r, const char *script, const char *data,
                    const char *script_name, const char *data_name, const char *out_name,
                    enum plot_format fmt, const char *out_path, struct sv_buf *warnings,
                    struct sv_error *err)
{
    const char *prog = find_gnuplot(r);
    if (prog == NULL)
        return sv_error_set(err, SV_EEXTERNAL, "gnuplot", 0, 0,
                            "not found (install the 'gnuplot-nox' package, or use --script-only)");
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/vigie-plot.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return sv_error_set(err, SV_EIO, dir, 0, 0, "cannot create a temporary directory: %s",
                            strerror(errno));
    struct sv_buf errout = SV_BUF_INIT;
    char *fig = NULL;
    size_t fig_len = 0;
    int rc = write_file(dir, script_name, script, err);
    if (rc == 0)
        rc = write_file(dir, data_name, data, err);
    if (rc == 0)
        rc = spawn_and_wait(prog, dir, script_name, r->timeout > 0 ? r->timeout : 60, &errout, err);
    if (rc == 0) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, out_name);
        struct sv_error rerr;
        sv_error_clear(&rerr);
        if (sv_file_read_all(&fig, &fig_len, path, &rerr) != 0 || fig_len == 0) {
            char msg[400];
            last_line(errout.data, msg, sizeof msg);
            rc = sv_error_set(err, SV_EEXTERNAL, "gnuplot", 0, 0, "produced no figure%s%s",
                              msg[0] ? ": " : "", msg);
        }
    }
    if (rc == 0 && warnings != NULL && errout.len > 0) {
        /* keep at most a few lines, cleaned of control characters */
        int lines = 0;
        for (const char *p = errout.data; *p && lines < 5;) {
            size_t n = strcspn(p, "\n");
            if (n > 0) {
                char line[400];
                first_line(p, line, n + 1 < sizeof line ? n + 1 : sizeof line);
                if (line[0] != '\0') {
                    sv_buf_adds(warnings, line);
                    sv_buf_addc(warnings, '\n');
                    lines++;
                }
            }
            p += n + (p[n] == '\n');
        }
    }
    if (rc == 0 && fmt == PLOT_FMT_PDF)
        plot_run_fix_pdf(fig, fig_len);
    if (rc == 0 && fmt == PLOT_FMT_PNG) {
        size_t nl = 0;
        char *with = png_add_phys(fig, fig_len, &nl);
        if (with != NULL) {
            free(fig);
            fig = with;
            fig_len = nl;
        }
    }
    if (rc == 0 && fmt == PLOT_FMT_SVG) {
        size_t nl = 0;
        char *fixed = fix_svg(fig, fig_len, &nl);
        if (fixed != NULL) {
            free(fig);
            fig = fixed;
            fig_len = nl;
        }
        fixed = fix_svg_text(fig, fig_len, r->title, r->desc, &nl);
        if (fixed == NULL) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            free(fig);
            fig = fixed;
            fig_len = nl;
        }
    }
    if (rc == 0) {
        struct sv_atomic_file af;
        memset(&af, 0, sizeof af);
        rc = sv_atomic_open(&af, out_path, err);
        if (rc == 0) {
            if (fwrite(fig, 1, fig_len, af.fp) != fig_len) {
                sv_atomic_abort(&af);
                rc = sv_error_set(err, SV_EIO, out_path, 0, 0, "cannot write: %s", strerror(errno));
            } else {
                rc = sv_atomic_commit(&af, err);
            }
        }
    }
    free(fig);
    sv_buf_release(&errout);
    remove_tree(dir, 0);
    return rc;
}
