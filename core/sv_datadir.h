#ifndef SV_DATADIR_H
#define SV_DATADIR_H

/*
 * Where an installed toolkit keeps its data (bundled surveys, shared code lists): the folder
 * VIGIE_DATADIR_REL away from the running executable, e.g. <prefix>/bin/../share/vigie. The
 * lookup is relative so that an installed tree can be moved (a tarball, a container). Returns
 * NULL when the tools run from the build tree (no such folder beside them).
 */
const char *sv_datadir(void);

#endif
