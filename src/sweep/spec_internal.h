/* Private to the sweep spec parser (spec.c, spec_fields.c, spec_models.c, spec_budget.c):
 * field readers that name the file and the field path ("models[2].d_model") in every
 * error, and the parsers of the sections. */
#ifndef XL_SPEC_INTERNAL_H
#define XL_SPEC_INTERNAL_H

#include "xferlaw/sweep.h"

#include <cjson/cJSON.h>

typedef struct xl__spec_ctx {
    const char *file;
    xl_error *err;
} xl__spec_ctx;

/* XL_EINVAL at FIELD of the spec file; fmt takes one %s, filled with detail (or ""). */
int xl__spec_fail(xl__spec_ctx *c, const char *field, const char *fmt, const char *detail);
/* An unknown key in OBJ (at path WHERE) is an error: typos must not be ignored. */
int xl__spec_keys(xl__spec_ctx *c, const cJSON *obj, const char *const *keys,
                  const char *where);
/* obj[key] into *out when present (left alone when absent and not required); integer
 * asks for a whole number, min is the least value allowed. */
int xl__spec_num(xl__spec_ctx *c, const cJSON *obj, const char *key, const char *where,
                 double *out, int required, int integer, double min);
int xl__spec_long(xl__spec_ctx *c, const cJSON *obj, const char *key, const char *where,
                  long *out, int required, long min);
/* a non-empty string, strdup'd into *out (freeing what was there) */
int xl__spec_str(xl__spec_ctx *c, const cJSON *obj, const char *key, const char *where,
                 char **out, int required);
/* A list of sizes [a, b, ...] or a geometric {from, to, count} at field path f: whole
 * tokens, sorted, de-duplicated, malloc'd into *out. */
int xl__spec_sizes(xl__spec_ctx *c, const cJSON *it, const char *f, double **out, size_t *n);
/* A non-empty list of non-negative whole numbers ("seeds") at field path f, malloc'd. */
int xl__spec_seeds(xl__spec_ctx *c, const cJSON *it, const char *f, long **out, size_t *n);

/* "models" (with the "pretrain", "batch" and "lr" rules they resolve) into s->models */
int xl__spec_models(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s);
/* The "finetune" and "scratch" budget sections (D_F / D grids, step and token caps,
 * schedule); "scratch" inherits the fine-tune budget when it gives none. */
int xl__spec_budgets(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s);
/* After models and curricula: every run the curricula ask for has data sizes and a
 * budget. */
int xl__spec_budgets_complete(xl__spec_ctx *c, const cJSON *root, xl_sweep_spec *s);

#endif
