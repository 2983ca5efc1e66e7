/*
 * The core CSV reader (core/sv_csv.c) in both dialects: every record read
 * with ',' ';' or the separator guessed; each record read is written back
 * with sv_csv's writer and read again to the same fields (plain and
 * excel-fr); and sv_csv_record_check(), which the fast readers use, must say
 * of the first record what sv_csv_read() says (same error, or same fields).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sv_csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Write the record's fields and read them back: the same fields. */
static void roundtrip(char **fields, size_t n, enum sv_csv_dialect dialect)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    struct sv_csv_writer w;
    sv_csv_writer_init(&w, fp, dialect);
    for (size_t i = 0; i < n; i++)
        sv_csv_cell(&w, fields[i], SV_CELL_CODE);
    sv_csv_end_record(&w);
    fclose(fp);
    FILE *in = fmemopen(text, len, "r");
    struct sv_csv_reader r;
    struct sv_error err;
    if (sv_csv_reader_init(&r, in, "rt", dialect == SV_CSV_EXCEL_FR ? ';' : ',', &err))
        fuzz_fail("round trip: %s", err.text);
    int rc = sv_csv_read(&r, &err);
    if (rc != 1)
        fuzz_fail("round trip: %d %s", rc, err.text);
    if (r.nfields != n)
        fuzz_fail("round trip: %zu fields where %zu were written", r.nfields, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(r.fields[i], fields[i]) != 0)
            fuzz_fail("round trip: field %zu '%s' read back as '%s'", i, fields[i], r.fields[i]);
    sv_csv_reader_release(&r);
    fclose(in);
    free(text);
}

static void read_all(const uint8_t *data, size_t size, char sep)
{
    if (size == 0)
        return;
    FILE *fp = fmemopen((void *)data, size, "r");
    if (!fp)
        return;
    struct sv_csv_reader r;
    struct sv_error err;
    if (sv_csv_reader_init(&r, fp, "fuzz.csv", sep, &err) == 0) {
        int rc;
        long n = 0;
        while ((rc = sv_csv_read(&r, &err)) == 1 && n++ < 10000) {
            bool text = true; /* a field holding a NUL cannot be read, so none is */
            for (size_t i = 0; i < r.nfields; i++)
                if (!r.fields[i])
                    text = false;
            if (text) {
                char **copy = calloc(r.nfields, sizeof *copy);
                for (size_t i = 0; i < r.nfields; i++)
                    copy[i] = strdup(r.fields[i]);
                roundtrip(copy, r.nfields, SV_CSV_PLAIN);
                roundtrip(copy, r.nfields, SV_CSV_EXCEL_FR);
                for (size_t i = 0; i < r.nfields; i++)
                    free(copy[i]);
                free(copy);
            }
        }
        sv_csv_reader_release(&r);
    }
    fclose(fp);
}

/* The record checker against the reader, on the first record. */
static void check_first(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t skip = 0;
    struct sv_error e1, e2;
    sv_error_clear(&e1);
    sv_error_clear(&e2);
    if (size == 0 || sv_csv_bom_check(p, size, &skip, "f", &e2))
        return; /* the reader's own check, the same function */
    /* the record's end as the fast readers find it: the first LF outside quotes */
    bool q = false;
    size_t end = skip;
    while (end < size && (q || p[end] != '\n')) {
        if (p[end] == '"')
            q = !q;
        end++;
    }
    char sep = sv_csv_guess_separator(p + skip, size - skip);
    size_t nf = 0;
    int rc2 = sv_csv_record_check(p + skip, end - skip, sep, "f", 1, &nf, NULL, &e2);
    FILE *fp = fmemopen((void *)data, size, "r");
    struct sv_csv_reader r;
    if (sv_csv_reader_init(&r, fp, "f", 0, &e1))
        fuzz_fail("reader init: %s", e1.text);
    if (r.sep != sep)
        fuzz_fail("separator '%c' guessed, '%c' by the reader", sep, r.sep);
    int rc1 = sv_csv_read(&r, &e1);
    if (rc1 == 0 && end == skip) {
        /* nothing after the BOM: the reader says end of file */
    } else if (rc1 == 1) {
        if (rc2 != 0 || nf != r.nfields)
            fuzz_fail("record checker: %d (%s), %zu fields; reader: %zu fields", rc2, e2.text,
                      nf, r.nfields);
    } else {
        if (rc2 == 0 || e1.line != e2.line || e1.column != e2.column || strcmp(e1.text, e2.text))
            fuzz_fail("reader: %ld:%ld: %s; record checker: %d %ld:%ld: %s", e1.line, e1.column,
                      e1.text, rc2, e2.line, e2.column, e2.text);
    }
    sv_csv_reader_release(&r);
    fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size, 0);
    read_all(data, size, ';');
    check_first(data, size);
    return 0;
}
