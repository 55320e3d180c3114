// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_ext2.c --- whole-file access to an ext2/3/4 guest file system through
 * libext2fs (opened over an rd_disk with rd_ext2_open): read with symlinks
 * followed, replace contents, create directories, list and unlink.  The
 * file system handle must have its bitmaps loaded before any write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hwprofile/hwp_priv.h"

static int ext2_err(errcode_t e)
{
	if (!e)
		return 0;
	if (e == EXT2_ET_FILE_NOT_FOUND || e == EXT2_ET_NO_DIRECTORY)
		return -ENOENT;
	if (e == EXT2_ET_DIR_NO_SPACE || e == EXT2_ET_BLOCK_ALLOC_FAIL ||
	    e == EXT2_ET_INODE_ALLOC_FAIL)
		return -ENOSPC;
	if (e == EXT2_ET_RO_FILSYS)
		return -EROFS;
	if (e > 0 && e < 4096)
		return -(int)e;
	return -EIO;
}

static int lookup(ext2_filsys fs, const char *path, bool follow,
		  ext2_ino_t *ino)
{
	errcode_t e;

	while (*path == '/')
		path++;
	if (!*path) {
		*ino = EXT2_ROOT_INO;
		return 0;
	}
	if (follow)
		e = ext2fs_namei_follow(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path,
					ino);
	else
		e = ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
	return ext2_err(e);
}

bool hwp_ext2_exists(ext2_filsys fs, const char *path, ext2_ino_t *ino)
{
	ext2_ino_t i;

	if (lookup(fs, path, true, &i))
		return false;
	if (ino)
		*ino = i;
	return true;
}

int hwp_ext2_read(ext2_filsys fs, const char *path, char **buf, size_t *len)
{
	struct ext2_inode_large inode;
	ext2_ino_t ino;
	ext2_file_t f;
	unsigned int got;
	uint64_t size;
	char *p;
	int rc;

	*buf = NULL;
	*len = 0;
	rc = lookup(fs, path, true, &ino);
	if (rc)
		return rc;
	rc = ext2_err(ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)&inode,
					     sizeof(inode)));
	if (rc)
		return rc;
	if (!LINUX_S_ISREG(inode.i_mode))
		return -EISDIR;
	size = EXT2_I_SIZE(&inode);
	if (size > HWP_FILE_MAX)
		return -EFBIG;
	p = malloc(size + 1);
	if (!p)
		return -ENOMEM;
	rc = ext2_err(ext2fs_file_open(fs, ino, 0, &f));
	if (rc)
		goto out_free;
	rc = ext2_err(ext2fs_file_read(f, p, (unsigned int)size, &got));
	ext2fs_file_close(f);
	if (!rc && got != size)
		rc = -EIO;
	if (rc)
		goto out_free;
	p[size] = '\0';
	*buf = p;
	*len = size;
	return 0;
out_free:
	free(p);
	return rc;
}

/* Split "/a/b/c" into the inode of "/a/b" and "c". */
static int parent_of(ext2_filsys fs, const char *path, ext2_ino_t *dir,
		     char *name, size_t namelen)
{
	char tmp[512];
	char *slash;

	hwp_strlcpy(tmp, path, sizeof(tmp));
	slash = strrchr(tmp, '/');
	if (!slash || !slash[1] || strlen(slash + 1) >= namelen)
		return -EINVAL;
	hwp_strlcpy(name, slash + 1, namelen);
	*slash = '\0';
	return lookup(fs, tmp, true, dir);
}

static int create_file(ext2_filsys fs, ext2_ino_t dir, const char *name,
		       ext2_ino_t *out)
{
	struct ext2_inode inode;
	ext2_extent_handle_t h;
	ext2_ino_t ino;
	errcode_t e;

	e = ext2fs_new_inode(fs, dir, LINUX_S_IFREG | 0644, NULL, &ino);
	if (e)
		return ext2_err(e);
	e = ext2fs_link(fs, dir, name, ino, EXT2_FT_REG_FILE);
	if (e == EXT2_ET_DIR_NO_SPACE) {
		e = ext2fs_expand_dir(fs, dir);
		if (!e)
			e = ext2fs_link(fs, dir, name, ino, EXT2_FT_REG_FILE);
	}
	if (e)
		return ext2_err(e);
	ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = LINUX_S_IFREG | 0644;
	inode.i_links_count = 1;
	inode.i_atime = inode.i_ctime = inode.i_mtime = (uint32_t)time(NULL);
	if (ext2fs_has_feature_extents(fs->super)) {
		inode.i_flags |= EXT4_EXTENTS_FL;
		e = ext2fs_extent_open2(fs, ino, &inode, &h);
		if (e)
			return ext2_err(e);
		ext2fs_extent_free(h);
	}
	e = ext2fs_write_new_inode(fs, ino, &inode);
	if (e)
		return ext2_err(e);
	*out = ino;
	return 0;
}

int hwp_ext2_write(ext2_filsys fs, const char *path, const void *buf,
		   size_t len)
{
	ext2_ino_t dir, ino;
	char name[256];
	ext2_file_t f;
	unsigned int put;
	errcode_t e, e2;
	int rc;

	if (len > HWP_FILE_MAX)
		return -EFBIG;
	if (lookup(fs, path, true, &ino)) {
		rc = parent_of(fs, path, &dir, name, sizeof(name));
		if (rc)
			return rc;
		rc = create_file(fs, dir, name, &ino);
		if (rc)
			return rc;
	}
	e = ext2fs_file_open(fs, ino, EXT2_FILE_WRITE, &f);
	if (e)
		return ext2_err(e);
	e = ext2fs_file_set_size2(f, 0);
	if (!e && len)
		e = ext2fs_file_write(f, buf, (unsigned int)len, &put);
	if (!e && len && put != len)
		e = EXT2_ET_SHORT_WRITE;
	e2 = ext2fs_file_close(f);
	return ext2_err(e ? e : e2);
}

int hwp_ext2_mkdirs(ext2_filsys fs, const char *path)
{
	char tmp[512], *p;
	ext2_ino_t ino, parent = EXT2_ROOT_INO;
	errcode_t e;

	hwp_strlcpy(tmp, path, sizeof(tmp));
	for (p = strtok(tmp, "/"); p; p = strtok(NULL, "/")) {
		e = ext2fs_lookup(fs, parent, p, (int)strlen(p), NULL, &ino);
		if (e == EXT2_ET_FILE_NOT_FOUND) {
			e = ext2fs_mkdir(fs, parent, 0, p);
			if (e == EXT2_ET_DIR_NO_SPACE) {
				e = ext2fs_expand_dir(fs, parent);
				if (!e)
					e = ext2fs_mkdir(fs, parent, 0, p);
			}
			if (!e)
				e = ext2fs_lookup(fs, parent, p, (int)strlen(p),
						  NULL, &ino);
		}
		if (e)
			return ext2_err(e);
		parent = ino;
	}
	return 0;
}

int hwp_ext2_unlink(ext2_filsys fs, const char *path)
{
	struct ext2_inode inode;
	ext2_ino_t dir, ino;
	char name[256];
	errcode_t e;
	int rc;

	rc = parent_of(fs, path, &dir, name, sizeof(name));
	if (rc)
		return rc;
	e = ext2fs_lookup(fs, dir, name, (int)strlen(name), NULL, &ino);
	if (e)
		return ext2_err(e);
	e = ext2fs_read_inode(fs, ino, &inode);
	if (e)
		return ext2_err(e);
	if (LINUX_S_ISDIR(inode.i_mode))
		return -EISDIR;
	e = ext2fs_unlink(fs, dir, name, ino, 0);
	if (e)
		return ext2_err(e);
	if (inode.i_links_count > 1) {
		inode.i_links_count--;
		return ext2_err(ext2fs_write_inode(fs, ino, &inode));
	}
	inode.i_links_count = 0;
	if (ext2fs_inode_has_valid_blocks2(fs, &inode)) {
		e = ext2fs_punch(fs, ino, &inode, NULL, 0, ~0ULL);
		if (e)
			return ext2_err(e);
	}
	inode.i_dtime = (uint32_t)time(NULL);
	e = ext2fs_write_inode(fs, ino, &inode);
	if (e)
		return ext2_err(e);
	ext2fs_inode_alloc_stats2(fs, ino, -1, 0);
	return 0;
}

struct list_ctx {
	int (*fn)(const char *name, int ftype, void *arg);
	void *arg;
	int stop;
};

static int list_one(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		    int offset, int blocksize, char *buf, void *priv)
{
	struct list_ctx *c = priv;
	char name[256];
	int n = ext2fs_dirent_name_len(de);

	if (entry == DIRENT_DOT_FILE || entry == DIRENT_DOT_DOT_FILE)
		return 0;
	memcpy(name, de->name, (size_t)n);
	name[n] = '\0';
	c->stop = c->fn(name, ext2fs_dirent_file_type(de), c->arg);
	return c->stop ? DIRENT_ABORT : 0;
}

int hwp_ext2_list(ext2_filsys fs, const char *dir,
		  int (*fn)(const char *name, int ftype, void *arg), void *arg)
{
	struct list_ctx c = { fn, arg, 0 };
	ext2_ino_t ino;
	int rc;

	rc = lookup(fs, dir, true, &ino);
	if (rc)
		return rc;
	return ext2_err(ext2fs_dir_iterate2(fs, ino, 0, NULL, list_one, &c));
}
