/*
 * analyse_calib: calibration of a design to what a federation knows, the
 * population counts of a margins file (--margins FILE), for any
 * single-choice variables of the definition, in the frame or not, or their
 * crossings.
 *
 * The margins file is CSV (read by core/sv_csv, either separator) with a
 * header naming at least the columns `variable`, `code` and `count`; each
 * record gives the population count of one code of one margin. A margin is
 * a variable (`taille`) or a crossing of up to 4 (`taille;statut`, codes
 * `t1;pub`). Every record of the same `variable` belongs to one margin. A
 * code the file does not list counts 0. Refused (SV_EDATA, with the file
 * and line): an unknown or non-single-choice variable, a code unknown to the
 * definition, a code given twice, a count that is not a finite non-negative
 * decimal number, margins whose sums differ (relative 1e-9: they must count
 * one population), a file without margins.
 *
 * Methods (--calibrate), on top of the --weights design (its strata, fpc and
 * weights are the design weights d):
 *   rake     iterative proportional fitting to every margin (R's rake(), to a
 *            relative misfit of 1e-12 in at most 200 sweeps; not converging is
 *            an error), variance with survey's raking residuals;
 *   post     post-stratification to the one margin (a variable or a
 *            crossing) of the file (R's postStratify());
 *   linear   linear calibration, GREG (R's calibrate(calfun = "linear"));
 *   raking   calibrate(calfun = "raking") (Newton steps; same weights as
 *            rake, GREG residuals in the variance).
 * Bounds (--bounds L,U) on the ratios g = final weight / design weight, for
 * linear and raking only, as calibrate(bounds = c(L, U)).
 *
 * When the margins count another population than the frame (an updated
 * population), the calibrated weights sum to the margins' total: estimated
 * totals refer to the margins' population, means and shares are
 * re-weighted; the strata and fpc stay those of the frame. The setup's
 * notes say so (stderr) and the calibration metadata carries both totals.
 *
 * Checked against the data before calibrating (SV_EDATA, naming the margins
 * file and line): a code with a positive count but no respondent, a code
 * with respondents but no count (0 or not listed), a respondent whose margin
 * variable is missing (naming the data file and record).
 */
#ifndef ANALYSE_CALIB_H
#define ANALYSE_CALIB_H

#include <stdbool.h>
#include <stddef.h>

#include "analyse_frame.h"
#include "analyse_input.h"
#include "sv_survey.h"

#define ANALYSE_MARGIN_MAXVARS 4

struct analyse_margin_def {
    char *name;                       /* as written: "taille" or "taille;statut" */
    const struct sv_variable *vars[ANALYSE_MARGIN_MAXVARS];
    size_t nvars;
    size_t ncells;                    /* product of the variables' code counts */
    double *total;                    /* ncells: population count (0 when not listed) */
    long *line;                       /* ncells: line giving the cell, 0 = not listed */
    long first_line;
    double sum;
};

struct analyse_margins {
    char *path;
    struct analyse_margin_def *m;
    size_t n;
};

int analyse_margins_load(struct analyse_margins *ms, const struct sv_survey *s, const char *path,
                         struct sv_error *err);
void analyse_margins_release(struct analyse_margins *ms);
/* Ask the data for the margins' variables (before analyse_data_load). */
int analyse_margins_want(struct analyse_data *d, const struct analyse_margins *ms,
                         struct sv_error *err);

enum analyse_calibration {
    ANALYSE_CALIB_RAKE,
    ANALYSE_CALIB_POST,
    ANALYSE_CALIB_LINEAR,
    ANALYSE_CALIB_RAKING
};
int analyse_calibration_parse(const char *s, enum analyse_calibration *out);
const char *analyse_calibration_name(enum analyse_calibration c);

struct analyse_calib_opts {
    enum analyse_calibration method;
    double lower, upper; /* bounds on g (linear, raking); -INFINITY, INFINITY = none */
};

/*
 * Calibrate the setup's row design to the margins: the design gains the
 * calibration step; setup->design_text, ->notes and ->calib_json say what
 * was done (method, R call, sweeps or steps, convergence, weights and ratio
 * range, the margins achieved, the population totals).
 */
int analyse_calibrate(struct analyse_setup *setup, const struct analyse_data *d,
                      const struct analyse_margins *ms, const struct analyse_calib_opts *o,
                      struct sv_error *err);

#endif
