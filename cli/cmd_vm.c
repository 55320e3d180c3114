// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_vm.c --- `dualvm vm`: the VM library (create, list, show, delete,
 * import)
 *
 * The library itself (folders under $XDG_DATA_HOME/dualvm/vms/, the
 * definition format, the importers) is libp2v's (p2v/p2v.h); this file
 * validates the arguments, asks it, and prints text or JSON.  Every
 * argument is checked before anything is written; a failure leaves no
 * VM folder behind.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/lib.h"
#include "p2v/p2v.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"
#include "vmm/vmm.h"

static const char usage_text[] =
"usage: dualvm vm create NAME --disk PATH [--partition N[,M]] [--disk-mode MODE]\n"
"                 [--disk PATH ...] [--memory MiB] [--cpus N] [--nic none|user]\n"
"       dualvm vm list [--json]\n"
"       dualvm vm show NAME [--json]\n"
"       dualvm vm delete NAME\n"
"       dualvm vm import FILE [--name NAME]\n"
"Manage the VM library in $XDG_DATA_HOME/dualvm/vms/ (default\n"
"~/.local/share/dualvm/vms/): one folder per VM with its definition and,\n"
"beside it, its undoable overlays.  `dualvm run NAME` runs one.\n\n"
"  --disk PATH                   (create) a disk: an image, a block device;\n"
"                                up to 4, the first boots\n"
"  --partition N[,M]             (create) expose only these partitions of\n"
"                                the --disk before it\n"
"  --disk-mode nonpersistent|undoable|persistent\n"
"                                (create) the mode of the --disk before it\n"
"  --memory MiB                  (create) guest RAM 2..65536 (default 256)\n"
"  --cpus N                      (create) vCPUs 1..8 (default 1)\n"
"  --nic none|user               (create) an e1000 NIC on user-mode NAT\n"
"                                (default user), or none\n"
"  --name NAME                   (import) the VM's name (default: the\n"
"                                definition's name, an OVA's file name)\n"
"  --json                        (list, show) machine-readable output\n"
"                                (schema: README.md)\n"
"  --help                        this text\n"
"import reads a VMware .vmx, an OVF (.ovf), an OVA (the disks its OVF\n"
"references are extracted into the VM's folder), a libvirt domain XML or\n"
"a dualvm definition; disks named relatively are found beside FILE.\n"
"delete removes the VM's folder with what dualvm made there (never a\n"
"disk outside it) and says what it removed.\n";

#define CMD	"vm"

static int usage_err(const char *what)
{
	cli_err(CMD, "%s (see dualvm vm --help)", what);
	return EXIT_USAGE;
}

/* ---------------------------------------------------------------- create */

struct create_args {
	const char		*name;
	struct p2v_vmdef	d;
	bool			mode_set[P2V_VMDEF_DISKS];
};

static int parse_uint(const char *s, unsigned long lo, unsigned long hi,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v < lo || v > hi)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* "N[,M...]" of partition numbers 1..RD_MAX_PARTS */
static bool parts_ok(const char *s)
{
	char *end;

	if (!*s || strlen(s) >= sizeof(((struct p2v_vmdef *)0)->disk[0].partitions))
		return false;
	while (*s) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || !v || v > RD_MAX_PARTS ||
		    (*end && (*end != ',' || !end[1])))
			return false;
		s = *end ? end + 1 : end;
	}
	return true;
}

static int create_opt(struct create_args *a, int c, const char *arg)
{
	struct p2v_vmdef *d = &a->d;
	unsigned int last = d->ndisks - 1;
	enum vmd_mode m;

	switch (c) {
	case 'k':
		if (d->ndisks == P2V_VMDEF_DISKS)
			return usage_err("create: at most 4 --disk");
		if (!*arg || strlen(arg) >= sizeof(d->disk[0].path))
			return usage_err("create: --disk: empty or too long path");
		snprintf(d->disk[d->ndisks++].path, sizeof(d->disk[0].path),
			 "%s", arg);
		return 0;
	case 'p':
	case 'M':
		if (!d->ndisks)
			return usage_err(c == 'p' ? "create: --partition applies to the --disk before it: give --disk first" :
					 "create: --disk-mode applies to the --disk before it: give --disk first");
		if (c == 'p') {
			if (!parts_ok(arg))
				return usage_err("create: --partition: want N[,M...] (partition numbers)");
			snprintf(d->disk[last].partitions,
				 sizeof(d->disk[0].partitions), "%s", arg);
			return 0;
		}
		if (cli_disk_mode_parse(arg, &m))
			return usage_err("create: --disk-mode: want nonpersistent, undoable or persistent");
		snprintf(d->disk[last].mode, sizeof(d->disk[0].mode), "%s", arg);
		a->mode_set[last] = true;
		return 0;
	case 'm':
		return parse_uint(arg, 2, 65536, &d->mem_mib) ?
		       usage_err("create: --memory: want MiB 2..65536") : 0;
	case 'C':
		return parse_uint(arg, 1, VM_MAX_CPUS, &d->cpus) ?
		       usage_err("create: --cpus: want 1..8") : 0;
	case 'n':
		if (strcmp(arg, "none") && strcmp(arg, "user"))
			return usage_err("create: --nic: want none or user");
		d->nic = !strcmp(arg, "user");
		return 0;
	}
	return usage_err("create: bad option");
}

/*
 * The disk modes `dualvm run` can give a disk of format @fmt (what
 * vmd_open() accepts): raw images and devices any, qcow2 images not
 * undoable (their overlay would need a qcow2 backing commit), raw-disk
 * descriptors and the read-only formats only nonpersistent, and a
 * descriptor without --partition.  NULL if @mode (NULL: default) fits,
 * else why not.
 */
static const char *mode_unfit(const char *fmt, const char *mode,
			      const char *parts)
{
	bool np = !mode || !*mode || !strcmp(mode, "nonpersistent");

	if (!strcmp(fmt, "raw") || !strcmp(fmt, "vhd-fixed"))
		return NULL;
	if (!strcmp(fmt, "qcow2"))
		return mode && !strcmp(mode, "undoable") ?
		       "a qcow2 image runs persistent or nonpersistent, not undoable" : NULL;
	if (!strcmp(fmt, "vmdk-descriptor"))
		return !np ? "a raw-disk descriptor runs only nonpersistent" :
		       parts ? "a raw-disk descriptor already selects its partitions (give the device with --partition)" :
		       NULL;
	return !np ? "a VMDK, VHD, VHDX or VDI image runs only nonpersistent (dualvm does not write these formats)" :
	       NULL;
}

/*
 * One disk of `vm create`: its canonical path (what the library
 * records), not a VM definition, the path policy's type rules, and the
 * safety checks of `dualvm disk check` for its partitions and mode.
 */
static int create_disk(struct create_args *a, unsigned int i)
{
	char real[PATH_MAX], chk[PATH_MAX], err[1024], msg[VMD_HAZARD_MSG];
	const char *p = a->d.disk[i].path, *what;
	struct vmd_check *c;
	enum vmd_mode mode = VMD_MODE_DEFAULT, res;
	enum rd_vmdef def;
	int e;

	if (!realpath(p, real)) {
		cli_err(CMD, "create: --disk %s: %s", p, strerror(errno));
		return 1;
	}
	if (rd_path_check(real, real, true, chk, err, sizeof(err))) {
		cli_err(CMD, "create: --disk %s", err);
		return 1;
	}
	what = rd_image_not_disk(real, &def);
	if (what) {
		cli_err(CMD, "create: --disk %s is %s, not a disk%s", p, what,
			def != RD_VMDEF_NONE ? " (dualvm vm import reads it)" : "");
		return 1;
	}
	what = mode_unfit(rd_image_probe(real), a->d.disk[i].mode,
			  a->d.disk[i].partitions[0] ? a->d.disk[i].partitions : NULL);
	if (what) {
		cli_err(CMD, "create: --disk %s: %s", p, what);
		return 1;
	}
	if (a->d.disk[i].mode[0])
		(void)cli_disk_mode_parse(a->d.disk[i].mode, &mode);
	c = malloc(sizeof(*c));
	if (!c)
		return 1;
	e = vmd_check_path(real, a->d.disk[i].partitions[0] ?
			   a->d.disk[i].partitions : NULL, mode, &res, c, err,
			   sizeof(err));
	if (e) {
		cli_err(CMD, "create: --disk %s: %s", p, err);
		free(c);
		return 1;
	}
	for (unsigned int k = 0; k < c->n; k++) {
		vmd_hazard_message(&c->hz[k], msg, sizeof(msg));
		if (c->hz[k].refuse) {
			cli_err(CMD, "create: --disk %s: refused (%s mode): %s",
				p, vmd_mode_name(res), msg);
			free(c);
			return 1;
		}
	}
	cli_hazard_warnings(p, c);
	free(c);
	snprintf(a->d.disk[i].path, sizeof(a->d.disk[0].path), "%s", real);
	return 0;
}

/* Write @d as the new VM @name: 0, or 1 after one line. */
static int lib_add(const char *verb, const char *name, struct p2v_vmdef *d)
{
	char dir[PATH_MAX], def[PATH_MAX + 16], err[PATH_MAX + 256];

	if (p2v_lib_mkdir(name, dir, sizeof(dir), err, sizeof(err))) {
		cli_err(CMD, "%s: %s", verb, err);
		return 1;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(def, sizeof(def), "%s/%s", dir, P2V_LIB_DEF);
	if (p2v_vmdef_write(d, def, err, sizeof(err))) {
		cli_err(CMD, "%s: %s", verb, err);
		rmdir(dir);
		return 1;
	}
	printf("VM '%s' %s: %s\n", name, !strcmp(verb, "create") ? "created" :
	       "imported", def);
	return 0;
}

static int lib_create(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "disk", required_argument, NULL, 'k' },
		{ "partition", required_argument, NULL, 'p' },
		{ "disk-mode", required_argument, NULL, 'M' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "nic", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct create_args *a = calloc(1, sizeof(*a));
	char dir[PATH_MAX], err[PATH_MAX + 256];
	int c, rc = EXIT_USAGE;

	if (!a)
		return 1;
	a->d.mem_mib = 256;
	a->d.cpus = 1;
	a->d.nic = true;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			cli_err(CMD, "create: bad option '%s' (see dualvm vm --help)",
				argv[optind - 1]);
			goto out;
		}
		if (create_opt(a, c, optarg))
			goto out;
	}
	if (optind + 1 != argc) {
		usage_err(optind == argc ? "create: no NAME given" :
			  "create: one NAME only");
		goto out;
	}
	a->name = argv[optind];
	if (!a->d.ndisks) {
		usage_err("create: no --disk given");
		goto out;
	}
	if (p2v_lib_paths(a->name, dir, NULL, sizeof(dir), err, sizeof(err))) {
		cli_err(CMD, "create: %s", err);
		goto out;
	}
	rc = 1;
	if (p2v_lib_exists(a->name) || !access(dir, F_OK)) {
		cli_err(CMD, "create: a VM named '%s' exists already (%s)",
			a->name, dir);
		goto out;
	}
	for (unsigned int i = 0; i < a->d.ndisks; i++)
		if (create_disk(a, i))
			goto out;
	rc = lib_add("create", a->name, &a->d);
out:
	free(a);
	return rc;
}

/* ---------------------------------------------------------------- import */

/* A VM name made of @s: the characters a name allows, others as '-'. */
static void name_from(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		       (*s >= '0' && *s <= '9')))
		s++;
	for (; *s && n + 1 < len && n < P2V_LIB_NAME_MAX; s++)
		out[n++] = strchr("._+-", *s) || (*s >= 'a' && *s <= 'z') ||
			   (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ?
			   *s : '-';
	out[n] = '\0';
}

static void file_stem(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	char tmp[256];
	char *dot;

	snprintf(tmp, sizeof(tmp), "%.200s", b ? b + 1 : path);
	dot = strrchr(tmp, '.');
	if (dot && dot != tmp)
		*dot = '\0';
	name_from(tmp, out, len);
}

static volatile atomic_int import_stop;

static void on_sigint(int sig)
{
	(void)sig;
	atomic_store(&import_stop, 1);
}

static int import_ova(const char *file, const char *name,
		      struct p2v_vmdef *d)
{
	char dir[PATH_MAX], def[PATH_MAX + 16], err[PATH_MAX + 256];
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	int e;

	if (p2v_lib_mkdir(name, dir, sizeof(dir), err, sizeof(err))) {
		cli_err(CMD, "import: %s", err);
		return 1;
	}
	sigaction(SIGINT, &sa, &old);
	e = p2v_ova_import(file, dir, d, (const atomic_int *)&import_stop, err,
			   sizeof(err));
	sigaction(SIGINT, &old, NULL);
	if (!e) {
		snprintf(d->name, sizeof(d->name), "%s", name);
		snprintf(def, sizeof(def), "%s/%s", dir, P2V_LIB_DEF);
		e = p2v_vmdef_write(d, def, err, sizeof(err));
		if (e) {
			for (unsigned int i = 0; i < d->ndisks; i++)
				unlink(d->disk[i].path);
		}
	}
	if (e) {
		cli_err(CMD, "import: %s", err);
		rmdir(dir);
		return e == -EINTR ? 130 : 1;
	}
	printf("VM '%s' imported: %s (%u disk%s extracted into %s)\n", name,
	       def, d->ndisks, d->ndisks == 1 ? "" : "s", dir);
	return 0;
}

static int lib_import(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct p2v_vmdef *d = calloc(1, sizeof(*d));
	char name[P2V_LIB_NAME_MAX + 1] = "", real[PATH_MAX], err[PATH_MAX + 512];
	const char *file, *given = NULL, *what;
	enum rd_vmdef kind = RD_VMDEF_NONE;
	int c, rc = EXIT_USAGE;

	if (!d)
		return 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c != 'N') {
			cli_err(CMD, "import: bad option '%s' (see dualvm vm --help)",
				argv[optind - 1]);
			goto out;
		}
		given = optarg;
	}
	if (optind + 1 != argc) {
		usage_err(optind == argc ? "import: no FILE given" :
			  "import: one FILE only");
		goto out;
	}
	file = argv[optind];
	if (given && !p2v_lib_name_ok(given)) {
		cli_err(CMD, "import: --name '%s': want 1-%d of A-Z a-z 0-9 . _ + -, starting with a letter or digit",
			given, P2V_LIB_NAME_MAX);
		goto out;
	}
	rc = 1;
	if (!realpath(file, real)) {
		cli_err(CMD, "import: %s: %s", file, strerror(errno));
		goto out;
	}
	what = rd_image_not_disk(real, &kind);
	if (!what || kind == RD_VMDEF_NONE) {
		cli_err(CMD, "import: %s is %s, not a VM definition%s", file,
			what ? what : "a disk image",
			what ? "" : " (dualvm vm create NAME --disk FILE makes a VM of it)");
		goto out;
	}
	if (kind != RD_VMDEF_OVA) {
		if (p2v_vmdef_load(file, 0, d, err, sizeof(err))) {
			cli_err(CMD, "import: %s", err);
			goto out;
		}
		if (!given)
			name_from(d->name, name, sizeof(name));
	}
	if (given)
		snprintf(name, sizeof(name), "%s", given);
	else if (!name[0])
		file_stem(real, name, sizeof(name));
	if (!p2v_lib_name_ok(name)) {
		cli_err(CMD, "import: %s gives no usable VM name: give --name NAME",
			file);
		goto out;
	}
	if (p2v_lib_exists(name)) {
		cli_err(CMD, "import: a VM named '%s' exists already (give --name)",
			name);
		goto out;
	}
	rc = kind == RD_VMDEF_OVA ? import_ova(file, name, d) :
	     lib_add("import", name, d);
out:
	free(d);
	return rc;
}

/* ---------------------------------------------------------------- delete */

static void said_removed(void *ctx, const char *path)
{
	(void)ctx;
	printf("removed %s\n", path);
}

static void said_kept(void *ctx, const char *path)
{
	(void)ctx;
	cli_err(CMD, "delete: kept %s: not made by dualvm (the folder stays)",
		path);
}

static int lib_delete(int argc, char **argv)
{
	char dir[PATH_MAX], err[PATH_MAX * 3 + 256];
	const char *name;
	bool json;

	if (!cli_vm_args(argc, argv, 1, "delete", &json, &name) || json)
		return usage_err("delete: want NAME only");
	if (!name)
		return usage_err("delete: no NAME given");
	if (!p2v_lib_name_ok(name) || !p2v_lib_exists(name)) {
		cli_err(CMD, "delete: no VM named '%s' in the library (dualvm vm list)",
			name);
		return 1;
	}
	if (p2v_lib_paths(name, dir, NULL, sizeof(dir), err, sizeof(err)) ||
	    p2v_lib_remove(dir, said_removed, said_kept, NULL, err,
			   sizeof(err))) {
		cli_err(CMD, "delete: %s", err);
		return 1;
	}
	return 0;
}

int cmd_vm(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int argc, char **argv);
	} subs[] = {
		{ "create", lib_create }, { "list", cli_vm_list }, { "show", cli_vm_show },
		{ "delete", lib_delete }, { "import", lib_import },
	};

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2)
		return usage_err("no subcommand: create, list, show, delete or import");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	cli_err(CMD, "unknown subcommand '%s' (create, list, show, delete, import)",
		argv[1]);
	return EXIT_USAGE;
}
