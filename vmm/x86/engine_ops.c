// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine_ops.c --- the "interp" CPU engine: struct engine_ops over x86_cpu
 *
 * Adapts the interpreter CPU (interp.c) to the machine's engine interface
 * (vmm/engine.h): run slices until the machine's deadline, halts, triple
 * faults (reset requested on the bus) and internal limitations (a one-line
 * error, never a crash).  With bus->ncpus > 1 the engine owns that many
 * vCPUs (APIC IDs 0..n-1, the APs in wait-for-SIPI) and interleaves them
 * on the calling thread; it is also the APIC bus between their local
 * APICs and the I/O APIC.  The "bt" engine is the same with the binary
 * translator (vmm/bt) attached to its one vCPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/x86/cpu.h"

#define SMP_SLICE	4096	/* instructions per vCPU per turn (SMP) */

struct engine {
	struct x86_cpu	*cpu[MACHINE_MAX_CPUS];	/* vCPU i has APIC ID i */
	unsigned int	n;		/* vCPUs (bus->ncpus) */
	const struct machine_bus *bus;	/* the machine */
};

static bool interp_available(char *why, size_t len)
{
	return true;
}

/*
 * The APIC bus: a message (an IPI from an ICR, or from the I/O APIC) goes
 * to every local APIC it names; lowest-priority delivery to the one of
 * them with the lowest processor priority (the first on a tie).
 */
static void apic_route(void *opaque, const struct apic_msg *m)
{
	struct engine *e = opaque;
	struct x86_lapic *best = NULL;
	unsigned int i;

	for (i = 0; i < e->n; i++) {
		struct x86_lapic *l = e->cpu[i]->lapic;

		if (!l || !x86_lapic_match(l, m))
			continue;
		if (m->mode != APIC_DM_LOWEST) {
			x86_lapic_accept(l, m);
			continue;
		}
		if (!best || x86_lapic_ppr(l) < x86_lapic_ppr(best))
			best = l;
	}
	if (best)
		x86_lapic_accept(best, m);
}

static void interp_destroy(struct engine *e);

static int engine_create(const struct machine_bus *bus, struct engine **out,
			 char *why, size_t len, bool bt)
{
	struct engine *e = calloc(1, sizeof(*e));
	unsigned int i;
	int r = 0;

	if (!e) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	e->bus = bus;
	e->n = bus->ncpus ? bus->ncpus : 1;
	if (e->n > MACHINE_MAX_CPUS || (e->n > 1 && !bus->clock)) {
		snprintf(why, len, "%u CPUs: not on this machine", e->n);
		free(e);
		return -EINVAL;
	}
	for (i = 0; i < e->n && !r; i++)
		r = x86_cpu_create_apic(bus, (uint8_t)i, &e->cpu[i]);
	if (r) {
		snprintf(why, len, "cannot create the interpreter CPU");
		interp_destroy(e);
		return r;
	}
	if (bt && e->n > 1) {
		snprintf(why, len, "engine 'bt' runs one vCPU only (--cpus %u needs --engine interp)",
			 e->n);
		interp_destroy(e);
		return -ENOTSUP;
	}
	if (bt) {
		r = x86_bt_attach(e->cpu[0], why, len);
		if (r) {
			interp_destroy(e);
			return r;
		}
	}
	for (i = 0; i < e->n; i++) {
		e->cpu[i]->apic_route = apic_route;
		e->cpu[i]->route_opaque = e;
		if (e->n == 1)
			continue;
		e->cpu[i]->peers = e->cpu;
		e->cpu[i]->npeers = e->n;
		if (i)
			x86_cpu_share_caches(e->cpu[i], e->cpu[0]);
	}
	*out = e;
	return 0;
}

static int interp_create(const struct machine_bus *bus, struct engine **out,
			 char *why, size_t len)
{
	return engine_create(bus, out, why, len, false);
}

static int bt_create(const struct machine_bus *bus, struct engine **out,
		     char *why, size_t len)
{
	return engine_create(bus, out, why, len, true);
}

static void interp_destroy(struct engine *e)
{
	unsigned int i;

	if (!e)
		return;
	for (i = e->n; i--;)		/* cpu[0] owns the shared caches */
		x86_cpu_destroy(e->cpu[i]);
	free(e);
}

/* One vCPU's stop as the engine's exit; true when the run must end. */
static bool stop_exit(const struct x86_stop *stop, struct engine_exit *ex,
		      int *ret)
{
	*ret = 0;
	switch (stop->reason) {
	case X86_STOP_LIMIT:
		ex->reason = ENGINE_EXIT_DEADLINE;
		return false;
	case X86_STOP_HLT:
		ex->reason = ENGINE_EXIT_HLT;
		return false;
	case X86_STOP_RESET:
		ex->reason = ENGINE_EXIT_RESET;
		snprintf(ex->msg, sizeof(ex->msg), "%s", stop->msg);
		return true;
	case X86_STOP_EXCEPTION:
	case X86_STOP_ERROR:
	default:
		ex->reason = ENGINE_EXIT_ERROR;
		if (stop->reason == X86_STOP_EXCEPTION)
			snprintf(ex->msg, sizeof(ex->msg), "unexpected exception stop (vector %u)",
				 stop->vector);
		else
			snprintf(ex->msg, sizeof(ex->msg), "%s", stop->msg);
		*ret = -ENOTSUP;
		return true;
	}
}

/*
 * SMP: the vCPUs take turns on this thread, SMP_SLICE instructions each,
 * in APIC ID order, until the deadline or until every one is halted (or
 * waits for a SIPI).  A PAUSE ends a turn early: a spin-wait loop (a lock
 * another vCPU holds, a flag it must set) would otherwise release and
 * retake its lock within one turn and starve the others.  Deterministic
 * for a given sequence of device events.
 */
static int interp_run(struct engine *e, uint64_t deadline_ns,
		      struct engine_exit *ex)
{
	struct x86_stop stop;
	unsigned int i;
	int ret;

	ex->msg[0] = 0;
	if (e->n == 1) {
		x86_cpu_exec(e->cpu[0], UINT64_MAX, deadline_ns, &stop);
		stop_exit(&stop, ex, &ret);
		return ret;
	}
	for (;;) {
		bool busy = false;

		for (i = 0; i < e->n; i++) {
			x86_cpu_exec(e->cpu[i], SMP_SLICE, deadline_ns, &stop);
			if (stop_exit(&stop, ex, &ret))
				return ret;
			if (stop.reason != X86_STOP_HLT)
				busy = true;
			if (stop.reason == X86_STOP_LIMIT && !stop.yielded &&
			    stop.insns < SMP_SLICE) {	/* deadline or kick */
				ex->reason = ENGINE_EXIT_DEADLINE;
				return 0;
			}
		}
		if (!busy) {
			ex->reason = ENGINE_EXIT_HLT;
			return 0;
		}
		if (e->bus->now_ns(e->bus->opaque) >= deadline_ns) {
			ex->reason = ENGINE_EXIT_DEADLINE;
			return 0;
		}
	}
}

/* the debugger and snapshot view: the BSP */
static int interp_get_state(struct engine *e, struct x86_cpu_state *st)
{
	x86_cpu_get_state(e->cpu[0], st);
	return 0;
}

static int interp_set_state(struct engine *e, const struct x86_cpu_state *st)
{
	return x86_cpu_set_state(e->cpu[0], st);
}

static void interp_reset(struct engine *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		x86_cpu_reset(e->cpu[i]);
}

static void interp_kick(struct engine *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		x86_cpu_kick(e->cpu[i]);
}

static void interp_mem_written(struct engine *e, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < e->n; i++)
		x86_cpu_mem_written(e->cpu[i], gpa, len);
}

static void interp_map_changed(struct engine *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		x86_cpu_map_changed(e->cpu[i]);
}

static void interp_set_a20(struct engine *e, bool enabled)
{
	for (unsigned int i = 0; i < e->n; i++) {
		struct x86_cpu *c = e->cpu[i];

		if (c->a20 != enabled) {
			c->a20 = enabled;
			x86_tlb_flush(c, true);
		}
	}
}

static void interp_nmi(struct engine *e)
{
	e->cpu[0]->nmi_pending = true;
}

/* INTR rose: the BSP (whose LINT0 takes the 8259) polls before the next
 * instruction. */
static void interp_irq_raised(struct engine *e)
{
	e->cpu[0]->irq_check = true;
}

static void interp_apic_msg(struct engine *e, const struct apic_msg *m)
{
	apic_route(e, m);
}

/* what both engines share: the CPU and machine glue above */
#define X86_ENGINE_GLUE					\
	.destroy	= interp_destroy,		\
	.run		= interp_run,			\
	.get_state	= interp_get_state,		\
	.set_state	= interp_set_state,		\
	.reset		= interp_reset,			\
	.kick		= interp_kick,			\
	.mem_written	= interp_mem_written,		\
	.map_changed	= interp_map_changed,		\
	.set_a20	= interp_set_a20,		\
	.nmi		= interp_nmi,			\
	.irq_raised	= interp_irq_raised,		\
	.apic_msg	= interp_apic_msg

/* The "interp" entry of engine_registry[] (declared in vmm/x86/x86.h). */
const struct engine_ops x86_interp_engine_ops = {
	.name		= "interp",
	.available	= interp_available,
	.create		= interp_create,
	X86_ENGINE_GLUE,
};

/*
 * The "bt" entry: the same CPU and machine glue, with the binary
 * translator (vmm/bt) attached to the CPU; one vCPU.
 */
const struct engine_ops x86_bt_engine_ops = {
	.name		= "bt",
	.available	= x86_bt_available,
	.create		= bt_create,
	X86_ENGINE_GLUE,
};
