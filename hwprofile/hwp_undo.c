// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_undo.c --- every file the Linux injector changes is copied, before
 * the first change, to /var/lib/dualvm/inject-undo/<n>.orig inside the
 * guest and listed in the manifest there, one line per file:
 *
 *	<n> modified|removed <sha256-original> <sha256-written|-> <path>
 *
 * `dualvm inject --undo` writes the originals back (byte-exact, checked
 * against the recorded hash) and removes the backups and the manifest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_linux.h"
#include "hwprofile/hwp_undo.h"

#define MANIFEST	HWP_UNDO_DIR "/manifest"

int hwp_undo_begin(struct hwp_undo *u, ext2_filsys fs,
		   struct hwp_inject_report *rep, char *err, size_t errlen)
{
	char *text, *save = NULL;
	size_t len;

	memset(u, 0, sizeof(*u));
	u->fs = fs;
	u->rep = rep;
	u->err = err;
	u->errlen = errlen;
	u->next_idx = 1;
	if (hwp_ext2_read(fs, MANIFEST, &text, &len))
		return 0;
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		struct hwp_undo_ent *e = &u->e[u->n];

		if (u->n >= HWP_MAX_CHANGES)
			break;
		if (sscanf(l, "%u %11s %64s %64s %199[^\n]", &e->idx, e->kind,
			   e->sha_orig, e->sha_new, e->path) != 5 ||
		    e->path[0] != '/') {
			hwp_seterr(err, errlen, "corrupt undo manifest %s",
				   MANIFEST);
			free(text);
			return -EINVAL;
		}
		if (e->idx >= u->next_idx)
			u->next_idx = e->idx + 1;
		u->n++;
	}
	free(text);
	return 0;
}

static struct hwp_undo_ent *find(struct hwp_undo *u, const char *path)
{
	for (unsigned int i = 0; i < u->n; i++)
		if (!strcmp(u->e[i].path, path))
			return &u->e[i];
	return NULL;
}

static int backup(struct hwp_undo *u, const char *path, const void *old,
		  size_t oldlen, const char *kind, struct hwp_undo_ent **out)
{
	struct hwp_undo_ent *e = find(u, path);
	char bpath[256];
	int rc;

	*out = e;
	if (e)
		return 0;	/* the first original is the one kept */
	if (u->n >= HWP_MAX_CHANGES)
		return -ENOSPC;
	rc = hwp_ext2_mkdirs(u->fs, HWP_UNDO_DIR);
	if (rc)
		goto fail;
	e = &u->e[u->n];
	memset(e, 0, sizeof(*e));
	e->idx = u->next_idx++;
	snprintf(bpath, sizeof(bpath), "%s/%u.orig", HWP_UNDO_DIR, e->idx);
	rc = hwp_ext2_write(u->fs, bpath, old, oldlen);
	if (rc)
		goto fail;
	hwp_strlcpy(e->kind, kind, sizeof(e->kind));
	hwp_strlcpy(e->path, path, sizeof(e->path));
	lib_sha256_buf_hex(old, oldlen, e->sha_orig);
	u->n++;
	u->dirty = true;
	*out = e;
	return 0;
fail:
	hwp_seterr(u->err, u->errlen, "backing up %s failed: %s", path,
		   strerror(-rc));
	return rc;
}

int hwp_undo_write(struct hwp_undo *u, const char *path, const void *old,
		   size_t oldlen, const void *new_, size_t newlen,
		   const char *what)
{
	struct hwp_undo_ent *e;
	struct hwp_change *c;
	int rc;

	rc = backup(u, path, old, oldlen, "modified", &e);
	if (rc)
		return rc;
	rc = hwp_ext2_write(u->fs, path, new_, newlen);
	if (rc) {
		hwp_seterr(u->err, u->errlen, "writing %s failed: %s", path,
			   strerror(-rc));
		return rc;
	}
	lib_sha256_buf_hex(new_, newlen, e->sha_new);
	u->dirty = true;
	c = hwp_change_add(u->rep, path, what);
	if (c) {
		lib_sha256_buf_hex(old, oldlen, c->sha256_before);
		hwp_strlcpy(c->sha256_after, e->sha_new,
			    sizeof(c->sha256_after));
	}
	return 0;
}

int hwp_undo_remove(struct hwp_undo *u, const char *path, const char *what)
{
	struct hwp_undo_ent *e;
	struct hwp_change *c;
	char *old;
	size_t len;
	int rc;

	rc = hwp_ext2_read(u->fs, path, &old, &len);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = backup(u, path, old, len, "removed", &e);
	if (!rc)
		rc = hwp_ext2_unlink(u->fs, path);
	if (rc) {
		hwp_seterr(u->err, u->errlen, "removing %s failed: %s", path,
			   strerror(-rc));
		free(old);
		return rc;
	}
	hwp_strlcpy(e->sha_new, "-", sizeof(e->sha_new));
	c = hwp_change_add(u->rep, path, what);
	if (c)
		lib_sha256_buf_hex(old, len, c->sha256_before);
	free(old);
	return 0;
}

static int restore_one(struct hwp_undo *u, const struct hwp_undo_ent *e)
{
	char bpath[256], *orig, *cur = NULL, sha[65], cur_sha[65] = "";
	size_t len, cur_len;
	struct hwp_change *c;
	int rc;

	snprintf(bpath, sizeof(bpath), "%s/%u.orig", HWP_UNDO_DIR, e->idx);
	rc = hwp_ext2_read(u->fs, bpath, &orig, &len);
	if (rc) {
		hwp_seterr(u->err, u->errlen, "undo: backup %s of %s is "
			   "missing", bpath, e->path);
		return rc;
	}
	lib_sha256_buf_hex(orig, len, sha);
	if (strcmp(sha, e->sha_orig)) {
		hwp_seterr(u->err, u->errlen, "undo: backup %s does not match "
			   "its recorded hash; %s left as is", bpath, e->path);
		free(orig);
		return -EINVAL;
	}
	if (!hwp_ext2_read(u->fs, e->path, &cur, &cur_len)) {
		lib_sha256_buf_hex(cur, cur_len, cur_sha);
		free(cur);
		if (strcmp(cur_sha, e->sha_new))
			hwp_note(u->rep, "undo: %s changed after the injection; "
				 "restoring the original anyway", e->path);
	}
	rc = hwp_ext2_write(u->fs, e->path, orig, len);
	free(orig);
	if (rc) {
		hwp_seterr(u->err, u->errlen, "undo: writing %s failed: %s",
			   e->path, strerror(-rc));
		return rc;
	}
	c = hwp_change_add(u->rep, e->path, "restored the original");
	if (c) {
		hwp_strlcpy(c->sha256_before, cur_sha, sizeof(c->sha256_before));
		hwp_strlcpy(c->sha256_after, e->sha_orig,
			    sizeof(c->sha256_after));
	}
	return hwp_ext2_unlink(u->fs, bpath);
}

int hwp_undo_replay(struct hwp_undo *u)
{
	int rc;

	if (!u->n) {
		hwp_seterr(u->err, u->errlen, "nothing to undo (no %s)",
			   MANIFEST);
		return -ENOENT;
	}
	for (unsigned int i = u->n; i-- > 0;) {
		rc = restore_one(u, &u->e[i]);
		if (rc)
			return rc;
	}
	u->n = 0;
	u->dirty = false;
	return hwp_ext2_unlink(u->fs, MANIFEST);
}

int hwp_undo_end(struct hwp_undo *u, bool ok)
{
	size_t cap = (size_t)u->n * 400 + 1, used = 0;
	char *text;
	int rc;

	if (!ok || !u->dirty)
		return 0;
	text = malloc(cap);
	if (!text)
		return -ENOMEM;
	text[0] = '\0';
	for (unsigned int i = 0; i < u->n; i++) {
		const struct hwp_undo_ent *e = &u->e[i];

		used += (size_t)snprintf(text + used, cap - used,
					 "%u %s %s %s %s\n", e->idx, e->kind,
					 e->sha_orig, e->sha_new[0] ?
					 e->sha_new : "-", e->path);
	}
	rc = hwp_ext2_write(u->fs, MANIFEST, text, used);
	if (rc)
		hwp_seterr(u->err, u->errlen, "writing %s failed: %s",
			   MANIFEST, strerror(-rc));
	free(text);
	return rc;
}

void hwp_undo_free(struct hwp_undo *u)
{
	u->n = 0;
}
