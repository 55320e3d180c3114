/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pci.h --- PCI bus 0 with configuration mechanism #1
 *
 * Models the host side of the PCI Local Bus Specification 2.1 ch. 3.2.2.3.2
 * (configuration mechanism #1: CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at
 * 0xCFC-0xCFF) and the type-0 configuration header of ch. 6 for up to 256
 * functions on bus 0.  Every function gets a generic 256-byte configuration
 * space with a per-byte write mask; the bus implements the standard header
 * (ID registers read-only, command register gating I/O and memory decode,
 * BAR sizing by writing all ones, expansion ROM BAR, interrupt line/pin) and
 * maps or unmaps each BAR's io_ops in the dev_env I/O spaces whenever the
 * guest moves it or toggles decoding.  INTA#-INTD# of every function are
 * swizzled onto the four PIRQ lines (PIRQ = (slot + pin - 2) & 3, the
 * i440FX/PIIX3 board wiring SeaBIOS assumes) and handed to a router (the
 * PIIX3).  Reads of absent functions return 0xFFFFFFFF.
 *
 * Port 0xCF9 (PIIX3 reset control) shares the dword at 0xCF8; byte accesses
 * to it are forwarded to a hook the PIIX3 installs.
 */
#ifndef DUALVM_PCI_H
#define DUALVM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define PCI_DEVFN(slot, fn)	((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 7)

/* Standard type-0 header offsets (PCI 2.1 ch. 6.1) */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_COMMAND_IO		0x0001	/* decode I/O BARs */
#define PCI_COMMAND_MEMORY	0x0002	/* decode memory BARs and ROM */
#define PCI_COMMAND_MASTER	0x0004	/* bus master enable */
#define PCI_COMMAND_INTX_DISABLE 0x0400	/* INTx# not driven */

#define PCI_STATUS_INTERRUPT	0x0008	/* INTx# pending (read-only) */

#define PCI_BAR_IO		0x01	/* BAR flag: I/O space */
#define PCI_BAR_MEM		0x00	/* BAR flag: 32-bit memory */
#define PCI_BAR_PREFETCH	0x08	/* BAR flag: prefetchable memory */

#define PCI_NUM_BARS		7	/* BAR0-5 + expansion ROM (index 6) */
#define PCI_ROM_BAR		6
#define PCI_BAR_UNMAPPED	UINT64_MAX	/* bar_moved(): not decoded */

struct pci_bus;
struct pci_dev;

/* Identity of one function, copied into its header at registration. */
struct pci_dev_info {
	uint16_t	vendor;		/* 0x00 */
	uint16_t	device;		/* 0x02 */
	uint32_t	class_code;	/* 24 bits: class, subclass, prog-if */
	uint8_t		revision;	/* 0x08 */
	uint8_t		header_type;	/* 0x0e, bit 7 = multi-function */
	uint16_t	subsys_vendor;	/* 0x2c, 0 = none */
	uint16_t	subsys_id;	/* 0x2e */
	uint8_t		int_pin;	/* 0 = no INTx, 1-4 = INTA#-INTD# */
};

/*
 * Per-function callbacks (all optional, vCPU thread).  @opaque is the
 * pointer given to pci_register_function().
 */
struct pci_func_ops {
	/* After the bus stored a guest write of @size bytes at @off (already
	 * masked; BAR/command side effects already applied). */
	void	(*config_write)(void *opaque, unsigned int off, uint32_t val,
				unsigned int size);
	/* Override a config read of @size bytes at @off; @val is what the
	 * configuration space holds.  Returns the value the guest sees. */
	uint32_t (*config_read)(void *opaque, unsigned int off, uint32_t val,
				unsigned int size);
	/* BAR @bar now decodes at @addr, or PCI_BAR_UNMAPPED.  Called in
	 * addition to (or, for a BAR with no io_ops, instead of) mapping. */
	void	(*bar_moved)(void *opaque, unsigned int bar, uint64_t addr);
	/* The bus is being reset (after the header went back to defaults). */
	void	(*reset)(void *opaque);
};

/*
 * dev_create(&pci_bus_dev): bus 0 (a struct pci_bus) claiming ports
 * 0xCF8-0xCFF in env->pio; nothing from dev_cfg.  The PCI functions of a
 * board get it as their dev_cfg.pci.
 * dev_reset(): power-on state: CONFIG_ADDRESS 0, every function's command
 * register, BARs, ROM BAR and interrupt line cleared (BARs unmapped), then
 * each function's ops->reset.  INTx levels are kept (devices reset them).
 * dev_destroy(): unmap every BAR and the config ports, free every function
 * still registered (without calling its callbacks); destroy the devices on
 * the bus first.
 */
extern const struct dev_ops pci_bus_dev;

/*
 * Add function @devfn (0-255) with header @info.  0, -EINVAL (bad devfn or
 * int_pin > 4), -EEXIST (devfn taken) or -ENOMEM.  *@out stays owned by
 * the bus (freed when the bus is destroyed).
 */
int __attribute__((warn_unused_result))
pci_register_function(struct pci_bus *bus, unsigned int devfn,
		      const struct pci_dev_info *info,
		      const struct pci_func_ops *ops, void *opaque,
		      struct pci_dev **out);

/*
 * Remove a function: unmap its BARs, drop its INTx# and free it.  Devices
 * call this from their dev_destroy(), which must run before the bus's.
 * NULL ok.
 */
void pci_unregister_function(struct pci_dev *d);

/*
 * Declare BAR @bar (0-5, or PCI_ROM_BAR) of @size bytes (a power of two,
 * >= 4 for I/O, >= 16 for memory, >= 2 KiB for the ROM) with @flags
 * PCI_BAR_IO or PCI_BAR_MEM [| PCI_BAR_PREFETCH].  When the guest enables
 * decoding at a non-zero address the bus maps @ops/@opaque there (ops may
 * be NULL: only ops->bar_moved is told).  0 or -EINVAL.  Call before the
 * guest runs.
 */
int __attribute__((warn_unused_result))
pci_dev_set_bar(struct pci_dev *d, unsigned int bar, uint64_t size,
		unsigned int flags, const struct io_ops *ops, void *opaque);

/* Current decode address of BAR @bar, or PCI_BAR_UNMAPPED. */
uint64_t pci_dev_bar_addr(const struct pci_dev *d, unsigned int bar);

/*
 * Make @len config bytes from @off guest-writable through @mask (each byte
 * ANDed with @mask).  Bytes not declared stay read-only; the standard
 * header bytes are handled by the bus.
 */
void pci_dev_set_wmask(struct pci_dev *d, unsigned int off, unsigned int len,
		       uint8_t mask);

/* Direct access to the 256-byte configuration space (device side: set
 * power-on values of device-specific registers, read what the guest
 * wrote).  Never NULL. */
uint8_t *pci_dev_config(struct pci_dev *d);

/* Drive the function's INTx# pin (info.int_pin) to @level.  Ignored when
 * the function has no pin; masked by PCI_COMMAND_INTX_DISABLE. */
void pci_dev_set_irq(struct pci_dev *d, int level);

/* The router: called with PIRQ index 0-3 (PIRQA#-PIRQD#) whenever the
 * wired-OR level of that PIRQ changes. */
void pci_bus_set_pirq_router(struct pci_bus *bus,
			     void (*set_pirq)(void *opaque, unsigned int pirq,
					      int level),
			     void *opaque);
/* Current wired-OR level (0/1) of PIRQ @pirq (0-3). */
int pci_bus_pirq_level(const struct pci_bus *bus, unsigned int pirq);

/* Byte accesses to port 0xCF9 go to @ops (offset 0, size 1). */
void pci_bus_set_cf9(struct pci_bus *bus, const struct io_ops *ops,
		     void *opaque);

/*
 * Configuration access as mechanism #1 would do it (firmware loaders, tests):
 * @off 0-255, @size 1/2/4, must not cross a dword.  Absent functions read
 * all ones and ignore writes.
 */
uint32_t pci_config_read(struct pci_bus *bus, unsigned int devfn,
			 unsigned int off, unsigned int size);
void pci_config_write(struct pci_bus *bus, unsigned int devfn,
		      unsigned int off, uint32_t val, unsigned int size);

#endif
