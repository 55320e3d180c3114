// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_linux.c --- inspect an installed Linux on an ext2/3/4 root: the
 * distribution (os-release(5)), fstab(5), the bootloader configuration
 * (extlinux/syslinux, GRUB), persistent NIC naming rules, and for every
 * /boot/vmlinuz-<ver> its initramfs (compression, early-microcode prefix,
 * module load list) and which canonical-hardware modules the guest's own
 * /lib/modules/<ver> tree and the initramfs provide.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_cpio.h"
#include "hwprofile/hwp_linux.h"

const char *const hwp_canon_modules[] = {
	"ata_piix", "ata_generic", "libata", "sd_mod", "scsi_mod",
	"e1000", "pcnet32", NULL,
};

static void unquote(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

static void parse_os_release(char *text, struct hwp_linux *lx)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		unquote(eq);
		if (!strcmp(l, "PRETTY_NAME"))
			hwp_strlcpy(lx->distro, eq, sizeof(lx->distro));
		else if (!strcmp(l, "ID"))
			hwp_strlcpy(lx->id, eq, sizeof(lx->id));
		else if (!strcmp(l, "VERSION_ID"))
			hwp_strlcpy(lx->version_id, eq, sizeof(lx->version_id));
	}
}

static void parse_fstab(char *text, struct hwp_linux *lx)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct hwp_fstab_ent *e;
		char spec[128], file[128], type[32], opts[128];
		int n;

		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '#' || !*l)
			continue;
		opts[0] = '\0';
		n = sscanf(l, "%127s %127s %31s %127s", spec, file, type, opts);
		if (n < 3 || lx->n_fstab >= HWP_MAX_FSTAB)
			continue;
		e = &lx->fstab[lx->n_fstab++];
		hwp_strlcpy(e->spec, spec, sizeof(e->spec));
		hwp_strlcpy(e->file, file, sizeof(e->file));
		hwp_strlcpy(e->type, type, sizeof(e->type));
		hwp_strlcpy(e->opts, opts, sizeof(e->opts));
		if (!strcmp(file, "/"))
			hwp_strlcpy(lx->root_device, spec,
				    sizeof(lx->root_device));
	}
}

const struct hwp_bootcfg hwp_bootcfgs[] = {
	{ "extlinux", "/boot/extlinux/extlinux.conf" },
	{ "extlinux", "/extlinux.conf" },
	{ "syslinux", "/boot/syslinux/syslinux.cfg" },
	{ "syslinux", "/syslinux.cfg" },
	{ "grub", "/boot/grub/grub.cfg" },
	{ "grub", "/boot/grub2/grub.cfg" },
	{ NULL, NULL },
};

static void find_root_arg(const char *text, char *out, size_t outlen)
{
	const char *p = text;

	while ((p = strstr(p, "root="))) {
		size_t n = 0;

		if (p > text && p[-1] != ' ' && p[-1] != '\t') {
			p += 5;
			continue;
		}
		p += 5;
		while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n' &&
		       p[n] != '\r')
			n++;
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		return;
	}
}

static void inspect_bootloader(ext2_filsys fs, struct hwp_linux *lx)
{
	for (int i = 0; hwp_bootcfgs[i].type; i++) {
		char *text;
		size_t len;

		if (hwp_ext2_read(fs, hwp_bootcfgs[i].path, &text, &len))
			continue;
		hwp_strlcpy(lx->bootloader, hwp_bootcfgs[i].type,
			    sizeof(lx->bootloader));
		hwp_strlcpy(lx->boot_config, hwp_bootcfgs[i].path,
			    sizeof(lx->boot_config));
		find_root_arg(text, lx->boot_root, sizeof(lx->boot_root));
		free(text);
		return;
	}
}

/* "kernel/drivers/ata/ata_piix.ko.xz" -> "ata_piix" (dashes folded). */
void hwp_mod_name(const char *path, char *out, size_t outlen)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strcspn(b, ".:");
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = b[i] == '-' ? '_' : b[i];
	out[n] = '\0';
}

/* Does a line-per-module list (modules.dep, modules.builtin) name @mod? */
bool hwp_modlist_has(const char *text, const char *mod)
{
	const char *l = text;
	char name[64];

	while (l && *l) {
		const char *end = strchr(l, '\n');
		size_t n = strcspn(l, ":\n");
		char path[256];

		if (n < sizeof(path)) {
			memcpy(path, l, n);
			path[n] = '\0';
			hwp_mod_name(path, name, sizeof(name));
			if (!strcmp(name, mod))
				return true;
		}
		l = end ? end + 1 : NULL;
	}
	return false;
}

static bool initrd_has_module(struct hwp_cpio *c, const char *mod)
{
	char name[64];

	for (size_t i = 0; i < c->n; i++) {
		const char *n = c->e[i].name;
		size_t len = strlen(n);

		if (!strstr(n, ".ko") || len < 4)
			continue;
		hwp_mod_name(n, name, sizeof(name));
		if (!strcmp(name, mod))
			return true;
	}
	return false;
}

static void inspect_initrd(ext2_filsys fs, struct hwp_kernel *k,
			   const char *dep, const char *builtin)
{
	struct hwp_cpio c;
	char *buf;
	size_t len, prefix;
	bool unpacked = false;

	if (hwp_ext2_read(fs, k->initrd, &buf, &len))
		return;
	hwp_strlcpy(k->initrd_format, hwp_initrd_format(buf, len, &prefix),
		    sizeof(k->initrd_format));
	k->early_cpio = prefix > 0;
	if (!hwp_cpio_read(buf + prefix, len - prefix, &c)) {
		unpacked = true;
		if (hwp_cpio_find(&c, "conf/modules"))
			hwp_strlcpy(k->load_list, "conf/modules",
				    sizeof(k->load_list));
		else if (hwp_cpio_find(&c, "usr/lib/dracut") ||
			 hwp_cpio_find(&c, "etc/cmdline.d"))
			hwp_strlcpy(k->load_list, "dracut",
				    sizeof(k->load_list));
	}
	for (unsigned int i = 0; i < k->n_mods; i++) {
		struct hwp_modcheck *m = &k->mods[i];

		m->in_initrd = m->builtin ||
			       (unpacked && initrd_has_module(&c, m->name));
	}
	if (unpacked)
		hwp_cpio_free(&c);
	free(buf);
	(void)dep;
	(void)builtin;
}

void hwp_kernel_modcheck(ext2_filsys fs, struct hwp_kernel *k,
			 const char *rootfs_mod, char **depp)
{
	char path[256], *dep = NULL, *builtin = NULL;
	size_t len;
	unsigned int n = 0;

	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", k->version);
	k->modules_tree = !hwp_ext2_read(fs, path, &dep, &len);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin",
		 k->version);
	if (hwp_ext2_read(fs, path, &builtin, &len))
		builtin = NULL;
	for (int i = 0; hwp_canon_modules[i] && n < HWP_MAX_MODS - 1; i++)
		hwp_strlcpy(k->mods[n++].name, hwp_canon_modules[i],
			    sizeof(k->mods[0].name));
	if (rootfs_mod && rootfs_mod[0])
		hwp_strlcpy(k->mods[n++].name, rootfs_mod,
			    sizeof(k->mods[0].name));
	k->n_mods = n;
	for (unsigned int i = 0; i < n; i++) {
		struct hwp_modcheck *m = &k->mods[i];

		m->builtin = builtin && hwp_modlist_has(builtin, m->name);
		m->in_tree = m->builtin || (dep && hwp_modlist_has(dep, m->name));
	}
	if (k->initrd[0])
		inspect_initrd(fs, k, dep, builtin);
	free(builtin);
	if (depp)
		*depp = dep;
	else
		free(dep);
}

struct kctx {
	ext2_filsys		fs;
	struct hwp_linux	*lx;
};

static int add_kernel(const char *name, int ftype, void *arg)
{
	static const char *const initrds[][2] = {
		{ "/boot/initrd.img-", "" }, { "/boot/initramfs-", ".img" },
		{ "/boot/initrd-", ".img" }, { "/boot/initrd-", "" },
		{ NULL, NULL },
	};
	struct kctx *c = arg;
	struct hwp_kernel *k;

	if (strncmp(name, "vmlinuz-", 8) || !name[8] ||
	    c->lx->n_kernels >= HWP_MAX_KERNELS)
		return 0;
	k = &c->lx->kernels[c->lx->n_kernels++];
	memset(k, 0, sizeof(*k));
	hwp_strlcpy(k->version, name + 8, sizeof(k->version));
	snprintf(k->vmlinuz, sizeof(k->vmlinuz), "/boot/%s", name);
	for (int i = 0; initrds[i][0]; i++) {
		char p[160];

		snprintf(p, sizeof(p), "%s%s%s", initrds[i][0], k->version,
			 initrds[i][1]);
		if (hwp_ext2_exists(c->fs, p, NULL)) {
			hwp_strlcpy(k->initrd, p, sizeof(k->initrd));
			break;
		}
	}
	return 0;
}

static int cmp_kernel(const void *a, const void *b)
{
	return strcmp(((const struct hwp_kernel *)a)->version,
		      ((const struct hwp_kernel *)b)->version);
}

const char *hwp_linux_rootfs_module(const struct hwp_linux *lx)
{
	for (unsigned int i = 0; i < lx->n_fstab; i++)
		if (!strcmp(lx->fstab[i].file, "/")) {
			const char *t = lx->fstab[i].type;

			if (!strcmp(t, "ext2") || !strcmp(t, "ext3"))
				return "ext4";	/* ext4 serves all three */
			if (!strcmp(t, "auto"))
				return "";
			return t;
		}
	return "ext4";
}

int hwp_linux_inspect(ext2_filsys fs, struct hwp_linux *lx)
{
	struct kctx c = { fs, lx };
	char *text;
	size_t len;

	if (!hwp_ext2_exists(fs, "/etc", NULL) ||
	    (!hwp_ext2_exists(fs, "/boot", NULL) &&
	     !hwp_ext2_exists(fs, "/etc/fstab", NULL)))
		return -ENOENT;
	if (!hwp_ext2_read(fs, "/etc/os-release", &text, &len) ||
	    !hwp_ext2_read(fs, "/usr/lib/os-release", &text, &len)) {
		parse_os_release(text, lx);
		free(text);
	}
	if (!hwp_ext2_read(fs, "/etc/fstab", &text, &len)) {
		parse_fstab(text, lx);
		free(text);
	}
	inspect_bootloader(fs, lx);
	lx->persistent_net = hwp_ext2_exists(fs, HWP_NET_RULES, NULL);
	hwp_ext2_list(fs, "/boot", add_kernel, &c);
	qsort(lx->kernels, lx->n_kernels, sizeof(lx->kernels[0]), cmp_kernel);
	for (unsigned int i = 0; i < lx->n_kernels; i++)
		hwp_kernel_modcheck(fs, &lx->kernels[i],
				    hwp_linux_rootfs_module(lx), NULL);
	return 0;
}
