/* Unit tests: data selection, labels and the generated script and data file. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plot.h"

static void add(struct sv_itable *t, const char *ind, const char *label, const char *by,
                const char *group, const char *glabel, double est, bool supp)
{
    struct sv_irow r;
    memset(&r, 0, sizeof r);
    r.indicator = (char *)ind;
    r.label = (char *)label;
    r.by = (char *)by;
    r.group = (char *)group;
    r.group_label = (char *)glabel;
    r.estimate = supp ? NAN : est;
    r.se = supp ? NAN : 0.02;
    r.ci_low = supp ? NAN : est - 0.04;
    r.ci_high = supp ? NAN : est + 0.04;
    r.ci_level = 0.95;
    r.ci_method = (char *)"logit";
    r.df = 40;
    r.n = supp ? 2 : 30;
    r.population = 100;
    r.unit = (char *)"share";
    r.suppressed = supp;
    r.reason = (char *)(supp ? "n<3" : "");
    assert_int_equal(sv_itable_add(t, &r), 0);
}

static void table_regions(struct sv_itable *t, const char *evil)
{
    sv_itable_init(t);
    add(t, "difficulty_share", "Part en difficulté", "", "", "Ensemble", 0.66, false);
    add(t, "difficulty_share", "Part en difficulté", "region", "11", "Île-de-France", 0.71, false);
    add(t, "difficulty_share", "Part en difficulté", "region", "94", "Corse", 0, true);
    add(t, "difficulty_share", "Part en difficulté", "region", "53", evil ? evil : "Bretagne", 0.55,
        false);
    add(t, "difficulty_share", "Part en difficulté", "region", "84", "Auvergne-Rhône-Alpes", 0.8,
        false);
    add(t, "vacancy_rate", "Taux de vacance", "family;sector", "as;pa",
        "Aide-soignant – Personnes âgées", 0.08, false);
    add(t, "vacancy_rate", "Taux de vacance", "family;sector", "as;ph", "Aide-soignant – Handicap",
        0.07, false);
    add(t, "vacancy_rate", "Taux de vacance", "family;sector", "ide;pa",
        "Infirmier – Personnes âgées", 0.09, false);
    add(t, "vacancy_rate", "Taux de vacance", "family;sector", "ide;ph", "Infirmier – Handicap", 0,
        true);
    const char *q[5] = {"pay.p10", "pay.p25", "pay.p50", "pay.p75", "pay.p90"};
    for (int i = 0; i < 5; i++) {
        add(t, q[i], "Salaire", "job", "as", "Aide-soignant", 1800 + 150 * i, false);
        add(t, q[i], "Salaire", "job", "ide", "Infirmier", 2300 + 200 * i, false);
    }
    t->meta.title = sv_strdup("Deux établissements sur trois peinent à recruter");
    t->meta.source = sv_strdup("Source : enquête recrutement 2026");
    t->meta.unit_label = sv_strdup("établissements");
    t->meta.n_respondents = 1412;
    t->meta.lang = sv_strdup("fr");
}

static void test_select_bars(void **state)
{
    (void)state;
    struct sv_itable t;
    struct plot_opts o;
    struct plot_matrix m;
    struct sv_error err;
    table_regions(&t, NULL);
    plot_opts_init(&o);
    o.kind = PLOT_BARS;
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_int_equal(m.ncat, 4);
    assert_int_equal(m.nser, 1);
    assert_true(m.has_overall);
    assert_true(fabs(m.overall.est - 0.66) < 1e-12);
    assert_string_equal(m.cat_code[1], "94");
    assert_true(plot_matrix_cell(&m, 1, 0)->suppressed);
    assert_string_equal(m.unit, "share");
    plot_matrix_release(&m);
    sv_itable_release(&t);
}

static void test_select_series_and_errors(void **state)
{
    (void)state;
    struct sv_itable t;
    struct plot_opts o;
    struct plot_matrix m;
    struct sv_error err;
    table_regions(&t, NULL);
    plot_opts_init(&o);
    o.kind = PLOT_GROUPED;
    plot_opts_set(&o.indicator, "vacancy_rate");
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_int_equal(m.ncat, 2);
    assert_int_equal(m.nser, 2);
    assert_string_equal(m.cat_label[1], "Infirmier");
    assert_string_equal(m.ser_label[1], "Handicap");
    assert_true(plot_matrix_cell(&m, 1, 1)->suppressed);
    plot_matrix_release(&m);

    /* the other way round */
    plot_opts_set(&o.series, "family");
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_string_equal(m.cat_code[0], "pa");
    assert_string_equal(m.ser_code[1], "ide");
    plot_matrix_release(&m);

    plot_opts_set(&o.indicator, "nope");
    sv_error_clear(&err);
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), SV_ENOTFOUND);
    assert_string_equal(err.text, "unknown indicator 'nope'");
    assert_string_equal(err.source, "t.csv");

    /* box plots: five quantile series */
    o.kind = PLOT_BOX;
    plot_opts_set(&o.indicator, NULL);
    plot_opts_set(&o.series, NULL);
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_int_equal(m.nser, 5);
    assert_int_equal(m.ncat, 2);
    assert_true(fabs(plot_matrix_cell(&m, 1, 2)->est - 2700) < 1e-9);
    plot_matrix_release(&m);

    plot_opts_set(&o.indicator, "wage");
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), SV_ENOTFOUND);
    assert_string_equal(err.text,
                        "unknown indicator 'wage.p10' (box plots need 'wage.p10' to 'wage.p90')");
    plot_opts_release(&o);
    sv_itable_release(&t);
}

static void build(const struct sv_itable *t, enum plot_kind kind, const char *indicator,
                  enum sv_lang lang, struct sv_buf *script, struct sv_buf *data)
{
    struct plot_opts o;
    struct sv_error err;
    plot_opts_init(&o);
    o.kind = kind;
    o.lang = lang;
    o.lang_given = true;
    if (indicator)
        plot_opts_set(&o.indicator, indicator);
    sv_buf_init(script);
    sv_buf_init(data);
    sv_error_clear(&err);
    int rc = plot_figure_build(&o, t, "t.csv", "fig.svg", "fig.dat", script, data, NULL, &err);
    if (rc != 0)
        fail_msg("build failed: %s", err.text);
    plot_opts_release(&o);
}

static void test_script_labels(void **state)
{
    (void)state;
    struct sv_itable t;
    struct sv_buf s, d;
    table_regions(&t, NULL);
    build(&t, PLOT_BARS, NULL, SV_LANG_FR, &s, &d);
    assert_non_null(strstr(s.data, "set output 'fig.svg'\n"));
    assert_non_null(strstr(s.data, "'Deux établissements sur trois peinent à recruter'"));
    assert_non_null(strstr(s.data, "'71\xe2\x80\xaf%'"));            /* value label, U+202F */
    assert_non_null(strstr(s.data, "'Ensemble : 66\xe2\x80\xaf%'")); /* reference line */
    assert_non_null(strstr(s.data, "'secret statistique'"));         /* never a zero bar */
    assert_non_null(strstr(s.data, "Corse (trop peu de réponses)"));
    assert_non_null(strstr(s.data, "n = 1\xe2\x80\xaf"
                                   "412 établissements'"));
    assert_non_null(strstr(s.data, "'fig.dat' index 0"));
    sv_buf_release(&s);
    sv_buf_release(&d);

    build(&t, PLOT_BARS, NULL, SV_LANG_EN, &s, &d);
    assert_non_null(strstr(s.data, "'71%'"));
    assert_non_null(strstr(s.data, "'suppressed'"));
    sv_buf_release(&s);
    sv_buf_release(&d);
    sv_itable_release(&t);
}

/* Every text element is a single-quoted noenhanced label; the data file holds numbers only. */
static void test_script_safety(void **state)
{
    (void)state;
    static const char evil[] =
        "`touch pwned` system(\"touch pwned\") ' \" @macro ^_{}&~\\ \n# x\tend";
    struct sv_itable t;
    struct sv_buf s, d;
    table_regions(&t, evil);
    build(&t, PLOT_BARS, NULL, SV_LANG_FR, &s, &d);
    /* the label column wraps it in two lines, each a literal */
    assert_non_null(strstr(s.data, "'`touch pwned` system(\"touch pwned\")"));
    assert_non_null(strstr(s.data, "@macro ^_{}&~\\  # x end'"));
    assert_null(strstr(s.data, "''"));
    for (const char *p = d.data; *p; p++)
        assert_non_null(strchr("0123456789.-\t\n", *p));
    /* every line mentioning a quote-carrying label is a 'set label' marked noenhanced */
    char *copy = sv_strdup(s.data);
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, "pwned") == NULL)
            continue;
        assert_int_equal(strncmp(line, "set label ", 10), 0);
        assert_non_null(strstr(line, " noenhanced front"));
    }
    free(copy);
    sv_buf_release(&s);
    sv_buf_release(&d);
    sv_itable_release(&t);
}

static void test_deterministic(void **state)
{
    (void)state;
    struct sv_itable t;
    struct sv_buf s1, d1, s2, d2;
    table_regions(&t, NULL);
    for (int k = 0; k < PLOT_KIND_COUNT; k++) {
        const char *ind = k == PLOT_GROUPED || k == PLOT_STACKED || k == PLOT_DUMBBELL
                              ? "vacancy_rate"
                          : k == PLOT_BOX ? NULL
                                          : "difficulty_share";
        if (k == PLOT_LINES)
            continue; /* needs waves */
        build(&t, (enum plot_kind)k, ind, SV_LANG_FR, &s1, &d1);
        build(&t, (enum plot_kind)k, ind, SV_LANG_FR, &s2, &d2);
        assert_string_equal(s1.data, s2.data);
        assert_string_equal(d1.data, d2.data);
        sv_buf_release(&s1);
        sv_buf_release(&d1);
        sv_buf_release(&s2);
        sv_buf_release(&d2);
    }
    sv_itable_release(&t);
}

static void test_fix_pdf(void **state)
{
    (void)state;
    char pdf[] = "%PDF-1.5\n<< /Producer (cairo)\n   /CreationDate (D:20261122214126Z)\n>>";
    size_t len = strlen(pdf);
    plot_run_fix_pdf(pdf, len);
    assert_int_equal(strlen(pdf), len);
    assert_non_null(strstr(pdf, "/CreationDate (D:20000101000000Z)"));
}

static void test_numbers(void **state)
{
    (void)state;
    char buf[64];
    plot_fmt_value(buf, sizeof buf, 0.123, "share", 1, SV_LANG_FR);
    assert_string_equal(buf, "12,3\xe2\x80\xaf%");
    plot_fmt_value(buf, sizeof buf, 1801.8, "eur", 0, SV_LANG_FR);
    assert_string_equal(buf, "1\xe2\x80\xaf"
                             "802\xc2\xa0\xe2\x82\xac");
    plot_fmt_value(buf, sizeof buf, 0.123, "share", 1, SV_LANG_EN);
    assert_string_equal(buf, "12.3%");
    double ticks[12];
    size_t n = plot_nice_ticks(0, 0.81, 4, ticks);
    assert_int_equal(n, 5);
    assert_true(fabs(ticks[4] - 1.0) < 1e-12);
    assert_int_equal(plot_tick_decimals(ticks, n, "share"), 0);
    n = plot_nice_ticks(0, 0.09, 4, ticks);
    assert_int_equal(plot_tick_decimals(ticks, n, "share"), 1); /* 2,5 % steps */
}

static void test_filters(void **state)
{
    (void)state;
    struct sv_itable t;
    struct plot_opts o;
    struct plot_matrix m;
    struct sv_error err;
    table_regions(&t, NULL);
    plot_opts_init(&o);
    o.kind = PLOT_DUMBBELL;
    plot_opts_set(&o.indicator, "vacancy_rate");
    plot_opts_set(&o.series_codes, "ph,pa");
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_int_equal(m.nser, 2);
    assert_string_equal(m.ser_code[0], "ph");
    assert_string_equal(m.ser_code[1], "pa");
    plot_matrix_release(&m);
    plot_opts_set(&o.groups, "ide");
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_int_equal(m.ncat, 1);
    assert_string_equal(m.cat_label[0], "Infirmier");
    plot_matrix_release(&m);
    plot_opts_set(&o.groups, "es");
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), SV_ENOTFOUND);
    assert_string_equal(err.text, "no rows for the group 'es' of --groups");
    /* a pair without a series: each combination is a category */
    plot_opts_set(&o.groups, NULL);
    plot_opts_set(&o.series_codes, NULL);
    o.kind = PLOT_BARS;
    assert_int_equal(plot_data_select(&m, &t, &o, "t.csv", &err), 0);
    assert_int_equal(m.ncat, 4);
    assert_string_equal(m.cat_code[1], "as;ph");
    assert_string_equal(m.cat_label[1], "Aide-soignant – Handicap");
    plot_matrix_release(&m);
    plot_opts_release(&o);
    sv_itable_release(&t);
}

static void test_kind_errors(void **state)
{
    (void)state;
    struct sv_itable t;
    struct plot_opts o;
    struct sv_error err;
    struct sv_buf s = SV_BUF_INIT, d = SV_BUF_INIT;
    table_regions(&t, NULL);
    plot_opts_init(&o);
    o.kind = PLOT_DUMBBELL;
    plot_opts_set(&o.indicator, "difficulty_share");
    assert_int_equal(plot_figure_build(&o, &t, "t.csv", "f.svg", "f.dat", &s, &d, NULL, &err),
                     SV_EUSAGE);
    assert_string_equal(err.text, "'dumbbell' needs exactly 2 series, the selection has 1");
    o.kind = PLOT_BARS;
    assert_int_equal(
        plot_figure_build(&o, &t, "t.csv", "| touch pwned", "f.dat", &s, &d, NULL, &err),
        SV_EUSAGE);
    plot_opts_release(&o);
    sv_buf_release(&s);
    sv_buf_release(&d);
    sv_itable_release(&t);
}

/* Labels above the chart: no two overlap, no line crosses another's label (issue 16). */
static void test_top_lanes(void **state)
{
    (void)state;
    struct plot_fig fig;
    struct plot_opts o;
    memset(&fig, 0, sizeof fig);
    plot_opts_init(&o);
    plot_style_get(&fig.st, PLOT_SIZE_FULL);
    fig.opts = &o;
    fig.lang = SV_LANG_FR;
    fig.m.unit = "share";
    fig.m.ncat = 1;
    fig.m.has_overall = true;
    fig.m.overall.present = true;
    fig.m.overall.est = 0.662;
    /* three lines within 4 points of each other, one far */
    assert_int_equal(plot_opts_add_ref(&o, "0.65:Objectif"), 0);
    assert_int_equal(plot_opts_add_ref(&o, "0.67:Cible"), 0);
    assert_int_equal(plot_opts_add_ref(&o, "0.1:Plancher"), 0);
    struct plot_top top;
    plot_top_collect(&fig, &top, true, NULL);
    assert_int_equal(top.n, 4);
    assert_string_equal(top.it[0].text, "Ensemble : 66\xe2\x80\xaf%");
    assert_string_equal(top.it[1].text, "Objectif : 65\xe2\x80\xaf%");
    plot_top_place(&fig, &top, 100, 300, 8, 474); /* 0 -> 100 pt, 1 -> 400 pt */
    double gap = fig.st.small * 0.8;
    for (size_t i = 0; i < top.n; i++) {
        const struct plot_top_item *a = &top.it[i];
        assert_true(a->left >= 8 && a->right <= 474);
        for (size_t k = 0; k < top.n; k++) {
            const struct plot_top_item *b = &top.it[k];
            if (k == i)
                continue;
            if (a->lane == b->lane) /* apart on one lane */
                assert_true(a->right + gap <= b->left + 1e-9 || b->right + gap <= a->left + 1e-9);
            if (b->lane > a->lane) /* b's line passes a's lane: outside a's label */
                assert_true(b->x <= a->left - gap * 0.5 || b->x >= a->right + gap * 0.5);
        }
    }
    assert_true(top.nlanes >= 2);      /* three close lines cannot share one lane */
    assert_int_equal(top.it[3].lane, 0); /* the far one stays on the lowest */
    assert_true(plot_top_height(&fig, &top) > fig.st.small * 1.3 * 2);
    plot_opts_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_bars),   cmocka_unit_test(test_select_series_and_errors),
        cmocka_unit_test(test_script_labels), cmocka_unit_test(test_script_safety),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_fix_pdf),
        cmocka_unit_test(test_numbers),       cmocka_unit_test(test_kind_errors),
        cmocka_unit_test(test_filters),       cmocka_unit_test(test_top_lanes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
