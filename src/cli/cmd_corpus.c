/* xferlaw corpus: placeholder until the module lands. */
#include "cli.h"

int cmd_corpus(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xferlaw corpus: not implemented yet\n");
    return 1;
}
