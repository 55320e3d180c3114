/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwp_linux.h --- Linux inspection pieces shared with Linux injection.
 */
#ifndef DUALVM_HWP_LINUX_H
#define DUALVM_HWP_LINUX_H

#include "hwprofile/hwp_priv.h"

#define HWP_NET_RULES	"/etc/udev/rules.d/70-persistent-net.rules"
#define HWP_UNDO_DIR	"/var/lib/dualvm/inject-undo"

struct hwp_bootcfg {
	const char	*type;		/* "extlinux", "grub", NULL ends */
	const char	*path;		/* config file in the guest */
};
extern const struct hwp_bootcfg hwp_bootcfgs[];

/* Module name of a .ko path ("-" folded to "_", extension dropped). */
void hwp_mod_name(const char *path, char *out, size_t outlen);
/* Does modules.dep / modules.builtin text name module @mod? */
bool hwp_modlist_has(const char *text, const char *mod);
/* Fill k->mods for the canonical modules plus @rootfs_mod; returns the
 * modules.dep text in *@depp (malloc'ed, NULL if missing) when wanted. */
void hwp_kernel_modcheck(ext2_filsys fs, struct hwp_kernel *k,
			 const char *rootfs_mod, char **depp);
/* Module serving the root file system from fstab ("ext4"). */
const char *hwp_linux_rootfs_module(const struct hwp_linux *lx);

#endif
