/* Name -> index lookup table: see sv_names.h. Tests: tests/core/test_survey.c. */
#include "sv_names.h"

#include <stdlib.h>
#include <string.h>

#include "sv_error.h"

static size_t hash_n(const char *s, size_t len)
{
    size_t h = (size_t)14695981039346656037ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= (size_t)1099511628211ULL;
    }
    return h;
}

int sv_names_init(struct sv_names *t, size_t expect)
{
    size_t slots = 16;

    memset(t, 0, sizeof *t);
    while (slots < expect * 2 + 1)
        slots *= 2;
    t->key = calloc(slots, sizeof *t->key);
    t->value = calloc(slots, sizeof *t->value);
    if (!t->key || !t->value) {
        sv_names_release(t);
        return SV_ENOMEM;
    }
    t->nslots = slots;
    return 0;
}

void sv_names_release(struct sv_names *t)
{
    free(t->key);
    free(t->value);
    memset(t, 0, sizeof *t);
}

static int grow(struct sv_names *t)
{
    struct sv_names bigger;

    if (sv_names_init(&bigger, t->nslots))
        return SV_ENOMEM;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->key[i])
            sv_names_add(&bigger, t->key[i], t->value[i], NULL);
    sv_names_release(t);
    *t = bigger;
    return 0;
}

int sv_names_add(struct sv_names *t, const char *name, size_t value, size_t *old)
{
    size_t len = strlen(name), i;

    if ((t->n + 1) * 2 > t->nslots && grow(t))
        return SV_ENOMEM;
    for (i = hash_n(name, len) & (t->nslots - 1); t->key[i]; i = (i + 1) & (t->nslots - 1)) {
        if (strcmp(t->key[i], name) == 0) {
            if (old)
                *old = t->value[i];
            return 1;
        }
    }
    t->key[i] = name;
    t->value[i] = value;
    t->n++;
    return 0;
}

int sv_names_getn(const struct sv_names *t, const char *name, size_t len, size_t *value)
{
    if (!t->nslots)
        return 0;
    for (size_t i = hash_n(name, len) & (t->nslots - 1); t->key[i];
         i = (i + 1) & (t->nslots - 1)) {
        if (strncmp(t->key[i], name, len) == 0 && t->key[i][len] == '\0') {
            *value = t->value[i];
            return 1;
        }
    }
    return 0;
}

int sv_names_get(const struct sv_names *t, const char *name, size_t *value)
{
    return sv_names_getn(t, name, strlen(name), value);
}
