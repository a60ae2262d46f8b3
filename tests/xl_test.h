/* A tiny test harness: each test executable runs its cases, prints one line per
 * failed check, and exits non-zero if any check failed. */
#ifndef XL_TEST_H
#define XL_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int xl_test_failures;
static int xl_test_checks;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        xl_test_checks++;                                                              \
        if (!(cond)) {                                                                 \
            xl_test_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                           \
    do {                                                                               \
        xl_test_checks++;                                                              \
        if (!(cond)) {                                                                 \
            xl_test_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
        }                                                                              \
    } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define CHECK_NEAR(a, b, tol)                                                          \
    do {                                                                               \
        double xa_ = (a), xb_ = (b), xt_ = (tol);                                      \
        xl_test_checks++;                                                              \
        if (!(fabs(xa_ - xb_) <= xt_ * fmax(1.0, fabs(xb_)))) {                        \
            xl_test_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.10g, %s = %.10g, tol %g\n", \
                    __FILE__, __LINE__, #a, xa_, #b, xb_, xt_);                        \
        }                                                                              \
    } while (0)

/* relative: |a - b| <= tol * |b| */
#define CHECK_REL(a, b, tol)                                                           \
    do {                                                                               \
        double xa_ = (a), xb_ = (b), xt_ = (tol);                                      \
        xl_test_checks++;                                                              \
        if (!(fabs(xa_ - xb_) <= xt_ * fabs(xb_))) {                                   \
            xl_test_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK_REL failed: %s = %.10g, %s = %.10g, rel %g\n", \
                    __FILE__, __LINE__, #a, xa_, #b, xb_, xt_);                        \
        }                                                                              \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                \
    do {                                                                               \
        const char *xh_ = (hay), *xn_ = (needle);                                      \
        xl_test_checks++;                                                              \
        if (!xh_ || !strstr(xh_, xn_)) {                                               \
            xl_test_failures++;                                                        \
            fprintf(stderr, "%s:%d: expected \"%s\" to contain \"%s\"\n", __FILE__,    \
                    __LINE__, xh_ ? xh_ : "(null)", xn_);                              \
        }                                                                              \
    } while (0)

/* PATH (relative to the source tree, $XL_SRCDIR, else ".") into buf; returns buf. */
static inline const char *xl_test_srcpath(char *buf, size_t cap, const char *path)
{
    const char *src = getenv("XL_SRCDIR");
    snprintf(buf, cap, "%s/%s", src ? src : ".", path);
    return buf;
}

#define TEST_MAIN_END()                                                                \
    do {                                                                               \
        printf("%d checks, %d failed\n", xl_test_checks, xl_test_failures);            \
        return xl_test_failures ? 1 : 0;                                               \
    } while (0)

#endif
