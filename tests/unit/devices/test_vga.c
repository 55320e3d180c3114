// SPDX-License-Identifier: GPL-2.0-only
/* test_vga.c --- VGA registers, text window, planar logic, VBE, PCI BAR */
#include <string.h>

#include "devices/pci.h"
#include "devices/vga.h"
#include "tests/unit/devices/dev_fixture.h"

struct vga_fx {
	struct fx	fx;
	struct vga	*v;
};

static void setup(struct vga_fx *t)
{
	fx_init(&t->fx);
	t->v = fx_dev(&t->fx, &vga_dev, &(struct dev_cfg){ 0 });
}

static void teardown(struct vga_fx *t)
{
	dev_destroy(t->v);
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x3c0));
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x1ce));
	T_ASSERT(!iospace_claimed(t->fx.mmio, 0xb8000));
	fx_fini(&t->fx);
}

static void mw(struct vga_fx *t, uint64_t a, uint8_t v)
{
	iospace_write(t->fx.mmio, a, v, 1);
}

static uint8_t mr(struct vga_fx *t, uint64_t a)
{
	return (uint8_t)iospace_read(t->fx.mmio, a, 1);
}

static void outw(struct fx *f, uint16_t port, uint16_t v)
{
	iospace_write(f->pio, port, v, 2);
}

static uint16_t inw(struct fx *f, uint16_t port)
{
	return (uint16_t)iospace_read(f->pio, port, 2);
}

static void test_vga_text_snapshot(void)
{
	struct vga_fx t = { 0 };
	static char buf[81 * 25 + 1];
	unsigned int cols, rows, r, c;
	const char *msg = "Hello, dualvm";

	setup(&t);
	for (unsigned int i = 0; msg[i]; i++) {
		mw(&t, 0xb8000 + 2 * i, (uint8_t)msg[i]);
		mw(&t, 0xb8000 + 2 * i + 1, 0x07);
	}
	mw(&t, 0xb8000 + 160, 0xc4);		/* box drawing on row 1 */
	T_EQ(mr(&t, 0xb8000), 'H');
	T_EQ(mr(&t, 0xb8001), 0x07);
	T_EQ(mr(&t, 0xa0000), 0xff);		/* not decoded in mode 3 */
	T_EQ(vga_text_snapshot(t.v, buf, sizeof(buf), &cols, &rows), 0);
	T_EQ(cols, 80);
	T_EQ(rows, 25);
	T_ASSERT(!strncmp(buf, "Hello, dualvm   ", 16));
	T_EQ(buf[80], '\n');
	T_EQ(buf[81], '-');
	T_EQ(strlen(buf), 81 * 25);
	T_EQ(vga_text_snapshot(t.v, buf, 100, &cols, &rows), -ENOSPC);
	outb(&t.fx, 0x3d4, 0x0e);
	outb(&t.fx, 0x3d5, 0x00);
	outb(&t.fx, 0x3d4, 0x0f);
	outb(&t.fx, 0x3d5, 85);
	T_ASSERT(vga_text_cursor(t.v, &r, &c));
	T_ASSERT(r == 1 && c == 5);
	/* scrolled start address */
	outb(&t.fx, 0x3d4, 0x0d);
	outb(&t.fx, 0x3d5, 80);
	T_EQ(vga_text_snapshot(t.v, buf, sizeof(buf), &cols, &rows), 0);
	T_EQ(buf[0], '-');
	teardown(&t);
}

static void test_vga_registers(void)
{
	struct vga_fx t = { 0 };

	setup(&t);
	T_EQ(inb(&t.fx, 0x3cc), 0x67);
	outw(&t.fx, 0x3c4, 0x0f02);		/* SR2 = 0x0f */
	T_EQ(inb(&t.fx, 0x3c5), 0x0f);
	outw(&t.fx, 0x3ce, 0x5a08);
	T_EQ(inb(&t.fx, 0x3cf), 0x5a);
	outb(&t.fx, 0x3d4, 0x11);
	T_EQ(inb(&t.fx, 0x3d5), 0x8e);
	outb(&t.fx, 0x3d4, 0x01);
	outb(&t.fx, 0x3d5, 0x27);		/* protected by CR11 bit 7 */
	T_EQ(inb(&t.fx, 0x3d5), 0x4f);
	outw(&t.fx, 0x3d4, 0x0e11);		/* unprotect */
	outw(&t.fx, 0x3d4, 0x2701);
	T_EQ(inb(&t.fx, 0x3d5), 0x27);
	T_EQ(inb(&t.fx, 0x3b5), 0xff);		/* mono CRTC inactive */
	outb(&t.fx, 0x3c2, 0x66);		/* mono addressing */
	outb(&t.fx, 0x3b4, 0x01);
	T_EQ(inb(&t.fx, 0x3b5), 0x27);
	T_EQ(inb(&t.fx, 0x3d5), 0xff);
	/* attribute controller flip-flop */
	inb(&t.fx, 0x3ba);
	outb(&t.fx, 0x3c0, 0x10);
	outb(&t.fx, 0x3c0, 0x41);
	outb(&t.fx, 0x3c0, 0x31);		/* index again: flip-flop */
	T_EQ(inb(&t.fx, 0x3c0), 0x31);
	outb(&t.fx, 0x3c0, 0x33);
	outb(&t.fx, 0x3c0, 0x10);
	T_EQ(inb(&t.fx, 0x3c1), 0x41);
	T_EQ(inb(&t.fx, 0x3c3), 0x01);
	/* DAC: auto-increment, 6-bit components */
	outb(&t.fx, 0x3c8, 5);
	for (unsigned int i = 0; i < 6; i++)
		outb(&t.fx, 0x3c9, (uint8_t)(0x10 + i));
	outb(&t.fx, 0x3c9, 0xff);
	T_EQ(inb(&t.fx, 0x3c8), 7);
	outb(&t.fx, 0x3c7, 5);
	T_EQ(inb(&t.fx, 0x3c7), 0x03);
	for (unsigned int i = 0; i < 6; i++)
		T_EQ(inb(&t.fx, 0x3c9), 0x10 + i);
	T_EQ(inb(&t.fx, 0x3c9), 0x3f);
	teardown(&t);
}

static void test_vga_retrace(void)
{
	struct vga_fx t = { 0 };
	unsigned int vr = 0, dd = 0;

	setup(&t);
	for (unsigned int i = 0; i < 2000; i++) {
		uint8_t s = inb(&t.fx, 0x3da);

		vr += !!(s & 0x08);
		dd += !!(s & 0x01);
		vclock_advance(t.fx.clock, 17 * 1000);	/* 2000 x 17 us ~ 2 frames */
	}
	T_ASSERT(vr >= 4 && vr <= 12);
	T_ASSERT(dd > 200 && dd < 1000);
	teardown(&t);
}

/* 16-color planar mode: no chain-4, no odd/even, A0000 64K window. */
static void planar_mode(struct vga_fx *t)
{
	outw(&t->fx, 0x3c4, 0x0604);
	outw(&t->fx, 0x3c4, 0x0f02);
	outw(&t->fx, 0x3ce, 0x0506);
	outw(&t->fx, 0x3ce, 0x0005);
	outw(&t->fx, 0x3ce, 0xff08);
}

static void test_vga_planar(void)
{
	struct vga_fx t = { 0 };

	setup(&t);
	planar_mode(&t);
	outw(&t.fx, 0x3ce, 0x0501);		/* set/reset on planes 0, 2 */
	outw(&t.fx, 0x3ce, 0x0f00);
	mw(&t, 0xa0000, 0x5a);
	outw(&t.fx, 0x3ce, 0x0001);
	for (unsigned int p = 0; p < 4; p++) {
		outw(&t.fx, 0x3ce, (uint16_t)(p << 8 | 0x04));
		T_EQ(mr(&t, 0xa0000), p == 1 ? 0x5a : p == 3 ? 0x5a : 0xff);
	}
	/* read mode 1: compare against color 0xf on all planes */
	outw(&t.fx, 0x3ce, 0x0805);
	outw(&t.fx, 0x3ce, 0x0f07);
	outw(&t.fx, 0x3ce, 0x0f02);
	T_EQ(mr(&t, 0xa0000), 0x5a);		/* bits where all planes are 1 */
	outw(&t.fx, 0x3ce, 0x0507);		/* only planes 0, 2 matter */
	T_EQ(mr(&t, 0xa0000), 0xff);
	/* bit mask keeps latched bits; XOR function */
	outw(&t.fx, 0x3ce, 0x0005);
	outw(&t.fx, 0x3ce, 0x0f08);
	outw(&t.fx, 0x3ce, 0x1803);		/* XOR */
	(void)mr(&t, 0xa0000);			/* load latches */
	mw(&t, 0xa0000, 0xff);
	outw(&t.fx, 0x3ce, 0x0003);
	outw(&t.fx, 0x3ce, 0xff08);
	outw(&t.fx, 0x3ce, 0x0004);
	T_EQ(mr(&t, 0xa0000), 0xf0);
	outw(&t.fx, 0x3ce, 0x0104);
	T_EQ(mr(&t, 0xa0000), 0x55);
	/* write mode 1 copies the latches */
	outw(&t.fx, 0x3ce, 0x0105);
	(void)mr(&t, 0xa0000);
	mw(&t, 0xa0010, 0);
	outw(&t.fx, 0x3ce, 0x0005);
	outw(&t.fx, 0x3ce, 0x0104);
	T_EQ(mr(&t, 0xa0010), 0x55);
	/* write mode 2: color from the CPU byte, map mask limits planes */
	outw(&t.fx, 0x3ce, 0x0205);
	outw(&t.fx, 0x3c4, 0x0302);
	mw(&t, 0xa0020, 0x0f);
	outw(&t.fx, 0x3ce, 0x0005);
	for (unsigned int p = 0; p < 4; p++) {
		outw(&t.fx, 0x3ce, (uint16_t)(p << 8 | 0x04));
		T_EQ(mr(&t, 0xa0020), p < 2 ? 0xff : 0x00);
	}
	teardown(&t);
}

static void test_vga_chain4(void)
{
	struct vga_fx t = { 0 };
	size_t size;
	uint8_t *vram;

	setup(&t);
	outw(&t.fx, 0x3c4, 0x0e04);		/* mode 13h memory mode */
	outw(&t.fx, 0x3c4, 0x0f02);
	outw(&t.fx, 0x3ce, 0x0506);
	outw(&t.fx, 0x3ce, 0x4005);
	for (unsigned int i = 0; i < 8; i++)
		mw(&t, 0xa0000 + i, (uint8_t)(i + 1));
	vram = vga_vram(t.v, &size);
	T_EQ(size, VGA_VRAM_SIZE);
	for (unsigned int i = 0; i < 8; i++)
		T_EQ(vram[i], i + 1);
	T_EQ(mr(&t, 0xa0003), 4);
	T_EQ(mr(&t, 0xb8000), 0xff);		/* window is A0000 64K */
	teardown(&t);
}

static void test_vga_vbe(void)
{
	struct vga_fx t = { 0 };
	static char buf[81 * 25 + 1];
	unsigned int x, y, bpp, cols, rows;
	size_t size;
	uint8_t *vram;

	setup(&t);
	outw(&t.fx, 0x1ce, 0);
	T_EQ(inw(&t.fx, 0x1cf), 0xb0c5);
	outw(&t.fx, 0x1cf, 0xb0c0);
	T_EQ(inw(&t.fx, 0x1cf), 0xb0c0);
	outw(&t.fx, 0x1ce, 0xa);
	T_EQ(inw(&t.fx, 0x1cf), 256);
	outw(&t.fx, 0x1ce, 4);
	outw(&t.fx, 0x1cf, 0x02);		/* GETCAPS */
	outw(&t.fx, 0x1ce, 1);
	T_EQ(inw(&t.fx, 0x1cf), 2560);
	outw(&t.fx, 0x1ce, 4);
	outw(&t.fx, 0x1cf, 0x00);
	outw(&t.fx, 0x1ce, 1);
	outw(&t.fx, 0x1cf, 800);
	outw(&t.fx, 0x1ce, 2);
	outw(&t.fx, 0x1cf, 600);
	outw(&t.fx, 0x1ce, 3);
	outw(&t.fx, 0x1cf, 32);
	T_ASSERT(!vga_vbe_mode(t.v, &x, &y, &bpp));
	outw(&t.fx, 0x1ce, 4);
	outw(&t.fx, 0x1cf, 0x41);		/* enable + LFB */
	T_ASSERT(vga_vbe_mode(t.v, &x, &y, &bpp));
	T_ASSERT(x == 800 && y == 600 && bpp == 32);
	outw(&t.fx, 0x1ce, 6);
	T_EQ(inw(&t.fx, 0x1cf), 800);
	outw(&t.fx, 0x1ce, 1);
	outw(&t.fx, 0x1cf, 1024);		/* ignored while enabled */
	T_EQ(inw(&t.fx, 0x1cf), 800);
	T_EQ(vga_text_snapshot(t.v, buf, sizeof(buf), &cols, &rows), -ENOTSUP);
	/* banked window */
	outw(&t.fx, 0x1ce, 5);
	outw(&t.fx, 0x1cf, 3);
	mw(&t, 0xa0004, 0xab);
	vram = vga_vram(t.v, &size);
	T_EQ(vram[3 * 0x10000 + 4], 0xab);
	T_EQ(mr(&t, 0xa0004), 0xab);
	outw(&t.fx, 0x1cf, 0x1000);		/* bank beyond VRAM: refused */
	T_EQ(inw(&t.fx, 0x1cf), 3);
	/* impossible mode leaves VBE off */
	outw(&t.fx, 0x1ce, 4);
	outw(&t.fx, 0x1cf, 0);
	outw(&t.fx, 0x1ce, 3);
	outw(&t.fx, 0x1cf, 7);
	outw(&t.fx, 0x1ce, 4);
	outw(&t.fx, 0x1cf, 0x01);
	T_ASSERT(!vga_vbe_mode(t.v, &x, &y, &bpp));
	dev_reset(t.v);
	T_EQ(vga_text_snapshot(t.v, buf, sizeof(buf), &cols, &rows), 0);
	teardown(&t);
}

struct lfb_rec {
	uint64_t	gpa;		/* last reported address */
	uint8_t		*host;
	unsigned int	calls;
};

static void lfb_cb(void *opaque, uint64_t gpa, uint8_t *host, size_t len)
{
	struct lfb_rec *r = opaque;

	r->gpa = gpa;
	r->host = host;
	r->calls += len == VGA_VRAM_SIZE;
}

static void test_vga_pci_lfb(void)
{
	struct lfb_rec lr = { 0, NULL, 0 };
	struct fx f;
	struct pci_bus *bus;
	struct vga *v;
	size_t size;
	uint8_t *vram;

	fx_init(&f);
	bus = fx_dev(&f, &pci_bus_dev, &(struct dev_cfg){ 0 });
	v = fx_dev(&f, &vga_dev, &(struct dev_cfg){ .pci = bus });
	vga_set_lfb_hook(v, lfb_cb, &lr);
	T_EQ(pci_config_read(bus, PCI_DEVFN(2, 0), 0, 4), 0x11111234);
	T_EQ(pci_config_read(bus, PCI_DEVFN(2, 0), 0x0a, 2), 0x0300);
	pci_config_write(bus, PCI_DEVFN(2, 0), 0x10, 0xffffffff, 4);
	T_EQ(pci_config_read(bus, PCI_DEVFN(2, 0), 0x10, 4), 0xff000008);
	pci_config_write(bus, PCI_DEVFN(2, 0), 0x10, 0xe0000000, 4);
	pci_config_write(bus, PCI_DEVFN(2, 0), 0x04, 0x0003, 2);
	T_ASSERT(iospace_claimed(f.mmio, 0xe0000000));
	T_ASSERT(lr.calls >= 1);
	T_EQ(lr.gpa, 0xe0000000);
	T_ASSERT(lr.host == vga_vram(v, &size));
	iospace_write(f.mmio, 0xe0000100, 0x11223344, 4);
	vram = vga_vram(v, &size);
	T_EQ(vram[0x100], 0x44);
	T_EQ(vram[0x103], 0x11);
	T_EQ(iospace_read(f.mmio, 0xe0000101, 2), 0x2233);
	T_EQ(iospace_read(f.mmio, 0xe0fffffe, 2), 0);
	/* option ROM as the expansion ROM BAR (what SeaBIOS runs) */
	{
		uint8_t rom[3000] = { 0x55, 0xaa, 6 };

		rom[2999] = 0x77;
		T_EQ(vga_set_rom(v, rom, 0), -EINVAL);
		T_EQ(vga_set_rom(v, rom, sizeof(rom)), 0);
		T_EQ(vga_set_rom(v, rom, sizeof(rom)), -EINVAL);
		pci_config_write(bus, PCI_DEVFN(2, 0), 0x30, 0xffffffff, 4);
		T_EQ(pci_config_read(bus, PCI_DEVFN(2, 0), 0x30, 4) & ~1u,
		     0xfffff000);		/* 4 KiB, rounded up */
		pci_config_write(bus, PCI_DEVFN(2, 0), 0x30, 0xfeb00001, 4);
		T_EQ(iospace_read(f.mmio, 0xfeb00000, 2), 0xaa55);
		T_EQ(iospace_read(f.mmio, 0xfeb00000 + 2999, 1), 0x77);
		T_EQ(iospace_read(f.mmio, 0xfeb00000 + 3000, 1), 0);
		iospace_write(f.mmio, 0xfeb00000, 0, 2);	/* read-only */
		T_EQ(iospace_read(f.mmio, 0xfeb00000, 1), 0x55);
	}
	pci_config_write(bus, PCI_DEVFN(2, 0), 0x04, 0x0000, 2);
	T_EQ(lr.gpa, UINT64_MAX);		/* decoding off: unmapped */
	dev_destroy(v);
	T_ASSERT(!iospace_claimed(f.mmio, 0xe0000000));
	dev_destroy(bus);
	fx_fini(&f);
}

static void dac_set(struct vga_fx *t, uint8_t i, uint8_t r, uint8_t g,
		    uint8_t b)
{
	outb(&t->fx, 0x3c8, i);
	outb(&t->fx, 0x3c9, r);
	outb(&t->fx, 0x3c9, g);
	outb(&t->fx, 0x3c9, b);
}

static void test_vga_render(void)
{
	struct vga_fx t = { 0 };
	static uint32_t pix[640 * 480];
	unsigned int w, h;
	size_t size;
	uint8_t *vram;

	setup(&t);
	vram = vga_vram(t.v, &size);
	/* text: 'A' whose glyph row 0 has only the leftmost dot */
	vram[((0x41 * 32) << 2) | 2] = 0x80;
	mw(&t, 0xb8000, 'A');
	mw(&t, 0xb8001, 0x1f);			/* white on blue */
	dac_set(&t, 15, 63, 63, 63);
	dac_set(&t, 1, 0, 0, 42);
	outw(&t.fx, 0x3d4, 0x200a);		/* cursor off */
	T_EQ(vga_render(t.v, pix, 640, 640, 480, &w, &h), 0);
	T_ASSERT(w == 720 && h == 400);		/* 9-dot cells */
	T_EQ(pix[0], 0xffffff);
	T_EQ(pix[1], 0x0000aa);
	T_EQ(pix[640], 0x0000aa);		/* glyph row 1 is empty */
	T_EQ(pix[9], 0x000000);			/* next cell: black on black */
	/* mode 13h: chain-4, 320x200, DAC colors */
	outw(&t.fx, 0x3c4, 0x0e04);
	outw(&t.fx, 0x3ce, 0x0506);
	outw(&t.fx, 0x3ce, 0x4005);
	outw(&t.fx, 0x3d4, 0x0e11);
	outw(&t.fx, 0x3d4, 0x2701);
	outw(&t.fx, 0x3d4, 0x4109);
	mw(&t, 0xa0000 + 321, 5);
	dac_set(&t, 5, 63, 0, 0);
	T_EQ(vga_render(t.v, pix, 640, 640, 480, &w, &h), 0);
	T_ASSERT(w == 160 && h == 200);
	outw(&t.fx, 0x3d4, 0x4f01);
	T_EQ(vga_render(t.v, pix, 640, 640, 480, &w, &h), 0);
	T_ASSERT(w == 320 && h == 200);
	T_EQ(pix[640 + 1], 0xff0000);
	T_EQ(pix[0], 0x000000);
	/* VBE 32 bpp through the LFB layout */
	outw(&t.fx, 0x1ce, 1);
	outw(&t.fx, 0x1cf, 640);
	outw(&t.fx, 0x1ce, 2);
	outw(&t.fx, 0x1cf, 480);
	outw(&t.fx, 0x1ce, 3);
	outw(&t.fx, 0x1cf, 32);
	outw(&t.fx, 0x1ce, 4);
	outw(&t.fx, 0x1cf, 0x41);
	vram[(640 * 2 + 3) * 4 + 0] = 0x33;
	vram[(640 * 2 + 3) * 4 + 1] = 0x22;
	vram[(640 * 2 + 3) * 4 + 2] = 0x11;
	T_EQ(vga_render(t.v, pix, 640, 640, 480, &w, &h), 0);
	T_ASSERT(w == 640 && h == 480);
	T_EQ(pix[640 * 2 + 3], 0x112233);
	T_EQ(pix[640 * 2 + 4], 0);
	/* clipping: a small canvas is not overrun */
	T_EQ(vga_render(t.v, pix, 4, 4, 3, &w, &h), 0);
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_vga_render),
	T_CASE(test_vga_text_snapshot),
	T_CASE(test_vga_registers),
	T_CASE(test_vga_retrace),
	T_CASE(test_vga_planar),
	T_CASE(test_vga_chain4),
	T_CASE(test_vga_vbe),
	T_CASE(test_vga_pci_lfb),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
