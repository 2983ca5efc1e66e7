/*
 * The network options shared by the commands that talk to a platform
 * (fetch, participants, invite, remind): see collect_http_opts_parse() in
 * collect.h. Command layer: it prints usage errors.
 */
#include "collect.h"

#include <stdbool.h>
#include <stdlib.h>

int collect_http_opts_parse(struct collect_http_opts *o, int key, const char *v)
{
    double d;
    switch (key) {
    case COLLECT_OPT_INSECURE:
        o->insecure = true;
        return 0;
    case COLLECT_OPT_RETRIES:
        if (sv_parse_long(v, 0, 100, &o->retries) != 0)
            return sv_usage_error("--retries: expected a whole number from 0 to 100, not '%s'", v);
        return 0;
    case COLLECT_OPT_TIMEOUT:
        if (sv_parse_double(v, 0.1, 86400, &d) != 0)
            return sv_usage_error("--timeout: expected seconds from 0.1 to 86400, not '%s'", v);
        o->timeout = d;
        if (o->connect_timeout > d)
            o->connect_timeout = d;
        return 0;
    case COLLECT_OPT_RETRY_DELAY:
        if (sv_parse_double(v, 0, 3600, &d) != 0)
            return sv_usage_error("--retry-delay: expected seconds from 0 to 3600, not '%s'", v);
        o->retry_delay = d;
        return 0;
    case COLLECT_OPT_RETRY_MAX_WAIT:
        if (sv_parse_double(v, 0, 86400, &d) != 0)
            return sv_usage_error("--retry-max-wait: expected seconds from 0 to 86400, not '%s'",
                                  v);
        o->retry_after_max = d;
        return 0;
    case COLLECT_OPT_MAX_REPLY: {
        /* a size in bytes, with an optional K, M or G (binary) */
        char *end = NULL;
        double n = strtod(v, &end);
        double mult = 1;
        if (end && (*end == 'k' || *end == 'K'))
            mult = 1024.0, end++;
        else if (end && (*end == 'm' || *end == 'M'))
            mult = 1024.0 * 1024, end++;
        else if (end && (*end == 'g' || *end == 'G'))
            mult = 1024.0 * 1024 * 1024, end++;
        if (!end || end == v || *end || !(n * mult >= 1024) || n * mult > 64.0 * 1024 * 1024 * 1024)
            return sv_usage_error("--max-reply-size: expected a size from 1K to 64G (e.g. 512M), "
                                  "not '%s'",
                                  v);
        o->max_reply = (long long)(n * mult);
        return 0;
    }
    default:
        return -1;
    }
}
