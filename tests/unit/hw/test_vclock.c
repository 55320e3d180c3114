// SPDX-License-Identifier: GPL-2.0-only
/* test_vclock.c --- virtual clock and timer ordering of hw/vclock.c */
#include "hw/hw.h"
#include "tests/unit/harness.h"

struct rec {
	struct vclock *c;
	uint64_t at[8];
	int n;
	struct vtimer *rearm;
	uint64_t period;
};

static void cb(void *opaque)
{
	struct rec *r = opaque;

	if (r->n < 8)
		r->at[r->n] = vclock_now(r->c);
	r->n++;
	if (r->rearm)
		vtimer_mod(r->rearm, vclock_now(r->c) + r->period);
}

static void test_manual_order(void)
{
	struct vclock *c;
	struct vtimer t1, t2;
	struct rec r1 = {0}, r2 = {0};

	T_ASSERT(vclock_create(NULL, NULL, &c) == 0);
	r1.c = r2.c = c;
	vtimer_init(&t1, c, cb, &r1);
	vtimer_init(&t2, c, cb, &r2);
	vtimer_mod(&t1, 300);
	vtimer_mod(&t2, 100);
	T_EQ(vclock_next_deadline(c), 100);
	vclock_advance(c, 99);
	T_EQ(r2.n, 0);
	vclock_advance(c, 1);
	T_EQ(r2.n, 1);
	T_EQ(r2.at[0], 100);
	vclock_advance(c, 1000);
	T_EQ(r1.n, 1);
	T_EQ(r1.at[0], 300);
	T_EQ(vclock_now(c), 1100);
	T_EQ(vclock_next_deadline(c), VCLOCK_NEVER);
	vclock_destroy(c);
}

static void test_periodic_rearm(void)
{
	struct vclock *c;
	struct vtimer t;
	struct rec r = {0};

	T_ASSERT(vclock_create(NULL, NULL, &c) == 0);
	r.c = c;
	r.rearm = &t;
	r.period = 10;
	vtimer_init(&t, c, cb, &r);
	vtimer_mod(&t, 10);
	vclock_advance(c, 55);
	T_EQ(r.n, 5);
	T_EQ(r.at[4], 50);
	vtimer_del(&t);
	vclock_advance(c, 100);
	T_EQ(r.n, 5);
	vclock_destroy(c);
}

static uint64_t fake_ns;
static uint64_t src(void *opaque)
{
	return fake_ns;
}

static void test_sourced_pause(void)
{
	struct vclock *c;

	fake_ns = 1000;
	T_ASSERT(vclock_create(src, NULL, &c) == 0);
	T_EQ(vclock_now(c), 0);
	fake_ns = 1500;
	T_EQ(vclock_now(c), 500);
	vclock_pause(c, true);
	fake_ns = 9000;
	T_EQ(vclock_now(c), 500);
	vclock_pause(c, false);
	fake_ns = 9100;
	T_EQ(vclock_now(c), 600);
	vclock_destroy(c);
}

static const struct t_case cases[] = {
	T_CASE(test_manual_order),
	T_CASE(test_periodic_rearm),
	T_CASE(test_sourced_pause),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
