/*
 * analyse_frame: a survey's design from its population frame.
 *
 * Weighting schemes (--weights):
 *   cells  (the default) stratified by the frame cells (e.g. region x sector),
 *          fpc and weights N_h / n_h from the frame, after collapsing the
 *          cells that cannot stand alone: a cell without respondent (but with
 *          units) or with a single respondent (and more than one unit) is
 *          pooled with the other such cells of the same first frame variable
 *          (code of the first frame variable, e.g. the region); a pool with
 *          fewer than 2 respondents joins the cell of that code with the
 *          most respondents (the first in frame order on ties: the largest
 *          cell dilutes the pooled units most); a code without such a cell
 *          sends its pool to a national pool, a stratum of its own with 2
 *          respondents or more, else joined to the stratum with the most
 *          respondents. Each collapsed stratum is one line of `notes`. When a
 *          cell was collapsed the strata no longer carry every margin, and
 *          the weights are raked to the frame margins of every frame variable
 *          whose codes with units all have respondents (as `frame` and rake
 *          together: R's rake() on the collapsed stratified design).
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

enum analyse_weighting {
    ANALYSE_W_FRAME,
    ANALYSE_W_POST,
    ANALYSE_W_RAKE,
    ANALYSE_W_NONE,
    ANALYSE_W_CELLS
};
int analyse_weighting_parse(const char *s, enum analyse_weighting *out);
const char *analyse_weighting_name(enum analyse_weighting w);

struct analyse_setup {
    struct analyse_design *design; /* owned */
    enum analyse_weighting weighting;
    char design_text[1024];       /* for the table's metadata */
    struct analyse_rake_report rake;
    bool raked;                   /* rake holds a raking outcome */
    long collapsed;               /* frame cells collapsed (for the variance, or cells) */
    long empty_cells;             /* frame cells without respondent */
    double empty_population;      /* their units (not represented, except with cells) */
    char *notes;                  /* owned: one line per collapsed stratum (cells), or NULL */
    bool calibrated;              /* calibrated to a margins file (analyse_calib.h) */
    char *calib_json;             /* owned: the calibration as a JSON object, or NULL */
    /* per row (row design only; NULL for the streamed one): for `analyse weights` */
    double *design_weight;        /* before post-stratification or raking */
    size_t *row_stratum;          /* variance stratum index */
    size_t *row_cell;             /* frame row, ANALYSE_NO_GROUP when unweighted */
};

/*
 * A weighting scheme, frame cell by frame cell: every respondent of a frame
 * cell gets the same variance stratum, the same base weight and the same
 * calibration cell. The row design (analyse_setup_design) and the streaming
 * estimators (analyse_stream.h) are both built from this plan, so the two
 * agree on strata, pooling of single-respondent cells and populations.
 */
struct analyse_cellplan {
    enum analyse_weighting weighting;
    size_t ncells;        /* frame rows (1 for ANALYSE_W_NONE) */
    size_t nvars;         /* frame variables (0 for ANALYSE_W_NONE) */
    const struct sv_variable **vars; /* nvars, borrowed from the survey */
    size_t *code;         /* ncells * nvars: code index of each frame key (ANALYSE_NO_GROUP
                             when the frame row names an unknown code) */
    long *n;              /* respondents per cell (copied) */
    size_t *stratum;      /* per cell with respondents: variance stratum */
    size_t nstrata;
    double *stratum_pop;  /* nstrata: N_h; NULL for ANALYSE_W_NONE (no fpc) */
    double *base_weight;  /* per cell with respondents: frame N_c / n_c; post, rake, cells:
                             N_h / n_h; none: 1 */
    double *margin_total; /* post: per cell N_c (0 without respondents); rake: per frame
                             variable k, code j at [off_k + j]: the frame total of the cells
                             with respondents */
    size_t *margin_off;   /* rake (and cells when raked): nvars offsets into margin_total;
                             NULL = no raking */
    unsigned char *rake_var; /* with margin_off: which frame variables are raked (NULL = all) */
    char *notes;          /* cells: one line per collapsed stratum (NULL when none) */
    long collapsed;       /* cells (frame) or codes (post, rake) pooled for the variance */
    long empty_cells;
    double empty_population;
    char text[256];       /* the design in words (without the raking outcome) */
};

/*
 * Frame cell of each frame row's keys: `lookup` receives the frame row
 * (ANALYSE_NO_GROUP when none) of every combination of code indexes, in
 * mixed radix of the variables' code counts; *span its size.
 */
int analyse_frame_lookup(size_t **lookup, size_t *span, const struct sv_survey *s,
                         struct sv_error *err);

/* The plan of weighting `w` for `n` respondents per frame cell (ncells = frame rows). */
int analyse_cellplan_make(struct analyse_cellplan *p, const struct sv_survey *s,
                          enum analyse_weighting w, const long *n, struct sv_error *err);
void analyse_cellplan_release(struct analyse_cellplan *p);

/* Ask the data for the frame variables' columns (before analyse_data_load). */
int analyse_frame_want(struct analyse_data *d, struct sv_error *err);

int analyse_setup_design(struct analyse_setup *out, const struct analyse_data *d,
                         enum analyse_weighting w, struct sv_error *err);
void analyse_setup_release(struct analyse_setup *s);
/*
 * What a setup says of its design, from its plan and, when raked, the raking
 * outcome (rake is ignored otherwise): weighting, pooled and empty cells, the
 * design in words. Both the row design and the streamed one use it.
 */
void analyse_setup_describe(struct analyse_setup *out, const struct analyse_cellplan *p,
                            const struct analyse_rake_report *rake);

#endif
