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
/* x86_interp_engine_ops: the interpreter (vmm/x86/x86.h) */

/*
 * What the run loop (vm.c) expects of engine_ops.run(): return
 * ENGINE_EXIT_DEADLINE once bus->now_ns() reaches @deadline_ns or after
 * kick(); ENGINE_EXIT_HLT when the vCPU halts and no interrupt can be taken
 * (bus->intr_pending() false or IF clear) -- the loop then sleeps until the
 * next timer, I/O completion or input and calls run() again, which resumes
 * after the HLT; deliver interrupts by polling bus->intr_pending() and
 * calling bus->intr_ack() (both with machine_bus_intr_opaque(bus)), at the
 * latest after irq_raised() or before the next guest entry;
 * ENGINE_EXIT_RESET on a triple fault; ENGINE_EXIT_ERROR with one line in
 * ex->msg (CS:RIP included) when the guest cannot continue.  A reset request
 * from a device (bus->request_reset) kicks the engine; vm.c then calls
 * reset().
 */

/*
 * Run the built-in self-test guest (real mode, INT/IRET, far jumps, switch
 * to 32-bit protected mode, INT/IRET there) on @ops.  true when it reports
 * success; false with a one-line reason in @why.  Returns as soon as the
 * guest halts or the engine fails; the verdict does not depend on host
 * speed.  A guest that stops making progress (no new instruction address
 * for 60 s, see selftest.c) is given up as stuck.  Runs on the calling
 * thread; creates and destroys its own engine instance.
 */
bool engine_selftest(const struct engine_ops *ops, char *why, size_t len);

#endif
