/* Procedural tasks: generators, the hash split, JSONL/text I/O, exact-match scoring. */
#include "xferlaw/tasks.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

typedef void (*task_gen_fn)(xl_rng *r, xl_task_example *ex);

typedef struct {
    const char *name;
    const char *desc;
    task_gen_fn gen;
} task_def;

static long uniform(xl_rng *r, long lo, long hi) /* [lo, hi] */
{
    return lo + (long)xl_rng_below(r, (uint64_t)(hi - lo + 1));
}

static void gen_add(xl_rng *r, xl_task_example *ex)
{
    long a = uniform(r, 100, 999), b = uniform(r, 10, 99);
    snprintf(ex->prompt, sizeof ex->prompt, "Q: %ld+%ld=", a, b);
    snprintf(ex->answer, sizeof ex->answer, "%ld", a + b);
}

static void gen_sub(xl_rng *r, xl_task_example *ex)
{
    long a = uniform(r, 100, 999), b = uniform(r, 10, 99);
    snprintf(ex->prompt, sizeof ex->prompt, "Q: %ld-%ld=", a, b);
    snprintf(ex->answer, sizeof ex->answer, "%ld", a - b);
}

static void gen_mul(xl_rng *r, xl_task_example *ex)
{
    long a = uniform(r, 10, 99), b = uniform(r, 0, 9);
    snprintf(ex->prompt, sizeof ex->prompt, "Q: %ld*%ld=", a, b);
    snprintf(ex->answer, sizeof ex->answer, "%ld", a * b);
}

static void gen_div(xl_rng *r, xl_task_example *ex)
{
    long a = uniform(r, 10, 999), b = uniform(r, 2, 9);
    snprintf(ex->prompt, sizeof ex->prompt, "Q: %ld//%ld=", a, b);
    snprintf(ex->answer, sizeof ex->answer, "%ld", a / b);
}

/* The made-up operation: a & b := (a + 3) // b.  No corpus defines '&' this way. */
static void gen_amp(xl_rng *r, xl_task_example *ex)
{
    long a = uniform(r, 0, 99), b = uniform(r, 1, 9);
    snprintf(ex->prompt, sizeof ex->prompt, "Q: %ld&%ld=", a, b);
    snprintf(ex->answer, sizeof ex->answer, "%ld", (a + 3) / b);
}

/* +/x expressions: a random binary tree over digits 1..9, printed with the parentheses
 * precedence needs plus some that only group (so the model must read them), nesting <= 3. */
typedef struct {
    char buf[48];
    size_t len;
} sbuf;

static void sb_putc(sbuf *s, char c)
{
    if (s->len + 1 < sizeof s->buf)
        s->buf[s->len++] = c;
    s->buf[s->len] = '\0';
}

/* Emits an expression with `leaves` operands; returns its value.  parent_op is the
 * operator of the enclosing node ('\0' at the root), right tells the side. */
static long expr_tree(xl_rng *r, int leaves, char parent_op, int right, sbuf *s)
{
    if (leaves == 1) {
        long d = uniform(r, 1, 9);
        sb_putc(s, (char)('0' + d));
        return d;
    }
    char op = xl_rng_below(r, 2) ? '+' : '*';
    int need = parent_op == '*' && op == '+';
    int paren = need || (parent_op && (right || op != parent_op) && xl_rng_below(r, 2));
    if (paren)
        sb_putc(s, '(');
    int nl = 1 + (int)xl_rng_below(r, (uint64_t)(leaves - 1));
    long a = expr_tree(r, nl, op, 0, s);
    sb_putc(s, op);
    long b = expr_tree(r, leaves - nl, op, 1, s);
    if (paren)
        sb_putc(s, ')');
    return op == '+' ? a + b : a * b;
}

static int paren_depth(const char *s)
{
    int d = 0, m = 0;
    for (; *s; s++) {
        d += *s == '(';
        d -= *s == ')';
        m = d > m ? d : m;
    }
    return m;
}

static void gen_expr(xl_rng *r, xl_task_example *ex)
{
    for (;;) {
        sbuf s = {.len = 0};
        s.buf[0] = '\0';
        long v = expr_tree(r, (int)uniform(r, 2, 5), '\0', 0, &s);
        if (paren_depth(s.buf) > 3)
            continue;
        snprintf(ex->prompt, sizeof ex->prompt, "Q: %s=", s.buf);
        snprintf(ex->answer, sizeof ex->answer, "%ld", v);
        return;
    }
}

static void random_word(xl_rng *r, char *w, int len, const char *alphabet)
{
    size_t k = strlen(alphabet);
    for (int i = 0; i < len; i++)
        w[i] = alphabet[xl_rng_below(r, k)];
    w[len] = '\0';
}

static void gen_rev(xl_rng *r, xl_task_example *ex)
{
    char w[16], v[16];
    int len = (int)uniform(r, 3, 7);
    random_word(r, w, len, "abcdefghijklmnopqrstuvwxyz");
    for (int i = 0; i < len; i++)
        v[i] = w[len - 1 - i];
    v[len] = '\0';
    snprintf(ex->prompt, sizeof ex->prompt, "Q: reverse %s=", w);
    snprintf(ex->answer, sizeof ex->answer, "%s", v);
}

static int cmp_char(const void *a, const void *b)
{
    return *(const char *)a - *(const char *)b;
}

static void gen_sort(xl_rng *r, xl_task_example *ex)
{
    char w[16], v[16];
    int len = (int)uniform(r, 3, 7);
    random_word(r, w, len, "0123456789");
    memcpy(v, w, (size_t)len + 1);
    qsort(v, (size_t)len, 1, cmp_char);
    snprintf(ex->prompt, sizeof ex->prompt, "Q: sort %s=", w);
    snprintf(ex->answer, sizeof ex->answer, "%s", v);
}

static void gen_count(xl_rng *r, xl_task_example *ex)
{
    char w[24];
    int len = (int)uniform(r, 4, 12);
    random_word(r, w, len, "abc");
    char c = (char)('a' + xl_rng_below(r, 3));
    int k = 0;
    for (int i = 0; i < len; i++)
        k += w[i] == c;
    snprintf(ex->prompt, sizeof ex->prompt, "Q: count %c in %s=", c, w);
    snprintf(ex->answer, sizeof ex->answer, "%d", k);
}

static const task_def TASKS[] = {
    {"add", "3-digit + 2-digit addition: Q: 123+45= -> 168", gen_add},
    {"sub", "3-digit - 2-digit subtraction: Q: 123-45= -> 78", gen_sub},
    {"mul", "2-digit x 1-digit multiplication: Q: 12*7= -> 84", gen_mul},
    {"div", "floor division, up to 3 digits by 1 digit: Q: 123//7= -> 17", gen_div},
    {"expr", "+/* expressions over digits, parentheses nested <= 3: Q: (2+3)*4= -> 20", gen_expr},
    {"rev", "reverse a word of 3-7 letters: Q: reverse abcd= -> dcba", gen_rev},
    {"sort", "sort 3-7 digits: Q: sort 5291= -> 1259", gen_sort},
    {"count", "count one letter in a word over {a,b,c}: Q: count a in abca= -> 2", gen_count},
    {"amp", "made-up a&b := (a+3)//b, a<100, b in 1..9: Q: 17&5= -> 4", gen_amp},
};
#define N_TASKS (sizeof TASKS / sizeof TASKS[0])

size_t xl_tasks_count(void) { return N_TASKS; }

const char *xl_tasks_name(size_t i) { return i < N_TASKS ? TASKS[i].name : NULL; }

const char *xl_tasks_describe(size_t i) { return i < N_TASKS ? TASKS[i].desc : NULL; }

long xl_tasks_find(const char *name)
{
    for (size_t i = 0; i < N_TASKS; i++)
        if (strcmp(TASKS[i].name, name) == 0)
            return (long)i;
    return -1;
}

static uint64_t mix64(uint64_t z) /* splitmix64 finaliser: FNV's low bits are weak */
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int xl_tasks_split_of(const char *prompt)
{
    uint64_t h = mix64(xl_hash64(prompt, strlen(prompt)));
    return h % 100 < XL_TASKS_TEST_PERCENT ? XL_SPLIT_TEST : XL_SPLIT_TRAIN;
}

int xl_tasks_parse_split(const char *s)
{
    if (strcmp(s, "train") == 0)
        return XL_SPLIT_TRAIN;
    if (strcmp(s, "test") == 0)
        return XL_SPLIT_TEST;
    return -1;
}

/* Open-addressing set of example indices, keyed by prompt text. */
static int seen_insert(size_t *slots, size_t cap, const xl_task_example *ex, size_t i)
{
    size_t k = (size_t)(mix64(xl_hash64(ex[i].prompt, strlen(ex[i].prompt))) & (cap - 1));
    for (;; k = (k + 1) & (cap - 1)) {
        if (slots[k] == 0) {
            slots[k] = i + 1;
            return 1;
        }
        if (strcmp(ex[slots[k] - 1].prompt, ex[i].prompt) == 0)
            return 0;
    }
}

const char *xl_tasks_closest(const char *name)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < xl_tasks_count() && n < 64; i++)
        names[n++] = xl_tasks_name(i);
    return xl_closest(name, names, n);
}

int xl_tasks_generate(const char *task, size_t n, uint64_t seed, int split,
                      xl_task_example *out, xl_error *err)
{
    long t = xl_tasks_find(task);
    if (t < 0) {
        const char *s = xl_tasks_closest(task);
        return xl_error_set(err, XL_EINVAL, "field 'task': unknown task '%s'%s%s%s", task,
                            s ? ", did you mean '" : "", s ? s : "", s ? "'?" : "");
    }
    if (split != XL_SPLIT_TRAIN && split != XL_SPLIT_TEST)
        return xl_error_set(err, XL_EINVAL, "field 'split': must be train or test");
    if (n == 0)
        return XL_OK;
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    size_t *slots = xl_calloc(cap, sizeof *slots, err);
    if (!slots)
        return XL_ENOMEM;
    xl_rng r;
    xl_rng_seed_stream(&r, seed, xl_hash64(task, strlen(task)) ^ (uint64_t)split);
    size_t have = 0;
    uint64_t draws = 0, max_draws = 400 * (uint64_t)n + 100000;
    while (have < n && draws < max_draws) {
        draws++;
        TASKS[t].gen(&r, &out[have]);
        if (xl_tasks_split_of(out[have].prompt) != split)
            continue;
        if (seen_insert(slots, cap, out, have))
            have++;
    }
    free(slots);
    if (have < n)
        return xl_error_set(err, XL_ERANGE,
                            "field 'n': task '%s' gave only %zu distinct %s questions in %llu "
                            "draws; ask for fewer than %zu",
                            task, have, split ? "test" : "train", (unsigned long long)draws, n);
    return XL_OK;
}

int xl_tasks_write_jsonl(const char *path, const char *task, const xl_task_example *ex,
                         size_t n, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "task", task);
        cJSON_AddStringToObject(o, "prompt", ex[i].prompt);
        cJSON_AddStringToObject(o, "answer", ex[i].answer);
        char *s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!s) {
            xl_afile_abort(&af);
            return xl_error_set(err, XL_ENOMEM, "out of memory");
        }
        fprintf(af.fp, "%s\n", s);
        cJSON_free(s);
    }
    return xl_afile_commit(&af, err);
}

int xl_tasks_write_text(const char *path, const xl_task_example *ex, size_t n, xl_error *err)
{
    xl_afile af;
    int rc = xl_afile_open(&af, path, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        fprintf(af.fp, "%s%s\n", ex[i].prompt, ex[i].answer);
    return xl_afile_commit(&af, err);
}

static int copy_field(const cJSON *o, const char *key, char *dst, size_t cap, const char *path,
                      long line, xl_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v))
        return xl_error_at(err, XL_EPARSE, path, line, key, "missing or not a string");
    if (strlen(v->valuestring) >= cap)
        return xl_error_at(err, XL_EPARSE, path, line, key, "longer than %zu bytes", cap - 1);
    strcpy(dst, v->valuestring);
    return XL_OK;
}

int xl_tasks_read_jsonl(const char *path, xl_task_example **out, size_t *n, char **task_out,
                        xl_error *err)
{
    *out = NULL;
    *n = 0;
    if (task_out)
        *task_out = NULL;
    char *data;
    size_t len;
    int rc = xl_read_file(path, &data, &len, err);
    if (rc)
        return rc;
    size_t cap = 0, have = 0;
    xl_task_example *ex = NULL;
    long line = 0;
    char *cursor = data;
    for (char *p; (p = xl_next_line(&cursor, &line, XL_LINE_SKIP_BLANK));) {
        cJSON *o = cJSON_Parse(p);
        if (!cJSON_IsObject(o)) {
            cJSON_Delete(o);
            rc = xl_error_at(err, XL_EPARSE, path, line, NULL, "not a JSON object");
            break;
        }
        if (have == cap) {
            cap = cap ? 2 * cap : 64;
            xl_task_example *g = realloc(ex, cap * sizeof *ex);
            if (!g) {
                cJSON_Delete(o);
                rc = xl_error_set(err, XL_ENOMEM, "out of memory");
                break;
            }
            ex = g;
        }
        rc = copy_field(o, "prompt", ex[have].prompt, XL_TASK_PROMPT_MAX, path, line, err);
        if (!rc)
            rc = copy_field(o, "answer", ex[have].answer, XL_TASK_ANSWER_MAX, path, line, err);
        const cJSON *tk = cJSON_GetObjectItemCaseSensitive(o, "task");
        if (!rc && task_out && !*task_out && cJSON_IsString(tk)) {
            *task_out = xl_strdup(tk->valuestring, err);
            if (!*task_out)
                rc = XL_ENOMEM;
        }
        cJSON_Delete(o);
        if (rc)
            break;
        have++;
    }
    free(data);
    if (!rc && have == 0)
        rc = xl_error_at(err, XL_EPARSE, path, 0, NULL, "no examples");
    if (rc) {
        free(ex);
        if (task_out) {
            free(*task_out);
            *task_out = NULL;
        }
        return rc;
    }
    *out = ex;
    *n = have;
    return XL_OK;
}

int xl_tasks_match(const char *pred, const char *answer)
{
    size_t len = strcspn(pred, "\n");
    while (len > 0 && (pred[len - 1] == '\r' || pred[len - 1] == ' '))
        len--;
    return len == strlen(answer) && memcmp(pred, answer, len) == 0;
}
