// SPDX-License-Identifier: GPL-2.0-only
/*
 * vga.c --- VGA register file, PCI function and text-screen snapshot
 *
 * Models the IBM VGA register set (IBM VGA/XGA Technical Reference): the
 * miscellaneous output register, sequencer (SR0-4), CRT controller
 * (CR0-18, at 0x3B4 or 0x3D4 as misc bit 0 selects, with the CR11 write
 * protect of CR0-7), graphics controller (GR0-8), attribute controller
 * (AR0-14 with its index/data flip-flop reset by reading input status 1),
 * the DAC (mask, read/write index, 3-component auto-incrementing data) and
 * input status 1 with display-enable and vertical-retrace timing taken from
 * the virtual clock (31.5 kHz lines, 60 Hz frames).  The memory window,
 * planar logic and Bochs VBE are in vga_mem.c.  The text snapshot renders
 * what the CRTC would display in an alphanumeric mode: word-mode cells of
 * character (plane 0) and attribute (plane 1) from the start address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/vga_priv.h"

#define VGA_PORT_BASE	0x3b0
#define VGA_PORT_COUNT	0x30
#define VGA_LINE_NS	31778ULL	/* 31.469 kHz horizontal */
#define VGA_FRAME_NS	16683333ULL	/* 59.94 Hz vertical */
#define VGA_VRETRACE_NS	(2 * VGA_LINE_NS)
#define VGA_HDISP_NS	25422ULL	/* display-enable part of a line */
#define ST1_DD		0x01		/* display disabled */
#define ST1_VR		0x08		/* vertical retrace */
#define MAX_TEXT_COLS	160
#define MAX_TEXT_ROWS	100

static uint8_t vga_status1(struct vga *v)
{
	uint64_t t = vclock_now(v->clock) % VGA_FRAME_NS;

	v->ar_flip = false;
	if (t < VGA_VRETRACE_NS)
		return ST1_DD | ST1_VR;
	return t % VGA_LINE_NS >= VGA_HDISP_NS ? ST1_DD : 0;
}

/* Is @port (0x3Bx or 0x3Dx) the active CRTC/status address? */
static bool vga_port_active(const struct vga *v, unsigned int port)
{
	bool color = v->misc & 1;

	if (port >= 0x3b0 && port < 0x3c0)
		return !color;
	if (port >= 0x3d0)
		return color;
	return true;
}

static uint8_t vga_dac_read(struct vga *v)
{
	uint8_t b = v->dac[v->dac_read][v->dac_sub];

	if (++v->dac_sub == 3) {
		v->dac_sub = 0;
		v->dac_read++;
	}
	return b;
}

static void vga_dac_write(struct vga *v, uint8_t val)
{
	if (!(v->vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC))
		val &= 0x3f;
	v->dac[v->dac_write][v->dac_sub] = val;
	if (++v->dac_sub == 3) {
		v->dac_sub = 0;
		v->dac_write++;
	}
}

static uint8_t vga_reg_read(struct vga *v, unsigned int port)
{
	if (!vga_port_active(v, port))
		return 0xff;
	switch (port) {
	case 0x3c0:
		return v->ar_index;
	case 0x3c1:
		return (v->ar_index & 0x1f) < VGA_AR_COUNT ?
		       v->ar[v->ar_index & 0x1f] : 0;
	case 0x3c2:
		return 0x10;		/* input status 0: switch sense */
	case 0x3c3:
		return 0x01;		/* VGA enabled */
	case 0x3c4:
		return v->sr_index;
	case 0x3c5:
		return v->sr_index < VGA_SR_COUNT ? v->sr[v->sr_index] : 0;
	case 0x3c6:
		return v->dac_mask;
	case 0x3c7:
		return v->dac_reading ? 0x03 : 0x00;
	case 0x3c8:
		return v->dac_write;
	case 0x3c9:
		return vga_dac_read(v);
	case 0x3ca:
		return v->feature;
	case 0x3cc:
		return v->misc;
	case 0x3ce:
		return v->gr_index;
	case 0x3cf:
		return v->gr_index < VGA_GR_COUNT ? v->gr[v->gr_index] : 0;
	case 0x3b4: case 0x3d4:
		return v->cr_index;
	case 0x3b5: case 0x3d5:
		return v->cr_index < VGA_CR_COUNT ? v->cr[v->cr_index] : 0;
	case 0x3ba: case 0x3da:
		return vga_status1(v);
	default:
		return 0xff;
	}
}

static void vga_cr_write(struct vga *v, uint8_t val)
{
	unsigned int i = v->cr_index;

	if (i >= VGA_CR_COUNT)
		return;
	if ((v->cr[0x11] & 0x80) && i <= 7) {	/* CR0-7 write-protected */
		if (i == 7)
			v->cr[7] = (uint8_t)((v->cr[7] & ~0x10) | (val & 0x10));
		return;
	}
	v->cr[i] = val;
}

static void vga_reg_write(struct vga *v, unsigned int port, uint8_t val)
{
	if (!vga_port_active(v, port))
		return;
	switch (port) {
	case 0x3c0:
		if (!v->ar_flip)
			v->ar_index = val & 0x3f;
		else if ((v->ar_index & 0x1f) < VGA_AR_COUNT)
			v->ar[v->ar_index & 0x1f] = val;
		v->ar_flip = !v->ar_flip;
		break;
	case 0x3c2:
		v->misc = val;
		break;
	case 0x3c4:
		v->sr_index = val & 7;
		break;
	case 0x3c5:
		if (v->sr_index < VGA_SR_COUNT)
			v->sr[v->sr_index] = val;
		break;
	case 0x3c6:
		v->dac_mask = val;
		break;
	case 0x3c7:
		v->dac_read = val;
		v->dac_sub = 0;
		v->dac_reading = true;
		break;
	case 0x3c8:
		v->dac_write = val;
		v->dac_sub = 0;
		v->dac_reading = false;
		break;
	case 0x3c9:
		vga_dac_write(v, val);
		break;
	case 0x3ce:
		v->gr_index = val & 0x0f;
		break;
	case 0x3cf:
		if (v->gr_index < VGA_GR_COUNT)
			v->gr[v->gr_index] = val;
		break;
	case 0x3b4: case 0x3d4:
		v->cr_index = val & 0x3f;
		break;
	case 0x3b5: case 0x3d5:
		vga_cr_write(v, val);
		break;
	case 0x3ba: case 0x3da:
		v->feature = val;
		break;
	default:
		break;
	}
}

static uint64_t vga_io_read(void *opaque, uint64_t off, unsigned int size)
{
	return vga_reg_read(opaque, (unsigned int)(VGA_PORT_BASE + off));
}

static void vga_io_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned int size)
{
	vga_reg_write(opaque, (unsigned int)(VGA_PORT_BASE + off), (uint8_t)val);
}

static const struct io_ops vga_io_ops = {
	.read = vga_io_read, .write = vga_io_write, .widths = IO_W8,
};

/* Power-on state: 80x25 color text mode 3 as the VGA BIOS leaves it. */
static void vga_reset(void *dev)
{
	struct vga *v = dev;

	static const uint8_t cr3[VGA_CR_COUNT] = {
		0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f,
		0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28,
		0x1f, 0x96, 0xb9, 0xa3, 0xff,
	};
	static const uint8_t sr3[VGA_SR_COUNT] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
	static const uint8_t gr3[VGA_GR_COUNT] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff,
	};

	v->misc = 0x67;
	memcpy(v->cr, cr3, sizeof(v->cr));
	memcpy(v->sr, sr3, sizeof(v->sr));
	memcpy(v->gr, gr3, sizeof(v->gr));
	memset(v->ar, 0, sizeof(v->ar));
	for (unsigned int i = 0; i < 16; i++)
		v->ar[i] = (uint8_t)i;
	v->ar[0x10] = 0x0c;
	v->ar[0x12] = 0x0f;
	v->ar_index = 0x20;
	v->ar_flip = false;
	v->sr_index = v->gr_index = v->cr_index = 0;
	v->dac_mask = 0xff;
	v->dac_read = v->dac_write = v->dac_sub = 0;
	v->dac_reading = false;
	v->feature = 0;
	memset(v->latch, 0, sizeof(v->latch));
	vga_vbe_reset(v);
}

static bool vga_text_geometry(const struct vga *v, unsigned int *cols,
			      unsigned int *rows, unsigned int *stride)
{
	unsigned int lines, height;

	if (vga_vbe_on(v) || (v->gr[6] & 1))
		return false;
	lines = (v->cr[0x12] | (v->cr[7] & 0x02) << 7 |
		 (v->cr[7] & 0x40) << 3) + 1;
	height = (v->cr[9] & 0x1f) + 1;
	*cols = v->cr[1] + 1u;
	*rows = lines / height;
	*stride = v->cr[0x13] ? v->cr[0x13] * 2u : *cols;
	if (*cols > MAX_TEXT_COLS)
		*cols = MAX_TEXT_COLS;
	if (*rows > MAX_TEXT_ROWS)
		*rows = MAX_TEXT_ROWS;
	if (!*rows)
		*rows = 1;
	return true;
}

static char vga_glyph(uint8_t c)
{
	if (c == 0)
		return ' ';
	if (c >= 0x20 && c < 0x7f)
		return (char)c;
	if (c == 0xc4 || c == 0xcd)
		return '-';
	if (c == 0xb3 || c == 0xba)
		return '|';
	if (c >= 0xb0 && c <= 0xdf)
		return '+';
	return '.';
}

static unsigned int vga_start(const struct vga *v)
{
	return (unsigned int)v->cr[0x0c] << 8 | v->cr[0x0d];
}

int vga_text_snapshot(void *vga, char *buf, size_t len, unsigned int *cols,
		      unsigned int *rows)
{
	struct vga *v = vga;
	unsigned int c, r, stride, start = vga_start(v);
	size_t n = 0;

	if (!vga_text_geometry(v, &c, &r, &stride))
		return -ENOTSUP;
	if (len < (size_t)(c + 1) * r + 1)
		return -ENOSPC;
	for (unsigned int y = 0; y < r; y++) {
		for (unsigned int x = 0; x < c; x++) {
			uint32_t cell = (start + y * stride + x) * 2u;

			buf[n++] = vga_glyph(v->vram[((size_t)cell << 2) &
						     (4 * VGA_PLANE_SIZE - 1)]);
		}
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	*cols = c;
	*rows = r;
	return 0;
}

bool vga_text_cursor(void *vga, unsigned int *row, unsigned int *col)
{
	struct vga *v = vga;
	unsigned int c, r, stride, loc;

	if (!vga_text_geometry(v, &c, &r, &stride) || (v->cr[0x0a] & 0x20))
		return false;
	loc = ((unsigned int)v->cr[0x0e] << 8 | v->cr[0x0f]) - vga_start(v);
	if (loc >= stride * r)
		return false;
	*row = loc / stride;
	*col = loc % stride;
	return *col < c;
}

uint8_t *vga_vram(struct vga *v, size_t *size)
{
	*size = VGA_VRAM_SIZE;
	return v->vram;
}

bool vga_vbe_mode(struct vga *v, unsigned int *xres, unsigned int *yres,
		  unsigned int *bpp)
{
	if (!vga_vbe_on(v))
		return false;
	*xres = v->vbe[VBE_DISPI_INDEX_XRES];
	*yres = v->vbe[VBE_DISPI_INDEX_YRES];
	*bpp = v->vbe[VBE_DISPI_INDEX_BPP];
	return true;
}

static void vga_bar_moved(void *opaque, unsigned int bar, uint64_t addr)
{
	struct vga *v = opaque;

	if (bar == 0 && v->lfb_moved)
		v->lfb_moved(v->lfb_opaque, addr == PCI_BAR_UNMAPPED ?
			     UINT64_MAX : addr, v->vram, VGA_VRAM_SIZE);
}

void vga_set_lfb_hook(struct vga *v,
		      void (*moved)(void *opaque, uint64_t gpa, uint8_t *host,
				    size_t len),
		      void *opaque)
{
	v->lfb_moved = moved;
	v->lfb_opaque = opaque;
}

static const struct pci_func_ops vga_pci_ops = {
	.bar_moved	= vga_bar_moved,
};

static int vga_pci_register(struct vga *v, struct pci_bus *bus)
{
	static const struct pci_dev_info info = {
		.vendor = VGA_PCI_VENDOR,
		.device = VGA_PCI_DEVICE,
		.class_code = 0x030000,		/* VGA-compatible display */
		.revision = 2,
		.subsys_vendor = 0x1af4,
		.subsys_id = 0x1100,
	};
	int err;

	err = pci_register_function(bus, PCI_DEVFN(2, 0), &info, &vga_pci_ops,
				    v, &v->pci);
	if (err)
		return err;
	return pci_dev_set_bar(v->pci, 0, VGA_VRAM_SIZE,
			       PCI_BAR_MEM | PCI_BAR_PREFETCH, &vga_lfb_ops, v);
}

/* Past the image (inside the power-of-two BAR) the ROM reads zeros. */
static uint64_t vga_rom_read(void *opaque, uint64_t off, unsigned int size)
{
	struct vga *v = opaque;
	uint64_t val = 0;

	if (off < v->rom_len)
		memcpy(&val, v->rom + off,
		       v->rom_len - off < size ? v->rom_len - off : size);
	return val;			/* little-endian host */
}

static void vga_rom_write(void *opaque, uint64_t off, uint64_t val,
			  unsigned int size)
{
}

static const struct io_ops vga_rom_ops = {
	.read = vga_rom_read, .write = vga_rom_write,
};

int vga_set_rom(struct vga *v, const void *rom, size_t len)
{
	uint64_t size = 2048;
	int err;

	if (!v->pci || v->rom || !len || len > (1u << 20))
		return -EINVAL;
	while (size < len)
		size <<= 1;
	v->rom = malloc(len);
	if (!v->rom)
		return -ENOMEM;
	memcpy(v->rom, rom, len);
	v->rom_len = len;
	err = pci_dev_set_bar(v->pci, PCI_ROM_BAR, size, PCI_BAR_MEM,
			      &vga_rom_ops, v);
	if (err) {
		free(v->rom);
		v->rom = NULL;
		v->rom_len = 0;
	}
	return err;
}

/* Undo vga_init(), also a partial one. */
static void vga_fini(void *dev)
{
	struct vga *v = dev;

	pci_unregister_function(v->pci);
	v->pci = NULL;
	if (v->window_mapped)
		iospace_unmap(v->mmio, VGA_LEGACY_BASE);
	if (v->vram)
		munmap(v->vram, VGA_VRAM_SIZE);
	free(v->rom);
}

static int vga_init(void *dev, const struct dev_env *env,
		    const struct dev_cfg *cfg)
{
	const struct vga_cfg *vc = cfg->priv;
	struct vga *v = dev;
	int err = -ENOMEM;

	/* anonymous mapping: zero pages stay lazy until the guest draws */
	v->vram = mmap(NULL, VGA_VRAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->vram == MAP_FAILED) {
		v->vram = NULL;
		goto out_fini;
	}
	v->clock = env->clock;
	v->mmio = env->mmio;
	err = iospace_map(v->mmio, VGA_LEGACY_BASE, VGA_LEGACY_SIZE,
			  &vga_legacy_ops, v);
	if (err)
		goto out_fini;
	v->window_mapped = true;
	if (cfg->pci)
		err = vga_pci_register(v, cfg->pci);
	if (!err && vc && vc->rom)
		err = vga_set_rom(v, vc->rom, vc->rom_len);
	if (!err)
		return 0;
out_fini:
	vga_fini(v);
	return err;
}

/* The register ports; index 0x1CE, data 0x1CF (16-bit, so through 0x1D0). */
static const struct io_range vga_ranges[] = {
	{ VGA_PORT_BASE, VGA_PORT_COUNT, &vga_io_ops },
	{ VBE_DISPI_INDEX_PORT, 3, &vga_vbe_ops },
};

const struct dev_ops vga_dev = {
	.name = "VGA", .size = sizeof(struct vga),
	.init = vga_init, .fini = vga_fini, .reset = vga_reset,
	.ranges = vga_ranges, .nranges = 2,
	.fb = &vga_fb_ops,
};
