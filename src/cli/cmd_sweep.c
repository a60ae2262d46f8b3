/* xferlaw sweep: placeholder until the module lands. */
#include "cli.h"

int cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw sweep: not implemented yet\n");
    return 1;
}
