/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devices.h --- dualvm's canonical PC devices (public header)
 *
 * One device per file.  Every device is created with the environment it
 * needs passed in (struct dev_env: the I/O spaces to register in, the
 * virtual clock, a DMA window into guest memory) plus its IRQ lines; it never
 * calls the OS for time, interrupts or memory.  That is what lets the unit
 * tests create one device with a fake IRQ line and a stepped clock.
 *
 * Constructors follow `int <dev>_create(const struct dev_env *env, <lines and
 * config>, struct <dev> **out)` returning 0 or -errno; `<dev>_reset()` puts
 * the device in its power-on state; `<dev>_destroy()` unmaps and frees it.
 * The per-device prototypes live in the device's own header, included below.
 */
#ifndef DUALVM_DEVICES_H
#define DUALVM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

struct dev_env {
	struct iospace	*pio;		/* port I/O space (64 KiB) */
	struct iospace	*mmio;		/* MMIO space */
	struct vclock	*clock;		/* virtual time + timers */
	hw_dma_fn	*dma;		/* guest-physical DMA (bus-master
					 * IDE, fw_cfg), or NULL: none */
	void		*dma_opaque;	/* for dma */
};

/* Legacy ISA devices of the canonical PC. */
#include "devices/pic.h"
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

/* Firmware interface and ACPI fixed hardware. */
#include "devices/fw_cfg.h"
#include "devices/acpi_pm.h"

#endif
