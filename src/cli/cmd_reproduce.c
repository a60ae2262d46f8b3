/* xferlaw reproduce: placeholder until the module lands. */
#include "cli.h"

int cmd_reproduce(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw reproduce: not implemented yet\n");
    return 1;
}
