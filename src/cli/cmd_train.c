/* xferlaw train: placeholder until the module lands. */
#include "cli.h"

int cmd_train(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw train: not implemented yet\n");
    return 1;
}
