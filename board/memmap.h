/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memmap.h --- the PC guest-physical memory map (private to board/)
 *
 *   0x00000000-0x0009ffff  RAM (640 KiB conventional memory)
 *   0x000a0000-0x000bffff  VGA window: MMIO (the VGA device claims it)
 *   0x000c0000-0x000fffff  ROM/shadow area in 13 PAM segments (i440FX
 *                          0x59-0x5f: 0xf0000 64 KiB, then 16 KiB pieces from
 *                          0xc0000): reads come from RAM when the segment's
 *                          RE bit is set, else from ROM (the top 128 KiB of
 *                          the BIOS at 0xe0000, nothing = 0xff below);
 *                          writes reach RAM only when WE is set.  The RAM
 *                          underneath starts as a copy of the ROM.
 *   0x00100000-low_end     RAM, low_end = min(RAM size, MEMMAP_PCI_HOLE)
 *   low_end-bios base      MMIO (PCI BARs, ...)
 *   4 GiB - bios size..4G  BIOS image, read-only
 *   0x100000000-...        RAM above 4 GiB when RAM > MEMMAP_PCI_HOLE
 *
 * Everything is backed by one gmem store: offsets equal guest addresses below
 * low_end, RAM above 4 GiB follows, then the firmware images.
 */
#ifndef DUALVM_MEMMAP_H
#define DUALVM_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/board.h"

#define MEMMAP_PCI_HOLE		0xe0000000ULL	/* low RAM ends here at most */
#define MEMMAP_4G		0x100000000ULL
#define MEMMAP_VGA_BASE		0xa0000ULL	/* legacy VGA window */
#define MEMMAP_VGA_SIZE		0x20000ULL
#define MEMMAP_SHADOW_BASE	0xc0000ULL	/* option ROM / BIOS shadow */
#define MEMMAP_BIOS_LOW		0xe0000ULL	/* high 128 KiB BIOS alias */
#define MEMMAP_ROM_MAX		(16ULL << 20)	/* BIOS + option ROM bytes */
#define MEMMAP_MIN_RAM		(2ULL << 20)
#define MEMMAP_MAX_RAM		(64ULL << 30)
#define MEMMAP_MAX_REGIONS	24
#define MEMMAP_PAM_SEGS		13	/* 0: 0xf0000, 1-12: 0xc0000 + 16K*(n-1) */
#define MEMMAP_PAM_RE		0x1	/* reads from RAM */
#define MEMMAP_PAM_WE		0x2	/* writes to RAM */

struct memmap;

/* Create the map for @ram_bytes of RAM (MEMMAP_MIN_RAM..MEMMAP_MAX_RAM, a
 * 4 KiB multiple).  0, -EINVAL or -ENOMEM/-errno from gmem. */
int __attribute__((warn_unused_result))
memmap_create(uint64_t ram_bytes, struct memmap **out);
void memmap_destroy(struct memmap *m);

/*
 * Load the BIOS image from @path: mapped read-only so it ends at 4 GiB, its
 * last 128 KiB (or all of it, if smaller) copied to the shadow at 1 MiB down.
 * 0 or -errno with one line in @why.
 */
int memmap_load_bios(struct memmap *m, const char *path, char *why,
		     size_t len);
/* Load an option ROM (VGA BIOS) into the shadow at @gpa (0xc0000..0xeffff).
 * 0 or -errno with one line in @why. */
int memmap_load_option_rom(struct memmap *m, const char *path, uint64_t gpa,
			   char *why, size_t len);
/* Power-on: recopy the ROM images into the shadow area. */
void memmap_reset(struct memmap *m);

/*
 * Set PAM segment @seg (0-12, see MEMMAP_PAM_SEGS) to @mode (MEMMAP_PAM_*).
 * Returns true when the region list changed (engines must be told through
 * map_changed).  All segments start in mode 0 (ROM), as after reset.
 */
bool memmap_set_pam(struct memmap *m, unsigned int seg, unsigned int mode);
/*
 * Accesses to 0xc0000-0xfffff that did not hit a writable/readable mapping
 * (engines send them as MMIO): reads as the segment's current source,
 * writes reach RAM only in segments with WE.  @gpa + @size within the area.
 */
uint64_t memmap_shadow_read(struct memmap *m, uint64_t gpa,
			    unsigned int size);
void memmap_shadow_write(struct memmap *m, uint64_t gpa, uint64_t val,
			 unsigned int size);

/* RAM bytes below 4 GiB (incl. the 640K-1M hole) and above 4 GiB. */
uint64_t memmap_low_end(const struct memmap *m);
uint64_t memmap_high_size(const struct memmap *m);
uint64_t memmap_ram_size(const struct memmap *m);
/* Guest address and size of the BIOS image (0/0 before loading). */
uint64_t memmap_bios_base(const struct memmap *m);
uint64_t memmap_bios_size(const struct memmap *m);

/* struct machine_bus helpers: see board/board.h. */
unsigned int memmap_regions(const struct memmap *m, struct gpa_region *out,
			    unsigned int max);
uint8_t *memmap_page_ptr(const struct memmap *m, uint64_t gpa, bool write);

/*
 * Copy @len bytes between @buf and guest RAM at @gpa (device DMA).  ROM is
 * readable, never writable.  0, or -EFAULT when any byte is not RAM (then
 * nothing is copied).
 */
int memmap_dma(struct memmap *m, uint64_t gpa, void *buf, uint64_t len,
	       bool to_guest);

/* The backing store (snapshots, engines that mmap the fd). */
struct gmem *memmap_gmem(const struct memmap *m);

#endif
