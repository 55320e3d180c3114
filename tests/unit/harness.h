/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness.h --- dualvm's tiny unit-test harness
 *
 * Each test binary lists its cases in a table and calls t_main().  Every case
 * runs in a forked child (a crash or an abort fails that case only) with an
 * alarm-based timeout, and prints one line: `PASS name`, `FAIL name: why`
 * or `SKIP name: why`.  tests/run-tests.sh counts those lines.
 *
 *	static void test_foo(void) { T_ASSERT(1 + 1 == 2); }
 *	static const struct t_case cases[] = { T_CASE(test_foo) };
 *	int main(int argc, char **argv) { return T_MAIN(cases); }
 */
#ifndef DUALVM_HARNESS_H
#define DUALVM_HARNESS_H

#include <stdint.h>
#include <stdio.h>

struct t_case {
	const char	*name;
	void		(*fn)(void);
};

#define T_CASE(f)	{ #f, f }
#define T_MAIN(cases)	t_main(argc, argv, (cases), \
			       sizeof(cases) / sizeof((cases)[0]))

/* Fail the running case (never returns). */
void t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
/* Skip the running case with a reason (never returns). */
void t_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#define T_ASSERT(c) do { \
	if (!(c)) t_fail(__FILE__, __LINE__, "assertion failed: %s", #c); \
} while (0)

#define T_EQ(a, b) do { \
	unsigned long long _a = (unsigned long long)(a); \
	unsigned long long _b = (unsigned long long)(b); \
	if (_a != _b) t_fail(__FILE__, __LINE__, "%s == 0x%llx, expected %s == 0x%llx", \
			     #a, _a, #b, _b); \
} while (0)

#define T_SKIP(...)	t_skip(__VA_ARGS__)

/* Run the cases (all, or those named on the command line). 0 if none fail. */
int t_main(int argc, char **argv, const struct t_case *cases, unsigned int n);

/* Seconds a case may run before it fails (default 120, env T_TIMEOUT). */
unsigned int t_timeout(void);

/* A private temporary directory for the running case (removed after). */
const char *t_tmpdir(void);

#endif
