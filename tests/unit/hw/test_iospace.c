// SPDX-License-Identifier: GPL-2.0-only
/* test_iospace.c --- range registration and dispatch of hw/iospace.c */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/hw.h"
#include "tests/unit/harness.h"

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

static const struct io_ops fake_ops = { .read = fake_read,
					.write = fake_write };

static struct iospace *mk(void)
{
	struct iospace *sp;

	T_ASSERT(iospace_create("pio", &sp) == 0);
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

struct logbuf {
	unsigned int	n;		/* lines received */
	char		last[160];	/* the last one */
};

static void log_line(void *opaque, const char *line)
{
	struct logbuf *l = opaque;

	l->n++;
	snprintf(l->last, sizeof(l->last), "%s", line);
}

/* Silent by default; with a logger, one line per unclaimed address, and at
 * most 64 addresses, whatever the guest probes. */
static void test_unclaimed_logger(void)
{
	struct iospace *sp = mk();
	struct logbuf l = { 0 };
	unsigned int i;

	iospace_read(sp, 0x80, 1);
	iospace_set_logger(sp, log_line, &l);
	T_EQ(l.n, 0);
	iospace_write(sp, 0x81, 0x5a, 1);
	T_EQ(l.n, 1);
	T_ASSERT(!strcmp(l.last, "pio: unclaimed write8 0x81 <- 0x5a"));
	iospace_write(sp, 0x81, 0x5b, 1);
	iospace_read(sp, 0x81, 2);
	T_EQ(l.n, 1);
	iospace_read(sp, 0x82, 4);
	T_EQ(l.n, 2);
	T_ASSERT(!strcmp(l.last, "pio: unclaimed read32 0x82"));
	for (i = 0; i < 1000; i++)
		iospace_read(sp, 0x1000 + i, 1);
	T_EQ(l.n, 64);
	T_ASSERT(strstr(l.last, "further unclaimed addresses not logged"));
	T_EQ(iospace_unclaimed_count(sp), 1 + 1 + 1 + 2 + 4 + 1000);
	iospace_set_logger(sp, NULL, NULL);
	iospace_read(sp, 0x90, 1);
	T_EQ(l.n, 64);
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

static const struct io_ops byte_ops = { .read = fake_read, .write = fake_write,
					.widths = IO_W8 };
static const struct io_ops word_ops = { .read = fake_read, .write = fake_write,
					.widths = IO_W16 | IO_W32 };
static const struct io_ops data_ops = { .read = fake_read, .write = fake_write,
					.widths = IO_W16 | IO_W32,
					.spill = true };
static const struct io_ops dword_ops = { .read = fake_read,
					 .write = fake_write,
					 .widths = IO_W32 };

/* A byte-register range sees a word access as two byte accesses. */
static void test_widths_split(void)
{
	struct iospace *sp = mk();
	struct fake a = {0};

	T_EQ(iospace_map(sp, 0x70, 2, &byte_ops, &a), 0);
	iospace_write(sp, 0x70, 0x1234, 2);
	T_EQ(a.nwrite, 2);
	T_EQ(a.last_off, 1);
	T_EQ(a.last_size, 1);
	T_EQ(a.regs[0], 0x34);
	T_EQ(a.regs[1], 0x12);
	T_EQ(iospace_read(sp, 0x70, 2), 0x1234);
	T_EQ(a.nread, 2);
	/* 16/32-bit only: a dword is taken whole */
	T_EQ(iospace_map(sp, 0x200, 8, &word_ops, &a), 0);
	a.nwrite = 0;
	iospace_write(sp, 0x200, 0x11223344, 4);
	T_EQ(a.nwrite, 1);
	T_EQ(a.last_size, 4);
	iospace_destroy(sp);
}

/* A spill range (the IDE data port) takes a wide access whole. */
static void test_widths_spill(void)
{
	struct iospace *sp = mk();
	struct fake d = {0}, r = {0};

	T_EQ(iospace_map(sp, 0x1f0, 1, &data_ops, &d), 0);
	T_EQ(iospace_map(sp, 0x1f1, 7, &byte_ops, &r), 0);
	iospace_write(sp, 0x1f0, 0xaabbccdd, 4);
	T_EQ(d.nwrite, 1);
	T_EQ(d.last_size, 4);
	T_EQ(r.nwrite, 0);
	iospace_write(sp, 0x1f2, 0x0201, 2);	/* two byte registers */
	T_EQ(r.nwrite, 2);
	T_EQ(r.regs[1], 0x01);
	T_EQ(r.regs[2], 0x02);
	iospace_destroy(sp);
}

/* Narrow reads of a 32-bit register come from one 32-bit read; narrow
 * writes to it are dropped. */
static void test_widths_combine(void)
{
	struct iospace *sp = mk();
	struct fake a = {0};

	T_EQ(iospace_map(sp, 0x608, 4, &dword_ops, &a), 0);
	a.regs[0] = 0x11;
	a.regs[1] = 0x22;
	a.regs[2] = 0x33;
	a.regs[3] = 0x44;
	T_EQ(iospace_read(sp, 0x60a, 2), 0x4433);
	T_EQ(a.nread, 1);
	T_EQ(a.last_off, 0);
	T_EQ(a.last_size, 4);
	T_EQ(iospace_read(sp, 0x609, 1), 0x22);
	iospace_write(sp, 0x608, 0xff, 1);
	T_EQ(a.nwrite, 0);
	T_EQ(a.regs[0], 0x11);
	iospace_destroy(sp);
}

/* A register set maps all or nothing. */
static void test_map_set(void)
{
	static const struct io_range set[] = {
		{ 0x20, 2, &byte_ops },
		{ 0xa0, 2, &byte_ops },
		{ 0x4d0, 2, &byte_ops },
	};
	struct iospace *sp = mk();
	struct fake a = {0}, b = {0};

	T_EQ(iospace_map(sp, 0x4d1, 1, &byte_ops, &b), 0);
	T_EQ(iospace_map_set(sp, set, 3, 0, &a), -EEXIST);
	T_ASSERT(!iospace_claimed(sp, 0x20));
	T_ASSERT(!iospace_claimed(sp, 0xa0));
	T_EQ(iospace_unmap(sp, 0x4d1), 0);
	T_EQ(iospace_map_set(sp, set, 3, 0, &a), 0);
	T_ASSERT(iospace_claimed(sp, 0x4d1));
	iospace_unmap_set(sp, set, 3, 0);
	T_ASSERT(!iospace_claimed(sp, 0x20));
	T_ASSERT(!iospace_claimed(sp, 0x4d0));
	/* relocated: every range moves by the same shift */
	T_EQ(iospace_map_set(sp, set, 3, 0x1000, &a), 0);
	T_ASSERT(iospace_claimed(sp, 0x10a1));
	T_ASSERT(!iospace_claimed(sp, 0xa1));
	iospace_unmap_set(sp, set, 3, 0x1000);
	T_ASSERT(!iospace_claimed(sp, 0x1020));
	T_EQ(iospace_map(sp, 0x10, 1, &(const struct io_ops){
		.read = fake_read, .widths = 0x10 }, &a), -EINVAL);
	iospace_destroy(sp);
}

static const struct t_case cases[] = {
	T_CASE(test_overlap_rejected),
	T_CASE(test_dispatch_offsets),
	T_CASE(test_unclaimed_all_ones),
	T_CASE(test_unclaimed_logger),
	T_CASE(test_straddle_split),
	T_CASE(test_many_ranges_sorted),
	T_CASE(test_widths_split),
	T_CASE(test_widths_spill),
	T_CASE(test_widths_combine),
	T_CASE(test_map_set),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
