// SPDX-License-Identifier: GPL-2.0-only
/* test_rd_file.c --- bounds checks, read-only guard and locking of the
 * file back end */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

static const char *mkimg(size_t size)
{
	static char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/disk.img", t_tmpdir());
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_ASSERT(ftruncate(fd, (off_t)size) == 0);
	T_ASSERT(pwrite(fd, "hello", 5, 512) == 5);
	close(fd);
	return path;
}

static void test_read_bounds(void)
{
	const char *p = mkimg(1 << 20);
	struct rd_disk *d;
	char buf[16];

	T_EQ(rd_file_open(p, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_size(d), 1 << 20);
	T_EQ(rd_pread(d, buf, 5, 512), 0);
	T_ASSERT(!memcmp(buf, "hello", 5));
	T_EQ(rd_pread(d, buf, 16, (1 << 20) - 8), -EINVAL);
	T_ASSERT(strstr(rd_strerror(d), "beyond the end"));
	T_EQ(rd_pread(d, buf, 1, UINT64_MAX), -EINVAL);
	rd_close(d);
}

static void test_readonly_refuses_writes(void)
{
	const char *p = mkimg(4096);
	struct rd_disk *d;
	char buf[5] = "XXXXX", back[5];
	int fd;

	T_EQ(rd_file_open(p, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_pwrite(d, buf, 5, 512), -EROFS);
	rd_close(d);
	fd = open(p, O_RDONLY);
	T_ASSERT(pread(fd, back, 5, 512) == 5);
	close(fd);
	T_ASSERT(!memcmp(back, "hello", 5));
}

static void test_exclusive_lock(void)
{
	const char *p = mkimg(4096);
	struct rd_disk *a, *b;
	char why[256];

	T_EQ(rd_file_open(p, RD_RDWR | RD_EXCL, &a, NULL, 0), 0);
	T_EQ(rd_file_open(p, RD_RDWR | RD_EXCL, &b, why, sizeof(why)), -EBUSY);
	T_ASSERT(strstr(why, "in use"));
	rd_close(a);
	T_EQ(rd_file_open(p, RD_RDWR | RD_EXCL, &b, NULL, 0), 0);
	rd_close(b);
}

static void test_block_status_holes(void)
{
	const char *p = mkimg(4 << 20);
	struct rd_disk *d;
	uint64_t run;

	T_EQ(rd_file_open(p, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_block_status(d, 0, 4096, &run), RD_BLK_DATA);
	/* the tail is a hole on any file system that supports SEEK_DATA */
	int st = rd_block_status(d, 2 << 20, 1 << 20, &run);
	T_ASSERT(st == RD_BLK_ZERO || st == RD_BLK_DATA);
	T_ASSERT(run > 0 && run <= (1 << 20));
	rd_close(d);
}

static void test_missing_file_message(void)
{
	struct rd_disk *d;
	char why[256];

	T_EQ(rd_file_open("/nonexistent/x.img", RD_RDONLY, &d, why,
			  sizeof(why)), -ENOENT);
	T_ASSERT(d == NULL);
	T_ASSERT(strstr(why, "/nonexistent/x.img"));
}

static const struct t_case cases[] = {
	T_CASE(test_read_bounds),
	T_CASE(test_readonly_refuses_writes),
	T_CASE(test_exclusive_lock),
	T_CASE(test_block_status_holes),
	T_CASE(test_missing_file_message),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
