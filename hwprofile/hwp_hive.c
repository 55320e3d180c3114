// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_hive.c --- SYSTEM-hive edits that let Windows boot from dualvm's
 * PIIX3 IDE controller (reference §3.2), per generation:
 *
 *  - XP/2003 (KB 314082, "MergeIDE"): CriticalDeviceDatabase entries for
 *    the IDE channels, generic disks, PCI IDE class and the Intel PIIX
 *    controllers (PCI 8086:7010 PIIX3, 7111 PIIX4, ...), and the atapi,
 *    intelide and pciide services with boot start; plus a second hardware
 *    profile "dualvm virtual machine" in Control\IDConfigDB so a dual-boot
 *    install keeps its physical profile.
 *  - Vista/7 (KB 922976): intelide, pciide, msahci (and atapi) Start=0.
 *  - 8 and later (DriverDatabase present): Start=0 and StartOverride
 *    removed on the in-box pciide, intelide and storahci.
 *
 * Every existing ControlSetNNN is edited, so LastKnownGood boots too.  The
 * hive is edited in memory through libhivex (memfd) and only returned when
 * every edit and hivex_commit() succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hwprofile/hwp_priv.h"

#define GUID_HDC	"{4D36E96A-E325-11CE-BFC1-08002BE10318}"
#define GUID_DISK	"{4D36E967-E325-11CE-BFC1-08002BE10318}"
#define PROFILE_NAME	"dualvm virtual machine"

struct cddb_ent {
	const char	*id;		/* CriticalDeviceDatabase subkey */
	const char	*service;
	const char	*guid;
};

static const struct cddb_ent xp_cddb[] = {
	{ "primary_ide_channel",	"atapi",	GUID_HDC },
	{ "secondary_ide_channel",	"atapi",	GUID_HDC },
	{ "*pnp0600",			"atapi",	GUID_HDC },
	{ "*azt0502",			"atapi",	GUID_HDC },
	{ "gendisk",			"disk",		GUID_DISK },
	{ "pci#cc_0101",		"pciide",	GUID_HDC },
	{ "pci#ven_8086&dev_1222",	"intelide",	GUID_HDC },
	{ "pci#ven_8086&dev_1230",	"intelide",	GUID_HDC },
	{ "pci#ven_8086&dev_2411",	"intelide",	GUID_HDC },
	{ "pci#ven_8086&dev_2421",	"intelide",	GUID_HDC },
	{ "pci#ven_8086&dev_7010",	"intelide",	GUID_HDC },
	{ "pci#ven_8086&dev_7111",	"intelide",	GUID_HDC },
	{ "pci#ven_8086&dev_7199",	"intelide",	GUID_HDC },
	{ NULL, NULL, NULL },
};

struct svc_def {
	const char	*name;		/* key name when created */
	const char	*group;
	const char	*image;		/* ImagePath */
	uint32_t	tag;
};

static const struct svc_def xp_services[] = {
	{ "atapi", "SCSI miniport", "system32\\DRIVERS\\atapi.sys", 0x19 },
	{ "IntelIde", "System Bus Extender", "system32\\DRIVERS\\intelide.sys", 4 },
	{ "PCIIde", "System Bus Extender", "system32\\DRIVERS\\pciide.sys", 3 },
	{ NULL, NULL, NULL, 0 },
};

static const char *const vista7_boot[] = {
	"atapi", "intelide", "pciide", "msahci", NULL,
};
static const char *const win8_boot[] = {
	"pciide", "intelide", "storahci", NULL,
};

struct hedit {
	hive_h			*h;
	struct hwp_inject_report *rep;
	unsigned int		edits;	/* values/keys changed */
	char			*err;
	size_t			errlen;
};

static int hfail(struct hedit *e, const char *what, const char *path)
{
	hwp_seterr(e->err, e->errlen, "hive edit failed: %s %s: %s", what,
		   path, strerror(errno ? errno : EIO));
	return -(errno ? errno : EIO);
}

/* Find or create the key at backslash @path under the root. */
static hive_node_h ensure_key(struct hedit *e, const char *path)
{
	char tmp[512], *p, *save = NULL;
	hive_node_h n = hivex_root(e->h), c;

	hwp_strlcpy(tmp, path, sizeof(tmp));
	for (p = strtok_r(tmp, "\\", &save); p && n;
	     p = strtok_r(NULL, "\\", &save)) {
		errno = 0;
		c = hivex_node_get_child(e->h, n, p);
		if (!c && !errno) {
			c = hivex_node_add_child(e->h, n, p);
			if (c)
				e->edits++;
		}
		n = c;
	}
	return n;
}

static int set_value(struct hedit *e, hive_node_h n, const char *key,
		     hive_type t, const void *data, size_t len)
{
	hive_set_value v = {
		.key = (char *)key, .t = t, .len = len, .value = (char *)data,
	};
	hive_value_h old = hivex_node_get_value(e->h, n, key);

	if (old) {
		hive_type ot;
		size_t olen;
		char *ov = hivex_value_value(e->h, old, &ot, &olen);
		bool same = ov && ot == t && olen == len &&
			    !memcmp(ov, data, len);

		free(ov);
		if (same)
			return 0;
	}
	if (hivex_node_set_value(e->h, n, &v, 0))
		return hfail(e, "set", key);
	e->edits++;
	return 0;
}

static int set_dword(struct hedit *e, hive_node_h n, const char *key,
		     uint32_t val)
{
	uint8_t le[4] = { val, val >> 8, val >> 16, val >> 24 };

	return set_value(e, n, key, hive_t_REG_DWORD, le, 4);
}

/* REG_SZ / REG_EXPAND_SZ from ASCII, UTF-16LE with the terminating NUL. */
static int set_sz(struct hedit *e, hive_node_h n, const char *key,
		  const char *s, hive_type t)
{
	uint8_t buf[512];
	size_t len = strlen(s);

	if ((len + 1) * 2 > sizeof(buf))
		return -EINVAL;
	for (size_t i = 0; i <= len; i++) {
		buf[2 * i] = (uint8_t)s[i];
		buf[2 * i + 1] = 0;
	}
	return set_value(e, n, key, t, buf, (len + 1) * 2);
}

static int xp_cddb_add(struct hedit *e, const char *cs)
{
	char path[256];
	hive_node_h n;
	int rc;

	for (int i = 0; xp_cddb[i].id; i++) {
		snprintf(path, sizeof(path),
			 "%s\\Control\\CriticalDeviceDatabase\\%s", cs,
			 xp_cddb[i].id);
		n = ensure_key(e, path);
		if (!n)
			return hfail(e, "create", path);
		rc = set_sz(e, n, "Service", xp_cddb[i].service,
			    hive_t_REG_SZ);
		if (!rc)
			rc = set_sz(e, n, "ClassGUID", xp_cddb[i].guid,
				    hive_t_REG_SZ);
		if (rc)
			return rc;
	}
	return 0;
}

static int xp_services_add(struct hedit *e, const char *cs)
{
	char path[256];
	hive_node_h n;
	int rc;

	for (int i = 0; xp_services[i].name; i++) {
		const struct svc_def *s = &xp_services[i];

		snprintf(path, sizeof(path), "%s\\Services\\%s", cs, s->name);
		n = ensure_key(e, path);
		if (!n)
			return hfail(e, "create", path);
		rc = set_dword(e, n, "Type", 1);
		if (!rc)
			rc = set_dword(e, n, "Start", 0);
		if (!rc)
			rc = set_dword(e, n, "ErrorControl", 1);
		if (!rc)
			rc = set_sz(e, n, "Group", s->group, hive_t_REG_SZ);
		if (!rc && !hivex_node_get_value(e->h, n, "ImagePath"))
			rc = set_sz(e, n, "ImagePath", s->image,
				    hive_t_REG_EXPAND_SZ);
		if (!rc)
			rc = set_dword(e, n, "Tag", s->tag);
		if (rc)
			return rc;
	}
	return 0;
}

/* Hardware profile "dualvm virtual machine" beside the physical one. */
static int xp_profile_add(struct hedit *e, const char *cs)
{
	char path[256], name[128];
	hive_node_h profs, n;
	unsigned int free_no = 0, count = 0;
	int rc;

	snprintf(path, sizeof(path),
		 "%s\\Control\\IDConfigDB\\Hardware Profiles", cs);
	profs = ensure_key(e, path);
	if (!profs)
		return hfail(e, "create", path);
	for (unsigned int i = 1; i < 100; i++) {
		snprintf(name, sizeof(name), "%04u", i);
		n = hivex_node_get_child(e->h, profs, name);
		if (!n) {
			if (!free_no)
				free_no = i;
			continue;
		}
		count++;
		hwp_hive_get_str(e->h, n, "FriendlyName", name, sizeof(name));
		if (!strcmp(name, PROFILE_NAME))
			return 0;	/* already there */
	}
	if (!count) {
		/* no physical profile recorded: make "Profile 1" explicit */
		n = ensure_key(e, strcat(path, "\\0001"));
		if (!n)
			return hfail(e, "create", path);
		rc = set_sz(e, n, "FriendlyName", "Profile 1", hive_t_REG_SZ);
		if (!rc)
			rc = set_dword(e, n, "PreferenceOrder", 0);
		if (!rc)
			rc = set_dword(e, n, "Aliasable", 1);
		if (rc)
			return rc;
		count = 1;
		free_no = 2;
	}
	snprintf(path, sizeof(path),
		 "%s\\Control\\IDConfigDB\\Hardware Profiles\\%04u", cs,
		 free_no);
	n = ensure_key(e, path);
	if (!n)
		return hfail(e, "create", path);
	rc = set_sz(e, n, "FriendlyName", PROFILE_NAME, hive_t_REG_SZ);
	if (!rc)
		rc = set_dword(e, n, "PreferenceOrder", count);
	if (!rc)
		rc = set_dword(e, n, "Aliasable", 0);
	if (!rc)
		rc = set_dword(e, n, "Cloned", 1);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s\\Control\\IDConfigDB\\Alias\\%04u",
		 cs, free_no);
	n = ensure_key(e, path);
	if (!n)
		return hfail(e, "create", path);
	rc = set_dword(e, n, "ProfileNumber", free_no);
	if (!rc)
		rc = set_dword(e, n, "DockingState", 0);
	if (!rc)
		rc = set_dword(e, n, "Capabilities", 0);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s\\Control\\IDConfigDB", cs);
	n = ensure_key(e, path);
	if (!n)
		return hfail(e, "create", path);
	if (!hivex_node_get_value(e->h, n, "CurrentConfig")) {
		rc = set_dword(e, n, "CurrentConfig", 1);
		if (rc)
			return rc;
	}
	/* the boot menu waits this many seconds for a choice */
	rc = set_dword(e, n, "UserWaitInterval", 30);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s\\Hardware Profiles\\%04u", cs,
		 free_no);
	if (!ensure_key(e, path))
		return hfail(e, "create", path);
	hwp_note(e->rep, "%s: added hardware profile %04u \"%s\"; choose it "
		 "in the Windows boot menu when running under dualvm", cs,
		 free_no, PROFILE_NAME);
	return 0;
}

static int boot_start(struct hedit *e, const char *cs,
		      const char *const *names, bool drop_override)
{
	char path[256];
	hive_node_h n, o;
	int rc;

	for (int i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s\\Services\\%s", cs, names[i]);
		n = hwp_hive_path(e->h, path);
		if (!n) {
			hwp_note(e->rep, "%s: service %s is not installed; "
				 "not enabled", cs, names[i]);
			continue;
		}
		rc = set_dword(e, n, "Start", 0);
		if (rc)
			return rc;
		o = drop_override ? hivex_node_get_child(e->h, n,
							 "StartOverride") : 0;
		if (o) {
			if (hivex_node_delete_child(e->h, o))
				return hfail(e, "delete", "StartOverride");
			e->edits++;
		}
	}
	return 0;
}

static int edit_control_set(struct hedit *e, const char *cs,
			    enum hwp_win_gen gen)
{
	int rc;

	switch (gen) {
	case HWP_WIN_XP:
		rc = xp_cddb_add(e, cs);
		if (!rc)
			rc = xp_services_add(e, cs);
		if (!rc)
			rc = xp_profile_add(e, cs);
		return rc;
	case HWP_WIN_VISTA7:
		return boot_start(e, cs, vista7_boot, false);
	case HWP_WIN_8PLUS:
		return boot_start(e, cs, win8_boot, true);
	default:
		hwp_seterr(e->err, e->errlen,
			   "cannot tell which Windows generation this hive is");
		return -ENOTSUP;
	}
}

/* Shared with the editing child process (MAP_SHARED). */
struct hive_job {
	int			rc;	/* 0 or -errno */
	size_t			outlen;	/* edited hive bytes in the memfd,
					 * 0: nothing changed */
	struct hwp_inject_report rep;	/* the caller's report, updated */
	char			err[512];
};

static int hive_edit(hive_h *h, int fd, enum hwp_win_gen gen,
		     struct hive_job *job)
{
	struct hedit e = { .h = h, .rep = &job->rep, .err = job->err,
			   .errlen = sizeof(job->err) };
	char cs[32], path[64];
	struct stat st;
	int rc = 0;

	if (gen == HWP_WIN_UNKNOWN)
		gen = hwp_hive_guess_gen(h, NULL);
	if (hwp_hive_control_set(h, cs, sizeof(cs))) {
		hwp_seterr(e.err, e.errlen, "SYSTEM hive has no current "
			   "control set (Select\\Current); nothing written");
		return -EINVAL;
	}
	for (unsigned int i = 1; i < 1000 && !rc; i++) {
		snprintf(path, sizeof(path), "ControlSet%03u", i);
		if (hwp_hive_path(h, path))
			rc = edit_control_set(&e, path, gen);
	}
	if (rc || !e.edits)
		return rc;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (hivex_commit(h, path, 0))
		return hfail(&e, "commit", "hive");
	if (fstat(fd, &st) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > HWP_FILE_MAX)
		return -EIO;
	job->outlen = (size_t)st.st_size;
	hwp_note(e.rep, "SYSTEM hive: %u registry edits for Windows %s (%s "
		 "current)", e.edits, hwp_win_gen_name(gen), cs);
	return 0;
}

/*
 * libhivex asserts on some corrupt hives it accepted at open time, so the
 * edit runs in a child process: a crash there is a corrupt hive, not a
 * crash of dualvm, and nothing is written.
 */
int hwp_hive_inject_mem(const void *in, size_t len, enum hwp_win_gen gen,
			void **out, size_t *outlen,
			struct hwp_inject_report *rep, char *err,
			size_t errlen)
{
	struct hive_job *job;
	void *buf = NULL;
	hive_h *h;
	pid_t pid;
	int fd = -1, rc, status;

	*out = NULL;
	*outlen = 0;
	rc = hwp_hive_open_mem(in, len, true, &h, &fd);
	if (rc) {
		hwp_seterr(err, errlen, "SYSTEM hive is corrupt or truncated "
			   "(hivex refused it); nothing written");
		return rc;
	}
	job = mmap(NULL, sizeof(*job), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (job == MAP_FAILED) {
		rc = -errno;
		goto out_close;
	}
	job->rep = *rep;
	job->rc = -EINTR;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out_unmap;
	}
	if (pid == 0) {
		job->rc = hive_edit(h, fd, gen, job);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		hwp_seterr(err, errlen, "SYSTEM hive is corrupt (the registry "
			   "library failed while editing it); nothing written");
		rc = -EINVAL;
		goto out_unmap;
	}
	rc = job->rc;
	if (rc) {
		hwp_seterr(err, errlen, "%s", job->err);
		goto out_unmap;
	}
	*rep = job->rep;
	if (job->outlen) {
		buf = malloc(job->outlen);
		if (!buf || pread(fd, buf, job->outlen, 0) !=
		    (ssize_t)job->outlen) {
			free(buf);
			rc = -EIO;
			goto out_unmap;
		}
		*out = buf;
		*outlen = job->outlen;
	}
out_unmap:
	munmap(job, sizeof(*job));
out_close:
	hivex_close(h);
	close(fd);
	return rc;
}

int hwp_hive_inject_file(const char *path, enum hwp_win_gen gen,
			 struct hwp_inject_report *rep, char *err,
			 size_t errlen)
{
	char *in = NULL;
	void *out = NULL;
	size_t len = 0, outlen;
	FILE *f;
	int rc;

	f = fopen(path, "rb");
	if (!f) {
		rc = -errno;
		hwp_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) == 0) {
		long n = ftell(f);

		if (n > 0 && (uint64_t)n <= HWP_FILE_MAX)
			len = (size_t)n;
	}
	rewind(f);
	in = len ? malloc(len) : NULL;
	if (!in || fread(in, 1, len, f) != len) {
		fclose(f);
		free(in);
		hwp_seterr(err, errlen, "%s: cannot read the hive", path);
		return -EIO;
	}
	fclose(f);
	rc = hwp_hive_inject_mem(in, len, gen, &out, &outlen, rep, err,
				 errlen);
	if (rc || !out) {
		if (!rc)
			hwp_note(rep, "%s: already prepared, nothing to change",
				 path);
		free(in);
		return rc;
	}
	hwp_change_hashed(rep, path, "SYSTEM hive: storage drivers and "
			  "profiles", in, len, out, outlen);
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, outlen, f) != outlen || fclose(f)) {
		rc = -EIO;
		hwp_seterr(err, errlen, "%s: write failed", path);
	}
	free(in);
	free(out);
	return rc;
}
