// SPDX-License-Identifier: GPL-2.0-only
/*
 * lapic.c --- local APIC: priorities, LVTs, timer, ICR, EOI
 *
 * Facts from SDM vol. 3, chapter 10 (sections cited per function):
 *   - IRR/ISR/TMR are 256-bit sets of vectors; vectors 0-15 are illegal.
 *   - PPR = TPR when TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0 (10.8.3.1);
 *     an IRR vector is delivered when its class exceeds PPR[7:4].
 *   - EOI clears the highest ISR bit; a level-triggered vector (TMR set)
 *     is broadcast to the I/O APICs (10.8.5).
 *   - SVR bit 8 clear (software disabled): LVT masks forced set, fixed
 *     interrupts not accepted, NMI/INIT/SIPI still are (10.4.7.2).
 *   - Timer: the initial count counts down at the bus clock / divide
 *     (DCR bits 3,1:0: 2, 4, 8, 16, 32, 64, 128, 1); one-shot stops at 0,
 *     periodic reloads (10.5.4).  TSC-deadline mode (10.5.4.1): the timer
 *     fires once when the TSC reaches IA32_TSC_DEADLINE, which then reads
 *     0; the initial count is ignored and the current count reads 0; a
 *     write to the LVT that changes the mode disarms the timer.
 *   - ESR: errors accumulate and are latched into ESR by a write to it;
 *     an error raises the LVT error interrupt (10.5.3).
 * Reset: every LVT masked (10.4.7.1), as QEMU does since it stopped
 * presetting LINT0; the firmware puts the BSP in "virtual wire" mode (LINT0
 * ExtINT, LINT1 NMI) so the 8259 reaches the CPU, or clears
 * IA32_APIC_BASE.EN, which hands INTR straight to the 8259.
 */
#include <string.h>

#include "vmm/x86/lapic.h"

#define LVT_VEC(v)	((v) & 0xffu)
#define LVT_DM(v)	((v) >> 8 & 7u)
#define TIMER_MODE(v)	((v) >> 17 & 3u)	/* 0 one-shot, 1 periodic,
						 * 2 TSC-deadline */
#define MODE_TSC_DEADLINE	2u

/* writable bits of each LVT (vector, delivery mode, polarity, trigger,
 * mask, timer mode) */
static const uint32_t lvt_writable[LVT_N] = {
	[LVT_TIMER] = 0x000700ffu | LAPIC_LVT_MASKED,	/* 18:17 mode */
	[LVT_THERM] = 0x000007ffu | LAPIC_LVT_MASKED,
	[LVT_PERF]  = 0x000007ffu | LAPIC_LVT_MASKED,
	[LVT_LINT0] = 0x0000a7ffu | LAPIC_LVT_MASKED,
	[LVT_LINT1] = 0x0000a7ffu | LAPIC_LVT_MASKED,
	[LVT_ERR]   = 0x000000ffu | LAPIC_LVT_MASKED,
};

static bool vec_test(const uint32_t *set, unsigned int v)
{
	return set[v >> 5] >> (v & 31) & 1;
}

static void vec_set(uint32_t *set, unsigned int v, bool on)
{
	if (on)
		set[v >> 5] |= 1u << (v & 31);
	else
		set[v >> 5] &= ~(1u << (v & 31));
}

/* highest vector in @set, or -1 */
static int vec_highest(const uint32_t *set)
{
	for (int i = 7; i >= 0; i--)
		if (set[i])
			return i * 32 + 31 - __builtin_clz(set[i]);
	return -1;
}

static bool sw_enabled(const struct x86_lapic *l)
{
	return l->svr & LAPIC_SVR_ENABLE;
}

uint8_t x86_lapic_ppr(const struct x86_lapic *l)
{
	int isrv = vec_highest(l->isr);

	if (isrv < 0 || (l->tpr & 0xf0) >= (isrv & 0xf0))
		return l->tpr;
	return (uint8_t)(isrv & 0xf0);
}

static void signal(struct x86_lapic *l, enum lapic_signal s, uint8_t arg)
{
	if (l->host.signal)
		l->host.signal(l->host.opaque, s, arg);
}

/* a fixed interrupt arrives (10.8.3): illegal vectors are errors */
static void set_irq(struct x86_lapic *l, unsigned int vec, bool level);

static void error(struct x86_lapic *l, uint32_t bits)
{
	uint32_t lvt = l->lvt[LVT_ERR];

	l->esr_pending |= bits;
	if (!(lvt & LAPIC_LVT_MASKED) && LVT_VEC(lvt) >= 16)
		set_irq(l, LVT_VEC(lvt), false);
}

static void set_irq(struct x86_lapic *l, unsigned int vec, bool level)
{
	if (vec < 16) {
		error(l, LAPIC_ESR_RECV_VEC);
		return;
	}
	vec_set(l->irr, vec, true);
	vec_set(l->tmr, vec, level);
	signal(l, LAPIC_SIG_INTR, 0);
}

/* an LVT entry fires (timer, error, LINT1): its delivery mode */
static void lvt_fire(struct x86_lapic *l, enum lapic_lvt i)
{
	uint32_t v = l->lvt[i];

	if (v & LAPIC_LVT_MASKED)
		return;
	switch (LVT_DM(v)) {
	case APIC_DM_NMI:
		signal(l, LAPIC_SIG_NMI, 0);
		break;
	case APIC_DM_FIXED:
		set_irq(l, LVT_VEC(v), i >= LVT_LINT0 && i <= LVT_LINT1 &&
			(v & (1u << 15)));
		break;
	}
}

/* ------------------------------------------------------------ timer */

static uint64_t tick_ns(const struct x86_lapic *l)
{
	unsigned int d = (l->timer_dcr & 3) | (l->timer_dcr >> 1 & 4);

	return (uint64_t)LAPIC_BUS_NS << (d == 7 ? 0 : d + 1);
}

static uint32_t timer_ccr(struct x86_lapic *l)
{
	uint64_t ticks;

	if (!l->timer_icr || TIMER_MODE(l->lvt[LVT_TIMER]) == MODE_TSC_DEADLINE)
		return 0;
	ticks = (vclock_now(l->clock) - l->timer_start) / tick_ns(l);
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == 1)
		return l->timer_icr - (uint32_t)(ticks % l->timer_icr);
	return ticks >= l->timer_icr ? 0 : l->timer_icr - (uint32_t)ticks;
}

/* arm the vtimer for the next zero crossing, if any */
static void timer_arm(struct x86_lapic *l)
{
	uint64_t period = (uint64_t)l->timer_icr * tick_ns(l);
	uint64_t now = vclock_now(l->clock), end = l->timer_start + period;

	if (TIMER_MODE(l->lvt[LVT_TIMER]) == MODE_TSC_DEADLINE) {
		if (l->tsc_deadline)
			vtimer_mod(&l->timer, l->deadline_ns);
		else
			vtimer_del(&l->timer);
		return;
	}
	if (!l->timer_icr) {
		vtimer_del(&l->timer);
		return;
	}
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == 1 && end <= now)
		end += (now - end) / period * period + period;
	if (end <= now && TIMER_MODE(l->lvt[LVT_TIMER]) != 1) {
		vtimer_del(&l->timer);		/* one-shot already expired */
		return;
	}
	vtimer_mod(&l->timer, end);
}

static void timer_cb(void *opaque)
{
	struct x86_lapic *l = opaque;
	uint64_t period = (uint64_t)l->timer_icr * tick_ns(l);

	if (TIMER_MODE(l->lvt[LVT_TIMER]) == MODE_TSC_DEADLINE) {
		l->tsc_deadline = 0;		/* fires once, then reads 0 */
		lvt_fire(l, LVT_TIMER);
		return;
	}
	lvt_fire(l, LVT_TIMER);
	if (TIMER_MODE(l->lvt[LVT_TIMER]) == 1 && period) {
		uint64_t now = vclock_now(l->clock);

		uint64_t next;

		/* periods missed while the host was slow are dropped */
		l->timer_start = now - (now - l->timer_start) % period;
		next = l->timer_start + period;
		/* IRR holds one request per vector: a faster timer than
		 * LAPIC_MIN_PERIOD_NS only costs host time (CCR still reads
		 * the exact count) */
		if (next < now + LAPIC_MIN_PERIOD_NS)
			next = l->timer_start + (LAPIC_MIN_PERIOD_NS + period - 1) /
				period * period;
		vtimer_mod(&l->timer, next);
	}
}

void x86_lapic_tsc_deadline_write(struct x86_lapic *l, uint64_t tsc,
				  uint64_t ns)
{
	if (TIMER_MODE(l->lvt[LVT_TIMER]) != MODE_TSC_DEADLINE)
		return;
	l->tsc_deadline = tsc;
	l->deadline_ns = ns;
	timer_arm(l);
}

uint64_t x86_lapic_tsc_deadline_read(const struct x86_lapic *l)
{
	return TIMER_MODE(l->lvt[LVT_TIMER]) == MODE_TSC_DEADLINE ?
	       l->tsc_deadline : 0;
}

/* ------------------------------------------------------------ lifecycle */

void x86_lapic_init(struct x86_lapic *l, struct vclock *clk, uint8_t id,
		    bool bsp, const struct x86_lapic_host *host)
{
	memset(l, 0, sizeof(*l));
	l->clock = clk;
	l->id = id;
	l->bsp = bsp;
	l->host = *host;
	l->hw_enabled = true;
	vtimer_init(&l->timer, clk, timer_cb, l);
	x86_lapic_reset(l, false);
}

void x86_lapic_fini(struct x86_lapic *l)
{
	vtimer_del(&l->timer);
}

void x86_lapic_reset(struct x86_lapic *l, bool init)
{
	unsigned int i;

	vtimer_del(&l->timer);
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (i = 0; i < LVT_N; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	l->timer_icr = l->timer_dcr = 0;
	l->timer_start = 0;
	l->tsc_deadline = l->deadline_ns = 0;
	if (!init)
		l->hw_enabled = true;
}

void x86_lapic_set_enabled(struct x86_lapic *l, bool en)
{
	if (l->hw_enabled && !en)
		x86_lapic_reset(l, true);
	l->hw_enabled = en;
	signal(l, LAPIC_SIG_INTR, 0);
}

/* ------------------------------------------------------------ delivery */

bool x86_lapic_match(const struct x86_lapic *l, const struct apic_msg *m)
{
	uint8_t ldr = (uint8_t)(l->ldr >> 24);

	if (!l->hw_enabled)
		return false;
	switch (m->shorthand) {
	case APIC_SH_SELF:
		return m->src == l->id;
	case APIC_SH_ALL:
		return true;
	case APIC_SH_OTHERS:
		return m->src != l->id;
	}
	if (!m->logical)
		return m->dest == APIC_BROADCAST || m->dest == l->id;
	if (m->dest == 0xff)
		return true;
	if ((l->dfr >> 28) == 0xf)			/* flat model */
		return (ldr & m->dest) != 0;
	return (ldr >> 4) == (m->dest >> 4) &&		/* cluster model */
	       (ldr & m->dest & 0xf) != 0;
}

void x86_lapic_accept(struct x86_lapic *l, const struct apic_msg *m)
{
	if (!l->hw_enabled)
		return;
	switch (m->mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (sw_enabled(l))
			set_irq(l, m->vector, m->level);
		break;
	case APIC_DM_NMI:
		signal(l, LAPIC_SIG_NMI, 0);
		break;
	case APIC_DM_INIT:
		if (m->level && !m->assert)
			break;			/* INIT level de-assert */
		signal(l, LAPIC_SIG_INIT, 0);
		break;
	case APIC_DM_STARTUP:
		signal(l, LAPIC_SIG_SIPI, m->vector);
		break;
	default:				/* SMI, ExtINT: not modelled */
		break;
	}
}

/* the IRR vector to deliver now, or -1 */
static int deliverable(const struct x86_lapic *l)
{
	int v = vec_highest(l->irr);

	if (v < 0 || (v & 0xf0) <= (x86_lapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

/* LINT0 in ExtINT mode passes the 8259's INTR */
static bool extint_open(const struct x86_lapic *l)
{
	uint32_t v = l->lvt[LVT_LINT0];

	return !(v & LAPIC_LVT_MASKED) && LVT_DM(v) == APIC_DM_EXTINT;
}

bool x86_lapic_intr_pending(struct x86_lapic *l)
{
	bool pic = l->host.extint_pending &&
		   l->host.extint_pending(l->host.opaque);

	if (!l->hw_enabled)
		return pic;
	return deliverable(l) >= 0 || (pic && extint_open(l));
}

uint8_t x86_lapic_intr_ack(struct x86_lapic *l)
{
	int v;

	if (!l->hw_enabled)
		return l->host.extint_ack(l->host.opaque);
	v = deliverable(l);
	if (v >= 0) {
		vec_set(l->irr, v, false);
		vec_set(l->isr, v, true);
		return (uint8_t)v;
	}
	if (extint_open(l) && l->host.extint_pending(l->host.opaque))
		return l->host.extint_ack(l->host.opaque);
	return (uint8_t)(l->svr & 0xff);	/* spurious (10.9) */
}

/* ------------------------------------------------------------ registers */

static void eoi(struct x86_lapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_set(l->isr, v, false);
	if (vec_test(l->tmr, v) && l->host.eoi)
		l->host.eoi(l->host.opaque, (uint8_t)v);
	signal(l, LAPIC_SIG_INTR, 0);
}

static void icr_send(struct x86_lapic *l)
{
	struct apic_msg m = {
		.vector = (uint8_t)(l->icr_lo & 0xff),
		.mode = (uint8_t)(l->icr_lo >> 8 & 7),
		.logical = (l->icr_lo >> 11) & 1,
		.assert = (l->icr_lo >> 14) & 1,
		.level = (l->icr_lo >> 15) & 1,
		.shorthand = (uint8_t)(l->icr_lo >> 18 & 3),
		.dest = (uint8_t)(l->icr_hi >> 24),
		.src = l->id,
	};

	if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) &&
	    m.vector < 16) {
		error(l, LAPIC_ESR_SEND_VEC);
		return;
	}
	if (m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST)
		m.level = false;	/* edge: the TMR bit stays clear */
	if (l->host.send)
		l->host.send(l->host.opaque, &m);
}

static uint32_t reg_read(struct x86_lapic *l, unsigned int r)
{
	switch (r) {
	case LAPIC_ID:		return (uint32_t)l->id << 24;
	case LAPIC_VER:		return LAPIC_VERSION;
	case LAPIC_TPR:		return l->tpr;
	case LAPIC_APR:		return 0;
	case LAPIC_PPR:		return x86_lapic_ppr(l);
	case LAPIC_LDR:		return l->ldr;
	case LAPIC_DFR:		return l->dfr;
	case LAPIC_SVR:		return l->svr;
	case LAPIC_ESR:		return l->esr;
	case LAPIC_ICR_LO:	return l->icr_lo;	/* delivery status 0 */
	case LAPIC_ICR_HI:	return l->icr_hi;
	case LAPIC_TIMER_ICR:	return l->timer_icr;
	case LAPIC_TIMER_CCR:	return timer_ccr(l);
	case LAPIC_TIMER_DCR:	return l->timer_dcr;
	}
	if (r >= LAPIC_ISR && r < LAPIC_ISR + 0x80)
		return l->isr[(r - LAPIC_ISR) >> 4];
	if (r >= LAPIC_TMR && r < LAPIC_TMR + 0x80)
		return l->tmr[(r - LAPIC_TMR) >> 4];
	if (r >= LAPIC_IRR && r < LAPIC_IRR + 0x80)
		return l->irr[(r - LAPIC_IRR) >> 4];
	if (r >= LAPIC_LVT_TIMER && r <= LAPIC_LVT_ERR)
		return l->lvt[(r - LAPIC_LVT_TIMER) >> 4];
	return 0;
}

static void lvt_write(struct x86_lapic *l, enum lapic_lvt i, uint32_t v)
{
	uint32_t old_mode = TIMER_MODE(l->lvt[LVT_TIMER]);

	v &= lvt_writable[i];
	if (!sw_enabled(l))
		v |= LAPIC_LVT_MASKED;
	l->lvt[i] = (l->lvt[i] & ~lvt_writable[i]) | v;
	if (i == LVT_TIMER && TIMER_MODE(v) != old_mode) {
		/* into or out of TSC-deadline mode: disarmed (10.5.4.1) */
		if (old_mode == MODE_TSC_DEADLINE ||
		    TIMER_MODE(v) == MODE_TSC_DEADLINE) {
			l->tsc_deadline = l->deadline_ns = 0;
			l->timer_icr = 0;
		}
		timer_arm(l);
	}
	if (i == LVT_LINT0)
		signal(l, LAPIC_SIG_INTR, 0);
}

static void reg_write(struct x86_lapic *l, unsigned int r, uint32_t v)
{
	unsigned int i;

	switch (r) {
	case LAPIC_ID:
		l->id = (uint8_t)(v >> 24);
		return;
	case LAPIC_TPR:
		l->tpr = (uint8_t)v;
		signal(l, LAPIC_SIG_INTR, 0);
		return;
	case LAPIC_EOI:
		eoi(l);
		return;
	case LAPIC_LDR:
		l->ldr = v & 0xff000000u;
		return;
	case LAPIC_DFR:
		l->dfr = v | 0x0fffffffu;
		return;
	case LAPIC_SVR:
		l->svr = v & 0x1ffu;
		if (!sw_enabled(l))
			for (i = 0; i < LVT_N; i++)
				l->lvt[i] |= LAPIC_LVT_MASKED;
		signal(l, LAPIC_SIG_INTR, 0);
		return;
	case LAPIC_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return;
	case LAPIC_ICR_LO:
		l->icr_lo = v & 0x000ccfffu;
		icr_send(l);
		return;
	case LAPIC_ICR_HI:
		l->icr_hi = v & 0xff000000u;
		return;
	case LAPIC_TIMER_ICR:
		if (TIMER_MODE(l->lvt[LVT_TIMER]) == MODE_TSC_DEADLINE)
			return;			/* ignored in this mode */
		l->timer_icr = v;
		l->timer_start = vclock_now(l->clock);
		timer_arm(l);
		return;
	case LAPIC_TIMER_DCR: {
		uint32_t ccr = timer_ccr(l);

		l->timer_dcr = v & 0xb;
		/* keep the current count, continue at the new rate */
		if (l->timer_icr && ccr) {
			l->timer_start = vclock_now(l->clock) -
				(uint64_t)(l->timer_icr - ccr) * tick_ns(l);
			timer_arm(l);
		}
		return;
	}
	case LAPIC_VER: case LAPIC_APR: case LAPIC_PPR: case LAPIC_RRD:
		return;					/* read only */
	}
	if (r >= LAPIC_LVT_TIMER && r <= LAPIC_LVT_ERR) {
		lvt_write(l, (r - LAPIC_LVT_TIMER) >> 4, v);
		return;
	}
	if (r >= LAPIC_ISR && r < LAPIC_IRR + 0x80)
		return;					/* read only */
	error(l, LAPIC_ESR_REG);
}

uint64_t x86_lapic_read(struct x86_lapic *l, uint64_t off, unsigned int size)
{
	uint64_t v = reg_read(l, (unsigned int)off & 0xff0);

	v >>= 8 * (off & 3);
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

void x86_lapic_write(struct x86_lapic *l, uint64_t off, uint64_t v,
		     unsigned int size)
{
	reg_write(l, (unsigned int)off & 0xff0, (uint32_t)v);
}
