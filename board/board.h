/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * board.h --- libboard: one PC machine, everything but the CPU (public
 * header)
 *
 * A struct machine is the guest-physical memory map (RAM, the BIOS ROM and
 * its PAM shadows), the port and MMIO spaces, the virtual clock and the
 * board's devices, built from the board table in board_pc.c, plus the
 * firmware tables (CMOS, fw_cfg, SMBIOS, ACPI).  It implements the struct
 * machine_bus every CPU engine drives and is told about the engine through
 * struct machine_cpu.  The run loop (vmm/vm.c) owns one machine and one
 * engine and talks to the machine only through this header.
 *
 * Threading: every function here runs on the vCPU/run-loop thread, except
 * machine_cpu.kick which the machine may call from any thread.
 */
#ifndef DUALVM_BOARD_H
#define DUALVM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

/* Guest-physical RAM or ROM region an engine may map directly. */
struct gpa_region {
	uint64_t	gpa;		/* page aligned */
	uint64_t	size;		/* page multiple */
	uint8_t		*host;		/* host mapping of the region */
	bool		readonly;	/* ROM: writes go to mmio_write */
};

/*
 * What the machine offers a CPU engine.  Shared by several engines and
 * their tests: change it only by adding fields at the end.
 */
struct machine_bus {
	void		*opaque;	/* the machine */

	/*
	 * Host pointer for the 4 KiB guest-physical page holding @gpa
	 * (pointer to the page start), or NULL when that page is MMIO or
	 * unbacked; @write asks for a writable page (ROM returns NULL).  The
	 * pointer stays valid until the bus' map_changed callback is called.
	 */
	uint8_t		*(*page_ptr)(void *opaque, uint64_t gpa, bool write);
	/* All RAM/ROM regions, for engines that map memory wholesale (KVM).
	 * Returns the count, writes at most @max entries. */
	unsigned int	(*regions)(void *opaque, struct gpa_region *out,
				   unsigned int max);

	uint64_t	(*mmio_read)(void *opaque, uint64_t gpa,
				     unsigned int size);
	void		(*mmio_write)(void *opaque, uint64_t gpa, uint64_t val,
				      unsigned int size);
	uint64_t	(*pio_read)(void *opaque, uint16_t port,
				    unsigned int size);
	void		(*pio_write)(void *opaque, uint16_t port, uint64_t val,
				     unsigned int size);

	/* Interrupt controller: is an external interrupt pending (INTR line
	 * high)?  intr_ack() performs the INTA cycle and returns the vector.
	 * Both are called with intr_opaque (with @opaque when that is NULL). */
	bool		(*intr_pending)(void *opaque);
	uint8_t		(*intr_ack)(void *opaque);

	/* Virtual time in ns (for RDTSC and run-slice deadlines). */
	uint64_t	(*now_ns)(void *opaque);

	/* The guest asked for a reset (triple fault, 0xCF9, i8042 0xFE). */
	void		(*request_reset)(void *opaque);

	/* The interrupt controller itself, so that an engine's interrupt
	 * poll goes straight to it (NULL: @opaque). */
	void		*intr_opaque;

	/* An engine that models local APICs: their timers run on @clock,
	 * and a local APIC's EOI of a level-triggered @vector is broadcast
	 * to the I/O APIC through apic_eoi() (with @opaque).  NULL: the
	 * machine has no APIC bus (machine_cfg.apic false): no local APIC. */
	struct vclock	*clock;
	void		(*apic_eoi)(void *opaque, uint8_t vector);
	unsigned int	ncpus;		/* vCPUs to build (machine_cfg.cpus) */
};

/* The opaque to call bus->intr_pending()/intr_ack() with. */
static inline void *machine_bus_intr_opaque(const struct machine_bus *bus)
{
	return bus->intr_opaque ? bus->intr_opaque : bus->opaque;
}

struct engine;		/* a CPU engine's state (vmm/) */

/*
 * What the machine tells the CPU engine attached to it.  Every callback is
 * optional and gets @eng.  kick() may come from any thread and must be
 * async-signal-safe; the others come from the vCPU thread.
 */
struct machine_cpu {
	struct engine	*eng;		/* passed to every callback */
	/* Make the engine's run() return soon (reset, power-off, I/O). */
	void	(*kick)(struct engine *e);
	/* Guest memory changed behind the engine (DMA, loader, reset). */
	void	(*mem_written)(struct engine *e, uint64_t gpa, uint64_t len);
	/* The memory map changed (PAM, A20 aliases): drop page pointers. */
	void	(*map_changed)(struct engine *e);
	/* The chipset's A20 gate (port 0x92, i8042). */
	void	(*set_a20)(struct engine *e, bool enabled);
	/* The interrupt controller's INTR output rose: poll intr_pending()
	 * before the next instruction, leave a halt if interrupts are on. */
	void	(*irq_raised)(struct engine *e);
	/* An I/O APIC message for the engine's local APICs. */
	void	(*apic_msg)(struct engine *e, const struct apic_msg *m);
};

/* Where a boot entry's loader is: a file on a GPT partition. */
struct efi_boot_target {
	uint32_t	part;		/* the partition's number (1-based) */
	uint64_t	start;		/* first LBA (512-byte sectors) */
	uint64_t	sectors;	/* its size in LBAs */
	uint8_t		guid[16];	/* its unique partition GUID, as
					 * stored in the GPT entry */
	const char	*path;		/* "\\EFI\\debian\\grubx64.efi" */
	const char	*title;		/* the entry's description */
};

#define MACHINE_MAX_DISKS	4	/* IDE positions */
#define MACHINE_CDROM_POS	2	/* the CD-ROM: secondary master */
#define MACHINE_MAX_CPUS	8	/* --cpus limit (APIC IDs 0-7) */
#define MACHINE_EXIT_PORT	0x501	/* write: power off, value = status */

struct machine_cfg {
	uint64_t	ram_bytes;	/* guest RAM, 4 KiB multiple */
	const char	*bios_path;	/* NULL: Debian's SeaBIOS */
	bool		vga;		/* a VGA device exists: load its ROM */
	struct blk	*disk[MACHINE_MAX_DISKS];	/* IDE disks (hw/block.h),
							 * borrowed; NULL: none */
	int64_t		rtc_epoch;	/* RTC time at power-on (Unix s) */
	/* COM1 (@com 0) / COM2 (1) transmitted a byte */
	void		(*serial_out)(void *opaque, unsigned int com,
				      uint8_t byte);
	/* firmware debug console (port 0x402 or 0xE9) byte; NULL: discarded */
	void		(*debug_out)(void *opaque, uint8_t byte);
	void		*out_opaque;	/* for serial_out/debug_out */
	struct blk	*cdrom;		/* ATAPI CD at MACHINE_CDROM_POS or
					 * NULL; borrowed */
	bool		boot_cdrom;	/* boot order: CD before disk */
	unsigned int	cpus;		/* vCPUs, 1-MACHINE_MAX_CPUS; 0: 1 */
	bool		apic;		/* the engine models local APICs: an
					 * I/O APIC, the MADT, the APIC bus
					 * (machine_bus.clock/apic_eoi) */
	/* each POST code written to port 0x80 (out_opaque); NULL: kept only */
	void		(*post_out)(void *opaque, uint8_t code);
	/* one line (no newline) per port or MMIO address no device claims,
	 * the first 64 of each space (out_opaque); NULL: counted only */
	void		(*io_log)(void *opaque, const char *line);
	bool		nic;		/* an 82540EM (e1000) at 00:03.0 */
	struct netdev	*net;		/* its link (hw/net.h), borrowed;
					 * NULL: no cable */
	uint8_t		mac[6];		/* its EEPROM MAC address */
	const char	*nic_rom;	/* its option ROM file (iPXE), or NULL */
	bool		boot_net;	/* boot order: the NIC's ROM first */
	/* UEFI: OVMF's code (read-only) and the VM's variable store (its
	 * NVRAM, written in place) in CFI flash below 4 GiB instead of the
	 * BIOS ROM; bios_path is ignored */
	bool		uefi;
	const char	*uefi_code;	/* NULL: Debian's OVMF_CODE_4M.fd */
	const char	*nvram_path;	/* the variable store file; created
					 * from nvram_template when missing */
	const char	*nvram_template;	/* NULL: OVMF_VARS_4M.fd */
	/* UEFI: boot this loader first: a boot entry (MACHINE_EFI_BOOT_NUM)
	 * put first in the store's BootOrder before start, and no fw_cfg
	 * "bootorder" (OVMF would reorder by it); NULL: OVMF's own choice */
	const struct efi_boot_target *efi_boot;
};

#define MACHINE_EFI_BOOT_NUM	0xd000	/* Boot#### of machine_cfg.efi_boot */

#define MACHINE_OVMF_CODE	"/usr/share/OVMF/OVMF_CODE_4M.fd"
#define MACHINE_OVMF_VARS	"/usr/share/OVMF/OVMF_VARS_4M.fd"

struct machine;

/*
 * Build the machine: memory, I/O spaces, a clock following host monotonic
 * time, firmware and the board.  @cfg is copied; the block devices must
 * outlive the machine.  0 or -errno with a one-line reason in @why.
 */
int __attribute__((warn_unused_result))
machine_create(const struct machine_cfg *cfg, struct machine **out,
	       char *why, size_t len);
/* Free everything (not the disks).  NULL is fine. */
void machine_destroy(struct machine *m);

/* Attach the engine that runs this machine (@cpu is copied); NULL
 * detaches. */
void machine_attach(struct machine *m, const struct machine_cpu *cpu);
/* The bus an engine is created with; valid until machine_destroy(). */
const struct machine_bus *machine_bus(struct machine *m);
/* The machine's virtual clock (the run loop fires its timers). */
struct vclock *machine_clock(struct machine *m);

/* Power-on reset of memory shadows and every device (not the CPU); clears
 * a pending reset request. */
void machine_reset(struct machine *m);
/* The guest (or the engine: a triple fault) asked for a reset. */
void machine_request_reset(struct machine *m);
bool machine_reset_requested(const struct machine *m);
/* Power the machine off with exit @status (0 = clean). */
void machine_power_off(struct machine *m, int status);
/* True once powered off; *@status (if not NULL) gets the exit status. */
bool machine_powered_off(const struct machine *m, int *status);

/* The picture (fb->ops NULL without a display adapter) and the keyboard
 * and mouse input of the machine. */
struct fb_source machine_fb(struct machine *m);
struct input_sink machine_input(struct machine *m);
/* Host input for COM@com: bytes accepted (0 when full or no port). */
int machine_serial_input(struct machine *m, unsigned int com,
			 const uint8_t *buf, size_t n);

#endif
