/* util: hashing against published vectors, atomic files, rng, errors, parallel loop. */
#include "xferlaw/util.h"
#include "xl_test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_sha256(void)
{
    char hex[65];
    /* FIPS 180-2 appendix B vectors */
    xl_sha256_hex("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    xl_sha256_hex("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    xl_sha256_hex(m, strlen(m), hex);
    CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);
    /* one million 'a', fed in uneven pieces */
    xl_sha256 s;
    xl_sha256_init(&s);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof a ? left : sizeof a;
        xl_sha256_update(&s, a, k);
        left -= k;
    }
    uint8_t d[32];
    xl_sha256_final(&s, d);
    CHECK(d[0] == 0xcd && d[1] == 0xc7 && d[31] == 0xd0);
}

static void test_atomic(void)
{
    char dir[] = "/tmp/xl_util_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], sub[256];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    xl_error err;
    xl_error_clear(&err);
    CHECK(xl_write_file_atomic(path, "hello\n", 6, &err) == XL_OK);
    char *data;
    size_t n;
    CHECK(xl_read_file(path, &data, &n, &err) == XL_OK);
    CHECK(n == 6 && strcmp(data, "hello\n") == 0);
    free(data);
    /* an aborted write leaves the old contents and no temp file */
    xl_afile af;
    CHECK(xl_afile_open(&af, path, &err) == XL_OK);
    fputs("partial", af.fp);
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", af.tmp_path);
    xl_afile_abort(&af);
    CHECK(access(tmp, F_OK) != 0);
    CHECK(xl_read_file(path, &data, &n, &err) == XL_OK);
    CHECK(strcmp(data, "hello\n") == 0);
    free(data);
    CHECK(xl_append_line(path, "more\n", &err) == XL_OK);
    CHECK(xl_append_line(path, "no newline", &err) == XL_EINVAL);
    CHECK(xl_read_file(path, &data, &n, &err) == XL_OK);
    CHECK(strcmp(data, "hello\nmore\n") == 0);
    free(data);
    snprintf(sub, sizeof sub, "%s/x/y/z", dir);
    CHECK(xl_mkdirs(sub, &err) == XL_OK && xl_file_exists(sub));
    CHECK(xl_read_file("/nonexistent/file", &data, &n, &err) == XL_EIO);
    CHECK_STR_CONTAINS(err.msg, "/nonexistent/file");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static void test_rng(void)
{
    xl_rng r, r2;
    xl_rng_seed(&r, 42);
    xl_rng_seed(&r2, 42);
    for (int i = 0; i < 100; i++)
        CHECK(xl_rng_u64(&r) == xl_rng_u64(&r2));
    double sum = 0, sum2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double z = xl_rng_normal(&r);
        sum += z;
        sum2 += z * z;
    }
    CHECK(fabs(sum / n) < 0.01);
    CHECK(fabs(sum2 / n - 1) < 0.02);
    int counts[7] = {0};
    for (int i = 0; i < 70000; i++)
        counts[xl_rng_below(&r, 7)]++;
    for (int k = 0; k < 7; k++)
        CHECK(abs(counts[k] - 10000) < 500);
    xl_rng_seed_stream(&r, 1, 0);
    xl_rng_seed_stream(&r2, 1, 1);
    CHECK(xl_rng_u64(&r) != xl_rng_u64(&r2));
}

static void test_errors(void)
{
    xl_error err;
    xl_error_at(&err, XL_EPARSE, "data.csv", 12, "loss", "not a number: '%s'", "abc");
    CHECK(err.code == XL_EPARSE);
    CHECK(strcmp(err.msg, "data.csv:12: field 'loss': not a number: 'abc'") == 0);
    xl_error_at(&err, XL_EINVAL, "spec.json", 0, NULL, "bad\nthing");
    CHECK(strcmp(err.msg, "spec.json: bad thing") == 0);
    xl_error_prefix(&err, "while reading");
    CHECK(strcmp(err.msg, "while reading: spec.json: bad thing") == 0);
    /* the same prefix twice is said once */
    xl_error_prefix(&err, "while reading");
    CHECK(strcmp(err.msg, "while reading: spec.json: bad thing") == 0);
    /* a long input loses its middle, never the cause at the end */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    xl_error_set(&err, XL_EPARSE, "formula '%s': column 3000: unknown function 'foo'", big);
    CHECK(strlen(err.msg) < XL_ERRMSG_MAX);
    CHECK_STR_CONTAINS(err.msg, "formula 'xxx");
    CHECK_STR_CONTAINS(err.msg, " ... ");
    CHECK_STR_CONTAINS(err.msg, "column 3000: unknown function 'foo'");
    xl_error_prefix(&err, "--define '%s'", big);
    CHECK_STR_CONTAINS(err.msg, "unknown function 'foo'");
    double v;
    CHECK(xl_parse_double(" 1.5e3 ", &v) == 0 && v == 1500);
    CHECK(xl_parse_double("1.5x", &v) != 0);
    CHECK(xl_parse_double("", &v) != 0);
    long l;
    CHECK(xl_parse_long("42", &l) == 0 && l == 42);
    CHECK(xl_parse_long("4.2", &l) != 0);
}

static void sq(void *ctx, size_t i, int worker)
{
    (void)worker;
    ((double *)ctx)[i] = (double)i * (double)i;
}

static void test_parallel(void)
{
    double out[1000];
    memset(out, 0, sizeof out);
    CHECK(xl_parallel_for(1000, 4, sq, out, NULL) == XL_OK);
    int ok = 1;
    for (int i = 0; i < 1000; i++)
        ok &= out[i] == (double)i * i;
    CHECK(ok);
}

static void test_json(void)
{
    char path[] = "/tmp/xl_json_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "{\n \"a\": 1,\n \"b\": [1,\n", 21) == 21);
    close(fd);
    cJSON *j;
    xl_error err;
    CHECK(xl_json_read_file(path, &j, &err) == XL_EPARSE);
    CHECK_STR_CONTAINS(err.msg, path);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "x", xl_json_number(2.5));
    cJSON_AddItemToObject(o, "nan", xl_json_number(NAN));
    CHECK(xl_json_write_file(path, o, &err) == XL_OK);
    cJSON_Delete(o);
    CHECK(xl_json_read_file(path, &j, &err) == XL_OK);
    double x;
    CHECK(xl_json_get_double(j, "x", &x, 1, path, &err) == XL_OK && x == 2.5);
    CHECK(xl_json_get_double(j, "nan", &x, 1, path, &err) == XL_EINVAL);
    CHECK(xl_json_get_double(j, "missing", &x, 1, path, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "field 'missing'");
    cJSON_Delete(j);
    unlink(path);
}

static void test_next_line(void)
{
    char buf[] = "a\n\n  \t\r\nb\r\nc";
    char *cur = buf, *p;
    long line = 0;
    CHECK((p = xl_next_line(&cur, &line, XL_LINE_SKIP_BLANK)) && strcmp(p, "a") == 0 && line == 1);
    CHECK((p = xl_next_line(&cur, &line, XL_LINE_SKIP_BLANK)) && strcmp(p, "b\r") == 0 && line == 4);
    CHECK((p = xl_next_line(&cur, &line, XL_LINE_SKIP_BLANK)) && strcmp(p, "c") == 0 && line == 5);
    CHECK(xl_next_line(&cur, &line, XL_LINE_SKIP_BLANK) == NULL);
    /* complete lines only: the unterminated tail (a killed append) is not a record */
    char log[] = "{\"x\":1}\n\n{\"x\":";
    cur = log;
    line = 0;
    CHECK((p = xl_next_line(&cur, &line, XL_LINE_COMPLETE)) && strcmp(p, "{\"x\":1}") == 0);
    CHECK((p = xl_next_line(&cur, &line, XL_LINE_COMPLETE)) && *p == '\0' && line == 2);
    CHECK(xl_next_line(&cur, &line, XL_LINE_COMPLETE) == NULL);
    CHECK(xl_next_line(&cur, &line, XL_LINE_COMPLETE) == NULL);
}

/* Safe writes: only regular files or new paths are written; a symlink planted under a
 * temporary name is never followed; deferred commits write all or nothing. */
static void test_safe_write(void)
{
    char dir[] = "/tmp/xl_safe_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], victim[256], fifo[256], link[512];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    xl_error err;
    CHECK(xl_write_file_atomic(victim, "keep\n", 5, &err) == XL_OK);
    /* learn the next temporary names, plant symlinks to the victim under them */
    xl_afile af;
    CHECK(xl_afile_open(&af, path, &err) == XL_OK);
    char *dot = strrchr(af.tmp_path, '.');
    unsigned long next = strtoul(dot + 1, NULL, 10);
    for (unsigned long k = 1; k <= 5; k++) {
        snprintf(link, sizeof link, "%.*s.%lu", (int)(dot - af.tmp_path), af.tmp_path, next + k);
        CHECK(symlink(victim, link) == 0);
    }
    xl_afile_abort(&af);
    CHECK(xl_write_file_atomic(path, "new\n", 4, &err) == XL_OK);
    char *data;
    size_t n;
    CHECK(xl_read_file(victim, &data, &n, &err) == XL_OK);
    CHECK_STR_CONTAINS(data, "keep");
    free(data);
    CHECK(xl_read_file(path, &data, &n, &err) == XL_OK);
    CHECK(n == 4 && strcmp(data, "new\n") == 0);
    free(data);
    /* a FIFO, a directory or a device is refused and left as it is */
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(xl_write_file_atomic(fifo, "x", 1, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "is a FIFO, not a regular file");
    struct stat st;
    CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(xl_write_file_atomic(dir, "x", 1, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "is a directory");
    CHECK(xl_write_file_atomic("/dev/null", "x", 1, &err) == XL_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "/dev/null: is a device");
    CHECK(xl_append_line(fifo, "x\n", &err) == XL_EINVAL);
    /* deferred: nothing appears until the end, and nothing at all when it fails */
    char p2[300];
    snprintf(p2, sizeof p2, "%s/second.txt", dir);
    xl_afile_defer_begin();
    CHECK(xl_write_file_atomic(p2, "2\n", 2, &err) == XL_OK);
    CHECK(!xl_file_exists(p2));
    CHECK(xl_afile_defer_end(0, &err) == XL_OK);
    CHECK(!xl_file_exists(p2));
    xl_afile_defer_begin();
    CHECK(xl_write_file_atomic(p2, "2\n", 2, &err) == XL_OK);
    CHECK(xl_afile_defer_end(1, &err) == XL_OK);
    CHECK(xl_file_exists(p2));
    /* path segments */
    CHECK(xl_path_segment_problem("run-1.a_b") == NULL);
    CHECK(xl_path_segment_problem("..") != NULL && xl_path_segment_problem("../../x") != NULL);
    CHECK(xl_path_segment_problem("") != NULL && xl_path_segment_problem("a\nb") != NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    test_safe_write();
    test_next_line();
    test_sha256();
    test_atomic();
    test_rng();
    test_errors();
    test_parallel();
    test_json();
    TEST_MAIN_END();
}
