// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcaps_main.c --- build/tests/hostcaps: the host capability probe for
 * shell tests
 *
 * Prints the answers of tests/unit/hostcaps.c (KVM usable, 32-bit code
 * execution, CPU vendor/family/model) as shell assignments that
 * tests/run-tests.sh evaluates once:
 *
 *	eval "$("$BUILD/tests/hostcaps")"
 *
 * HOST_KVM (the KVM API answers and runs the self-test guest), HOST_KVM_API
 * (the KVM API answers: a nested KVM may still fail on some instructions)
 * and HOST_NATIVE32 are 1 or 0; the *_WHY values say what was verified (1)
 * or why not (0).  DUALVM_TEST_NO_KVM=1 and
 * DUALVM_TEST_NO_NATIVE32=1 force the 0 answers.  Exit status 0.
 */
#include <stdio.h>

#include "tests/unit/hostcaps.h"

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s (no arguments)\n", argv[0]);
		return 2;
	}
	hostcaps_shell(stdout);
	return fflush(stdout) ? 1 : 0;
}
