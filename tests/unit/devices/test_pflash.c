// SPDX-License-Identifier: GPL-2.0-only
/* test_pflash.c --- CFI flash: query, read-array, program, erase, status,
 * the read-only code region */
#include <stdlib.h>
#include <string.h>

#include "devices/pflash.h"
#include "tests/unit/devices/dev_fixture.h"

#define BASE	0xffc00000ULL
#define SIZE	0x8000u
#define BLOCK	0x1000u

static uint8_t rd(struct fx *f, uint64_t off)
{
	return (uint8_t)iospace_read(f->mmio, BASE + off, 1);
}

static void wr(struct fx *f, uint64_t off, uint8_t v)
{
	iospace_write(f->mmio, BASE + off, v, 1);
}

static uint8_t *pattern(void)
{
	uint8_t *d = malloc(SIZE);
	unsigned int i;

	T_ASSERT(d != NULL);
	for (i = 0; i < SIZE; i++)
		d[i] = (uint8_t)(i * 7 + 1);
	return d;
}

static struct pflash *make(struct fx *f, uint8_t *data, bool ro)
{
	return fx_dev(f, &pflash_dev, &(struct dev_cfg){
		.priv = &(struct pflash_cfg){ .base = BASE, .data = data,
					      .size = SIZE, .block_size = BLOCK,
					      .readonly = ro } });
}

static void test_pflash_query(void)
{
	uint8_t *d = pattern();
	struct pflash *p;
	struct fx f;

	fx_init(&f);
	p = make(&f, d, false);
	wr(&f, 0x55, 0x98);
	T_EQ(rd(&f, 0x10), 'Q');
	T_EQ(rd(&f, 0x11), 'R');
	T_EQ(rd(&f, 0x12), 'Y');
	T_EQ(rd(&f, 0x13), 0x01);			/* Intel/Sharp */
	T_EQ(rd(&f, 0x27), 15);				/* 32 KiB */
	T_EQ(rd(&f, 0x2c), 1);
	T_EQ(rd(&f, 0x2d) | rd(&f, 0x2e) << 8, SIZE / BLOCK - 1);
	T_EQ(rd(&f, 0x2f) | rd(&f, 0x30) << 8, BLOCK / 256);
	wr(&f, 0, 0x90);
	T_EQ(rd(&f, 0), PFLASH_MFR_INTEL);
	T_EQ(rd(&f, 1), PFLASH_DEV_ID);
	wr(&f, 0, 0xff);
	T_EQ(rd(&f, 0x10), d[0x10]);
	T_EQ(iospace_read(f.mmio, BASE + 8, 8),
	     *(uint64_t *)(void *)(d + 8));		/* wide array reads */
	dev_destroy(p);
	T_ASSERT(!iospace_claimed(f.mmio, BASE));
	fx_fini(&f);
	free(d);
}

static void test_pflash_program_erase(void)
{
	uint8_t *d = pattern();
	struct pflash *p;
	struct fx f;
	unsigned int i;

	memset(d + BLOCK, 0xff, BLOCK);
	fx_init(&f);
	p = make(&f, d, false);
	/* OVMF's probe: Clear Status, then Read Status reads 0x00 */
	wr(&f, 0x100, 0x50);
	T_ASSERT(rd(&f, 0x100) != 0x50);		/* not RAM */
	wr(&f, 0x100, 0x70);
	T_EQ(rd(&f, 0x100), 0x00);
	wr(&f, 0x100, 0xff);
	/* byte program: the cell, then status until Read Array */
	wr(&f, BLOCK + 3, 0x10);
	wr(&f, BLOCK + 3, 0x5a);
	T_EQ(rd(&f, BLOCK + 3), PFLASH_SR_READY);
	wr(&f, BLOCK + 3, 0xff);
	T_EQ(rd(&f, BLOCK + 3), 0x5a);
	T_EQ(d[BLOCK + 3], 0x5a);			/* in the backing array */
	/* programming only clears bits */
	wr(&f, BLOCK + 3, 0x40);
	wr(&f, BLOCK + 3, 0xa5);
	wr(&f, BLOCK + 3, 0xff);
	T_EQ(rd(&f, BLOCK + 3), 0x00);
	T_EQ(pflash_writes(p), 2);
	/* block erase of the block holding the address */
	wr(&f, 2 * BLOCK + 9, 0x20);
	wr(&f, 2 * BLOCK + 9, 0xd0);
	T_EQ(rd(&f, 0), PFLASH_SR_READY);
	wr(&f, 0, 0x50);
	wr(&f, 0, 0x70);
	T_EQ(rd(&f, 0), 0);
	wr(&f, 0, 0xff);
	for (i = 0; i < BLOCK; i++)
		T_EQ(d[2 * BLOCK + i], 0xff);
	T_EQ(d[3 * BLOCK], (uint8_t)(3 * BLOCK * 7 + 1));	/* next block kept */
	T_EQ(d[BLOCK - 1], (uint8_t)((BLOCK - 1) * 7 + 1));
	/* erase without confirm: sequence error, nothing erased */
	wr(&f, 0, 0x20);
	wr(&f, 0, 0xff);
	T_EQ(rd(&f, 0), PFLASH_SR_READY | PFLASH_SR_ERASE_ERR |
			PFLASH_SR_PROG_ERR);
	wr(&f, 0, 0xff);
	T_EQ(rd(&f, 0), d[0]);
	T_EQ(d[0], 1);
	/* reset: read-array, status cleared */
	wr(&f, 0, 0x70);
	dev_reset(p);
	T_EQ(rd(&f, 5), d[5]);
	dev_destroy(p);
	fx_fini(&f);
	free(d);
}

static void test_pflash_readonly(void)
{
	uint8_t *d = pattern(), *copy = pattern();
	struct pflash *p;
	struct fx f;

	fx_init(&f);
	p = make(&f, d, true);
	wr(&f, 0x40, 0x10);
	wr(&f, 0x40, 0x00);
	wr(&f, 0, 0x20);
	wr(&f, 0, 0xd0);
	wr(&f, 0, 0x70);
	T_EQ(pflash_refused(p), 5);
	T_EQ(pflash_writes(p), 0);
	T_ASSERT(memcmp(d, copy, SIZE) == 0);
	T_EQ(rd(&f, 0), d[0]);				/* still array reads */
	T_EQ(rd(&f, 0x40), d[0x40]);
	dev_destroy(p);
	fx_fini(&f);
	free(d);
	free(copy);
}

static void test_pflash_bad_cfg(void)
{
	uint8_t *d = pattern();
	struct fx f;
	void *dev = NULL;

	fx_init(&f);
	T_EQ(dev_create(&pflash_dev, &f.env, &(struct dev_cfg){ 0 }, &dev),
	     -EINVAL);
	T_EQ(dev_create(&pflash_dev, &f.env, &(struct dev_cfg){
		.priv = &(struct pflash_cfg){ .base = BASE, .data = d,
					      .size = SIZE, .block_size = 3000 } },
		&dev), -EINVAL);
	T_EQ(dev_create(&pflash_dev, &f.env, &(struct dev_cfg){
		.priv = &(struct pflash_cfg){ .base = BASE, .data = d,
					      .size = SIZE + 1, .block_size = BLOCK } },
		&dev), -EINVAL);
	fx_fini(&f);
	free(d);
}

static const struct t_case cases[] = {
	T_CASE(test_pflash_query),
	T_CASE(test_pflash_program_erase),
	T_CASE(test_pflash_readonly),
	T_CASE(test_pflash_bad_cfg),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
