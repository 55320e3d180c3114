// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fmt_images.c --- image writers and readers round trip: write a
 * pattern through each writer (rd_image_create), read it back through the
 * probing reader (rd_image_open), check allocation, and cross-check with
 * `qemu-img check` and `qemu-img compare` against a raw copy when qemu-img
 * is installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rawdisk/fmt_priv.h"
#include "rawdisk/fmt_vmdk.h"
#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

/* not a CHS product, not a multiple of any block size */
#define DISK_SIZE	(70ULL * 1024 * 1024 + 1536)

struct piece {
	uint64_t	off;
	size_t		len;
};

/* scattered writes: grain/block boundaries, odd sizes, the last sector */
static const struct piece pieces[] = {
	{ 0, 4096 },
	{ 1024 * 1024 + 512, 100 * 1024 },
	{ 2 * 1024 * 1024 - 512, 1024 },
	{ 33 * 1024 * 1024 - 4096, 8192 + 512 },
	{ 40 * 1024 * 1024, 3 * 1024 * 1024 },
	{ DISK_SIZE - 512, 512 },
};
#define NPIECES (sizeof(pieces) / sizeof(pieces[0]))

static void fill(uint8_t *buf, size_t len, uint64_t off)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = (off + i) * 0x9e3779b97f4a7c15ULL;

		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

static bool have_qemu_img(void)
{
	return system("qemu-img --version >/dev/null 2>&1") == 0;
}

static void write_raw_ref(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	T_ASSERT(fd >= 0);
	T_ASSERT(ftruncate(fd, (off_t)DISK_SIZE) == 0);
	for (size_t i = 0; i < NPIECES; i++) {
		uint8_t *b = malloc(pieces[i].len);

		fill(b, pieces[i].len, pieces[i].off);
		T_ASSERT(pwrite(fd, b, pieces[i].len, (off_t)pieces[i].off) ==
			 (ssize_t)pieces[i].len);
		free(b);
	}
	close(fd);
}

static void round_trip(const char *format, const char *ext, bool reverse)
{
	char path[512], ref[512], cmd[1400], err[256];
	const char *qfmt = rd_image_qemu_name(format);
	struct rd_disk *d;
	uint8_t *buf, *want;
	uint64_t run;

	snprintf(path, sizeof(path), "%s/out.%s", t_tmpdir(), ext);
	snprintf(ref, sizeof(ref), "%s/ref.raw", t_tmpdir());
	write_raw_ref(ref);
	if (rd_image_create(format, path, DISK_SIZE, NULL, &d, err,
			    sizeof(err)))
		t_fail(__FILE__, __LINE__, "create: %s", err);
	for (size_t k = 0; k < NPIECES; k++) {
		size_t i = reverse ? NPIECES - 1 - k : k;

		buf = malloc(pieces[i].len);
		fill(buf, pieces[i].len, pieces[i].off);
		T_EQ(rd_pwrite(d, buf, pieces[i].len, pieces[i].off), 0);
		free(buf);
	}
	/* a zero write to an untouched area allocates nothing */
	buf = calloc(1, 1 << 20);
	if (strcmp(format, "vmdk-stream"))
		T_EQ(rd_pwrite(d, buf, 1 << 20, 60ULL << 20), 0);
	free(buf);
	T_EQ(rd_flush(d), 0);
	rd_close(d);

	if (rd_image_open(path, RD_RDONLY, &d, err, sizeof(err)))
		t_fail(__FILE__, __LINE__, "open: %s", err);
	T_EQ(rd_size(d), DISK_SIZE);
	buf = malloc(1 << 20);
	want = malloc(1 << 20);
	for (uint64_t off = 0; off < DISK_SIZE; off += 1 << 20) {
		size_t n = DISK_SIZE - off < (1 << 20) ? DISK_SIZE - off :
			   1 << 20;
		int fd = open(ref, O_RDONLY);

		T_ASSERT(pread(fd, want, n, (off_t)off) == (ssize_t)n);
		close(fd);
		T_EQ(rd_pread(d, buf, n, off), 0);
		if (memcmp(buf, want, n))
			t_fail(__FILE__, __LINE__, "%s: data differs in MiB at %llu",
			       format, (unsigned long long)off);
	}
	/* the untouched middle of the disk is not allocated (raw: a hole) */
	T_ASSERT(rd_block_status(d, 50ULL << 20, 1 << 20, &run) != RD_BLK_DATA);
	T_ASSERT(rd_block_status(d, 0, 4096, &run) == RD_BLK_DATA);
	free(buf);
	free(want);
	rd_close(d);

	if (!have_qemu_img())
		return;
	if (strcmp(qfmt, "raw") && strcmp(qfmt, "vpc")) {
		snprintf(cmd, sizeof(cmd), "qemu-img check -q -f %s %s", qfmt,
			 path);
		if (system(cmd))
			t_fail(__FILE__, __LINE__, "qemu-img check failed: %s", cmd);
	}
	snprintf(cmd, sizeof(cmd), "qemu-img compare -q -f %s -F raw %s %s",
		 qfmt, path, ref);
	if (system(cmd))
		t_fail(__FILE__, __LINE__, "qemu-img compare failed: %s", cmd);
}

static void test_raw(void)		{ round_trip("raw", "img", false); }
static void test_vmdk(void)		{ round_trip("vmdk", "vmdk", false); }
static void test_vmdk_reverse(void)	{ round_trip("vmdk", "vmdk", true); }
static void test_vmdk_stream(void)	{ round_trip("vmdk-stream", "vmdk", false); }
static void test_vhd(void)		{ round_trip("vhd", "vhd", true); }
static void test_vhd_fixed(void)	{ round_trip("vhd-fixed", "vhd", false); }
static void test_vhdx(void)		{ round_trip("vhdx", "vhdx", true); }
static void test_vdi(void)		{ round_trip("vdi", "vdi", true); }
static void test_qcow2(void)		{ round_trip("qcow2", "qcow2", false); }

/* twoGbMaxExtentSparse with 32 MiB pieces: three extents */
static void test_vmdk_split(void)
{
	char path[300], ref[300], cmd[2000], err[256];
	struct rd_disk *d, *r;
	uint8_t *a = malloc(1 << 20), *b = malloc(1 << 20);
	struct stat st;

	snprintf(path, sizeof(path), "%s/split.vmdk", t_tmpdir());
	snprintf(ref, sizeof(ref), "%s/ref.raw", t_tmpdir());
	write_raw_ref(ref);
	if (vmdk_split_create(path, NULL, DISK_SIZE, 32 << 20, &d, err,
			      sizeof(err)))
		t_fail(__FILE__, __LINE__, "create: %s", err);
	for (size_t i = 0; i < NPIECES; i++) {
		uint8_t *buf = malloc(pieces[i].len);

		fill(buf, pieces[i].len, pieces[i].off);
		T_EQ(rd_pwrite(d, buf, pieces[i].len, pieces[i].off), 0);
		free(buf);
	}
	T_EQ(rd_flush(d), 0);
	rd_close(d);
	snprintf(cmd, sizeof(cmd), "%s/split-s003.vmdk", t_tmpdir());
	T_EQ(stat(cmd, &st), 0);
	T_EQ(rd_image_open(path, RD_RDONLY, &d, err, sizeof(err)), 0);
	T_EQ(rd_file_open(ref, RD_RDONLY, &r, NULL, 0), 0);
	T_EQ(rd_size(d), DISK_SIZE);
	for (uint64_t off = 0; off < DISK_SIZE; off += 1 << 20) {
		size_t n = DISK_SIZE - off < (1 << 20) ? DISK_SIZE - off : 1 << 20;

		T_EQ(rd_pread(d, a, n, off), 0);
		T_EQ(rd_pread(r, b, n, off), 0);
		T_ASSERT(!memcmp(a, b, n));
	}
	rd_close(d);
	rd_close(r);
	free(a);
	free(b);
	if (!have_qemu_img())
		return;
	snprintf(cmd, sizeof(cmd), "qemu-img check -q -f vmdk %s && "
		 "qemu-img compare -q -f vmdk -F raw %s %s && "
		 "qemu-img info %s | grep -q twoGbMaxExtentSparse",
		 path, path, ref, path);
	if (system(cmd))
		t_fail(__FILE__, __LINE__, "qemu-img failed: %s", cmd);
}

/* closing an unflushed split writer leaves no pieces behind */
static void test_vmdk_split_cleanup(void)
{
	char path[512], err[256], piece[600];
	struct rd_disk *d;
	struct stat st;

	snprintf(path, sizeof(path), "%s/gone.vmdk", t_tmpdir());
	T_EQ(vmdk_split_create(path, NULL, 100 << 20, 32 << 20, &d, err,
			       sizeof(err)), 0);
	rd_close(d);
	snprintf(piece, sizeof(piece), "%s/gone-s001.vmdk", t_tmpdir());
	T_ASSERT(stat(piece, &st) != 0);
}

static void test_stream_refuses_backwards(void)
{
	char path[512], err[256], buf[512] = { 1 };
	struct rd_disk *d;

	snprintf(path, sizeof(path), "%s/s.vmdk", t_tmpdir());
	T_EQ(rd_image_create("vmdk-stream", path, 1 << 24, NULL, &d, err,
			     sizeof(err)), 0);
	T_EQ(rd_pwrite(d, buf, sizeof(buf), 1 << 20), 0);
	T_EQ(rd_pwrite(d, buf, sizeof(buf), 0), -EINVAL);
	T_ASSERT(strstr(rd_strerror(d), "increase"));
	rd_close(d);
}

/* qemu-img writes, we read (VMDK, VHD, VHDX, VDI) */
static void test_read_qemu_images(void)
{
	static const char *const fmts[][3] = {
		{ "vmdk", "vmdk", "" },
		{ "vmdk", "vmdk", "-o subformat=streamOptimized" },
		{ "vmdk", "vmdk", "-o subformat=twoGbMaxExtentSparse" },
		{ "vmdk", "vmdk", "-o subformat=monolithicFlat" },
		{ "vpc", "vhd", "" },
		{ "vpc", "vhd", "-o subformat=fixed,force_size=on" },
		{ "vhdx", "vhdx", "" },
		{ "vdi", "vdi", "" },
	};
	char ref[512], path[512], cmd[1400], err[256];

	if (!have_qemu_img())
		T_SKIP("qemu-img is not installed");
	snprintf(ref, sizeof(ref), "%s/ref.raw", t_tmpdir());
	write_raw_ref(ref);
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		struct rd_disk *d, *r;
		uint8_t *a = malloc(1 << 20), *b = malloc(1 << 20);

		snprintf(path, sizeof(path), "%s/q%zu.%s", t_tmpdir(), f,
			 fmts[f][1]);
		snprintf(cmd, sizeof(cmd),
			 "qemu-img convert -q -f raw -O %s %s %s %s", fmts[f][0],
			 fmts[f][2], ref, path);
		T_ASSERT(system(cmd) == 0);
		if (rd_image_open(path, RD_RDONLY, &d, err, sizeof(err)))
			t_fail(__FILE__, __LINE__, "%s: %s", cmd, err);
		T_EQ(rd_file_open(ref, RD_RDONLY, &r, NULL, 0), 0);
		T_ASSERT(rd_size(d) >= DISK_SIZE);
		for (uint64_t off = 0; off < DISK_SIZE; off += 1 << 20) {
			size_t n = DISK_SIZE - off < (1 << 20) ?
				   DISK_SIZE - off : 1 << 20;

			T_EQ(rd_pread(d, a, n, off), 0);
			T_EQ(rd_pread(r, b, n, off), 0);
			if (memcmp(a, b, n))
				t_fail(__FILE__, __LINE__, "%s: differs at %llu",
				       cmd, (unsigned long long)off);
		}
		rd_close(d);
		rd_close(r);
		free(a);
		free(b);
	}
}

static void test_probe_rejects_garbage_vhdx(void)
{
	char path[512], err[256];
	struct rd_disk *d;
	int fd;

	snprintf(path, sizeof(path), "%s/bad.vhdx", t_tmpdir());
	fd = open(path, O_RDWR | O_CREAT, 0644);
	T_ASSERT(fd >= 0);
	T_ASSERT(write(fd, "vhdxfile", 8) == 8);
	T_ASSERT(ftruncate(fd, 4 << 20) == 0);
	close(fd);
	T_EQ(rd_image_open(path, RD_RDONLY, &d, err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "VHDX"));
}

static void make_small(const char *format, const char *path)
{
	struct rd_disk *d;
	char err[256], buf[4096];

	memset(buf, 0x33, sizeof(buf));
	T_EQ(rd_image_create(format, path, 8 << 20, NULL, &d, err, sizeof(err)), 0);
	T_EQ(rd_pwrite(d, buf, sizeof(buf), 1 << 20), 0);
	T_EQ(rd_flush(d), 0);
	rd_close(d);
}

/* A VHDX whose log is not empty must be refused with a clear reason. */
static void test_vhdx_dirty_log_refused(void)
{
	char path[512], err[512];
	uint8_t h[4096];
	struct rd_disk *d;
	int fd;

	snprintf(path, sizeof(path), "%s/log.vhdx", t_tmpdir());
	make_small("vhdx", path);
	fd = open(path, O_RDWR);
	T_ASSERT(fd >= 0);
	for (int i = 1; i <= 2; i++) {
		T_ASSERT(pread(fd, h, sizeof(h), i * 65536) == sizeof(h));
		memset(h + 48, 0xab, 16);		/* LogGuid */
		rd_put_le32(h + 4, 0);
		rd_put_le32(h + 4, fmt_crc32c(h, sizeof(h)));
		T_ASSERT(pwrite(fd, h, sizeof(h), i * 65536) == sizeof(h));
	}
	close(fd);
	T_EQ(rd_image_open(path, RD_RDONLY, &d, err, sizeof(err)), -ENOTSUP);
	T_ASSERT(strstr(err, "log is not empty"));
}

/* Corrupt checksums and out-of-file tables give -EINVAL, not a crash. */
static void test_corrupt_metadata_rejected(void)
{
	static const struct { const char *fmt, *ext; long off; } c[] = {
		{ "vhd", "vhd", 64 },		/* footer checksum (copy at 0) */
		{ "vdi", "vdi", 0x200 },	/* first block-map entry */
		{ "vmdk", "vmdk", 56 },		/* gdOffset */
	};
	char path[512], err[512];
	struct rd_disk *d;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t junk[4] = { 0x7f, 0xff, 0xff, 0x7f };
		int fd;

		snprintf(path, sizeof(path), "%s/bad%zu.%s", t_tmpdir(), i, c[i].ext);
		make_small(c[i].fmt, path);
		fd = open(path, O_RDWR);
		T_ASSERT(pwrite(fd, junk, 4, c[i].off) == 4);
		if (!strcmp(c[i].fmt, "vhd"))	/* and the footer at the end */
			T_ASSERT(pwrite(fd, junk, 4, lseek(fd, 0, SEEK_END) - 512 + 64) == 4);
		close(fd);
		if (!rd_image_open(path, RD_RDONLY, &d, err, sizeof(err)))
			t_fail(__FILE__, __LINE__, "%s: corrupt image opened", c[i].fmt);
		T_ASSERT(err[0]);
	}
}

static void test_format_from_ext(void)
{
	T_ASSERT(!strcmp(rd_image_format_from_ext("/a/b.VMDK"), "vmdk"));
	T_ASSERT(!strcmp(rd_image_format_from_ext("x.vhdx"), "vhdx"));
	T_ASSERT(!strcmp(rd_image_format_from_ext("x.qcow2"), "qcow2"));
	T_ASSERT(rd_image_format_from_ext("x.foo") == NULL);
	T_ASSERT(rd_image_format_from_ext("dir.d/x") == NULL);
}

static const struct t_case cases[] = {
	T_CASE(test_raw),
	T_CASE(test_vmdk),
	T_CASE(test_vmdk_reverse),
	T_CASE(test_vmdk_stream),
	T_CASE(test_vhd),
	T_CASE(test_vhd_fixed),
	T_CASE(test_vhdx),
	T_CASE(test_vdi),
	T_CASE(test_qcow2),
	T_CASE(test_vmdk_split),
	T_CASE(test_vmdk_split_cleanup),
	T_CASE(test_stream_refuses_backwards),
	T_CASE(test_read_qemu_images),
	T_CASE(test_probe_rejects_garbage_vhdx),
	T_CASE(test_vhdx_dirty_log_refused),
	T_CASE(test_corrupt_metadata_rejected),
	T_CASE(test_format_from_ext),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
