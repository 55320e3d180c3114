/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devices.h --- libdevices: dualvm's canonical PC devices (public header)
 *
 * One device per file, every one with the same lifecycle (dev.c): a const
 * struct dev_ops descriptor (<dev>_dev) says how big the device's state
 * is, how to init() it from the environment (struct dev_env: the I/O
 * spaces, the virtual clock, guest DMA) and one struct dev_cfg (IRQ lines,
 * I/O base, PCI bus, the machine's callbacks, device-specific settings),
 * how to reset() it to its power-on state and fini() it, and which fixed
 * port ranges it decodes; dev_create() allocates, inits, resets and maps,
 * dev_destroy() undoes it all; save/load hooks are there for snapshots.
 * A device never calls the OS for time, interrupts or memory, which is
 * what lets a unit test create one with a fake IRQ line and a stepped
 * clock, and a board be a table of descriptors (board/board_pc.c).  What
 * else a device offers the machine (an interrupt controller, a
 * framebuffer, an input sink, a character input) is in its descriptor
 * too, so the board finds it without knowing the device.
 *
 * The per-device headers included below say what each device reads from
 * struct dev_cfg and declare its device-specific functions.  All device
 * code runs on the vCPU/run-loop thread.
 */
#ifndef DUALVM_DEVICES_H
#define DUALVM_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

struct pci_bus;
struct snap_wr;		/* snapshot writer (not implemented yet) */
struct snap_rd;		/* snapshot reader (not implemented yet) */

struct dev_env {
	struct iospace	*pio;		/* port I/O space (64 KiB) */
	struct iospace	*mmio;		/* MMIO space */
	struct vclock	*clock;		/* virtual time + timers */
	hw_dma_fn	*dma;		/* guest-physical DMA (bus-master
					 * IDE, fw_cfg), or NULL: none */
	void		*dma_opaque;	/* for dma */
};

/*
 * What a device may ask of the machine.  Every callback is optional and
 * gets @opaque; a device is handed the table by pointer and keeps it, so it
 * must outlive the device.
 */
struct dev_host {
	/* The guest asked for a system reset (@hard: PIIX3 0xCF9 SRST). */
	void	(*reset)(void *opaque, bool hard);
	/* The chipset's A20 gate output changed (port 0x92, i8042). */
	void	(*set_a20)(void *opaque, bool enabled);
	/* The guest powered the machine off with exit @status; @why names
	 * the mechanism for the log ("ACPI S5"), or NULL. */
	void	(*power_off)(void *opaque, int status, const char *why);
	/* i440FX PAM region @region (0-12) now has @mode (I440FX_PAM_*). */
	void	(*pam)(void *opaque, unsigned int region, unsigned int mode);
	/* An interrupt controller's INTR output changed to @level. */
	void	(*intr)(void *opaque, bool level);
	/* Character device @unit (dev_cfg.unit: a UART, the firmware debug
	 * console) transmitted @byte. */
	void	(*tx)(void *opaque, unsigned int unit, uint8_t byte);
	void	*opaque;	/* the machine */
	/* An I/O APIC sent @msg on the APIC bus (to the local APICs). */
	void	(*apic_msg)(void *opaque, const struct apic_msg *msg);
};

#define DEV_MAX_IRQS	16	/* ISA IRQ 0-15 for the PIIX3 */

/* Everything dev_create() gives a device besides the environment. */
struct dev_cfg {
	struct irq_line		irq[DEV_MAX_IRQS];	/* output lines, in the
							 * device's order */
	uint16_t		base;	/* I/O base of a relocatable device
					 * (UART, ACPI PM); 0: its default */
	unsigned int		unit;	/* instance number, passed back in
					 * host->tx (COM1 = 0) */
	struct pci_bus		*pci;	/* bus of a PCI function, or NULL */
	const struct dev_host	*host;	/* machine callbacks, or NULL */
	const void		*priv;	/* device-specific settings
					 * (struct ide_cfg ...), or NULL */
};

/* Host input of a character device (a UART's receiver). */
struct chr_ops {
	/* Queue up to @n bytes; returns how many were accepted (0: full). */
	int	(*receive)(void *dev, const uint8_t *buf, size_t n);
};

/*
 * A device type.  The only globals of libdevices are these const tables.
 * Every callback gets the device's state (@size bytes, zeroed before
 * init()).  init() returns 0 or -errno (-EINVAL for a bad config) and
 * undoes its own partial work on failure; fini() undoes a successful
 * init() (timers, ranges it mapped itself, PCI functions).  save()/load():
 * NULL until snapshots exist.
 */
struct dev_ops {
	const char	*name;		/* "8259 PIC", ... for messages */
	size_t		size;		/* bytes of the device's state */
	int	(*init)(void *dev, const struct dev_env *env,
			const struct dev_cfg *cfg);
	void	(*fini)(void *dev);		/* NULL: nothing to undo */
	void	(*reset)(void *dev);		/* NULL: no state to reset */
	const struct io_range *ranges;	/* fixed port ranges (opaque: the
					 * device), moved to dev_cfg.base
					 * when that is set; NULL: none */
	unsigned int	nranges;	/* entries in ranges */
	int	(*save)(void *dev, struct snap_wr *w);
	int	(*load)(void *dev, struct snap_rd *r);
	/* Interfaces the device offers (NULL: none); opaque = the device. */
	const struct irq_chip_ops	*intc;	/* interrupt controller */
	const struct fb_ops		*fb;	/* framebuffer (hw/ui.h) */
	const struct input_ops		*input;	/* keyboard/mouse (hw/ui.h) */
	const struct chr_ops		*chr;	/* character input */
};

/*
 * Create a device of type @ops: allocate its state, init() it from @env
 * and @cfg, reset() it, map its fixed ranges in env->pio.  0 with the
 * device in *@out, or -errno (init()'s, -ENOMEM, -EEXIST when its ports
 * are taken) with nothing left behind.  vCPU thread, like every call here.
 */
int __attribute__((warn_unused_result))
dev_create(const struct dev_ops *ops, const struct dev_env *env,
	   const struct dev_cfg *cfg, void **out);
/* Back to the power-on state (reset()); what dev_create() returned. */
void dev_reset(void *dev);
/* Unmap the fixed ranges, fini(), free.  NULL is a no-op. */
void dev_destroy(void *dev);
/* The type of a device dev_create() returned. */
const struct dev_ops *dev_type(void *dev);

/* Calls a device makes on its host; no-ops for an absent callback. */
static inline void dev_host_reset(const struct dev_host *h, bool hard)
{
	if (h && h->reset)
		h->reset(h->opaque, hard);
}

static inline void dev_host_set_a20(const struct dev_host *h, bool enabled)
{
	if (h && h->set_a20)
		h->set_a20(h->opaque, enabled);
}

static inline void dev_host_power_off(const struct dev_host *h, int status,
				      const char *why)
{
	if (h && h->power_off)
		h->power_off(h->opaque, status, why);
}

static inline void dev_host_tx(const struct dev_host *h, unsigned int unit,
			       uint8_t byte)
{
	if (h && h->tx)
		h->tx(h->opaque, unit, byte);
}

static inline void dev_host_apic_msg(const struct dev_host *h,
				     const struct apic_msg *msg)
{
	if (h && h->apic_msg)
		h->apic_msg(h->opaque, msg);
}

/* Legacy ISA devices of the canonical PC. */
#include "devices/pic.h"
#include "devices/ioapic.h"
#include "devices/pit.h"
#include "devices/rtc.h"
#include "devices/serial.h"
#include "devices/i8042.h"
#include "devices/debugport.h"
#include "devices/vga.h"

/* PCI bus, chipset and IDE. */
#include "devices/pci.h"
#include "devices/i440fx.h"
#include "devices/piix3.h"
#include "devices/ide.h"

/* Network. */
#include "devices/e1000.h"

/* Firmware interface and ACPI fixed hardware. */
#include "devices/fw_cfg.h"
#include "devices/acpi_pm.h"
#include "devices/pflash.h"
#include "devices/piix4_pm.h"

#endif
