// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtc.c --- Motorola MC146818A real-time clock and CMOS RAM
 *
 * Models the MC146818A (Motorola datasheet, "Real-Time Clock Plus RAM"):
 * registers 0-9 (time, alarm, date), status registers A-D, and the rest of
 * the 128 bytes as battery-backed RAM.  The time of day is an epoch given at
 * creation plus virtual time; nothing reads the host clock.  Updates happen
 * on whole virtual seconds counted from a phase that restarts when the
 * divider leaves reset (first update 500 ms later).  UIP is set for the
 * 244 us before each update.  Update-ended and alarm flags are raised by a
 * once-per-second vtimer; periodic flags by a vtimer at the rate selected by
 * register A while PIE is set (otherwise PF is computed when C is read).
 * IRQF (and IRQ8) is asserted while an enabled flag is set in register C;
 * reading C clears the flags and lowers IRQ8.  Time is kept in UTC.
 */
#include <errno.h>
#include <time.h>

#include "devices/rtc.h"

#define RTC_SEC		0x00
#define RTC_SEC_ALARM	0x01
#define RTC_MIN		0x02
#define RTC_MIN_ALARM	0x03
#define RTC_HOUR	0x04
#define RTC_HOUR_ALARM	0x05
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32
#define RTC_REG_A_UIP	0x80
#define RTC_REG_A_DV	0x70
#define RTC_DV_NORMAL	0x20	/* 32.768 kHz time base, running */
#define RTC_REG_A_RS	0x0f
#define RTC_REG_B_SET	0x80
#define RTC_REG_B_PIE	0x40
#define RTC_REG_B_AIE	0x20
#define RTC_REG_B_UIE	0x10
#define RTC_REG_B_DM	0x04	/* binary (else BCD) */
#define RTC_REG_B_24H	0x02
#define RTC_REG_C_IRQF	0x80
#define RTC_REG_C_PF	0x40
#define RTC_REG_C_AF	0x20
#define RTC_REG_C_UF	0x10
#define RTC_REG_D_VRT	0x80
#define RTC_ALARM_ANY	0xc0	/* alarm byte "don't care" */
#define RTC_UIP_NS	244000ULL
#define RTC_HZ		32768ULL

struct rtc {
	uint8_t		ram[RTC_CMOS_SIZE];	/* regs 0-0xd + CMOS RAM */
	uint8_t		index;		/* port 0x70 bits 0-6 */
	bool		nmi_masked;	/* port 0x70 bit 7 */
	int64_t		sec;		/* time of day at @phase (s since 1970) */
	uint64_t	phase;		/* virtual ns where @sec began */
	uint64_t	frozen_ns;	/* ns into @sec when the clock stopped */
	bool		stopped;	/* SET or divider not running */
	uint64_t	pf_since;	/* virtual ns of last C read (lazy PF) */
	struct irq_line	irq;		/* IRQ8 */
	struct vtimer	upd_timer;	/* next update cycle */
	struct vtimer	per_timer;	/* next periodic tick (PIE only) */
	struct vclock	*clock;		/* virtual time */
};

static uint8_t to_bcd(const struct rtc *r, unsigned int v)
{
	if (r->ram[RTC_REG_B] & RTC_REG_B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static unsigned int from_bcd(const struct rtc *r, uint8_t v)
{
	if (r->ram[RTC_REG_B] & RTC_REG_B_DM)
		return v;
	return (v >> 4) * 10 + (v & 0xf);
}

static bool rtc_running(const struct rtc *r)
{
	return !r->stopped;
}

/* Whole seconds of the current time, and ns into that second. */
static int64_t rtc_now_sec(struct rtc *r, uint64_t *frac)
{
	uint64_t now = vclock_now(r->clock), d;

	if (!rtc_running(r) || now < r->phase) {
		if (frac)
			*frac = r->frozen_ns;
		return r->sec;
	}
	d = now - r->phase + r->frozen_ns;
	if (frac)
		*frac = d % NSEC_PER_SEC;
	return r->sec + (int64_t)(d / NSEC_PER_SEC);
}

static uint8_t rtc_hour_enc(const struct rtc *r, unsigned int h)
{
	uint8_t pm = 0;

	if (r->ram[RTC_REG_B] & RTC_REG_B_24H)
		return to_bcd(r, h);
	if (h >= 12)
		pm = 0x80;
	h %= 12;
	return to_bcd(r, h ? h : 12) | pm;
}

static unsigned int rtc_hour_dec(const struct rtc *r, uint8_t v)
{
	unsigned int h;

	if (r->ram[RTC_REG_B] & RTC_REG_B_24H)
		return from_bcd(r, v) % 24;
	h = from_bcd(r, v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

/* Write the time @t into registers 0-9 (not the alarms) and the century. */
static void rtc_regs_store(struct rtc *r, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return;
	r->ram[RTC_SEC] = to_bcd(r, (unsigned int)tm.tm_sec);
	r->ram[RTC_MIN] = to_bcd(r, (unsigned int)tm.tm_min);
	r->ram[RTC_HOUR] = rtc_hour_enc(r, (unsigned int)tm.tm_hour);
	r->ram[RTC_WDAY] = to_bcd(r, (unsigned int)tm.tm_wday + 1);
	r->ram[RTC_MDAY] = to_bcd(r, (unsigned int)tm.tm_mday);
	r->ram[RTC_MONTH] = to_bcd(r, (unsigned int)tm.tm_mon + 1);
	r->ram[RTC_YEAR] = to_bcd(r, (unsigned int)(tm.tm_year + 1900) % 100);
	r->ram[RTC_CENTURY] = to_bcd(r, (unsigned int)(tm.tm_year + 1900) / 100);
}

/* The time held in registers 0-9 and the century byte. */
static int64_t rtc_regs_load(const struct rtc *r)
{
	struct tm tm = { 0 };
	unsigned int year = from_bcd(r, r->ram[RTC_YEAR]) % 100 +
			    from_bcd(r, r->ram[RTC_CENTURY]) % 100 * 100;

	tm.tm_sec = (int)(from_bcd(r, r->ram[RTC_SEC]) % 60);
	tm.tm_min = (int)(from_bcd(r, r->ram[RTC_MIN]) % 60);
	tm.tm_hour = (int)rtc_hour_dec(r, r->ram[RTC_HOUR]);
	tm.tm_mday = (int)(from_bcd(r, r->ram[RTC_MDAY]) % 32);
	tm.tm_mon = (int)(from_bcd(r, r->ram[RTC_MONTH]) % 13) - 1;
	tm.tm_year = (int)(year < 1900 ? 2000 : year) - 1900;
	if (tm.tm_mday < 1)
		tm.tm_mday = 1;
	if (tm.tm_mon < 0)
		tm.tm_mon = 0;
	return (int64_t)timegm(&tm);
}

static void rtc_update_irq(struct rtc *r)
{
	uint8_t c = r->ram[RTC_REG_C] & ~RTC_REG_C_IRQF;
	uint8_t en = r->ram[RTC_REG_B] &
		     (RTC_REG_B_PIE | RTC_REG_B_AIE | RTC_REG_B_UIE);

	if (c & en) {
		if (!(r->ram[RTC_REG_C] & RTC_REG_C_IRQF))
			irq_set(&r->irq, 1);
		c |= RTC_REG_C_IRQF;
	}
	r->ram[RTC_REG_C] = c;
}

/* Periodic interval in 32.768 kHz ticks, 0 when off. */
static uint64_t rtc_period_ticks(const struct rtc *r)
{
	unsigned int rs = r->ram[RTC_REG_A] & RTC_REG_A_RS;

	if (!rs || !rtc_running(r))
		return 0;
	if (rs < 3)
		rs += 7;
	return 1ULL << (rs - 1);
}

/* Virtual ns of the first periodic tick strictly after @ns. */
static uint64_t rtc_next_periodic(const struct rtc *r, uint64_t ns)
{
	uint64_t per = rtc_period_ticks(r), base, k;

	base = r->phase > r->frozen_ns ? r->phase - r->frozen_ns : 0;
	if (ns < base)
		return base;
	k = (uint64_t)((unsigned __int128)(ns - base) * RTC_HZ / NSEC_PER_SEC);
	k = k / per + 1;
	return base + (uint64_t)(((unsigned __int128)k * per * NSEC_PER_SEC +
				  RTC_HZ - 1) / RTC_HZ);
}

static void rtc_arm_update(struct rtc *r)
{
	uint64_t frac;

	if (rtc_running(r)) {
		rtc_now_sec(r, &frac);
		vtimer_mod(&r->upd_timer,
			   vclock_now(r->clock) + (NSEC_PER_SEC - frac));
	} else {
		vtimer_del(&r->upd_timer);
	}
}

static void rtc_arm_periodic(struct rtc *r)
{
	if (rtc_period_ticks(r) && (r->ram[RTC_REG_B] & RTC_REG_B_PIE))
		vtimer_mod(&r->per_timer,
			   rtc_next_periodic(r, vclock_now(r->clock)));
	else
		vtimer_del(&r->per_timer);
}

static void rtc_arm_timers(struct rtc *r)
{
	rtc_arm_update(r);
	rtc_arm_periodic(r);
}

static bool alarm_match(uint8_t alarm, uint8_t cur)
{
	return (alarm & RTC_ALARM_ANY) == RTC_ALARM_ANY || alarm == cur;
}

static void rtc_upd_cb(void *opaque)
{
	struct rtc *r = opaque;

	rtc_regs_store(r, rtc_now_sec(r, NULL));
	r->ram[RTC_REG_C] |= RTC_REG_C_UF;
	if (alarm_match(r->ram[RTC_SEC_ALARM], r->ram[RTC_SEC]) &&
	    alarm_match(r->ram[RTC_MIN_ALARM], r->ram[RTC_MIN]) &&
	    alarm_match(r->ram[RTC_HOUR_ALARM], r->ram[RTC_HOUR]))
		r->ram[RTC_REG_C] |= RTC_REG_C_AF;
	rtc_update_irq(r);
	rtc_arm_update(r);
}

static void rtc_per_cb(void *opaque)
{
	struct rtc *r = opaque;

	r->ram[RTC_REG_C] |= RTC_REG_C_PF;
	r->pf_since = vclock_now(r->clock);
	rtc_update_irq(r);
	rtc_arm_periodic(r);
}

/* Restart the clock from the time in registers 0-9, keeping the phase. */
static void rtc_set_from_regs(struct rtc *r)
{
	uint64_t frac;

	rtc_now_sec(r, &frac);
	r->sec = rtc_regs_load(r);
	r->frozen_ns = frac;
	r->phase = vclock_now(r->clock);
}

/* Stop or restart the clock when SET or the divider change. */
static void rtc_recheck_run(struct rtc *r, bool divider_was_reset)
{
	bool stop = (r->ram[RTC_REG_B] & RTC_REG_B_SET) ||
		    (r->ram[RTC_REG_A] & RTC_REG_A_DV) != RTC_DV_NORMAL;
	uint64_t frac;

	if (stop && !r->stopped) {
		r->sec = rtc_now_sec(r, &frac);
		r->frozen_ns = frac;
		rtc_regs_store(r, r->sec);
		r->stopped = true;
	} else if (!stop && r->stopped) {
		r->sec = rtc_regs_load(r);
		r->phase = vclock_now(r->clock);
		if (divider_was_reset)	/* first update 500 ms after release */
			r->frozen_ns = NSEC_PER_SEC / 2;
		r->stopped = false;
	}
}

static uint8_t rtc_read_reg(struct rtc *r, unsigned int idx)
{
	uint64_t frac, now = vclock_now(r->clock);
	uint8_t v;

	switch (idx) {
	case RTC_REG_A:
		v = r->ram[RTC_REG_A] & ~RTC_REG_A_UIP;
		rtc_now_sec(r, &frac);
		if (rtc_running(r) && frac >= NSEC_PER_SEC - RTC_UIP_NS)
			v |= RTC_REG_A_UIP;
		return v;
	case RTC_REG_C:
		if (rtc_period_ticks(r) &&
		    rtc_next_periodic(r, r->pf_since) <= now)
			r->ram[RTC_REG_C] |= RTC_REG_C_PF;
		rtc_update_irq(r);
		v = r->ram[RTC_REG_C];
		r->ram[RTC_REG_C] = 0;
		r->pf_since = now;
		if (v & RTC_REG_C_IRQF)
			irq_set(&r->irq, 0);
		return v;
	case RTC_REG_D:
		return RTC_REG_D_VRT;
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
	case RTC_MDAY: case RTC_MONTH: case RTC_YEAR:
		if (rtc_running(r))
			rtc_regs_store(r, rtc_now_sec(r, NULL));
		return r->ram[idx];
	default:
		return r->ram[idx];
	}
}

static void rtc_write_reg(struct rtc *r, unsigned int idx, uint8_t val)
{
	bool was_reset;

	switch (idx) {
	case RTC_REG_A:
		was_reset = (r->ram[RTC_REG_A] & RTC_REG_A_DV) != RTC_DV_NORMAL;
		r->ram[RTC_REG_A] = val & ~RTC_REG_A_UIP;
		rtc_recheck_run(r, was_reset);
		break;
	case RTC_REG_B:
		if (val & RTC_REG_B_SET)
			val &= ~RTC_REG_B_UIE;
		if (rtc_running(r))	/* registers must hold the old format */
			rtc_regs_store(r, rtc_now_sec(r, NULL));
		r->ram[RTC_REG_B] = val;
		rtc_recheck_run(r, false);
		rtc_update_irq(r);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		return;		/* read-only */
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
	case RTC_MDAY: case RTC_MONTH: case RTC_YEAR:
		if (rtc_running(r))
			rtc_regs_store(r, rtc_now_sec(r, NULL));
		r->ram[idx] = val;
		if (rtc_running(r))
			rtc_set_from_regs(r);
		break;
	default:
		r->ram[idx] = val;
		return;
	}
	rtc_arm_timers(r);
}

static uint64_t rtc_io_read(void *opaque, uint64_t off, unsigned int size)
{
	struct rtc *r = opaque;

	if (off == 0)
		return 0xff;	/* the index register is write-only */
	return rtc_read_reg(r, r->index);
}

static void rtc_io_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned int size)
{
	struct rtc *r = opaque;

	if (off == 0) {
		r->index = val & 0x7f;
		r->nmi_masked = val & 0x80;
		return;
	}
	rtc_write_reg(r, r->index, (uint8_t)val);
}

static const struct io_ops rtc_ops = {
	.read = rtc_io_read, .write = rtc_io_write, .widths = IO_W8,
};

void rtc_cmos_set(struct rtc *r, unsigned int idx, uint8_t val)
{
	if (idx >= RTC_CMOS_SIZE || idx <= RTC_REG_D)
		return;
	r->ram[idx] = val;
}

uint8_t rtc_cmos_get(struct rtc *r, unsigned int idx)
{
	if (idx >= RTC_CMOS_SIZE)
		return 0xff;
	if (idx == RTC_REG_C)
		return r->ram[RTC_REG_C];	/* no read side effect */
	return rtc_read_reg(r, idx);
}

bool rtc_nmi_masked(struct rtc *r)
{
	return r->nmi_masked;
}

static void rtc_reset(void *dev)
{
	struct rtc *r = dev;

	r->ram[RTC_REG_B] &= ~(RTC_REG_B_PIE | RTC_REG_B_AIE | RTC_REG_B_UIE);
	if (r->ram[RTC_REG_C] & RTC_REG_C_IRQF)
		irq_set(&r->irq, 0);
	r->ram[RTC_REG_C] = 0;
	r->pf_since = vclock_now(r->clock);
	rtc_arm_timers(r);
}

static int rtc_init(void *dev, const struct dev_env *env,
		    const struct dev_cfg *cfg)
{
	const struct rtc_cfg *rc = cfg->priv;
	struct rtc *r = dev;

	if (!rc)
		return -EINVAL;
	r->clock = env->clock;
	r->irq = cfg->irq[0];
	vtimer_init(&r->upd_timer, r->clock, rtc_upd_cb, r);
	vtimer_init(&r->per_timer, r->clock, rtc_per_cb, r);
	r->ram[RTC_REG_A] = RTC_DV_NORMAL | 0x06;	/* 1024 Hz selectable */
	r->ram[RTC_REG_B] = RTC_REG_B_24H;
	r->ram[RTC_REG_D] = RTC_REG_D_VRT;
	r->sec = rc->epoch;
	r->phase = vclock_now(r->clock);
	rtc_regs_store(r, rc->epoch);
	return 0;
}

static void rtc_fini(void *dev)
{
	struct rtc *r = dev;

	vtimer_del(&r->upd_timer);
	vtimer_del(&r->per_timer);
}

static const struct io_range rtc_ranges[] = {
	{ RTC_BASE, 2, &rtc_ops },
};

const struct dev_ops rtc_dev = {
	.name = "MC146818 RTC", .size = sizeof(struct rtc),
	.init = rtc_init, .fini = rtc_fini, .reset = rtc_reset,
	.ranges = rtc_ranges, .nranges = 1,
};
