/* The toolkit's version, generated at build time from `git describe` (cmake/version.cmake). */
#include "sv_version.h"

#include "sv_version_gen.h"

const char *sv_version(void)
{
    return VIGIE_VERSION;
}
