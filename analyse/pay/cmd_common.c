/*
 * Helpers shared by the pay sub-commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_cli.h"

#include "sv_buf.h"
#include "cmd_common.h"

char *pay_default_smic_path(const char *opt)
{
    if (opt)
        return sv_strdup(opt);
    const char *dir = getenv("VIGIE_SURVEYS");
    struct sv_buf b = SV_BUF_INIT;
    sv_buf_addf(&b, "%s/common/smic.csv", dir && *dir ? dir : VIGIE_SURVEYS_DIR);
    return sv_buf_detach(&b, NULL);
}

int pay_finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno;
        return sv_fail(SV_EXIT_RUNTIME, "write error on standard output: %s", strerror(e));
    }
    return rc;
}
