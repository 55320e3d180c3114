/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * machine.h --- one PC: memory map, I/O spaces, clock, board (private)
 *
 * A struct machine is everything but the CPU: the memory map, the port and
 * MMIO spaces, the virtual clock and the board's devices.  It implements
 * the struct machine_bus every CPU engine drives (engine.h).  The run loop
 * (vm.c) owns one machine and one engine.  Single-threaded: every function
 * here runs on the vCPU/run-loop thread.
 */
#ifndef DUALVM_MACHINE_H
#define DUALVM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/devices.h"
#include "vmm/engine.h"

struct memmap;
struct board_pc;
struct rd_disk;

#define MACHINE_MAX_DISKS	4	/* IDE positions */
#define MACHINE_EXIT_PORT	0x501	/* write: power off, value = status */

struct machine_cfg {
	uint64_t	ram_bytes;	/* guest RAM, 4 KiB multiple */
	const char	*bios_path;	/* NULL: Debian's SeaBIOS */
	bool		vga;		/* a VGA device exists: load its ROM */
	struct rd_disk	*disk[MACHINE_MAX_DISKS];	/* borrowed; NULL: none */
	int64_t		rtc_epoch;	/* RTC time at power-on (Unix s) */
	/* COM1 (@com 0) / COM2 (1) transmitted a byte */
	void		(*serial_out)(void *opaque, unsigned int com,
				      uint8_t byte);
	/* firmware debug console (port 0x402) byte; NULL: discarded */
	void		(*debug_out)(void *opaque, uint8_t byte);
	void		*out_opaque;	/* for serial_out/debug_out */
	struct rd_disk	*cdrom;		/* ATAPI CD at IDE position 2 or NULL */
	bool		boot_cdrom;	/* boot order: CD before disk */
};

struct machine {
	struct machine_cfg	cfg;		/* copy of the creation config */
	struct memmap		*mem;		/* guest-physical memory */
	struct iospace		*pio;		/* 64 KiB port space */
	struct iospace		*mmio;		/* MMIO space */
	struct vclock		*clock;		/* virtual time */
	struct dev_env		env;		/* handed to every device */
	struct machine_bus	bus;		/* what engines call */
	struct board_pc		*board;		/* the devices */
	const struct engine_ops	*eops;		/* attached engine, or NULL */
	struct engine		*eng;		/* its state */
	bool			reset_pending;	/* guest asked for a reset */
	bool			poweroff;	/* guest powered off */
	int			exit_status;	/* status written at power-off */
	bool			a20;		/* A20 gate (info only for KVM) */
};

/*
 * Build the machine: memory, I/O spaces, a clock following host monotonic
 * time, firmware and the board.  0 or -errno with a one-line reason in @why.
 */
int machine_create(const struct machine_cfg *cfg, struct machine **out,
		   char *why, size_t len);
void machine_destroy(struct machine *m);
/* Attach the engine that runs this machine (kicks, A20, map changes). */
void machine_attach(struct machine *m, const struct engine_ops *ops,
		    struct engine *e);
/* Power-on reset of memory shadows and every device (not the CPU). */
void machine_reset(struct machine *m);

/* Board hooks used by machine.c (board_pc.c). */
int board_pc_create(struct machine *m, struct board_pc **out, char *why,
		    size_t len);
void board_pc_destroy(struct board_pc *b);
void board_pc_reset(struct board_pc *b);
bool board_pc_intr_pending(struct board_pc *b);
uint8_t board_pc_intr_ack(struct board_pc *b);
/* The picture (VGA, or no ops without one) and the keyboard/mouse. */
struct fb_source board_pc_fb(struct board_pc *b);
struct input_sink board_pc_input(struct board_pc *b);
/* Host input for COM@com: bytes accepted (0 when full or no port). */
int board_pc_serial_input(struct board_pc *b, unsigned int com,
			  const uint8_t *buf, size_t n);

/* Callbacks devices and the board use to reach the machine. */
void machine_request_reset(struct machine *m);
void machine_power_off(struct machine *m, int status);
void machine_set_a20(struct machine *m, bool on);
void machine_map_changed(struct machine *m);

#endif
