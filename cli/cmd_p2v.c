// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_p2v.c --- `dualvm p2v SOURCE OUTPUT`: convert a disk to an image
 *
 * Opens SOURCE read-only (block device or any image rd_image_open reads),
 * refuses it while a file system on it is mounted (unless --allow-live),
 * plans with p2v_plan_make, writes OUTPUT.partial-XXXXXX with the chosen
 * writer, optionally verifies it, renames it into place and writes the VM
 * definitions.  SIGINT/SIGTERM remove the partial file.  Progress goes to
 * stderr on a TTY; --json prints one JSON object per line on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/lib.h"
#include "p2v/p2v.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"

static const char usage_text[] =
"usage: dualvm p2v SOURCE OUTPUT [options]\n"
"Convert a physical disk or image into a virtual disk, copying only the\n"
"blocks file systems use (ext2/3/4, NTFS, swap; others are copied whole).\n\n"
"  --format, -O vmdk|vmdk-stream|vmdk-2gb|qcow2|vhd|vhd-fixed|vhdx|vdi|raw\n"
"                                default: from OUTPUT's extension\n"
"  --vm vmx,ovf,ova,libvirt,dualvm   also write VM definitions\n"
"  --memory MIB, --cpus N        for the VM definitions (default: this\n"
"                                machine's for a block device, else 1024, 1)\n"
"  --firmware auto|bios|uefi     for the VM definitions (auto: uefi when the\n"
"                                source has an EFI system partition)\n"
"  --verify                      read the output back and compare\n"
"  --check                       only compare an existing OUTPUT with SOURCE\n"
"  --partition N[,M...]          copy only these partitions (tables and gaps\n"
"                                always; the others become zeros)\n"
"  --full-copy                   ignore file systems, copy every non-zero block\n"
"  --continue-on-error           unreadable sectors become zeros (listed)\n"
"  --allow-live                  convert a source with mounted file systems\n"
"  --json                        machine-readable progress and report, as\n"
"                                JSON Lines (schema: README.md)\n"
"  --help                        this text\n";

/*
 * The one piece of mutable static state: the signal that asked p2v to
 * stop, set by the handler and read by the copy threads.  A lock-free
 * atomic is both async-signal-safe and race-free across threads.
 */
static atomic_int p2v_stop_flag;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free");

static void on_signal(int sig)
{
	atomic_store(&p2v_stop_flag, sig);
}

struct p2v_cli {
	const char	*src_path;
	const char	*out_path;
	const char	*format;
	const char	*vm;
	const char	*firmware;	/* "auto", "bios", "uefi" */
	unsigned int	mem_mib;
	unsigned int	cpus;
	bool		verify, check, json, allow_live, tty;
	bool		mem_given, cpus_given;	/* --memory / --cpus used */
	struct p2v_opts	o;
	char		partial[4200];	/* temporary output name */
};

static void progress(void *ctx, const struct p2v_progress *p)
{
	const struct p2v_cli *c = ctx;
	double rate = p->elapsed > 0 ? (double)p->done / p->elapsed : 0;
	double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;

	if (c->json) {
		printf("{\"event\":\"progress\",\"phase\":\"%s\",\"partition\":%u,"
		       "\"fs\":", p->phase, p->area ? p->area->part : 0);
		lib_json_quote(stdout, p->area ? p->area->fs : "");
		printf(",\"area_done\":%llu,\"area_total\":%llu,\"done\":%llu,"
		       "\"total\":%llu,\"rate\":%.0f,\"eta\":%.1f}\n",
		       (unsigned long long)p->area_done,
		       (unsigned long long)(p->area ? p->area->planned : 0),
		       (unsigned long long)p->done,
		       (unsigned long long)p->total, rate, eta);
		fflush(stdout);
	} else if (c->tty) {
		char d[32], t[32], r[32];

		lib_human_size(d, sizeof(d), (double)p->done);
		lib_human_size(t, sizeof(t), (double)p->total);
		lib_human_size(r, sizeof(r), rate);
		double aeta = rate > 0 && p->area && p->area->planned > p->area_done ?
			      (double)(p->area->planned - p->area_done) / rate : 0;

		fprintf(stderr, "\r%s: %s %u (%s): %s / %s, %s/s, ETA %d:%02d (this %s %d:%02d)   ",
			p->phase, p->area && p->area->part ? "partition" : "area",
			p->area ? p->area->part : 0,
			p->area && p->area->fs[0] ? p->area->fs : "?", d, t, r,
			(int)eta / 60, (int)eta % 60,
			p->area && p->area->part ? "partition" : "area",
			(int)aeta / 60, (int)aeta % 60);
	}
}

static void print_plan_report(const struct p2v_cli *c,
			      const struct p2v_plan *p,
			      const struct p2v_result *r)
{
	if (c->json) {
		printf("{\"event\":\"result\",\"source\":");
		lib_json_quote(stdout, c->src_path);
		printf(",\"output\":");
		lib_json_quote(stdout, c->out_path);
		printf(",\"format\":");
		lib_json_quote(stdout, c->format);
		printf(",\"disk_size\":%llu,\"read\":%llu,\"copied\":%llu,"
		       "\"seconds\":%.3f,\"areas\":[",
		       (unsigned long long)p->disk_size,
		       (unsigned long long)r->read,
		       (unsigned long long)r->copied, r->seconds);
		for (unsigned int i = 0; i < p->narea; i++) {
			const struct p2v_area *a = &p->area[i];

			printf("%s{\"partition\":%u,\"start\":%llu,\"size\":%llu,"
			       "\"fs\":", i ? "," : "", a->part,
			       (unsigned long long)a->start,
			       (unsigned long long)a->size);
			lib_json_quote(stdout, a->fs);
			printf(",\"method\":");
			lib_json_quote(stdout, a->method);
			printf(",\"used\":%llu,\"planned\":%llu,\"copied\":%llu,"
			       "\"note\":", (unsigned long long)a->used,
			       (unsigned long long)a->planned,
			       (unsigned long long)a->copied);
			lib_json_quote(stdout, a->note);
			printf("}");
		}
		printf("],\"bad\":[");
		for (unsigned int i = 0; i < r->nbad; i++)
			printf("%s{\"offset\":%llu,\"length\":%llu}", i ? "," : "",
			       (unsigned long long)r->bad[i].off,
			       (unsigned long long)r->bad[i].len);
		printf("]}\n");
		return;
	}
	printf("%-5s %-12s %-8s %-7s %12s %12s %12s  %s\n", "part", "start", "fs",
	       "method", "used", "read", "copied", "note");
	for (unsigned int i = 0; i < p->narea; i++) {
		const struct p2v_area *a = &p->area[i];
		char u[32], rd[32], cp[32], st[32], pn[12] = "-";

		lib_human_size(u, sizeof(u), (double)a->used);
		lib_human_size(rd, sizeof(rd), (double)a->read);
		lib_human_size(cp, sizeof(cp), (double)a->copied);
		lib_human_size(st, sizeof(st), (double)a->start);
		if (a->part)
			snprintf(pn, sizeof(pn), "%u", a->part);
		printf("%-5s %-12s %-8s %-7s %12s %12s %12s  %s\n", pn, st,
		       a->fs[0] ? a->fs : "unknown", a->method, u, rd, cp,
		       a->note);
	}
	for (unsigned int i = 0; i < r->nbad; i++)
		printf("unreadable: bytes %llu-%llu (copied as zeros)\n",
		       (unsigned long long)r->bad[i].off,
		       (unsigned long long)(r->bad[i].off + r->bad[i].len - 1));
}

/* Refuse (or warn about) a source the host is using: mounted file
 * systems, the host's root, a device held by someone else. */
static int check_live(struct p2v_cli *c, struct rd_disk *src)
{
	struct vmd_check *chk = calloc(1, sizeof(*chk));
	char err[256], msg[VMD_HAZARD_MSG];
	int rc = 0;

	if (!chk)
		return 1;
	if (vmd_safety_check(c->src_path, src, NULL, VMD_MODE_NONPERSISTENT,
			     false, chk, err, sizeof(err))) {
		cli_err("p2v", "safety checks failed: %s", err);
		free(chk);
		return 1;
	}
	for (unsigned int i = 0; i < chk->n; i++) {
		const struct vmd_hazard *h = &chk->hz[i];
		bool live = vmd_hazard_host_busy(h->kind);

		vmd_hazard_message(h, msg, sizeof(msg));
		if (live && !c->allow_live) {
			cli_err("p2v", "%s (use --allow-live to convert anyway; the copy may be inconsistent)",
				msg);
			rc = 1;
		} else {
			fprintf(stderr, "dualvm: p2v: warning: %s%s\n", msg,
				live ? " (--allow-live: the copy may be inconsistent)" : "");
		}
	}
	free(chk);
	return rc;
}

static int make_partial_name(struct p2v_cli *c)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -EIO;
	snprintf(c->partial, sizeof(c->partial), "%s.partial-%c%c%c%c%c%c",
		 c->out_path, set[r[0] % 36], set[r[1] % 36], set[r[2] % 36],
		 set[r[3] % 36], set[r[4] % 36], set[r[5] % 36]);
	return 0;
}

static int do_verify(struct p2v_cli *c, struct rd_disk *src,
		     const char *path, const struct p2v_plan *p,
		     const struct p2v_result *r)
{
	struct rd_disk *out;
	char err[512];
	int e;

	e = rd_image_open(path, RD_RDONLY, &out, err, sizeof(err));
	if (e) {
		cli_err("p2v", "verify: cannot read the output back: %s", err);
		return 1;
	}
	e = p2v_verify(src, out, p, r, &c->o, err, sizeof(err));
	rd_close(out);
	if (c->tty && !c->json)
		fputc('\n', stderr);
	if (e) {
		cli_err("p2v", "%s", err);
		return 1;
	}
	if (c->json)
		printf("{\"event\":\"verified\",\"bytes\":%llu}\n",
		       (unsigned long long)p2v_plan_bytes(p));
	else
		printf("verify: %llu bytes identical to the source\n",
		       (unsigned long long)p2v_plan_bytes(p));
	return 0;
}

/* Copy @p from @src into a new image @path of c->format. */
static int convert_to(struct p2v_cli *c, struct rd_disk *src,
		      struct p2v_plan *p, const char *format, const char *path,
		      const char *final_name, struct p2v_result *r)
{
	struct rd_image_opts io = { .threads = 2, .name = final_name };
	struct rd_disk *dst;
	char err[512];
	int e;

	e = rd_image_create(format, path, rd_size(src), &io, &dst, err,
			    sizeof(err));
	if (e) {
		cli_err("p2v", "%s", err);
		return e;
	}
	e = p2v_copy(src, dst, p, &c->o, r, err, sizeof(err));
	/* Interrupted: nothing of the file is kept, so drop its unwritten
	 * pages before the writer's close flushes them (seconds for a
	 * large raw or qcow2 output) and before unlink frees its blocks. */
	if (e == -EINTR && truncate(path, 0))
		e = -EINTR;
	rd_close(dst);
	if (c->tty && !c->json)
		fputc('\n', stderr);
	if (e) {
		unlink(path);
		if (e == -EINTR)
			cli_err("p2v", "interrupted; removed %s", path);
		else if (e == -ENOSPC && !strstr(err, "full"))
			cli_err("p2v", "%s (the output file system is full; removed %s)",
				err, path);
		else
			cli_err("p2v", "%s", err);
	}
	return e;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* OUTPUT minus its extension, for the VM files. */
static void stem(const char *out, char *buf, size_t len)
{
	const char *dot = strrchr(out, '.');

	if (!dot || strchr(dot, '/'))
		dot = out + strlen(out);
	snprintf(buf, len, "%.*s", (int)(dot - out), out);
}

/*
 * The .vmx for an output VMware cannot open (issue 12): it names
 * <stem>-vmware.vmdk instead, a monolithicFlat descriptor over a raw or
 * fixed-VHD output, or a sparse VMDK copy of any other format.
 */
static int write_vmx_vmdk(struct p2v_cli *c, struct rd_disk *src,
			  struct p2v_plan *p, const struct p2v_vm *vm,
			  const char *st, const char *vmx)
{
	struct p2v_vm v = *vm;
	struct p2v_result r;
	char disk[4200], err[512];
	int e;

	snprintf(disk, sizeof(disk), "%s-vmware.vmdk", st);
	if (p2v_vmx_disk_kind(c->format) == P2V_VMX_FLAT) {
		e = p2v_vmdk_flat_write(disk, base_name(c->out_path),
					rd_size(src), err, sizeof(err));
		if (e) {
			cli_err("p2v", "%s", err);
			return 1;
		}
	} else {
		fprintf(stderr, "dualvm: p2v: VMware cannot open %s disks: writing a VMDK copy %s for %s\n",
			c->format, disk, vmx);
		if (convert_to(c, src, p, "vmdk", disk, base_name(disk), &r))
			return 1;
	}
	if (!c->json)
		printf("wrote %s\n", disk);
	v.disk = base_name(disk);
	v.disk_format = "vmdk";
	if (p2v_vm_write("vmx", &v, vmx, err, sizeof(err))) {
		cli_err("p2v", "%s", err);
		return 1;
	}
	return 0;
}

/* The --vm kinds and the extension each definition file gets (an OVA is
 * written by its own steps). */
static const char *const vm_kinds[][2] = {
	{ "vmx", "vmx" }, { "ovf", "ovf" }, { "ova", "ova" },
	{ "libvirt", "xml" }, { "dualvm", "dualvm" },
};

/* The extension of --vm kind @k (@n bytes), or NULL for an unknown one. */
static const char *vm_kind_ext(const char *k, size_t n)
{
	for (size_t i = 0; i < sizeof(vm_kinds) / sizeof(vm_kinds[0]); i++)
		if (n == strlen(vm_kinds[i][0]) && !strncmp(k, vm_kinds[i][0], n))
			return vm_kinds[i][1];
	return NULL;
}

/* The number of @src's EFI system partition (GPT type C12A7328-...,
 * MBR type 0xef), or 0 when it has none. */
static unsigned int esp_number(struct rd_disk *src)
{
	struct rd_part_table *t = calloc(1, sizeof(*t));
	unsigned int n = 0;

	if (t && !rd_part_table_read(src, t))
		for (unsigned int i = 0; i < t->n && !n; i++)
			if (rd_part_type_is_esp(t->part[i].type))
				n = t->part[i].number;
	free(t);
	return n;
}

static int write_vms(struct p2v_cli *c, struct rd_disk *src,
		     struct p2v_plan *p)
{
	char st[4096], path[4200], err[512], disk[4200];
	struct p2v_vm vm = {
		.disk = base_name(c->out_path), .disk_format = c->format,
		.disk_size = rd_size(src), .mem_mib = c->mem_mib,
		.cpus = c->cpus, .guest = "other", .nic = "e1000",
	};
	char *list = strdup(c->vm), *save = NULL;
	int rc = 0;

	if (!list)
		return 1;
	stem(c->out_path, st, sizeof(st));
	vm.name = base_name(st);
	if (!strcmp(c->firmware, "uefi")) {
		vm.uefi = true;
	} else if (!strcmp(c->firmware, "auto")) {
		unsigned int esp = esp_number(src);

		vm.uefi = esp != 0;
		if (esp && !c->json)
			printf("firmware: uefi (EFI system partition %u; --firmware bios to change)\n",
			       esp);
	}
	for (unsigned int i = 0; i < p->narea; i++)
		if (!strcmp(p->area[i].fs, "ntfs"))
			vm.guest = "windows";
		else if (!strncmp(p->area[i].fs, "ext", 3) &&
			 strcmp(vm.guest, "windows"))
			vm.guest = "linux";
	for (char *k = strtok_r(list, ",", &save); k && !rc;
	     k = strtok_r(NULL, ",", &save)) {
		const char *e = vm_kind_ext(k, strlen(k));	/* parse() checked k */

		if (!strcmp(k, "ova")) {
			/* the OVA holds a streamOptimized disk: the output
			 * itself when it is one, else a second copy */
			bool reuse = !strcmp(c->format, "vmdk-stream");
			struct p2v_result r;
			char ovf[4200];

			snprintf(disk, sizeof(disk), "%s", c->out_path);
			if (!reuse)
				snprintf(disk, sizeof(disk), "%s-disk1.vmdk", st);
			snprintf(ovf, sizeof(ovf), "%s-ova.ovf", st);
			snprintf(path, sizeof(path), "%s.ova", st);
			if (!reuse && convert_to(c, src, p, "vmdk-stream", disk,
						 base_name(disk), &r))
				rc = 1;
			vm.disk = base_name(disk);
			vm.disk_format = "vmdk-stream";
			if (!rc && (p2v_vm_write("ovf", &vm, ovf, err, sizeof(err)) ||
				    p2v_ova_write(path, ovf, disk, c->o.stop, err,
						  sizeof(err)))) {
				cli_err("p2v", "%s", err);
				rc = 1;
			}
			if (!reuse)
				unlink(disk);
			unlink(ovf);
			vm.disk = base_name(c->out_path);
			vm.disk_format = c->format;
		} else if (!strcmp(k, "vmx") &&
			   p2v_vmx_disk_kind(c->format) != P2V_VMX_DIRECT) {
			snprintf(path, sizeof(path), "%s.%s", st, e);
			rc = write_vmx_vmdk(c, src, p, &vm, st, path);
		} else {
			snprintf(path, sizeof(path), "%s.%s", st, e);
			if (p2v_vm_write(k, &vm, path, err, sizeof(err))) {
				cli_err("p2v", "%s", err);
				rc = 1;
			}
		}
		if (!rc && !c->json)
			printf("wrote %s\n", path);
	}
	free(list);
	return rc;
}

/* Converting a disk of this machine: its memory and CPUs are known. */
static void host_machine(struct p2v_cli *c)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (!c->mem_given && pages > 0 && psz > 0) {
		uint64_t mib = (uint64_t)pages * (uint64_t)psz >> 20;

		c->mem_mib = (unsigned int)(mib > 65536 ? 65536 : mib);
	}
	if (!c->cpus_given && cpus > 0)
		c->cpus = (unsigned int)(cpus > 64 ? 64 : cpus);
}

/* --vm: every kind known (vm_kinds[]), before anything is copied.  0 or
 * EXIT_USAGE. */
static int check_vm_kinds(const char *list)
{
	const char *k = list;

	for (;;) {
		size_t n = strcspn(k, ",");

		if (!vm_kind_ext(k, n)) {
			cli_err("p2v", "unknown --vm kind '%.*s' (vmx, ovf, ova, libvirt, dualvm)",
				(int)n, k);
			return EXIT_USAGE;
		}
		if (!k[n])
			return 0;
		k += n + 1;
	}
}

static int parse(struct p2v_cli *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "vm", required_argument, NULL, 'm' },
		{ "memory", required_argument, NULL, 'M' },
		{ "cpus", required_argument, NULL, 'C' },
		{ "firmware", required_argument, NULL, 'W' },
		{ "verify", no_argument, NULL, 'v' },
		{ "check", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "allow-live", no_argument, NULL, 'l' },
		{ "full-copy", no_argument, NULL, 'F' },
		{ "continue-on-error", no_argument, NULL, 'e' },
		{ "partition", required_argument, NULL, 'p' },
		{ "partitions", required_argument, NULL, 'p' },	/* old name */
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	c->mem_mib = 1024;
	c->cpus = 1;
	c->firmware = "auto";
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":O:", lo, NULL)) != -1) {
		switch (ch) {
		case 'O':			/* qemu-img's name for it */
		case 'f': c->format = optarg; break;
		case 'm': c->vm = optarg; break;
		case 'M':
			c->mem_mib = (unsigned int)strtoul(optarg, NULL, 0);
			c->mem_given = true;
			break;
		case 'C':
			c->cpus = (unsigned int)strtoul(optarg, NULL, 0);
			c->cpus_given = true;
			break;
		case 'W':
			if (strcmp(optarg, "auto") && strcmp(optarg, "bios") &&
			    strcmp(optarg, "uefi")) {
				cli_err("p2v", "--firmware %s: want auto, bios or uefi",
					optarg);
				return EXIT_USAGE;
			}
			c->firmware = optarg;
			break;
		case 'v': c->verify = true; break;
		case 'k': c->check = true; break;
		case 'j': c->json = true; break;
		case 'l': c->allow_live = true; break;
		case 'F': c->o.full_copy = true; break;
		case 'e': c->o.continue_on_error = true; break;
		case 'p': c->o.partitions = optarg; break;
		case ':':
			cli_err("p2v", "option '%s' needs a value (try --help)",
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_err("p2v", "unknown option '%s' (try --help)",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_err("p2v", "needs SOURCE and OUTPUT, got %d argument%s (try --help)",
			argc - optind, argc - optind == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	c->src_path = argv[optind];
	c->out_path = argv[optind + 1];
	if (!c->format)
		c->format = rd_image_format_from_ext(c->out_path);
	if (!c->format && !c->check) {
		cli_err("p2v", "cannot tell the format from '%s'; use --format", c->out_path);
		return EXIT_USAGE;
	}
	if (c->format && !rd_image_qemu_name(c->format)) {
		cli_err("p2v", "unknown format '%s'", c->format);
		return EXIT_USAGE;
	}
	if (!c->mem_mib || !c->cpus) {
		cli_err("p2v", "--memory and --cpus must be positive");
		return EXIT_USAGE;
	}
	return c->vm ? check_vm_kinds(c->vm) : 0;
}

static int run(struct p2v_cli *c)
{
	struct rd_disk *src = NULL;
	struct p2v_plan *p = NULL;
	struct p2v_result *r = calloc(1, sizeof(*r));
	struct stat st;
	char err[512];
	int rc = 1;

	if (!r)
		return 1;
	if (rd_image_open(c->src_path, RD_RDONLY, &src, err, sizeof(err))) {
		cli_err("p2v", "%s", err);
		goto out;
	}
	if (!c->check && !stat(c->out_path, &st)) {
		cli_err("p2v", "%s already exists; not overwriting it", c->out_path);
		goto out;
	}
	if (!c->check && check_live(c, src))
		goto out;
	if (p2v_plan_make(src, &c->o, &p, err, sizeof(err))) {
		cli_err("p2v", "%s", err);
		goto out;
	}
	if (c->check) {
		rc = do_verify(c, src, c->out_path, p, NULL);
		goto out;
	}
	if (make_partial_name(c) ||
	    convert_to(c, src, p, c->format, c->partial, base_name(c->out_path), r))
		goto out;
	print_plan_report(c, p, r);
	for (unsigned int i = 0; i < p->narea; i++)
		if (!strncmp(p->area[i].note, "full copy (fallback)", 20))
			fprintf(stderr, "dualvm: p2v: warning: partition %u (%s): %s\n",
				p->area[i].part, p->area[i].fs, p->area[i].note);
	if (c->verify && do_verify(c, src, c->partial, p, r)) {
		unlink(c->partial);
		goto out;
	}
	if (atomic_load(&p2v_stop_flag)) {
		unlink(c->partial);
		cli_err("p2v", "interrupted; removed %s", c->partial);
		goto out;
	}
	if (rename(c->partial, c->out_path)) {
		cli_err("p2v", "rename %s -> %s: %s", c->partial, c->out_path,
			strerror(errno));
		unlink(c->partial);
		goto out;
	}
	if (!c->json)
		printf("wrote %s (%s)\n", c->out_path, c->format);
	if (c->vm && rd_is_blockdev(src))
		host_machine(c);
	rc = c->vm ? write_vms(c, src, p) : 0;
out:
	p2v_plan_free(p);
	rd_close(src);
	free(r);
	return rc;
}

int cmd_p2v(int argc, char **argv)
{
	struct p2v_cli *c;
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	int rc, sig;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return 1;
	rc = parse(c, argc, argv);
	if (rc) {
		free(c);
		return rc;
	}
	c->tty = isatty(STDERR_FILENO);
	c->o.progress = progress;
	c->o.ctx = c;
	c->o.stop = &p2v_stop_flag;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = run(c);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sig = atomic_load(&p2v_stop_flag);
	if (sig)
		rc = 128 + sig;
	free(c);
	return rc;
}
