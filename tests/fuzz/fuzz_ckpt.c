/* libFuzzer target: the checkpoint reader on arbitrary bytes (written to a file, as the
 * reader takes a path).  A refusal must be one line; an accepted small model is loaded. */
#include "xferlaw/nn.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/xl_fuzz_ckpt.%ld", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 0;
    fwrite(data, 1, n, fp);
    fclose(fp);
    xl_nn_checkpoint_header h;
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_nn_checkpoint_read_header(path, &h, &err);
    if (rc) {
        if (!err.msg[0] || strchr(err.msg, '\n'))
            __builtin_trap();
        return 0;
    }
    /* the header matched the file's size: a fuzzer's file is small, so is the model */
    if (h.n_floats > ((uint64_t)1 << 22))
        __builtin_trap();
    xl_nn_model *m = NULL;
    if (xl_nn_alloc(&h.cfg, 1, 1, &m, &err) == XL_OK) {
        rc = xl_nn_checkpoint_load(m, path, NULL, h.has_optimizer, NULL, NULL, NULL, &err);
        if (rc && (!err.msg[0] || strchr(err.msg, '\n')))
            __builtin_trap();
        xl_nn_free(m);
    }
    return 0;
}
