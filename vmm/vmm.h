/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmm.h --- libvmm's public interface: build a PC, run it, tear it down
 *
 * A struct vm is one single-vCPU PC (board/board.h) driven by one CPU
 * engine (vmm/engine.h) and a run loop that services timers, the serial
 * console, the timeout and Ctrl-C.  The caller opens the disks (rawdisk)
 * and keeps ownership of them; they must outlive the vm.  The display
 * interface (vmm/display.h) is part of this header: the CLI hands a
 * display back end in, gui/ implements one.
 */
#ifndef DUALVM_VMM_H
#define DUALVM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/display.h"

struct rd_disk;
struct vm;

#define VM_MAX_DISKS	4
#define VM_NET_MAX_FWD	16	/* hostfwd rules of --net user */

/* The NIC's host side (--net). */
enum vm_net_kind {
	VM_NET_NONE = 0,	/* no NIC at all */
	VM_NET_USER,		/* libslirp NAT: DHCP, DNS, TFTP, hostfwd */
	VM_NET_TAP,		/* an existing tap interface */
};

/* One --net user hostfwd rule: host HOST_ADDR:HOST_PORT -> guest. */
struct vm_net_fwd {
	bool		udp;		/* udp: instead of tcp: */
	uint32_t	host_addr;	/* IPv4, network order (default
					 * 127.0.0.1) */
	uint16_t	host_port;	/* 1-65535 */
	uint32_t	guest_addr;	/* network order (default 10.0.2.15) */
	uint16_t	guest_port;	/* 1-65535 */
};

struct vm_net_cfg {
	enum vm_net_kind kind;		/* VM_NET_NONE: no NIC */
	char		ifname[16];	/* tap: the interface (IFNAMSIZ) */
	unsigned int	nfwd;		/* rules in fwd[] */
	struct vm_net_fwd fwd[VM_NET_MAX_FWD];
	char		tftp[256];	/* user: TFTP root ("" none) */
	char		bootfile[128];	/* user: DHCP boot file name */
	uint8_t		mac[6];		/* the NIC's address */
	const char	*rom;		/* its option ROM (iPXE) file or NULL */
};

/*
 * Parse a --net value ("user[,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT]...
 * [,tftp=DIR][,bootfile=NAME]", "tap,ifname=NAME", "none") into @cfg
 * (kind, ifname, rules; the MAC is left alone).  0 or -EINVAL with one
 * line in @why.
 */
int __attribute__((warn_unused_result))
vm_net_parse(const char *spec, struct vm_net_cfg *cfg, char *why,
	     size_t len);
/* Parse "52:54:00:12:34:56" (a unicast address).  0 or -EINVAL. */
int __attribute__((warn_unused_result))
vm_mac_parse(const char *s, uint8_t mac[6]);

struct vm_config {
	const char	*engine;	/* "auto", "kvm", "interp" */
	uint64_t	ram_mib;	/* guest RAM in MiB (2..65536) */
	const char	*serial;	/* "stdio" or a file path for COM1 */
	const char	*bios;		/* firmware image; NULL: SeaBIOS */
	const char	*until_serial;	/* stop with VM_UNTIL when seen */
	unsigned int	timeout_sec;	/* 0: none; else VM_TIMEOUT */
	struct rd_disk	*disk[VM_MAX_DISKS];	/* IDE positions; borrowed */
	int64_t		rtc_epoch;	/* RTC time at power-on (Unix s) */
	bool		vga;		/* stdvga adapter at 00:02.0 */
	const struct display_ops *display;	/* vmm/display.h; NULL: none */
	const char	*display_title;	/* window title for the display */
	struct rd_disk	*cdrom;		/* ATAPI CD (secondary master) or NULL;
					 * borrowed; needs disk[2] free */
	bool		boot_cdrom;	/* firmware boots the CD first */
	unsigned int	cpus;		/* vCPUs 1-VM_MAX_CPUS (0: 1); more
					 * than one needs an engine with local
					 * APICs (interp; auto picks it) */
	const char	*debugcon;	/* file for the firmware debug console
					 * (ports 0x402, 0xE9), or NULL */
	bool		post_codes;	/* print POST codes (port 0x80) on
					 * stderr */
	bool		log_unclaimed;	/* print guest accesses to ports and
					 * addresses no device claims */
	bool		boot_net;	/* firmware boots the NIC's ROM first */
	struct vm_net_cfg net;		/* the NIC and its back end */
	bool		uefi;		/* OVMF (bios: its code image, NULL:
					 * Debian's) instead of SeaBIOS */
	const char	*nvram;		/* UEFI variable store file (created
					 * from OVMF's template if missing) */
	/* UEFI: the loader to boot first (a boot entry in @nvram): a file
	 * on a GPT partition; efi_loader NULL: the firmware chooses */
	const char	*efi_loader;	/* "\\EFI\\debian\\grubx64.efi" */
	uint32_t	efi_part;	/* its partition number */
	uint64_t	efi_start;	/* partition's first LBA */
	uint64_t	efi_sectors;	/* its LBAs */
	uint8_t		efi_guid[16];	/* its GPT partition GUID (stored) */
};

#define VM_MAX_CPUS	8	/* --cpus limit */

/* How vm_run() ended. */
enum vm_result {
	VM_POWEROFF,	/* guest powered off: see vm_exit_status() */
	VM_UNTIL,	/* the until_serial text appeared */
	VM_TIMEOUT,	/* timeout_sec passed */
	VM_STOPPED,	/* Ctrl-C, SIGTERM or the Ctrl-A x escape */
	VM_ERROR,	/* engine or machine error: see the message */
	VM_UNSUPPORTED,	/* the requested engine is not implemented */
};

/*
 * Build the machine and pick/create the engine (auto: KVM if its self-test
 * passes, else the interpreter).  0 or -errno with one line in @why;
 * -ENOSYS means "not implemented yet" (the CLI exits 2).  Prints a one-line
 * notice on stderr when auto falls back.
 */
int __attribute__((warn_unused_result))
vm_create(const struct vm_config *cfg, struct vm **out, char *why,
	  size_t len);
/*
 * Run until power-off, the until text, the timeout, a stop request or an
 * error.  Owns the terminal while running (raw mode, restored before it
 * returns).  One line in @msg for VM_ERROR (and a note for others).
 */
enum vm_result vm_run(struct vm *vm, char *msg, size_t len);
/* Exit status the guest wrote at power-off (0 = clean). */
int vm_exit_status(const struct vm *vm);
/* Free everything (not the disks).  NULL is fine. */
void vm_destroy(struct vm *vm);

#endif
