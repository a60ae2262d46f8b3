/* Where shipped data (tokenizer, specs, corpus builder) and per-user data live, so the
 * same binary works from a checkout, from its build tree and from an installed prefix
 * (also one moved after installation, e.g. meson install --destdir). */
#include "xferlaw/util.h"
#include "src/util/xl_paths.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int xl_data_file(const char *name, char *out, size_t n)
{
    const char *env = getenv("XL_DATADIR");
    if (env && env[0]) {   /* an explicit choice is the only one: no silent fallback */
        snprintf(out, n, "%s/%s", env, name);
        return is_file(out) ? 0 : -1;
    }
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[k > 0 ? k : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    /* PREFIX/bin/xferlaw -> PREFIX/share/xferlaw; then the checkout this was built from;
     * then the prefix it was configured for */
    const char *dirs[3] = {NULL, XL_SOURCE_DATADIR, XL_INSTALL_DATADIR};
    char rel[4200];
    if (exe[0]) {
        snprintf(rel, sizeof rel, "%s/../%s", exe, XL_EXE_TO_DATADIR);
        dirs[0] = rel;
    }
    for (int i = 0; i < 3; i++) {
        if (!dirs[i])
            continue;
        snprintf(out, n, "%s/%s", dirs[i], name);
        if (is_file(out))
            return 0;
    }
    snprintf(out, n, "%s/%s", XL_INSTALL_DATADIR, name);
    return -1;
}

int xl_user_data_dir(char *out, size_t n)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')   /* the XDG spec ignores relative values */
        snprintf(out, n, "%s/xferlaw", xdg);
    else if (home && home[0])
        snprintf(out, n, "%s/.local/share/xferlaw", home);
    else
        return -1;
    return 0;
}
