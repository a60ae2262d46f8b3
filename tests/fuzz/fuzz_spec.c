/* libFuzzer target: a sweep spec parsed from memory.  A refusal must be one line and
 * leave nothing allocated; an accepted spec must have safe names (they become paths). */
#include "xferlaw/sweep.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
    char *text = malloc(n + 1);
    if (!text)
        return 0;
    memcpy(text, data, n);
    text[n] = '\0';
    xl_sweep_spec s;
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_sweep_spec_parse(text, "fuzz.json", &s, &err);
    free(text);
    if (rc) {
        if (!err.msg[0] || strchr(err.msg, '\n') || strlen(err.msg) >= sizeof err.msg)
            __builtin_trap();
        return 0;
    }
    if (xl_path_segment_problem(s.name))
        __builtin_trap();
    for (size_t i = 0; i < s.n_curricula; i++)
        if (xl_path_segment_problem(s.curricula[i].name))
            __builtin_trap();
    xl_sweep_spec_free(&s);
    return 0;
}
