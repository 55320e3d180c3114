// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_run.c --- `dualvm run`: boot a PC from disks
 *
 * Parses the options of DEVELOPERS.md, opens the disks through libvmdisk
 * (vmd_open: safety checks, partitions, overlays), runs the VM (libvmm)
 * and closes the disks through vmd_close() on every path, first asking on
 * the terminal what to do with an undoable overlay unless --on-exit said.
 * Exit codes: 0 guest powered off (its status otherwise) or --until-serial
 * text seen, 124 timeout, 130 stopped by the user, 1 failure, 2 usage error
 * or not implemented.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gui/gui.h"
#include "p2v/p2v.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"
#include "vmm/vmm.h"

#define EXIT_STOPPED	130

static const char usage_text[] =
"usage: dualvm run [options] DISK...\n"
"       dualvm run [options] VM.dualvm|VM.vmx|VM.ovf|DOMAIN.xml\n"
"       dualvm run [options] NAME\n"
"Boot a virtual machine from raw images, block devices or partitions, or\n"
"as a VM definition (dualvm's own, VMware's .vmx, OVF, libvirt domain XML;\n"
"an OVA is imported first: dualvm vm import) or the VM NAME of the library\n"
"(dualvm vm) describes it: its disks, memory, CPUs and NIC; options given\n"
"here win.\n\n"
"  --engine auto|kvm|interp|bt   CPU engine (default auto: KVM if it works,\n"
"                                else the binary translator bt, else interp)\n"
"  --memory MiB                  guest RAM (default 256; 512 with UEFI)\n"
"  --cpus N                      vCPUs 1..8 (default 1; more than one:\n"
"                                interpreter only, interleaved on one thread)\n"
"  --serial stdio|PATH           where COM1 goes (default stdio)\n"
"  --display none|text|gtk       VGA output (default none; text: on this\n"
"                                terminal, needs --serial PATH; gtk: a\n"
"                                window, closing it stops the VM: exit 130)\n"
"  --partition N[,M]             expose only these partitions of the disk\n"
"  --disk-mode nonpersistent|undoable|persistent\n"
"  --on-exit commit|discard|keep what to do with an undoable overlay\n"
"  --until-serial TEXT           exit 0 when TEXT appears on COM1\n"
"  --timeout SEC                 exit 124 after SEC seconds\n"
"  --bios FILE                   firmware image (default Debian's SeaBIOS;\n"
"                                with --firmware uefi: OVMF's code image)\n"
"  --firmware bios|uefi          BIOS (SeaBIOS, the default) or UEFI (Debian's\n"
"                                OVMF, package ovmf)\n"
"  --nvram PATH                  the VM's UEFI variable store, created from\n"
"                                OVMF's template the first time (default\n"
"                                DISK.nvram beside a disk file, VM.dualvm-nvram\n"
"                                beside a definition)\n"
"  --efi-loader PATH             UEFI: boot this loader of the ESP (e.g.\n"
"                                \\EFI\\debian\\grubx64.efi) through a boot entry\n"
"                                in the VM's variable store\n"
"  --debugcon PATH               write the firmware debug console (ports\n"
"                                0x402 and 0xE9, e.g. SeaBIOS's log) to PATH\n"
"  --post-codes                  print each POST code (port 0x80) on stderr\n"
"  --log-unclaimed, --verbose    print guest accesses to ports and addresses\n"
"                                no device claims (first 64 each) on stderr\n"
"                                (also with DUALVM_DEBUG=1 in the environment)\n"
"  --cdrom ISO                   ATAPI CD-ROM (secondary master), read-only\n"
"  --boot disk|cdrom|net         boot device first tried (default disk; net:\n"
"                                PXE through the NIC's iPXE ROM)\n"
"  --net user[,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT]...[,tftp=DIR][,bootfile=F]\n"
"        tap,ifname=NAME | none  the e1000 NIC's network (default user: NAT\n"
"                                10.0.2.0/24 through libslirp, DHCP, DNS;\n"
"                                hostfwd listens on 127.0.0.1 by default)\n"
"  --mac XX:XX:XX:XX:XX:XX       the NIC's MAC (default 52:54:00:12:34:56)\n"
"  --help                        this text\n"
"On a terminal, Ctrl-A x quits (Ctrl-A Ctrl-A sends Ctrl-A).\n";

struct run_opts {
	struct vm_config	vc;		/* for libvmm */
	const char		*display;	/* "none", "text" or "gtk" */
	char			title[256];	/* window title */
	const char		*partitions;	/* --partition, or NULL */
	enum vmd_mode		mode;		/* --disk-mode */
	enum vmd_exit		on_exit;	/* --on-exit */
	bool			ask_on_exit;	/* no --on-exit: ask */
	char			**disks;	/* DISK arguments */
	const char		*cdrom;		/* --cdrom ISO, or NULL */
	int			ndisks;		/* count */
	enum vmd_mode		disk_mode[VM_MAX_DISKS];	/* per disk */
	bool			mem_given, cpus_given, net_given, mode_given;
	const char		*firmware;	/* --firmware, or NULL */
	const char		*efi_loader;	/* --efi-loader, or NULL */
	const char		*def_path;	/* the VM definition, or NULL */
	char			nvram[PATH_MAX];	/* default --nvram */
	char			parts[64];	/* --partition plus the ESP */
	char			loader[256];	/* the loader found */
	struct p2v_vmdef	def;		/* DISK was a VM definition */
	char			*def_disks[P2V_VMDEF_DISKS];	/* its disks */
	char			vm_dir[PATH_MAX];	/* a library VM's folder
							 * (its undoable
							 * overlays), or "" */
	char			vm_def[PATH_MAX];	/* its definition */
};

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*s || *end || errno || *out > max || s[0] == '-' ? -1 : 0;
}

static int parse_opt(struct run_opts *o, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case 'e':
		o->vc.engine = arg;
		return strcmp(arg, "auto") && strcmp(arg, "kvm") &&
		       strcmp(arg, "interp") && strcmp(arg, "bt") ?
		       (cli_err("run", "--engine: unknown engine '%s'", arg), -1) : 0;
	case 'm':
		if (parse_uint(arg, 65536, &v) || v < 2)
			return cli_err("run", "--memory: want MiB 2..65536, got '%s'", arg), -1;
		o->vc.ram_mib = v;
		o->mem_given = true;
		return 0;
	case 'C':
		if (parse_uint(arg, VM_MAX_CPUS, &v) || v < 1)
			return cli_err("run", "--cpus: want 1..%d, got '%s'", VM_MAX_CPUS, arg), -1;
		o->vc.cpus = (unsigned int)v;
		o->cpus_given = true;
		return 0;
	case 's':
		o->vc.serial = arg;
		return 0;
	case 'd':
		o->display = arg;
		return strcmp(arg, "none") && strcmp(arg, "gtk") &&
		       strcmp(arg, "text") ?
		       (cli_err("run", "--display: want none, text or gtk, got '%s'", arg), -1) : 0;
	case 'p':
		o->partitions = arg;
		return 0;
	case 'M':
		o->mode_given = true;
		return cli_disk_mode_parse(arg, &o->mode) ?
		       (cli_err("run", "--disk-mode: want nonpersistent, undoable or persistent, got '%s'", arg), -1) : 0;
	case 'x':
		o->ask_on_exit = false;
		return cli_on_exit_parse(arg, &o->on_exit) ?
		       (cli_err("run", "--on-exit: want commit, discard or keep, got '%s'", arg), -1) : 0;
	case 'u':
		o->vc.until_serial = arg;
		return *arg ? 0 : (cli_err("run", "--until-serial: empty text"), -1);
	case 't':
		if (parse_uint(arg, 1000000, &v) || v == 0)
			return cli_err("run", "--timeout: want seconds 1..1000000, got '%s'", arg), -1;
		o->vc.timeout_sec = (unsigned int)v;
		return 0;
	case 'b':
		o->vc.bios = arg;
		return 0;
	case 'F':
		o->firmware = arg;
		o->vc.uefi = !strcmp(arg, "uefi");
		return strcmp(arg, "bios") && strcmp(arg, "uefi") ?
		       (cli_err("run", "--firmware: want bios or uefi, got '%s'", arg), -1) : 0;
	case 'n':
		o->vc.nvram = arg;
		return *arg ? 0 : (cli_err("run", "--nvram: empty path"), -1);
	case 'L':
		o->efi_loader = arg;
		return *arg ? 0 : (cli_err("run", "--efi-loader: empty path"), -1);
	case 'D':
		o->vc.debugcon = arg;
		return *arg ? 0 : (cli_err("run", "--debugcon: empty path"), -1);
	case 'P':
		o->vc.post_codes = true;
		return 0;
	case 'U':
		o->vc.log_unclaimed = true;
		return 0;
	case 'c':
		o->cdrom = arg;
		return 0;
	case 'B':
		o->vc.boot_cdrom = !strcmp(arg, "cdrom");
		o->vc.boot_net = !strcmp(arg, "net");
		return strcmp(arg, "disk") && strcmp(arg, "cdrom") &&
		       strcmp(arg, "net") ?
		       (cli_err("run", "--boot: want disk, cdrom or net, got '%s'", arg), -1) : 0;
	case 'N': {
		char why[256];

		o->net_given = true;
		return vm_net_parse(arg, &o->vc.net, why, sizeof(why)) ?
		       (cli_err("run", "--net: %s", why), -1) : 0;
	}
	case 'A':
		return vm_mac_parse(arg, o->vc.net.mac) ?
		       (cli_err("run", "--mac: want a unicast XX:XX:XX:XX:XX:XX, got '%s'", arg), -1) : 0;
	default:
		return -1;
	}
}

static int parse_args(struct run_opts *o, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "serial", required_argument, NULL, 's' },
		{ "display", required_argument, NULL, 'd' },
		{ "partition", required_argument, NULL, 'p' },
		{ "disk-mode", required_argument, NULL, 'M' },
		{ "on-exit", required_argument, NULL, 'x' },
		{ "until-serial", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "bios", required_argument, NULL, 'b' },
		{ "firmware", required_argument, NULL, 'F' },
		{ "nvram", required_argument, NULL, 'n' },
		{ "efi-loader", required_argument, NULL, 'L' },
		{ "debugcon", required_argument, NULL, 'D' },
		{ "post-codes", no_argument, NULL, 'P' },
		{ "log-unclaimed", no_argument, NULL, 'U' },
		{ "verbose", no_argument, NULL, 'U' },
		{ "cdrom", required_argument, NULL, 'c' },
		{ "boot", required_argument, NULL, 'B' },
		{ "net", required_argument, NULL, 'N' },
		{ "mac", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			cli_err("run", "bad option '%s' (see dualvm run --help)",
				argv[optind - 1]);
			return -1;
		}
		if (parse_opt(o, c, optarg))
			return -1;
	}
	o->disks = argv + optind;
	o->ndisks = argc - optind;
	if (o->ndisks > VM_MAX_DISKS) {
		cli_err("run", "at most %d disks", VM_MAX_DISKS);
		return -1;
	}
	if (o->cdrom && o->ndisks > 2) {
		cli_err("run", "with --cdrom, at most 2 disks (the CD is the secondary master)");
		return -1;
	}
	if (o->vc.boot_cdrom && !o->cdrom) {
		cli_err("run", "--boot cdrom needs --cdrom ISO");
		return -1;
	}
	if (o->vc.boot_net && o->vc.net.kind == VM_NET_NONE) {
		cli_err("run", "--boot net needs a NIC (not --net none)");
		return -1;
	}
	if (o->vc.boot_net)	/* Debian's ipxe-qemu: the e1000 PXE ROM */
		o->vc.net.rom = "/usr/lib/ipxe/qemu/pxe-e1000.rom";
	if (o->ndisks == 0 && !o->vc.bios && !o->cdrom) {
		cli_err("run", "no DISK given (see dualvm run --help)");
		return -1;
	}
	return 0;
}

/* Ask on the terminal what to do with the undoable overlay @ovl (no
 * terminal: keep it). */
static enum vmd_exit ask_on_exit(const char *ovl)
{
	char line[32];

	if (!isatty(0) || !isatty(2))
		return VMD_EXIT_KEEP;
	fprintf(stderr, "dualvm: the VM changed its disk (kept in %s).\n"
		"Commit the changes to the source, discard them, or keep the overlay? [c/d/K] ",
		ovl);
	if (!fgets(line, sizeof(line), stdin))
		return VMD_EXIT_KEEP;
	return line[0] == 'c' || line[0] == 'C' ? VMD_EXIT_COMMIT :
	       line[0] == 'd' || line[0] == 'D' ? VMD_EXIT_DISCARD :
	       VMD_EXIT_KEEP;
}

static void close_disks(struct run_opts *o)
{
	enum vmd_exit act;
	char msg[512];
	int i;

	for (i = 0; i < o->ndisks; i++) {
		struct rd_disk *d = o->vc.disk[i];

		if (!d)
			continue;
		act = o->on_exit;
		/* flushed first: a failing disk is reported, not asked about */
		if (o->ask_on_exit && vmd_undo_overlay(d) && !rd_flush(d))
			act = ask_on_exit(vmd_undo_overlay(d));
		if (vmd_close(d, act, msg, sizeof(msg)) && !msg[0])
			snprintf(msg, sizeof(msg), "%s: close failed", o->disks[i]);
		if (msg[0])
			cli_err("run", "%s", msg);
		o->vc.disk[i] = NULL;
	}
	rd_close(o->vc.cdrom);
	o->vc.cdrom = NULL;
}

/* Say which block devices a raw-disk descriptor @path will read (the
 * path policy follows them only read-only, and the user sees them before
 * the VM starts). */
static void show_devices(const char *path)
{
	struct rd_chain_file *f = calloc(16, sizeof(*f));
	struct rd_disk *d = NULL;
	unsigned int n = 0, i;
	char err[256];

	if (f && strcmp(rd_image_probe(path), "vmdk-descriptor") == 0 &&
	    !rd_image_open_files(path, RD_RDONLY, f, 16, &n, &d, err,
				 sizeof(err)))
		for (i = 0; i < n && i < 16; i++)
			if (f[i].blockdev)
				fprintf(stderr, "dualvm: run: %s reads block device %s (read-only; writes go to an overlay)\n",
					path, f[i].path);
	rd_close(d);
	free(f);
}

static int open_disks(struct run_opts *o)
{
	struct vmd_opts ro;
	char err[512];
	int i, rc;

	for (i = 0; i < o->ndisks; i++) {
		ro = (struct vmd_opts){
			.path = o->disks[i],
			.partitions = i == 0 ? o->partitions : NULL,
			.mode = o->def.ndisks ? o->disk_mode[i] : o->mode,
		};
		if (o->def.ndisks && o->def.disk[i].partitions[0])
			ro.partitions = o->def.disk[i].partitions;
		if (o->vm_dir[0] && ro.mode == VMD_MODE_UNDOABLE)
			ro.overlay_dir = o->vm_dir;	/* beside its VM */
		err[0] = 0;
		show_devices(o->disks[i]);
		rc = cli_vmdisk_open(&ro, &o->vc.disk[i], err, sizeof(err));
		if (rc) {
			cli_err("run", "%s", err[0] ? err : strerror(-rc));
			close_disks(o);
			return rc == -ENOTSUP ? EXIT_USAGE : 1;
		}
	}
	if (o->cdrom) {
		/* read-only: nothing is ever written to the image */
		err[0] = 0;
		rc = rd_file_open(o->cdrom, RD_RDONLY, &o->vc.cdrom, err,
				  sizeof(err));
		if (rc) {
			cli_err("run", "--cdrom %s: %s", o->cdrom,
				err[0] ? err : strerror(-rc));
			close_disks(o);
			return 1;
		}
	}
	return 0;
}

static int run_vm(struct run_opts *o)
{
	char msg[512];
	struct vm *vm;
	enum vm_result r;
	int rc;

	rc = vm_create(&o->vc, &vm, msg, sizeof(msg));
	if (rc) {
		cli_err("run", "%s", msg);
		return rc == -ENOSYS ? EXIT_USAGE : 1;
	}
	r = vm_run(vm, msg, sizeof(msg));
	switch (r) {
	case VM_POWEROFF:
		rc = vm_exit_status(vm);
		break;
	case VM_UNTIL:
		rc = 0;
		break;
	case VM_TIMEOUT:
		cli_err("run", "%s", msg);
		rc = EXIT_TIMEOUT;
		break;
	case VM_STOPPED:
		cli_err("run", "%s", msg);
		rc = EXIT_STOPPED;
		break;
	default:
		cli_err("run", "%s", msg);
		rc = 1;
		break;
	}
	vm_destroy(vm);
	return rc;
}

/*
 * The GTK display from its plugin beside this binary (gui/gui.h), or NULL
 * with one line in @why.  The plugin stays loaded for the process's life.
 */
static const struct display_ops *gui_load(char *why, size_t len)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	bool (*available)(char *, size_t);
	const struct display_ops *ops;
	ssize_t n;
	char *slash;
	void *h;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || !(exe[n] = '\0', slash = strrchr(exe, '/'))) {
		snprintf(why, len, "--display gtk: cannot find dualvm's own folder");
		return NULL;
	}
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s", exe, GUI_PLUGIN_DIR,
		 GUI_PLUGIN_NAME);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, len, "--display gtk: cannot load the GTK display: %s",
			 dlerror());
		return NULL;
	}
	*(void **)&available = dlsym(h, GUI_SYM_AVAILABLE);
	ops = dlsym(h, GUI_SYM_OPS);
	if (!available || !ops) {
		snprintf(why, len, "--display gtk: %s is not a dualvm GTK display",
			 path);
		return NULL;
	}
	return available(why, len) ? ops : NULL;
}

/*
 * DISK names no file but is the name of a VM of the library: run its
 * definition (P2V_VMDEF_LIBRARY: its disks are where the user said).
 * 0 (*@flags set when it is one), or an exit code after one line.
 */
static int library_vm(struct run_opts *o, unsigned int *flags)
{
	const char *name = o->disks[0];
	char err[PATH_MAX + 256];
	struct stat st;

	if (o->ndisks != 1 || !stat(name, &st) || errno != ENOENT ||
	    !p2v_lib_name_ok(name))
		return 0;
	if (!p2v_lib_exists(name)) {
		cli_err("run", "%s: no such file, and no VM of that name in the library (dualvm vm list)",
			name);
		return 1;
	}
	if (p2v_lib_paths(name, o->vm_dir, o->vm_def, sizeof(o->vm_dir), err,
			  sizeof(err))) {
		cli_err("run", "%s", err);
		return 1;
	}
	o->disks[0] = o->vm_def;
	*flags = P2V_VMDEF_LIBRARY;
	return 0;
}

/*
 * DISK is a VM definition dualvm runs (its own, a VMware .vmx, an OVF, a
 * libvirt domain XML) or a VM of the library: take its disks, modes,
 * partitions, memory, CPUs and NIC; the command line wins.  An OVA is
 * refused (exit 2) with the pointer to `dualvm vm import`.  0, or an
 * exit code after one line on stderr.
 */
static int load_definition(struct run_opts *o)
{
	char real[PATH_MAX], err[640];
	unsigned int i, flags = 0;
	enum rd_vmdef def;
	struct stat st;
	int rc;

	rc = library_vm(o, &flags);
	if (rc)
		return rc;
	if (o->ndisks != 1 || stat(o->disks[0], &st) || !S_ISREG(st.st_mode) ||
	    !realpath(o->disks[0], real))
		return 0;
	if (!rd_image_not_disk(real, &def) || def == RD_VMDEF_NONE)
		return 0;
	if (def == RD_VMDEF_OVA) {
		cli_err("run", "%s is an OVA archive: import it first (dualvm vm import %s), then run the VM by name",
			o->disks[0], o->disks[0]);
		return EXIT_USAGE;
	}
	if (p2v_vmdef_load(o->disks[0], flags, &o->def, err, sizeof(err))) {
		cli_err("run", "%s", err);
		return 1;
	}
	o->def_path = o->disks[0];
	if (o->def.uefi && !o->firmware)
		o->vc.uefi = true;
	if (o->partitions) {
		cli_err("run", "--partition selects partitions of a disk, not of a VM definition (%s)",
			o->disks[0]);
		return EXIT_USAGE;
	}
	if (!o->cpus_given && o->def.cpus > VM_MAX_CPUS) {
		cli_err("run", "%s: %u CPUs; dualvm runs 1-%d (give --cpus)",
			o->disks[0], o->def.cpus, VM_MAX_CPUS);
		return EXIT_USAGE;
	}
	for (i = 0; i < o->def.ndisks; i++) {
		o->def_disks[i] = o->def.disk[i].path;
		o->disk_mode[i] = o->mode;
		if (!o->mode_given && o->def.disk[i].mode[0] &&
		    cli_disk_mode_parse(o->def.disk[i].mode, &o->disk_mode[i]))
			o->disk_mode[i] = o->mode;
	}
	o->disks = o->def_disks;
	o->ndisks = (int)o->def.ndisks;
	if (!o->mem_given && o->def.mem_mib)
		o->vc.ram_mib = o->def.mem_mib;
	if (!o->cpus_given && o->def.cpus)
		o->vc.cpus = o->def.cpus;
	if (!o->net_given && !o->def.nic)
		o->vc.net.kind = VM_NET_NONE;
	return 0;
}

/*
 * UEFI without --nvram: the variable store beside the definition
 * (VM.dualvm-nvram: a VMware VM.nvram is another format) or the first
 * disk file (DISK.nvram); for a block device, $XDG_DATA_HOME/dualvm
 * (~/.local/share/dualvm) holds NAME.nvram.
 * 0, or -1 after one line on stderr.
 */
static int set_nvram(struct run_opts *o)
{
	const char *src = o->def_path ? o->def_path :
			  o->ndisks ? o->disks[0] : NULL;
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX / 2];
	struct stat st;
	size_t n;

	if (o->vc.nvram || !o->vc.uefi)
		return o->efi_loader && !o->vc.uefi ?
		       (cli_err("run", "--efi-loader needs --firmware uefi"), -1) : 0;
	if (!src) {
		cli_err("run", "--firmware uefi without a disk: give --nvram PATH");
		return -1;
	}
	if (!stat(src, &st) && S_ISREG(st.st_mode)) {
		n = strlen(src);
		if (o->def_path && strrchr(src, '.') > strrchr(src, '/'))
			n = (size_t)(strrchr(src, '.') - src);
		snprintf(o->nvram, sizeof(o->nvram), "%.*s.%s", (int)n, src,
			 o->def_path ? "dualvm-nvram" : "nvram");
	} else {
		if (xdg && *xdg)
			snprintf(dir, sizeof(dir), "%s/dualvm", xdg);
		else if (home && *home)
			snprintf(dir, sizeof(dir), "%s/.local/share/dualvm", home);
		else
			return cli_err("run", "no --nvram and no HOME for the UEFI variable store"), -1;
		if (mkdir(dir, 0700) && errno != EEXIST) {
			cli_err("run", "%s: %s", dir, strerror(errno));
			return -1;
		}
		snprintf(o->nvram, sizeof(o->nvram), "%s/%.1000s.nvram", dir,
			 strrchr(src, '/') ? strrchr(src, '/') + 1 : src);
	}
	o->vc.nvram = o->nvram;
	return 0;
}


/* GUID text to the mixed-endian bytes a GPT entry stores. */
static int guid_bytes(const char *s, uint8_t out[16])
{
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
				       8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned int i, k = 0, v;

	for (i = 0; i < 16; i++) {
		if (s[k] == '-')
			k++;
		if (sscanf(s + k, "%2x", &v) != 1)
			return -1;
		out[order[i]] = (uint8_t)v;
		k += 2;
	}
	return 0;
}

/* Does the --partition list "2,3" name partition @n? */
static bool list_has(const char *list, unsigned long n)
{
	for (; list; list = strchr(list, ','), list = list ? list + 1 : NULL)
		if (strtoul(list, NULL, 10) == n)
			return true;
	return false;
}

/*
 * --firmware uefi --partition N on a GPT disk: the EFI system partition
 * is exposed too (the loaders live there), and the chosen OS's loader
 * boots first through a boot entry in the VM's variable store (libboard
 * writes it before start): --efi-loader, else the loader of the ESP
 * whose files name the chosen partition's file system (vmd_esp_loader()).
 * 0, or an exit code after one line on stderr.
 */
/* The EFI system partition of a GPT table, or NULL. */
static const struct rd_part *gpt_esp(const struct rd_part_table *t)
{
	unsigned int i;

	if (strcmp(t->label, "gpt"))
		return NULL;
	for (i = 0; i < t->n; i++)
		if (rd_part_type_is_esp(t->part[i].type))
			return &t->part[i];
	return NULL;
}

/* --partition N: expose the ESP too; without --efi-loader, find N's
 * loader on it.  0, or an exit code after one line on stderr. */
static int esp_for_partition(struct run_opts *o, struct rd_disk *d,
			     const struct rd_part_table *t,
			     const struct rd_part *esp)
{
	unsigned long chosen = strtoul(o->partitions, NULL, 10);
	char err[512] = "";

	snprintf(o->parts, sizeof(o->parts), "%s", o->partitions);
	if (!list_has(o->parts, esp->number)) {
		snprintf(o->parts + strlen(o->parts),
			 sizeof(o->parts) - strlen(o->parts), ",%u", esp->number);
		fprintf(stderr, "dualvm: run: also exposing the EFI system partition %u\n",
			esp->number);
	}
	o->partitions = o->parts;
	if (o->efi_loader)
		return 0;
	if (vmd_esp_loader(d, t, esp->number, (unsigned int)chosen, o->loader,
			   sizeof(o->loader), err, sizeof(err))) {
		cli_err("run", "%s (name it with --efi-loader)",
			err[0] ? err : "no loader of the chosen partition on the EFI system partition");
		return EXIT_USAGE;
	}
	o->efi_loader = o->loader;
	fprintf(stderr, "dualvm: run: partition %lu boots %s\n", chosen,
		o->loader);
	return 0;
}

static int uefi_partition(struct run_opts *o)
{
	struct rd_part_table *t;
	const struct rd_part *esp;
	struct rd_disk *d = NULL;
	char err[512];
	int rc = 0;

	if (!o->vc.uefi || (!o->partitions && !o->efi_loader) || o->def_path ||
	    !o->ndisks)
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return 1;
	/* an unreadable disk: its open says what is wrong */
	if (rd_image_open(o->disks[0], RD_RDONLY, &d, err, sizeof(err)) ||
	    rd_part_table_read(d, t))
		goto out;
	esp = gpt_esp(t);
	if (!esp) {
		if (o->efi_loader) {
			cli_err("run", "--efi-loader: %s has no GPT EFI system partition",
				o->disks[0]);
			rc = EXIT_USAGE;
		}
		goto out;
	}
	if (o->partitions)
		rc = esp_for_partition(o, d, t, esp);
	if (rc)
		goto out;
	o->vc.efi_loader = o->efi_loader;
	o->vc.efi_part = esp->number;
	o->vc.efi_start = esp->start / 512;
	o->vc.efi_sectors = esp->size / 512;
	if (guid_bytes(esp->uuid, o->vc.efi_guid)) {
		cli_err("run", "%s: bad GPT partition GUID", o->disks[0]);
		rc = 1;
	}
out:
	rd_close(d);
	free(t);
	return rc;
}

/* --display: pick the back end; 0, or -1 after one line on stderr. */
static int set_display(struct run_opts *o)
{
	char why[PATH_MAX + 256];

	if (!strcmp(o->display, "text")) {
		o->vc.display = &display_text_ops;
	} else if (!strcmp(o->display, "gtk")) {
		o->vc.display = gui_load(why, sizeof(why));
		if (!o->vc.display) {
			cli_err("run", "%s", why);
			return -1;
		}
	} else {
		return 0;
	}
	snprintf(o->title, sizeof(o->title), "dualvm \u2014 %s",
		 o->ndisks ? o->disks[0] : o->cdrom ? o->cdrom : o->vc.bios);
	o->vc.display_title = o->title;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {
		.vc = { .engine = "auto", .ram_mib = 256, .serial = "stdio",
			.vga = true,
			.net = { .kind = VM_NET_USER,
				 .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } } },
		.display = "none",
		.mode = VMD_MODE_DEFAULT,
		.on_exit = VMD_EXIT_KEEP,
		.ask_on_exit = true,
	};
	sigset_t stop, old, pend;
	const char *dbg;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (parse_args(&o, argc, argv))
		return EXIT_USAGE;
	dbg = getenv("DUALVM_DEBUG");
	if (dbg && *dbg && strcmp(dbg, "0"))
		o.vc.log_unclaimed = true;
	rc = load_definition(&o);
	if (rc)
		return rc;
	/* OVMF keeps some of the RAM: Debian's GRUB EFI runs out of memory
	 * loading its kernel and initrd in 256 MiB */
	if (o.vc.uefi && !o.mem_given && !(o.def_path && o.def.mem_mib))
		o.vc.ram_mib = 512;
	/* OVMF's flash has only been brought up on the interpreter */
	if (o.vc.uefi && !strcmp(o.vc.engine, "kvm"))
		return cli_not_implemented("run", "UEFI on the KVM engine (--firmware uefi --engine kvm; use --engine interp)");
	if (o.vc.uefi && !strcmp(o.vc.engine, "auto")) {
		fprintf(stderr, "dualvm: run: --firmware uefi runs on the interpreter (UEFI on KVM is not implemented yet)\n");
		o.vc.engine = "interp";
	}
	if (set_nvram(&o))
		return EXIT_USAGE;
	rc = uefi_partition(&o);
	if (rc)
		return rc;
	if (set_display(&o))
		return 1;
	o.vc.rtc_epoch = (int64_t)time(NULL);
	/* A stop request (Ctrl-C, SIGTERM, SIGHUP) from here on waits until
	 * the disks are open and then stops the guest (vm_run() reads it);
	 * one before the guest starts stops it there, and the disks are
	 * closed properly either way, never by the signal killing us. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	rc = open_disks(&o);
	if (!rc) {
		sigpending(&pend);
		if (sigismember(&pend, SIGINT) || sigismember(&pend, SIGTERM) ||
		    sigismember(&pend, SIGHUP)) {
			cli_err("run", "stopped before the guest started");
			rc = EXIT_STOPPED;
		} else {
			rc = run_vm(&o);
		}
	}
	/* requests that came after the guest stopped: nothing left to stop */
	while (sigtimedwait(&stop, NULL, &(struct timespec){ 0, 0 }) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_disks(&o);	/* nothing to do when open_disks() failed */
	return rc;
}
