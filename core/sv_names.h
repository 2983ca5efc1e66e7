/*
 * sv_names: a name -> index lookup table (open addressing, FNV-1a), so that
 * finding a variable or a column by name is constant time. The names are
 * borrowed: they must outlive the table.
 */
#ifndef SV_NAMES_H
#define SV_NAMES_H

#include <stddef.h>

struct sv_names {
    const char **key; /* nslots entries, NULL = empty */
    size_t *value;
    size_t nslots, n;
};

/* An empty table sized for about `expect` names. Returns 0 or SV_ENOMEM. */
int sv_names_init(struct sv_names *t, size_t expect);
void sv_names_release(struct sv_names *t);
/*
 * Add name -> value. Returns 0, 1 when the name was already there (*old set
 * to its value when old != NULL, the table unchanged) or SV_ENOMEM.
 */
int sv_names_add(struct sv_names *t, const char *name, size_t value, size_t *old);
/* Look `name` up: 1 found (*value set), 0 absent. */
int sv_names_get(const struct sv_names *t, const char *name, size_t *value);
/* The same for the first `len` bytes of `name` (not NUL-terminated). */
int sv_names_getn(const struct sv_names *t, const char *name, size_t len, size_t *value);

#endif
