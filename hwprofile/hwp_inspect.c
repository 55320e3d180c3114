// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_inspect.c --- `dualvm inspect`: walk the partition table of an
 * rd_disk, identify each file system with libblkid, and look inside ext2/3/4
 * (Linux) and NTFS (Windows) volumes.  Read only: ext2 is opened without
 * EXT2_FLAG_RW, NTFS with NTFS_MNT_RDONLY.
 *
 * libblkid wants a file descriptor, so each partition is presented as a
 * sparse memfd of the partition's size holding its first 2 MiB and last
 * 1 MiB (where every signature blkid knows lives); the middle reads as
 * zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <blkid/blkid.h>

#include "hwprofile/hwp_priv.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"

#define PROBE_HEAD	(2u << 20)
#define PROBE_TAIL	(1u << 20)

static int copy_window(struct rd_disk *d, int fd, uint64_t doff,
		       uint64_t foff, size_t len)
{
	char *buf = malloc(len);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = rd_pread(d, buf, len, doff);
	if (!rc)
		rc = lib_pwrite_all(fd, buf, len, foff);
	free(buf);
	return rc;
}

static void probe_fs(struct rd_disk *d, struct hwp_part *p)
{
	const char *v;
	blkid_probe pr;
	size_t head, tail;
	int fd;

	fd = memfd_create("dualvm-probe", 0);
	if (fd < 0 || ftruncate(fd, (off_t)p->size))
		goto out;
	head = p->size < PROBE_HEAD ? (size_t)p->size : PROBE_HEAD;
	if (copy_window(d, fd, p->start, 0, head))
		goto out;
	if (p->size > head) {
		tail = p->size - head < PROBE_TAIL ? (size_t)(p->size - head) :
		       PROBE_TAIL;
		if (copy_window(d, fd, p->start + p->size - tail,
				p->size - tail, tail))
			goto out;
	}
	pr = blkid_new_probe();
	if (!pr)
		goto out;
	if (!blkid_probe_set_device(pr, fd, 0, (blkid_loff_t)p->size)) {
		blkid_probe_enable_superblocks(pr, 1);
		blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL |
						  BLKID_SUBLKS_UUID |
						  BLKID_SUBLKS_TYPE);
		if (!blkid_do_safeprobe(pr)) {
			if (!blkid_probe_lookup_value(pr, "TYPE", &v, NULL))
				hwp_strlcpy(p->fs, v, sizeof(p->fs));
			if (!blkid_probe_lookup_value(pr, "LABEL", &v, NULL))
				hwp_strlcpy(p->label, v, sizeof(p->label));
			if (!blkid_probe_lookup_value(pr, "UUID", &v, NULL))
				hwp_strlcpy(p->uuid, v, sizeof(p->uuid));
		}
	}
	blkid_free_probe(pr);
out:
	if (fd >= 0)
		close(fd);
}

static void inspect_ext(struct rd_disk *d, struct hwp_part *p)
{
	ext2_filsys fs;
	char err[256];
	int rc;

	rc = rd_ext2_open(d, p->start, p->size, 0, &fs, err, sizeof(err));
	if (rc) {
		hwp_strlcpy(p->error, err, sizeof(p->error));
		return;
	}
	if (!(fs->super->s_state & EXT2_VALID_FS) ||
	    (fs->super->s_state & EXT2_ERROR_FS))
		p->safety.dirty = true;
	if (ext2fs_has_feature_journal_needs_recovery(fs->super))
		p->safety.unclean = true;
	if (!hwp_linux_inspect(fs, &p->lx))
		p->os = HWP_OS_LINUX;
	ext2fs_close_free(&fs);
}

static void check_drivers(ntfs_volume *vol, struct hwp_part *p)
{
	char path[160];

	for (unsigned int i = 0; i < p->win.n_services; i++) {
		struct hwp_service *s = &p->win.services[i];

		if (!s->exists)
			continue;
		snprintf(path, sizeof(path), "%s/System32/drivers/%s.sys",
			 p->win.system_dir, s->name);
		s->driver_checked = true;
		s->driver_present = hwp_ntfs_exists(vol, path);
	}
}

int hwp_win_load_hives(ntfs_volume *vol, const char *windir, char **sys,
		       size_t *sys_len, char **soft, size_t *soft_len)
{
	char path[160];
	int rc;

	snprintf(path, sizeof(path), "%s/System32/config/SYSTEM", windir);
	rc = hwp_ntfs_read(vol, path, HWP_FILE_MAX, sys, sys_len);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/System32/config/SOFTWARE", windir);
	if (soft && hwp_ntfs_read(vol, path, HWP_FILE_MAX, soft, soft_len))
		*soft = NULL;
	return 0;
}

static void inspect_ntfs(struct rd_disk *d, struct hwp_part *p)
{
	char err[256], *sys = NULL, *soft = NULL;
	size_t sys_len = 0, soft_len = 0;
	ntfs_volume *vol;
	int rc;

	rc = rd_ntfs_mount(d, p->start, p->size, NTFS_MNT_RDONLY, &vol, err,
			   sizeof(err));
	if (rc) {
		hwp_strlcpy(p->error, err, sizeof(p->error));
		return;
	}
	hwp_ntfs_safety(vol, &p->safety);
	if (hwp_ntfs_find_windir(vol, p->win.system_dir,
				 sizeof(p->win.system_dir)))
		goto out;
	rc = hwp_win_load_hives(vol, p->win.system_dir, &sys, &sys_len, &soft,
				&soft_len);
	if (rc) {
		snprintf(p->error, sizeof(p->error),
			 "cannot read the SYSTEM hive: %s", strerror(-rc));
		goto out;
	}
	rc = hwp_win_read_hives(sys, sys_len, soft, soft_len, &p->win, err,
				sizeof(err));
	if (rc) {
		hwp_strlcpy(p->error, err, sizeof(p->error));
		goto out;
	}
	p->os = HWP_OS_WINDOWS;
	check_drivers(vol, p);
out:
	free(sys);
	free(soft);
	rd_ntfs_umount(vol);
}

static void inspect_part(struct rd_disk *d, struct hwp_part *p)
{
	char boot[16];

	if (!rd_pread(d, boot, sizeof(boot), p->start) &&
	    !memcmp(boot + 3, "-FVE-FS-", 8))
		p->safety.bitlocker = true;
	probe_fs(d, p);
	if (!strcmp(p->fs, "BitLocker"))
		p->safety.bitlocker = true;
	if (!strcmp(p->fs, "ext2") || !strcmp(p->fs, "ext3") ||
	    !strcmp(p->fs, "ext4"))
		inspect_ext(d, p);
	else if (!strcmp(p->fs, "ntfs"))
		inspect_ntfs(d, p);
}

void hwp_report_free(struct hwp_report *r)
{
	if (!r)
		return;
	free(r->part);
	free(r);
}

/*
 * The EFI system partitions of @t, and for each OS partition of @r the
 * loader on one of them that boots it (vmd_esp_loader(): the vendor folder
 * naming its file system, or Windows Boot Manager), as UEFI firmware's
 * boot entries would name it.  Only reads.
 */
static void efi_loaders(struct rd_disk *d, const struct rd_part_table *t,
			struct hwp_report *r)
{
	char why[256];

	for (unsigned int i = 0; i < r->n; i++)
		r->part[i].esp = r->part[i].number && rd_part_type_is_esp(r->part[i].type);
	for (unsigned int k = 0; k < t->n; k++) {
		if (!rd_part_type_is_esp(t->part[k].type))
			continue;
		for (unsigned int i = 0; i < r->n; i++) {
			struct hwp_part *p = &r->part[i];

			if (p->efi_loader[0] || p->esp ||
			    (p->os != HWP_OS_LINUX && p->os != HWP_OS_WINDOWS))
				continue;
			if (!vmd_esp_loader(d, t, t->part[k].number, p->number,
					    p->efi_loader,
					    sizeof(p->efi_loader), why,
					    sizeof(why)))
				p->efi_esp = t->part[k].number;
			else
				p->efi_loader[0] = '\0';
		}
	}
}

int hwp_inspect(struct rd_disk *d, const char *name, unsigned int partition,
		struct hwp_report **out, char *err, size_t errlen)
{
	struct rd_part_table *t;
	struct hwp_report *r;
	int rc;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	r = calloc(1, sizeof(*r));
	if (!t || !r) {
		rc = -ENOMEM;
		goto out_free;
	}
	hwp_strlcpy(r->disk, name ? name : d->desc, sizeof(r->disk));
	r->size = rd_size(d);
	rc = rd_part_table_read(d, t);
	if (rc) {
		hwp_seterr(err, errlen, "%s", rd_strerror(d));
		goto out_free;
	}
	hwp_strlcpy(r->label, t->label, sizeof(r->label));
	if (!strcmp(t->label, "gpt"))
		hwp_strlcpy(r->disk_id, t->disk_guid, sizeof(r->disk_id));
	else if (t->label[0])
		snprintf(r->disk_id, sizeof(r->disk_id), "0x%08x",
			 t->disk_signature);
	r->part = calloc(t->n ? t->n : 1, sizeof(*r->part));
	if (!r->part) {
		rc = -ENOMEM;
		goto out_free;
	}
	if (!t->n) {
		/* no table: the whole disk may be one file system */
		if (partition > 0) {
			hwp_seterr(err, errlen, "%s has no partition table",
				   r->disk);
			rc = -ENOENT;
			goto out_free;
		}
		r->part[0].size = r->size;
		inspect_part(d, &r->part[0]);
		r->n = 1;
		/* a bare NTFS/FAT ends its boot sector with 55 AA: that made
		 * the MBR reader see an empty "dos" table */
		if (!strcmp(r->part[0].fs, "ntfs") ||
		    !strcmp(r->part[0].fs, "vfat") ||
		    !strcmp(r->part[0].fs, "exfat")) {
			r->label[0] = '\0';
			r->disk_id[0] = '\0';
		}
	}
	for (unsigned int i = 0; i < t->n; i++) {
		const struct rd_part *rp = &t->part[i];
		struct hwp_part *p = &r->part[r->n];

		if (partition && rp->number != partition)
			continue;
		p->number = rp->number;
		p->start = rp->start;
		p->size = rp->size;
		hwp_strlcpy(p->type, rp->type, sizeof(p->type));
		inspect_part(d, p);
		r->n++;
	}
	if (partition && !r->n) {
		hwp_seterr(err, errlen, "%s has no partition %u", r->disk,
			   partition);
		rc = -ENOENT;
		goto out_free;
	}
	efi_loaders(d, t, r);
	free(t);
	*out = r;
	return 0;
out_free:
	free(t);
	hwp_report_free(r);
	return rc;
}
