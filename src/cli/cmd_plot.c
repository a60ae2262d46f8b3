/* xferlaw plot: placeholder until the module lands. */
#include "cli.h"

int cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw plot: not implemented yet\n");
    return 1;
}
