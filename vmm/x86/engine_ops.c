// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine_ops.c --- the "interp" CPU engine: struct engine_ops over x86_cpu
 *
 * Adapts the interpreter CPU (interp.c) to the machine's engine interface
 * (vmm/engine.h): run slices until the machine's deadline, halts, triple
 * faults (reset requested on the bus) and internal limitations (a one-line
 * error, never a crash).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/x86/cpu.h"

struct engine {
	struct x86_cpu	*cpu;		/* the interpreter vCPU */
};

static bool interp_available(char *why, size_t len)
{
	return true;
}

static int interp_create(const struct machine_bus *bus, struct engine **out,
			 char *why, size_t len)
{
	struct engine *e = calloc(1, sizeof(*e));
	int r;

	if (!e) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	r = x86_cpu_create(bus, &e->cpu);
	if (r) {
		snprintf(why, len, "cannot create the interpreter CPU");
		free(e);
		return r;
	}
	*out = e;
	return 0;
}

static void interp_destroy(struct engine *e)
{
	if (!e)
		return;
	x86_cpu_destroy(e->cpu);
	free(e);
}

static int interp_run(struct engine *e, uint64_t deadline_ns,
		      struct engine_exit *ex)
{
	struct x86_stop stop;

	x86_cpu_exec(e->cpu, UINT64_MAX, deadline_ns, &stop);
	ex->msg[0] = 0;
	switch (stop.reason) {
	case X86_STOP_LIMIT:
		ex->reason = ENGINE_EXIT_DEADLINE;
		return 0;
	case X86_STOP_HLT:
		ex->reason = ENGINE_EXIT_HLT;
		return 0;
	case X86_STOP_RESET:
		ex->reason = ENGINE_EXIT_RESET;
		snprintf(ex->msg, sizeof(ex->msg), "%s", stop.msg);
		return 0;
	case X86_STOP_EXCEPTION:
	case X86_STOP_ERROR:
	default:
		ex->reason = ENGINE_EXIT_ERROR;
		if (stop.reason == X86_STOP_EXCEPTION)
			snprintf(ex->msg, sizeof(ex->msg), "unexpected exception stop (vector %u)",
				 stop.vector);
		else
			snprintf(ex->msg, sizeof(ex->msg), "%s", stop.msg);
		return -ENOTSUP;
	}
}

static int interp_get_state(struct engine *e, struct x86_cpu_state *st)
{
	x86_cpu_get_state(e->cpu, st);
	return 0;
}

static int interp_set_state(struct engine *e, const struct x86_cpu_state *st)
{
	return x86_cpu_set_state(e->cpu, st);
}

static void interp_reset(struct engine *e)
{
	x86_cpu_reset(e->cpu);
}

static void interp_kick(struct engine *e)
{
	x86_cpu_kick(e->cpu);
}

static void interp_mem_written(struct engine *e, uint64_t gpa, uint64_t len)
{
	x86_cpu_mem_written(e->cpu, gpa, len);
}

static void interp_map_changed(struct engine *e)
{
	x86_cpu_map_changed(e->cpu);
}

static void interp_set_a20(struct engine *e, bool enabled)
{
	if (e->cpu->a20 != enabled) {
		e->cpu->a20 = enabled;
		x86_tlb_flush(e->cpu, true);
	}
}

static void interp_nmi(struct engine *e)
{
	e->cpu->nmi_pending = true;
}

/* INTR rose: the loop polls the bus before the next instruction. */
static void interp_irq_raised(struct engine *e)
{
	e->cpu->irq_check = true;
}

/* The "interp" entry of engine_registry[] (declared in vmm/x86/x86.h). */
const struct engine_ops x86_interp_engine_ops = {
	.name		= "interp",
	.available	= interp_available,
	.create		= interp_create,
	.destroy	= interp_destroy,
	.run		= interp_run,
	.get_state	= interp_get_state,
	.set_state	= interp_set_state,
	.reset		= interp_reset,
	.kick		= interp_kick,
	.mem_written	= interp_mem_written,
	.map_changed	= interp_map_changed,
	.set_a20	= interp_set_a20,
	.nmi		= interp_nmi,
	.irq_raised	= interp_irq_raised,
};
