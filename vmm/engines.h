/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * engines.h --- the engine instances listed in engine_registry[] (private)
 *
 * Each engine file exports one const struct engine_ops; engine.c lists them.
 * selftest.c runs a tiny guest on an engine to decide whether it works here.
 */
#ifndef DUALVM_ENGINES_H
#define DUALVM_ENGINES_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/engine.h"

extern const struct engine_ops kvm_engine_ops;	/* vmm/kvm.c */

/*
 * Run the built-in self-test guest (real mode, INT/IRET, far jumps, switch
 * to 32-bit protected mode, INT/IRET there) on @ops.  true when it reports
 * success; false with a one-line reason in @why.  Takes at most ~2 s.
 */
bool engine_selftest(const struct engine_ops *ops, char *why, size_t len);

#endif
