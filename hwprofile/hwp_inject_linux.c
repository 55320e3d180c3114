// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_inject_linux.c --- make an installed Linux boot on dualvm's PIIX3
 * IDE + e1000/PCnet hardware, offline through libext2fs (reference §2.2):
 *
 *  - every /boot initramfs gets the canonical storage, NIC and root
 *    file-system modules plus their modules.dep closure from the guest's
 *    own /lib/modules/<ver>, appended to its early load list
 *    (conf/modules), repacked with the same compression after the
 *    untouched early-microcode prefix (hwp_initrd.c);
 *  - /etc/fstab and bootloader root= entries naming host devices
 *    (/dev/sdX, /dev/nvme*, /dev/disk/by-path|by-id, ...) become UUID=;
 *  - the persistent NIC naming rules tied to old MACs are removed.
 *
 * Each changed file is first copied to /var/lib/dualvm/inject-undo/ and
 * listed in its manifest ("<n> <kind> <sha-orig> <sha-new> <path>"), which
 * --undo replays to restore the original bytes exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_linux.h"
#include "hwprofile/hwp_undo.h"
#include "rawdisk/rawdisk.h"

/* Is @dev a name that only means something on the original host? */
static bool host_specific(const char *dev)
{
	static const char *const pfx[] = {
		"/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme",
		"/dev/mmcblk", "/dev/disk/by-path/", "/dev/disk/by-id/", NULL,
	};

	for (int i = 0; pfx[i]; i++)
		if (!strncmp(dev, pfx[i], strlen(pfx[i])))
			return true;
	return false;
}

/* Partition number at the end of a device name ("sda2", "nvme0n1p2"). */
static unsigned int dev_partno(const char *dev)
{
	size_t n = strlen(dev);
	size_t d = n;

	while (d && dev[d - 1] >= '0' && dev[d - 1] <= '9')
		d--;
	if (d == n || d == 0)
		return 0;
	if (!strncmp(dev, "/dev/nvme", 9) || !strncmp(dev, "/dev/mmcblk", 11))
		if (dev[d - 1] != 'p')
			return 0;
	return (unsigned int)strtoul(dev + d, NULL, 10);
}

/* UUID= replacement for a host device, or "" if we cannot tell. */
static void uuid_for(const struct hwp_report *r, const struct hwp_part *self,
		     const char *dev, bool is_root, char *out, size_t outlen)
{
	unsigned int n = dev_partno(dev);

	out[0] = '\0';
	if (is_root && self->uuid[0]) {
		snprintf(out, outlen, "UUID=%s", self->uuid);
		return;
	}
	for (unsigned int i = 0; n && i < r->n; i++)
		if (r->part[i].number == n && r->part[i].uuid[0])
			snprintf(out, outlen, "UUID=%s", r->part[i].uuid);
}

/* Rewrite host-specific fstab specs; NULL result if nothing changed. */
static char *fix_fstab(const char *text, const struct hwp_report *r,
		       const struct hwp_part *self,
		       struct hwp_inject_report *rep)
{
	size_t cap = strlen(text) * 2 + 1024, used = 0;
	char *out = malloc(cap);
	const char *l = text;
	bool changed = false;

	if (!out)
		return NULL;
	while (*l) {
		size_t len = strcspn(l, "\n");
		char line[1024], spec[256], file[256], repl[128];
		const char *rest;

		if (len >= sizeof(line) - 1 || used + len + 256 >= cap)
			goto copy;
		memcpy(line, l, len);
		line[len] = '\0';
		rest = line + strspn(line, " \t");
		if (*rest == '#' ||
		    sscanf(rest, "%255s %255s", spec, file) != 2 ||
		    !host_specific(spec))
			goto copy;
		uuid_for(r, self, spec, !strcmp(file, "/"), repl, sizeof(repl));
		if (!repl[0]) {
			hwp_note(rep, "fstab: %s (%s) names a host device and "
				 "no UUID is known for it; left as is", spec,
				 file);
			goto copy;
		}
		rest += strlen(spec);
		used += (size_t)snprintf(out + used, cap - used, "%s%s",
					 repl, rest);
		hwp_note(rep, "fstab: %s -> %s (%s)", spec, repl, file);
		changed = true;
		l += len;
		if (*l)
			out[used++] = *l++;
		continue;
copy:
		memcpy(out + used, l, len);
		used += len;
		l += len;
		if (*l)
			out[used++] = *l++;
	}
	out[used] = '\0';
	if (!changed) {
		free(out);
		return NULL;
	}
	return out;
}

/* Rewrite root=<host device> in a bootloader config. */
static char *fix_bootcfg(const char *text, const struct hwp_part *self,
			 const char *cfg, struct hwp_inject_report *rep)
{
	size_t cap = strlen(text) + 4096, used = 0;
	char *out, dev[256];
	const char *p = text, *hit;
	bool changed = false;

	if (!self->uuid[0])
		return NULL;
	out = malloc(cap);
	if (!out)
		return NULL;
	while ((hit = strstr(p, "root="))) {
		size_t n = strcspn(hit + 5, " \t\r\n\"'");
		bool word = hit == text || hit[-1] == ' ' || hit[-1] == '\t';

		if (!word || n >= sizeof(dev) || used + (size_t)(hit - p) + 128 >= cap) {
			memcpy(out + used, p, (size_t)(hit - p) + 5);
			used += (size_t)(hit - p) + 5;
			p = hit + 5;
			continue;
		}
		memcpy(dev, hit + 5, n);
		dev[n] = '\0';
		memcpy(out + used, p, (size_t)(hit - p));
		used += (size_t)(hit - p);
		if (host_specific(dev)) {
			used += (size_t)snprintf(out + used, cap - used,
						 "root=UUID=%s", self->uuid);
			hwp_note(rep, "%s: root=%s -> root=UUID=%s", cfg, dev,
				 self->uuid);
			changed = true;
		} else {
			memcpy(out + used, hit, n + 5);
			used += n + 5;
		}
		p = hit + 5 + n;
	}
	if (used + strlen(p) + 1 > cap) {
		free(out);
		return NULL;
	}
	strcpy(out + used, p);
	if (!changed) {
		free(out);
		return NULL;
	}
	return out;
}

static int fix_text_files(struct hwp_undo *u, const struct hwp_report *r,
			  const struct hwp_part *self)
{
	char *text, *fixed;
	size_t len;
	int rc = 0;

	if (!hwp_ext2_read(u->fs, "/etc/fstab", &text, &len)) {
		fixed = fix_fstab(text, r, self, u->rep);
		if (fixed)
			rc = hwp_undo_write(u, "/etc/fstab", text, len, fixed,
					    strlen(fixed),
					    "fstab: host device names -> UUID=");
		free(fixed);
		free(text);
		if (rc)
			return rc;
	}
	for (int i = 0; hwp_bootcfgs[i].type; i++) {
		const char *cfg = hwp_bootcfgs[i].path;

		if (hwp_ext2_read(u->fs, cfg, &text, &len))
			continue;
		fixed = fix_bootcfg(text, self, cfg, u->rep);
		if (fixed)
			rc = hwp_undo_write(u, cfg, text, len, fixed,
					    strlen(fixed),
					    "bootloader root= -> UUID=");
		free(fixed);
		free(text);
		if (rc)
			return rc;
	}
	if (hwp_ext2_exists(u->fs, HWP_NET_RULES, NULL))
		rc = hwp_undo_remove(u, HWP_NET_RULES,
				     "persistent NIC names tied to old MACs");
	return rc;
}

int hwp_inject_linux(struct rd_disk *d, const struct hwp_report *r,
		     const struct hwp_part *p, unsigned int flags,
		     struct hwp_inject_report *rep, char *err, size_t errlen)
{
	struct hwp_undo u;
	ext2_filsys fs;
	errcode_t e;
	int rc, crc;

	rc = hwp_refuse_unsafe(p, err, errlen);
	if (rc)
		return rc;
	rc = rd_ext2_open(d, p->start, p->size, EXT2_FLAG_RW, &fs, err,
			  errlen);
	if (rc)
		return rc;
	e = ext2fs_read_bitmaps(fs);
	if (e) {
		hwp_seterr(err, errlen, "partition %u: cannot read the block "
			   "bitmaps: %s", p->number, rd_ext2_strerror(e));
		ext2fs_close_free(&fs);
		return -EIO;
	}
	rc = hwp_undo_begin(&u, fs, rep, err, errlen);
	if (rc)
		goto out;
	if (flags & HWP_INJ_UNDO) {
		rc = hwp_undo_replay(&u);
		goto out_end;
	}
	rc = fix_text_files(&u, r, p);
	for (unsigned int i = 0; !rc && i < p->lx.n_kernels; i++)
		rc = hwp_initrd_inject(&u, &p->lx.kernels[i],
				       hwp_linux_rootfs_module(&p->lx));
out_end:
	crc = hwp_undo_end(&u, rc == 0);
	if (!rc)
		rc = crc;
	hwp_undo_free(&u);
out:
	e = ext2fs_close_free(&fs);
	if (!rc && e) {
		hwp_seterr(err, errlen, "partition %u: closing the file system "
			   "failed: %s", p->number, rd_ext2_strerror(e));
		rc = -EIO;
	}
	return rc;
}
