/* Private to the sweep spec parser: the dropout keys, read the same way in the
 * "pretrain", "finetune" and "scratch" sections and in a model. */
#ifndef XL_SPEC_DROPOUT_H
#define XL_SPEC_DROPOUT_H

#include "xferlaw/sweep.h"

#include <cjson/cJSON.h>

/* obj's "dropout" and "attn_dropout" (at field path WHERE of FILE), each a number in
 * [0, 1), into *p and *attn when present; *has_p and *has_attn (may be NULL) say which
 * were. */
int xl__spec_dropout(const cJSON *obj, const char *where, const char *file, double *p,
                     double *attn, int *has_p, int *has_attn, xl_error *err);

#endif
