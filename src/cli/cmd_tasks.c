/* xferlaw tasks: placeholder until the module lands. */
#include "cli.h"

int cmd_tasks(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw tasks: not implemented yet\n");
    return 1;
}
