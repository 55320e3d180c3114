// SPDX-License-Identifier: GPL-2.0-only
/* test_rd_view.c --- partition views (MBR, logical, GPT synthesis), the
 * read-only guard and fault injection */
#include <errno.h>
#include <fcntl.h>
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
	"start=18432, size=4096, type=82\n";

static const char gpt_script[] =
	"label: gpt\nlabel-id: 1B6E5C4F-7A42-4E2B-9C3D-112233445566\n"
	"start=2048, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\", attrs=\"LegacyBIOSBootable\"\n"
	"start=6144, size=8192, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=\"win\"\n";

static const char *mkdisk(const char *script)
{
	static char path[300];
	char cmd[700];
	FILE *f;
	int fd;
	static const uint64_t marks[] = { 512, 2048, 6144, 12288, 18432 };
	unsigned int i;

	if (access("/usr/sbin/sfdisk", X_OK))
		T_SKIP("sfdisk not installed");
	if (access("/usr/lib/syslinux/mbr/mbr.bin", R_OK))
		T_SKIP("syslinux mbr.bin not installed");
	snprintf(path, sizeof(path), "%s/disk.img", t_tmpdir());
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_ASSERT(ftruncate(fd, 32 << 20) == 0);
	/* GRUB-like junk in the gap, and a tag at each partition start */
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "TAG%llu", (unsigned long long)marks[i]);
		T_ASSERT(pwrite(fd, tag, 16, (off_t)(marks[i] == 512 ? 512 * 40 :
					     marks[i] * 512)) == 16);
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/sfdisk -q --no-reread %s >/dev/null 2>&1",
		 path);
	f = popen(cmd, "w");
	T_ASSERT(f);
	fputs(script, f);
	T_EQ(pclose(f), 0);
	return path;
}

static void sha_file(const char *path, char out[80])
{
	char cmd[400];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	f = popen(cmd, "r");
	T_ASSERT(f && fgets(out, 80, f));
	pclose(f);
}

static void test_mbr_view(void)
{
	const char *p = mkdisk(mbr_script);
	struct rd_disk *f, *v;
	struct rd_part_table t, t0;
	uint8_t sec[512], orig[512], code[440];
	char err[300], h0[80], h1[80];
	FILE *bf;

	T_EQ(rd_file_open(p, RD_RDWR, &f, NULL, 0), 0);
	T_EQ(rd_pread(f, orig, 512, 0), 0);
	T_EQ(rd_part_table_read(f, &t0), 0);
	T_EQ(rd_view_open(f, true, "2", &v, err, sizeof(err)), 0);
	T_EQ(rd_size(v), 32 << 20);
	T_EQ(rd_pread(v, sec, 512, 0), 0);
	bf = fopen("/usr/lib/syslinux/mbr/mbr.bin", "rb");
	T_ASSERT(bf);
	memset(code, 0, sizeof(code));
	T_ASSERT(fread(code, 1, 440, bf) > 0);
	fclose(bf);
	T_ASSERT(!memcmp(sec, code, 440));
	T_ASSERT(!memcmp(sec + 440, orig + 440, 6));	/* signature */
	T_EQ(sec[446], 0);				/* p1 no longer active */
	T_EQ(sec[446 + 16], 0x80);			/* p2 active */
	T_ASSERT(!memcmp(sec + 446 + 1, orig + 446 + 1, 15));
	T_ASSERT(!memcmp(sec + 446 + 17, orig + 446 + 17, 47));
	T_EQ(rd_part_table_read(v, &t), 0);		/* same entries */
	T_EQ(t.n, t0.n);
	T_EQ(t.part[4].start, t0.part[4].start);
	/* gap (GRUB area) virtualised, p1 zero, p2 passes */
	T_EQ(rd_pread(v, sec, 512, 40 * 512), 0);
	T_EQ(sec[0], 0);
	T_EQ(rd_pread(v, sec, 512, 2048 * 512), 0);
	T_EQ(sec[0], 0);
	T_EQ(rd_pread(v, sec, 512, 6144 * 512), 0);
	T_ASSERT(!memcmp(sec, "TAG6144", 7));
	/* writes: p1 refused, p2 passes, sector 0 stays private */
	sha_file(p, h0);
	memset(sec, 0xee, sizeof(sec));
	T_EQ(rd_pwrite(v, sec, 512, 2048 * 512), -EACCES);
	T_EQ(rd_pwrite(v, sec, 1024, 6144 * 512 - 512), -EACCES);
	T_EQ(rd_pwrite(v, sec, 512, 0), 0);
	T_EQ(rd_pwrite(v, sec, 512, 100 * 512), 0);
	T_EQ(rd_pread(v, orig, 512, 100 * 512), 0);
	T_EQ(orig[0], 0xee);
	sha_file(p, h1);
	T_ASSERT(!strcmp(h0, h1));
	T_EQ(rd_pwrite(v, sec, 512, 6144 * 512 + 512), 0);
	rd_close(v);
	sha_file(p, h1);
	T_ASSERT(strcmp(h0, h1));
}

static void test_logical_view(void)
{
	const char *p = mkdisk(mbr_script);
	struct rd_disk *f, *v;
	struct rd_part_table t;
	uint8_t sec[512];
	char err[300];

	T_EQ(rd_file_open(p, RD_RDONLY, &f, NULL, 0), 0);
	T_EQ(rd_view_open(f, true, "6,1", &v, err, sizeof(err)), 0);
	T_EQ(rd_part_table_read(v, &t), 0);	/* EBR chain copied */
	T_EQ(t.n, 5);
	T_EQ(rd_pread(v, sec, 512, 18432ull * 512), 0);
	T_ASSERT(!memcmp(sec, "TAG18432", 8));
	T_EQ(rd_pread(v, sec, 512, 12288ull * 512), 0);
	T_EQ(sec[0], 0);
	T_EQ(rd_pread(v, sec, 512, 2048ull * 512), 0);
	T_ASSERT(!memcmp(sec, "TAG2048", 7));
	T_EQ(rd_pread(v, sec, 512, 0), 0);
	T_EQ(sec[446], 0);	/* logical boot partition: no active flag */
	rd_close(v);
	T_EQ(rd_file_open(p, RD_RDONLY, &f, NULL, 0), 0);
	T_EQ(rd_view_open(f, false, "3", &v, err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "extended"));
	T_EQ(rd_view_open(f, false, "9", &v, err, sizeof(err)), -ENOENT);
	T_EQ(rd_view_open(f, false, "2,x", &v, err, sizeof(err)), -EINVAL);
	rd_close(f);
}

static void test_gpt_view(void)
{
	const char *p = mkdisk(gpt_script);
	struct rd_disk *f, *v;
	struct rd_part_table t;
	uint8_t sec[512];
	char err[300];

	T_EQ(rd_file_open(p, RD_RDONLY, &f, NULL, 0), 0);
	T_EQ(rd_view_open(f, true, "2", &v, err, sizeof(err)), 0);
	T_EQ(rd_part_table_read(v, &t), 0);	/* CRCs valid, backup too */
	T_ASSERT(!strcmp(t.label, "gpt"));
	T_ASSERT(t.gpt_backup_ok);
	T_ASSERT(!t.gpt_from_backup);
	T_EQ(t.n, 2);
	T_ASSERT(!t.part[0].bootable);
	T_ASSERT(t.part[1].bootable);
	T_ASSERT(!strcmp(t.disk_guid, "1b6e5c4f-7a42-4e2b-9c3d-112233445566"));
	T_EQ(rd_pread(v, sec, 512, 6144ull * 512), 0);
	T_ASSERT(!memcmp(sec, "TAG6144", 7));
	T_EQ(rd_pread(v, sec, 512, 2048ull * 512), 0);
	T_EQ(sec[0], 0);
	rd_close(v);
}

static void test_ro_and_fault(void)
{
	struct rd_fault_cfg cfg = { .fail_write_nth = 2, .err = -ENOSPC };
	struct rd_disk *m, *r, *fa;
	uint8_t buf[512] = { 1 };

	T_EQ(rd_mem_open(NULL, 4096, RD_RDWR, &m), 0);
	T_EQ(rd_ro_open(m, false, &r), 0);
	T_EQ(rd_pwrite(r, buf, 512, 0), -EROFS);
	T_EQ(rd_pread(r, buf, 512, 0), 0);
	rd_close(r);
	T_EQ(rd_fault_open(m, true, &cfg, &fa), 0);
	T_EQ(rd_pwrite(fa, buf, 512, 0), 0);
	T_EQ(rd_pwrite(fa, buf, 512, 0), -ENOSPC);
	T_ASSERT(strstr(rd_strerror(fa), "injected write error #2"));
	T_EQ(rd_pwrite(fa, buf, 512, 0), 0);
	rd_close(fa);
}

static const struct t_case cases[] = {
	T_CASE(test_mbr_view),
	T_CASE(test_logical_view),
	T_CASE(test_gpt_view),
	T_CASE(test_ro_and_fault),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
