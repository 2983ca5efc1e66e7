/*
 * harness.h: what every cmocka unit test includes. cmocka 1.1's float
 * comparison casts to float, so doubles are compared here with an absolute
 * and a relative tolerance.
 */
#ifndef VIGIE_TEST_HARNESS_H
#define VIGIE_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>

/* Fail unless |a - b| <= abs_tol or |a - b| <= rel_tol * max(|a|, |b|). */
#define assert_close(a, b, rel_tol, abs_tol)                                                      \
    do {                                                                                          \
        double a_ = (a), b_ = (b);                                                                \
        double d_ = fabs(a_ - b_), m_ = fmax(fabs(a_), fabs(b_));                                 \
        if (!(d_ <= (abs_tol) || d_ <= (rel_tol) * m_)) {                                         \
            print_error("%s = %.17g, expected %.17g (diff %.3g)\n", #a, a_, b_, d_);              \
            fail();                                                                               \
        }                                                                                         \
    } while (0)

#endif
