/* table: CSV and JSONL reading rules, positioned errors, --define/--where (with text
 * comparisons), writers and round trips, and the bundled Chinchilla data. */
#include "xferlaw/table.h"
#include "xl_test.h"

#include <stdlib.h>
#include <unistd.h>

static xl_table *csv(const char *s)
{
    xl_table *t = NULL;
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_table_parse_csv("t.csv", s, strlen(s), &t, &err);
    CHECK_MSG(rc == XL_OK, "%s", err.msg);
    return t;
}

static xl_table *jsonl(const char *s)
{
    xl_table *t = NULL;
    xl_error err;
    xl_error_clear(&err);
    int rc = xl_table_parse_jsonl("t.jsonl", s, strlen(s), &t, &err);
    CHECK_MSG(rc == XL_OK, "%s", err.msg);
    return t;
}

static void csv_error(const char *s, const char *msg)
{
    xl_table *t = (xl_table *)1;
    xl_error err;
    xl_error_clear(&err);
    CHECK(xl_table_parse_csv("t.csv", s, strlen(s), &t, &err) != XL_OK && t == NULL);
    CHECK_MSG(strcmp(err.msg, msg) == 0, "\n   got  %s\n   want %s", err.msg, msg);
}

static void jsonl_error(const char *s, const char *msg)
{
    xl_table *t = (xl_table *)1;
    xl_error err;
    xl_error_clear(&err);
    CHECK(xl_table_parse_jsonl("t.jsonl", s, strlen(s), &t, &err) != XL_OK && t == NULL);
    CHECK_MSG(strcmp(err.msg, msg) == 0, "\n   got  %s\n   want %s", err.msg, msg);
}

static const char *cell(const xl_table *t, const char *col, size_t r)
{
    long c = xl_table_col(t, col);
    return c < 0 || r >= t->n_rows ? "(none)" : t->text[c][r];
}

static void test_csv(void)
{
    xl_table *t = csv("a,b,\"c d\"\r\n1,\"x, \"\"y\"\"\",3\r\n\r\n2,\"two\nlines\",4\n\n5,,6");
    CHECK(t->n_rows == 3 && t->n_cols == 3);
    CHECK(strcmp(t->names[2], "c d") == 0);
    CHECK(strcmp(cell(t, "b", 0), "x, \"y\"") == 0);
    CHECK(strcmp(cell(t, "b", 1), "two\nlines") == 0);
    CHECK(strcmp(cell(t, "b", 2), "") == 0);
    CHECK(t->line[0] == 2 && t->line[1] == 4 && t->line[2] == 7);
    CHECK(t->is_numeric[0] && !t->is_numeric[1] && t->is_numeric[2]);
    CHECK(t->num[0][2] == 5 && isnan(t->num[1][0]) && t->num[2][1] == 4);
    xl_table_free(t);
    /* trailing newline optional, BOM skipped, header only is an empty table */
    t = csv("\xEF\xBB\xBFx\n1.5");
    CHECK(t->n_rows == 1 && strcmp(t->names[0], "x") == 0 && t->num[0][0] == 1.5);
    xl_table_free(t);
    t = csv("N, C ,\tloss\n1, 2, 3\n");
    CHECK(t->n_cols == 3 && strcmp(t->names[1], "C") == 0 && strcmp(t->names[2], "loss") == 0);
    CHECK(t->num[2][0] == 3);
    xl_table_free(t);
    t = csv("x,y\n");
    CHECK(t->n_rows == 0 && t->n_cols == 2);
    xl_table_free(t);
    csv_error("a,b\n1,2\n3\n", "t.csv:3: expected 2 fields, found 1");
    csv_error("a,b\n1,2\n\n3,4,5", "t.csv:4: expected 2 fields, found 3");
    csv_error("a,b,\"\"\n", "t.csv:1: column 3 has an empty name");
    csv_error("a, ,c\n", "t.csv:1: column 2 has an empty name");
    csv_error("a,b,a\n", "t.csv:1: duplicate column name 'a'");
    csv_error("", "t.csv: empty file (expected a header row)");
    csv_error("\n\n\r\n", "t.csv: empty file (expected a header row)");
    csv_error("a,b\n1,\"open\n\n", "t.csv:2: unterminated quoted field (field 2)");
    csv_error("a,b\n1,\"x\"y\n", "t.csv:2: field 2: text after the closing quote");
}

static void test_numeric(void)
{
    xl_table *t = csv("loss,s,e,n,i\n1,a,1,1,1\n2,b,,nan,-inf\n3,abc,3,3,3\n");
    const double *col;
    xl_error err;
    CHECK(xl_table_numeric(t, "loss", &col, &err) == XL_OK && col[2] == 3);
    CHECK(xl_table_numeric(t, "s", &col, &err) == XL_EINVAL && col == NULL);
    CHECK(strcmp(err.msg, "t.csv:2: field 's': not a number: 'a'") == 0);
    CHECK(xl_table_numeric(t, "e", &col, &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:3: field 'e': empty cell") == 0);
    CHECK(xl_table_numeric(t, "n", &col, &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:3: field 'n': NaN is not allowed") == 0);
    CHECK(xl_table_numeric(t, "i", &col, &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:3: field 'i': infinite value '-inf' is not allowed") == 0);
    CHECK(xl_table_numeric(t, "zz", &col, &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv: unknown column 'zz' (columns: loss, s, e, n, i)") == 0);
    xl_table_free(t);
    t = csv("N,loss\n1,2\n2,abc\n");
    CHECK(xl_table_numeric(t, "loss", &col, &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:3: field 'loss': not a number: 'abc'") == 0);
    xl_table_free(t);
}

static void test_jsonl(void)
{
    xl_table *t = jsonl("{\"N\": 1e6, \"loss\": 3.5, \"config\": {\"lr\": 0.001, \"opt\": {\"b1\": 0.9}}}\n"
                        "\n"
                        "{\"loss\": 3.25, \"tags\": [1, \"a\"], \"ok\": true, \"seed\": null, \"curriculum\": \"text\"}\r\n"
                        "  {\"N\": 2e6, \"ok\": false, \"loss\": \"3\"}  ");
    CHECK(t->n_rows == 3);
    const char *names[] = {"N", "loss", "config.lr", "config.opt.b1", "tags", "ok", "seed", "curriculum"};
    CHECK(t->n_cols == 8);
    for (size_t c = 0; c < 8 && c < t->n_cols; c++)
        CHECK_MSG(strcmp(t->names[c], names[c]) == 0, "column %zu is '%s'", c, t->names[c]);
    CHECK(t->line[0] == 1 && t->line[1] == 3 && t->line[2] == 4);
    CHECK(strcmp(cell(t, "tags", 1), "[1,\"a\"]") == 0);
    CHECK(strcmp(cell(t, "N", 1), "") == 0 && strcmp(cell(t, "N", 0), "1000000") == 0);
    CHECK(strcmp(cell(t, "config.lr", 0), "0.001") == 0);
    CHECK(t->is_numeric[xl_table_col(t, "ok")] && t->num[xl_table_col(t, "ok")][1] == 1 &&
          t->num[xl_table_col(t, "ok")][2] == 0);
    CHECK(!t->is_numeric[xl_table_col(t, "seed")]);   /* only nulls: nothing numeric */
    CHECK(t->is_numeric[1] && t->num[1][2] == 3);     /* "3" as a string still counts */
    CHECK(!t->is_numeric[xl_table_col(t, "tags")]);
    const double *col;
    xl_error err;
    CHECK(xl_table_numeric(t, "N", &col, &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.jsonl:3: field 'N': empty cell") == 0);
    xl_table_free(t);
    jsonl_error("{\"a\": 1}\n{\"a\": 2,}\n", "t.jsonl:2: malformed JSON");
    jsonl_error("{\"a\": 1}\n\n{\"a\": 2} x\n", "t.jsonl:3: malformed JSON");
    jsonl_error("{\"a\": 1}\n[1, 2]\n", "t.jsonl:2: expected a JSON object");
    jsonl_error("{\"a\": 1, \"a\": 2}\n", "t.jsonl:1: field 'a': appears twice in the object");
    jsonl_error("{\"a.b\": 1, \"a\": {\"b\": 2}}\n", "t.jsonl:1: field 'a.b': appears twice in the object");
    jsonl_error("{\n  \"a\": 1\n}\n",
                "t.jsonl:1: malformed JSON (the file is one JSON document; expected one object per line)");
    jsonl_error("{}\n{ }\n", "t.jsonl: no fields in any record");
    jsonl_error("", "t.jsonl: no records (expected one JSON object per line)");
}

static void test_define_where(void)
{
    xl_table *t = csv("curriculum,N,C,loss\n"
                      "scratch,10,600,3.0\n"
                      "text,10,1200,2.5\n"
                      "scratch,20,2400,2.0\n"
                      "\"say \"\"hi\"\"\",20,4800,1.5\n");
    xl_error err;
    CHECK(xl_table_define(t, "D=C/(6*N)", &err) == XL_OK);
    const double *D;
    CHECK(xl_table_numeric(t, "D", &D, &err) == XL_OK && D[0] == 10 && D[1] == 20 && D[3] == 40);
    CHECK(strcmp(cell(t, "D", 2), "20") == 0);
    /* replacing keeps the column's place */
    CHECK(xl_table_define(t, " D = D / 10 ", &err) == XL_OK && t->n_cols == 5 && t->num[4][3] == 4);
    CHECK(xl_table_define(t, "D=X/N", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "unknown column 'X' in --define 'D=X/N'") == 0);
    CHECK(xl_table_define(t, "E=log(N-10)", &err) == XL_EDOM);
    CHECK(strcmp(err.msg, "t.csv:2: field 'E': --define 'E=log(N-10)' gives -inf") == 0);
    CHECK(xl_table_col(t, "E") == -1);
    CHECK(xl_table_define(t, "E=curriculum*2", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:2: field 'curriculum': not a number: 'scratch'") == 0);
    CHECK(xl_table_define(t, "E", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "--define 'E': expected NAME=EXPR") == 0);
    CHECK(xl_table_define(t, "E=N+", &err) == XL_EPARSE);
    CHECK(strcmp(err.msg, "--define 'E=N+': formula 'N+': column 3: expected a value") == 0);
    CHECK(xl_table_define(t, "is_scratch = curriculum == \"scratch\"", &err) == XL_OK);
    CHECK(t->num[5][0] == 1 && t->num[5][1] == 0 && t->num[5][2] == 1 && t->num[5][3] == 0);
    CHECK(xl_table_where(t, "curriculum != \"text\" && loss < 2.9", &err) == XL_OK);
    CHECK(t->n_rows == 2 && t->line[0] == 4 && t->line[1] == 5);
    CHECK(xl_table_where(t, "curriculum == \"say \\\"hi\\\"\"", &err) == XL_OK);
    CHECK(t->n_rows == 1 && t->num[1][0] == 20);
    CHECK(xl_table_where(t, "nope > 1", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "unknown column 'nope' in --where 'nope > 1'") == 0);
    CHECK(xl_table_where(t, "log(-N)", &err) == XL_EDOM);
    CHECK(strcmp(err.msg, "t.csv:5: --where 'log(-N)' is not a number") == 0);
    CHECK(xl_table_where(t, "0", &err) == XL_OK && t->n_rows == 0);
    xl_table_free(t);
    /* text columns only compare with text; numeric ones only with numbers */
    t = csv("curriculum,N,seed\nscratch,5,1\ntext,n/a,2\n");
    CHECK(xl_table_where(t, "curriculum == \"scratch\" && N > 1", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:3: field 'N': not a number: 'n/a'") == 0);
    CHECK(xl_table_where(t, "seed == \"1\"", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "column 'seed' is numeric: compare it with a number, not text, in --where 'seed == \"1\"'") == 0);
    CHECK(xl_table_where(t, "curriculum < \"text\"", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:2: field 'curriculum': not a number: 'scratch'") == 0);
    CHECK(xl_table_where(t, "N == \"n/a\"", &err) == XL_OK && t->n_rows == 1 && t->line[0] == 3);
    xl_table_free(t);
    t = csv("a,b\n1,\n2,3\n");
    CHECK(xl_table_where(t, "b > 0", &err) == XL_EINVAL);
    CHECK(strcmp(err.msg, "t.csv:2: field 'b': empty cell in --where 'b > 0'") == 0);
    CHECK(xl_table_where(t, "a > 1", &err) == XL_OK && t->n_rows == 1);
    xl_table_free(t);
}

static int same_values(const xl_table *a, const xl_table *b)
{
    if (a->n_rows != b->n_rows || a->n_cols != b->n_cols)
        return 0;
    for (size_t c = 0; c < a->n_cols; c++) {
        if (strcmp(a->names[c], b->names[c]) || a->is_numeric[c] != b->is_numeric[c])
            return 0;
        for (size_t r = 0; r < a->n_rows; r++) {
            if (a->is_numeric[c] ? !(a->num[c][r] == b->num[c][r] ||
                                     (isnan(a->num[c][r]) && isnan(b->num[c][r])))
                                 : strcmp(a->text[c][r], b->text[c][r]) != 0) {
                fprintf(stderr, "row %zu column %s: '%s' vs '%s'\n", r, a->names[c],
                        a->text[c][r], b->text[c][r]);
                return 0;
            }
        }
    }
    return 1;
}

static void test_round_trip(const char *dir, const char *srcdir)
{
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof p1, "%s/data/chinchilla_svg_extracted_data.csv", srcdir);
    snprintf(p2, sizeof p2, "%s/t.jsonl", dir);
    snprintf(p3, sizeof p3, "%s/t.csv", dir);
    xl_error err;
    xl_table *a = NULL, *b = NULL, *c = NULL;
    CHECK_MSG(xl_table_read(p1, &a, &err) == XL_OK, "%s", err.msg);
    /* add awkward text and numbers */
    CHECK(xl_table_define(a, "third = `Model Size` / 3", &err) == XL_OK);
    CHECK(xl_table_define(a, "tiny = 1e-300 * loss", &err) == XL_OK);
    free(a->text[2][0]);
    a->text[2][0] = strdup("odd, \"quoted\"\nmultiline");
    CHECK(xl_table_write_jsonl(a, p2, &err) == XL_OK);
    CHECK(xl_table_read(p2, &b, &err) == XL_OK);
    CHECK(xl_table_write_csv(b, p3, &err) == XL_OK);
    CHECK(xl_table_read(p3, &c, &err) == XL_OK);
    CHECK(a && b && c && same_values(a, b) && same_values(a, c));
    xl_table_free(b);
    xl_table_free(c);
    /* CSV -> CSV keeps the text exactly */
    CHECK(xl_table_write_csv(a, p3, &err) == XL_OK);
    CHECK(xl_table_read_csv(p3, &c, &err) == XL_OK && same_values(a, c));
    CHECK(c && strcmp(c->text[3][7], a->text[3][7]) == 0);
    xl_table_free(c);
    /* a single column with empty cells survives (no blank lines written) */
    xl_table *one = csv("x\n\"\"\n5\n");
    CHECK(one->n_rows == 2);
    CHECK(xl_table_write_csv(one, p3, &err) == XL_OK && xl_table_read(p3, &c, &err) == XL_OK);
    CHECK(c && c->n_rows == 2 && c->text[0][0][0] == '\0');
    xl_table_free(c);
    xl_table_free(one);
    /* a failed write leaves nothing behind */
    snprintf(p3, sizeof p3, "%s/no/such/dir/t.csv", dir);
    CHECK(xl_table_write_csv(a, p3, &err) != XL_OK);
    xl_table_free(a);
}

static void test_real_data(const char *srcdir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/chinchilla.csv", srcdir);
    xl_table *t = NULL;
    xl_error err;
    CHECK_MSG(xl_table_read(path, &t, &err) == XL_OK, "%s", err.msg);
    if (!t)
        return;
    CHECK(t->n_rows == 245 && t->n_cols == 3);
    const double *N, *C, *loss;
    CHECK(xl_table_numeric(t, "N", &N, &err) == XL_OK && xl_table_numeric(t, "C", &C, &err) == XL_OK &&
          xl_table_numeric(t, "loss", &loss, &err) == XL_OK);
    CHECK(N[0] == 6795600349.289497 && C[0] == 9.993852799709755e+18 && loss[0] == 5.005581996196243);
    CHECK(t->line[244] == 246);
    CHECK(xl_table_define(t, "D=C/(6*N)", &err) == XL_OK);
    CHECK_REL(t->num[3][0], 9.993852799709755e+18 / (6 * 6795600349.289497), 1e-15);
    CHECK(xl_table_where(t, "loss < 3.44", &err) == XL_OK && t->n_rows == 240);
    xl_table_free(t);
    snprintf(path, sizeof path, "%s/data/chinchilla_svg_extracted_data.csv", srcdir);
    CHECK(xl_table_read(path, &t, &err) == XL_OK);
    if (!t)
        return;
    CHECK(t->n_rows == 245 && t->n_cols == 7);
    CHECK(t->is_numeric[xl_table_col(t, "Model Size")] && !t->is_numeric[xl_table_col(t, "color")]);
    CHECK(xl_table_define(t, "D = `Training FLOP` / (6 * `Model Size`)", &err) == XL_OK);
    CHECK(xl_table_where(t, "loss < 3.44 && color != \"#faebdd\"", &err) == XL_OK && t->n_rows == 240);
    xl_table_free(t);
}

static void test_memory_table(void)
{
    const char *names[] = {"N", "loss", "task"};
    xl_error err;
    xl_table *t = xl_table_alloc(3, names, &err);
    CHECK(t && t->n_cols == 3);
    CHECK(xl_table_append_row(t, (double[]){1e6, 3.5, 0}, (const char *[]){NULL, NULL, "a"}, &err) == XL_OK);
    CHECK(xl_table_append_row(t, (double[]){2e6, 0.1, 0}, (const char *[]){NULL, NULL, "b"}, &err) == XL_OK);
    CHECK(t->n_rows == 2 && t->is_numeric[0] && !t->is_numeric[2] && t->num[1][1] == 0.1);
    CHECK(strcmp(t->text[1][1], "0.1") == 0);
    CHECK(xl_table_where(t, "task == \"b\"", &err) == XL_OK && t->n_rows == 1 && t->num[0][0] == 2e6);
    xl_table_free(t);
    const char *dup[] = {"a", "a"};
    CHECK(xl_table_alloc(2, dup, &err) == NULL);
    CHECK(strcmp(err.msg, "column 2: duplicate column name 'a'") == 0);
}

int main(void)
{
    const char *srcdir = getenv("XL_SRCDIR");
    if (!srcdir)
        srcdir = ".";
    char dir[] = "/tmp/xl_table_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_csv();
    test_numeric();
    test_jsonl();
    test_define_where();
    test_round_trip(dir, srcdir);
    test_real_data(srcdir);
    test_memory_table();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    TEST_MAIN_END();
}
