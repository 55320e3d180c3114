// SPDX-License-Identifier: GPL-2.0-only
/* test_rd_part.c --- MBR/GPT reader against sfdisk-built images and
 * libfdisk, plus corrupt tables (loops, CRC errors, out-of-range) */
#include <errno.h>
#include <fcntl.h>
#include <libfdisk/libfdisk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

static const char mbr_script[] =
	"label: dos\nlabel-id: 0x12345678\n"
	"start=2048, size=4096, type=83, bootable\n"
	"start=6144, size=4096, type=7\n"
	"start=10240, size=40960, type=5\n"
	"start=12288, size=4096, type=83\n"
	"start=18432, size=4096, type=82\n"
	"start=24576, size=2048, type=c\n";

static const char gpt_script[] =
	"label: gpt\nlabel-id: 1B6E5C4F-7A42-4E2B-9C3D-112233445566\n"
	"start=2048, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\"\n"
	"start=6144, size=8192, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=\"win\", attrs=\"LegacyBIOSBootable\"\n"
	"start=20480, size=2048, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n";

/* Build a 32 MiB image partitioned by sfdisk from @script; SKIP if no sfdisk. */
static const char *mkdisk(const char *name, const char *script)
{
	static char path[300];
	char cmd[700];
	FILE *f;
	int fd;

	if (access("/usr/sbin/sfdisk", X_OK) && access("/sbin/sfdisk", X_OK))
		T_SKIP("sfdisk not installed");
	snprintf(path, sizeof(path), "%s/%s", t_tmpdir(), name);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_ASSERT(ftruncate(fd, 32 << 20) == 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/usr/sbin:/sbin sfdisk -q --no-reread %s >/dev/null 2>&1",
		 path);
	f = popen(cmd, "w");
	T_ASSERT(f);
	fputs(script, f);
	T_EQ(pclose(f), 0);
	return path;
}

static void read_table(const char *path, struct rd_part_table *t, int expect)
{
	struct rd_disk *d;

	T_EQ(rd_file_open(path, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_part_table_read(d, t), expect);
	if (expect)
		T_ASSERT(rd_strerror(d)[0]);
	rd_close(d);
}

/* Compare with what libfdisk sees on the same file. */
static void cross_check(const char *path, const struct rd_part_table *t)
{
	struct fdisk_context *cxt = fdisk_new_context();
	struct fdisk_table *tb = NULL;
	struct fdisk_iter *itr;
	struct fdisk_partition *pa;
	unsigned int seen = 0;

	T_ASSERT(cxt);
	T_EQ(fdisk_assign_device(cxt, path, 1), 0);
	T_ASSERT(fdisk_has_label(cxt));
	T_ASSERT(!strcmp(fdisk_label_get_name(fdisk_get_label(cxt, NULL)),
			 t->label));
	T_EQ(fdisk_get_partitions(cxt, &tb), 0);
	itr = fdisk_new_iter(FDISK_ITER_FORWARD);
	while (fdisk_table_next_partition(tb, itr, &pa) == 0) {
		const struct rd_part *p;

		if (!fdisk_partition_has_partno(pa))
			continue;
		p = rd_part_find(t, (unsigned int)fdisk_partition_get_partno(pa) + 1);
		T_ASSERT(p);
		T_EQ(p->start, fdisk_partition_get_start(pa) * 512);
		T_EQ(p->size, fdisk_partition_get_size(pa) * 512);
		seen++;
	}
	T_EQ(seen, t->n);
	fdisk_free_iter(itr);
	fdisk_unref_table(tb);
	fdisk_unref_context(cxt);
}

static void test_mbr_logical(void)
{
	const char *p = mkdisk("mbr.img", mbr_script);
	struct rd_part_table t;

	read_table(p, &t, 0);
	T_ASSERT(!strcmp(t.label, "dos"));
	T_EQ(t.disk_signature, 0x12345678);
	T_EQ(t.n, 6);
	T_EQ(t.part[0].number, 1);
	T_ASSERT(t.part[0].bootable);
	T_ASSERT(!t.part[1].bootable);
	T_ASSERT(!strcmp(t.part[1].type, "0x07"));
	T_EQ(t.part[3].number, 5);
	T_ASSERT(t.part[3].logical);
	T_EQ(t.part[3].start, 12288ull * 512);
	T_EQ(t.part[5].number, 7);
	T_EQ(t.n_meta, 4);	/* MBR + 3 EBRs */
	cross_check(p, &t);
}

static void test_gpt(void)
{
	const char *p = mkdisk("gpt.img", gpt_script);
	struct rd_part_table t;

	read_table(p, &t, 0);
	T_ASSERT(!strcmp(t.label, "gpt"));
	T_ASSERT(!strcmp(t.disk_guid, "1b6e5c4f-7a42-4e2b-9c3d-112233445566"));
	T_EQ(t.n, 3);
	T_ASSERT(!strcmp(t.part[0].name, "root"));
	T_ASSERT(!strcmp(t.part[0].type, "0fc63daf-8483-4772-8e79-3d69d8477de4"));
	T_ASSERT(t.part[1].bootable);
	T_ASSERT(!t.part[0].bootable);
	T_ASSERT(t.gpt_backup_ok);
	T_ASSERT(!t.gpt_from_backup);
	T_EQ(t.n_meta, 5);
	cross_check(p, &t);
}

static void patch(const char *path, uint64_t off, const void *b, size_t n)
{
	int fd = open(path, O_RDWR);

	T_ASSERT(fd >= 0);
	T_ASSERT(pwrite(fd, b, n, (off_t)off) == (ssize_t)n);
	close(fd);
}

static void test_gpt_primary_corrupt_uses_backup(void)
{
	const char *p = mkdisk("gpt.img", gpt_script);
	struct rd_part_table t;

	patch(p, 512 + 40, "\xff", 1);	/* first usable LBA: CRC now wrong */
	read_table(p, &t, 0);
	T_ASSERT(t.gpt_from_backup);
	T_EQ(t.n, 3);
	T_EQ(t.part[1].start, 6144ull * 512);
}

static void test_gpt_both_corrupt(void)
{
	const char *p = mkdisk("gpt.img", gpt_script);
	struct rd_part_table t;

	patch(p, 512 + 40, "\xff", 1);
	patch(p, (32ull << 20) - 512 + 40, "\xff", 1);
	read_table(p, &t, -EINVAL);
	T_EQ(t.n, 0);
}

static void test_gpt_entries_crc(void)
{
	const char *p = mkdisk("gpt.img", gpt_script);
	struct rd_part_table t;

	patch(p, 1024 + 32, "\x01", 1);	/* entry 1 first LBA in array */
	read_table(p, &t, 0);
	T_ASSERT(t.gpt_from_backup);	/* primary array CRC bad */
}

static void test_ebr_loop(void)
{
	const char *p = mkdisk("mbr.img", mbr_script);
	struct rd_part_table t;
	uint8_t e[16] = { 0, 0, 0, 0, 0x05 };
	uint64_t ebr2, ebr3, rel;

	read_table(p, &t, 0);
	ebr2 = t.meta[2].start / 512;
	ebr3 = t.meta[3].start / 512;
	rel = ebr2 - 10240;		/* relative to the extended start */
	e[8] = (uint8_t)rel;
	e[9] = (uint8_t)(rel >> 8);
	e[12] = 1;
	patch(p, ebr3 * 512 + 446 + 16, e, 16);	/* third links to second */
	read_table(p, &t, -EINVAL);
}

static void test_partition_beyond_disk(void)
{
	const char *p = mkdisk("mbr.img", mbr_script);
	struct rd_part_table t;
	uint8_t big[4] = { 0xff, 0xff, 0xff, 0x00 };

	patch(p, 446 + 16 + 12, big, 4);
	read_table(p, &t, -EINVAL);
}

static void test_no_table(void)
{
	struct rd_part_table t;
	struct rd_disk *d;
	uint8_t buf[4096] = { 0 };

	T_EQ(rd_mem_open(buf, sizeof(buf), RD_RDONLY, &d), 0);
	T_EQ(rd_part_table_read(d, &t), 0);
	T_EQ(t.n, 0);
	T_ASSERT(!t.label[0]);
	buf[510] = 0x55;
	buf[511] = 0xaa;
	buf[446] = 0x12;	/* not a boot flag: a boot sector, not an MBR */
	rd_close(d);
	T_EQ(rd_mem_open(buf, sizeof(buf), RD_RDONLY, &d), 0);
	T_EQ(rd_part_table_read(d, &t), 0);
	T_EQ(t.n, 0);
	rd_close(d);
}

static const struct t_case cases[] = {
	T_CASE(test_mbr_logical),
	T_CASE(test_gpt),
	T_CASE(test_gpt_primary_corrupt_uses_backup),
	T_CASE(test_gpt_both_corrupt),
	T_CASE(test_gpt_entries_crc),
	T_CASE(test_ebr_loop),
	T_CASE(test_partition_beyond_disk),
	T_CASE(test_no_table),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
