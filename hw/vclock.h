/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vclock.h --- the virtual clock and its timers (part of hw/hw.h)
 *
 * Devices never read the host clock: they read vclock_now() and arm vtimers.
 * A clock either follows a source callback (the run loop uses host monotonic
 * time minus paused intervals) or is manual, advanced only by vclock_advance()
 * (unit tests step it the way QEMU's qtest clock_step() does).  Timers fire
 * from vclock_run_timers()/vclock_advance() on the thread that calls them,
 * in deadline order; a callback may re-arm or delete any timer.
 */
#ifndef DUALVM_HW_VCLOCK_H
#define DUALVM_HW_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC	1000000000ULL
#define VCLOCK_NEVER	UINT64_MAX

struct vclock;

struct vtimer {
	uint64_t	deadline;	/* ns of virtual time; valid if armed */
	void		(*cb)(void *opaque);
	void		*opaque;
	struct vclock	*clock;
	struct vtimer	*next;		/* sorted pending list */
	bool		armed;
};

/*
 * Create a clock.  @source returns nanoseconds (monotonic, any origin); the
 * clock reports source() - source_at_create.  @source NULL makes a manual
 * clock starting at 0.  0 or -ENOMEM.
 */
int __attribute__((warn_unused_result))
vclock_create(uint64_t (*source)(void *opaque), void *opaque,
	      struct vclock **out);
void vclock_destroy(struct vclock *c);

/* Current virtual time in ns. */
uint64_t vclock_now(struct vclock *c);

/* Manual clocks: move time forward by @ns, firing timers as time passes them
 * (each callback sees vclock_now() equal to its deadline). */
void vclock_advance(struct vclock *c, uint64_t ns);

/* Fire every timer whose deadline is <= now.  Returns how many fired. */
unsigned int vclock_run_timers(struct vclock *c);

/* Earliest armed deadline, or VCLOCK_NEVER. */
uint64_t vclock_next_deadline(const struct vclock *c);

/* Stop (true) or restart (false) a sourced clock: time does not pass while
 * paused, so a stopped VM's devices see no jump. */
void vclock_pause(struct vclock *c, bool paused);

void vtimer_init(struct vtimer *t, struct vclock *c,
		 void (*cb)(void *opaque), void *opaque);
/* Arm (or re-arm) @t to fire at absolute virtual time @deadline. */
void vtimer_mod(struct vtimer *t, uint64_t deadline);
void vtimer_del(struct vtimer *t);
static inline bool vtimer_pending(const struct vtimer *t)
{
	return t->armed;
}

#endif
