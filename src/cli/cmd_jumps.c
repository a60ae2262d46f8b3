/* xferlaw jumps: placeholder until the module lands. */
#include "cli.h"

int cmd_jumps(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw jumps: not implemented yet\n");
    return 1;
}
