/* xferlaw report: placeholder until the module lands. */
#include "cli.h"

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw report: not implemented yet\n");
    return 1;
}
