// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_desc.c --- safety checks and locks for VMs started from a raw-disk
 * VMDK descriptor (`dualvm run NAME.vmdk`, partitionedDevice / fullDevice /
 * monolithicFlat)
 *
 * The descriptor's FLAT extents say which devices and which sectors the VM
 * sees.  Each device (or image) named there is locked exclusively for the
 * life of the VM, and the sectors it exposes are mapped back to partition
 * numbers so the same checks as `dualvm run --partition` apply.  The
 * NAME-pt.vmdk side file holds only private copies and needs no check.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdisk/vmd_priv.h"

#define DESC_MAX_FLAT	64

bool vmd_is_descriptor(const char *path)
{
	return !strcmp(rd_image_probe(path), "vmdk-descriptor");
}

/* Partition list ("2,3") for the extents of @ext on one file, or "" if
 * they cover the whole disk or match no partition exactly. */
static void extents_to_parts(struct rd_disk *d, const struct rd_vmdk_flat *ext,
			     unsigned int n, const char *file, char *out,
			     size_t outlen)
{
	struct rd_part_table *t = malloc(sizeof(*t));
	unsigned int i, k;
	size_t used = 0;

	out[0] = 0;
	if (!t || rd_part_table_read(d, t)) {
		free(t);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct rd_part *p = NULL;

		if (strcmp(ext[i].file, file))
			continue;
		for (k = 0; k < t->n; k++)
			if (t->part[k].start == ext[i].start &&
			    ext[i].size <= t->part[k].size)
				p = &t->part[k];
		if (!p) {		/* not a partition: check everything */
			out[0] = 0;
			break;
		}
		used += (size_t)snprintf(out + used, outlen - used, "%s%u",
					 used ? "," : "", p->number);
		if (used >= outlen) {
			out[0] = 0;
			break;
		}
	}
	free(t);
}

int vmd_desc_guard(const char *desc, enum vmd_mode mode,
		   struct rd_disk **locks, unsigned int *nlocks,
		   unsigned int max, struct vmd_check *chk, char *err,
		   size_t errlen)
{
	struct rd_vmdk_flat *ext = calloc(DESC_MAX_FLAT, sizeof(*ext));
	struct vmd_check *one = malloc(sizeof(*one));
	char type[64], path[PATH_MAX];
	unsigned int i, k;
	bool rawdesc;
	uint64_t total;
	int n, e = -ENOMEM;

	*nlocks = 0;
	memset(chk, 0, sizeof(*chk));
	if (!ext || !one)
		goto out;
	n = vmd_desc_scan_file(desc, type, sizeof(type), ext, DESC_MAX_FLAT,
			       &total);
	if (n == -ENOMEM)
		goto out;
	if (n < 0 || n > DESC_MAX_FLAT) {
		snprintf(err, errlen, "%s: malformed or too large VMDK descriptor",
			 desc);
		e = -EINVAL;
		goto out;
	}
	rawdesc = !strcmp(type, "fullDevice") ||
		  !strcmp(type, "partitionedDevice");
	for (i = 0; i < (unsigned int)n; i++) {
		char parts[256];
		size_t fl = strlen(ext[i].file);
		bool seen = false;

		for (k = 0; k < i; k++)
			seen |= !strcmp(ext[k].file, ext[i].file);
		if (seen || (fl > 8 && !strcmp(ext[i].file + fl - 8, "-pt.vmdk")))
			continue;
		/* the one path policy (rawdisk.h): nothing outside the
		 * descriptor's folder but a raw-disk descriptor's devices */
		e = rd_path_check(desc, ext[i].file, rawdesc, path, err,
				  errlen);
		if (e)
			goto out;
		if (*nlocks == max) {
			e = -E2BIG;
			snprintf(err, errlen, "%s: too many devices", desc);
			goto out;
		}
		e = rd_file_open(path, RD_RDONLY | RD_EXCL, &locks[*nlocks], err,
				 errlen);
		if (e)
			goto out;
		extents_to_parts(locks[*nlocks], ext, (unsigned int)n,
				 ext[i].file, parts, sizeof(parts));
		e = vmd_safety_check(path, locks[*nlocks],
				     parts[0] ? parts : NULL, mode, false, one,
				     err, errlen);
		(*nlocks)++;
		if (e)
			goto out;
		for (k = 0; k < one->n; k++)
			vmd_check_add(chk, &one->hz[k]);
	}
	e = 0;
out:
	if (e) {
		for (i = 0; i < *nlocks; i++)
			rd_close(locks[i]);
		*nlocks = 0;
	}
	free(ext);
	free(one);
	return e;
}
