/* xferlaw matrix: placeholder until the module lands. */
#include "cli.h"

int cmd_matrix(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw matrix: not implemented yet\n");
    return 1;
}
