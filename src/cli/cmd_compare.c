/* xferlaw compare: placeholder until the module lands. */
#include "cli.h"

int cmd_compare(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw compare: not implemented yet\n");
    return 1;
}
