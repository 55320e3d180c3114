/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * irq.h --- an interrupt line as a small value type (part of hw/hw.h)
 *
 * A device is handed the lines it drives at creation (TinyEMU's IRQSignal
 * pattern); it never knows which controller is behind them.  Levels are 0/1.
 * Edge-triggered devices pulse: irq_set(l, 1) then irq_set(l, 0).
 */
#ifndef DUALVM_HW_IRQ_H
#define DUALVM_HW_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct irq_line {
	void		(*set)(void *opaque, unsigned int n, int level);
	void		*opaque;	/* the controller (PIC, I/O APIC, test) */
	unsigned int	n;		/* input pin on that controller */
};

/* Drive @l to @level; a line with no controller attached is a no-op. */
static inline void irq_set(const struct irq_line *l, int level)
{
	if (l && l->set)
		l->set(l->opaque, l->n, level ? 1 : 0);
}

static inline void irq_pulse(const struct irq_line *l)
{
	irq_set(l, 1);
	irq_set(l, 0);
}

/*
 * An interrupt controller as the machine and the CPU see it: its inputs as
 * lines for the devices, its INTR output and the INTA cycle for the CPU
 * engine (which calls pending()/ack() directly: they are the machine bus's
 * intr_pending/intr_ack).  @chip is the controller.
 */
struct irq_chip_ops {
	/* Input @n as a line; a line that does nothing for a bad @n. */
	struct irq_line	(*line)(void *chip, unsigned int n);
	/* True when INTR is asserted. */
	bool		(*pending)(void *chip);
	/* The INTA cycle: acknowledge the best request, return its vector. */
	uint8_t		(*ack)(void *chip);
};

#endif
