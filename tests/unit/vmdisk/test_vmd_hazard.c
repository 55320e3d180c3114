// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmd_hazard.c --- the hazard table (vmdisk/vmd_hazard.c): every kind
 * has a JSON code, advice and the one-line message users (and the
 * integration tests) know, warnings carry their overlay note, and the
 * host-busy classification is what run, commit and p2v decide by
 */
#include <string.h>

#include "vmdisk/vmd_priv.h"
#include "tests/unit/harness.h"

static const char *msg_of(enum vmd_hazard_kind k, unsigned int part,
			  bool refuse, bool rw, const char *detail)
{
	static char buf[VMD_HAZARD_MSG];
	struct vmd_hazard h = {
		.kind = k, .partition = part, .refuse = refuse, .rw = rw,
	};

	strcpy(h.detail, detail ? detail : "");
	vmd_hazard_message(&h, buf, sizeof(buf));
	return buf;
}

static void test_messages(void)
{
	T_ASSERT(!strcmp(msg_of(VMD_HZ_MOUNTED, 1, true, true, "/mnt"),
			 "partition 1 is mounted read-write on the host at /mnt: unmount it first"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_MOUNTED, 2, false, false, "/m"),
			 "partition 2 is mounted read-only on the host at /m: unmount it first (read-only: the overlay run is allowed)"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_HOST_ROOT, 0, true, true, NULL),
			 "the disk holds the host's root file system: never boot the running OS in a VM"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_IN_USE, 0, true, false, "/dev/sdb1"),
			 "/dev/sdb1 is in use (mounted, held by device-mapper or opened exclusively): release it first"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_LOCKED, 0, true, false, "d.img"),
			 "d.img is in use by another dualvm process: stop that VM first"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_NTFS_UNREADABLE, 3, false, false, "bad"),
			 "partition 3: NTFS cannot be read (bad): run chkdsk in Windows"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_HIBERNATED, 3, true, false, NULL),
			 "partition 3: Windows is hibernated on this volume: boot Windows natively and shut it down fully"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_HIBERNATED, 3, false, false, NULL),
			 "partition 3: Windows is hibernated on this volume: boot Windows natively and shut it down fully (overlay run: the hibernated session will be lost)"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_FAST_STARTUP, 1, true, false, NULL),
			 "partition 1: Windows Fast Startup keeps this volume's metadata cached: disable Fast Startup and shut Windows down"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_NTFS_UNCLEAN, 1, true, false, NULL),
			 "partition 1: NTFS was not shut down cleanly ($LogFile dirty): boot Windows and shut it down"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_NTFS_DIRTY, 1, true, false, NULL),
			 "partition 1: NTFS is marked dirty: run chkdsk in Windows"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_BITLOCKER, 1, true, false, NULL),
			 "partition 1 is BitLocker-encrypted: Windows will ask for the recovery key in the VM; suspend BitLocker in Windows first"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_EXT_RECOVERY, 1, true, false, NULL),
			 "partition 1: ext file system journal needs recovery (not cleanly unmounted): run e2fsck on it or boot that OS and shut it down"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_EXT_ERRORS, 0, false, false, NULL),
			 "the disk: ext file system has errors or was not cleanly unmounted: run e2fsck"));
	T_ASSERT(!strcmp(msg_of(VMD_HZ_SWAP_HIBERNATED, 1, true, false, NULL),
			 "partition 1: swap partition holds a Linux hibernation image: resume that OS natively and shut it down"));
}

/* A short buffer is cut, not overrun, and stays terminated. */
static void test_message_truncated(void)
{
	struct vmd_hazard h = { .kind = VMD_HZ_BITLOCKER, .partition = 1 };
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	vmd_hazard_message(&h, buf, sizeof(buf));
	T_EQ(strlen(buf), sizeof(buf) - 1);
}

static void test_codes_and_classes(void)
{
	for (int k = 0; k < VMD_HZ_COUNT; k++) {
		T_ASSERT(vmd_hazard_code(k)[0]);
		T_ASSERT(vmd_hazard_advice(k)[0]);
		T_ASSERT(strlen(msg_of(k, 1, false, false, "x")) > 10);
	}
	T_ASSERT(!strcmp(vmd_hazard_code(VMD_HZ_MOUNTED), "mounted"));
	T_ASSERT(!strcmp(vmd_hazard_code(VMD_HZ_LOCKED), "in-use"));
	T_ASSERT(!strcmp(vmd_hazard_code(VMD_HZ_EXT_RECOVERY), "ext-recovery"));
	T_ASSERT(!strcmp(vmd_hazard_advice(VMD_HZ_MOUNTED), "unmount it first"));
	T_ASSERT(vmd_hazard_host_busy(VMD_HZ_MOUNTED));
	T_ASSERT(vmd_hazard_host_busy(VMD_HZ_HOST_ROOT));
	T_ASSERT(vmd_hazard_host_busy(VMD_HZ_IN_USE));
	T_ASSERT(vmd_hazard_host_busy(VMD_HZ_LOCKED));
	T_ASSERT(!vmd_hazard_host_busy(VMD_HZ_HIBERNATED));
	T_ASSERT(!vmd_hazard_host_busy(VMD_HZ_BITLOCKER));
	T_ASSERT(!vmd_hazard_host_busy(VMD_HZ_SWAP_HIBERNATED));
}

static void test_check_add(void)
{
	static struct vmd_check c;
	struct vmd_hazard h = { .kind = VMD_HZ_NTFS_DIRTY };

	for (int i = 0; i < VMD_MAX_HAZARDS + 5; i++) {
		h.refuse = i & 1;
		vmd_check_add(&c, &h);
	}
	T_EQ(c.n, VMD_MAX_HAZARDS);
	T_EQ(c.nrefuse, VMD_MAX_HAZARDS / 2);
	T_EQ(c.nwarn, VMD_MAX_HAZARDS / 2);
}

static void test_mode_names(void)
{
	T_ASSERT(!strcmp(vmd_mode_name(VMD_MODE_UNDOABLE), "undoable"));
	T_ASSERT(!strcmp(vmd_mode_name(VMD_MODE_PERSISTENT), "persistent"));
	T_EQ(vmd_mode_resolve(VMD_MODE_DEFAULT, true, false),
	     VMD_MODE_NONPERSISTENT);
	T_EQ(vmd_mode_resolve(VMD_MODE_DEFAULT, false, true),
	     VMD_MODE_NONPERSISTENT);
	T_EQ(vmd_mode_resolve(VMD_MODE_DEFAULT, false, false),
	     VMD_MODE_PERSISTENT);
	T_EQ(vmd_mode_resolve(VMD_MODE_UNDOABLE, true, true),
	     VMD_MODE_UNDOABLE);
}

static const struct t_case cases[] = {
	T_CASE(test_messages),
	T_CASE(test_message_truncated),
	T_CASE(test_codes_and_classes),
	T_CASE(test_check_add),
	T_CASE(test_mode_names),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
