// SPDX-License-Identifier: GPL-2.0-only
/* test_rd_paths.c --- the path policy for names inside images
 * (rawdisk/rd_path.c): VMDK descriptor cycles, FIFO extents, qcow2 backing
 * names outside the image's folder, /proc, chains of any format read
 * through, cycle and depth limits, and the non-disk detection of `run` */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

#define MiB	(1024 * 1024)

/* @name inside the case's folder, in a static buffer per call slot. */
static const char *tp(const char *name)
{
	static char buf[8][512];
	static unsigned int slot;
	char *p = buf[slot++ % 8];

	snprintf(p, 512, "%s/%s", t_tmpdir(), name);
	return p;
}

static void put_file(const char *path, const void *data, size_t len,
		     uint64_t size)
{
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);

	T_ASSERT(fd >= 0);
	T_ASSERT(ftruncate(fd, (off_t)size) == 0);
	if (len)
		T_ASSERT(pwrite(fd, data, len, 0) == (ssize_t)len);
	close(fd);
}

static void put_text(const char *path, const char *text)
{
	put_file(path, text, strlen(text), strlen(text));
}

/* A monolithicFlat descriptor @path with one extent line @line. */
static void put_desc(const char *path, const char *line)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\n# Extent description\n%s\n",
		 line);
	put_text(path, buf);
}

static void qcow2(const char *path, const char *backing, const char *fmt)
{
	char err[256];

	T_EQ(rd_qcow2_create_file(path, MiB, backing, fmt, 0, err,
				  sizeof(err)), 0);
}

/* rd_image_open() of @path: its result, with the message in @err. */
static int img_open(const char *path, char *err, size_t errlen)
{
	struct rd_disk *d = NULL;
	int e;

	err[0] = 0;
	e = rd_image_open(path, RD_RDONLY, &d, err, errlen);
	rd_close(d);
	return e;
}

/* Before: vmdk_desc_open -> rd_vmdk_open -> vd_open_extent -> ... until the
 * stack overflowed (SIGSEGV). */
static void test_vmdk_self_reference(void)
{
	char err[512];

	put_desc(tp("self.vmdk"), "RW 2048 SPARSE \"self.vmdk\"");
	T_ASSERT(img_open(tp("self.vmdk"), err, sizeof(err)) < 0);
	T_ASSERT(strstr(err, "self.vmdk"));
	put_desc(tp("flat.vmdk"), "RW 2048 FLAT \"flat.vmdk\" 0");
	T_EQ(img_open(tp("flat.vmdk"), err, sizeof(err)), -ELOOP);
	T_ASSERT(strstr(err, "cycle"));
}

static void test_vmdk_mutual_reference(void)
{
	char err[512];

	put_desc(tp("a.vmdk"), "RW 2048 SPARSE \"b.vmdk\"");
	put_desc(tp("b.vmdk"), "RW 2048 SPARSE \"a.vmdk\"");
	T_ASSERT(img_open(tp("a.vmdk"), err, sizeof(err)) < 0);
	T_ASSERT(strstr(err, "not a sparse VMDK"));
}

/* Before: open() of the FIFO blocked forever. */
static void test_vmdk_fifo_extent(void)
{
	char err[512];

	T_ASSERT(mkfifo(tp("fifo"), 0600) == 0);
	put_desc(tp("fifo.vmdk"), "RW 2048 FLAT \"fifo\" 0");
	alarm(10);
	T_EQ(img_open(tp("fifo.vmdk"), err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "FIFO"));
	/* named directly: refused by type, never opened */
	T_ASSERT(img_open(tp("fifo"), err, sizeof(err)) < 0);
	T_ASSERT(strstr(err, "FIFO"));
}

static void test_vmdk_char_device_extent(void)
{
	char err[512];

	put_desc(tp("null.vmdk"), "RW 2048 FLAT \"/dev/zero\" 0");
	T_EQ(img_open(tp("null.vmdk"), err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "character device"));
}

/* Before: /etc/passwd was opened and served as disk data. */
static void test_qcow2_backing_outside_folder(void)
{
	char err[512];

	qcow2(tp("abs.qcow2"), "/etc/passwd", "raw");
	T_EQ(img_open(tp("abs.qcow2"), err, sizeof(err)), -EPERM);
	T_ASSERT(strstr(err, "outside the image's folder"));
	T_ASSERT(strstr(err, "--allow-path /etc/passwd"));
	qcow2(tp("rel.qcow2"), "../../../../../../../../etc/passwd", "raw");
	T_EQ(img_open(tp("rel.qcow2"), err, sizeof(err)), -EPERM);
	/* consent: the user named it */
	T_EQ(rd_path_allow("/etc/passwd"), 0);
	T_EQ(img_open(tp("abs.qcow2"), err, sizeof(err)), 0);
}

static void test_qcow2_backing_proc(void)
{
	char err[512];

	qcow2(tp("env.qcow2"), "/proc/self/environ", "raw");
	T_EQ(rd_path_allow("/proc"), 0);	/* not even with consent */
	T_EQ(img_open(tp("env.qcow2"), err, sizeof(err)), -EPERM);
	T_ASSERT(strstr(err, "/proc"));
	qcow2(tp("sys.qcow2"), "/sys/kernel/notes", "raw");
	T_EQ(img_open(tp("sys.qcow2"), err, sizeof(err)), -EPERM);
}

static void test_qcow2_protocol_names(void)
{
	char err[512];

	qcow2(tp("nbd.qcow2"), "nbd://127.0.0.1:10809/x", "raw");
	T_EQ(img_open(tp("nbd.qcow2"), err, sizeof(err)), -EPERM);
	qcow2(tp("json.qcow2"), "json:{\"file.filename\":\"/etc/passwd\"}",
	      "raw");
	T_EQ(img_open(tp("json.qcow2"), err, sizeof(err)), -EPERM);
}

/* Before: the backing name was resolved against the current directory. */
static void test_qcow2_backing_relative_to_image(void)
{
	struct rd_disk *d;
	char err[512], buf[8];

	T_ASSERT(mkdir(tp("sub"), 0755) == 0);
	put_file(tp("sub/base.raw"), "INSIDE", 6, MiB);
	put_file(tp("base.raw"), "OUTSID", 6, MiB);	/* the cwd's */
	qcow2(tp("sub/ov.qcow2"), "base.raw", "raw");
	T_ASSERT(chdir(t_tmpdir()) == 0);
	T_EQ(rd_image_open(tp("sub/ov.qcow2"), RD_RDONLY, &d, err,
			   sizeof(err)), 0);
	T_EQ(rd_pread(d, buf, 6, 0), 0);
	T_ASSERT(!memcmp(buf, "INSIDE", 6));
	rd_close(d);
}

/* Before: unallocated clusters over a raw backing were RD_BLK_UNALLOC, so
 * p2v copied nothing and wrote an all-zero disk. */
static void test_qcow2_raw_backing_status(void)
{
	struct rd_disk *d;
	char err[512];
	uint64_t run;
	int st;

	put_file(tp("base.raw"), "DATA", 4, MiB);
	qcow2(tp("ov.qcow2"), "base.raw", "raw");
	T_EQ(rd_image_open(tp("ov.qcow2"), RD_RDONLY, &d, err, sizeof(err)),
	     0);
	st = rd_block_status(d, 0, MiB, &run);
	T_EQ(st, RD_BLK_DATA);
	T_ASSERT(run > 0);
	/* the overlay itself holds nothing: what commit copies */
	T_EQ(rd_qcow2_own_status(d, 0, MiB, &run), RD_BLK_UNALLOC);
	T_EQ(run, MiB);
	rd_close(d);
}

/* Backing chains of any format: qcow2 -> qcow2 -> vmdk descriptor -> raw. */
static void test_chain_of_formats(void)
{
	struct rd_chain_file f[8];
	unsigned int n = 0;
	struct rd_disk *d;
	char err[512], buf[4];

	put_file(tp("base.raw"), "BASE", 4, MiB);
	put_desc(tp("mid.vmdk"), "RW 2048 FLAT \"base.raw\" 0");
	qcow2(tp("l1.qcow2"), "mid.vmdk", "vmdk");
	qcow2(tp("l2.qcow2"), "l1.qcow2", "qcow2");
	T_EQ(rd_image_open_files(tp("l2.qcow2"), RD_RDONLY, f, 8, &n, &d, err,
				 sizeof(err)), 0);
	T_EQ(rd_pread(d, buf, 4, 0), 0);
	T_ASSERT(!memcmp(buf, "BASE", 4));
	rd_close(d);
	T_EQ(n, 4);
	T_ASSERT(!strcmp(f[0].format, "qcow2") && f[0].depth == 0);
	T_ASSERT(!strcmp(f[1].format, "qcow2") && f[1].depth == 1);
	T_ASSERT(!strcmp(f[2].format, "vmdk") && f[2].depth == 2);
	T_ASSERT(!strcmp(f[3].format, "vmdk-flat-extent") && f[3].depth == 3);
	/* a declared format that does not match is refused */
	qcow2(tp("lie.qcow2"), "l1.qcow2", "vdi");
	T_EQ(img_open(tp("lie.qcow2"), err, sizeof(err)), -EINVAL);
	/* a raw backing is never probed: the qcow2 magic stays data */
	qcow2(tp("asraw.qcow2"), "l1.qcow2", "raw");
	T_EQ(rd_image_open(tp("asraw.qcow2"), RD_RDONLY, &d, err,
			   sizeof(err)), 0);
	T_EQ(rd_pread(d, buf, 4, 0), 0);
	T_ASSERT(!memcmp(buf, "QFI\xfb", 4));
	rd_close(d);
}

static void test_chain_cycle_and_depth(void)
{
	char err[512], name[32], back[32];
	int i;

	qcow2(tp("x.qcow2"), "y.qcow2", "qcow2");
	qcow2(tp("y.qcow2"), "x.qcow2", "qcow2");
	T_EQ(img_open(tp("x.qcow2"), err, sizeof(err)), -ELOOP);
	T_ASSERT(strstr(err, "cycle"));
	/* 15 overlays over a raw file: 16 files, allowed */
	put_file(tp("c0.qcow2"), NULL, 0, MiB);
	for (i = 1; i <= 16; i++) {
		snprintf(name, sizeof(name), "c%d.qcow2", i);
		snprintf(back, sizeof(back), "c%d.qcow2", i - 1);
		qcow2(tp(name), back, i == 1 ? "raw" : "qcow2");
	}
	T_EQ(img_open(tp("c15.qcow2"), err, sizeof(err)), 0);
	T_EQ(img_open(tp("c16.qcow2"), err, sizeof(err)), -ELOOP);
	T_ASSERT(strstr(err, "deeper than 16"));
}

static void test_symlink_out_of_folder(void)
{
	char err[512];

	T_ASSERT(symlink("/etc/passwd", tp("link.raw")) == 0);
	qcow2(tp("ln.qcow2"), "link.raw", "raw");
	T_EQ(img_open(tp("ln.qcow2"), err, sizeof(err)), -EPERM);
	T_ASSERT(strstr(err, "/etc/passwd"));
}

static void test_path_check_block_device_rules(void)
{
	char real[4096], err[512];

	put_text(tp("img.vmdk"), "x");
	T_EQ(rd_path_check(tp("img.vmdk"), "/dev/null", true, real, err,
			   sizeof(err)), -EINVAL);
	T_EQ(rd_path_check(tp("img.vmdk"), "nonexistent", false, real, err,
			   sizeof(err)), -ENOENT);
	put_text(tp("inside.raw"), "y");
	T_EQ(rd_path_check(tp("img.vmdk"), "inside.raw", false, real, err,
			   sizeof(err)), 0);
	T_ASSERT(strstr(real, "/inside.raw"));
}

static void test_not_disk(void)
{
	enum rd_vmdef vm;
	char ova[1024] = "x.ovf";

	put_text(tp("a.vmx"), ".encoding = \"UTF-8\"\nconfig.version = \"8\"\nvirtualHW.version = \"4\"\n");
	T_ASSERT(rd_image_not_disk(tp("a.vmx"), &vm) && vm == RD_VMDEF_VMX);
	put_text(tp("a.ovf"), "<?xml version=\"1.0\"?>\n<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"/>\n");
	T_ASSERT(strstr(rd_image_not_disk(tp("a.ovf"), &vm), "OVF") && vm == RD_VMDEF_OVF);
	put_text(tp("a.xml"), "<domain type='kvm'><name>x</name></domain>\n");
	T_ASSERT(strstr(rd_image_not_disk(tp("a.xml"), &vm), "libvirt") && vm == RD_VMDEF_LIBVIRT);
	memcpy(ova + 257, "ustar", 5);
	put_file(tp("a.ova"), ova, sizeof(ova), sizeof(ova));
	T_ASSERT(strstr(rd_image_not_disk(tp("a.ova"), &vm), "OVA") && vm == RD_VMDEF_OVA);
	put_text(tp("a.dualvm"), "# dualvm VM configuration\nmachine = pc-i440fx\ndisk0 = d.img\n");
	T_ASSERT(strstr(rd_image_not_disk(tp("a.dualvm"), &vm), "dualvm") && vm == RD_VMDEF_DUALVM);
	put_text(tp("a.txt"), "hello\n");
	T_ASSERT(rd_image_not_disk(tp("a.txt"), &vm) && vm == RD_VMDEF_NONE);
	put_file(tp("odd.img"), "\x01\x02", 2, 1000);
	T_ASSERT(strstr(rd_image_not_disk(tp("odd.img"), &vm), "512"));
	put_file(tp("disk.img"), NULL, 0, MiB);
	T_ASSERT(!rd_image_not_disk(tp("disk.img"), &vm));
	qcow2(tp("q.qcow2"), NULL, NULL);
	T_ASSERT(!rd_image_not_disk(tp("q.qcow2"), &vm));
}

static const struct t_case cases[] = {
	T_CASE(test_vmdk_self_reference),
	T_CASE(test_vmdk_mutual_reference),
	T_CASE(test_vmdk_fifo_extent),
	T_CASE(test_vmdk_char_device_extent),
	T_CASE(test_qcow2_backing_outside_folder),
	T_CASE(test_qcow2_backing_proc),
	T_CASE(test_qcow2_protocol_names),
	T_CASE(test_qcow2_backing_relative_to_image),
	T_CASE(test_qcow2_raw_backing_status),
	T_CASE(test_chain_of_formats),
	T_CASE(test_chain_cycle_and_depth),
	T_CASE(test_symlink_out_of_folder),
	T_CASE(test_path_check_block_device_rules),
	T_CASE(test_not_disk),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
