// SPDX-License-Identifier: GPL-2.0-only
/* test_fw_cfg.c --- devices/fw_cfg.c through its ports, with a fake guest
 * memory for DMA (QEMU docs/specs/fw_cfg.rst behaviour) */
#include <errno.h>
#include <string.h>

#include "devices/fw_cfg.h"
#include "hw/hw.h"
#include "tests/unit/harness.h"

#define MEM_SIZE	0x10000

struct fake_mem {
	uint8_t		b[MEM_SIZE];	/* guest RAM 0..MEM_SIZE */
	unsigned int	faults;		/* refused DMA requests */
};

static int fake_dma(void *opaque, uint64_t gpa, void *buf, uint64_t len,
		    bool to_guest)
{
	struct fake_mem *m = opaque;

	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa) {
		m->faults++;
		return -EFAULT;
	}
	if (to_guest)
		memcpy(m->b + gpa, buf, len);
	else
		memcpy(buf, m->b + gpa, len);
	return 0;
}

struct rig {
	struct iospace	*pio;
	struct fw_cfg	*f;
	struct fake_mem	mem;
};

static void rig_init(struct rig *r, bool dma)
{
	struct dev_env env = { 0 };
	void *f = NULL;

	T_EQ(iospace_create("pio", &r->pio), 0);
	env.pio = r->pio;
	if (dma) {
		env.dma = fake_dma;
		env.dma_opaque = &r->mem;
	}
	T_EQ(dev_create(&fw_cfg_dev, &env, &(struct dev_cfg){ 0 }, &f), 0);
	r->f = f;
}

static void rig_fini(struct rig *r)
{
	dev_destroy(r->f);
	iospace_destroy(r->pio);
}

static void sel(struct rig *r, uint16_t key)
{
	iospace_write(r->pio, FW_CFG_PORT_SEL, key, 2);
}

static uint8_t rd(struct rig *r)
{
	return (uint8_t)iospace_read(r->pio, FW_CFG_PORT_DATA, 1);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Build a FWCfgDmaAccess at @at and start it the way SeaBIOS does. */
static void dma(struct rig *r, uint32_t at, uint32_t control, uint32_t len,
		uint64_t addr)
{
	put_be32(r->mem.b + at, control);
	put_be32(r->mem.b + at + 4, len);
	put_be32(r->mem.b + at + 8, (uint32_t)(addr >> 32));
	put_be32(r->mem.b + at + 12, (uint32_t)addr);
	iospace_write(r->pio, FW_CFG_PORT_DMA, 0, 4);
	iospace_write(r->pio, FW_CFG_PORT_DMA + 4, __builtin_bswap32(at), 4);
}

static void test_signature_and_id(void)
{
	struct rig r;
	char sig[5] = "";
	unsigned int i;

	rig_init(&r, true);
	sel(&r, FW_CFG_SIGNATURE);
	for (i = 0; i < 4; i++)
		sig[i] = (char)rd(&r);
	T_ASSERT(!strcmp(sig, "QEMU"));
	T_EQ(rd(&r), 0);			/* past the end: zeros */
	sel(&r, FW_CFG_ID);
	T_EQ(rd(&r), FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
	/* reading the DMA register gives "QEMU CFG" big-endian */
	T_EQ(__builtin_bswap64(iospace_read(r.pio, FW_CFG_PORT_DMA, 8)),
	     FW_CFG_DMA_SIGNATURE);
	sel(&r, 0x1234);			/* unknown item: zeros */
	T_EQ(rd(&r), 0);
	rig_fini(&r);
	rig_init(&r, false);
	sel(&r, FW_CFG_ID);
	T_EQ(rd(&r), FW_CFG_ID_TRADITIONAL);
	rig_fini(&r);
}

static void test_items_and_directory(void)
{
	struct rig r;
	uint8_t dir[4 + 3 * 64];
	unsigned int i;

	rig_init(&r, true);
	T_EQ(fw_cfg_add_i64(r.f, FW_CFG_RAM_SIZE, 0x10000000), 0);
	sel(&r, FW_CFG_RAM_SIZE);
	T_EQ(rd(&r), 0);
	T_EQ(rd(&r), 0);
	T_EQ(rd(&r), 0);
	T_EQ(rd(&r), 0x10);
	T_EQ(fw_cfg_add_file(r.f, "etc/b", "bbbb", 4), 0);
	T_EQ(fw_cfg_add_file(r.f, "bootorder", "/x\n", 3), 0);
	T_EQ(fw_cfg_add_file(r.f, "etc/a", "a", 1), 0);
	T_EQ(fw_cfg_add_file(r.f, "etc/a", "a", 1), -EEXIST);
	T_EQ(fw_cfg_add_file(r.f, "", "a", 1), -EINVAL);
	T_EQ(fw_cfg_add_file(r.f, "a-name-that-is-far-too-long-for-the-56-byte-field-xxxxxxxx",
			     "a", 1), -EINVAL);
	T_EQ(fw_cfg_add_bytes(r.f, FW_CFG_FILE_DIR, "x", 1), -EINVAL);
	sel(&r, FW_CFG_FILE_DIR);
	for (i = 0; i < sizeof(dir); i++)
		dir[i] = rd(&r);
	T_EQ(be32_at(dir), 3);
	/* sorted by name: bootorder, etc/a, etc/b */
	T_ASSERT(!strcmp((char *)dir + 4 + 8, "bootorder"));
	T_EQ(be32_at(dir + 4), 3);
	T_ASSERT(!strcmp((char *)dir + 4 + 64 + 8, "etc/a"));
	T_ASSERT(!strcmp((char *)dir + 4 + 128 + 8, "etc/b"));
	/* the key in the entry selects the file */
	sel(&r, (uint16_t)(dir[4 + 128 + 4] << 8 | dir[4 + 128 + 5]));
	T_EQ(rd(&r), 'b');
	T_EQ(dir[4 + 128 + 4] << 8 | dir[4 + 128 + 5], FW_CFG_FILE_FIRST);
	rig_fini(&r);
}

static void test_dma_read_skip(void)
{
	struct rig r;

	rig_init(&r, true);
	T_EQ(fw_cfg_add_file(r.f, "etc/e820", "0123456789", 10), 0);
	memset(r.mem.b + 0x2000, 0xcc, 32);
	/* select + read 4 bytes */
	dma(&r, 0x1000, (uint32_t)FW_CFG_FILE_FIRST << 16 | FW_CFG_DMA_SELECT |
	    FW_CFG_DMA_READ, 4, 0x2000);
	T_EQ(be32_at(r.mem.b + 0x1000), 0);	/* done, no error */
	T_ASSERT(!memcmp(r.mem.b + 0x2000, "0123", 4));
	T_EQ(r.mem.b[0x2004], 0xcc);
	/* skip 2, then read past the end: the tail is zero-filled */
	dma(&r, 0x1000, FW_CFG_DMA_SKIP, 2, 0);
	dma(&r, 0x1000, FW_CFG_DMA_READ, 8, 0x2000);
	T_EQ(be32_at(r.mem.b + 0x1000), 0);
	T_ASSERT(!memcmp(r.mem.b + 0x2000, "6789\0\0\0\0", 8));
	T_EQ(r.mem.b[0x2008], 0xcc);
	rig_fini(&r);
}

static void test_dma_bad_requests(void)
{
	struct rig r;

	rig_init(&r, true);
	/* destination outside guest RAM: error bit, nothing written */
	dma(&r, 0x1000, FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT |
	    FW_CFG_DMA_READ, 4, MEM_SIZE - 2);
	T_EQ(be32_at(r.mem.b + 0x1000), FW_CFG_DMA_ERROR);
	T_EQ(r.mem.b[MEM_SIZE - 2], 0);
	/* huge length: fails at the end of RAM, does not run away */
	dma(&r, 0x1000, FW_CFG_DMA_READ, 0xffffffff, 0x8000);
	T_EQ(be32_at(r.mem.b + 0x1000), FW_CFG_DMA_ERROR);
	/* writes are not supported */
	dma(&r, 0x1000, FW_CFG_DMA_WRITE, 4, 0x2000);
	T_EQ(be32_at(r.mem.b + 0x1000), FW_CFG_DMA_ERROR);
	/* the request itself outside RAM: ignored */
	iospace_write(r.pio, FW_CFG_PORT_DMA, 0x01000000, 4);
	iospace_write(r.pio, FW_CFG_PORT_DMA + 4, 0, 4);
	T_ASSERT(r.mem.faults >= 3);
	/* odd widths and offsets are ignored, reads are harmless */
	iospace_write(r.pio, FW_CFG_PORT_SEL + 2, 0xffff, 2);
	iospace_write(r.pio, FW_CFG_PORT_DATA, 0xff, 1);
	(void)iospace_read(r.pio, FW_CFG_PORT_SEL, 2);
	rig_fini(&r);
}

static const struct t_case cases[] = {
	T_CASE(test_signature_and_id),
	T_CASE(test_items_and_directory),
	T_CASE(test_dma_read_skip),
	T_CASE(test_dma_bad_requests),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
