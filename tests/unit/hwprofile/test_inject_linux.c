// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_inject_linux.c --- inspection and Linux injection on a synthetic
 * installed system (mkfs.ext4 -d at 1 MiB inside an MBR image): an
 * initramfs-tools style image (xz, early-microcode prefix, conf/modules by
 * module name, modules.dep inside), a GRUB config and fstab naming
 * /dev/sda1, and persistent NIC rules.  After hwp_inject() the initramfs
 * loads ata_piix and its closure in order, names became UUID=, the rules
 * are gone; HWP_INJ_UNDO restores every byte; e2fsck stays clean.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hwprofile/hwp_cpio.h"
#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"

#define KV	"9.9.9-test"
#define OFF	(1024 * 1024)

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void put(const char *root, const char *path, const void *data,
		size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, path);
	T_EQ(sh("mkdir -p \"$(dirname '%s')\"", p), 0);
	f = fopen(p, "wb");
	T_ASSERT(f);
	T_EQ(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void puts_file(const char *root, const char *path, const char *s)
{
	put(root, path, s, strlen(s));
}

static const char dep[] =
	"kernel/drivers/scsi/scsi_common.ko:\n"
	"kernel/drivers/scsi/scsi_mod.ko: kernel/drivers/scsi/scsi_common.ko\n"
	"kernel/drivers/ata/libata.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n"
	"kernel/drivers/ata/ata_piix.ko: kernel/drivers/ata/libata.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n"
	"kernel/drivers/ata/ata_generic.ko: kernel/drivers/ata/libata.ko kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n"
	"kernel/drivers/scsi/sd_mod.ko: kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n"
	"kernel/drivers/nvme/host/nvme.ko:\n"
	"kernel/drivers/net/mii.ko:\n"
	"kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\n"
	"kernel/crypto/crc32c_generic.ko:\n";

/* A guest root in @root with an xz initramfs (early prefix) for KV. */
static void make_root(const char *root)
{
	static const char *const kos[] = {
		"scsi/scsi_common", "scsi/scsi_mod", "ata/libata",
		"ata/ata_piix", "ata/ata_generic", "scsi/sd_mod",
		"nvme/host/nvme", "net/mii", "net/ethernet/intel/e1000/e1000",
		NULL,
	};
	struct hwp_cpio c = { 0 }, e = { 0 };
	void *pre, *img;
	size_t prelen, imglen;
	char p[256];

	puts_file(root, "etc/os-release", "PRETTY_NAME=\"Test Linux 1\"\nID=test\nVERSION_ID=\"1\"\n");
	puts_file(root, "etc/fstab", "# test\n/dev/sda1 / ext4 defaults 0 1\n"
		  "/dev/disk/by-id/ata-FOO-part9 /srv ext4 defaults 0 2\n"
		  "proc /proc proc defaults 0 0\n");
	puts_file(root, "boot/grub/grub.cfg", "menuentry 'Test' {\n"
		  "\tlinux /boot/vmlinuz-" KV " root=/dev/sda1 ro quiet\n"
		  "\tinitrd /boot/initrd.img-" KV "\n}\n");
	puts_file(root, "etc/udev/rules.d/70-persistent-net.rules",
		  "SUBSYSTEM==\"net\", ATTR{address}==\"00:11:22:33:44:55\", NAME=\"eth0\"\n");
	puts_file(root, "boot/vmlinuz-" KV, "not a kernel");
	puts_file(root, "lib/modules/" KV "/modules.dep", dep);
	puts_file(root, "lib/modules/" KV "/modules.builtin",
		  "kernel/fs/ext4/ext4.ko\n");
	puts_file(root, "lib/modules/" KV "/modules.softdep",
		  "softdep libata pre: crypto-crc32c\n");
	puts_file(root, "lib/modules/" KV "/modules.alias",
		  "alias crypto-crc32c crc32c_generic\n");
	for (int i = 0; kos[i]; i++) {
		snprintf(p, sizeof(p), "lib/modules/" KV "/kernel/drivers/%s.ko",
			 kos[i]);
		puts_file(root, p, kos[i]);
	}
	puts_file(root, "lib/modules/" KV "/kernel/crypto/crc32c_generic.ko", "crc");
	/* host-only initramfs: nvme only, initramfs-tools layout */
	T_EQ(hwp_cpio_add(&c, "conf", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(&c, "conf/modules", 0100644,
			  "# modules\nnvme\n", 15, NULL), 0);
	T_EQ(hwp_cpio_add(&c, "lib", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(&c, "lib/modules", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(&c, "lib/modules/" KV, 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(&c, "lib/modules/" KV "/modules.dep", 0100644,
			  "kernel/drivers/nvme/host/nvme.ko:\n", 34, NULL), 0);
	T_EQ(hwp_cpio_add(&e, "kernel/x86/microcode/GenuineIntel.bin", 0100644,
			  "UCODE", 5, NULL), 0);
	T_EQ(hwp_cpio_write(&e, "none", NULL, 0, &pre, &prelen), 0);
	T_EQ(hwp_cpio_write(&c, "xz", pre, prelen, &img, &imglen), 0);
	put(root, "boot/initrd.img-" KV, img, imglen);
	hwp_cpio_free(&c);
	hwp_cpio_free(&e);
	free(pre);
	free(img);
}

static const char *make_disk(void)
{
	static char img[300];
	const char *t = t_tmpdir();

	if (sh("PATH=$PATH:/usr/sbin command -v mkfs.ext4 >/dev/null && "
	       "PATH=$PATH:/usr/sbin command -v sfdisk >/dev/null"))
		T_SKIP("mkfs.ext4 or sfdisk not installed");
	make_root(t);
	snprintf(img, sizeof(img), "%s/disk.img", t);
	T_EQ(sh("cd %s && truncate -s 40M disk.img && "
		"echo 'start=2048, type=83' | PATH=$PATH:/usr/sbin sfdisk -q disk.img && "
		"mkdir -p r && mv etc boot lib r/ && "
		"PATH=$PATH:/usr/sbin mkfs.ext4 -q -F -U 11111111-2222-3333-4444-555555555555 "
		"-E offset=%d -d r disk.img 30M", t, OFF), 0);
	return img;
}

static char *read_guest(struct rd_disk *d, const char *path, size_t *len)
{
	ext2_filsys fs;
	char *buf;

	T_EQ(rd_ext2_open(d, OFF, 0, 0, &fs, NULL, 0), 0);
	if (hwp_ext2_read(fs, path, &buf, len))
		buf = NULL;
	ext2fs_close_free(&fs);
	return buf;
}

static void sha_of(struct rd_disk *d, const char *path, char out[65])
{
	size_t len;
	char *b = read_guest(d, path, &len);

	T_ASSERT(b);
	lib_sha256_buf_hex(b, len, out);
	free(b);
}

static void test_inspect_synthetic(void)
{
	const char *img = make_disk();
	struct hwp_report *r;
	struct rd_disk *d;
	const struct hwp_linux *lx;
	const struct hwp_kernel *k;

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(hwp_inspect(d, "disk", 0, &r, NULL, 0), 0);
	T_EQ(r->n, 1);
	T_EQ(r->part[0].os, HWP_OS_LINUX);
	lx = &r->part[0].lx;
	T_ASSERT(!strcmp(lx->distro, "Test Linux 1"));
	T_ASSERT(!strcmp(lx->root_device, "/dev/sda1"));
	T_ASSERT(!strcmp(lx->bootloader, "grub"));
	T_ASSERT(!strcmp(lx->boot_root, "/dev/sda1"));
	T_ASSERT(lx->persistent_net);
	T_EQ(lx->n_kernels, 1);
	k = &lx->kernels[0];
	T_ASSERT(!strcmp(k->initrd_format, "xz") && k->early_cpio);
	T_ASSERT(!strcmp(k->load_list, "conf/modules"));
	T_ASSERT(!strcmp(k->mods[0].name, "ata_piix") && k->mods[0].in_tree &&
		 !k->mods[0].in_initrd);
	T_ASSERT(!strcmp(k->mods[k->n_mods - 1].name, "ext4") &&
		 k->mods[k->n_mods - 1].builtin);
	hwp_report_free(r);
	rd_close(d);
}

static void test_inject_and_undo(void)
{
	const char *img = make_disk();
	struct hwp_inject_report *rep = calloc(1, sizeof(*rep));
	char s_initrd[65], s_fstab[65], s_grub[65], s_net[65], now[65];
	struct hwp_cpio c;
	struct rd_disk *d;
	char *b, err[512] = "", *list;
	size_t len, pre;

	T_EQ(rd_file_open(img, RD_RDWR, &d, NULL, 0), 0);
	sha_of(d, "/boot/initrd.img-" KV, s_initrd);
	sha_of(d, "/etc/fstab", s_fstab);
	sha_of(d, "/boot/grub/grub.cfg", s_grub);
	sha_of(d, "/etc/udev/rules.d/70-persistent-net.rules", s_net);
	T_EQ(hwp_inject(d, 0, 0, rep, err, sizeof(err)), 0);
	T_EQ(rep->os, HWP_OS_LINUX);
	T_EQ(rep->n, 4);
	/* fstab: root -> this partition's UUID; the by-id one is unknown */
	b = read_guest(d, "/etc/fstab", &len);
	T_ASSERT(b && strstr(b, "UUID=11111111-2222-3333-4444-555555555555 / ext4"));
	T_ASSERT(strstr(b, "/dev/disk/by-id/ata-FOO-part9 /srv"));
	free(b);
	T_ASSERT(strstr(rep->notes, "ata-FOO-part9"));
	b = read_guest(d, "/boot/grub/grub.cfg", &len);
	T_ASSERT(b && strstr(b, "root=UUID=11111111-2222-3333-4444-555555555555 ro"));
	free(b);
	T_ASSERT(!read_guest(d, "/etc/udev/rules.d/70-persistent-net.rules", &len));
	/* initramfs: still xz with the same early prefix, modules by name */
	b = read_guest(d, "/boot/initrd.img-" KV, &len);
	T_ASSERT(b);
	T_ASSERT(!strcmp(hwp_initrd_format(b, len, &pre), "xz") && pre > 0);
	T_EQ(hwp_cpio_read(b + pre, len - pre, &c), 0);
	list = strndup((char *)hwp_cpio_find(&c, "conf/modules")->data,
		       hwp_cpio_find(&c, "conf/modules")->len);
	T_ASSERT(strstr(list, "nvme\ncrc32c_generic\nscsi_common\nscsi_mod\n"
			"libata\nata_piix\nata_generic\nsd_mod\ne1000\n"));
	T_ASSERT(hwp_cpio_find(&c, "lib/modules/" KV "/kernel/drivers/ata/ata_piix.ko"));
	T_ASSERT(hwp_cpio_find(&c, "lib/modules/" KV "/kernel/crypto/crc32c_generic.ko"));
	T_EQ(hwp_cpio_find(&c, "lib/modules/" KV "/modules.dep")->len, strlen(dep));
	free(list);
	hwp_cpio_free(&c);
	free(b);
	/* undo: every byte back */
	memset(rep, 0, sizeof(*rep));
	T_EQ(hwp_inject(d, 0, HWP_INJ_UNDO, rep, err, sizeof(err)), 0);
	sha_of(d, "/boot/initrd.img-" KV, now);
	T_ASSERT(!strcmp(now, s_initrd));
	sha_of(d, "/etc/fstab", now);
	T_ASSERT(!strcmp(now, s_fstab));
	sha_of(d, "/boot/grub/grub.cfg", now);
	T_ASSERT(!strcmp(now, s_grub));
	sha_of(d, "/etc/udev/rules.d/70-persistent-net.rules", now);
	T_ASSERT(!strcmp(now, s_net));
	T_ASSERT(!read_guest(d, "/var/lib/dualvm/inject-undo/manifest", &len));
	/* a second undo has nothing to do */
	T_EQ(hwp_inject(d, 0, HWP_INJ_UNDO, rep, err, sizeof(err)), -ENOENT);
	rd_close(d);
	T_EQ(sh("cd %s && dd if=disk.img of=p.fs bs=1M skip=1 count=30 2>/dev/null && "
		"PATH=$PATH:/usr/sbin e2fsck -fn p.fs >/dev/null 2>&1", t_tmpdir()), 0);
	free(rep);
}

static void test_inject_refuses_ro_disk(void)
{
	const char *img = make_disk();
	struct hwp_inject_report *rep = calloc(1, sizeof(*rep));
	struct rd_disk *d;
	char err[256];

	T_EQ(rd_file_open(img, RD_RDONLY, &d, NULL, 0), 0);
	T_EQ(hwp_inject(d, 0, 0, rep, err, sizeof(err)), -EROFS);
	rd_close(d);
	free(rep);
}

static const struct t_case cases[] = {
	T_CASE(test_inspect_synthetic),
	T_CASE(test_inject_and_undo),
	T_CASE(test_inject_refuses_ro_disk),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
