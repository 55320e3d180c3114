// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_vmlib.c --- the VM library: one folder per VM under
 * $XDG_DATA_HOME/dualvm/vms/ (XDG Base Directory Specification 0.8:
 * XDG_DATA_HOME when set to an absolute path, else $HOME/.local/share)
 *
 * Each folder holds NAME/vm.dualvm, dualvm's own definition with the
 * disks named by absolute path, and what was made for the VM: disks an
 * OVA import extracted, undoable overlays of its runs (DISK.undo.qcow2
 * with their .dualvm, .view.vmdk and .commit side files), NVRAM files.
 * Removing a VM removes those and nothing else: never a disk it names
 * outside its folder, never a file it does not know.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p2v/p2v_esc.h"
#include "p2v/p2v_priv.h"

#define LIB_SUBDIR	"dualvm/vms"

bool p2v_lib_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > P2V_LIB_NAME_MAX ||
	    !((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
	      (*name >= '0' && *name <= '9')))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._+-") == n;
}

int p2v_lib_dir(char *out, size_t len, char *err, size_t errlen)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");

	if (x && x[0] == '/')
		snprintf(out, len, "%s/%s", x, LIB_SUBDIR);
	else if (h && h[0] == '/')
		snprintf(out, len, "%s/.local/share/%s", h, LIB_SUBDIR);
	else {
		snprintf(err, errlen, "the VM library needs HOME or XDG_DATA_HOME (an absolute path)");
		return -ENOENT;
	}
	return 0;
}

int p2v_lib_paths(const char *name, char *dir, char *def, size_t len,
		  char *err, size_t errlen)
{
	char base[PATH_MAX];
	int e;

	if (!p2v_lib_name_ok(name)) {
		snprintf(err, errlen, "'%.100s' is not a VM name (1-%d of A-Z a-z 0-9 . _ + -, starting with a letter or digit)",
			 name, P2V_LIB_NAME_MAX);
		return -EINVAL;
	}
	e = p2v_lib_dir(base, sizeof(base), err, errlen);
	if (e)
		return e;
	snprintf(dir, len, "%s/%s", base, name);
	if (def)
		snprintf(def, len, "%s/%s/%s", base, name, P2V_LIB_DEF);
	return 0;
}

bool p2v_lib_exists(const char *name)
{
	char dir[PATH_MAX], def[PATH_MAX], err[256];
	struct stat st;

	return !p2v_lib_paths(name, dir, def, sizeof(dir), err, sizeof(err)) &&
	       !lstat(def, &st) && S_ISREG(st.st_mode);
}

/* mkdir -p @path (0700 for what it makes). */
static int mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

int p2v_lib_mkdir(const char *name, char *dir, size_t len, char *err,
		  size_t errlen)
{
	char base[PATH_MAX];
	int e;

	e = p2v_lib_paths(name, dir, NULL, len, err, errlen);
	if (!e)
		e = p2v_lib_dir(base, sizeof(base), err, errlen);
	if (e)
		return e;
	e = mkdirs(base);
	if (!e && mkdir(dir, 0700))
		e = -errno;
	if (e == -EEXIST)
		snprintf(err, errlen, "a VM named '%s' exists already (%s)", name,
			 dir);
	else if (e)
		snprintf(err, errlen, "%s: %s", dir, strerror(-e));
	return e;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int p2v_lib_list(char ***names, unsigned int *n, char *err, size_t errlen)
{
	char base[PATH_MAX];
	unsigned int cap = 0;
	struct dirent *de;
	DIR *dp;
	int e;

	*names = NULL;
	*n = 0;
	e = p2v_lib_dir(base, sizeof(base), err, errlen);
	if (e)
		return e;
	dp = opendir(base);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", base, strerror(errno));
		return -errno;
	}
	while ((de = readdir(dp))) {
		char **grown;

		if (!p2v_lib_name_ok(de->d_name) || !p2v_lib_exists(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(*names, cap * sizeof(**names));
			if (!grown) {
				e = -ENOMEM;
				break;
			}
			*names = grown;
		}
		(*names)[*n] = strdup(de->d_name);
		if (!(*names)[*n]) {
			e = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(dp);
	if (e) {
		snprintf(err, errlen, "out of memory");
		return e;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_name);
	return 0;
}

/* ---------------------------------------------------------------- write */

static int kv(FILE *f, const char *key, const char *val)
{
	char *e;
	int rc = p2v_escape_dup(P2V_ESC_DUALVM, val, &e);

	if (rc)
		return rc;
	fprintf(f, "%s = %s\n", key, e);
	free(e);
	return 0;
}

static int def_body(FILE *f, const struct p2v_vmdef *d)
{
	char k[32], v[24];
	int rc = 0;

	fprintf(f, "# dualvm VM configuration (written by dualvm vm)\n"
		"# key = value; '#' starts a comment; disks by absolute path\n"
		"# values: \\\\ is a backslash, \\xHH a byte (controls, edge spaces)\n");
	rc = kv(f, "name", d->name);
	if (!rc)
		rc = kv(f, "machine", "pc-i440fx");
	if (!rc && d->mem_mib) {
		snprintf(v, sizeof(v), "%u", d->mem_mib);
		rc = kv(f, "memory_mib", v);
	}
	if (!rc && d->cpus) {
		snprintf(v, sizeof(v), "%u", d->cpus);
		rc = kv(f, "cpus", v);
	}
	if (!rc)
		rc = kv(f, "firmware", d->uefi ? "uefi" : "bios");
	for (unsigned int i = 0; !rc && i < d->ndisks; i++) {
		snprintf(k, sizeof(k), "disk%u", i);
		rc = kv(f, k, d->disk[i].path);
		if (!rc && d->disk[i].mode[0]) {
			snprintf(k, sizeof(k), "disk%u.mode", i);
			rc = kv(f, k, d->disk[i].mode);
		}
		if (!rc && d->disk[i].partitions[0]) {
			snprintf(k, sizeof(k), "disk%u.partitions", i);
			rc = kv(f, k, d->disk[i].partitions);
		}
	}
	if (!rc)
		rc = kv(f, "nic0", d->nic ? "e1000" : "none");
	return rc;
}

int p2v_vmdef_write(const struct p2v_vmdef *d, const char *path, char *err,
		    size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return rc;
	}
	rc = def_body(f, d);
	if (fflush(f) || fsync(fileno(f)))
		rc = rc ? rc : -errno;
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(path);
	}
	return rc;
}

/* ---------------------------------------------------------------- remove */

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/* Is the file @leaf of a VM folder one the library (or a run) made? */
static bool ours(const char *leaf, const struct p2v_vmdef *d, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(leaf, P2V_LIB_DEF) || ends(leaf, ".nvram") ||
	    ends(leaf, ".undo.qcow2.dualvm") ||
	    ends(leaf, ".undo.qcow2.view.vmdk") ||
	    ends(leaf, ".undo.qcow2.commit") || ends(leaf, ".undo.qcow2"))
		return true;
	for (unsigned int i = 0; d && i < d->ndisks; i++)
		if (!strncmp(d->disk[i].path, dir, n) &&
		    d->disk[i].path[n] == '/' &&
		    !strcmp(d->disk[i].path + n + 1, leaf))
			return true;
	return false;
}

int p2v_lib_remove(const char *dir, void (*removed)(void *ctx, const char *path),
		   void (*kept)(void *ctx, const char *path), void *ctx,
		   char *err, size_t errlen)
{
	struct p2v_vmdef *d = calloc(1, sizeof(*d));
	char def[PATH_MAX], p[PATH_MAX + 300], why[256];
	struct dirent *de;
	DIR *dp;
	int e = 0;

	if (!d)
		return -ENOMEM;
	snprintf(def, sizeof(def), "%s/%s", dir, P2V_LIB_DEF);
	/* which disks lie inside: a damaged definition names none */
	if (p2v_vmdef_load(def, P2V_VMDEF_NOCHECK, d, why, sizeof(why)))
		d->ndisks = 0;
	for (int pass = 0; pass < 2 && !e; pass++) {
		dp = opendir(dir);
		if (!dp) {
			e = -errno;
			snprintf(err, errlen, "%s: %s", dir, strerror(-e));
			break;
		}
		while ((de = readdir(dp))) {
			struct stat st;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			if (pass == 0) {
				/* first: refuse before removing anything */
				if (ends(de->d_name, ".undo.qcow2") &&
				    !lstat(p, &st) && S_ISREG(st.st_mode)) {
					snprintf(err, errlen, "%s holds changes not committed: `dualvm disk commit %s` or `dualvm disk discard %s` first",
						 p, p, p);
					e = -EBUSY;
					break;
				}
				continue;
			}
			if (!lstat(p, &st) && !S_ISDIR(st.st_mode) &&
			    ours(de->d_name, d, dir)) {
				if (unlink(p) == 0) {
					if (removed)
						removed(ctx, p);
					continue;
				}
			}
			if (kept)
				kept(ctx, p);
		}
		closedir(dp);
	}
	if (!e && rmdir(dir) == 0 && removed)
		removed(ctx, dir);
	free(d);
	return e;
}
