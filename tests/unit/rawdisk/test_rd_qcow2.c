// SPDX-License-Identifier: GPL-2.0-only
/* test_rd_qcow2.c --- qcow2 overlay: copy-on-write over a raw backing file,
 * metadata checked by reopening and by qemu-img check/compare when
 * installed, crash (dirty bit) repair */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_qcow2.h"
#include "tests/unit/harness.h"

#define DISK_SIZE	(8u << 20)

static char src[300], ovl[300], ref[300];

/* Raw source with a recognisable pattern, and a copy to apply writes to. */
static void mksrc(void)
{
	uint8_t *b = malloc(DISK_SIZE);
	unsigned int i;
	int fd;

	T_ASSERT(b);
	for (i = 0; i < DISK_SIZE; i++)
		b[i] = (uint8_t)(i * 7 + (i >> 12));
	snprintf(src, sizeof(src), "%s/src.img", t_tmpdir());
	snprintf(ovl, sizeof(ovl), "%s/ovl.qcow2", t_tmpdir());
	snprintf(ref, sizeof(ref), "%s/ref.img", t_tmpdir());
	fd = open(src, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && write(fd, b, DISK_SIZE) == DISK_SIZE);
	close(fd);
	fd = open(ref, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && write(fd, b, DISK_SIZE) == DISK_SIZE);
	close(fd);
	free(b);
}

static void ref_write(const void *b, size_t n, uint64_t off)
{
	int fd = open(ref, O_WRONLY);

	T_ASSERT(fd >= 0 && pwrite(fd, b, n, (off_t)off) == (ssize_t)n);
	close(fd);
}

static bool have_qemu_img(void)
{
	return system("qemu-img --version >/dev/null 2>&1") == 0;
}

/* Run "qemu-img @op -q A [B]" quietly; its exit code. */
static int qimg(const char *op, const char *a, const char *b)
{
	char cmd[1000];

	snprintf(cmd, sizeof(cmd), "qemu-img %s -q %s %s >/dev/null 2>&1", op,
		 a, b);
	return WEXITSTATUS(system(cmd));
}

/* A few writes: unaligned, spanning clusters, whole clusters. */
static void do_writes(struct rd_disk *d)
{
	static const struct { uint64_t off; size_t len; } w[] = {
		{ 0, 512 }, { 4096 + 17, 300 }, { 65536 - 100, 200 },
		{ 1 << 20, 65536 }, { (3 << 20) + 5, 200000 },
		{ DISK_SIZE - 512, 512 },
	};
	uint8_t *b = malloc(200000);
	unsigned int i, k;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		for (k = 0; k < w[i].len; k++)
			b[k] = (uint8_t)(0xa5 ^ i ^ k);
		T_EQ(rd_pwrite(d, b, w[i].len, w[i].off), 0);
		ref_write(b, w[i].len, w[i].off);
	}
	free(b);
}

static void compare_with_ref(struct rd_disk *d)
{
	uint8_t *a = malloc(DISK_SIZE), *b = malloc(DISK_SIZE);
	int fd = open(ref, O_RDONLY);

	T_ASSERT(fd >= 0 && read(fd, b, DISK_SIZE) == DISK_SIZE);
	close(fd);
	T_EQ(rd_pread(d, a, DISK_SIZE, 0), 0);
	T_ASSERT(!memcmp(a, b, DISK_SIZE));
	free(a);
	free(b);
}

static void test_cow_roundtrip(void)
{
	struct rd_disk *d;
	char err[300];

	mksrc();
	T_EQ(rd_qcow2_create(ovl, DISK_SIZE, src, 0, &d, err, sizeof(err)), 0);
	T_EQ(rd_size(d), DISK_SIZE);
	do_writes(d);
	compare_with_ref(d);
	rd_close(d);
	T_EQ(rd_qcow2_open(ovl, RD_RDONLY, NULL, &d, err, sizeof(err)), 0);
	compare_with_ref(d);
	T_EQ(rd_pwrite(d, "x", 1, 0), -EROFS);
	rd_close(d);
	if (have_qemu_img()) {
		T_EQ(qimg("check", ovl, ""), 0);
		T_EQ(qimg("compare", ovl, ref), 0);
	}
}

static void test_rewrite_allocated(void)
{
	struct rd_disk *d;
	char err[300];
	uint8_t b[4096];
	uint64_t run;

	mksrc();
	T_EQ(rd_qcow2_create(ovl, DISK_SIZE, src, 0, &d, err, sizeof(err)), 0);
	/* the overlay holds nothing yet (the backing shows through) */
	T_EQ(rd_qcow2_own_status(d, 0, 65536, &run), RD_BLK_UNALLOC);
	memset(b, 1, sizeof(b));
	T_EQ(rd_pwrite(d, b, sizeof(b), 8192), 0);
	ref_write(b, sizeof(b), 8192);
	memset(b, 2, sizeof(b));
	T_EQ(rd_pwrite(d, b, sizeof(b), 16384), 0);
	ref_write(b, sizeof(b), 16384);
	T_EQ(rd_block_status(d, 0, 1 << 20, &run), RD_BLK_DATA);
	T_EQ(run, 65536);
	compare_with_ref(d);
	rd_close(d);
	if (have_qemu_img())
		T_EQ(qimg("check", ovl, ""), 0);
}

static void test_no_backing_writer(void)
{
	struct rd_disk *d;
	char err[300], path[300];
	uint8_t b[512], c[512];

	snprintf(path, sizeof(path), "%s/w.qcow2", t_tmpdir());
	T_EQ(rd_qcow2_create(path, 64ull << 30, NULL, 16, &d, err, sizeof(err)), 0);
	memset(b, 0x5a, sizeof(b));
	T_EQ(rd_pwrite(d, b, sizeof(b), 40ull << 30), 0);
	T_EQ(rd_pread(d, c, sizeof(c), 40ull << 30), 0);
	T_ASSERT(!memcmp(b, c, 512));
	T_EQ(rd_pread(d, c, sizeof(c), 0), 0);
	T_EQ(c[0] | c[511], 0);
	rd_close(d);
	if (have_qemu_img())
		T_EQ(qimg("check", path, ""), 0);
	/* small clusters need several refcount blocks */
	snprintf(path, sizeof(path), "%s/s.qcow2", t_tmpdir());
	T_EQ(rd_qcow2_create(path, 4 << 20, NULL, 9, &d, err, sizeof(err)), 0);
	{
		uint8_t *big = malloc(4 << 20);
		unsigned int i;

		for (i = 0; i < (4u << 20); i++)
			big[i] = (uint8_t)(i / 512 + 1);
		T_EQ(rd_pwrite(d, big, 4 << 20, 0), 0);
		memset(big, 0, 4 << 20);
		T_EQ(rd_pread(d, big, 4 << 20, 0), 0);
		T_EQ(big[(3 << 20) + 7], (uint8_t)((3 << 20) / 512 + 1));
		free(big);
	}
	rd_close(d);
	if (have_qemu_img())
		T_EQ(qimg("check", path, ""), 0);
}

static void test_crash_repair(void)
{
	struct rd_disk *d;
	char err[300];
	pid_t pid;
	int st;

	mksrc();
	T_EQ(rd_qcow2_create(ovl, DISK_SIZE, src, 0, &d, err, sizeof(err)), 0);
	rd_close(d);
	pid = fork();
	if (pid == 0) {
		if (rd_qcow2_open(ovl, RD_RDWR, NULL, &d, err, sizeof(err)))
			_exit(1);
		do_writes(d);
		{	/* a crash between refcount and reference: a leak */
			struct qc *q = d->priv;
			uint64_t off;

			if (qc_cluster_alloc(q, &off))
				_exit(1);
		}
		_exit(0);		/* "crash": dirty bit stays set */
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		 WEXITSTATUS(st) == 0);
	T_EQ(rd_qcow2_open(ovl, RD_RDWR, NULL, &d, err, sizeof(err)), 0);
	compare_with_ref(d);
	rd_close(d);
	if (have_qemu_img()) {
		T_EQ(qimg("check", ovl, ""), 0);
		T_EQ(qimg("compare", ovl, ref), 0);
	}
}

static const struct t_case cases[] = {
	T_CASE(test_cow_roundtrip),
	T_CASE(test_rewrite_allocated),
	T_CASE(test_no_backing_writer),
	T_CASE(test_crash_repair),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
