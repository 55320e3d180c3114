// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_vm_show.c --- `dualvm vm list` and `dualvm vm show`: the library's
 * VMs as a table, as text or as JSON (schema: README.md "dualvm vm --json
 * schema"), read without opening their disks
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "lib/lib.h"
#include "p2v/p2v.h"

#define CMD	"vm"

/* A VM of the library read without looking at its disks. */
struct vm_entry {
	char			name[P2V_LIB_NAME_MAX + 1];
	char			dir[PATH_MAX];
	char			def[PATH_MAX];
	struct p2v_vmdef	d;
	int			e;		/* 0, or why unreadable */
	char			err[512];
};

static int entry_load(const char *name, struct vm_entry *v)
{
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->e = p2v_lib_paths(name, v->dir, v->def, sizeof(v->dir), v->err,
			     sizeof(v->err));
	if (!v->e)
		v->e = p2v_vmdef_load(v->def, P2V_VMDEF_NOCHECK, &v->d, v->err,
				      sizeof(v->err));
	return v->e;
}

static void entry_json(struct lib_json *j, const struct vm_entry *v,
		       bool overlays)
{
	struct stat st;

	lib_json_begin(j, NULL, '{');
	lib_json_str(j, "name", v->name);
	lib_json_str(j, "folder", v->dir);
	lib_json_str(j, "definition", v->def);
	if (v->e) {
		lib_json_str(j, "error", v->err);
		lib_json_end(j, '}');
		return;
	}
	if (v->d.mem_mib)
		lib_json_u64(j, "memory_mib", v->d.mem_mib);
	else
		lib_json_null(j, "memory_mib");
	if (v->d.cpus)
		lib_json_u64(j, "cpus", v->d.cpus);
	else
		lib_json_null(j, "cpus");
	lib_json_str(j, "firmware", v->d.uefi ? "uefi" : "bios");
	lib_json_str(j, "nic", v->d.nic ? "e1000" : "none");
	lib_json_begin(j, "disks", '[');
	for (unsigned int i = 0; i < v->d.ndisks; i++) {
		const char *p = v->d.disk[i].path;

		lib_json_begin(j, NULL, '{');
		lib_json_str(j, "path", p);
		lib_json_str(j, "mode", v->d.disk[i].mode[0] ?
			     v->d.disk[i].mode : "default");
		lib_json_str(j, "partitions", v->d.disk[i].partitions);
		lib_json_bool(j, "present", !stat(p, &st));
		if (overlays) {
			char ovl[PATH_MAX + 600];
			const char *b = strrchr(p, '/');

			snprintf(ovl, sizeof(ovl), "%s/%s%s%s.undo.qcow2",
				 v->dir, b ? b + 1 : p,
				 v->d.disk[i].partitions[0] ? "-p" : "",
				 v->d.disk[i].partitions);
			if (!stat(ovl, &st))
				lib_json_str(j, "undoable_overlay", ovl);
			else
				lib_json_null(j, "undoable_overlay");
		}
		lib_json_end(j, '}');
	}
	lib_json_end(j, ']');
	lib_json_end(j, '}');
}

/* "2 disks: /a/b.img p2, ..." for the table */
static void disks_text(const struct vm_entry *v, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < v->d.ndisks && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s%s%s", i ? ", " : "",
				      v->d.disk[i].path,
				      v->d.disk[i].partitions[0] ? " partition " : "",
				      v->d.disk[i].partitions);
}

bool cli_vm_args(int argc, char **argv, int first, const char *sub,
		      bool *json, const char **arg)
{
	*json = false;
	*arg = NULL;
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			*json = true;
		} else if (argv[i][0] == '-' || *arg || !strcmp(sub, "list")) {
			cli_err(CMD, "%s: unexpected argument '%s' (see dualvm vm --help)",
				sub, argv[i]);
			return false;
		} else {
			*arg = argv[i];
		}
	}
	return true;
}

int cli_vm_list(int argc, char **argv)
{
	struct vm_entry *v = malloc(sizeof(*v));
	char **names, err[PATH_MAX + 256], disks[1024];
	struct lib_json j;
	const char *none;
	unsigned int n;
	bool json;
	int rc = 0;

	if (!v)
		return 1;
	if (!cli_vm_args(argc, argv, 1, "list", &json, &none)) {
		free(v);
		return EXIT_USAGE;
	}
	if (p2v_lib_list(&names, &n, err, sizeof(err))) {
		cli_err(CMD, "list: %s", err);
		free(v);
		return 1;
	}
	if (json) {
		lib_json_init(&j, stdout, false);
		lib_json_begin(&j, NULL, '{');
		lib_json_begin_lines(&j, "vms");
	} else if (n) {
		printf("%-20s %9s %4s  %s\n", "NAME", "MEMORY", "CPUS", "DISKS");
	}
	for (unsigned int i = 0; i < n; i++) {
		memset(v, 0, sizeof(*v));
		entry_load(names[i], v);
		if (json) {
			entry_json(&j, v, false);
		} else if (v->e) {
			printf("%-20s %9s %4s  (unreadable: %s)\n", v->name, "-",
			       "-", v->err);
		} else {
			char mem[24] = "-", cpus[16] = "-";

			if (v->d.mem_mib)
				snprintf(mem, sizeof(mem), "%u MiB", v->d.mem_mib);
			if (v->d.cpus)
				snprintf(cpus, sizeof(cpus), "%u", v->d.cpus);
			disks_text(v, disks, sizeof(disks));
			printf("%-20s %9s %4s  %s\n", v->name, mem, cpus, disks);
		}
		free(names[i]);
	}
	free(names);
	if (json) {
		lib_json_end(&j, ']');
		lib_json_finish(&j, '}');
	} else if (!n) {
		char base[PATH_MAX];

		if (!p2v_lib_dir(base, sizeof(base), err, sizeof(err)))
			printf("no VMs in %s (dualvm vm create or import adds one)\n",
			       base);
	}
	free(v);
	return rc;
}

int cli_vm_show(int argc, char **argv)
{
	struct vm_entry *v = calloc(1, sizeof(*v));
	struct lib_json j;
	const char *name;
	struct stat st;
	bool json;
	int rc = 0;

	if (!v)
		return 1;
	if (!cli_vm_args(argc, argv, 1, "show", &json, &name)) {
		free(v);
		return EXIT_USAGE;
	}
	if (!name) {
		free(v);
		return (cli_err(CMD, "show: no NAME given (see dualvm vm --help)"), EXIT_USAGE);
	}
	if (!p2v_lib_name_ok(name) || !p2v_lib_exists(name)) {
		cli_err(CMD, "show: no VM named '%s' in the library (dualvm vm list)",
			name);
		free(v);
		return 1;
	}
	entry_load(name, v);
	if (json) {
		/* the entry says why; the status says it failed, as without
		 * --json */
		lib_json_init(&j, stdout, false);
		entry_json(&j, v, true);
		putchar('\n');
		rc = v->e ? 1 : 0;
	} else if (v->e) {
		cli_err(CMD, "show: %s", v->err);
		rc = 1;
	} else {
		printf("name:       %s\nfolder:     %s\ndefinition: %s\n",
		       v->name, v->dir, v->def);
		printf("memory:     %u MiB\ncpus:       %u\nfirmware:   %s\nnic:        %s\n",
		       v->d.mem_mib ? v->d.mem_mib : 256, v->d.cpus ? v->d.cpus : 1,
		       v->d.uefi ? "uefi" : "bios", v->d.nic ? "e1000 (user-mode NAT)" : "none");
		for (unsigned int i = 0; i < v->d.ndisks; i++)
			printf("disk%u:      %s%s%s, mode %s%s\n", i,
			       v->d.disk[i].path,
			       v->d.disk[i].partitions[0] ? " partition " : "",
			       v->d.disk[i].partitions,
			       v->d.disk[i].mode[0] ? v->d.disk[i].mode : "default",
			       stat(v->d.disk[i].path, &st) ? " (missing)" : "");
	}
	free(v);
	return rc;
}

