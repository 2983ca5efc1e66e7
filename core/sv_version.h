#ifndef SV_VERSION_H
#define SV_VERSION_H

/* "0.1.0+g30656a0" or, on a tagged commit, "0.2.0"; "-dirty" when built from a modified tree. */
const char *sv_version(void);

#endif
