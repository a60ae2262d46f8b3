/* xferlaw transfer: placeholder until the module lands. */
#include "cli.h"

int cmd_transfer(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw transfer: not implemented yet\n");
    return 1;
}
