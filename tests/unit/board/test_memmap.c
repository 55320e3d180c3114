// SPDX-License-Identifier: GPL-2.0-only
/* test_memmap.c --- board/gmem.c (memfd store) and board/memmap.c (PC layout) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "board/gmem.h"
#include "board/memmap.h"
#include "tests/unit/harness.h"

static void test_gmem_shared_fd(void)
{
	struct gmem *g;
	uint8_t *again;

	T_EQ(gmem_create("t", 0, &g), -EINVAL);
	T_EQ(gmem_create("t", 5000, &g), 0);
	T_EQ(gmem_size(g), 8192);
	T_EQ(gmem_host(g)[4097], 0);
	gmem_host(g)[4097] = 0x5a;
	/* a second mapping of the fd sees the same bytes (engines, snapshots) */
	again = mmap(NULL, 8192, PROT_READ, MAP_SHARED, gmem_fd(g), 0);
	T_ASSERT(again != MAP_FAILED);
	T_EQ(again[4097], 0x5a);
	munmap(again, 8192);
	gmem_destroy(g);
}

static void test_layout_256m(void)
{
	struct gpa_region r[MEMMAP_MAX_REGIONS];
	struct memmap *m;
	unsigned int n;

	T_EQ(memmap_create(1 << 20, &m), -EINVAL);	/* below the minimum */
	T_EQ(memmap_create((256 << 20) + 1, &m), -EINVAL);
	T_EQ(memmap_create(256 << 20, &m), 0);
	T_EQ(memmap_low_end(m), 256 << 20);
	T_EQ(memmap_high_size(m), 0);
	n = memmap_regions(m, r, MEMMAP_MAX_REGIONS);
	T_EQ(n, 3);
	T_EQ(r[0].gpa, 0);
	T_EQ(r[0].size, 0xa0000);
	T_EQ(r[1].gpa, 0xc0000);		/* PAM segments, ROM mode */
	T_EQ(r[1].size, 0x40000);
	T_ASSERT(r[1].readonly);
	T_EQ(r[1].host[0], 0xff);		/* no ROM there yet */
	T_EQ(r[2].gpa, 0x100000);
	T_EQ(r[2].gpa + r[2].size, 256 << 20);
	/* the VGA window and everything above RAM are not memory */
	T_ASSERT(memmap_page_ptr(m, 0xa0000, false) == NULL);
	T_ASSERT(memmap_page_ptr(m, 0xbffff, false) == NULL);
	T_ASSERT(memmap_page_ptr(m, 256 << 20, false) == NULL);
	T_ASSERT(memmap_page_ptr(m, 0xfffffff0, false) == NULL);
	T_ASSERT(memmap_page_ptr(m, 0x9f123, true) == r[0].host + 0x9f000);
	T_ASSERT(memmap_page_ptr(m, 0x100000, true) == r[2].host);
	T_ASSERT(memmap_page_ptr(m, 0xc0000, true) == NULL);
	memmap_destroy(m);
}

static void test_layout_above_4g(void)
{
	struct gpa_region r[MEMMAP_MAX_REGIONS];
	struct memmap *m;
	unsigned int n;

	T_EQ(memmap_create(4ULL << 30, &m), 0);
	T_EQ(memmap_low_end(m), MEMMAP_PCI_HOLE);
	T_EQ(memmap_high_size(m), (4ULL << 30) - MEMMAP_PCI_HOLE);
	n = memmap_regions(m, r, MEMMAP_MAX_REGIONS);
	T_EQ(n, 4);
	T_EQ(r[3].gpa, MEMMAP_4G);
	T_EQ(r[3].size, (4ULL << 30) - MEMMAP_PCI_HOLE);
	T_ASSERT(memmap_page_ptr(m, MEMMAP_PCI_HOLE, false) == NULL);
	T_ASSERT(memmap_page_ptr(m, MEMMAP_4G + 0x1000, true) != NULL);
	memmap_destroy(m);
}

static void test_dma_bounds(void)
{
	struct memmap *m;
	uint8_t buf[0x3000], back[0x3000];
	unsigned int i;

	T_EQ(memmap_create(16 << 20, &m), 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	T_EQ(memmap_dma(m, 0x7f800, buf, sizeof(buf), true), 0);
	T_EQ(memmap_dma(m, 0x7f800, back, sizeof(back), false), 0);
	T_ASSERT(!memcmp(buf, back, sizeof(buf)));
	/* straddling the VGA hole: refused, and nothing written */
	memset(back, 0, sizeof(back));
	T_EQ(memmap_dma(m, 0x9f000, back, sizeof(back), true), -EFAULT);
	T_EQ(memmap_page_ptr(m, 0x9f000, false)[0], 0);
	T_EQ(memmap_dma(m, (16 << 20) - 16, back, 32, true), -EFAULT);
	T_EQ(memmap_dma(m, UINT64_MAX - 4, back, 32, false), -EFAULT);
	T_EQ(memmap_dma(m, 0xfffff000, back, 1, false), -EFAULT);
	memmap_destroy(m);
}

static void test_bios_load_and_shadow(void)
{
	char path[512], why[256];
	static uint8_t img[0x30000];
	struct memmap *m;
	uint8_t *p, b = 0;
	int fd;

	for (unsigned int i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i >> 8);
	snprintf(path, sizeof(path), "%s/bios.bin", t_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_EQ(write(fd, img, sizeof(img)), sizeof(img));
	close(fd);
	T_EQ(memmap_create(32 << 20, &m), 0);
	T_EQ(memmap_load_bios(m, "/nonexistent/bios.bin", why, sizeof(why)),
	     -ENOENT);
	T_ASSERT(strstr(why, "/nonexistent/bios.bin") != NULL);
	T_EQ(memmap_load_bios(m, path, why, sizeof(why)), 0);
	T_EQ(memmap_bios_base(m), 0xfffd0000ULL);
	T_EQ(memmap_bios_size(m), 0x30000);
	/* read-only at the top of 4G */
	T_ASSERT(memmap_page_ptr(m, 0xfffff000, true) == NULL);
	p = memmap_page_ptr(m, 0xfffff000, false);
	T_ASSERT(p != NULL);
	T_EQ(p[0xff0], img[sizeof(img) - 0x10]);
	T_EQ(memmap_dma(m, 0xfffff000, &b, 1, true), -EFAULT);
	/* the last 128 KiB read at 0xe0000 (PAM: ROM mode after reset) */
	T_ASSERT(memmap_page_ptr(m, 0xe0000, true) == NULL);
	p = memmap_page_ptr(m, 0xe0000, false);
	T_EQ(p[0], img[0x10000]);
	T_EQ(memmap_page_ptr(m, 0xfffff, false)[0xfff], img[sizeof(img) - 1]);
	T_EQ(memmap_shadow_read(m, 0xdfffe, 2), 0xffff);	/* no ROM */
	/* RAM underneath starts as a copy: switching to RAM changes nothing */
	T_ASSERT(memmap_set_pam(m, 5, MEMMAP_PAM_RE | MEMMAP_PAM_WE));
	p = memmap_page_ptr(m, 0xd0000, true);
	T_ASSERT(p != NULL);
	T_ASSERT(memmap_set_pam(m, 9, MEMMAP_PAM_RE | MEMMAP_PAM_WE));
	p = memmap_page_ptr(m, 0xe0000, true);
	T_EQ(p[0], img[0x10000]);
	p[0] = 0xee;
	memmap_reset(m);			/* power-on copy again */
	T_EQ(p[0], img[0x10000]);
	memmap_destroy(m);
}

/* Each PAM mode: where reads come from, whether writes land in RAM. */
static void test_pam_modes(void)
{
	struct memmap *m;
	uint8_t *ram;

	T_EQ(memmap_create(16 << 20, &m), 0);
	T_ASSERT(!memmap_set_pam(m, 13, 3));	/* bad segment */
	T_ASSERT(!memmap_set_pam(m, 1, 0));	/* no change */
	/* WE only: reads from ROM (0xff here), writes reach RAM; the
	 * mapping is the same as in mode 0, so no map change is reported */
	T_ASSERT(!memmap_set_pam(m, 1, MEMMAP_PAM_WE));
	memmap_shadow_write(m, 0xc0010, 0x1234, 2);
	T_EQ(memmap_shadow_read(m, 0xc0010, 2), 0xffff);
	/* RE only: reads the RAM written above, writes are dropped */
	T_ASSERT(memmap_set_pam(m, 1, MEMMAP_PAM_RE));
	T_EQ(memmap_shadow_read(m, 0xc0010, 2), 0x1234);
	memmap_shadow_write(m, 0xc0010, 0x5678, 2);
	T_EQ(memmap_shadow_read(m, 0xc0010, 2), 0x1234);
	T_ASSERT(memmap_page_ptr(m, 0xc0000, true) == NULL);
	ram = memmap_page_ptr(m, 0xc0000, false);
	T_EQ(ram[0x10], 0x34);
	/* RE + WE: plain RAM; DMA can write it, not into ROM-mode segments */
	T_ASSERT(memmap_set_pam(m, 1, MEMMAP_PAM_RE | MEMMAP_PAM_WE));
	T_EQ(memmap_dma(m, 0xc0000, ram, 16, true), 0);
	T_EQ(memmap_dma(m, 0xc4000, ram, 16, true), -EFAULT);
	/* segment 0 is the whole 0xf0000 64 KiB */
	T_ASSERT(memmap_set_pam(m, 0, MEMMAP_PAM_RE | MEMMAP_PAM_WE));
	T_ASSERT(memmap_page_ptr(m, 0xfffff, true) != NULL);
	T_ASSERT(memmap_page_ptr(m, 0xeffff, true) == NULL);
	memmap_destroy(m);
}

static const struct t_case cases[] = {
	T_CASE(test_gmem_shared_fd),
	T_CASE(test_layout_256m),
	T_CASE(test_layout_above_4g),
	T_CASE(test_dma_bounds),
	T_CASE(test_bios_load_and_shadow),
	T_CASE(test_pam_modes),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
