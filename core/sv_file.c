/*
 * sv_file: atomic output files (temporary file + fsync + rename), whole-file
 * reads and mkdir -p.
 */
#include "sv_file.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv_buf.h"

int sv_atomic_open(struct sv_atomic_file *f, const char *path, struct sv_error *err)
{
    struct sv_buf tmp = SV_BUF_INIT;
    int fd;

    memset(f, 0, sizeof(*f));
    if (!path || !strcmp(path, "-")) {
        f->fp = stdout;
        return 0;
    }
    /*
     * A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in
     * place: renaming a temporary file over it would replace the device.
     */
    {
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            if (S_ISDIR(st.st_mode))
                return sv_error_set(err, SV_EIO, path, 0, 0, "is a directory");
            f->fp = fopen(path, "w");
            if (!f->fp)
                return sv_error_set(err, SV_EIO, path, 0, 0, "cannot open for writing: %s",
                                    strerror(errno));
            f->target = NULL;
            f->direct = true;
            return 0;
        }
    }
    if (sv_buf_addf(&tmp, "%s.tmp.XXXXXX", path))
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    fd = mkstemp(tmp.data);
    if (fd < 0) {
        int e = errno;
        sv_buf_release(&tmp);
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot create file: %s", strerror(e));
    }
    /* mkstemp makes 0600; outputs are ordinary files, readable as the umask allows. */
    {
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0666 & ~um);
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        close(fd);
        unlink(tmp.data);
        sv_buf_release(&tmp);
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot open file: %s", strerror(errno));
    }
    f->tmp = sv_buf_detach(&tmp, NULL);
    f->target = sv_strdup(path);
    if (!f->target || !f->tmp) {
        sv_atomic_abort(f);
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    }
    return 0;
}

int sv_atomic_commit(struct sv_atomic_file *f, struct sv_error *err)
{
    int rc = 0;

    if (!f->fp)
        return 0;
    if (!f->target) {
        if (fflush(f->fp) != 0 || ferror(f->fp))
            rc = sv_error_set(err, SV_EIO, "-", 0, 0, "cannot write output: %s",
                              strerror(errno));
        if (f->direct && fclose(f->fp) != 0 && rc == 0)
            rc = sv_error_set(err, SV_EIO, "-", 0, 0, "cannot write output: %s",
                              strerror(errno));
        f->fp = NULL;
        f->direct = false;
        return rc;
    }
    if (fflush(f->fp) != 0 || ferror(f->fp) || fsync(fileno(f->fp)) != 0) {
        rc = sv_error_set(err, SV_EIO, f->target, 0, 0, "cannot write file: %s", strerror(errno));
        sv_atomic_abort(f);
        return rc;
    }
    if (fclose(f->fp) != 0) {
        f->fp = NULL;
        rc = sv_error_set(err, SV_EIO, f->target, 0, 0, "cannot write file: %s", strerror(errno));
        sv_atomic_abort(f);
        return rc;
    }
    f->fp = NULL;
    if (rename(f->tmp, f->target) != 0) {
        rc = sv_error_set(err, SV_EIO, f->target, 0, 0, "cannot rename temporary file: %s",
                          strerror(errno));
        sv_atomic_abort(f);
        return rc;
    }
    /* Make the rename itself durable. */
    {
        char *copy = sv_strdup(f->target);
        if (copy) {
            int dfd = open(dirname(copy), O_RDONLY);
            if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
            }
            free(copy);
        }
    }
    free(f->tmp);
    free(f->target);
    f->tmp = f->target = NULL;
    return 0;
}

void sv_atomic_abort(struct sv_atomic_file *f)
{
    if (f->fp && (f->target || f->direct))
        fclose(f->fp);
    f->direct = false;
    f->fp = NULL;
    if (f->tmp) {
        unlink(f->tmp);
        free(f->tmp);
    }
    free(f->target);
    f->tmp = f->target = NULL;
}

int sv_file_read_all(char **out, size_t *len_out, const char *path, struct sv_error *err)
{
    struct sv_buf b = SV_BUF_INIT;
    FILE *fp;
    char chunk[65536];
    size_t n;
    bool is_stdin = !strcmp(path, "-");

    *out = NULL;
    fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open file: %s", strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (sv_buf_add(&b, chunk, n)) {
            if (!is_stdin)
                fclose(fp);
            sv_buf_release(&b);
            return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
        }
    }
    if (ferror(fp)) {
        int e = errno;
        if (!is_stdin)
            fclose(fp);
        sv_buf_release(&b);
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot read file: %s", strerror(e));
    }
    if (!is_stdin)
        fclose(fp);
    *out = sv_buf_detach(&b, len_out);
    if (!*out)
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    return 0;
}

int sv_mkdir_p(const char *path, struct sv_error *err)
{
    char *copy = sv_strdup(path);
    char *p;

    if (!copy)
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    for (p = copy + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                free(copy);
                return sv_error_set(err, SV_EIO, path, 0, 0, "cannot create directory: %s",
                                    strerror(e));
            }
            *p = saved;
            if (!saved)
                break;
        }
    }
    free(copy);
    return 0;
}
