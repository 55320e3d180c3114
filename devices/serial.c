// SPDX-License-Identifier: GPL-2.0-only
/*
 * serial.c --- National Semiconductor PC16550D UART
 *
 * Models the 16550A register set (NS PC16550D datasheet, section 8): RBR/THR,
 * IER, IIR with FIFO bits, FCR (16-byte FIFOs, receive trigger level, FIFO
 * resets), LCR with the divisor latch, MCR with loopback, LSR, MSR and SCR.
 * Transmission is instantaneous: a THR write goes straight to the host
 * callback, so THR and the shift register are always empty and the THRE
 * interrupt is raised at once (and again whenever ETBEI goes 0->1), which is
 * what the Linux 8250 driver's THRE tests expect.  Interrupt priorities are
 * receiver line status > received data / character timeout > THRE > modem
 * status.  The character timeout (4 character times at the programmed baud
 * rate) uses a vtimer.  The IRQ pin is gated by MCR OUT2, as on PC boards.
 */
#include <errno.h>

#include "devices/serial.h"

#define UART_RBR	0	/* DLAB=0 read */
#define UART_IER	1
#define UART_IIR	2	/* read */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IER_RLSI	0x04
#define UART_IER_MSI	0x08
#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_CTI	0x0c
#define UART_IIR_FIFO	0xc0
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04
#define UART_LCR_DLAB	0x80
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_BI_PE_FE 0x1c
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTA	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80
#define UART_CLOCK_HZ	1843200ULL
#define UART_CHAR_BITS	10	/* start + 8 data + stop */

struct serial {
	uint8_t		rx[SERIAL_FIFO_SIZE];	/* receive FIFO ring */
	unsigned int	rx_head;	/* next to read, 0-15 */
	unsigned int	rx_count;	/* bytes queued, 0-16 */
	uint8_t		ier;		/* low 4 bits */
	uint8_t		lcr;
	uint8_t		mcr;		/* low 5 bits */
	uint8_t		lsr_err;	/* sticky OE (BI/PE/FE never happen) */
	uint8_t		msr;		/* modem status incl. delta bits */
	uint8_t		scr;
	uint8_t		fcr;		/* last FCR write (enable + trigger) */
	uint16_t	divisor;	/* DLL | DLM << 8; 0 treated as 1 */
	bool		thr_ipending;	/* THRE interrupt latched */
	bool		timeout_ipending; /* character timeout latched */
	bool		irq_level;	/* level driven on @irq */
	struct irq_line	irq;
	struct vtimer	timeout;	/* character-timeout check */
	const struct dev_host *host;	/* host->tx gets what we send */
	unsigned int	unit;		/* our number in host->tx */
	struct vclock	*clock;		/* virtual time */
};

static bool fifo_on(const struct serial *s)
{
	return s->fcr & UART_FCR_ENABLE;
}

static unsigned int rx_capacity(const struct serial *s)
{
	return fifo_on(s) ? SERIAL_FIFO_SIZE : 1;
}

static unsigned int rx_trigger(const struct serial *s)
{
	static const unsigned int level[4] = { 1, 4, 8, 14 };

	return fifo_on(s) ? level[s->fcr >> 6] : 1;
}

/* Current interrupt identification (IIR bits 3-0). */
static uint8_t serial_iid(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr_err & UART_LSR_OE))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count >= rx_trigger(s))
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_RDI) && s->timeout_ipending && s->rx_count)
		return UART_IIR_CTI;
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTA))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void serial_update_irq(struct serial *s)
{
	bool level = serial_iid(s) != UART_IIR_NO_INT &&
		     (s->mcr & UART_MCR_OUT2);

	if (level != s->irq_level) {
		s->irq_level = level;
		irq_set(&s->irq, level);
	}
}

/* Four character times at the current divisor. */
static uint64_t serial_timeout_ns(const struct serial *s)
{
	uint64_t div = s->divisor ? s->divisor : 1;

	return div * 16 * UART_CHAR_BITS * 4 * NSEC_PER_SEC / UART_CLOCK_HZ;
}

static void serial_arm_timeout(struct serial *s)
{
	s->timeout_ipending = false;
	if (s->rx_count && fifo_on(s))
		vtimer_mod(&s->timeout,
			   vclock_now(s->clock) + serial_timeout_ns(s));
	else
		vtimer_del(&s->timeout);
}

static void serial_timeout_cb(void *opaque)
{
	struct serial *s = opaque;

	if (s->rx_count)
		s->timeout_ipending = true;
	serial_update_irq(s);
}

static bool rx_push(struct serial *s, uint8_t b)
{
	if (s->rx_count >= rx_capacity(s))
		return false;
	s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = b;
	s->rx_count++;
	return true;
}

static void rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
	s->timeout_ipending = false;
	vtimer_del(&s->timeout);
}

/* Modem inputs as seen in MSR bits 4-7. */
static uint8_t serial_modem_in(const struct serial *s)
{
	uint8_t m = s->mcr, v = 0;

	if (!(m & UART_MCR_LOOP))
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	if (m & UART_MCR_RTS)
		v |= UART_MSR_CTS;
	if (m & UART_MCR_DTR)
		v |= UART_MSR_DSR;
	if (m & UART_MCR_OUT1)
		v |= UART_MSR_RI;
	if (m & UART_MCR_OUT2)
		v |= UART_MSR_DCD;
	return v;
}

static void serial_set_modem_in(struct serial *s)
{
	uint8_t old = s->msr & 0xf0, cur = serial_modem_in(s);
	uint8_t ch = old ^ cur, delta = 0;

	if (ch & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (ch & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(cur & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if (ch & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	s->msr = (uint8_t)(cur | (s->msr & UART_MSR_DELTA) | delta);
}

static void serial_tx(struct serial *s, uint8_t b)
{
	if (s->mcr & UART_MCR_LOOP) {
		if (!rx_push(s, b))
			s->lsr_err |= UART_LSR_OE;
		serial_arm_timeout(s);
	} else {
		dev_host_tx(s->host, s->unit, b);
	}
	s->thr_ipending = true;
}

static uint8_t serial_read_rbr(struct serial *s)
{
	uint8_t b = 0;

	if (s->rx_count) {
		b = s->rx[s->rx_head];
		s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
		s->rx_count--;
	}
	serial_arm_timeout(s);
	return b;
}

static uint8_t serial_lsr(struct serial *s)
{
	uint8_t v = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_err;

	if (s->rx_count)
		v |= UART_LSR_DR;
	s->lsr_err = 0;
	return v;
}

static uint64_t serial_read(void *opaque, uint64_t off, unsigned int size)
{
	struct serial *s = opaque;
	uint8_t v;

	switch (off) {
	case UART_RBR:
		v = (s->lcr & UART_LCR_DLAB) ? (uint8_t)s->divisor
					     : serial_read_rbr(s);
		break;
	case UART_IER:
		v = (s->lcr & UART_LCR_DLAB) ? (uint8_t)(s->divisor >> 8)
					     : s->ier;
		break;
	case UART_IIR:
		v = serial_iid(s);
		if (v == UART_IIR_THRI)
			s->thr_ipending = false;
		if (fifo_on(s))
			v |= UART_IIR_FIFO;
		break;
	case UART_LCR:
		v = s->lcr;
		break;
	case UART_MCR:
		v = s->mcr;
		break;
	case UART_LSR:
		v = serial_lsr(s);
		break;
	case UART_MSR:
		v = s->msr;
		s->msr &= ~UART_MSR_DELTA;
		break;
	default:
		v = s->scr;
		break;
	}
	serial_update_irq(s);
	return v;
}

static void serial_write_fcr(struct serial *s, uint8_t val)
{
	if ((val ^ s->fcr) & UART_FCR_ENABLE)
		rx_clear(s);	/* toggling FIFO mode resets both FIFOs */
	if (val & UART_FCR_CLR_RX)
		rx_clear(s);
	s->fcr = val & 0xc1;
	if (!fifo_on(s))
		s->fcr = 0;
	while (s->rx_count > rx_capacity(s))	/* cannot happen, cheap */
		serial_read_rbr(s);
}

static void serial_write(void *opaque, uint64_t off, uint64_t val64,
			 unsigned int size)
{
	struct serial *s = opaque;
	uint8_t val = (uint8_t)val64;

	switch (off) {
	case UART_RBR:
		if (s->lcr & UART_LCR_DLAB) {
			s->divisor = (s->divisor & 0xff00) | val;
			break;
		}
		s->thr_ipending = false;
		serial_tx(s, val);
		break;
	case UART_IER:
		if (s->lcr & UART_LCR_DLAB) {
			s->divisor = (uint16_t)((s->divisor & 0xff) | val << 8);
			break;
		}
		/* ETBEI 0->1 with THR empty latches a THRE interrupt */
		if ((val & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
			s->thr_ipending = true;
		s->ier = val & 0x0f;
		break;
	case UART_IIR:
		serial_write_fcr(s, val);
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		s->mcr = val & 0x1f;
		serial_set_modem_in(s);
		break;
	case UART_LSR:
	case UART_MSR:
		break;	/* factory test registers: ignored */
	default:
		s->scr = val;
		break;
	}
	serial_update_irq(s);
}

static const struct io_ops serial_ops = {
	.read = serial_read, .write = serial_write, .widths = IO_W8,
};

int serial_receive(void *uart, const uint8_t *buf, size_t n)
{
	struct serial *s = uart;
	size_t i;

	if (s->mcr & UART_MCR_LOOP)
		return 0;
	for (i = 0; i < n && i < SERIAL_FIFO_SIZE; i++)
		if (!rx_push(s, buf[i]))
			break;
	if (i) {
		serial_arm_timeout(s);
		serial_update_irq(s);
	}
	return (int)i;
}

bool serial_can_receive(struct serial *s)
{
	return !(s->mcr & UART_MCR_LOOP) && s->rx_count < rx_capacity(s);
}

static void serial_reset(void *dev)
{
	struct serial *s = dev;

	rx_clear(s);
	s->ier = 0;
	s->lcr = 0;
	s->mcr = 0;
	s->lsr_err = 0;
	s->scr = 0;
	s->fcr = 0;
	s->divisor = 12;	/* 9600 baud */
	s->thr_ipending = false;
	s->msr = serial_modem_in(s);
	serial_update_irq(s);
}

static int serial_init(void *dev, const struct dev_env *env,
		       const struct dev_cfg *cfg)
{
	struct serial *s = dev;

	if (cfg->base && (unsigned int)cfg->base + 8 > 0x10000)
		return -EINVAL;
	s->clock = env->clock;
	s->irq = cfg->irq[0];
	s->host = cfg->host;
	s->unit = cfg->unit;
	vtimer_init(&s->timeout, s->clock, serial_timeout_cb, s);
	return 0;
}

static void serial_fini(void *dev)
{
	struct serial *s = dev;

	vtimer_del(&s->timeout);
}

/* COM1's ports; dev_cfg.base moves them (COM2 0x2F8). */
static const struct io_range serial_ranges[] = {
	{ SERIAL_COM1_BASE, 8, &serial_ops },
};

static const struct chr_ops serial_chr = {
	.receive	= serial_receive,
};

const struct dev_ops serial_dev = {
	.name = "16550A UART", .size = sizeof(struct serial),
	.init = serial_init, .fini = serial_fini, .reset = serial_reset,
	.ranges = serial_ranges, .nranges = 1,
	.chr = &serial_chr,
};
