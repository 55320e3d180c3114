// SPDX-License-Identifier: GPL-2.0-only
/* test_lapic.c --- local APIC on a stepped clock: priorities, EOI, timer,
 * ICR, LINT0 ExtINT, destinations, INIT/SIPI/NMI, ESR */
#include <string.h>

#include "tests/unit/harness.h"
#include "vmm/x86/lapic.h"

#define MAX_SENT	8

struct la_fx {
	struct vclock	*clock;
	struct x86_lapic l;
	unsigned int	nsent;			/* ICR messages */
	struct apic_msg	sent[MAX_SENT];
	unsigned int	eois;			/* EOI broadcasts */
	uint8_t		eoi_vec;		/* the last one */
	unsigned int	sig[4];			/* signals by kind */
	uint8_t		sipi;			/* last SIPI vector */
	bool		pic_intr;		/* fake 8259 INTR */
	unsigned int	pic_acks;		/* INTA cycles on it */
};

static void f_send(void *o, const struct apic_msg *m)
{
	struct la_fx *t = o;

	if (t->nsent < MAX_SENT)
		t->sent[t->nsent] = *m;
	t->nsent++;
}

static void f_eoi(void *o, uint8_t v)
{
	struct la_fx *t = o;

	t->eois++;
	t->eoi_vec = v;
}

static void f_signal(void *o, enum lapic_signal s, uint8_t arg)
{
	struct la_fx *t = o;

	t->sig[s]++;
	if (s == LAPIC_SIG_SIPI)
		t->sipi = arg;
}

static bool f_pic_pending(void *o)
{
	return ((struct la_fx *)o)->pic_intr;
}

static uint8_t f_pic_ack(void *o)
{
	struct la_fx *t = o;

	t->pic_acks++;
	t->pic_intr = false;
	return 0x08;
}

static void setup(struct la_fx *t, uint8_t id)
{
	memset(t, 0, sizeof(*t));
	T_ASSERT(vclock_create(NULL, NULL, &t->clock) == 0);
	x86_lapic_init(&t->l, t->clock, id, id == 0, &(struct x86_lapic_host){
		.send = f_send, .eoi = f_eoi, .signal = f_signal,
		.extint_pending = f_pic_pending, .extint_ack = f_pic_ack,
		.opaque = t });
}

static void teardown(struct la_fx *t)
{
	x86_lapic_fini(&t->l);
	vclock_destroy(t->clock);
}

static uint32_t rd(struct la_fx *t, unsigned int reg)
{
	return (uint32_t)x86_lapic_read(&t->l, reg, 4);
}

static void wr(struct la_fx *t, unsigned int reg, uint32_t v)
{
	x86_lapic_write(&t->l, reg, v, 4);
}

static void fixed(struct la_fx *t, uint8_t vec, bool level)
{
	struct apic_msg m = { .vector = vec, .mode = APIC_DM_FIXED,
			      .level = level, .assert = true };

	x86_lapic_accept(&t->l, &m);
}

static void test_lapic_reset_values(void)
{
	struct la_fx t;
	unsigned int r;

	setup(&t, 3);
	T_EQ(rd(&t, LAPIC_ID), 3u << 24);
	T_EQ(rd(&t, LAPIC_VER), 0x00050014);
	T_EQ(rd(&t, LAPIC_DFR), 0xffffffff);
	T_EQ(rd(&t, LAPIC_SVR), 0xff);
	T_EQ(rd(&t, LAPIC_TPR), 0);
	for (r = LAPIC_LVT_TIMER; r <= LAPIC_LVT_ERR; r += 0x10)
		T_EQ(rd(&t, r), LAPIC_LVT_MASKED);
	/* byte and word reads of a register */
	T_EQ(x86_lapic_read(&t.l, LAPIC_VER + 2, 1), 0x05);
	T_EQ(x86_lapic_read(&t.l, LAPIC_VER, 2), 0x0014);
	/* software disabled: fixed interrupts are not accepted, and LVT
	 * writes keep the mask */
	fixed(&t, 0x40, false);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	wr(&t, LAPIC_LVT_LINT0, 0x700);
	T_EQ(rd(&t, LAPIC_LVT_LINT0), 0x10700);
	teardown(&t);
}

static void test_lapic_priority_eoi(void)
{
	struct la_fx t;

	setup(&t, 0);
	wr(&t, LAPIC_SVR, 0x1ff);
	fixed(&t, 0x31, false);
	fixed(&t, 0x52, true);			/* level: TMR set */
	T_EQ(rd(&t, LAPIC_IRR + 0x10), 1u << 17);	/* 0x31 */
	T_EQ(rd(&t, LAPIC_IRR + 0x20), 1u << 18);	/* 0x52 */
	T_EQ(rd(&t, LAPIC_TMR + 0x20), 1u << 18);
	T_ASSERT(t.sig[LAPIC_SIG_INTR] >= 2);
	/* TPR 0x50 blocks class 5 and below */
	wr(&t, LAPIC_TPR, 0x50);
	T_EQ(rd(&t, LAPIC_PPR), 0x50);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	wr(&t, LAPIC_TPR, 0x40);
	T_ASSERT(x86_lapic_intr_pending(&t.l));
	T_EQ(x86_lapic_intr_ack(&t.l), 0x52);
	T_EQ(rd(&t, LAPIC_ISR + 0x20), 1u << 18);
	T_EQ(rd(&t, LAPIC_PPR), 0x50);		/* ISRV class above TPR */
	T_ASSERT(!x86_lapic_intr_pending(&t.l));	/* 0x31 is below */
	/* a higher class nests */
	fixed(&t, 0x61, false);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x61);
	wr(&t, LAPIC_EOI, 0);			/* 0x61: edge, no broadcast */
	T_EQ(t.eois, 0);
	wr(&t, LAPIC_EOI, 0);			/* 0x52: level -> broadcast */
	T_EQ(t.eois, 1);
	T_EQ(t.eoi_vec, 0x52);
	T_EQ(rd(&t, LAPIC_PPR), 0x40);
	wr(&t, LAPIC_TPR, 0);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x31);
	wr(&t, LAPIC_EOI, 0);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	/* nothing deliverable at INTA: the spurious vector */
	T_EQ(x86_lapic_intr_ack(&t.l), 0xff);
	teardown(&t);
}

static void test_lapic_timer(void)
{
	struct la_fx t;

	setup(&t, 0);
	wr(&t, LAPIC_SVR, 0x1ff);
	wr(&t, LAPIC_TIMER_DCR, 0x3);		/* divide by 16 */
	wr(&t, LAPIC_LVT_TIMER, 0x40);		/* one-shot, vector 0x40 */
	wr(&t, LAPIC_TIMER_ICR, 1000);		/* 16000 ns */
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 1000);
	vclock_advance(t.clock, 8000);
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 500);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	vclock_advance(t.clock, 8000);
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 0);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x40);
	wr(&t, LAPIC_EOI, 0);
	vclock_advance(t.clock, 100000);	/* one-shot: once */
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	T_EQ(rd(&t, LAPIC_TIMER_ICR), 1000);
	/* periodic, divide by 1 (DCR 0xb) */
	wr(&t, LAPIC_TIMER_DCR, 0xb);
	wr(&t, LAPIC_LVT_TIMER, 0x20041);
	wr(&t, LAPIC_TIMER_ICR, 20000);
	vclock_advance(t.clock, 50000);
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 10000);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x41);	/* IRR holds one */
	wr(&t, LAPIC_EOI, 0);
	vclock_advance(t.clock, 20000);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x41);
	wr(&t, LAPIC_EOI, 0);
	/* a tiny period: the count is exact, expiries at most every
	 * LAPIC_MIN_PERIOD_NS */
	wr(&t, LAPIC_TIMER_ICR, 100);
	vclock_advance(t.clock, 250);
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 50);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x41);
	wr(&t, LAPIC_EOI, 0);
	T_ASSERT(vclock_next_deadline(t.clock) >=
		 vclock_now(t.clock) + LAPIC_MIN_PERIOD_NS - 250);
	vclock_advance(t.clock, LAPIC_MIN_PERIOD_NS);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x41);
	wr(&t, LAPIC_EOI, 0);
	/* masked: counts but does not interrupt */
	wr(&t, LAPIC_LVT_TIMER, 0x30041);
	vclock_advance(t.clock, 1000);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	T_ASSERT(rd(&t, LAPIC_TIMER_CCR) > 0);
	/* a zero initial count stops it */
	wr(&t, LAPIC_LVT_TIMER, 0x20041);
	wr(&t, LAPIC_TIMER_ICR, 0);
	vclock_advance(t.clock, 1000);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 0);
	T_EQ(vclock_next_deadline(t.clock), VCLOCK_NEVER);
	teardown(&t);
}

/* TSC-deadline mode (SDM 10.5.4.1): fires once at the deadline, then the
 * MSR reads 0; TMICT ignored and TMCCT 0 in this mode; writes to the MSR
 * ignored in the other modes; a mode change disarms */
static void test_lapic_tsc_deadline(void)
{
	struct la_fx t;

	setup(&t, 0);
	wr(&t, LAPIC_SVR, 0x1ff);
	wr(&t, LAPIC_LVT_TIMER, 0x42);		/* one-shot */
	x86_lapic_tsc_deadline_write(&t.l, 5000, 5000);
	T_EQ(x86_lapic_tsc_deadline_read(&t.l), 0);	/* ignored */
	T_EQ(vclock_next_deadline(t.clock), VCLOCK_NEVER);
	wr(&t, LAPIC_TIMER_ICR, 1000);
	wr(&t, LAPIC_LVT_TIMER, 0x40042);	/* TSC-deadline: disarms */
	T_EQ(vclock_next_deadline(t.clock), VCLOCK_NEVER);
	T_EQ(rd(&t, LAPIC_TIMER_ICR), 0);
	wr(&t, LAPIC_TIMER_ICR, 1000);		/* ignored */
	T_EQ(rd(&t, LAPIC_TIMER_ICR), 0);
	T_EQ(rd(&t, LAPIC_TIMER_CCR), 0);
	x86_lapic_tsc_deadline_write(&t.l, 123456, 7000);
	T_EQ(x86_lapic_tsc_deadline_read(&t.l), 123456);
	vclock_advance(t.clock, 6999);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	vclock_advance(t.clock, 1);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x42);
	wr(&t, LAPIC_EOI, 0);
	T_EQ(x86_lapic_tsc_deadline_read(&t.l), 0);	/* fired: reads 0 */
	vclock_advance(t.clock, 100000);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));	/* once */
	/* re-armed, then moved back, then disarmed by writing 0 */
	x86_lapic_tsc_deadline_write(&t.l, 1, vclock_now(t.clock) + 5000);
	x86_lapic_tsc_deadline_write(&t.l, 2, vclock_now(t.clock) + 1000);
	vclock_advance(t.clock, 1000);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x42);
	wr(&t, LAPIC_EOI, 0);
	x86_lapic_tsc_deadline_write(&t.l, 3, vclock_now(t.clock) + 1000);
	x86_lapic_tsc_deadline_write(&t.l, 0, 0);
	vclock_advance(t.clock, 100000);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	/* leaving the mode disarms an armed deadline */
	x86_lapic_tsc_deadline_write(&t.l, 4, vclock_now(t.clock) + 1000);
	wr(&t, LAPIC_LVT_TIMER, 0x42);
	T_EQ(x86_lapic_tsc_deadline_read(&t.l), 0);
	vclock_advance(t.clock, 100000);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	teardown(&t);
}

static void test_lapic_icr_esr(void)
{
	struct la_fx t;

	setup(&t, 2);
	wr(&t, LAPIC_SVR, 0x1ff);
	wr(&t, LAPIC_ICR_HI, 0x05000000);
	wr(&t, LAPIC_ICR_LO, 0x00004633);	/* SIPI vector 0x33 to 5 */
	T_EQ(t.nsent, 1);
	T_EQ(t.sent[0].mode, APIC_DM_STARTUP);
	T_EQ(t.sent[0].vector, 0x33);
	T_EQ(t.sent[0].dest, 5);
	T_EQ(t.sent[0].src, 2);
	T_ASSERT(!t.sent[0].logical && t.sent[0].assert);
	T_EQ(rd(&t, LAPIC_ICR_LO), 0x4633);	/* delivery status idle */
	wr(&t, LAPIC_ICR_LO, 0x000c4500);	/* INIT to all but self */
	T_EQ(t.sent[1].shorthand, APIC_SH_OTHERS);
	T_EQ(t.sent[1].mode, APIC_DM_INIT);
	wr(&t, LAPIC_ICR_LO, 0x00040850);	/* fixed 0x50, self, logical */
	T_EQ(t.sent[2].shorthand, APIC_SH_SELF);
	T_ASSERT(!t.sent[2].level);
	/* an illegal vector is not sent; ESR latches it on the next write */
	wr(&t, LAPIC_LVT_ERR, 0xfe);
	wr(&t, LAPIC_ICR_LO, 0x0000000f);
	T_EQ(t.nsent, 3);
	T_EQ(rd(&t, LAPIC_ESR), 0);
	wr(&t, LAPIC_ESR, 0);
	T_EQ(rd(&t, LAPIC_ESR), LAPIC_ESR_SEND_VEC);
	T_EQ(x86_lapic_intr_ack(&t.l), 0xfe);	/* the LVT error interrupt */
	wr(&t, LAPIC_EOI, 0);
	fixed(&t, 0x05, false);			/* received illegal vector */
	wr(&t, LAPIC_ESR, 0);
	T_EQ(rd(&t, LAPIC_ESR), LAPIC_ESR_RECV_VEC);
	wr(&t, LAPIC_ESR, 0);
	T_EQ(rd(&t, LAPIC_ESR), 0);
	teardown(&t);
}

static void test_lapic_extint(void)
{
	struct la_fx t;

	setup(&t, 0);
	t.pic_intr = true;
	/* LINT0 masked at reset: the 8259 does not get through */
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	/* virtual wire mode, as firmware sets it */
	wr(&t, LAPIC_SVR, 0x1ff);
	wr(&t, LAPIC_LVT_LINT0, 0x700);
	wr(&t, LAPIC_LVT_LINT1, 0x400);
	T_ASSERT(x86_lapic_intr_pending(&t.l));
	T_EQ(x86_lapic_intr_ack(&t.l), 0x08);
	T_EQ(t.pic_acks, 1);
	T_EQ(rd(&t, LAPIC_ISR), 0);		/* ExtINT: no ISR bit */
	/* the APIC's own requests come first */
	t.pic_intr = true;
	fixed(&t, 0x30, false);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x30);
	T_EQ(x86_lapic_intr_ack(&t.l), 0x08);
	wr(&t, LAPIC_EOI, 0);
	/* software disable masks LINT0 */
	t.pic_intr = true;
	wr(&t, LAPIC_SVR, 0xff);
	T_EQ(rd(&t, LAPIC_LVT_LINT0), 0x10700);
	T_ASSERT(!x86_lapic_intr_pending(&t.l));
	/* globally disabled (IA32_APIC_BASE.EN = 0): INTR is the 8259's */
	x86_lapic_set_enabled(&t.l, false);
	T_ASSERT(x86_lapic_intr_pending(&t.l));
	T_EQ(x86_lapic_intr_ack(&t.l), 0x08);
	T_ASSERT(!x86_lapic_match(&t.l, &(struct apic_msg){
		.dest = 0xff, .mode = APIC_DM_FIXED }));
	teardown(&t);
}

static void test_lapic_destinations(void)
{
	struct la_fx t;
	struct apic_msg m = { .mode = APIC_DM_FIXED };

	setup(&t, 4);
	m.dest = 4;
	T_ASSERT(x86_lapic_match(&t.l, &m));
	m.dest = 5;
	T_ASSERT(!x86_lapic_match(&t.l, &m));
	m.dest = 0xff;
	T_ASSERT(x86_lapic_match(&t.l, &m));
	/* logical, flat model */
	wr(&t, LAPIC_LDR, 0x10000000);
	m.logical = true;
	m.dest = 0x30;
	T_ASSERT(x86_lapic_match(&t.l, &m));
	m.dest = 0x20;
	T_ASSERT(!x86_lapic_match(&t.l, &m));
	/* cluster model: cluster 1, member bit 2 */
	wr(&t, LAPIC_DFR, 0x0fffffff);
	T_EQ(rd(&t, LAPIC_DFR), 0x0fffffff);
	wr(&t, LAPIC_LDR, 0x12000000);
	m.dest = 0x13;
	T_ASSERT(x86_lapic_match(&t.l, &m));
	m.dest = 0x23;
	T_ASSERT(!x86_lapic_match(&t.l, &m));
	/* shorthands name the sender */
	m = (struct apic_msg){ .shorthand = APIC_SH_SELF, .src = 4 };
	T_ASSERT(x86_lapic_match(&t.l, &m));
	m.shorthand = APIC_SH_OTHERS;
	T_ASSERT(!x86_lapic_match(&t.l, &m));
	m.src = 1;
	T_ASSERT(x86_lapic_match(&t.l, &m));
	teardown(&t);
}

static void test_lapic_init_sipi_nmi(void)
{
	struct la_fx t;

	setup(&t, 1);
	/* NMI, INIT and SIPI are taken even while software disabled */
	x86_lapic_accept(&t.l, &(struct apic_msg){ .mode = APIC_DM_NMI });
	T_EQ(t.sig[LAPIC_SIG_NMI], 1);
	x86_lapic_accept(&t.l, &(struct apic_msg){ .mode = APIC_DM_INIT,
		.level = true, .assert = true });
	T_EQ(t.sig[LAPIC_SIG_INIT], 1);
	x86_lapic_accept(&t.l, &(struct apic_msg){ .mode = APIC_DM_INIT,
		.level = true, .assert = false });	/* de-assert: nothing */
	T_EQ(t.sig[LAPIC_SIG_INIT], 1);
	x86_lapic_accept(&t.l, &(struct apic_msg){ .mode = APIC_DM_STARTUP,
		.vector = 0x9a });
	T_EQ(t.sig[LAPIC_SIG_SIPI], 1);
	T_EQ(t.sipi, 0x9a);
	/* LINT1 in NMI mode */
	wr(&t, LAPIC_SVR, 0x1ff);
	wr(&t, LAPIC_LVT_LINT1, 0x400);
	T_EQ(rd(&t, LAPIC_LVT_LINT1), 0x400);
	/* INIT reset keeps the ID */
	wr(&t, LAPIC_TPR, 0x20);
	x86_lapic_reset(&t.l, true);
	T_EQ(rd(&t, LAPIC_TPR), 0);
	T_EQ(rd(&t, LAPIC_ID), 1u << 24);
	T_EQ(rd(&t, LAPIC_SVR), 0xff);
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_lapic_reset_values),
	T_CASE(test_lapic_priority_eoi),
	T_CASE(test_lapic_timer),
	T_CASE(test_lapic_tsc_deadline),
	T_CASE(test_lapic_icr_esr),
	T_CASE(test_lapic_extint),
	T_CASE(test_lapic_destinations),
	T_CASE(test_lapic_init_sipi_nmi),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
