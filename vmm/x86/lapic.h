/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapic.h --- the local APIC of one interpreter vCPU (private to vmm/x86)
 *
 * The xAPIC of SDM vol. 3, chapter 10, as the canonical CPU has it: version
 * 0x14 with six LVT entries (timer, thermal, performance counters, LINT0,
 * LINT1, error), memory-mapped at IA32_APIC_BASE (0xFEE00000 by default),
 * no x2APIC, no
 * EOI-broadcast suppression.  The timer counts a 1 GHz bus clock divided by
 * the divide configuration register, on the machine's virtual clock.
 *
 * The APIC knows nothing about the CPU or the other APICs: it is given
 * callbacks (struct x86_lapic_host) for what leaves it -- IPIs from the ICR,
 * EOI broadcasts for level-triggered vectors, NMI/INIT/SIPI and "INTR may
 * have changed" signals for its CPU, and the 8259's INTR/INTA behind LINT0
 * in ExtINT mode.  Everything runs on the vCPU thread.
 */
#ifndef DUALVM_X86_LAPIC_H
#define DUALVM_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

#define LAPIC_VERSION		0x00050014u	/* max LVT 5, version 0x14 */
#define LAPIC_BUS_NS		1		/* timer bus clock: 1 GHz */
#define LAPIC_MIN_PERIOD_NS	10000		/* periodic expiries at most
						 * every 10 us of virtual time */

/* register offsets (SDM vol. 3, table 10-1) */
#define LAPIC_ID	0x020
#define LAPIC_VER	0x030
#define LAPIC_TPR	0x080
#define LAPIC_APR	0x090
#define LAPIC_PPR	0x0a0
#define LAPIC_EOI	0x0b0
#define LAPIC_RRD	0x0c0
#define LAPIC_LDR	0x0d0
#define LAPIC_DFR	0x0e0
#define LAPIC_SVR	0x0f0
#define LAPIC_ISR	0x100
#define LAPIC_TMR	0x180
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_THERM	0x330
#define LAPIC_LVT_PERF	0x340
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERR	0x370
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_CCR	0x390
#define LAPIC_TIMER_DCR	0x3e0

#define LAPIC_LVT_MASKED	(1u << 16)
#define LAPIC_SVR_ENABLE	(1u << 8)

/* ESR bits (SDM vol. 3, figure 10-9) */
#define LAPIC_ESR_SEND_VEC	(1u << 5)
#define LAPIC_ESR_RECV_VEC	(1u << 6)
#define LAPIC_ESR_REG		(1u << 7)

enum lapic_lvt { LVT_TIMER, LVT_THERM, LVT_PERF, LVT_LINT0, LVT_LINT1,
		 LVT_ERR, LVT_N };

/* What the APIC asks of its CPU (@opaque). */
enum lapic_signal {
	LAPIC_SIG_INTR,		/* a fixed interrupt may be deliverable */
	LAPIC_SIG_NMI,		/* NMI message or LINT1 in NMI mode */
	LAPIC_SIG_INIT,		/* INIT: reset into wait-for-SIPI */
	LAPIC_SIG_SIPI,		/* start-up IPI, @arg the vector */
};

struct x86_lapic_host {
	/* ICR: an IPI for the APIC bus (the router picks destinations). */
	void	(*send)(void *opaque, const struct apic_msg *m);
	/* EOI of a level-triggered vector, for the I/O APICs. */
	void	(*eoi)(void *opaque, uint8_t vector);
	void	(*signal)(void *opaque, enum lapic_signal s, uint8_t arg);
	/* the 8259 behind LINT0 (ExtINT): INTR and the INTA cycle */
	bool	(*extint_pending)(void *opaque);
	uint8_t	(*extint_ack)(void *opaque);
	void	*opaque;	/* the CPU */
};

struct x86_lapic {
	uint8_t		id;		/* APIC ID (bits 31:24 of LAPIC_ID) */
	bool		hw_enabled;	/* IA32_APIC_BASE.EN */
	bool		bsp;		/* the bootstrap processor's APIC */
	uint8_t		tpr;		/* task priority */
	uint32_t	ldr;		/* logical destination */
	uint32_t	dfr;		/* destination format */
	uint32_t	svr;		/* spurious vector, APIC enable */
	uint32_t	isr[8];		/* in service, 256 bits */
	uint32_t	tmr[8];		/* trigger mode: 1 level */
	uint32_t	irr[8];		/* requests */
	uint32_t	esr;		/* errors latched by the last ESR write */
	uint32_t	esr_pending;	/* errors since then */
	uint32_t	icr_lo, icr_hi;	/* interrupt command */
	uint32_t	lvt[LVT_N];	/* local vector table */
	uint32_t	timer_icr;	/* initial count */
	uint32_t	timer_dcr;	/* divide configuration */
	uint64_t	timer_start;	/* virtual ns the count started at */
	uint64_t	tsc_deadline;	/* IA32_TSC_DEADLINE (TSC units), 0:
					 * disarmed */
	uint64_t	deadline_ns;	/* the same instant in virtual ns */
	struct vtimer	timer;		/* next expiry */
	struct vclock	*clock;		/* the machine's virtual time */
	struct x86_lapic_host host;	/* callbacks */
};

/* Set up @l on @clk (timer armed on it), ID @id, power-on state. */
void x86_lapic_init(struct x86_lapic *l, struct vclock *clk, uint8_t id,
		    bool bsp, const struct x86_lapic_host *host);
/* Stop the timer (before freeing @l). */
void x86_lapic_fini(struct x86_lapic *l);
/* Power-on/RESET state; INIT (@init) keeps the ID and the base MSR. */
void x86_lapic_reset(struct x86_lapic *l, bool init);
/* IA32_APIC_BASE.EN changed: disabling resets the APIC. */
void x86_lapic_set_enabled(struct x86_lapic *l, bool en);

/* Register access at offset @off of the 4 KiB page (any width: the
 * 32-bit register at off & 0xff0, shifted). */
uint64_t x86_lapic_read(struct x86_lapic *l, uint64_t off, unsigned int size);
void x86_lapic_write(struct x86_lapic *l, uint64_t off, uint64_t v,
		     unsigned int size);

/* Is this APIC a destination of @m (shorthand, physical or logical)? */
/*
 * IA32_TSC_DEADLINE (SDM vol. 3, 10.5.4.1): in TSC-deadline mode (LVT timer
 * bits 18:17 = 10b) a write arms the timer for TSC @tsc, which the CPU
 * says is virtual time @ns (0 disarms); it fires once, then reads 0.  In
 * the other modes writes are ignored and reads return 0.
 */
void x86_lapic_tsc_deadline_write(struct x86_lapic *l, uint64_t tsc,
				  uint64_t ns);
uint64_t x86_lapic_tsc_deadline_read(const struct x86_lapic *l);

bool x86_lapic_match(const struct x86_lapic *l, const struct apic_msg *m);
/* Take @m (already routed here). */
void x86_lapic_accept(struct x86_lapic *l, const struct apic_msg *m);

/* INTR as the CPU sees it (own requests above PPR, or the 8259 through
 * LINT0), and the INTA cycle: the vector to deliver. */
bool x86_lapic_intr_pending(struct x86_lapic *l);
uint8_t x86_lapic_intr_ack(struct x86_lapic *l);

/* Processor priority (for the lowest-priority arbitration and tests). */
uint8_t x86_lapic_ppr(const struct x86_lapic *l);

#endif
