// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ntfs_safety.c --- Windows volumes that must not be written.  On a
 * copy of the test disk dualboot-i386.img (partition 3: NTFS with an XP
 * install), libntfs-3g sets the $Volume dirty flag, or turns the $LogFile
 * restart page into version 2.0 (what Windows Fast Startup leaves); then
 * inspection must report it and hwp_inject() must refuse (-EPERM) without
 * changing a byte of the image.  The clean copy is injected (the original
 * hive kept as SYSTEM.dualvm-orig) and --undo puts the original back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hwprofile/hwp_priv.h"
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

#define WINPART	3

static const char *copy_disk(void)
{
	static char img[300];
	const char *b = getenv("BUILD");
	char src[300], cmd[800];

	snprintf(src, sizeof(src), "%s/guests/dualboot-i386.img",
		 b ? b : "build");
	if (access(src, R_OK))
		T_SKIP("%s not built (make guests)", src);
	snprintf(img, sizeof(img), "%s/db.img", t_tmpdir());
	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s'", src, img);
	T_EQ(system(cmd), 0);
	return img;
}

static const struct rd_part *win_part(struct rd_disk *d,
				      struct rd_part_table *t)
{
	T_EQ(rd_part_table_read(d, t), 0);
	T_ASSERT(t->n >= WINPART);
	return &t->part[WINPART - 1];
}

static void sha_file(const char *path, char out[65])
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 600u << 20;
	char *buf = malloc(cap);

	T_ASSERT(f && buf);
	n = fread(buf, 1, cap, f);
	fclose(f);
	lib_sha256_buf_hex(buf, n, out);
	free(buf);
}

/* Mutate the NTFS of partition 3 through libntfs-3g. */
static void mutate(const char *img, bool dirty, bool fast_startup)
{
	static struct rd_part_table t;
	const struct rd_part *p;
	struct rd_disk *d;
	ntfs_volume *vol;
	char err[256] = "";

	T_EQ(rd_file_open(img, RD_RDWR, &d, NULL, 0), 0);
	p = win_part(d, &t);
	T_EQ(rd_ntfs_mount(d, p->start, p->size, 0, &vol, err, sizeof(err)), 0);
	if (dirty)
		T_EQ(ntfs_volume_write_flags(vol, le16_to_cpu(vol->flags) |
					     le16_to_cpu(VOLUME_IS_DIRTY)), 0);
	if (fast_startup) {
		ntfs_inode *ni = ntfs_inode_open(vol, FILE_LogFile);
		ntfs_attr *na;
		le16 v2 = cpu_to_le16(2), v0 = cpu_to_le16(0);

		T_ASSERT(ni);
		na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
		T_ASSERT(na);
		/* RESTART_PAGE_HEADER: magic, minor_ver (26), major_ver
		 * (28); mkntfs/ntfs-3g leave an all-0xff (empty) log */
		T_EQ(ntfs_attr_pwrite(na, 0, 4, "RSTR"), 4);
		T_EQ(ntfs_attr_pwrite(na, 26, 2, &v0), 2);
		T_EQ(ntfs_attr_pwrite(na, 28, 2, &v2), 2);
		ntfs_attr_close(na);
		T_EQ(ntfs_inode_close(ni), 0);
	}
	T_EQ(rd_ntfs_umount(vol), 0);
	rd_close(d);
}

static void expect_refused(const char *img, bool dirty, bool fast)
{
	struct hwp_inject_report *rep = calloc(1, sizeof(*rep));
	struct hwp_report *r;
	struct rd_disk *d;
	char before[65], after[65], err[512] = "";

	T_ASSERT(rep);
	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(hwp_inspect(d, "db", WINPART, &r, NULL, 0), 0);
	T_EQ(r->part[0].os, HWP_OS_WINDOWS);
	T_EQ(r->part[0].safety.dirty, dirty);
	T_EQ(r->part[0].safety.fast_startup, fast);
	T_ASSERT(!r->part[0].safety.hibernated);
	hwp_report_free(r);
	rd_close(d);
	sha_file(img, before);
	T_EQ(rd_file_open(img, RD_RDWR, &d, NULL, 0), 0);
	T_EQ(hwp_inject(d, WINPART, 0, rep, err, sizeof(err)), -EPERM);
	T_ASSERT(strstr(err, fast ? "Fast Startup" : "not shut down cleanly"));
	T_EQ(rep->n, 0);
	rd_close(d);
	sha_file(img, after);
	T_ASSERT(!strcmp(before, after));
	free(rep);
}

static void test_dirty_refused(void)
{
	const char *img = copy_disk();

	mutate(img, true, false);
	expect_refused(img, true, false);
}

static void test_fast_startup_refused(void)
{
	const char *img = copy_disk();

	mutate(img, false, true);
	expect_refused(img, false, true);
}

static void test_clean_inject_and_undo(void)
{
	struct hwp_inject_report *rep = calloc(1, sizeof(*rep));
	const char *img = copy_disk();
	struct rd_disk *d;
	char err[512] = "", orig[65];

	T_ASSERT(rep);
	T_EQ(rd_file_open(img, RD_RDWR, &d, NULL, 0), 0);
	T_EQ(hwp_inject(d, WINPART, 0, rep, err, sizeof(err)), 0);
	T_EQ(rep->os, HWP_OS_WINDOWS);
	T_EQ(rep->n, 2);	/* the backup, then the hive */
	T_ASSERT(strstr(rep->ch[0].path, "SYSTEM.dualvm-orig"));
	T_ASSERT(!strcmp(rep->ch[0].sha256_after, rep->ch[1].sha256_before));
	T_ASSERT(strcmp(rep->ch[1].sha256_before, rep->ch[1].sha256_after));
	memcpy(orig, rep->ch[1].sha256_before, sizeof(orig));
	T_EQ(hwp_inject(d, WINPART, HWP_INJ_UNDO, rep, err, sizeof(err)), 0);
	T_EQ(rep->n, 1);
	T_ASSERT(!strcmp(rep->ch[0].sha256_after, orig));
	T_EQ(hwp_inject(d, WINPART, HWP_INJ_UNDO, rep, err, sizeof(err)),
	     -ENOENT);
	rd_close(d);
	free(rep);
}

static const struct t_case cases[] = {
	T_CASE(test_dirty_refused),
	T_CASE(test_fast_startup_refused),
	T_CASE(test_clean_inject_and_undo),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
