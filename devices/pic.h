/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pic.h --- dual Intel 8259A programmable interrupt controller
 *
 * Master at ports 0x20/0x21, slave at 0xA0/0xA1 cascaded on master IR2, plus
 * the PIIX3 edge/level control registers (ELCR) at 0x4D0/0x4D1.  The
 * device is an interrupt controller (pic_dev.intc): devices get their
 * interrupt input as a struct irq_line from pic_irq_line(); the CPU engine
 * polls pic_intr_pending() and runs the INTA cycle with pic_intr_ack().
 */
#ifndef DUALVM_DEVICES_PIC_H
#define DUALVM_DEVICES_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define PIC_MASTER_BASE	0x20	/* command/status, data/IMR at +1 */
#define PIC_SLAVE_BASE	0xa0
#define PIC_ELCR_BASE	0x4d0	/* ELCR1 (IRQ0-7), ELCR2 (IRQ8-15) */
#define PIC_NR_IRQS	16

struct pic;

/* dev_cfg.priv of pic_dev (optional). */
struct pic_cfg {
	uint16_t	level_irqs;	/* ELCR bits set at every reset: IRQs
					 * wired level-triggered (ACPI SCI) */
};

/*
 * dev_create(&pic_dev): both 8259As in their power-on state, ports (and the
 * ELCR ports) mapped on env->pio.  dev_cfg.host->intr is told whenever the
 * INTR output changes level (the machine wakes the CPU engine); priv: a
 * struct pic_cfg or NULL.  dev_reset(): back to power-on state (uninitialised,
 * IMR 0, ELCR = level_irqs); dev_destroy() unmaps and frees.
 */
extern const struct dev_ops pic_dev;

/*
 * The interrupt input @irq (0-15; 8-15 are on the slave) as a line to hand to
 * a device.  An out-of-range @irq yields a line that does nothing.  Lines
 * stay valid until the PIC is destroyed.  (pic_dev.intc->line; the PIC is
 * passed as void *, as in the table.)
 */
struct irq_line pic_irq_line(void *pic, unsigned int irq);
/* Drive input @irq to @level directly (what the irq_line does). */
void pic_set_irq(struct pic *p, unsigned int irq, int level);

/* True when the master's INTR output is asserted.  (This and
 * pic_intr_ack() take the PIC as void *: they are the machine bus's
 * intr_pending/intr_ack, called by the CPU engine directly.) */
bool pic_intr_pending(void *pic);
/*
 * The INTA cycle: acknowledge the highest-priority pending request (through
 * the cascade if it is on the slave) and return its vector.  With nothing
 * pending it returns the spurious vector (IR7 of the master, or IR7 of the
 * slave = IRQ15 for a vanished slave request) without setting ISR.
 */
uint8_t pic_intr_ack(void *pic);

/* ELCR as a 16-bit mask (bit n = IRQ n level-triggered), for the board. */
void pic_elcr_set(struct pic *p, uint16_t mask);
uint16_t pic_elcr_get(struct pic *p);

#endif
