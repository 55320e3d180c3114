// SPDX-License-Identifier: GPL-2.0-only
/*
 * pit.c --- Intel 8254 programmable interval timer and system port B
 *
 * Models the 8254 (Intel datasheet order no. 231164): three 16-bit down
 * counters clocked at 1.193182 MHz, modes 0-5, binary or BCD counting,
 * LSB/MSB/LSB-then-MSB access, the counter latch command, the read-back
 * command and status byte.  Nothing ticks: a counter's value and OUT level
 * are computed from the number of input clocks since it was loaded, on a
 * clock grid fixed to virtual time 0.  A vtimer is armed at counter 0's next
 * OUT transition to drive IRQ0.  Port 0x61 (PC/AT system control port B)
 * carries counter 2's gate (bit 0), the speaker data enable (bit 1), the
 * refresh-request toggle (bit 4, flips every 15.085 us) and OUT2 (bit 5).
 */
#include "devices/pit.h"

#define PIT_CW_SC(v)		(((v) >> 6) & 3)	/* counter select */
#define PIT_CW_RW(v)		(((v) >> 4) & 3)	/* 0 = latch command */
#define PIT_CW_MODE(v)		(((v) >> 1) & 7)
#define PIT_CW_BCD		0x01
#define PIT_RB_NOCOUNT		0x20	/* read-back: do not latch count */
#define PIT_RB_NOSTATUS		0x10	/* read-back: do not latch status */
#define PIT_ST_OUT		0x80
#define PIT_ST_NULL		0x40
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_WORD		3
#define PORTB_GATE2		0x01
#define PORTB_SPKR		0x02
#define PORTB_RW_MASK		0x0f	/* bits software may write */
#define PORTB_REFRESH		0x10
#define PORTB_OUT2		0x20
#define PIT_REFRESH_NS		15085

struct pit_ch {
	uint8_t		mode;		/* 0-5 */
	uint8_t		rw;		/* PIT_RW_* access mode */
	bool		bcd;		/* count in BCD */
	uint32_t	count;		/* reload value, 1-65536 (0 means max) */
	bool		loaded;		/* a count was written since the CW */
	bool		running;	/* counting (loaded and triggered) */
	uint64_t	start;		/* absolute clock tick counting began */
	uint64_t	frozen;		/* ticks elapsed when gate paused it */
	bool		gate;		/* GATE input level */
	bool		wr_msb;		/* LSB written, MSB next (word mode) */
	uint8_t		wr_lsb;		/* that LSB */
	bool		rd_msb;		/* next unlatched word read is MSB */
	uint8_t		latch_n;	/* bytes of latched count left, 0-2 */
	uint16_t	latch;		/* latched count */
	bool		st_latched;	/* status byte latched */
	uint8_t		status;		/* latched status byte */
};

struct pit {
	struct pit_ch	ch[3];
	struct irq_line	irq0;		/* counter 0 OUT */
	int		irq_level;	/* last level driven on irq0 */
	struct vtimer	timer;		/* next counter 0 OUT transition */
	uint64_t	edge_due;	/* absolute tick of that transition, 0: none */
	struct vclock	*clock;
	uint8_t		portb;		/* port 0x61 bits 0-3 */
};

static uint64_t pit_abs_ticks(struct pit *p)
{
	return (uint64_t)((unsigned __int128)vclock_now(p->clock) *
			  PIT_FREQ_HZ / NSEC_PER_SEC);
}

/* First virtual ns at which the absolute tick count reaches @tick. */
static uint64_t pit_tick_ns(uint64_t tick)
{
	unsigned __int128 ns = (unsigned __int128)tick * NSEC_PER_SEC +
			       PIT_FREQ_HZ - 1;

	ns /= PIT_FREQ_HZ;
	return ns > UINT64_MAX - 1 ? UINT64_MAX - 1 : (uint64_t)ns;
}

static uint64_t ch_elapsed(struct pit *p, const struct pit_ch *c)
{
	if (!c->running)
		return c->frozen;
	return c->frozen + pit_abs_ticks(p) - c->start;
}

/* Effective reload value: modes 2 and 3 need at least 2. */
static uint32_t ch_period(const struct pit_ch *c)
{
	if ((c->mode == 2 || c->mode == 3) && c->count < 2)
		return 2;
	return c->count;
}

static bool ch_out_at(const struct pit_ch *c, uint64_t t)
{
	uint32_t n = ch_period(c);

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return c->running || c->frozen ? t >= n : false;
	case 1:
		return !c->running || t >= n;
	case 2:
		return !c->running || t % n != n - 1;
	case 3:
		return !c->running || t % n < (n + 1) / 2;
	default:	/* 4, 5: one-clock low strobe at terminal count */
		return !c->running || t != n;
	}
}

/* Ticks (elapsed since start) of the next OUT change after @t, or 0. */
static uint64_t ch_next_edge(const struct pit_ch *c, uint64_t t)
{
	uint32_t n = ch_period(c);
	uint64_t r;

	if (!c->running || !n)
		return 0;
	r = t % n;
	switch (c->mode) {
	case 0:
	case 1:
		return t < n ? n : 0;
	case 2:
		return r < n - 1 ? t - r + n - 1 : t - r + n;
	case 3:
		return r < (n + 1) / 2 ? t - r + (n + 1) / 2 : t - r + n;
	default:
		return t < n ? n : t == n ? n + 1 : 0;
	}
}

static uint16_t ch_value(struct pit *p, const struct pit_ch *c)
{
	uint64_t t = ch_elapsed(p, c);
	uint32_t n = ch_period(c), v;

	if (!c->loaded)
		return 0;
	switch (c->mode) {
	case 2:
		v = n - (uint32_t)(t % n);
		break;
	case 3:
		v = (n - (uint32_t)((2 * t) % n)) & ~1u;
		break;
	default:
		v = (uint32_t)((n - t) & 0xffff);
		break;
	}
	if (c->bcd) {
		v %= 10000;
		v = (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
		    (v / 1000) << 12;
	}
	return (uint16_t)v;
}

static void pit_update_irq(struct pit *p)
{
	struct pit_ch *c = &p->ch[0];
	uint64_t t = ch_elapsed(p, c), edge;
	int level = ch_out_at(c, t);

	if (level != p->irq_level) {
		p->irq_level = level;
		irq_set(&p->irq0, level);
	}
	edge = ch_next_edge(c, t);
	if (edge) {
		p->edge_due = c->start + edge - c->frozen;
		vtimer_mod(&p->timer, pit_tick_ns(p->edge_due));
	} else {
		p->edge_due = 0;
		vtimer_del(&p->timer);
	}
}

/*
 * Deliver a counter 0 transition that came due without being seen.  Timers
 * run between guest instruction slices, and a guest access can observe a
 * time past the deadline first, so OUT may already be back at the level the
 * PIC last saw: a one-clock strobe (modes 2, 4, 5) or a half period (mode 3)
 * passed unseen.  Without this a mode 4 one-shot (Linux's clockevent) would
 * never interrupt and the guest would sleep forever; with it the interrupt is
 * late, as on a busy host, but never lost.
 */
static void pit_catch_up(struct pit *p)
{
	struct pit_ch *c = &p->ch[0];
	int level;

	if (!p->edge_due || pit_abs_ticks(p) < p->edge_due)
		return;
	p->edge_due = 0;
	level = ch_out_at(c, ch_elapsed(p, c)) ? 1 : 0;
	if (level == p->irq_level) {
		irq_set(&p->irq0, !level);
		irq_set(&p->irq0, level);
	}
}

static void pit_timer_cb(void *opaque)
{
	pit_catch_up(opaque);
	pit_update_irq(opaque);
}

/* Start counting from the reload value at the next clock. */
static void ch_start(struct pit *p, struct pit_ch *c)
{
	c->frozen = 0;
	c->start = pit_abs_ticks(p);
	c->running = true;
}

static void ch_set_gate(struct pit *p, struct pit_ch *c, bool gate)
{
	bool rising = gate && !c->gate;

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	switch (c->mode) {
	case 0:
	case 4:	/* gate pauses counting */
		if (!gate && c->running) {
			c->frozen = ch_elapsed(p, c);
			c->running = false;
		} else if (gate && !c->running) {
			c->start = pit_abs_ticks(p);
			c->running = true;
		}
		break;
	case 2:
	case 3:	/* gate low stops and forces OUT high; rising edge reloads */
		if (rising)
			ch_start(p, c);
		else
			c->running = false, c->frozen = 0;
		break;
	default:	/* 1, 5: rising edge triggers */
		if (rising)
			ch_start(p, c);
		break;
	}
}

static void ch_load(struct pit *p, struct pit_ch *c, uint16_t raw)
{
	uint32_t v = raw;

	if (c->bcd)
		v = (v & 0xf) % 10 + ((v >> 4) & 0xf) % 10 * 10 +
		    ((v >> 8) & 0xf) % 10 * 100 + ((v >> 12) & 0xf) % 10 * 1000;
	if (v == 0)
		v = c->bcd ? 10000 : 65536;
	c->count = v;
	c->loaded = true;
	c->frozen = 0;
	if (c->mode == 1 || c->mode == 5) {
		c->running = false;	/* waits for a gate trigger */
		return;
	}
	if (c->gate)
		ch_start(p, c);
	else
		c->running = false;
}

static void ch_control(struct pit *p, struct pit_ch *c, uint8_t cw)
{
	unsigned int mode = PIT_CW_MODE(cw);

	c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
	c->rw = PIT_CW_RW(cw);
	c->bcd = cw & PIT_CW_BCD;
	c->loaded = false;
	c->running = false;
	c->frozen = 0;
	c->wr_msb = false;
	c->rd_msb = false;
	c->latch_n = 0;
	c->st_latched = false;
}

static void ch_latch_count(struct pit *p, struct pit_ch *c)
{
	if (c->latch_n)
		return;
	c->latch = ch_value(p, c);
	c->latch_n = c->rw == PIT_RW_WORD ? 2 : 1;
}

static void ch_latch_status(struct pit *p, struct pit_ch *c)
{
	if (c->st_latched)
		return;
	c->status = (uint8_t)((ch_out_at(c, ch_elapsed(p, c)) ? PIT_ST_OUT : 0) |
			      (c->loaded ? 0 : PIT_ST_NULL) | c->rw << 4 |
			      c->mode << 1 | (c->bcd ? 1 : 0));
	c->st_latched = true;
}

static uint8_t ch_read(struct pit *p, struct pit_ch *c)
{
	uint16_t v;
	bool msb;

	if (c->st_latched) {
		c->st_latched = false;
		return c->status;
	}
	if (c->latch_n) {
		v = c->latch;
		msb = c->rw == PIT_RW_MSB || (c->rw == PIT_RW_WORD && c->latch_n == 1);
		c->latch_n--;
		return msb ? v >> 8 : v & 0xff;
	}
	v = ch_value(p, c);
	msb = c->rw == PIT_RW_MSB;
	if (c->rw == PIT_RW_WORD) {
		msb = c->rd_msb;
		c->rd_msb = !c->rd_msb;
	}
	return msb ? v >> 8 : v & 0xff;
}

static void ch_write(struct pit *p, struct pit_ch *c, uint8_t val)
{
	switch (c->rw) {
	case PIT_RW_LSB:
		ch_load(p, c, val);
		break;
	case PIT_RW_MSB:
		ch_load(p, c, (uint16_t)(val << 8));
		break;
	case PIT_RW_WORD:
		if (!c->wr_msb) {
			c->wr_lsb = val;
			c->wr_msb = true;
		} else {
			c->wr_msb = false;
			ch_load(p, c, (uint16_t)(c->wr_lsb | val << 8));
		}
		break;
	default:	/* never programmed */
		break;
	}
}

static void pit_write_cw(struct pit *p, uint8_t cw)
{
	unsigned int sc = PIT_CW_SC(cw);

	if (sc == 3) {	/* read-back */
		for (unsigned int i = 0; i < 3; i++) {
			if (!(cw & (2u << i)))
				continue;
			if (!(cw & PIT_RB_NOCOUNT))
				ch_latch_count(p, &p->ch[i]);
			if (!(cw & PIT_RB_NOSTATUS))
				ch_latch_status(p, &p->ch[i]);
		}
		return;
	}
	if (PIT_CW_RW(cw) == 0)
		ch_latch_count(p, &p->ch[sc]);
	else
		ch_control(p, &p->ch[sc], cw);
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pit *p = opaque;

	if (off >= 3)
		return 0xff;	/* the control word register is write-only */
	return ch_read(p, &p->ch[off]);
}

static void pit_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
	struct pit *p = opaque;

	if (off == 0 || off == 3)
		pit_catch_up(p);	/* before counter 0 changes */
	if (off >= 3)
		pit_write_cw(p, (uint8_t)val);
	else
		ch_write(p, &p->ch[off], (uint8_t)val);
	if (off == 0 || off == 3)
		pit_update_irq(p);
}

bool pit_out(struct pit *p, unsigned int ch)
{
	if (ch > 2)
		return false;
	return ch_out_at(&p->ch[ch], ch_elapsed(p, &p->ch[ch]));
}

bool pit_speaker_on(struct pit *p)
{
	return (p->portb & (PORTB_GATE2 | PORTB_SPKR)) ==
	       (PORTB_GATE2 | PORTB_SPKR);
}

static uint64_t portb_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pit *p = opaque;
	uint8_t v = p->portb;

	if ((vclock_now(p->clock) / PIT_REFRESH_NS) & 1)
		v |= PORTB_REFRESH;
	if (pit_out(p, 2))
		v |= PORTB_OUT2;
	return v;
}

static void portb_write(void *opaque, uint64_t off, uint64_t val,
			unsigned int size)
{
	struct pit *p = opaque;

	p->portb = (uint8_t)val & PORTB_RW_MASK;
	ch_set_gate(p, &p->ch[2], p->portb & PORTB_GATE2);
}

static const struct io_ops pit_ops = {
	.read = pit_read, .write = pit_write, .widths = IO_W8,
};

static const struct io_ops portb_ops = {
	.read = portb_read, .write = portb_write, .widths = IO_W8,
};

static const struct io_range pit_ranges[] = {
	{ PIT_BASE, 4, &pit_ops },
	{ PIT_PORT_B, 1, &portb_ops },
};

static void pit_reset(void *dev)
{
	struct pit *p = dev;

	for (unsigned int i = 0; i < 3; i++)
		p->ch[i] = (struct pit_ch){ .gate = i < 2 };
	p->portb = 0;
	p->edge_due = 0;
	pit_update_irq(p);
}

static int pit_init(void *dev, const struct dev_env *env,
		    const struct dev_cfg *cfg)
{
	struct pit *p = dev;

	p->clock = env->clock;
	p->irq0 = cfg->irq[0];
	vtimer_init(&p->timer, p->clock, pit_timer_cb, p);
	return 0;
}

static void pit_fini(void *dev)
{
	struct pit *p = dev;

	vtimer_del(&p->timer);
}

const struct dev_ops pit_dev = {
	.name = "8254 PIT", .size = sizeof(struct pit),
	.init = pit_init, .fini = pit_fini, .reset = pit_reset,
	.ranges = pit_ranges, .nranges = 2,
};
