// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fs_adapters.c --- the libext2fs io_manager and libntfs-3g device
 * over an rd_disk window (rawdisk/fs_ext2io.c, rawdisk/fs_ntfsdev.c): file
 * systems made by mkfs.ext4 / mkntfs at an offset inside an image file are
 * listed, read and (ext4) written through the adapters; read-only disks
 * refuse writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ext2fs/ext2fs.h>
#include <ntfs-3g/types.h>
#include <ntfs-3g/volume.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/attrib.h>

#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

#define OFF	(1024 * 1024)

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void need(const char *tool)
{
	if (sh("PATH=$PATH:/usr/sbin:/sbin command -v %s >/dev/null", tool))
		T_SKIP("%s not installed", tool);
}

/* image.img: 1 MiB of 0xAA, an ext4 of 8 MiB holding etc/hello.txt, tail */
static const char *mk_ext4_image(void)
{
	static char img[300];
	const char *t = t_tmpdir();

	need("mkfs.ext4");
	snprintf(img, sizeof(img), "%s/image.img", t);
	T_EQ(sh("mkdir -p %s/src/etc && echo 'hello from ext4' > %s/src/etc/hello.txt", t, t), 0);
	T_EQ(sh("head -c %d /dev/zero | tr '\\0' '\\252' > %s && truncate -s 12M %s",
		OFF, img, img), 0);
	T_EQ(sh("PATH=$PATH:/usr/sbin mkfs.ext4 -q -F -E offset=%d -d %s/src %s 8M",
		OFF, t, img), 0);
	return img;
}

static void test_ext2_list_and_read(void)
{
	const char *img = mk_ext4_image();
	struct rd_disk *d;
	ext2_filsys fs;
	ext2_ino_t ino;
	ext2_file_t f;
	char buf[64] = "", err[256];
	unsigned int got = 0;

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_ext2_open(d, OFF, 8 << 20, 0, &fs, err, sizeof(err)), 0);
	T_EQ(ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, "etc/hello.txt",
			  &ino), 0);
	T_EQ(ext2fs_file_open(fs, ino, 0, &f), 0);
	T_EQ(ext2fs_file_read(f, buf, sizeof(buf) - 1, &got), 0);
	T_EQ(got, 16);
	T_ASSERT(!strcmp(buf, "hello from ext4\n"));
	ext2fs_file_close(f);
	ext2fs_close_free(&fs);
	rd_close(d);
}

static int count_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		       int offset, int blocksize, char *buf, void *priv)
{
	if (ext2fs_dirent_name_len(de) == 3 && !memcmp(de->name, "etc", 3))
		++*(int *)priv;
	return 0;
}

static void test_ext2_dir_iterate(void)
{
	const char *img = mk_ext4_image();
	struct rd_disk *d;
	ext2_filsys fs;
	int seen = 0;

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_ext2_open(d, OFF, 0, 0, &fs, NULL, 0), 0);
	T_EQ(ext2fs_dir_iterate2(fs, EXT2_ROOT_INO, 0, NULL, count_entry,
				 &seen), 0);
	T_EQ(seen, 1);
	ext2fs_close_free(&fs);
	rd_close(d);
}

static void test_ext2_not_ext(void)
{
	const char *img = mk_ext4_image();
	struct rd_disk *d;
	ext2_filsys fs;
	char err[256] = "";

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	/* offset 0 holds 0xAA filler, not a superblock */
	T_EQ(rd_ext2_open(d, 0, OFF, 0, &fs, err, sizeof(err)), -EINVAL);
	T_ASSERT(fs == NULL && err[0]);
	/* a window beyond the disk */
	T_EQ(rd_ext2_open(d, 64 << 20, 0, 0, &fs, err, sizeof(err)), -EINVAL);
	rd_close(d);
}

/*
 * Geometry ext2fs_open2() accepts but its bitmap reader mishandles: a first
 * data block of 8 made ext2fs_read_block_bitmap() copy one byte past its
 * buffer (fuzz_p2v_plan).  rd_ext2_open() refuses it in words.
 */
static void test_ext2_bad_geometry_refused(void)
{
	const char *img = mk_ext4_image();
	struct rd_disk *d;
	ext2_filsys fs;
	char err[256] = "";

	need("debugfs");
	T_EQ(sh("PATH=$PATH:/usr/sbin debugfs -w -R 'ssv first_data_block 8' "
		"'%s?offset=%d' >/dev/null 2>&1", img, OFF), 0);
	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_ext2_open(d, OFF, 8 << 20, 0, &fs, err, sizeof(err)), -EINVAL);
	T_ASSERT(fs == NULL);
	T_ASSERT(strstr(err, "corrupt superblock: first data block"));
	rd_close(d);
}

static void test_ext2_rw_refused_on_ro_disk(void)
{
	const char *img = mk_ext4_image();
	struct rd_disk *d;
	ext2_filsys fs;

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_ext2_open(d, OFF, 0, EXT2_FLAG_RW, &fs, NULL, 0), -EROFS);
	rd_close(d);
}

static void test_ext2_write_stays_in_window(void)
{
	const char *img = mk_ext4_image();
	struct rd_disk *d;
	ext2_filsys fs;
	ext2_ino_t ino;
	ext2_file_t f;
	unsigned int n;
	unsigned char head[OFF];
	char buf[32] = "";
	int fd;

	T_EQ(rd_file_open(img, RD_RDWR, &d, NULL, 0), 0);
	T_EQ(rd_ext2_open(d, OFF, 8 << 20, EXT2_FLAG_RW, &fs, NULL, 0), 0);
	T_EQ(ext2fs_read_bitmaps(fs), 0);
	T_EQ(ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, "etc/hello.txt",
			  &ino), 0);
	T_EQ(ext2fs_file_open(fs, ino, EXT2_FILE_WRITE, &f), 0);
	T_EQ(ext2fs_file_write(f, "HELLO", 5, &n), 0);
	T_EQ(ext2fs_file_close(f), 0);
	T_EQ(ext2fs_close_free(&fs), 0);
	rd_close(d);
	/* the bytes before the partition are untouched */
	fd = open(img, O_RDONLY);
	T_ASSERT(fd >= 0);
	T_EQ(pread(fd, head, sizeof(head), 0), sizeof(head));
	close(fd);
	for (size_t i = 0; i < sizeof(head); i++)
		T_ASSERT(head[i] == 0xaa);
	/* debugfs sees the new content */
	T_EQ(sh("PATH=$PATH:/usr/sbin; dd if=%s of=%s.p bs=1M skip=1 count=8 2>/dev/null && "
		"debugfs -R 'cat /etc/hello.txt' %s.p 2>/dev/null > %s.out", img, img, img, img), 0);
	snprintf(buf, sizeof(buf), "%s", "");
	{
		char path[400];
		FILE *o;

		snprintf(path, sizeof(path), "%s.out", img);
		o = fopen(path, "r");
		T_ASSERT(o);
		T_ASSERT(fgets(buf, sizeof(buf), o));
		fclose(o);
	}
	T_ASSERT(!strcmp(buf, "HELLO from ext4\n"));
	T_EQ(sh("PATH=$PATH:/usr/sbin e2fsck -fn %s.p >/dev/null 2>&1", img), 0);
}

/* image.img: 1 MiB of 0xAA then an NTFS of 16 MiB holding Windows/x.txt */
static const char *mk_ntfs_image(void)
{
	static char img[300];
	const char *t = t_tmpdir();

	need("mkntfs");
	need("ntfscp");
	snprintf(img, sizeof(img), "%s/image.img", t);
	T_EQ(sh("echo 'hello from ntfs' > %s/x.txt", t), 0);
	T_EQ(sh("PATH=$PATH:/usr/sbin; truncate -s 16M %s/ntfs.fs && "
		"mkntfs -q -F -f -L TESTVOL %s/ntfs.fs >/dev/null 2>&1 && "
		"ntfscp -f %s/ntfs.fs %s/x.txt x.txt >/dev/null 2>&1", t, t, t, t), 0);
	T_EQ(sh("head -c %d /dev/zero | tr '\\0' '\\252' > %s && "
		"cat %s/ntfs.fs >> %s", OFF, img, t, img), 0);
	return img;
}

static void test_ntfs_mount_and_read(void)
{
	const char *img = mk_ntfs_image();
	struct rd_disk *d;
	ntfs_volume *vol;
	ntfs_inode *ni;
	ntfs_attr *na;
	char buf[64] = "", err[256] = "";

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_ntfs_mount(d, OFF, 16 << 20, NTFS_MNT_RDONLY, &vol, err,
			   sizeof(err)), 0);
	T_ASSERT(vol->vol_name && !strcmp(vol->vol_name, "TESTVOL"));
	ni = ntfs_pathname_to_inode(vol, NULL, "/x.txt");
	T_ASSERT(ni);
	na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	T_ASSERT(na);
	T_EQ(na->data_size, 16);
	T_EQ(ntfs_attr_pread(na, 0, 16, buf), 16);
	T_ASSERT(!memcmp(buf, "hello from ntfs\n", 16));
	ntfs_attr_close(na);
	ntfs_inode_close(ni);
	T_EQ(rd_ntfs_umount(vol), 0);
	rd_close(d);
}

static void test_ntfs_rw_refused_on_ro_disk(void)
{
	const char *img = mk_ntfs_image();
	struct rd_disk *d;
	ntfs_volume *vol;
	struct ntfs_device *dev;

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(rd_ntfs_mount(d, OFF, 0, 0, &vol, NULL, 0), -EROFS);
	/* at the device level ntfs-3g either fails or falls back to a
	 * read-only mount; it can never write */
	T_EQ(rd_ntfs_device_new(d, OFF, 0, &dev), 0);
	vol = ntfs_device_mount(dev, 0);
	if (vol) {
		T_ASSERT(NVolReadOnly(vol));
		T_EQ(rd_ntfs_umount(vol), 0);
	} else {
		rd_ntfs_device_free(dev);
	}
	rd_close(d);
}

static void test_ntfs_not_ntfs(void)
{
	const char *img = mk_ntfs_image();
	struct rd_disk *d;
	ntfs_volume *vol;
	char err[256] = "";

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_ASSERT(rd_ntfs_mount(d, 0, OFF, NTFS_MNT_RDONLY, &vol, err,
			       sizeof(err)) < 0);
	T_ASSERT(vol == NULL && err[0]);
	rd_close(d);
}

static void test_ntfs_write_file(void)
{
	const char *img = mk_ntfs_image();
	struct rd_disk *d;
	ntfs_volume *vol;
	ntfs_inode *ni;
	ntfs_attr *na;
	char err[256] = "";

	T_EQ(rd_file_open(img, RD_RDWR, &d, NULL, 0), 0);
	T_EQ(rd_ntfs_mount(d, OFF, 0, 0, &vol, err, sizeof(err)), 0);
	ni = ntfs_pathname_to_inode(vol, NULL, "/x.txt");
	T_ASSERT(ni);
	na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	T_ASSERT(na);
	T_EQ(ntfs_attr_pwrite(na, 0, 5, "HELLO"), 5);
	ntfs_attr_close(na);
	T_EQ(ntfs_inode_close(ni), 0);
	T_EQ(rd_ntfs_umount(vol), 0);
	rd_close(d);
	T_EQ(sh("PATH=$PATH:/usr/sbin; cd %s && dd if=image.img of=back.fs bs=1M skip=1 2>/dev/null && "
		"ntfscat back.fs x.txt 2>/dev/null | grep -qx 'HELLO from ntfs'", t_tmpdir()), 0);
}

/* libext2fs codes in words, not "Unknown code ext2 156" (issue 12). */
static void test_ext2_strerror_words(void)
{
	const char *m = rd_ext2_strerror(EXT2_ET_BLOCK_BITMAP_CSUM_INVALID);

	T_ASSERT(m && !strstr(m, "Unknown code"));
	T_ASSERT(strstr(m, "itmap checksum"));
	T_ASSERT(strstr(rd_ext2_strerror(EXT2_ET_BAD_MAGIC), "magic"));
	T_ASSERT(!strcmp(rd_ext2_strerror(ENOENT), strerror(ENOENT)));
}

static const struct t_case cases[] = {
	T_CASE(test_ext2_list_and_read),
	T_CASE(test_ext2_dir_iterate),
	T_CASE(test_ext2_not_ext),
	T_CASE(test_ext2_bad_geometry_refused),
	T_CASE(test_ext2_rw_refused_on_ro_disk),
	T_CASE(test_ext2_write_stays_in_window),
	T_CASE(test_ntfs_mount_and_read),
	T_CASE(test_ntfs_rw_refused_on_ro_disk),
	T_CASE(test_ntfs_not_ntfs),
	T_CASE(test_ntfs_write_file),
	T_CASE(test_ext2_strerror_words),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
