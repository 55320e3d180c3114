// SPDX-License-Identifier: GPL-2.0-only
/* test_vmd_rawdesc.c --- raw-disk VMDK descriptors (vmdisk/vmd_rawdesc.c):
 * create-raw output read back through rd_image_open(), the QEMU-readable
 * view descriptor, and the descriptor extent scanner */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmdisk/vmd_priv.h"
#include "tests/unit/harness.h"

#define P1	(2048ull * 512)
#define P2	(6144ull * 512)

static char img[300];

static void mkdisk(void)
{
	static const char script[] = "label: dos\nlabel-id: 0x13572468\n"
		"start=2048, size=4096, type=83, bootable\n"
		"start=6144, size=8192, type=7\n";
	char cmd[700];
	FILE *f;
	int fd;

	if (access("/usr/sbin/sfdisk", X_OK) ||
	    access("/usr/lib/syslinux/mbr/mbr.bin", R_OK))
		T_SKIP("sfdisk or syslinux mbr.bin not installed");
	snprintf(img, sizeof(img), "%s/disk.img", t_tmpdir());
	fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && ftruncate(fd, 8 << 20) == 0);
	T_ASSERT(pwrite(fd, "PART-ONE", 8, (off_t)P1) == 8);
	T_ASSERT(pwrite(fd, "PART-TWO", 8, (off_t)P2) == 8);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/sfdisk -q --no-reread %s >/dev/null 2>&1", img);
	f = popen(cmd, "w");
	T_ASSERT(f);
	fputs(script, f);
	T_EQ(pclose(f), 0);
}

static void test_partitioned_roundtrip(void)
{
	struct rd_part_table t;
	struct rd_disk *d;
	char out[400], err[400], buf[8];

	mkdisk();
	snprintf(out, sizeof(out), "%s/raw.vmdk", t_tmpdir());
	T_EQ(vmd_rawdesc_create(img, "2", out, err, sizeof(err)), 0);
	T_EQ(vmd_rawdesc_create(img, "2", out, err, sizeof(err)), -EEXIST);
	T_EQ(rd_image_open(out, RD_RDONLY, &d, err, sizeof(err)), 0);
	T_EQ(rd_size(d), 8 << 20);
	T_EQ(rd_part_table_read(d, &t), 0);
	T_EQ(t.disk_signature, 0x13572468);
	T_EQ(t.n, 2);
	T_ASSERT(!t.part[0].bootable);
	T_ASSERT(t.part[1].bootable);
	T_EQ(rd_pread(d, buf, 8, P2), 0);
	T_ASSERT(!memcmp(buf, "PART-TWO", 8));
	T_EQ(rd_pread(d, buf, 8, P1), 0);
	T_EQ(buf[0], 0);		/* unchosen partition: ZERO */
	rd_close(d);
}

static void test_whole_and_scan(void)
{
	struct rd_vmdk_flat ext[4];
	struct rd_disk *d;
	char out[400], err[400], text[4096], type[32];
	uint64_t total;
	FILE *f;
	size_t n;

	mkdisk();
	snprintf(out, sizeof(out), "%s/flat.vmdk", t_tmpdir());
	T_EQ(vmd_rawdesc_create(img, NULL, out, err, sizeof(err)), 0);
	f = fopen(out, "r");
	T_ASSERT(f);
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	T_EQ(rd_vmdk_desc_scan(text, n, type, sizeof(type), ext, 4, &total), 1);
	T_ASSERT(!strcmp(type, "monolithicFlat"));
	T_EQ(total, 8 << 20);
	T_EQ(ext[0].size, 8 << 20);
	T_ASSERT(vmd_is_descriptor(out));
	T_ASSERT(!vmd_is_descriptor(img));
	T_EQ(rd_image_open(out, RD_RDONLY, &d, err, sizeof(err)), 0);
	T_EQ(rd_size(d), 8 << 20);
	rd_close(d);
	T_EQ(rd_vmdk_desc_scan("RW 0 FLAT \"x\" 0\n", 16, type, sizeof(type), ext, 4,
			       &total), -EINVAL);
	T_EQ(rd_vmdk_desc_scan("RW 5 FLAT\n", 10, type, sizeof(type), ext, 4,
			       &total), -EINVAL);
}

/* The qcow2 backing of undoable partition overlays: a partitionedDevice
 * descriptor whose extents are all RDONLY, every extent file distinct, the
 * view's content, nothing else of the device. */
static void test_view_backing(void)
{
	struct rd_vmdk_flat ext[16];
	struct rd_disk *d;
	char out[400], err[400], text[8193], type[32], buf[8];
	uint64_t total;
	int i, k, n;
	FILE *f;

	mkdisk();
	snprintf(out, sizeof(out), "%s/ovl.view.vmdk", t_tmpdir());
	T_EQ(vmd_backing_create(img, "2", out, err, sizeof(err)), 0);
	f = fopen(out, "r");
	T_ASSERT(f);
	n = (int)fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	/* read-only for every reader, and not a type QEMU would misread */
	T_ASSERT(!strstr(text, "\nRW "));
	T_ASSERT(strstr(text, "\nRDONLY "));
	n = rd_vmdk_desc_scan(text, (size_t)n, type, sizeof(type), ext, 16, &total);
	T_ASSERT(!strcmp(type, "partitionedDevice"));
	T_ASSERT(n >= 3);
	T_EQ(total, 8 << 20);
	for (i = 0; i < n; i++)
		for (k = i + 1; k < n; k++)
			T_ASSERT(strcmp(ext[i].file, ext[k].file));
	T_EQ(rd_image_open(out, RD_RDONLY, &d, err, sizeof(err)), 0);
	T_EQ(rd_pread(d, buf, 8, P2), 0);
	T_ASSERT(!memcmp(buf, "PART-TWO", 8));
	T_EQ(rd_pread(d, buf, 8, P1), 0);
	T_EQ(buf[0], 0);
	rd_close(d);
	vmd_backing_remove(out);
	T_ASSERT(access(out, F_OK) != 0);
}

static const struct t_case cases[] = {
	T_CASE(test_partitioned_roundtrip),
	T_CASE(test_whole_and_scan),
	T_CASE(test_view_backing),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
