// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_winreg.c --- read what inspection reports from Windows registry hives
 * through libhivex: SOFTWARE\Microsoft\Windows NT\CurrentVersion (product,
 * version, build, edition, SystemRoot), SYSTEM\Select (current control
 * set), the Session Manager environment (architecture) and the Start values
 * of the boot-critical storage services.  Hives live in memory; hivex gets
 * them through a memfd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hwprofile/hwp_priv.h"

/* Storage services reported (and edited by injection). */
static const char *const storage_services[] = {
	"atapi", "intelide", "pciide", "msahci", "storahci", "iaStorV",
	"stornvme", NULL,
};

int hwp_hive_open_mem(const void *buf, size_t len, bool wr, hive_h **h,
		      int *fdp)
{
	char path[64];
	int fd, e;

	*h = NULL;
	fd = lib_memfd_from("dualvm-hive", buf, len);
	if (fd < 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	*h = hivex_open(path, wr ? HIVEX_OPEN_WRITE : 0);
	if (!*h) {
		e = errno ? errno : EINVAL;
		close(fd);
		/* hivex says ENOTSUP/EINVAL/ERANGE... for corrupt data */
		return e == ENOMEM ? -ENOMEM : -EINVAL;
	}
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return 0;
}

hive_node_h hwp_hive_path(hive_h *h, const char *path)
{
	char tmp[512], *p, *save = NULL;
	hive_node_h n = hivex_root(h);

	hwp_strlcpy(tmp, path, sizeof(tmp));
	for (p = strtok_r(tmp, "\\", &save); p && n;
	     p = strtok_r(NULL, "\\", &save))
		n = hivex_node_get_child(h, n, p);
	return n;
}

int hwp_hive_get_str(hive_h *h, hive_node_h node, const char *name,
		     char *out, size_t outlen)
{
	hive_value_h v;
	hive_type t;
	size_t len;
	char *s;

	out[0] = '\0';
	if (!node)
		return -ENOENT;
	v = hivex_node_get_value(h, node, name);
	if (!v || hivex_value_type(h, v, &t, &len))
		return -ENOENT;
	if (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ)
		return -EINVAL;
	s = hivex_value_string(h, v);
	if (!s)
		return -EINVAL;
	hwp_strlcpy(out, s, outlen);
	free(s);
	return 0;
}

int hwp_hive_get_dword(hive_h *h, hive_node_h node, const char *name,
		       uint32_t *val)
{
	hive_value_h v;
	hive_type t;
	size_t len;

	if (!node)
		return -ENOENT;
	v = hivex_node_get_value(h, node, name);
	if (!v || hivex_value_type(h, v, &t, &len))
		return -ENOENT;
	if (t != hive_t_REG_DWORD || len != 4)
		return -EINVAL;
	errno = 0;
	*val = (uint32_t)hivex_value_dword(h, v);
	return errno ? -EINVAL : 0;
}

/* "ControlSet001" from Select\Current (default 1). */
int hwp_hive_control_set(hive_h *h, char *out, size_t outlen)
{
	uint32_t cur = 1;
	hive_node_h n;

	hwp_hive_get_dword(h, hwp_hive_path(h, "Select"), "Current", &cur);
	if (cur == 0 || cur > 999)
		return -EINVAL;
	snprintf(out, outlen, "ControlSet%03u", cur);
	n = hwp_hive_path(h, out);
	return n ? 0 : -ENOENT;
}

enum hwp_win_gen hwp_hive_guess_gen(hive_h *h, const char *version)
{
	char path[128];
	hive_node_h cs;

	if (hwp_hive_path(h, "DriverDatabase"))
		return HWP_WIN_8PLUS;
	if (version && version[0]) {
		if (!strncmp(version, "5.", 2))
			return HWP_WIN_XP;
		if (!strcmp(version, "6.0") || !strcmp(version, "6.1"))
			return HWP_WIN_VISTA7;
		return HWP_WIN_8PLUS;
	}
	if (hwp_hive_control_set(h, path, sizeof(path)))
		return HWP_WIN_UNKNOWN;
	cs = hwp_hive_path(h, path);
	if (!cs)
		return HWP_WIN_UNKNOWN;
	snprintf(path + strlen(path), sizeof(path) - strlen(path),
		 "\\Services\\msahci");
	if (hwp_hive_path(h, path))
		return HWP_WIN_VISTA7;
	return HWP_WIN_XP;
}

static void read_software(hive_h *h, struct hwp_windows *w)
{
	hive_node_h cv = hwp_hive_path(h, "Microsoft\\Windows NT\\CurrentVersion");

	hwp_hive_get_str(h, cv, "ProductName", w->product_name,
			 sizeof(w->product_name));
	hwp_hive_get_str(h, cv, "CurrentVersion", w->version,
			 sizeof(w->version));
	if (hwp_hive_get_str(h, cv, "CurrentBuildNumber", w->build,
			     sizeof(w->build)))
		hwp_hive_get_str(h, cv, "CurrentBuild", w->build,
				 sizeof(w->build));
	hwp_hive_get_str(h, cv, "EditionID", w->edition, sizeof(w->edition));
	hwp_hive_get_str(h, cv, "CSDVersion", w->csd, sizeof(w->csd));
	hwp_hive_get_str(h, cv, "SystemRoot", w->system_root,
			 sizeof(w->system_root));
}

void hwp_hive_services(hive_h *h, const char *cs, struct hwp_windows *w)
{
	char path[160];

	w->n_services = 0;
	for (int i = 0; storage_services[i] && i < HWP_MAX_SERVICES; i++) {
		struct hwp_service *s = &w->services[w->n_services++];
		hive_node_h n;

		memset(s, 0, sizeof(*s));
		hwp_strlcpy(s->name, storage_services[i], sizeof(s->name));
		snprintf(path, sizeof(path), "%s\\Services\\%s", cs,
			 storage_services[i]);
		n = hwp_hive_path(h, path);
		if (!n)
			continue;
		s->exists = true;
		s->has_start = !hwp_hive_get_dword(h, n, "Start", &s->start);
		s->start_override = hivex_node_get_child(h, n, "StartOverride");
	}
}

int hwp_win_read_hives(const void *system, size_t system_len,
		       const void *software, size_t software_len,
		       struct hwp_windows *w, char *err, size_t errlen)
{
	hive_h *h;
	int rc;

	if (software) {
		rc = hwp_hive_open_mem(software, software_len, false, &h, NULL);
		if (rc) {
			hwp_seterr(err, errlen, "SOFTWARE hive is corrupt");
			return rc;
		}
		read_software(h, w);
		hivex_close(h);
	}
	rc = hwp_hive_open_mem(system, system_len, false, &h, NULL);
	if (rc) {
		hwp_seterr(err, errlen, "SYSTEM hive is corrupt");
		return rc;
	}
	if (hwp_hive_control_set(h, w->control_set, sizeof(w->control_set))) {
		hwp_seterr(err, errlen, "SYSTEM hive has no current control set");
		hivex_close(h);
		return -EINVAL;
	}
	{
		char path[160];

		snprintf(path, sizeof(path),
			 "%s\\Control\\Session Manager\\Environment",
			 w->control_set);
		hwp_hive_get_str(h, hwp_hive_path(h, path),
				 "PROCESSOR_ARCHITECTURE", w->arch,
				 sizeof(w->arch));
	}
	w->gen = hwp_hive_guess_gen(h, w->version);
	hwp_hive_services(h, w->control_set, w);
	hivex_close(h);
	return 0;
}
