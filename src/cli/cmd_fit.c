/* xferlaw fit: placeholder until the module lands. */
#include "cli.h"

int cmd_fit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw fit: not implemented yet\n");
    return 1;
}
