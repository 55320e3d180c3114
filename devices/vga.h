/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vga.h --- standard VGA with the Bochs VBE extensions ("stdvga")
 *
 * VGA registers at 0x3B0-0x3DF, the legacy memory window 0xA0000-0xBFFFF,
 * the Bochs VBE "dispi" interface at 0x1CE/0x1CF and a linear framebuffer
 * exposed as PCI BAR0 of function 00:02.0 (1234:1111, what Debian's
 * vgabios-stdvga.bin drives).  The board loads the VGA BIOS itself.
 */
#ifndef DUALVM_DEVICES_VGA_H
#define DUALVM_DEVICES_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/devices.h"

#define VGA_LEGACY_BASE		0xa0000
#define VGA_LEGACY_SIZE		0x20000
#define VGA_VRAM_SIZE		(16u << 20)	/* also the LFB BAR size */
#define VGA_PCI_VENDOR		0x1234
#define VGA_PCI_DEVICE		0x1111
#define VBE_DISPI_INDEX_PORT	0x1ce
#define VBE_DISPI_DATA_PORT	0x1cf

struct pci_bus;
struct vga;

/* dev_cfg.priv of vga_dev (optional). */
struct vga_cfg {
	const void	*rom;		/* the VGA BIOS (copied), or NULL */
	size_t		rom_len;	/* its size in bytes */
};

/*
 * dev_create(&vga_dev): the VGA ports and the VBE ports mapped on env->pio and
 * the legacy window on env->mmio; with a dev_cfg.pci, PCI function 00:02.0
 * with the framebuffer as BAR0 (mapped by the PCI bus wherever the guest
 * puts it) and, with a struct vga_cfg ROM, that option ROM (vga_set_rom()).
 * 0, -ENOMEM or a mapping, registration or vga_set_rom() error.
 * dev_reset(): registers to power-on values (VBE off); VRAM is kept.
 * dev_destroy(): unmap, unregister (before the bus's), free.  The adapter is
 * a framebuffer source (vga_dev.fb).
 */
extern const struct dev_ops vga_dev;
/*
 * Give the adapter its option ROM (the VGA BIOS image, copied), exposed as
 * the PCI expansion ROM BAR the way SeaBIOS built for QEMU expects to find
 * it.  Call once after vga_create() with a bus, before the guest runs.
 * 0, -EINVAL (no PCI function, empty or > 1 MiB image, already set) or
 * -ENOMEM.
 */
int __attribute__((warn_unused_result))
vga_set_rom(struct vga *v, const void *rom, size_t len);
/*
 * Tell @moved whenever the guest places (or removes: @gpa == UINT64_MAX)
 * the linear framebuffer BAR, with the host address of VRAM, so an engine
 * can map it as memory instead of taking an MMIO exit per pixel.  The
 * MMIO mapping stays as the fallback.  @moved may be NULL to stop.
 */
void vga_set_lfb_hook(struct vga *v,
		      void (*moved)(void *opaque, uint64_t gpa, uint8_t *host,
				    size_t len),
		      void *opaque);

/*
 * vga_dev.fb's three callbacks (hw/ui.h), also callable directly (they
 * take the adapter as void *, being the table's entries).
 *
 * vga_text_snapshot(): the text screen into @buf: *@rows lines of *@cols
 * characters, each ended by '\n', then a NUL (characters outside printable
 * ASCII become '.', NUL and space become ' ').  Returns 0, -ENOTSUP when
 * the adapter is in a graphics mode, or -ENOSPC when @len is too small for
 * the screen (nothing written).  vga_text_cursor(): the text cursor
 * position; false when the cursor is disabled.
 */
int vga_text_snapshot(void *vga, char *buf, size_t len, unsigned int *cols,
		      unsigned int *rows);
bool vga_text_cursor(void *vga, unsigned int *row, unsigned int *col);

/*
 * Render what the monitor would show into @pix as 0x00RRGGBB pixels, rows of
 * @stride pixels, at most @max_w x @max_h (the picture is clipped).  Sets
 * *@w and *@h to the mode's full size.  Handles text modes (glyphs from
 * plane 2, attribute palette, cursor), 16-color planar, 256-color chain-4
 * and VBE 8/15/16/24/32 bpp.  Returns 0, or -ENOTSUP for a mode it cannot
 * draw (nothing written).  Front-end thread with the vCPU stopped, or the
 * vCPU thread.
 */
int vga_render(void *vga, uint32_t *pix, unsigned int stride,
	       unsigned int max_w, unsigned int max_h, unsigned int *w,
	       unsigned int *h);

/* The framebuffer memory (for a display front end) and its size. */
uint8_t *vga_vram(struct vga *v, size_t *size);
/* The VBE mode when VBE is enabled (false otherwise). */
bool vga_vbe_mode(struct vga *v, unsigned int *xres, unsigned int *yres,
		  unsigned int *bpp);

#endif
