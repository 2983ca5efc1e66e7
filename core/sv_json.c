/*
 * sv_json: JSON string escaping and number output for streaming writers.
 */
#include "sv_json.h"

#include <math.h>
#include <stdio.h>

int sv_json_add_string(struct sv_buf *b, const char *s)
{
    const unsigned char *p;
    int rc = 0;

    if (!s)
        return sv_buf_adds(b, "null");
    rc |= sv_buf_addc(b, '"');
    for (p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            rc |= sv_buf_adds(b, "\\\"");
            break;
        case '\\':
            rc |= sv_buf_adds(b, "\\\\");
            break;
        case '\n':
            rc |= sv_buf_adds(b, "\\n");
            break;
        case '\r':
            rc |= sv_buf_adds(b, "\\r");
            break;
        case '\t':
            rc |= sv_buf_adds(b, "\\t");
            break;
        default:
            if (*p < 0x20)
                rc |= sv_buf_addf(b, "\\u%04x", *p);
            else
                rc |= sv_buf_addc(b, (char)*p);
        }
    }
    rc |= sv_buf_addc(b, '"');
    return rc ? SV_ENOMEM : 0;
}

int sv_json_add_number(struct sv_buf *b, double x)
{
    if (!isfinite(x))
        return sv_buf_adds(b, "null");
    return sv_buf_addf(b, "%.17g", x);
}
