// SPDX-License-Identifier: GPL-2.0-only
/*
 * memmap.c --- PC guest-physical memory layout over one gmem store
 *
 * Layout and rationale in memmap.h.  The regions table is rebuilt whenever
 * the layout changes; lookups are a linear scan over at most
 * MEMMAP_MAX_REGIONS entries, which is cheaper than anything cleverer for a
 * handful of regions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/gmem.h"
#include "board/memmap.h"

#define PAGE_SIZE	4096ULL
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define SHADOW_MAX	0x20000ULL	/* BIOS bytes aliased below 1 MiB */

struct memmap {
	struct gmem	*g;		/* RAM, then ROM images */
	uint64_t	ram_size;	/* bytes of RAM */
	uint64_t	low_end;	/* RAM end below 4 GiB */
	uint64_t	high_size;	/* RAM bytes at 4 GiB and up */
	uint64_t	rom_off;	/* gmem offset of the ROM area */
	uint64_t	bios_size;	/* bytes, 4 KiB multiple; 0: none */
	uint64_t	orom_size;	/* option ROM bytes kept after the BIOS */
	uint64_t	orom_gpa;	/* where the option ROM is shadowed */
	uint8_t		pam[MEMMAP_PAM_SEGS];	/* MEMMAP_PAM_* per segment */
	struct gpa_region reg[MEMMAP_MAX_REGIONS];	/* current layout */
	unsigned int	nreg;		/* entries used in reg[] */
};

#define FF_OFF		(MEMMAP_ROM_MAX / 2 + MEMMAP_ROM_MAX / 4)
					/* rom-area offset of 256 KiB of 0xff */

static void add_region(struct memmap *m, uint64_t gpa, uint64_t size,
		       uint64_t off, bool ro)
{
	if (size == 0 || m->nreg >= MEMMAP_MAX_REGIONS)
		return;
	m->reg[m->nreg++] = (struct gpa_region){
		.gpa = gpa, .size = size, .host = gmem_host(m->g) + off,
		.readonly = ro,
	};
}

static unsigned int pam_seg(uint64_t gpa)
{
	return gpa >= 0xf0000 ? 0 : 1 + (unsigned int)((gpa - 0xc0000) >> 14);
}

/* gmem offset of the ROM byte the shadow address @gpa reads in ROM mode. */
static uint64_t rom_source(const struct memmap *m, uint64_t gpa)
{
	uint64_t below = 0x100000 - gpa;	/* bytes up to 1 MiB */
	uint64_t n = m->bios_size < SHADOW_MAX ? m->bios_size : SHADOW_MAX;

	if (below <= n)
		return m->rom_off + m->bios_size - below;
	return m->rom_off + FF_OFF + (gpa - MEMMAP_SHADOW_BASE);
}

/* Map 0xc0000-0xfffff in 16 KiB steps, merging neighbours. */
static void add_shadow(struct memmap *m)
{
	uint64_t gpa, start = 0, start_off = 0, off, size = 0;
	bool ro = false, this_ro;
	unsigned int mode;

	for (gpa = MEMMAP_SHADOW_BASE; gpa < 0x100000; gpa += 0x4000) {
		mode = m->pam[pam_seg(gpa)];
		this_ro = mode != (MEMMAP_PAM_RE | MEMMAP_PAM_WE);
		off = mode & MEMMAP_PAM_RE ? gpa : rom_source(m, gpa);
		if (size && this_ro == ro && off == start_off + size) {
			size += 0x4000;
			continue;
		}
		if (size)
			add_region(m, start, size, start_off, ro);
		start = gpa;
		start_off = off;
		size = 0x4000;
		ro = this_ro;
	}
	add_region(m, start, size, start_off, ro);
}

static void rebuild(struct memmap *m)
{
	m->nreg = 0;
	add_region(m, 0, MEMMAP_VGA_BASE, 0, false);
	add_shadow(m);
	add_region(m, 0x100000, m->low_end - 0x100000, 0x100000, false);
	if (m->bios_size)
		add_region(m, MEMMAP_4G - m->bios_size, m->bios_size,
			   m->rom_off, true);
	add_region(m, MEMMAP_4G, m->high_size, m->low_end, false);
}

int memmap_create(uint64_t ram_bytes, struct memmap **out)
{
	struct memmap *m;
	int err;

	*out = NULL;
	if (ram_bytes < MEMMAP_MIN_RAM || ram_bytes > MEMMAP_MAX_RAM ||
	    ram_bytes % PAGE_SIZE)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ram_size = ram_bytes;
	m->low_end = ram_bytes < MEMMAP_PCI_HOLE ? ram_bytes : MEMMAP_PCI_HOLE;
	m->high_size = ram_bytes - m->low_end;
	m->rom_off = ram_bytes;
	err = gmem_create("dualvm-ram", ram_bytes + MEMMAP_ROM_MAX, &m->g);
	if (err) {
		free(m);
		return err;
	}
	memset(gmem_host(m->g) + m->rom_off + FF_OFF, 0xff, 0x40000);
	rebuild(m);
	*out = m;
	return 0;
}

void memmap_destroy(struct memmap *m)
{
	if (!m)
		return;
	gmem_destroy(m->g);
	free(m);
}

/* Read all of @path into a fresh buffer; at most @max bytes. */
static int read_file(const char *path, uint64_t max, uint8_t **buf,
		     uint64_t *size, char *why, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (uint64_t)st.st_size > max) {
		snprintf(why, len, "%s: not a firmware image (must be a file of 1..%llu bytes)",
			 path, (unsigned long long)max);
		close(fd);
		return -EINVAL;
	}
	*buf = malloc((size_t)st.st_size);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, *buf, (size_t)st.st_size, 0);
	close(fd);
	if (n != st.st_size) {
		snprintf(why, len, "%s: short read", path);
		free(*buf);
		return -EIO;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int memmap_load_bios(struct memmap *m, const char *path, char *why,
		     size_t len)
{
	uint64_t size, rounded;
	uint8_t *buf, *rom;
	int err;

	err = read_file(path, MEMMAP_ROM_MAX / 2, &buf, &size, why, len);
	if (err)
		return err;
	rounded = (size + PAGE_SIZE - 1) & PAGE_MASK;
	rom = gmem_host(m->g) + m->rom_off;
	/* the image's last byte sits at 0xffffffff: pad at the front */
	memset(rom, 0xff, rounded - size);
	memcpy(rom + (rounded - size), buf, size);
	free(buf);
	m->bios_size = rounded;
	rebuild(m);
	memmap_reset(m);
	return 0;
}

int memmap_load_option_rom(struct memmap *m, const char *path, uint64_t gpa,
			   char *why, size_t len)
{
	uint64_t size, max;
	uint8_t *buf;
	int err;

	if (gpa < MEMMAP_SHADOW_BASE || gpa >= MEMMAP_BIOS_LOW ||
	    gpa % 2048) {
		snprintf(why, len, "%s: bad option ROM address 0x%llx", path,
			 (unsigned long long)gpa);
		return -EINVAL;
	}
	max = MEMMAP_BIOS_LOW - gpa;
	err = read_file(path, max, &buf, &size, why, len);
	if (err)
		return err;
	memcpy(gmem_host(m->g) + m->rom_off + MEMMAP_ROM_MAX / 2, buf, size);
	free(buf);
	m->orom_size = size;
	m->orom_gpa = gpa;
	memmap_reset(m);
	return 0;
}

void memmap_reset(struct memmap *m)
{
	uint8_t *host = gmem_host(m->g);
	uint64_t n;

	if (m->bios_size) {
		n = m->bios_size < SHADOW_MAX ? m->bios_size : SHADOW_MAX;
		memcpy(host + 0x100000 - n,
		       host + m->rom_off + m->bios_size - n, n);
	}
	if (m->orom_size)
		memcpy(host + m->orom_gpa,
		       host + m->rom_off + MEMMAP_ROM_MAX / 2, m->orom_size);
}

bool memmap_set_pam(struct memmap *m, unsigned int seg, unsigned int mode)
{
	struct gpa_region old[MEMMAP_MAX_REGIONS];
	unsigned int n = m->nreg;

	if (seg >= MEMMAP_PAM_SEGS || m->pam[seg] == (mode & 3))
		return false;
	memcpy(old, m->reg, sizeof(old));
	m->pam[seg] = (uint8_t)(mode & 3);
	rebuild(m);
	return n != m->nreg || memcmp(old, m->reg, n * sizeof(old[0])) != 0;
}

uint64_t memmap_shadow_read(struct memmap *m, uint64_t gpa,
			    unsigned int size)
{
	const uint8_t *p;
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size && i < 8; i++) {
		p = memmap_page_ptr(m, gpa + i, false);
		v |= (uint64_t)(p ? p[(gpa + i) & 0xfff] : 0xff) << (8 * i);
	}
	return v;
}

void memmap_shadow_write(struct memmap *m, uint64_t gpa, uint64_t val,
			 unsigned int size)
{
	unsigned int i;
	uint64_t a;

	for (i = 0; i < size && i < 8; i++) {
		a = gpa + i;
		if (a < MEMMAP_SHADOW_BASE || a >= 0x100000 ||
		    !(m->pam[pam_seg(a)] & MEMMAP_PAM_WE))
			continue;
		gmem_host(m->g)[a] = (uint8_t)(val >> (8 * i));
	}
}

uint64_t memmap_low_end(const struct memmap *m)
{
	return m->low_end;
}

uint64_t memmap_high_size(const struct memmap *m)
{
	return m->high_size;
}

uint64_t memmap_ram_size(const struct memmap *m)
{
	return m->ram_size;
}

uint64_t memmap_bios_base(const struct memmap *m)
{
	return m->bios_size ? MEMMAP_4G - m->bios_size : 0;
}

uint64_t memmap_bios_size(const struct memmap *m)
{
	return m->bios_size;
}

struct gmem *memmap_gmem(const struct memmap *m)
{
	return m->g;
}

unsigned int memmap_regions(const struct memmap *m, struct gpa_region *out,
			    unsigned int max)
{
	unsigned int i;

	for (i = 0; i < m->nreg && i < max; i++)
		out[i] = m->reg[i];
	return m->nreg;
}

static const struct gpa_region *find(const struct memmap *m, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < m->nreg; i++)
		if (gpa >= m->reg[i].gpa && gpa - m->reg[i].gpa < m->reg[i].size)
			return &m->reg[i];
	return NULL;
}

uint8_t *memmap_page_ptr(const struct memmap *m, uint64_t gpa, bool write)
{
	const struct gpa_region *r = find(m, gpa);

	if (!r || (write && r->readonly))
		return NULL;
	return r->host + ((gpa - r->gpa) & PAGE_MASK);
}

int memmap_dma(struct memmap *m, uint64_t gpa, void *buf, uint64_t len,
	       bool to_guest)
{
	const struct gpa_region *r;
	uint64_t a, chunk, left;
	uint8_t *p = buf;

	if (gpa + len < gpa)
		return -EFAULT;
	/* check every byte first: all or nothing */
	for (a = gpa, left = len; left; a += chunk, left -= chunk) {
		r = find(m, a);
		if (!r || (to_guest && r->readonly))
			return -EFAULT;
		chunk = r->size - (a - r->gpa);
		if (chunk > left)
			chunk = left;
	}
	for (a = gpa, left = len; left; a += chunk, left -= chunk, p += chunk) {
		r = find(m, a);
		chunk = r->size - (a - r->gpa);
		if (chunk > left)
			chunk = left;
		if (to_guest)
			memcpy(r->host + (a - r->gpa), p, chunk);
		else
			memcpy(p, r->host + (a - r->gpa), chunk);
	}
	return 0;
}
