/*
 * Helpers shared by the pay sub-commands (option state, data loading).
 */
#ifndef ANALYSE_PAY_CMD_COMMON_H
#define ANALYSE_PAY_CMD_COMMON_H

#include <stdbool.h>
#include "sv_survey.h"

struct pay_opts {
    const char *survey;
    const char *data;
    const char *store;
    const char *output;
    const char *by;
    const char *smic;
    const char *date;
    enum sv_lang lang;
    int without_segur;
    bool quiet;
};

/* The SMIC history: --smic, else $VIGIE_SURVEYS/common/smic.csv, else the bundled one.
 * Returns a malloc'ed path. */
char *pay_default_smic_path(const char *opt);

/* Flush stdout and report a write error (the exit code otherwise unchanged). */
int pay_finish(int rc);

#endif
