/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioapic.h --- I/O APIC (82093AA programming model, version 0x20)
 *
 * 24 interrupt input pins at 0xFEC00000: IOREGSEL at +0x00, IOWIN at +0x10
 * and the EOI register at +0x40.  Each pin's redirection entry turns an
 * input edge (edge-triggered) or an asserted level (level-triggered, with
 * remote IRR until the local APIC's EOI comes back) into an APIC bus
 * message, handed to dev_cfg.host->apic_msg.  Devices get the inputs as
 * struct irq_line from ioapic_irq_line(); the board fans the ISA IRQs out
 * to the 8259 and here (IRQ0 on pin 2, as the MADT's override says).
 */
#ifndef DUALVM_DEVICES_IOAPIC_H
#define DUALVM_DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define IOAPIC_BASE	0xfec00000u	/* default MMIO base */
#define IOAPIC_SIZE	0x1000u		/* bytes decoded */
#define IOAPIC_PINS	24		/* redirection entries */
#define IOAPIC_VERSION	0x20		/* with the EOI register */

struct ioapic;

/*
 * dev_create(&ioapic_dev): all pins masked, edge, registers at IOAPIC_BASE
 * on env->mmio; dev_cfg.unit is the I/O APIC ID (the MADT's); messages go
 * to dev_cfg.host->apic_msg.  dev_destroy() unmaps and frees.
 */
extern const struct dev_ops ioapic_dev;

/* Input pin @pin (0-23) as a line; out of range: a line that does
 * nothing.  Valid until the device is destroyed. */
struct irq_line ioapic_irq_line(void *ioapic, unsigned int pin);
/* Drive pin @pin to @level (1 asserted, whatever the polarity bit). */
void ioapic_set_irq(struct ioapic *io, unsigned int pin, int level);
/* A local APIC's EOI broadcast for @vector: clears remote IRR of the
 * level-triggered entries with that vector (and redelivers those whose
 * line is still asserted). */
void ioapic_eoi(void *ioapic, uint8_t vector);
/* Redirection entry @pin (for tests and the debugger). */
uint64_t ioapic_redir(const struct ioapic *io, unsigned int pin);

#endif
