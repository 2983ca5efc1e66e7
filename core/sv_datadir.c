/* The installed data folder, found from the executable's own path (see sv_datadir.h). */
#include "sv_datadir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VIGIE_DATADIR_REL
#define VIGIE_DATADIR_REL "../share/vigie"
#endif

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *sv_datadir(void)
{
    static char dir[PATH_MAX];
    static int state; /* 0 not looked up, 1 found, -1 absent */
    char exe[PATH_MAX], *slash;
    ssize_t n;
    int len;

    if (state)
        return state > 0 ? dir : NULL;
    state = -1;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    len = snprintf(dir, sizeof dir, "%s/%s", exe, VIGIE_DATADIR_REL);
    if (len < 0 || (size_t)len >= sizeof dir || !is_dir(dir))
        return NULL;
    state = 1;
    return dir;
}
