// SPDX-License-Identifier: GPL-2.0-only
/* test_dev.c --- devices/dev.c: the one device lifecycle (init, reset, map,
 * relocation by dev_cfg.base, unwinding when init or mapping fails) */
#include "tests/unit/devices/dev_fixture.h"

enum { EV_INIT = 1, EV_RESET, EV_FINI };

/* dev_cfg.priv: the test's event log (it outlives the device). */
struct evlog {
	unsigned int	ev[16];		/* EV_*, in order */
	unsigned int	n;		/* entries used */
	int		fail;		/* init() returns this */
};

struct fake {
	struct evlog	*log;		/* where events go */
	uint8_t		reg;		/* the one register */
};

static void note(struct evlog *l, unsigned int ev)
{
	if (l->n < 16)
		l->ev[l->n++] = ev;
}

static uint64_t fake_read(void *opaque, uint64_t off, unsigned int size)
{
	return ((struct fake *)opaque)->reg + off;
}

static void fake_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	((struct fake *)opaque)->reg = (uint8_t)val;
}

static const struct io_ops fake_ops = {
	.read	= fake_read,
	.write	= fake_write,
	.widths	= IO_W8,
};

static int fake_init(void *dev, const struct dev_env *env,
		     const struct dev_cfg *cfg)
{
	struct fake *f = dev;

	f->log = (struct evlog *)cfg->priv;
	note(f->log, EV_INIT);
	return f->log->fail;
}

static void fake_reset(void *dev)
{
	struct fake *f = dev;

	f->reg = 0x40;
	note(f->log, EV_RESET);
}

static void fake_fini(void *dev)
{
	struct fake *f = dev;

	note(f->log, EV_FINI);
}

static const struct io_range fake_ranges[] = {
	{ 0x300, 2, &fake_ops },
	{ 0x310, 1, &fake_ops },
};

static const struct dev_ops fake_dev = {
	.name		= "fake",
	.size		= sizeof(struct fake),
	.init		= fake_init,
	.fini		= fake_fini,
	.reset		= fake_reset,
	.ranges		= fake_ranges,
	.nranges	= 2,
};

static void test_dev_lifecycle(void)
{
	struct evlog log = { .n = 0 };
	struct fx f;
	void *d;

	fx_init(&f);
	d = fx_dev(&f, &fake_dev, &(struct dev_cfg){ .priv = &log });
	T_ASSERT(dev_type(d) == &fake_dev);
	T_EQ(log.n, 2);
	T_EQ(log.ev[0], EV_INIT);
	T_EQ(log.ev[1], EV_RESET);		/* reset before mapping */
	T_EQ(inb(&f, 0x301), 0x41);		/* ranges map the state */
	outb(&f, 0x310, 0x07);
	T_EQ(inb(&f, 0x300), 0x07);
	dev_reset(d);
	T_EQ(inb(&f, 0x300), 0x40);
	dev_destroy(d);
	T_EQ(log.ev[log.n - 1], EV_FINI);
	T_ASSERT(!iospace_claimed(f.pio, 0x300));
	T_ASSERT(!iospace_claimed(f.pio, 0x310));
	dev_destroy(NULL);
	fx_fini(&f);
}

static void test_dev_relocated(void)
{
	struct evlog log = { .n = 0 };
	struct fx f;
	void *d;

	fx_init(&f);
	d = fx_dev(&f, &fake_dev, &(struct dev_cfg){ .base = 0x500,
						     .priv = &log });
	T_ASSERT(iospace_claimed(f.pio, 0x501));
	T_ASSERT(iospace_claimed(f.pio, 0x510));
	T_ASSERT(!iospace_claimed(f.pio, 0x300));
	dev_destroy(d);
	T_ASSERT(!iospace_claimed(f.pio, 0x510));
	fx_fini(&f);
}

static void test_dev_failures_unwind(void)
{
	struct evlog bad = { .fail = -EINVAL }, log = { .n = 0 };
	struct evlog elog = { .n = 0 };
	struct fx f;
	void *d = &f, *e;

	fx_init(&f);
	T_EQ(dev_create(&fake_dev, &f.env, &(struct dev_cfg){ .priv = &bad },
			&d), -EINVAL);
	T_ASSERT(d == NULL);
	T_EQ(bad.n, 1);				/* no fini after a failed init */
	T_ASSERT(!iospace_claimed(f.pio, 0x300));
	/* a port taken: init undone, nothing of the device left mapped */
	e = fx_dev(&f, &fake_dev, &(struct dev_cfg){ .base = 0x30f,
						     .priv = &elog });
	T_EQ(dev_create(&fake_dev, &f.env, &(struct dev_cfg){ .priv = &log },
			&d), -EEXIST);
	T_EQ(log.n, 3);
	T_EQ(log.ev[2], EV_FINI);
	T_ASSERT(!iospace_claimed(f.pio, 0x300));
	dev_destroy(e);
	fx_fini(&f);
}

static const struct t_case cases[] = {
	T_CASE(test_dev_lifecycle),
	T_CASE(test_dev_relocated),
	T_CASE(test_dev_failures_unwind),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
