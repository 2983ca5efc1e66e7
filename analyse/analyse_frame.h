/*
 * analyse_frame: a survey's design from its population frame.
 *
 * Weighting schemes (--weights):
 *   frame  stratified by the frame cells (e.g. region x sector), fpc and
 *          weights N_h / n_h from the frame. Frame cells with a single
 *          respondent are collapsed with the other single-respondent cells
 *          of the same first frame variable (or nationally) for the variance
 *          only; their weights stay N_h / n_h. Frame cells without respondent
 *          are reported (their units are not represented).
 *   post   stratified by the first frame variable (fpc and weights from its
 *          frame totals), then post-stratified to the frame cells.
 *   rake   stratified by the first frame variable, then raked to the margin
 *          of every frame variable (IPF, tolerance 1e-12, 200 sweeps at most).
 *   none   unweighted: every respondent weighs 1, no strata, no fpc.
 * A respondent whose stratum is missing from the frame (or has a zero count)
 * is invalid data (SV_EDATA).
 */
#ifndef ANALYSE_FRAME_H
#define ANALYSE_FRAME_H

#include <stdbool.h>
#include "analyse_design.h"
#include "analyse_input.h"

enum analyse_weighting { ANALYSE_W_FRAME, ANALYSE_W_POST, ANALYSE_W_RAKE, ANALYSE_W_NONE };
int analyse_weighting_parse(const char *s, enum analyse_weighting *out);
const char *analyse_weighting_name(enum analyse_weighting w);

struct analyse_setup {
    struct analyse_design *design; /* owned */
    enum analyse_weighting weighting;
    char design_text[512];        /* for the table's metadata */
    struct analyse_rake_report rake;
    long collapsed;               /* frame cells collapsed for the variance */
    long empty_cells;             /* frame cells without respondent */
    double empty_population;      /* their units */
};

/* Ask the data for the frame variables' columns (before analyse_data_load). */
int analyse_frame_want(struct analyse_data *d, struct sv_error *err);

int analyse_setup_design(struct analyse_setup *out, const struct analyse_data *d,
                         enum analyse_weighting w, struct sv_error *err);
void analyse_setup_release(struct analyse_setup *s);

#endif
