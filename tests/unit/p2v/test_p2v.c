// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_p2v.c --- the P2V planner, copier and verifier on memory disks:
 * whole-disk fallback without a partition table, the totals check (a copy
 * that writes nothing for a file system reporting data fails), unreadable
 * sectors with and without continue_on_error, a full output (-ENOSPC), and
 * verify catching a one-byte difference.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2v/p2v.h"
#include "p2v/p2v_priv.h"
#include "tests/unit/harness.h"

#define SZ	(4u << 20)

static uint8_t *pattern(void)
{
	uint8_t *b = malloc(SZ);

	T_ASSERT(b);
	for (size_t i = 0; i < SZ; i++)
		b[i] = (uint8_t)(i * 131 + (i >> 12));
	return b;
}

static struct rd_disk *mem(const void *data)
{
	struct rd_disk *d;

	T_EQ(rd_mem_open(data, SZ, RD_RDWR, &d), 0);
	return d;
}

static void test_no_table_full_copy(void)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ), *back = malloc(SZ);
	struct rd_disk *src = mem(b), *dst = mem(z);
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];

	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(p->narea, 1);
	T_ASSERT(!strcmp(p->area[0].method, "full"));
	T_EQ(p2v_plan_bytes(p), SZ);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), 0);
	T_EQ(r.read, SZ);
	T_EQ(r.copied, SZ);
	T_EQ(rd_pread(dst, back, SZ, 0), 0);
	T_ASSERT(!memcmp(back, b, SZ));
	T_EQ(p2v_verify(src, dst, p, &r, NULL, err, sizeof(err)), 0);
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
	free(back);
}

/* A plan claiming a file system with data in use over an all-zero area:
 * nothing gets written, so the copy must not report success. */
static void test_nothing_copied_fails(void)
{
	uint8_t *z = calloc(1, SZ);
	struct rd_disk *src = mem(z), *dst = mem(z);
	struct p2v_plan *p = calloc(1, sizeof(*p));
	struct p2v_result r;
	char err[256];

	p->disk_size = SZ;
	p->narea = 1;
	p->area[0] = (struct p2v_area){ .part = 1, .start = 0, .size = SZ,
					.used = 1 << 20 };
	strcpy(p->area[0].fs, "ext4");
	strcpy(p->area[0].method, "bitmap");
	T_EQ(p2v_plan_add(p, 0, 1 << 20, 0), 0);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), -EIO);
	T_ASSERT(strstr(err, "nothing was copied"));
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(z);
}

static void test_plan_skip_ranges(void)
{
	struct p2v_plan *p = calloc(1, sizeof(*p));
	uint64_t cur = 0;

	p->narea = 1;
	p->area[0] = (struct p2v_area){ .part = 1, .start = 4096, .size = 65536 };
	T_EQ(p2v_plan_skip(p, 0, &cur, 8192, 4096), 0);
	T_EQ(p2v_plan_skip(p, 0, &cur, 12288, 4096), 0);
	T_EQ(p2v_plan_skip(p, 0, &cur, 4096, 4096), -EINVAL);	/* backwards */
	T_EQ(p2v_plan_skip(p, 0, &cur, 0, 0), 0);
	T_EQ(p->next, 2);
	T_EQ(p->ext[0].off, 4096);
	T_EQ(p->ext[0].len, 8192);
	T_EQ(p->ext[1].off, 4096 + 16384);
	T_EQ(p->ext[1].len, 65536 - 16384);
	T_EQ(p->area[0].planned, 65536 - 8192);
	p2v_plan_free(p);
}

static void unreadable(bool cont)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ);
	struct rd_disk *raw = mem(b), *src, *dst = mem(z);
	struct rd_fault_cfg fc = { .fail_read_nth = 2, .sticky = false };
	struct p2v_opts o = { .continue_on_error = cont };
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];
	int e;

	T_EQ(p2v_plan_make(raw, NULL, &p, err, sizeof(err)), 0);
	T_EQ(rd_fault_open(raw, true, &fc, &src), 0);
	e = p2v_copy(src, dst, p, &o, &r, err, sizeof(err));
	if (cont) {
		/* one failed chunk read, then every sector re-read fine */
		T_EQ(e, 0);
		T_EQ(r.read, SZ);
	} else {
		T_EQ(e, -EIO);
		T_ASSERT(strstr(err, "unreadable at byte"));
		T_ASSERT(strstr(err, "--continue-on-error"));
	}
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
}

static void test_unreadable_fails(void)		{ unreadable(false); }
static void test_unreadable_continue(void)	{ unreadable(true); }

static void test_bad_sectors_listed(void)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ);
	struct rd_disk *raw = mem(b), *src, *dst = mem(z);
	struct rd_fault_cfg fc = { .fail_read_nth = 2, .sticky = true };
	struct p2v_opts o = { .continue_on_error = true };
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];

	T_EQ(p2v_plan_make(raw, NULL, &p, err, sizeof(err)), 0);
	T_EQ(rd_fault_open(raw, true, &fc, &src), 0);
	T_EQ(p2v_copy(src, dst, p, &o, &r, err, sizeof(err)), 0);
	T_ASSERT(r.nbad >= 1);
	T_ASSERT(r.bad_bytes > 0);
	T_EQ(r.bad[0].off % 512, 0);
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
}

static void test_output_full(void)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ);
	struct rd_disk *src = mem(b), *raw = mem(z), *dst;
	struct rd_fault_cfg fc = { .fail_write_nth = 3, .err = -ENOSPC };
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];

	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(rd_fault_open(raw, true, &fc, &dst), 0);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), -ENOSPC);
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
}

static void test_verify_catches_one_byte(void)
{
	uint8_t *b = pattern();
	struct rd_disk *src = mem(b), *out;
	struct p2v_plan *p;
	char err[256];

	b[3 * 1024 * 1024 + 17] ^= 1;
	out = mem(b);
	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(p2v_verify(src, out, p, NULL, NULL, err, sizeof(err)), -EIO);
	T_ASSERT(strstr(err, "at byte 3145745"));
	p2v_plan_free(p);
	rd_close(src);
	rd_close(out);
	free(b);
}

static void test_is_zero(void)
{
	uint8_t buf[100] = { 0 };

	T_ASSERT(p2v_is_zero(buf + 1, 99));
	buf[99] = 1;
	T_ASSERT(!p2v_is_zero(buf + 1, 99));
	T_ASSERT(p2v_is_zero(buf, 0));
}

static const struct t_case cases[] = {
	T_CASE(test_no_table_full_copy),
	T_CASE(test_nothing_copied_fails),
	T_CASE(test_plan_skip_ranges),
	T_CASE(test_unreadable_fails),
	T_CASE(test_unreadable_continue),
	T_CASE(test_bad_sectors_listed),
	T_CASE(test_output_full),
	T_CASE(test_verify_catches_one_byte),
	T_CASE(test_is_zero),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
