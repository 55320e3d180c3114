// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga_mem.c --- VGA memory window, planar access, Bochs VBE, framebuffer
 *
 * The legacy window (IBM VGA Technical Reference, "Graphics Controller"
 * and "Sequencer Memory Mode"): graphics register 6 selects which part of
 * 0xA0000-0xBFFFF decodes; CPU accesses go through chain-4 (mode 13h),
 * odd/even (text modes) or planar addressing.  Planar writes implement
 * write modes 0-3 with data rotate, set/reset, enable set/reset, the ALU
 * function, bit mask and map mask against the four latches; reads load the
 * latches and return read mode 0 (one map) or 1 (color compare).  With the
 * Bochs VBE interface enabled the window is a 64 KiB bank into the linear
 * framebuffer, which is also reachable whole through PCI BAR0.  The VBE
 * "dispi" registers (index 0x1CE, data 0x1CF) follow the Bochs/QEMU
 * interface IDs B0C0-B0C5.
 */
#include <string.h>

#include "devices/vga_priv.h"

#define GR_SET_RESET	0
#define GR_ENABLE_SR	1
#define GR_COLOR_CMP	2
#define GR_ROTATE	3
#define GR_READ_MAP	4
#define GR_MODE		5
#define GR_MISC		6
#define GR_DONT_CARE	7
#define GR_BIT_MASK	8
#define SR_MAP_MASK	2
#define SR_MEM_MODE	4
#define SR_MEM_CHAIN4	0x08
#define SR_MEM_NO_OE	0x04	/* 1 = odd/even addressing off */

bool vga_vbe_on(const struct vga *v)
{
	return v->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

/* Window offset -> address seen by the VGA, or -1 when not decoded. */
static int64_t vga_window(const struct vga *v, uint64_t off)
{
	switch ((v->gr[GR_MISC] >> 2) & 3) {
	case 0:
		return (int64_t)off;
	case 1:
		return off < 0x10000 ? (int64_t)off : -1;
	case 2:
		return off >= 0x10000 && off < 0x18000 ?
		       (int64_t)(off - 0x10000) : -1;
	default:
		return off >= 0x18000 ? (int64_t)(off - 0x18000) : -1;
	}
}

/* Byte index in vram of plane @p at plane offset @o (o < 64 KiB). */
static size_t plane_idx(uint32_t o, unsigned int p)
{
	return ((size_t)(o & (VGA_PLANE_SIZE - 1)) << 2) | (p & 3);
}

static uint8_t vga_read_byte(struct vga *v, uint32_t a)
{
	uint8_t r = 0;
	unsigned int p;

	if (v->sr[SR_MEM_MODE] & SR_MEM_CHAIN4)
		return v->vram[a & (4 * VGA_PLANE_SIZE - 1)];
	if (!(v->sr[SR_MEM_MODE] & SR_MEM_NO_OE) || (v->gr[GR_MODE] & 0x10)) {
		p = (v->gr[GR_READ_MAP] & 2) | (a & 1);
		return v->vram[plane_idx(a & ~1u, p)];
	}
	for (p = 0; p < 4; p++)
		v->latch[p] = v->vram[plane_idx(a, p)];
	if (!(v->gr[GR_MODE] & 0x08))
		return v->latch[v->gr[GR_READ_MAP] & 3];
	for (p = 0; p < 4; p++) {	/* read mode 1: color compare */
		uint8_t want = (v->gr[GR_COLOR_CMP] >> p) & 1 ? 0xff : 0;

		if ((v->gr[GR_DONT_CARE] >> p) & 1)
			r |= v->latch[p] ^ want;
	}
	return (uint8_t)~r;
}

static uint8_t vga_alu(const struct vga *v, uint8_t b, unsigned int p)
{
	switch ((v->gr[GR_ROTATE] >> 3) & 3) {
	case 1:
		return b & v->latch[p];
	case 2:
		return b | v->latch[p];
	case 3:
		return b ^ v->latch[p];
	default:
		return b;
	}
}

static void vga_write_planar(struct vga *v, uint32_t a, uint8_t val)
{
	unsigned int mode = v->gr[GR_MODE] & 3, rot = v->gr[GR_ROTATE] & 7;
	uint8_t mask = v->gr[GR_BIT_MASK], r, b;

	r = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
	if (mode == 3)
		mask &= r;
	for (unsigned int p = 0; p < 4; p++) {
		bool sr = (v->gr[GR_SET_RESET] >> p) & 1;

		if (!((v->sr[SR_MAP_MASK] >> p) & 1))
			continue;
		if (mode == 1) {
			v->vram[plane_idx(a, p)] = v->latch[p];
			continue;
		}
		if (mode == 2)
			b = (val >> p) & 1 ? 0xff : 0;
		else if (mode == 3 || ((v->gr[GR_ENABLE_SR] >> p) & 1))
			b = sr ? 0xff : 0;
		else
			b = r;
		b = vga_alu(v, b, p);
		v->vram[plane_idx(a, p)] = (uint8_t)((b & mask) |
						     (v->latch[p] & ~mask));
	}
}

static void vga_write_byte(struct vga *v, uint32_t a, uint8_t val)
{
	unsigned int p;

	if (v->sr[SR_MEM_MODE] & SR_MEM_CHAIN4) {
		p = a & 3;
		if ((v->sr[SR_MAP_MASK] >> p) & 1)
			v->vram[a & (4 * VGA_PLANE_SIZE - 1)] = val;
		return;
	}
	if (!(v->sr[SR_MEM_MODE] & SR_MEM_NO_OE)) {
		/* odd/even: even bytes to planes 0/2, odd to 1/3 */
		for (p = a & 1; p < 4; p += 2)
			if ((v->sr[SR_MAP_MASK] >> p) & 1)
				v->vram[plane_idx(a & ~1u, p)] = val;
		return;
	}
	vga_write_planar(v, a, val);
}

/* Address of a banked VBE access inside vram, or -1. */
static int64_t vbe_bank_addr(const struct vga *v, int64_t a)
{
	uint64_t lin;

	if (a < 0 || a >= 0x10000)
		return -1;
	lin = (uint64_t)v->vbe[VBE_DISPI_INDEX_BANK] * 0x10000 + (uint64_t)a;
	return lin < VGA_VRAM_SIZE ? (int64_t)lin : -1;
}

/* The window goes through the planar logic a byte at a time. */
static uint64_t legacy_read(void *opaque, uint64_t off, unsigned int size)
{
	struct vga *v = opaque;
	int64_t a = vga_window(v, off);

	if (a >= 0 && vga_vbe_on(v)) {
		a = vbe_bank_addr(v, a);
		return a >= 0 ? v->vram[a] : 0xff;
	}
	return a >= 0 ? vga_read_byte(v, (uint32_t)a) : 0xff;
}

static void legacy_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned int size)
{
	struct vga *v = opaque;
	int64_t a = vga_window(v, off);

	if (a >= 0 && vga_vbe_on(v)) {
		a = vbe_bank_addr(v, a);
		if (a >= 0)
			v->vram[a] = (uint8_t)val;
	} else if (a >= 0) {
		vga_write_byte(v, (uint32_t)a, (uint8_t)val);
	}
}

const struct io_ops vga_legacy_ops = {
	.read = legacy_read, .write = legacy_write, .widths = IO_W8,
};

static uint64_t lfb_read(void *opaque, uint64_t off, unsigned int size)
{
	struct vga *v = opaque;
	uint64_t val = 0;

	if (off >= VGA_VRAM_SIZE || size > VGA_VRAM_SIZE - off)
		return ~0ULL;
	memcpy(&val, v->vram + off, size);	/* little-endian host */
	return val;
}

static void lfb_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
	struct vga *v = opaque;

	if (off >= VGA_VRAM_SIZE || size > VGA_VRAM_SIZE - off)
		return;
	memcpy(v->vram + off, &val, size);
}

const struct io_ops vga_lfb_ops = {
	.read = lfb_read, .write = lfb_write,
};

void vga_vbe_reset(struct vga *v)
{
	memset(v->vbe, 0, sizeof(v->vbe));
	v->vbe[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
	v->vbe[VBE_DISPI_INDEX_VIDEO_MEMORY_64K] = VGA_VRAM_SIZE >> 16;
	v->vbe_index = 0;
}

static uint16_t vbe_read_reg(struct vga *v, unsigned int i)
{
	bool caps = v->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS;

	if (i >= VBE_DISPI_INDEX_NB)
		return 0;
	if (caps && i == VBE_DISPI_INDEX_XRES)
		return VBE_DISPI_MAX_XRES;
	if (caps && i == VBE_DISPI_INDEX_YRES)
		return VBE_DISPI_MAX_YRES;
	if (caps && i == VBE_DISPI_INDEX_BPP)
		return VBE_DISPI_MAX_BPP;
	return v->vbe[i];
}

/* Bytes per scan line of the current VBE mode (0 for bad bpp). */
static uint32_t vbe_pitch(const struct vga *v, uint32_t width)
{
	uint32_t bpp = v->vbe[VBE_DISPI_INDEX_BPP];

	if (bpp == 4)
		return width / 2;
	return width * ((bpp + 7) / 8);
}

static void vbe_enable(struct vga *v, uint16_t val)
{
	uint16_t *r = v->vbe;
	uint32_t pitch;

	if (!(val & VBE_DISPI_ENABLED)) {
		r[VBE_DISPI_INDEX_ENABLE] = val & VBE_DISPI_GETCAPS;
		return;
	}
	if (!r[VBE_DISPI_INDEX_XRES] || !r[VBE_DISPI_INDEX_YRES] ||
	    r[VBE_DISPI_INDEX_XRES] > VBE_DISPI_MAX_XRES ||
	    r[VBE_DISPI_INDEX_YRES] > VBE_DISPI_MAX_YRES)
		return;		/* invalid mode: stay as we are */
	switch (r[VBE_DISPI_INDEX_BPP]) {
	case 4: case 8: case 15: case 16: case 24: case 32:
		break;
	case 0:
		r[VBE_DISPI_INDEX_BPP] = 8;
		break;
	default:
		return;
	}
	pitch = vbe_pitch(v, r[VBE_DISPI_INDEX_XRES]);
	if ((uint64_t)pitch * r[VBE_DISPI_INDEX_YRES] > VGA_VRAM_SIZE)
		return;
	r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
	r[VBE_DISPI_INDEX_VIRT_HEIGHT] = (uint16_t)(VGA_VRAM_SIZE / pitch >
		0xffff ? 0xffff : VGA_VRAM_SIZE / pitch);
	r[VBE_DISPI_INDEX_X_OFFSET] = 0;
	r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
	if (!(val & VBE_DISPI_NOCLEARMEM))
		memset(v->vram, 0, (size_t)pitch * r[VBE_DISPI_INDEX_YRES]);
	r[VBE_DISPI_INDEX_ENABLE] = val & (VBE_DISPI_ENABLED |
		VBE_DISPI_GETCAPS | VBE_DISPI_8BIT_DAC | VBE_DISPI_LFB_ENABLED);
	/* graphics mode for the VGA side: chain-4, A0000 64K window */
	v->gr[GR_MISC] = (v->gr[GR_MISC] & ~0x0c) | 0x05;
	v->sr[SR_MEM_MODE] |= SR_MEM_CHAIN4;
}

static void vbe_write_reg(struct vga *v, unsigned int i, uint16_t val)
{
	uint16_t *r = v->vbe;

	switch (i) {
	case VBE_DISPI_INDEX_ID:
		if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
			r[i] = val;
		break;
	case VBE_DISPI_INDEX_XRES:
	case VBE_DISPI_INDEX_YRES:
	case VBE_DISPI_INDEX_BPP:
		if (!vga_vbe_on(v))	/* mode set only while disabled */
			r[i] = val;
		break;
	case VBE_DISPI_INDEX_ENABLE:
		vbe_enable(v, val);
		break;
	case VBE_DISPI_INDEX_BANK:
		if ((uint32_t)val * 0x10000 < VGA_VRAM_SIZE)
			r[i] = val;
		break;
	case VBE_DISPI_INDEX_VIRT_WIDTH:
		if (val && vbe_pitch(v, val) &&
		    (uint64_t)vbe_pitch(v, val) * r[VBE_DISPI_INDEX_YRES] <=
		    VGA_VRAM_SIZE) {
			r[i] = val;
			r[VBE_DISPI_INDEX_VIRT_HEIGHT] = (uint16_t)
				(VGA_VRAM_SIZE / vbe_pitch(v, val) > 0xffff ?
				 0xffff : VGA_VRAM_SIZE / vbe_pitch(v, val));
		}
		break;
	case VBE_DISPI_INDEX_X_OFFSET:
	case VBE_DISPI_INDEX_Y_OFFSET:
		r[i] = val;
		break;
	default:	/* VIRT_HEIGHT, VIDEO_MEMORY_64K: read-only */
		break;
	}
}

static uint64_t vbe_read(void *opaque, uint64_t off, unsigned int size)
{
	struct vga *v = opaque;

	if (off == 0)
		return v->vbe_index;
	return vbe_read_reg(v, v->vbe_index);
}

static void vbe_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
	struct vga *v = opaque;

	if (off == 0)
		v->vbe_index = (uint16_t)val;
	else
		vbe_write_reg(v, v->vbe_index, (uint16_t)val);
}

/* 16-bit registers: index at 0x1CE, data at 0x1CF (through 0x1D0). */
const struct io_ops vga_vbe_ops = {
	.read = vbe_read, .write = vbe_write, .widths = IO_W8 | IO_W16,
};
