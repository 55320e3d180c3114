/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vga_priv.h --- VGA state shared by vga.c (registers) and vga_mem.c
 * (memory window, VBE, framebuffer)
 */
#ifndef DUALVM_DEVICES_VGA_PRIV_H
#define DUALVM_DEVICES_VGA_PRIV_H

#include "devices/pci.h"
#include "devices/vga.h"

#define VGA_SR_COUNT	5
#define VGA_GR_COUNT	9
#define VGA_AR_COUNT	21
#define VGA_CR_COUNT	25
#define VGA_PLANE_SIZE	0x10000		/* 64 KiB per plane */

#define VBE_DISPI_ID0		0xb0c0
#define VBE_DISPI_ID5		0xb0c5
#define VBE_DISPI_INDEX_ID	0x0
#define VBE_DISPI_INDEX_XRES	0x1
#define VBE_DISPI_INDEX_YRES	0x2
#define VBE_DISPI_INDEX_BPP	0x3
#define VBE_DISPI_INDEX_ENABLE	0x4
#define VBE_DISPI_INDEX_BANK	0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH	0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT	0x7
#define VBE_DISPI_INDEX_X_OFFSET	0x8
#define VBE_DISPI_INDEX_Y_OFFSET	0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa
#define VBE_DISPI_INDEX_NB	0xb
#define VBE_DISPI_ENABLED	0x01
#define VBE_DISPI_GETCAPS	0x02
#define VBE_DISPI_8BIT_DAC	0x20
#define VBE_DISPI_LFB_ENABLED	0x40
#define VBE_DISPI_NOCLEARMEM	0x80
#define VBE_DISPI_MAX_XRES	2560
#define VBE_DISPI_MAX_YRES	1600
#define VBE_DISPI_MAX_BPP	32

struct vga {
	uint8_t		*vram;		/* VGA_VRAM_SIZE bytes; planar byte
					 * (offset o, plane p) at o * 4 + p */
	uint8_t		misc;		/* miscellaneous output */
	uint8_t		sr_index, sr[VGA_SR_COUNT];	/* sequencer */
	uint8_t		gr_index, gr[VGA_GR_COUNT];	/* graphics ctl */
	uint8_t		ar_index, ar[VGA_AR_COUNT];	/* attribute ctl */
	bool		ar_flip;	/* next 0x3C0 write is data */
	uint8_t		cr_index, cr[VGA_CR_COUNT];	/* CRT controller */
	uint8_t		dac_mask;
	uint8_t		dac_read, dac_write;	/* palette indices */
	uint8_t		dac_sub;	/* component 0-2 of the current entry */
	bool		dac_reading;	/* last index written was 0x3C7 */
	uint8_t		dac[256][3];	/* palette, 6 (or 8) bits/component */
	uint8_t		latch[4];	/* plane latches */
	uint8_t		feature;	/* feature control */
	uint16_t	vbe_index;
	uint16_t	vbe[VBE_DISPI_INDEX_NB];	/* dispi registers */
	struct vclock	*clock;		/* retrace timing */
	struct iospace	*mmio;		/* where the legacy window is */
	bool		window_mapped;	/* the legacy window is mapped */
	struct pci_dev	*pci;		/* NULL without a bus */
	uint8_t		*rom;		/* option ROM copy, NULL if none */
	size_t		rom_len;	/* its length in bytes */
	void		(*lfb_moved)(void *opaque, uint64_t gpa,
				     uint8_t *host, size_t len);
	void		*lfb_opaque;	/* for lfb_moved */
};

/* vga_mem.c */
extern const struct io_ops vga_legacy_ops;
extern const struct io_ops vga_lfb_ops;
extern const struct io_ops vga_vbe_ops;
void vga_vbe_reset(struct vga *v);
/* vga_render.c */
extern const struct fb_ops vga_fb_ops;

bool vga_vbe_on(const struct vga *v);

#endif
