/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dev_fixture.h --- qtest-style fixture shared by the device unit tests
 *
 * A manual virtual clock, a private port space and fake IRQ lines that
 * record their level and count rising edges (with the virtual time of the
 * last one).  Tests create a device through its descriptor (fx_dev()),
 * drive it only through iospace_read/iospace_write and step time with
 * vclock_advance().
 */
#ifndef DUALVM_TESTS_DEV_FIXTURE_H
#define DUALVM_TESTS_DEV_FIXTURE_H

#include <errno.h>

#include "devices/devices.h"
#include "tests/unit/harness.h"

#define FX_MAX_EDGES	64

struct fx_irq {
	int		level;		/* current level */
	unsigned int	rises;		/* rising edges so far */
	uint64_t	at[FX_MAX_EDGES];	/* virtual ns of each rising edge */
	struct vclock	*clock;
};

struct fx {
	struct vclock	*clock;
	struct iospace	*pio;
	struct iospace	*mmio;
	struct dev_env	env;
};

static inline void fx_irq_set(void *opaque, unsigned int n, int level)
{
	struct fx_irq *q = opaque;

	if (level && !q->level) {
		if (q->rises < FX_MAX_EDGES)
			q->at[q->rises] = vclock_now(q->clock);
		q->rises++;
	}
	q->level = level;
}

static inline struct irq_line fx_line(struct fx *f, struct fx_irq *q)
{
	q->clock = f->clock;
	return (struct irq_line){ fx_irq_set, q, 0 };
}

static inline void fx_init(struct fx *f)
{
	T_ASSERT(vclock_create(NULL, NULL, &f->clock) == 0);
	T_ASSERT(iospace_create("pio", &f->pio) == 0);
	T_ASSERT(iospace_create("mmio", &f->mmio) == 0);
	f->env = (struct dev_env){ .pio = f->pio, .mmio = f->mmio,
				   .clock = f->clock };
}

/* Create a device of type @ops from @cfg; the test fails if it cannot. */
static inline void *fx_dev(struct fx *f, const struct dev_ops *ops,
			   const struct dev_cfg *cfg)
{
	void *dev = NULL;

	T_ASSERT(dev_create(ops, &f->env, cfg, &dev) == 0);
	T_ASSERT(dev != NULL);
	return dev;
}

static inline void fx_fini(struct fx *f)
{
	iospace_destroy(f->mmio);
	iospace_destroy(f->pio);
	vclock_destroy(f->clock);
}

static inline uint8_t inb(struct fx *f, uint16_t port)
{
	return (uint8_t)iospace_read(f->pio, port, 1);
}

static inline void outb(struct fx *f, uint16_t port, uint8_t v)
{
	iospace_write(f->pio, port, v, 1);
}

#endif
