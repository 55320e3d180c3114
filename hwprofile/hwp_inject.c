// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_inject.c --- `dualvm inject`: find the installed OS on each
 * partition (hwp_inspect) and run the Linux or Windows injector on it.
 * Windows: refuse hibernated / Fast Startup / unclean / dirty volumes with
 * what to do in Windows (reference §3.4), then edit the SYSTEM hive
 * (hwp_hive.c) and write it back through ntfs-3g, keeping the first
 * original as SYSTEM.dualvm-orig beside it for --undo, and report which
 * storage driver files are missing from System32\drivers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_priv.h"
#include "rawdisk/rawdisk.h"

int hwp_refuse_unsafe(const struct hwp_part *p, char *err, size_t errlen)
{
	const struct hwp_safety *s = &p->safety;

	if (s->bitlocker)
		hwp_seterr(err, errlen, "partition %u is BitLocker-encrypted; "
			   "decrypt it in Windows (manage-bde -off) first",
			   p->number);
	else if (s->hibernated)
		hwp_seterr(err, errlen, "partition %u: Windows is hibernated "
			   "(hiberfil.sys); boot Windows, then shut down fully "
			   "(shutdown /s /t 0, or powercfg /h off) and retry",
			   p->number);
	else if (s->fast_startup)
		hwp_seterr(err, errlen, "partition %u: Windows Fast Startup "
			   "left the volume in use; boot Windows, disable Fast "
			   "Startup (powercfg /h off) and shut down", p->number);
	else if (s->unclean || s->dirty)
		hwp_seterr(err, errlen, "partition %u was not shut down "
			   "cleanly (dirty or unclean journal); boot its OS and "
			   "shut down, or run chkdsk/fsck, then retry",
			   p->number);
	else
		return 0;
	return -EPERM;
}

static void check_driver_files(ntfs_volume *vol, const char *windir,
			       enum hwp_win_gen gen,
			       struct hwp_inject_report *rep)
{
	static const char *const xp[] = { "atapi", "intelide", "pciide",
					  NULL };
	static const char *const v7[] = { "atapi", "intelide", "pciide",
					  "msahci", NULL };
	static const char *const w8[] = { "intelide", "pciide", "storahci",
					  NULL };
	const char *const *l = gen == HWP_WIN_XP ? xp :
			       gen == HWP_WIN_VISTA7 ? v7 : w8;
	char path[160];

	for (int i = 0; l[i]; i++) {
		snprintf(path, sizeof(path), "%s/System32/drivers/%s.sys",
			 windir, l[i]);
		if (!hwp_ntfs_exists(vol, path))
			hwp_note(rep, "driver file %s is missing: copy it from "
				 "the Windows install media (driver.cab) or the "
				 "service will fail to start", path);
	}
}

#define HIVE_BACKUP_SUFFIX	".dualvm-orig"

/* --undo: put the SYSTEM hive backed up by the first injection back. */
static int undo_windows(ntfs_volume *vol, const char *hive,
			const struct hwp_part *p,
			struct hwp_inject_report *rep, char *err,
			size_t errlen)
{
	char bak[200], *orig = NULL, *cur = NULL;
	size_t olen, clen;
	int rc;

	snprintf(bak, sizeof(bak), "%s" HIVE_BACKUP_SUFFIX, hive);
	rc = hwp_ntfs_read(vol, bak, HWP_FILE_MAX, &orig, &olen);
	if (rc) {
		hwp_seterr(err, errlen, "partition %u: nothing to undo (no %s)",
			   p->number, bak);
		return rc == -ENOENT ? -ENOENT : rc;
	}
	rc = hwp_ntfs_read(vol, hive, HWP_FILE_MAX, &cur, &clen);
	if (!rc)
		rc = hwp_ntfs_write(vol, hive, orig, olen);
	if (!rc)
		rc = hwp_ntfs_unlink(vol, bak);
	if (rc) {
		hwp_seterr(err, errlen, "partition %u: restoring %s failed: %s",
			   p->number, hive, strerror(-rc));
		goto out;
	}
	hwp_change_hashed(rep, hive, "restored the original SYSTEM hive",
			  cur, clen, orig, olen);
out:
	free(orig);
	free(cur);
	return rc;
}

static int inject_windows(struct rd_disk *d, const struct hwp_part *p,
			  unsigned int flags, struct hwp_inject_report *rep,
			  char *err, size_t errlen)
{
	char path[160], bak[200], *sys = NULL;
	size_t sys_len = 0, out_len = 0;
	ntfs_volume *vol;
	struct hwp_change *c;
	void *out = NULL;
	int rc, urc;

	rc = hwp_refuse_unsafe(p, err, errlen);
	if (rc)
		return rc;
	/* ntfs-3g repeats the hibernation/journal checks on a rw mount */
	rc = rd_ntfs_mount(d, p->start, p->size, 0, &vol, err, errlen);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/System32/config/SYSTEM",
		 p->win.system_dir);
	if (flags & HWP_INJ_UNDO) {
		rc = undo_windows(vol, path, p, rep, err, errlen);
		goto out;
	}
	rc = hwp_win_load_hives(vol, p->win.system_dir, &sys, &sys_len, NULL,
				NULL);
	if (rc) {
		hwp_seterr(err, errlen, "partition %u: cannot read the SYSTEM "
			   "hive", p->number);
		goto out;
	}
	rc = hwp_hive_inject_mem(sys, sys_len, p->win.gen, &out, &out_len,
				 rep, err, errlen);
	if (rc)
		goto out;
	if (!out) {
		hwp_note(rep, "partition %u: SYSTEM hive already prepared",
			 p->number);
		goto drivers;
	}
	/* the first original is kept for --undo */
	snprintf(bak, sizeof(bak), "%s" HIVE_BACKUP_SUFFIX, path);
	if (!hwp_ntfs_exists(vol, bak)) {
		rc = hwp_ntfs_create(vol, bak, sys, sys_len);
		if (rc) {
			hwp_seterr(err, errlen, "partition %u: cannot back up "
				   "the hive to %s: %s", p->number, bak,
				   strerror(-rc));
			goto out;
		}
		c = hwp_change_add(rep, bak, "backup of the SYSTEM hive "
				   "(for --undo)");
		if (c)
			lib_sha256_buf_hex(sys, sys_len, c->sha256_after);
	}
	rc = hwp_ntfs_write(vol, path, out, out_len);
	if (rc) {
		hwp_seterr(err, errlen, "partition %u: writing %s failed: %s",
			   p->number, path, strerror(-rc));
		goto out;
	}
	hwp_change_hashed(rep, path, "SYSTEM hive: storage drivers for the "
			  "PIIX3 IDE controller", sys, sys_len, out, out_len);
drivers:
	check_driver_files(vol, p->win.system_dir, p->win.gen, rep);
out:
	free(out);
	free(sys);
	urc = rd_ntfs_umount(vol);
	if (!rc && urc) {
		hwp_seterr(err, errlen, "partition %u: NTFS unmount failed: %s",
			   p->number, strerror(-urc));
		rc = urc;
	}
	return rc;
}

int hwp_inject(struct rd_disk *d, unsigned int partition, unsigned int flags,
	       struct hwp_inject_report *rep, char *err, size_t errlen)
{
	struct hwp_report *r;
	const struct hwp_part *p = NULL;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (d->flags & RD_RDONLY) {
		hwp_seterr(err, errlen, "%s is read-only", d->desc);
		return -EROFS;
	}
	rc = hwp_inspect(d, NULL, partition, &r, err, errlen);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_part *c = &r->part[i];

		if (c->os == HWP_OS_NONE)
			continue;
		if (p) {
			hwp_seterr(err, errlen, "more than one OS on the disk "
				   "(partitions %u and %u): choose one with "
				   "--partition", p->number, c->number);
			rc = -EINVAL;
			goto out;
		}
		p = c;
	}
	if (!p) {
		hwp_seterr(err, errlen, "no Linux or Windows installation "
			   "found%s", partition ? " on that partition" : "");
		rc = -ENOENT;
		goto out;
	}
	rep->partition = p->number;
	rep->os = p->os;
	if (p->os == HWP_OS_WINDOWS)
		rc = inject_windows(d, p, flags, rep, err, errlen);
	else
		rc = hwp_inject_linux(d, r, p, flags, rep, err, errlen);
	if (!rc)
		rc = rd_flush(d);
out:
	hwp_report_free(r);
	return rc;
}
