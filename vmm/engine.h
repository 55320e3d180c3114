/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * engine.h --- the CPU-engine interface
 *
 * dualvm has several CPU engines (reference interpreter, binary translator,
 * KVM, world-switch module) and exactly one machine.  The machine hands an
 * engine a struct machine_bus (board/board.h: everything an engine may ask
 * of the machine); the engine implements struct engine_ops, whose hooks
 * the run loop attaches to the machine as its struct machine_cpu.  Port
 * I/O and MMIO always go through the bus, so every engine shares the same
 * devices.
 *
 * Threading: all calls except engine_ops.kick() happen on the vCPU thread.
 *
 * This header is shared by several engines: change it only by adding fields
 * at the end of a struct, never by changing existing ones.
 */
#ifndef DUALVM_ENGINE_H
#define DUALVM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "vmm/x86_state.h"

/* Why engine_ops.run() returned. */
enum engine_exit_reason {
	ENGINE_EXIT_DEADLINE,	/* time slice over / kicked: service devices */
	ENGINE_EXIT_HLT,	/* halted with nothing pending */
	ENGINE_EXIT_RESET,	/* triple fault or reset request */
	ENGINE_EXIT_SHUTDOWN,	/* guest powered off (e.g. via the bus) */
	ENGINE_EXIT_ERROR,	/* engine cannot continue: see msg */
};

struct engine_exit {
	enum engine_exit_reason	reason;
	char			msg[256];	/* one line, for ERROR */
};

struct engine;		/* opaque per-engine state */

struct engine_ops {
	const char	*name;		/* "interp", "kvm", "bt" */
	/* Can this engine run here?  false with a one-line reason. */
	bool	(*available)(char *why, size_t len);
	/* 0 or -errno (with a reason in @why). */
	int	(*create)(const struct machine_bus *bus, struct engine **out,
			  char *why, size_t len);
	void	(*destroy)(struct engine *e);
	/* Run guest code until @deadline_ns of virtual time, a halt, a reset
	 * or an error.  0, or -errno with ex->msg set. */
	int	(*run)(struct engine *e, uint64_t deadline_ns,
		       struct engine_exit *ex);
	int	(*get_state)(struct engine *e, struct x86_cpu_state *st);
	int	(*set_state)(struct engine *e, const struct x86_cpu_state *st);
	/* Put the vCPU in its power-on state (CS:IP = F000:FFF0). */
	void	(*reset)(struct engine *e);
	/* Make run() return soon.  Any thread, async-signal-safe. */
	void	(*kick)(struct engine *e);
	/* Guest memory changed behind the engine (DMA, loader): drop cached
	 * translations / decoded instructions for the range. */
	void	(*mem_written)(struct engine *e, uint64_t gpa, uint64_t len);
	/* The memory map changed (PAM, BAR moves): drop page pointers. */
	void	(*map_changed)(struct engine *e);
	/* A20 gate from the chipset (port 0x92 / i8042). */
	void	(*set_a20)(struct engine *e, bool enabled);
	/* Non-maskable interrupt. */
	void	(*nmi)(struct engine *e);
	/* The interrupt controller's INTR output rose (machine_cpu.irq_raised):
	 * poll bus->intr_pending() before the next instruction.  NULL when
	 * the engine polls before every guest entry anyway. */
	void	(*irq_raised)(struct engine *e);
	/* An I/O APIC message for the engine's local APICs
	 * (machine_cpu.apic_msg).  NULL: the engine models no APIC. */
	void	(*apic_msg)(struct engine *e, const struct apic_msg *m);
};

/* Engines known to this build (const registry).  NULL-terminated. */
extern const struct engine_ops *const engine_registry[];
const struct engine_ops *engine_find(const char *name);

#endif
