// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_initrd.c --- add the canonical-hardware modules to one kernel's
 * initramfs: resolve each wanted module and its modules.dep closure
 * (depmod(8) format "path: dep dep ...") in the guest's own
 * /lib/modules/<ver>, copy the missing .ko files into the archive (parent
 * directories first), append them in dependency order to the early load
 * list conf/modules (initramfs-tools and our test guests; full paths or
 * module names, whichever the list already uses), refresh the archive's
 * modules.* index files from the guest, and repack in the original
 * compression behind the untouched early-microcode prefix.  dracut images
 * are reported as unsupported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_cpio.h"
#include "hwprofile/hwp_linux.h"
#include "hwprofile/hwp_undo.h"

#define MAX_CLOSURE	64

struct closure {
	char	*path[MAX_CLOSURE];	/* module paths, load order */
	unsigned int n;
	const char *softdep;		/* modules.softdep text or NULL */
	const char *alias;		/* modules.alias text or NULL */
};

/* Module name an alias resolves to ("crypto-crc32c" -> "crc32c_generic"),
 * or @name itself. */
static void resolve_alias(const char *alias, const char *name, char *out,
			  size_t outlen)
{
	const char *l = alias;
	char a[128], t[64];

	hwp_strlcpy(out, name, outlen);
	while (l && *l) {
		if (sscanf(l, "alias %127s %63s", a, t) == 2 && !strcmp(a, name)) {
			hwp_mod_name(t, out, outlen);
			return;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
}

static const char *dep_line(const char *dep, const char *name, bool by_path);
static int visit(const char *dep, const char *line, struct closure *c,
		 unsigned int depth);

/* Load the "softdep <mod> pre: ..." modules of @mod first. */
static int visit_softdeps(const char *dep, const char *mod,
			  struct closure *c, unsigned int depth)
{
	const char *l = c->softdep;
	char word[128], name[64], res[64];

	while (l && *l) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char line[512];

		if (len < sizeof(line)) {
			memcpy(line, l, len);
			line[len] = '\0';
			if (sscanf(line, "softdep %63s", name) == 1) {
				char *p = strstr(line, " pre:");
				char *save = NULL;

				hwp_mod_name(name, res, sizeof(res));
				if (!strcmp(res, mod) && p) {
					p = strtok_r(p + 5, " \t", &save);
					for (; p && strcmp(p, "post:");
					     p = strtok_r(NULL, " \t", &save)) {
						const char *dl;

						hwp_strlcpy(word, p, sizeof(word));
						resolve_alias(c->alias, word, res,
							      sizeof(res));
						dl = dep_line(dep, res, false);
						if (dl && visit(dep, dl, c, depth + 1))
							return -ELOOP;
					}
				}
			}
		}
		l = end ? end + 1 : NULL;
	}
	return 0;
}

/* The modules.dep line for module @name (path up to ':'), or NULL. */
static const char *dep_line(const char *dep, const char *name, bool by_path)
{
	const char *l = dep;
	char mod[64], path[256];

	while (l && *l) {
		size_t n = strcspn(l, ":\n");

		if (n < sizeof(path) && l[n] == ':') {
			memcpy(path, l, n);
			path[n] = '\0';
			if (by_path) {
				if (!strcmp(path, name))
					return l;
			} else {
				hwp_mod_name(path, mod, sizeof(mod));
				if (!strcmp(mod, name))
					return l;
			}
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return NULL;
}

static bool in_closure(const struct closure *c, const char *path)
{
	for (unsigned int i = 0; i < c->n; i++)
		if (!strcmp(c->path[i], path))
			return true;
	return false;
}

/* Depth-first: dependencies before the module itself. */
static int visit(const char *dep, const char *line, struct closure *c,
		 unsigned int depth)
{
	char path[256], d[256];
	size_t n = strcspn(line, ":");
	const char *p;

	if (depth > 32 || n >= sizeof(path))
		return -ELOOP;
	memcpy(path, line, n);
	path[n] = '\0';
	if (in_closure(c, path))
		return 0;
	hwp_mod_name(path, d, sizeof(d));
	if (visit_softdeps(dep, d, c, depth))
		return -ELOOP;
	for (p = line + n + 1; *p && *p != '\n';) {
		size_t k;
		const char *dl;

		p += strspn(p, " \t");
		k = strcspn(p, " \t\n");
		if (!k)
			break;
		if (k < sizeof(d)) {
			memcpy(d, p, k);
			d[k] = '\0';
			dl = dep_line(dep, d, true);
			if (dl && visit(dep, dl, c, depth + 1))
				return -ELOOP;
		}
		p += k;
	}
	if (c->n >= MAX_CLOSURE || in_closure(c, path))
		return c->n >= MAX_CLOSURE ? -E2BIG : 0;
	c->path[c->n] = strdup(path);
	if (!c->path[c->n])
		return -ENOMEM;
	c->n++;
	return 0;
}

static int ensure_dirs(struct hwp_cpio *cp, const char *file)
{
	char dir[300];

	for (const char *s = strchr(file, '/'); s; s = strchr(s + 1, '/')) {
		size_t n = (size_t)(s - file);

		if (n >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, file, n);
		dir[n] = '\0';
		if (!hwp_cpio_find(cp, dir) &&
		    hwp_cpio_add(cp, dir, 040755, NULL, 0, NULL))
			return -ENOMEM;
	}
	return 0;
}

/* Does conf/modules already load module @name? */
static bool list_has(const char *list, const char *name)
{
	char line[300], mod[64];
	const char *l = list;

	while (*l) {
		size_t n = strcspn(l, "\n");

		if (n < sizeof(line) && *l != '#') {
			memcpy(line, l, n);
			line[n] = '\0';
			line[strcspn(line, " \t")] = '\0';
			hwp_mod_name(line, mod, sizeof(mod));
			if (!strcmp(mod, name))
				return true;
		}
		l += n;
		if (*l)
			l++;
	}
	return false;
}

static bool list_uses_paths(const char *list)
{
	for (const char *l = list; *l;) {
		l += strspn(l, " \t");
		if (*l == '/')
			return true;
		if (*l && *l != '#' && *l != '\n')
			return false;
		l += strcspn(l, "\n");
		if (*l)
			l++;
	}
	return false;
}

static int add_modules(struct hwp_undo *u, const struct hwp_kernel *k,
		       struct hwp_cpio *cp, const struct closure *c,
		       char *added, size_t addedlen, unsigned int *nadd)
{
	struct hwp_cpio_ent *le = hwp_cpio_find(cp, "conf/modules");
	size_t li = le ? (size_t)(le - cp->e) : 0;	/* e[] may move */
	char *list = NULL, name[320], mod[64];
	size_t llen = 0;
	bool paths;
	int rc = 0;

	if (le) {
		list = malloc(le->len + (size_t)c->n * 330 + 2);
		if (!list)
			return -ENOMEM;
		if (le->len)
			memcpy(list, le->data, le->len);
		llen = le->len;
		list[llen] = '\0';
	}
	paths = list && list_uses_paths(list);
	for (unsigned int i = 0; i < c->n; i++) {
		char file[300], guest[400], *data;
		size_t len;

		snprintf(file, sizeof(file), "lib/modules/%s/%s", k->version,
			 c->path[i]);
		if (!hwp_cpio_find(cp, file)) {
			snprintf(guest, sizeof(guest), "/%s", file);
			rc = hwp_ext2_read(u->fs, guest, &data, &len);
			if (rc) {
				hwp_note(u->rep, "%s: module file %s is missing "
					 "in the guest", k->initrd, guest);
				continue;
			}
			rc = ensure_dirs(cp, file);
			if (!rc)
				rc = hwp_cpio_add(cp, file, 0100644, data, len,
						  NULL);
			free(data);
			if (rc)
				goto out;
			(*nadd)++;
		}
		hwp_mod_name(c->path[i], mod, sizeof(mod));
		if (list && !list_has(list, mod)) {
			if (paths)
				snprintf(name, sizeof(name), "/%s", file);
			else
				hwp_strlcpy(name, mod, sizeof(name));
			if (llen && list[llen - 1] != '\n')
				list[llen++] = '\n';
			llen += (size_t)sprintf(list + llen, "%s\n", name);
			(*nadd)++;
			if (strlen(added) + strlen(mod) + 2 < addedlen) {
				strcat(added, added[0] ? " " : "");
				strcat(added, mod);
			}
		}
	}
	if (le) {
		le = &cp->e[li];
		free(le->data);
		le->data = (uint8_t *)list;
		le->len = llen;
		list = NULL;
	}
out:
	free(list);
	return rc;
}

/* Replace lib/modules/<ver>/modules.* in the archive with the guest's. */
static unsigned int refresh_index(struct hwp_undo *u,
				  const struct hwp_kernel *k,
				  struct hwp_cpio *cp)
{
	char pfx[128], guest[400], *data;
	unsigned int n = 0;
	size_t len;

	snprintf(pfx, sizeof(pfx), "lib/modules/%s/modules.", k->version);
	for (size_t i = 0; i < cp->n; i++) {
		struct hwp_cpio_ent *e = &cp->e[i];
		const char *nm = e->name + (e->name[0] == '.' && e->name[1] == '/' ? 2 : 0);

		if (strncmp(nm, pfx, strlen(pfx)) || (e->mode & 0170000) != 0100000)
			continue;
		snprintf(guest, sizeof(guest), "/%s", nm);
		if (hwp_ext2_read(u->fs, guest, &data, &len))
			continue;
		if (len == e->len && (!len || !memcmp(data, e->data, len))) {
			free(data);
			continue;
		}
		free(e->data);
		e->data = (uint8_t *)data;
		e->len = len;
		n++;
	}
	return n;
}

static int build_closure(struct hwp_undo *u, const struct hwp_kernel *k,
			 const char *dep, struct closure *c)
{
	for (unsigned int i = 0; i < k->n_mods; i++) {
		const struct hwp_modcheck *m = &k->mods[i];
		const char *l;
		int rc;

		if (m->builtin)
			continue;
		l = dep_line(dep, m->name, false);
		if (!l) {
			hwp_note(u->rep, "kernel %s: module %s is not in the "
				 "guest's /lib/modules (not available)",
				 k->version, m->name);
			continue;
		}
		rc = visit(dep, l, c, 0);
		if (rc)
			return rc;
	}
	return 0;
}

int hwp_initrd_inject(struct hwp_undo *u, const struct hwp_kernel *k,
		      const char *rootfs_mod)
{
	struct hwp_kernel kk = *k;
	struct closure c = { .n = 0 };
	struct hwp_cpio cp;
	char *buf = NULL, *dep = NULL, added[512] = "", what[160];
	char *softdep = NULL, *alias = NULL, path[200];
	void *out = NULL;
	size_t len, prefix, outlen, auxlen;
	unsigned int nadd = 0;
	const char *fmt;
	int rc = 0;

	if (!k->initrd[0]) {
		hwp_note(u->rep, "kernel %s has no initramfs; not changed",
			 k->version);
		return 0;
	}
	if (!strcmp(k->load_list, "dracut")) {
		hwp_note(u->rep, "%s is a dracut image: not supported; "
			 "rebuild it in the guest with dracut --no-hostonly",
			 k->initrd);
		return 0;
	}
	hwp_kernel_modcheck(u->fs, &kk, rootfs_mod, &dep);
	if (!dep) {
		hwp_note(u->rep, "kernel %s: no /lib/modules/%s/modules.dep; "
			 "initramfs not changed", k->version, k->version);
		return 0;
	}
	rc = hwp_ext2_read(u->fs, k->initrd, &buf, &len);
	if (rc)
		goto out;
	fmt = hwp_initrd_format(buf, len, &prefix);
	if (!strcmp(fmt, "unknown")) {
		hwp_note(u->rep, "%s: unknown compression; not changed",
			 k->initrd);
		goto out;
	}
	rc = hwp_cpio_read(buf + prefix, len - prefix, &cp);
	if (rc) {
		hwp_seterr(u->err, u->errlen, "%s: cannot unpack (%s)",
			   k->initrd, strerror(-rc));
		goto out;
	}
	if (!hwp_cpio_find(&cp, "conf/modules"))
		hwp_note(u->rep, "%s: no conf/modules load list; modules are "
			 "added but may not load early", k->initrd);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.softdep",
		 k->version);
	if (!hwp_ext2_read(u->fs, path, &softdep, &auxlen))
		c.softdep = softdep;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.alias",
		 k->version);
	if (!hwp_ext2_read(u->fs, path, &alias, &auxlen))
		c.alias = alias;
	rc = build_closure(u, &kk, dep, &c);
	if (!rc)
		rc = add_modules(u, k, &cp, &c, added, sizeof(added), &nadd);
	if (!rc && nadd)
		nadd += refresh_index(u, k, &cp);
	if (!rc && nadd)
		rc = hwp_cpio_write(&cp, fmt, buf, prefix, &out, &outlen);
	hwp_cpio_free(&cp);
	if (rc || !nadd) {
		if (rc)
			hwp_seterr(u->err, u->errlen, "%s: repacking failed: %s",
				   k->initrd, strerror(-rc));
		goto out;
	}
	snprintf(what, sizeof(what), "initramfs (%s%s): load %s", fmt,
		 prefix ? " + early cpio" : "", added[0] ? added : "modules");
	rc = hwp_undo_write(u, k->initrd, buf, len, out, outlen, what);
out:
	for (unsigned int i = 0; i < c.n; i++)
		free(c.path[i]);
	free(out);
	free(buf);
	free(dep);
	free(softdep);
	free(alias);
	return rc;
}
