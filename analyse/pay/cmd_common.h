/*
 * Helpers shared by the pay sub-commands.
 */
#ifndef ANALYSE_PAY_CMD_COMMON_H
#define ANALYSE_PAY_CMD_COMMON_H

/* The SMIC history: --smic, else $VIGIE_SURVEYS/common/smic.csv, else the bundled one.
 * Returns a malloc'ed path. */
char *pay_default_smic_path(const char *opt);

/* Flush stdout and report a write error (the exit code otherwise unchanged). */
int pay_finish(int rc);

#endif
