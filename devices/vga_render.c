// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga_render.c --- turn VGA/VBE state into an RGB picture
 *
 * What the CRTC and attribute controller would scan out (IBM VGA Technical
 * Reference, "CRT Controller" and "Attribute Controller"): the display
 * geometry from CR1/CR12/CR7/CR9/CR13, the start address, text cells with
 * 8- or 9-dot glyphs from plane 2 (32 bytes per character), 16-color
 * planar graphics through the attribute palette, 256-color chain-4 through
 * the DAC, and Bochs VBE linear modes.  DAC entries are 6 bits per
 * component unless VBE 8-bit DAC mode is on.  No state is changed.
 */
#include <errno.h>

#include "devices/vga_priv.h"

#define RENDER_MAX_W	2560
#define RENDER_MAX_H	1600

struct vga_canvas {
	uint32_t	*pix;
	unsigned int	stride, max_w, max_h;
};

static void put(const struct vga_canvas *c, unsigned int x, unsigned int y,
		uint32_t rgb)
{
	if (x < c->max_w && y < c->max_h)
		c->pix[(size_t)y * c->stride + x] = rgb;
}

static uint32_t dac_rgb(const struct vga *v, uint8_t i)
{
	const uint8_t *e = v->dac[i & v->dac_mask];

	if (v->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC)
		return (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
	return (uint32_t)(e[0] << 2 | e[0] >> 4) << 16 |
	       (uint32_t)(e[1] << 2 | e[1] >> 4) << 8 | (e[2] << 2 | e[2] >> 4);
}

/* A 4-bit color through the attribute palette and color select to RGB. */
static uint32_t attr_rgb(const struct vga *v, unsigned int c4)
{
	uint8_t p = v->ar[c4 & 0x0f], ix;

	if (v->ar[0x10] & 0x80)	/* P5/P4 from color select */
		ix = (uint8_t)((p & 0x0f) | (v->ar[0x14] & 0x0f) << 4);
	else
		ix = (uint8_t)((p & 0x3f) | (v->ar[0x14] & 0x0c) << 4);
	return dac_rgb(v, ix);
}

static uint8_t plane_byte(const struct vga *v, uint32_t off, unsigned int p)
{
	return v->vram[((size_t)(off & (VGA_PLANE_SIZE - 1)) << 2) | p];
}

static unsigned int vga_lines(const struct vga *v)
{
	return (v->cr[0x12] | (v->cr[7] & 0x02) << 7 |
		(v->cr[7] & 0x40) << 3) + 1u;
}

static unsigned int vga_start_addr(const struct vga *v)
{
	return (unsigned int)v->cr[0x0c] << 8 | v->cr[0x0d];
}

static void draw_glyph(const struct vga *v, const struct vga_canvas *c,
		       unsigned int x0, unsigned int y0, unsigned int cw,
		       unsigned int chh, uint8_t ch, uint8_t at, bool cursor)
{
	uint32_t fg = attr_rgb(v, at & 0x0f);
	uint32_t bg = attr_rgb(v, (v->ar[0x10] & 0x08) ? (at >> 4) & 7 : at >> 4);
	unsigned int cs = v->cr[0x0a] & 0x1f, ce = v->cr[0x0b] & 0x1f;

	for (unsigned int y = 0; y < chh; y++) {
		uint8_t bits = plane_byte(v, (uint32_t)ch * 32 + y, 2);
		bool line9 = ch >= 0xc0 && ch <= 0xdf && (bits & 1);

		if (cursor && y >= cs && y <= ce)
			bits = 0xff, line9 = true;
		for (unsigned int x = 0; x < cw; x++) {
			bool on = x < 8 ? (bits >> (7 - x)) & 1 : line9;

			put(c, x0 + x, y0 + y, on ? fg : bg);
		}
	}
}

static int render_text(struct vga *v, const struct vga_canvas *c,
		       unsigned int *w, unsigned int *h)
{
	unsigned int cw = (v->sr[1] & 1) ? 8 : 9, chh = (v->cr[9] & 0x1f) + 1;
	unsigned int cols = v->cr[1] + 1u, rows = vga_lines(v) / chh;
	unsigned int stride = v->cr[0x13] ? v->cr[0x13] * 2u : cols;
	unsigned int start = vga_start_addr(v), cur;
	bool cur_on = !(v->cr[0x0a] & 0x20);

	cur = ((unsigned int)v->cr[0x0e] << 8 | v->cr[0x0f]);
	*w = cols * cw;
	*h = rows * chh;
	if (*w > RENDER_MAX_W || *h > RENDER_MAX_H || !rows)
		return -ENOTSUP;
	for (unsigned int r = 0; r < rows; r++) {
		for (unsigned int col = 0; col < cols; col++) {
			unsigned int a = start + r * stride + col;
			uint32_t off = a * 2u;

			draw_glyph(v, c, col * cw, r * chh, cw, chh,
				   plane_byte(v, off, 0), plane_byte(v, off, 1),
				   cur_on && a == cur);
		}
	}
	return 0;
}

static int render_planar(struct vga *v, const struct vga_canvas *c,
			 unsigned int *w, unsigned int *h)
{
	unsigned int scan = ((v->cr[9] & 0x80) ? 2 : 1) * ((v->cr[9] & 0x1f) + 1);
	unsigned int pitch = v->cr[0x13] * 2u, start = vga_start_addr(v);

	*w = (v->cr[1] + 1u) * 8;
	*h = vga_lines(v) / scan;
	if (*w > RENDER_MAX_W || !*h)
		return -ENOTSUP;
	for (unsigned int y = 0; y < *h; y++) {
		for (unsigned int x = 0; x < *w; x++) {
			uint32_t off = start + y * pitch + x / 8;
			unsigned int bit = 7 - (x & 7), c4 = 0;

			for (unsigned int p = 0; p < 4; p++)
				c4 |= ((plane_byte(v, off, p) >> bit) & 1u) << p;
			c4 &= v->ar[0x12] & 0x0f;	/* color plane enable */
			put(c, x, y, attr_rgb(v, c4));
		}
	}
	return 0;
}

static int render_chain4(struct vga *v, const struct vga_canvas *c,
			 unsigned int *w, unsigned int *h)
{
	unsigned int scan = ((v->cr[9] & 0x80) ? 2 : 1) * ((v->cr[9] & 0x1f) + 1);
	unsigned int pitch = v->cr[0x13] * 8u, start = vga_start_addr(v) * 4u;

	*w = (v->cr[1] + 1u) * 4;
	*h = vga_lines(v) / scan;
	if (*w > RENDER_MAX_W || !*h)
		return -ENOTSUP;
	for (unsigned int y = 0; y < *h; y++)
		for (unsigned int x = 0; x < *w; x++)
			put(c, x, y, dac_rgb(v, v->vram[(start + y * pitch + x) &
						       (4 * VGA_PLANE_SIZE - 1)]));
	return 0;
}

static uint32_t vbe_pixel(const struct vga *v, const uint8_t *p,
			  unsigned int bpp)
{
	uint32_t x;

	switch (bpp) {
	case 8:
		return dac_rgb(v, p[0]);
	case 15:
		x = (uint32_t)(p[0] | p[1] << 8);
		return ((x >> 10) & 0x1f) << 19 | ((x >> 5) & 0x1f) << 11 |
		       (x & 0x1f) << 3;
	case 16:
		x = (uint32_t)(p[0] | p[1] << 8);
		return ((x >> 11) & 0x1f) << 19 | ((x >> 5) & 0x3f) << 10 |
		       (x & 0x1f) << 3;
	default:	/* 24, 32: B, G, R in memory */
		return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	}
}

static int render_vbe(struct vga *v, const struct vga_canvas *c,
		      unsigned int *w, unsigned int *h)
{
	unsigned int bpp = v->vbe[VBE_DISPI_INDEX_BPP];
	unsigned int bytes = (bpp + 7) / 8;
	uint64_t pitch = (uint64_t)v->vbe[VBE_DISPI_INDEX_VIRT_WIDTH] * bytes;
	uint64_t base = v->vbe[VBE_DISPI_INDEX_Y_OFFSET] * pitch +
			(uint64_t)v->vbe[VBE_DISPI_INDEX_X_OFFSET] * bytes;

	*w = v->vbe[VBE_DISPI_INDEX_XRES];
	*h = v->vbe[VBE_DISPI_INDEX_YRES];
	if (bpp < 8)
		return -ENOTSUP;
	for (unsigned int y = 0; y < *h && y < c->max_h; y++) {
		for (unsigned int x = 0; x < *w && x < c->max_w; x++) {
			uint64_t a = base + y * pitch + (uint64_t)x * bytes;

			if (a + bytes > VGA_VRAM_SIZE)
				return 0;	/* panned past the end */
			put(c, x, y, vbe_pixel(v, v->vram + a, bpp));
		}
	}
	return 0;
}

int vga_render(void *vga, uint32_t *pix, unsigned int stride,
	       unsigned int max_w, unsigned int max_h, unsigned int *w,
	       unsigned int *h)
{
	struct vga *v = vga;
	struct vga_canvas c = { pix, stride, max_w < stride ? max_w : stride,
				max_h };

	if (vga_vbe_on(v))
		return render_vbe(v, &c, w, h);
	if (!(v->gr[6] & 1))
		return render_text(v, &c, w, h);
	if (v->sr[4] & 0x08)
		return render_chain4(v, &c, w, h);
	if (!(v->gr[5] & 0x60))
		return render_planar(v, &c, w, h);
	return -ENOTSUP;	/* CGA-compatible shift modes */
}

const struct fb_ops vga_fb_ops = {
	.text	= vga_text_snapshot,
	.cursor	= vga_text_cursor,
	.render	= vga_render,
};
