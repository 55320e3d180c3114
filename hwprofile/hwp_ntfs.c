// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_ntfs.c --- whole-file access to an NTFS guest volume through
 * libntfs-3g (mounted over an rd_disk with rd_ntfs_mount), and the safety
 * checks ntfs-3g itself applies before a read-write mount (reference §3.4):
 * hiberfil.sys header "hibr"/"HIBR", a $LogFile restart page of version 2.0
 * (Fast Startup: "metadata kept in Windows cache"), an unclean $LogFile,
 * and the $Volume dirty flag.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hwprofile/hwp_priv.h"

#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logfile.h>
#include <ntfs-3g/unistr.h>

static int open_data(ntfs_volume *vol, const char *path, ntfs_inode **ni,
		     ntfs_attr **na)
{
	*ni = ntfs_pathname_to_inode(vol, NULL, path);
	if (!*ni)
		return -ENOENT;
	*na = ntfs_attr_open(*ni, AT_DATA, AT_UNNAMED, 0);
	if (!*na) {
		ntfs_inode_close(*ni);
		return -ENOENT;
	}
	return 0;
}

bool hwp_ntfs_exists(ntfs_volume *vol, const char *path)
{
	ntfs_inode *ni = ntfs_pathname_to_inode(vol, NULL, path);

	if (!ni)
		return false;
	ntfs_inode_close(ni);
	return true;
}

int hwp_ntfs_read(ntfs_volume *vol, const char *path, size_t max,
		  char **buf, size_t *len)
{
	ntfs_inode *ni;
	ntfs_attr *na;
	char *p;
	s64 n, size;
	int rc;

	*buf = NULL;
	*len = 0;
	rc = open_data(vol, path, &ni, &na);
	if (rc)
		return rc;
	size = na->data_size;
	if (size < 0 || (uint64_t)size > HWP_FILE_MAX) {
		rc = -EFBIG;
		goto out;
	}
	if ((size_t)size > max)
		size = (s64)max;
	p = malloc((size_t)size + 1);
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	n = size ? ntfs_attr_pread(na, 0, size, p) : 0;
	if (n != size) {
		free(p);
		rc = -EIO;
		goto out;
	}
	p[size] = '\0';
	*buf = p;
	*len = (size_t)size;
out:
	ntfs_attr_close(na);
	ntfs_inode_close(ni);
	return rc;
}

int hwp_ntfs_write(ntfs_volume *vol, const char *path, const void *buf,
		   size_t len)
{
	ntfs_inode *ni;
	ntfs_attr *na;
	int rc;

	rc = open_data(vol, path, &ni, &na);
	if (rc)
		return rc;
	if (na->data_size != (s64)len && ntfs_attr_truncate(na, (s64)len))
		rc = -(errno ? errno : EIO);
	if (!rc && len && ntfs_attr_pwrite(na, 0, (s64)len, buf) != (s64)len)
		rc = -(errno ? errno : EIO);
	ntfs_attr_close(na);
	if (ntfs_inode_close(ni) && !rc)
		rc = -(errno ? errno : EIO);
	return rc;
}

static void check_logfile(ntfs_volume *vol, struct hwp_safety *s)
{
	RESTART_PAGE_HEADER hdr, *rp = NULL;
	ntfs_inode *ni;
	ntfs_attr *na;

	ni = ntfs_inode_open(vol, FILE_LogFile);
	if (!ni) {
		s->unclean = true;
		return;
	}
	na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	if (!na) {
		s->unclean = true;
		goto out;
	}
	if (ntfs_attr_pread(na, 0, sizeof(hdr), &hdr) == sizeof(hdr) &&
	    !memcmp(&hdr.magic, "RSTR", 4) && sle16_to_cpu(hdr.major_ver) == 2)
		s->fast_startup = true;
	else if (!ntfs_check_logfile(na, &rp) || !ntfs_is_logfile_clean(na, rp))
		s->unclean = true;
	free(rp);
	ntfs_attr_close(na);
out:
	ntfs_inode_close(ni);
}

void hwp_ntfs_safety(ntfs_volume *vol, struct hwp_safety *s)
{
	char *hdr;
	size_t n;

	if (!hwp_ntfs_read(vol, "/hiberfil.sys", 4096, &hdr, &n)) {
		/* ntfs-3g: a short hiberfil or a "hibr" header refuses rw */
		if (n < 4096 || !strncasecmp(hdr, "hibr", 4))
			s->hibernated = true;
		free(hdr);
	}
	check_logfile(vol, s);
	if (vol->flags & VOLUME_IS_DIRTY)
		s->dirty = true;
}

int hwp_ntfs_find_windir(ntfs_volume *vol, char *out, size_t outlen)
{
	static const char *const dirs[] = { "/Windows", "/WINNT", NULL };
	char path[128];

	for (int i = 0; dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/System32/config/SYSTEM",
			 dirs[i]);
		if (hwp_ntfs_exists(vol, path)) {
			hwp_strlcpy(out, dirs[i], outlen);
			return 0;
		}
	}
	return -ENOENT;
}

/* Split "/a/b/c" into the open directory inode of "/a/b" and "c" (UTF-16). */
static int open_parent(ntfs_volume *vol, const char *path, ntfs_inode **dir,
		       ntfschar **uname, int *ulen)
{
	char tmp[512], *slash;

	hwp_strlcpy(tmp, path, sizeof(tmp));
	slash = strrchr(tmp, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	*uname = NULL;
	*ulen = ntfs_mbstoucs(slash + 1, uname);
	if (*ulen <= 0 || *ulen > 255) {
		free(*uname);
		return -EINVAL;
	}
	*dir = ntfs_pathname_to_inode(vol, NULL, tmp[0] ? tmp : "/");
	if (!*dir) {
		free(*uname);
		return -ENOENT;
	}
	return 0;
}

int hwp_ntfs_create(ntfs_volume *vol, const char *path, const void *buf,
		    size_t len)
{
	ntfs_inode *dir, *ni;
	ntfs_attr *na;
	ntfschar *uname;
	int ulen, rc;

	rc = open_parent(vol, path, &dir, &uname, &ulen);
	if (rc)
		return rc;
	ni = ntfs_create(dir, const_cpu_to_le32(0), uname, (u8)ulen, S_IFREG);
	free(uname);
	if (!ni) {
		rc = -(errno ? errno : EIO);
		ntfs_inode_close(dir);
		return rc;
	}
	na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
	if (!na || (len && ntfs_attr_pwrite(na, 0, (s64)len, buf) != (s64)len))
		rc = -(errno ? errno : EIO);
	if (na)
		ntfs_attr_close(na);
	/* the directory's new index entry must reach the disk before the
	 * file's FILE_NAME is synced against it */
	if (ntfs_inode_close(dir) && !rc)
		rc = -(errno ? errno : EIO);
	if (ntfs_inode_close(ni) && !rc)
		rc = -(errno ? errno : EIO);
	return rc;
}

int hwp_ntfs_unlink(ntfs_volume *vol, const char *path)
{
	ntfs_inode *dir, *ni;
	ntfschar *uname;
	int ulen, rc;

	rc = open_parent(vol, path, &dir, &uname, &ulen);
	if (rc)
		return rc;
	ni = ntfs_pathname_to_inode(vol, NULL, path);
	if (!ni) {
		free(uname);
		ntfs_inode_close(dir);
		return -ENOENT;
	}
	/* ntfs_delete() closes both inodes, even on error */
	if (ntfs_delete(vol, path, ni, dir, uname, (u8)ulen))
		rc = -(errno ? errno : EIO);
	free(uname);
	return rc;
}
