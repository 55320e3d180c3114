// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_hazard.c --- the hazards the safety checks report, and the one
 * place that turns each into words
 *
 * Every check in vmd_safety.c records a struct vmd_hazard (a kind, the
 * partition, refusal or warning, and at most one detail such as a mount
 * point); callers decide with the kind (vmd_hazard_host_busy()) and show
 * vmd_hazard_message().  The advice says what to do on the host, in the
 * words of disk-formats-and-p2v.md §3.4.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "vmdisk/vmd_priv.h"

struct hz_text {
	const char	*code;		/* stable JSON identifier */
	const char	*sep;		/* between what and advice */
	const char	*advice;	/* what to do about it */
	const char	*warn_note;	/* added to warnings, or NULL */
	bool		host_busy;	/* the host itself uses the disk */
};

static const struct hz_text hz_text[VMD_HZ_COUNT] = {
	[VMD_HZ_HOST_ROOT] = {
		.code = "host-root", .sep = ": ", .host_busy = true,
		.advice = "never boot the running OS in a VM",
	},
	[VMD_HZ_MOUNTED] = {
		.code = "mounted", .sep = ": ", .host_busy = true,
		.advice = "unmount it first",
		.warn_note = " (read-only: the overlay run is allowed)",
	},
	[VMD_HZ_IN_USE] = {
		.code = "in-use", .sep = ": ", .host_busy = true,
		.advice = "release it first",
	},
	[VMD_HZ_LOCKED] = {
		.code = "in-use", .sep = ": ", .host_busy = true,
		.advice = "stop that VM first",
	},
	[VMD_HZ_NTFS_UNREADABLE] = {
		.code = "ntfs-unreadable", .sep = ": ",
		.advice = "run chkdsk in Windows",
	},
	[VMD_HZ_HIBERNATED] = {
		.code = "hibernated", .sep = ": ",
		.advice = "boot Windows natively and shut it down fully",
		.warn_note = " (overlay run: the hibernated session will be lost)",
	},
	[VMD_HZ_FAST_STARTUP] = {
		.code = "fast-startup", .sep = ": ",
		.advice = "disable Fast Startup and shut Windows down",
	},
	[VMD_HZ_NTFS_UNCLEAN] = {
		.code = "unclean", .sep = ": ",
		.advice = "boot Windows and shut it down",
	},
	[VMD_HZ_NTFS_DIRTY] = {
		.code = "dirty", .sep = ": ",
		.advice = "run chkdsk in Windows",
	},
	[VMD_HZ_BITLOCKER] = {
		.code = "bitlocker", .sep = "; ",
		.advice = "suspend BitLocker in Windows first",
	},
	[VMD_HZ_EXT_RECOVERY] = {
		.code = "ext-recovery", .sep = ": ",
		.advice = "run e2fsck on it or boot that OS and shut it down",
	},
	[VMD_HZ_EXT_ERRORS] = {
		.code = "ext-errors", .sep = ": ",
		.advice = "run e2fsck",
	},
	[VMD_HZ_SWAP_HIBERNATED] = {
		.code = "swap-hibernated", .sep = ": ",
		.advice = "resume that OS natively and shut it down",
	},
};

static const struct hz_text *text_of(enum vmd_hazard_kind k)
{
	assert((unsigned int)k < VMD_HZ_COUNT && hz_text[k].code);
	return &hz_text[k];
}

const char *vmd_hazard_code(enum vmd_hazard_kind k)
{
	return text_of(k)->code;
}

const char *vmd_hazard_advice(enum vmd_hazard_kind k)
{
	return text_of(k)->advice;
}

bool vmd_hazard_host_busy(enum vmd_hazard_kind k)
{
	return text_of(k)->host_busy;
}

/* What is wrong, naming @t ("partition 2", "the disk"). */
static int what(const struct vmd_hazard *h, const char *t, char *buf,
		size_t len)
{
	switch (h->kind) {
	case VMD_HZ_HOST_ROOT:
		return snprintf(buf, len, "%s holds the host's root file system", t);
	case VMD_HZ_MOUNTED:
		return snprintf(buf, len, "%s is mounted %s on the host at %s", t,
				h->rw ? "read-write" : "read-only", h->detail);
	case VMD_HZ_IN_USE:
		return snprintf(buf, len, "%s is in use (mounted, held by device-mapper or opened exclusively)",
				h->detail);
	case VMD_HZ_LOCKED:
		return snprintf(buf, len, "%s is in use by another dualvm process",
				h->detail);
	case VMD_HZ_NTFS_UNREADABLE:
		return snprintf(buf, len, "%s: NTFS cannot be read (%s)", t,
				h->detail);
	case VMD_HZ_HIBERNATED:
		return snprintf(buf, len, "%s: Windows is hibernated on this volume", t);
	case VMD_HZ_FAST_STARTUP:
		return snprintf(buf, len, "%s: Windows Fast Startup keeps this volume's metadata cached", t);
	case VMD_HZ_NTFS_UNCLEAN:
		return snprintf(buf, len, "%s: NTFS was not shut down cleanly ($LogFile dirty)", t);
	case VMD_HZ_NTFS_DIRTY:
		return snprintf(buf, len, "%s: NTFS is marked dirty", t);
	case VMD_HZ_BITLOCKER:
		return snprintf(buf, len, "%s is BitLocker-encrypted: Windows will ask for the recovery key in the VM", t);
	case VMD_HZ_EXT_RECOVERY:
		return snprintf(buf, len, "%s: ext file system journal needs recovery (not cleanly unmounted)", t);
	case VMD_HZ_EXT_ERRORS:
		return snprintf(buf, len, "%s: ext file system has errors or was not cleanly unmounted", t);
	case VMD_HZ_SWAP_HIBERNATED:
		return snprintf(buf, len, "%s: swap partition holds a Linux hibernation image", t);
	case VMD_HZ_COUNT:
		break;
	}
	assert(!"unknown hazard kind");
	return snprintf(buf, len, "%s: unknown hazard %d", t, (int)h->kind);
}

void vmd_hazard_message(const struct vmd_hazard *h, char *buf, size_t len)
{
	const struct hz_text *x = text_of(h->kind);
	char t[32];
	int n;

	if (!len)
		return;
	if (h->partition)
		snprintf(t, sizeof(t), "partition %u", h->partition);
	else
		snprintf(t, sizeof(t), "the disk");
	n = what(h, t, buf, len);
	if (n < 0 || (size_t)n >= len)
		return;
	snprintf(buf + n, len - (size_t)n, "%s%s%s", x->sep, x->advice,
		 !h->refuse && x->warn_note ? x->warn_note : "");
}

void vmd_check_add(struct vmd_check *c, const struct vmd_hazard *h)
{
	assert(c->n == c->nrefuse + c->nwarn);
	if (c->n == VMD_MAX_HAZARDS)
		return;
	c->hz[c->n++] = *h;
	if (h->refuse)
		c->nrefuse++;
	else
		c->nwarn++;
}
