// SPDX-License-Identifier: GPL-2.0-only
/*
 * vclock.c --- virtual clock and timer queue
 *
 * Timers sit in one singly linked list sorted by deadline: a PC board arms a
 * handful (PIT, RTC, UART, run-loop deadline), so a list beats a heap.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "hw/vclock.h"

struct vclock {
	uint64_t	(*source)(void *opaque);	/* NULL: manual */
	void		*opaque;
	uint64_t	origin;		/* source value at virtual time 0 */
	uint64_t	manual_now;	/* manual clocks; paused sourced clocks */
	uint64_t	paused_at;	/* virtual time when paused */
	bool		paused;
	struct vtimer	*pending;	/* sorted by deadline */
	uint64_t	last_seen;	/* latest time vclock_now() returned */
	uint64_t	firing_at;	/* now as seen by a timer callback */
	bool		in_fire;	/* a sourced clock is firing timers */
};

int vclock_create(uint64_t (*source)(void *opaque), void *opaque,
		  struct vclock **out)
{
	struct vclock *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->source = source;
	c->opaque = opaque;
	if (source)
		c->origin = source(opaque);
	*out = c;
	return 0;
}

void vclock_destroy(struct vclock *c)
{
	struct vtimer *t;

	if (!c)
		return;
	for (t = c->pending; t; t = t->next)
		t->armed = false;
	free(c);
}

/*
 * A sourced clock never goes backwards, and a timer callback sees the time
 * its timer was due (or the latest time anyone has already seen, if that is
 * later): a device whose timer fires late still computes edges and pulses at
 * their true instants, as it would under a manual clock.
 */
uint64_t vclock_now(struct vclock *c)
{
	uint64_t v;

	if (!c->source)
		return c->manual_now;
	if (c->paused)
		return c->paused_at;
	if (c->in_fire)
		return c->firing_at;
	v = c->source(c->opaque) - c->origin;
	if (v < c->last_seen)
		v = c->last_seen;
	c->last_seen = v;
	return v;
}

void vclock_pause(struct vclock *c, bool paused)
{
	if (!c->source || paused == c->paused)
		return;
	if (paused) {
		c->paused_at = vclock_now(c);
		c->paused = true;
	} else {
		/* shift the origin so time resumes where it stopped */
		c->origin = c->source(c->opaque) - c->paused_at;
		c->paused = false;
	}
}

uint64_t vclock_next_deadline(const struct vclock *c)
{
	return c->pending ? c->pending->deadline : VCLOCK_NEVER;
}

static void unlink_timer(struct vtimer *t)
{
	struct vtimer **pp;

	for (pp = &t->clock->pending; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void vtimer_init(struct vtimer *t, struct vclock *c,
		 void (*cb)(void *opaque), void *opaque)
{
	t->deadline = 0;
	t->cb = cb;
	t->opaque = opaque;
	t->clock = c;
	t->next = NULL;
	t->armed = false;
}

void vtimer_mod(struct vtimer *t, uint64_t deadline)
{
	struct vtimer **pp;

	if (t->armed)
		unlink_timer(t);
	t->deadline = deadline;
	assert(t->clock && t->cb);		/* vtimer_init() ran */
	for (pp = &t->clock->pending; *pp; pp = &(*pp)->next)
		if ((*pp)->deadline > deadline)
			break;
	t->next = *pp;
	*pp = t;
	t->armed = true;
	assert(!t->next || t->next->deadline > deadline);	/* sorted */
}

void vtimer_del(struct vtimer *t)
{
	if (t->armed)
		unlink_timer(t);
}

/* Fire timers due at or before @now, one at a time (callbacks may re-arm). */
static unsigned int fire_until(struct vclock *c, uint64_t now)
{
	unsigned int fired = 0;
	struct vtimer *t;

	while ((t = c->pending) && t->deadline <= now) {
		unlink_timer(t);
		if (!c->source) {
			c->manual_now = t->deadline > c->manual_now ?
					t->deadline : c->manual_now;
			t->cb(t->opaque);
		} else {
			c->firing_at = t->deadline > c->last_seen ?
				       t->deadline : c->last_seen;
			c->in_fire = true;
			t->cb(t->opaque);
			c->in_fire = false;
		}
		fired++;
	}
	return fired;
}

unsigned int vclock_run_timers(struct vclock *c)
{
	uint64_t now;

	if (!c->source || c->paused)
		return fire_until(c, vclock_now(c));
	/* the raw time: callbacks must still see their own deadlines */
	now = c->source(c->opaque) - c->origin;
	return fire_until(c, now > c->last_seen ? now : c->last_seen);
}

void vclock_advance(struct vclock *c, uint64_t ns)
{
	uint64_t target;

	if (c->source)
		return;
	target = c->manual_now + ns;
	fire_until(c, target);
	c->manual_now = target;
}
