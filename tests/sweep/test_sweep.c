/* sweep: spec validation messages, plan structure and id stability, shards, store. */
#include "xferlaw/sweep.h"
#include "xferlaw/table.h"
#include "xl_test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

static const char *GOOD =
    "{\"name\":\"t\",\"target\":\"python\","
    "\"models\":[{\"n_layer\":1,\"d_model\":16,\"n_head\":2,\"ctx\":32},"
    "{\"n_layer\":2,\"d_model\":32,\"n_head\":4,\"ctx\":32,\"lr\":1e-3}],"
    "\"curricula\":[\"scratch\",\"text\",{\"name\":\"tc\",\"data\":\"text:0.5,code:0.5\"}],"
    "\"pretrain\":{\"tokens\":50000},"
    "\"finetune\":{\"D_F\":{\"from\":1000,\"to\":100000,\"count\":5},\"epochs\":2,"
    "\"min_tokens\":4096},"
    "\"scratch\":{\"D\":[1000,3000,10000,1000],\"max_steps\":100},"
    "\"seeds\":[1,2],\"lr\":{\"base\":3e-3,\"ref_d_model\":16,\"exponent\":-1},"
    "\"early_stopping\":{\"eval_every\":10,\"patience\":2}}";

/* GOOD with one substitution applied: FROM -> TO. */
static char *mutate(const char *from, const char *to)
{
    const char *p = strstr(GOOD, from);
    if (!p)
        return NULL;
    size_t a = (size_t)(p - GOOD), n = strlen(GOOD) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)a, GOOD, to, p + strlen(from));
    return s;
}

static void expect_error(const char *from, const char *to, const char *msg)
{
    char *text = mutate(from, to);
    CHECK_MSG(text != NULL, "pattern %s not in GOOD", from);
    if (!text)
        return;
    xl_sweep_spec s;
    xl_error e;
    xl_error_clear(&e);
    int rc = xl_sweep_spec_parse(text, "spec.json", &s, &e);
    CHECK_MSG(rc != 0, "accepted: %s", text);
    CHECK_STR_CONTAINS(e.msg, msg);
    CHECK(strchr(e.msg, '\n') == NULL);
    free(text);
}

static void test_spec(void)
{
    xl_sweep_spec s;
    xl_error e;
    xl_error_clear(&e);
    CHECK(xl_sweep_spec_parse(GOOD, "spec.json", &s, &e) == 0);
    CHECK_STR_CONTAINS(s.name, "t");
    CHECK(s.n_models == 2 && s.n_curricula == 3 && s.n_seeds == 2);
    /* lr rule: 3e-3 (16/16)^-1 for the first model, own lr for the second */
    CHECK_NEAR(s.models[0].lr, 3e-3, 1e-12);
    CHECK_NEAR(s.models[1].lr, 1e-3, 1e-12);
    /* geometric D_F: 1000 .. 100000 in 5 steps = factor sqrt(10) */
    CHECK(s.n_d_f == 5);
    CHECK_NEAR(s.d_f[0], 1000, 0);
    CHECK_NEAR(s.d_f[2], 10000, 0);
    CHECK_NEAR(s.d_f[1], 3162, 0);
    CHECK_NEAR(s.d_f[4], 100000, 0);
    /* scratch D sorted and de-duplicated */
    CHECK(s.n_d_scratch == 3 && s.d_scratch[0] == 1000 && s.d_scratch[2] == 10000);
    CHECK(s.curricula[0].data == NULL);
    CHECK(strcmp(s.curricula[2].data, "text:0.5,code:0.5") == 0);
    CHECK(s.models[1].pretrain_tokens == 50000);
    xl_sweep_spec_free(&s);

    /* a grid count is not an allocation size (fuzz_spec: 5e10 sizes, out of memory) */
    expect_error("\"count\":5}", "\"count\":50000000000}",
                 "spec.json: field 'finetune.D_F.count': must be a whole number of sizes in [1, 10000]");
    expect_error("\"d_model\":32", "\"d_model\":-3",
                 "spec.json: field 'models[1].d_model': must be a positive integer");
    expect_error("\"d_model\":32", "\"d_model\":32.5",
                 "spec.json: field 'models[1].d_model': must be a positive integer");
    expect_error("\"n_head\":4", "\"n_head\":5", "field 'models[1].n_head': must divide d_model");
    expect_error("\"target\":\"python\",", "", "field 'target': missing required field");
    expect_error("\"count\":5", "\"count\":0", "field 'finetune.D_F.count': must be a positive");
    expect_error("\"epochs\":2", "\"epoch\":2", "field 'finetune.epoch': unknown field");
    expect_error("[1000,3000", "[1000,-3", "field 'scratch.D[1]': must be a positive number");
    expect_error("\"seeds\":[1,2]", "\"seeds\":[1,\"x\"]", "field 'seeds[1]'");
    expect_error("\"patience\":2", "\"patience\":-1", "field 'early_stopping.patience'");
    expect_error("\"text\",{", "\"scratch\",{", "field 'curricula[1]': duplicate curriculum");
    expect_error("\"pretrain\":{\"tokens\":50000},", "",
                 "field 'models[0].pretrain_tokens': no pre-training budget");
    expect_error("\"epochs\":2,", "", "field 'finetune': needs a budget");
    expect_error("\"exponent\":-1", "\"exponent\":\"x\"", "field 'lr.exponent'");
    /* a finetune section without sizes is an error; no finetune section at all is a
     * pre-training-only sweep (base models for the task suite) */
    expect_error("\"D_F\":{\"from\":1000,\"to\":100000,\"count\":5},", "",
                 "field 'finetune.D_F': missing");
    {
        const char *pre = "{\"target\":\"python\",\"models\":[{\"n_layer\":1,"
                          "\"d_model\":16,\"n_head\":2,\"ctx\":32},{\"n_layer\":1,"
                          "\"d_model\":24,\"n_head\":2,\"ctx\":32}],\"curricula\":[\"text\"],"
                          "\"pretrain\":{\"tokens\":5000}}";
        xl_sweep_spec ps;
        xl_sweep_plan pp;
        CHECK(xl_sweep_spec_parse(pre, "bases.json", &ps, &e) == 0);
        CHECK(xl_sweep_plan_build(&ps, &pp, &e) == 0);
        CHECK(pp.n == 2 && pp.runs[0].kind == XL_SWEEP_PRETRAIN &&
              pp.runs[1].kind == XL_SWEEP_PRETRAIN);
        xl_sweep_plan_free(&pp);
        xl_sweep_spec_free(&ps);
        char *np = xl_strdup(pre, &e);
        np[strlen(np) - 1] = '\0';   /* drop the pre-training budget */
        char *q = strstr(np, ",\"pretrain\"");
        *q = '\0';
        strcat(np, "}");
        CHECK(xl_sweep_spec_parse(np, "bases.json", &ps, &e) != 0);
        CHECK_STR_CONTAINS(e.msg, "field 'models[0].pretrain_tokens': no pre-training budget");
        free(np);
    }
    expect_error("{\"name\"", "[{\"name\"", "spec.json:1: malformed JSON");
    expect_error("\"models\":[{", "\"models\":[7,{", "field 'models[0]': must be an object");
    expect_error("\"min_tokens\":4096}", "\"min_tokens\":4096,\"cooldown_frac\":0.2}",
                 "field 'finetune.cooldown_frac': needs \"schedule\": \"constant\"");
    expect_error("\"max_steps\":100}", "\"max_steps\":100,\"schedule\":\"constant\",\"cooldown_frac\":11}",
                 "field 'scratch.cooldown_frac': must be in [0, 10]");
    expect_error("\"max_steps\":100}", "\"max_steps\":100,\"cooldown_min_steps\":0}",
                 "field 'scratch.cooldown_min_steps': must be a positive integer");
}

static int has_arg(const xl_sweep_run *r, const char *opt, const char *val)
{
    for (size_t i = 0; i + 1 < r->n_args; i++)
        if (!strcmp(r->args[i], opt) && !strcmp(r->args[i + 1], val))
            return 1;
    return 0;
}

/* A cooldown joins the trainer options (and so the ids) of the scratch runs it is given
 * to, and only when non-zero: ids planned without it stay as they were. */
static void test_cooldown_ids(const xl_sweep_plan *p)
{
    const char *from = "\"max_steps\":100}";
    const char *to[4] = {"\"max_steps\":100,\"schedule\":\"constant\"}",
                         "\"max_steps\":100,\"schedule\":\"constant\",\"cooldown_frac\":0}",
                         "\"max_steps\":100,\"schedule\":\"constant\",\"cooldown_frac\":0.2}",
                         ("\"max_steps\":100,\"schedule\":\"constant\",\"cooldown_frac\":0.2,"
                          "\"cooldown_min_steps\":30}")};
    xl_sweep_spec s[4];
    xl_sweep_plan q[4];
    xl_error e;
    for (int k = 0; k < 4; k++) {
        char *t = mutate(from, to[k]);
        CHECK(t && xl_sweep_spec_parse(t, "spec.json", &s[k], &e) == 0);
        CHECK(xl_sweep_plan_build(&s[k], &q[k], &e) == 0 && q[k].n == p->n);
        free(t);
    }
    for (size_t i = 0; i < p->n; i++) {
        int scratch = p->runs[i].kind == XL_SWEEP_SCRATCH;
        CHECK(strcmp(q[0].runs[i].id, q[1].runs[i].id) == 0);
        CHECK((strcmp(q[1].runs[i].id, q[2].runs[i].id) != 0) == scratch);
        CHECK((strcmp(q[2].runs[i].id, q[3].runs[i].id) != 0) == scratch);
        CHECK(strcmp(p->runs[i].id, q[2].runs[i].id) == 0 || scratch);
        CHECK(has_arg(&q[2].runs[i], "--cooldown-frac", "0.2") == scratch);
        CHECK(has_arg(&q[3].runs[i], "--cooldown-min-steps", "30") == scratch);
        CHECK(!has_arg(&q[2].runs[i], "--cooldown-min-steps", "30"));
    }
    for (int k = 0; k < 4; k++) {
        xl_sweep_plan_free(&q[k]);
        xl_sweep_spec_free(&s[k]);
    }
}

static void test_plan(void)
{
    xl_sweep_spec s, s2;
    xl_error e;
    xl_sweep_plan p, p2;
    CHECK(xl_sweep_spec_parse(GOOD, "spec.json", &s, &e) == 0);
    CHECK(xl_sweep_plan_build(&s, &p, &e) == 0);
    /* 2 curricula x 2 models x (1 pretrain + 2 seeds x 5 D_F) + 2 models x 2 seeds x 3 D */
    CHECK(p.n == 2 * 2 * 11 + 2 * 2 * 3);
    size_t pre = 0, ft = 0;
    for (size_t i = 0; i < p.n; i++) {
        const xl_sweep_run *r = &p.runs[i];
        CHECK(strlen(r->id) == 16);
        if (r->kind == XL_SWEEP_PRETRAIN) {
            pre++;
            CHECK(r->dep == -1);
        } else if (r->kind == XL_SWEEP_FINETUNE) {
            ft++;
            CHECK(r->dep >= 0 && (size_t)r->dep < i);
            CHECK(p.runs[r->dep].kind == XL_SWEEP_PRETRAIN);
            CHECK(p.runs[r->dep].curriculum == r->curriculum);
            CHECK(p.runs[r->dep].model == r->model);
            CHECK(p.runs[r->dep].group == r->group);
        } else {
            CHECK(r->dep == -1);
            CHECK(s.curricula[r->curriculum].data == NULL);
        }
        CHECK(r->est_flops > 0 && r->est_cost > r->est_flops);
    }
    CHECK(pre == 4 && ft == 40);
    CHECK_NEAR(p.runs[0].N, 12.0 * 16 * 16 + 13 * 16 + 2 * 16, 0);
    /* ids are stable: a second parse of the same text plans the same ids */
    CHECK(xl_sweep_spec_parse(GOOD, "other/path.json", &s2, &e) == 0);
    CHECK(xl_sweep_plan_build(&s2, &p2, &e) == 0);
    int same = p.n == p2.n;
    for (size_t i = 0; same && i < p.n; i++)
        same = strcmp(p.runs[i].id, p2.runs[i].id) == 0;
    CHECK(same);
    xl_sweep_plan_free(&p2);
    xl_sweep_spec_free(&s2);
    /* ... and change with what determines a result: a new pre-training budget changes
     * the pre-training ids and, through init_from, their fine-tunes, not scratch runs */
    char *t = mutate("\"tokens\":50000", "\"tokens\":60000");
    CHECK(xl_sweep_spec_parse(t, "spec.json", &s2, &e) == 0);
    CHECK(xl_sweep_plan_build(&s2, &p2, &e) == 0);
    for (size_t i = 0; i < p.n; i++) {
        int eq = strcmp(p.runs[i].id, p2.runs[i].id) == 0;
        CHECK(eq == (p.runs[i].kind == XL_SWEEP_SCRATCH));
    }
    free(t);
    test_cooldown_ids(&p);
    /* fine-tune budget: epochs x D_F clamped below by min_tokens */
    for (size_t i = 0; i < p.n; i++) {
        const xl_sweep_run *r = &p.runs[i];
        if (r->kind == XL_SWEEP_FINETUNE && r->D == 1000)
            CHECK_NEAR(r->est_tokens, 4096, 0);
        if (r->kind == XL_SWEEP_FINETUNE && r->D == 100000)
            CHECK_NEAR(r->est_tokens, 200000, 0);
        if (r->kind == XL_SWEEP_SCRATCH)
            CHECK_NEAR(r->est_tokens, 100.0 * 16 * 32, 0);
    }
    /* shards: whole groups, every run in exactly one shard, deterministic, balanced */
    int *sh = calloc(p.n, sizeof *sh), *sh2 = calloc(p.n, sizeof *sh2);
    CHECK(xl_sweep_plan_shard(&p, 3, sh, &e) == 0);
    CHECK(xl_sweep_plan_shard(&p, 3, sh2, &e) == 0);
    double load[3] = {0, 0, 0};
    for (size_t i = 0; i < p.n; i++) {
        CHECK(sh[i] >= 0 && sh[i] < 3 && sh[i] == sh2[i]);
        if (p.runs[i].dep >= 0)
            CHECK(sh[p.runs[i].dep] == sh[i]);
        load[sh[i]] += p.runs[i].est_flops;
    }
    for (int k = 0; k < 3; k++)
        CHECK(load[k] > 0);
    /* makespan: one job = sum of run times; more jobs never slower; deps respected */
    double total = xl_sweep_plan_cost(&p, NULL);
    CHECK_NEAR(xl_sweep_plan_makespan(&p, NULL, NULL, 1, 1e9), total / 1e9, 1e-9);
    double m2 = xl_sweep_plan_makespan(&p, NULL, NULL, 2, 1e9);
    CHECK(m2 < total / 1e9 && m2 >= total / 2e9);
    free(sh);
    free(sh2);
    xl_sweep_plan_free(&p2);
    xl_sweep_spec_free(&s2);
    xl_sweep_plan_free(&p);
    xl_sweep_spec_free(&s);
}

/* value of option OPT in run r's trainer args, or NULL */
static const char *arg_of(const xl_sweep_run *r, const char *opt)
{
    for (size_t i = 0; i + 1 < r->n_args; i++)
        if (strcmp(r->args[i], opt) == 0)
            return r->args[i + 1];
    return NULL;
}

/* GOOD with up to three substitutions, planned */
static int plan_of(const char *const *subst, size_t n, xl_sweep_spec *s, xl_sweep_plan *p)
{
    char *text = xl_strdup(GOOD, NULL);
    for (size_t k = 0; k + 1 < 2 * n; k += 2) {
        const char *at = strstr(text, subst[k]);
        CHECK_MSG(at != NULL, "pattern %s not in the spec", subst[k]);
        if (!at)
            break;
        size_t a = (size_t)(at - text), m = strlen(text) - strlen(subst[k]) + strlen(subst[k + 1]) + 1;
        char *t = malloc(m);
        snprintf(t, m, "%.*s%s%s", (int)a, text, subst[k + 1], at + strlen(subst[k]));
        free(text);
        text = t;
    }
    xl_error e;
    int rc = xl_sweep_spec_parse(text, "spec.json", s, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    free(text);
    if (rc)
        return rc;
    rc = xl_sweep_plan_build(s, p, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc)
        xl_sweep_spec_free(s);
    return rc;
}

/* Dropout keys: passed to the trainer only when non-zero, so ids of specs without them
 * are those planned before the keys existed (the literals below); per section, a
 * model's own wins, "scratch" keeps its own when it inherits the fine-tune budget. */
static void test_dropout(void)
{
    xl_sweep_spec s0, s;
    xl_sweep_plan p0, p;
    if (plan_of(NULL, 0, &s0, &p0))
        return;
    /* ids planned by the code before dropout existed */
    size_t sc = 0;
    while (sc < p0.n && p0.runs[sc].kind != XL_SWEEP_SCRATCH)
        sc++;
    CHECK_MSG(!strcmp(p0.runs[0].id, "a767ffa3f65d02ce") && !strcmp(p0.runs[1].id, "ae6d0bd13924a8d7") &&
              sc < p0.n && !strcmp(p0.runs[sc].id, "2836f6ffee36acc0"),
              "ids changed: %s %s %s", p0.runs[0].id, p0.runs[1].id, p0.runs[sc].id);
    /* zero everywhere: the same ids */
    const char *zero[] = {"\"tokens\":50000}", "\"tokens\":50000,\"dropout\":0}",
                          "\"epochs\":2,", "\"epochs\":2,\"dropout\":0,\"attn_dropout\":0,",
                          "\"ctx\":32}", "\"ctx\":32,\"dropout\":0}"};
    if (!plan_of(zero, 3, &s, &p)) {
        int same = p.n == p0.n;
        for (size_t i = 0; same && i < p.n; i++)
            same = !strcmp(p.runs[i].id, p0.runs[i].id) && !arg_of(&p.runs[i], "--dropout");
        CHECK(same);
        xl_sweep_plan_free(&p);
        xl_sweep_spec_free(&s);
    }
    /* fine-tunes only; model 1's own attention dropout for all its runs; a scratch
     * section without a budget keeps its dropout */
    const char *some[] = {"\"epochs\":2,", "\"epochs\":2,\"dropout\":0.1,",
                          "\"lr\":1e-3}", "\"lr\":1e-3,\"attn_dropout\":0.2}",
                          "\"max_steps\":100}", "\"dropout\":0.3}"};
    if (!plan_of(some, 3, &s, &p)) {
        CHECK(p.n == p0.n);
        for (size_t i = 0; i < p.n && i < p0.n; i++) {
            const xl_sweep_run *r = &p.runs[i];
            const char *d = arg_of(r, "--dropout"), *a = arg_of(r, "--attn-dropout");
            const char *want = r->kind == XL_SWEEP_FINETUNE ? "0.1"
                             : r->kind == XL_SWEEP_SCRATCH ? "0.3" : NULL;
            CHECK_MSG(want ? d && !strcmp(d, want) : !d, "run %zu (%s): --dropout %s", i,
                      xl_sweep_kind_name(r->kind), d ? d : "(none)");
            CHECK_MSG(r->model == 1 ? a && !strcmp(a, "0.2") : !a, "run %zu: --attn-dropout %s",
                      i, a ? a : "(none)");
            int unchanged = r->kind == XL_SWEEP_PRETRAIN && r->model == 0;
            CHECK_MSG(unchanged == !strcmp(r->id, p0.runs[i].id), "run %zu: id %s, was %s", i,
                      r->id, p0.runs[i].id);
            /* the inherited fine-tune budget: epochs x D clamped by min_tokens */
            if (r->kind == XL_SWEEP_SCRATCH)
                CHECK(arg_of(r, "--max-tokens") && !arg_of(r, "--max-steps"));
        }
        xl_sweep_plan_free(&p);
        xl_sweep_spec_free(&s);
    }
    xl_sweep_plan_free(&p0);
    xl_sweep_spec_free(&s0);
    expect_error("\"epochs\":2", "\"epochs\":2,\"dropout\":1",
                 "spec.json: field 'finetune.dropout': must be a number in [0, 1)");
    expect_error("\"lr\":1e-3", "\"lr\":1e-3,\"attn_dropout\":-0.1",
                 "spec.json: field 'models[1].attn_dropout': must be a number in [0, 1)");
    expect_error("\"tokens\":50000", "\"tokens\":50000,\"dropout\":\"x\"",
                 "spec.json: field 'pretrain.dropout': must be a number in [0, 1)");
    expect_error("\"max_steps\":100", "\"max_steps\":100,\"attn_dropuot\":0.1",
                 "field 'scratch.attn_dropuot': unknown field");
}

/* A model's own warmup: its pre-training and from-scratch runs (random inits) take it,
 * its fine-tunes keep the spec's; the other model's runs keep their ids. */
static void test_model_warmup(void)
{
    xl_sweep_spec s0, s;
    xl_sweep_plan p0, p;
    const char *base[] = {"\"seeds\"", "\"warmup\":20,\"seeds\""};
    if (plan_of(base, 1, &s0, &p0))
        return;
    const char *own[] = {"\"seeds\"", "\"warmup\":20,\"seeds\"",
                         "\"lr\":1e-3}", "\"lr\":1e-3,\"warmup\":200}"};
    if (!plan_of(own, 2, &s, &p)) {
        CHECK(p.n == p0.n);
        size_t n200 = 0;
        for (size_t i = 0; i < p.n && i < p0.n; i++) {
            const xl_sweep_run *r = &p.runs[i];
            const char *w = arg_of(r, "--warmup");
            int own_w = r->model == 1 && r->kind != XL_SWEEP_FINETUNE;
            CHECK_MSG(w && !strcmp(w, own_w ? "200" : "20"), "run %zu (%s, model %zu): --warmup %s",
                      i, xl_sweep_kind_name(r->kind), r->model, w ? w : "(none)");
            n200 += own_w;
            /* a fine-tune of model 1 starts from a changed pre-training: a new id too */
            int changed = r->model == 1;
            CHECK_MSG(changed == !!strcmp(r->id, p0.runs[i].id), "run %zu: id %s, was %s", i,
                      r->id, p0.runs[i].id);
        }
        CHECK(n200 == 2 + 2 * 3); /* 2 pre-trainings, 2 seeds x 3 distinct scratch D */
        xl_sweep_plan_free(&p);
        xl_sweep_spec_free(&s);
    }
    xl_sweep_plan_free(&p0);
    xl_sweep_spec_free(&s0);
    expect_error("\"lr\":1e-3", "\"lr\":1e-3,\"warmup\":-5",
                 "spec.json: field 'models[1].warmup': must be a non-negative integer");
}

/* A model's own "seeds" repeat its fine-tunes and from-scratch runs; its pre-training keeps
 * the spec's first seed, so every run of the plan without them keeps its id (a resumed
 * sweep trains only the new seeds). */
static void test_model_seeds(void)
{
    xl_sweep_spec s0, s;
    xl_sweep_plan p0, p;
    const char *none[] = {"\"seeds\"", "\"seeds\""};
    if (plan_of(none, 1, &s0, &p0))
        return;
    const char *own[] = {"\"ctx\":32}", "\"ctx\":32,\"seeds\":[1,2,3]}",
                         "\"lr\":1e-3}", "\"lr\":1e-3,\"seeds\":[5,6]}"};
    if (!plan_of(own, 2, &s, &p)) {
        /* model 0: 2 pre-trainings, 2 curricula x 3 seeds x 5 D_F, 3 seeds x 3 D;
         * model 1: 2 pre-trainings, 2 x 2 x 5, 2 x 3 */
        CHECK_MSG(p.n == 41 + 28, "%zu runs", p.n);
        size_t kept = 0;
        for (size_t i = 0; i < p.n; i++) {
            const xl_sweep_run *r = &p.runs[i];
            if (r->model == 1)
                CHECK_MSG(r->kind == XL_SWEEP_PRETRAIN ? r->seed == 1 : r->seed == 5 || r->seed == 6,
                          "run %zu (%s): seed %ld", i, xl_sweep_kind_name(r->kind),
                          (long)r->seed);
            else
                for (size_t j = 0; j < p0.n; j++)
                    kept += !strcmp(r->id, p0.runs[j].id);
        }
        CHECK_MSG(kept == 28, "%zu of model 0's 28 runs kept their ids", kept);
        xl_sweep_plan_free(&p);
        xl_sweep_spec_free(&s);
    }
    xl_sweep_plan_free(&p0);
    xl_sweep_spec_free(&s0);
    expect_error("\"lr\":1e-3}", "\"lr\":1e-3,\"seeds\":[1,-2]}",
                 "spec.json: field 'models[1].seeds[1]': must be a non-negative integer");
    expect_error("\"lr\":1e-3}", "\"lr\":1e-3,\"seeds\":[]}",
                 "spec.json: field 'models[1].seeds': must be a non-empty list of integers");
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

static void test_store(void)
{
    xl_sweep_spec s;
    xl_sweep_plan p;
    xl_error e;
    CHECK(xl_sweep_spec_parse(GOOD, "spec.json", &s, &e) == 0);
    CHECK(xl_sweep_plan_build(&s, &p, &e) == 0);
    char dir[] = "/tmp/xl_sweep_test_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], path2[256], out[256], text[1024];
    snprintf(path, sizeof path, "%s/runs.jsonl", dir);
    /* two complete lines and a torn one: the torn tail is cut, the file repaired */
    snprintf(text, sizeof text, "{\"id\":\"%s\",\"loss\":1}\n{\"id\":\"zzz\"}\n{\"id\":\"%s\",\"lo",
             p.runs[0].id, p.runs[1].id);
    write_text(path, text);
    unsigned char *done = calloc(p.n, 1);
    CHECK(xl_sweep_store_load(path, &p, done, &e) == 0);
    CHECK(done[0] == 1 && done[1] == 0);
    char *back;
    size_t n;
    CHECK(xl_read_file(path, &back, &n, &e) == 0);
    CHECK(n > 0 && back[n - 1] == '\n' && strstr(back, p.runs[1].id) == NULL);
    free(back);
    /* a garbage line is an error naming the file and line */
    snprintf(path2, sizeof path2, "%s/bad.jsonl", dir);
    write_text(path2, "{\"id\":\"a\"}\nnot json\n");
    CHECK(xl_sweep_store_load(path2, &p, done, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "bad.jsonl:2:");
    /* merge: duplicates across shard files collapse, plan order, missing counted */
    snprintf(text, sizeof text, "{\"id\":\"%s\",\"loss\":2}\n{\"id\":\"%s\",\"loss\":3}\n",
             p.runs[2].id, p.runs[0].id);
    write_text(path2, text);
    snprintf(out, sizeof out, "%s/merged.jsonl", dir);
    const char *in[2] = {path, path2};
    size_t missing = 0;
    CHECK(xl_sweep_store_merge(&p, in, 2, out, &missing, &e) == 0);
    CHECK(missing == p.n - 2);
    CHECK(xl_read_file(out, &back, &n, &e) == 0);
    char expect[512];
    snprintf(expect, sizeof expect, "{\"id\":\"%s\",\"loss\":1}\n{\"id\":\"%s\",\"loss\":2}\n"
             "{\"id\":\"zzz\"}\n", p.runs[0].id, p.runs[2].id);
    CHECK_MSG(strcmp(back, expect) == 0, "merged:\n%s", back);
    free(back);
    /* a record line from a trainer's run.json reads as a measurement table row */
    long ft = -1;
    for (size_t i = 0; i < p.n && ft < 0; i++)
        if (p.runs[i].kind == XL_SWEEP_FINETUNE)
            ft = (long)i;
    char rdir[300], rjson[400];
    snprintf(rdir, sizeof rdir, "%s/runs/%s", dir, p.runs[ft].id);
    CHECK(xl_mkdirs(rdir, &e) == 0);
    snprintf(rjson, sizeof rjson, "%s/run.json", rdir);
    write_text(rjson, "{\"id\":\"trainerid\",\"config\":{\"lr\":0.003},\"data\":{\"D\":1000},"
                      "\"N\":3312,\"best_val_loss\":4.25,\"flops\":1e9,\"init_from\":\"x\"}");
    char *line = NULL;
    CHECK(xl_sweep_record_line(&p, (size_t)ft, dir, &line, &e) == 0);
    CHECK(line && line[strlen(line) - 1] == '\n' && strchr(line, '\n') == line + strlen(line) - 1);
    xl_table *t = NULL;
    CHECK(line && xl_table_parse_jsonl("runs.jsonl", line, strlen(line), &t, &e) == 0);
    if (t) {
        const double *col;
        CHECK(xl_table_numeric(t, "N", &col, &e) == 0 && col[0] == 3312);
        CHECK(xl_table_numeric(t, "D", &col, &e) == 0 && col[0] == 1000);
        CHECK(xl_table_numeric(t, "loss", &col, &e) == 0 && col[0] == 4.25);
        long c = xl_table_col(t, "curriculum"), k = xl_table_col(t, "kind");
        CHECK(c >= 0 && strcmp(t->text[c][0], "text") == 0);
        CHECK(k >= 0 && strcmp(t->text[k][0], "finetune") == 0);
        long id = xl_table_col(t, "id"), tid = xl_table_col(t, "train_id");
        CHECK(id >= 0 && strcmp(t->text[id][0], p.runs[ft].id) == 0);
        CHECK(tid >= 0 && strcmp(t->text[tid][0], "trainerid") == 0);
        xl_table_free(t);
    }
    free(line);
    unlink(rjson);
    rmdir(rdir);
    snprintf(rdir, sizeof rdir, "%s/runs", dir);
    rmdir(rdir);
    free(done);
    unlink(path);
    unlink(path2);
    unlink(out);
    rmdir(dir);
    xl_sweep_plan_free(&p);
    xl_sweep_spec_free(&s);
}

int main(void)
{
    test_spec();
    test_plan();
    test_dropout();
    test_model_warmup();
    test_model_seeds();
    test_store();
    TEST_MAIN_END();
}
