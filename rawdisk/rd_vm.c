// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_vm.c --- open the disks of a VM with the mode and safety rules
 *
 * Today only whole-disk image files in persistent mode are supported: the
 * overlay modes, partition views and block devices need the copy-on-write
 * overlay and the safety checks, which are refused with a clear message
 * until they exist, so nothing can ever be written to a source by accident.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rawdisk/rawdisk.h"

int rd_vm_open(const struct rd_vm_opts *o, struct rd_disk **out, char *err,
	       size_t errlen)
{
	struct stat st;

	*out = NULL;
	if (stat(o->path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -errno;
	}
	if (o->partitions) {
		snprintf(err, errlen, "%s: partition views (--partition) are not implemented yet",
			 o->path);
		return -ENOTSUP;
	}
	if (S_ISBLK(st.st_mode) && o->mode != RD_MODE_PERSISTENT) {
		snprintf(err, errlen, "%s: block devices need the copy-on-write overlay, which is not implemented yet",
			 o->path);
		return -ENOTSUP;
	}
	if (o->mode == RD_MODE_NONPERSISTENT || o->mode == RD_MODE_UNDOABLE) {
		snprintf(err, errlen, "%s: --disk-mode %s is not implemented yet",
			 o->path, o->mode == RD_MODE_UNDOABLE ? "undoable" :
			 "nonpersistent");
		return -ENOTSUP;
	}
	if (S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "%s: persistent access to block devices needs the safety checks, which are not implemented yet",
			 o->path);
		return -ENOTSUP;
	}
	return rd_file_open(o->path, RD_RDWR | RD_EXCL, out, err, errlen);
}

int rd_vm_close(struct rd_disk *d, enum rd_exit_action act, char *msg,
		size_t msglen)
{
	int err;

	if (msglen)
		msg[0] = 0;
	if (!d)
		return 0;
	err = rd_flush(d);
	if (err && msglen)
		snprintf(msg, msglen, "%s", rd_strerror(d));
	rd_close(d);
	return err;
}
