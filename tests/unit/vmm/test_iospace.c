// SPDX-License-Identifier: GPL-2.0-only
/* test_iospace.c --- range registration and dispatch of vmm/iospace.c */
#include <errno.h>

#include "tests/unit/harness.h"
#include "vmm/iospace.h"

struct fake {
	uint64_t last_off, last_val;
	unsigned int last_size, nread, nwrite;
	uint8_t regs[16];
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned int size)
{
	struct fake *f = opaque;
	uint64_t v = 0;

	f->nread++;
	f->last_off = off;
	f->last_size = size;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)f->regs[(off + i) % 16] << (8 * i);
	return v;
}

static void fake_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	struct fake *f = opaque;

	f->nwrite++;
	f->last_off = off;
	f->last_val = val;
	f->last_size = size;
	for (unsigned int i = 0; i < size; i++)
		f->regs[(off + i) % 16] = (uint8_t)(val >> (8 * i));
}

static const struct io_ops fake_ops = { fake_read, fake_write };

static struct iospace *mk(void)
{
	struct iospace *sp;

	T_ASSERT(iospace_create("pio", &sp) == 0);
	iospace_set_logging(sp, false);
	return sp;
}

static void test_overlap_rejected(void)
{
	struct iospace *sp = mk();
	struct fake a = {0}, b = {0};

	T_EQ(iospace_map(sp, 0x60, 1, &fake_ops, &a), 0);
	T_EQ(iospace_map(sp, 0x64, 1, &fake_ops, &a), 0);
	T_EQ(iospace_map(sp, 0x60, 1, &fake_ops, &b), -EEXIST);
	T_EQ(iospace_map(sp, 0x5f, 2, &fake_ops, &b), -EEXIST);
	T_EQ(iospace_map(sp, 0x61, 4, &fake_ops, &b), -EEXIST);
	T_EQ(iospace_map(sp, 0x61, 3, &fake_ops, &b), 0);
	T_EQ(iospace_map(sp, 0x10, 0, &fake_ops, &b), -EINVAL);
	T_EQ(iospace_map(sp, UINT64_MAX, 2, &fake_ops, &b), -EINVAL);
	T_EQ(iospace_unmap(sp, 0x61), 0);
	T_EQ(iospace_unmap(sp, 0x61), -ENOENT);
	T_EQ(iospace_map(sp, 0x61, 3, &fake_ops, &b), 0);
	iospace_destroy(sp);
}

static void test_dispatch_offsets(void)
{
	struct iospace *sp = mk();
	struct fake a = {0};

	T_EQ(iospace_map(sp, 0x3f8, 8, &fake_ops, &a), 0);
	iospace_write(sp, 0x3fb, 0x83, 1);
	T_EQ(a.last_off, 3);
	T_EQ(a.last_val, 0x83);
	T_EQ(iospace_read(sp, 0x3fb, 1), 0x83);
	iospace_write(sp, 0x3f8, 0x12345678, 4);
	T_EQ(a.last_size, 4);
	T_EQ(iospace_read(sp, 0x3f8, 2), 0x5678);
	iospace_destroy(sp);
}

static void test_unclaimed_all_ones(void)
{
	struct iospace *sp = mk();

	T_EQ(iospace_read(sp, 0x80, 1), 0xff);
	T_EQ(iospace_read(sp, 0x80, 2), 0xffff);
	T_EQ(iospace_read(sp, 0x80, 4), 0xffffffffu);
	iospace_write(sp, 0x80, 0x55, 1);
	T_EQ(iospace_unclaimed_count(sp), 1 + 2 + 4 + 1);
	T_ASSERT(!iospace_claimed(sp, 0x80));
	iospace_destroy(sp);
}

static void test_straddle_split(void)
{
	struct iospace *sp = mk();
	struct fake a = {0};

	T_EQ(iospace_map(sp, 0x100, 2, &fake_ops, &a), 0);
	a.regs[0] = 0x11;
	a.regs[1] = 0x22;
	/* 4-byte read at 0x100: 2 bytes claimed, 2 unclaimed */
	T_EQ(iospace_read(sp, 0x100, 4), 0xffff2211u);
	T_EQ(a.nread, 2);
	/* a write straddling the start only reaches the claimed byte */
	iospace_write(sp, 0xff, 0xaabb, 2);
	T_EQ(a.regs[0], 0xaa);
	iospace_destroy(sp);
}

static void test_many_ranges_sorted(void)
{
	struct iospace *sp = mk();
	static struct fake f[200];

	for (int i = 199; i >= 0; i--)
		T_EQ(iospace_map(sp, (uint64_t)i * 4, 2, &fake_ops, &f[i]), 0);
	for (int i = 0; i < 200; i++) {
		iospace_write(sp, (uint64_t)i * 4 + 1, (uint64_t)i, 1);
		T_EQ(f[i].regs[1], i);
		T_ASSERT(!iospace_claimed(sp, (uint64_t)i * 4 + 2));
	}
	iospace_destroy(sp);
}

static const struct t_case cases[] = {
	T_CASE(test_overlap_rejected),
	T_CASE(test_dispatch_offsets),
	T_CASE(test_unclaimed_all_ones),
	T_CASE(test_straddle_split),
	T_CASE(test_many_ranges_sorted),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
