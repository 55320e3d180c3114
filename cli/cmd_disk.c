// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_disk.c --- `dualvm disk check|info|commit|discard|create-raw`
 *
 * A thin front end over libvmdisk (safety checks as typed hazards, overlay
 * commit/discard, VMware/VirtualBox raw-disk descriptors) and librawdisk
 * (partition listing).  The hidden
 * `debug-write` subcommand opens a disk exactly like `dualvm run` and writes
 * a string the way a guest would (integration tests).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/lib.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"

static const char usage_text[] =
"usage: dualvm disk check DISK [--partition N[,M]] [--disk-mode MODE] [--json]\n"
"       dualvm disk info DISK|OVERLAY [--json]\n"
"       dualvm disk commit OVERLAY\n"
"       dualvm disk discard OVERLAY\n"
"       dualvm disk create-raw --device DISK [--partition N[,M]] -o NAME.vmdk\n"
"Check a disk for safety hazards, list its partitions, commit or discard an\n"
"undoable overlay, or write a VMware/VirtualBox raw-disk descriptor.\n\n"
"  --partition N[,M]    check: only these partitions (as `run --partition`);\n"
"                       create-raw: the partitions to expose (default: all,\n"
"                       as a fullDevice descriptor)\n"
"  --disk-mode MODE     nonpersistent|undoable|persistent (default: what\n"
"                       `dualvm run` would use for this disk)\n"
"  --device DISK        create-raw: the disk the descriptor points at\n"
"  -o, --output FILE    create-raw: descriptor to write (NAME-pt.vmdk beside)\n"
"  --json               machine-readable output (schema: README.md)\n"
"  --help               this text\n";

struct disk_args {
	const char	*disk;		/* positional */
	const char	*partitions;	/* --partition(s) */
	const char	*device;	/* --device */
	const char	*output;	/* -o */
	const char	*data;		/* debug-write --data */
	const char	*overlay_dir;	/* debug-write --overlay-dir */
	uint64_t	offset;		/* debug-write --offset */
	enum vmd_mode	mode;		/* --disk-mode */
	enum vmd_exit	on_exit;	/* debug-write --on-exit */
	bool		json;		/* --json */
	bool		loop;		/* debug-write --loop: until killed */
	const char	*op;		/* debug-bench --op read|write */
	const char	*pattern;	/* debug-bench --pattern seq|rand */
	uint64_t	bs;		/* debug-bench --bs bytes */
	uint64_t	count;		/* debug-bench --count ops */
};

static int parse_args(const char *sub, int argc, char **argv,
		      struct disk_args *a)
{
	static const struct option opts[] = {
		{ "partition", required_argument, NULL, 'p' },
		{ "partitions", required_argument, NULL, 'p' },
		{ "disk-mode", required_argument, NULL, 'M' },
		{ "device", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "data", required_argument, NULL, 'D' },
		{ "offset", required_argument, NULL, 'O' },
		{ "on-exit", required_argument, NULL, 'x' },
		{ "overlay-dir", required_argument, NULL, 'r' },
		{ "loop", no_argument, NULL, 'l' },
		{ "op", required_argument, NULL, 'P' },
		{ "pattern", required_argument, NULL, 'T' },
		{ "bs", required_argument, NULL, 'B' },
		{ "count", required_argument, NULL, 'C' },
		{ 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->on_exit = VMD_EXIT_KEEP;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->partitions = optarg; break;
		case 'd': a->device = optarg; break;
		case 'o': a->output = optarg; break;
		case 'j': a->json = true; break;
		case 'D': a->data = optarg; break;
		case 'O': a->offset = strtoull(optarg, NULL, 0); break;
		case 'r': a->overlay_dir = optarg; break;
		case 'l': a->loop = true; break;
		case 'P': a->op = optarg; break;
		case 'T': a->pattern = optarg; break;
		case 'B': a->bs = strtoull(optarg, NULL, 0); break;
		case 'C': a->count = strtoull(optarg, NULL, 0); break;
		case 'M':
			if (cli_disk_mode_parse(optarg, &a->mode)) {
				cli_err("disk", "--disk-mode: want nonpersistent, undoable or persistent, got '%s'",
					optarg);
				return -1;
			}
			break;
		case 'x':
			if (cli_on_exit_parse(optarg, &a->on_exit))
				a->on_exit = VMD_EXIT_KEEP;
			break;
		default:
			cli_err("disk", "%s: unknown option '%s' (see dualvm disk --help)",
				sub, argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		a->disk = argv[optind++];
	if (optind < argc) {
		cli_err("disk", "%s: unexpected argument '%s'", sub, argv[optind]);
		return -1;
	}
	return 0;
}

static void check_json(const struct disk_args *a, enum vmd_mode mode,
		       const struct vmd_check *c)
{
	char msg[VMD_HAZARD_MSG];
	struct lib_json j;

	lib_json_init(&j, stdout, false);
	lib_json_begin(&j, NULL, '{');
	lib_json_str(&j, "disk", a->disk);
	lib_json_str(&j, "partitions", a->partitions);
	lib_json_str(&j, "mode", vmd_mode_name(mode));
	lib_json_bool(&j, "ok", !c->nrefuse);
	lib_json_begin(&j, "hazards", '[');
	for (unsigned int i = 0; i < c->n; i++) {
		const struct vmd_hazard *h = &c->hz[i];

		vmd_hazard_message(h, msg, sizeof(msg));
		lib_json_begin(&j, NULL, '{');
		lib_json_u64(&j, "partition", h->partition);
		lib_json_str(&j, "level", h->refuse ? "refuse" : "warning");
		lib_json_str(&j, "code", vmd_hazard_code(h->kind));
		lib_json_str(&j, "message", msg);
		lib_json_end(&j, '}');
	}
	lib_json_end(&j, ']');
	lib_json_finish(&j, '}');
}

static void check_text(const struct disk_args *a, enum vmd_mode mode,
		       const struct vmd_check *c)
{
	char msg[VMD_HAZARD_MSG];
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		if (c->hz[i].refuse)
			continue;
		vmd_hazard_message(&c->hz[i], msg, sizeof(msg));
		printf("%s: warning: %s\n", a->disk, msg);
	}
	for (i = 0; i < c->n; i++) {
		if (!c->hz[i].refuse)
			continue;
		vmd_hazard_message(&c->hz[i], msg, sizeof(msg));
		fprintf(stderr, "dualvm: disk check: %s: refused (%s mode): %s\n",
			a->disk, vmd_mode_name(mode), msg);
		break;
	}
	if (!c->nrefuse)
		printf("%s%s%s: ok for %s mode\n", a->disk,
		       a->partitions ? " partition " : "",
		       a->partitions ? a->partitions : "", vmd_mode_name(mode));
}

static int disk_check(const struct disk_args *a)
{
	struct vmd_check *c = malloc(sizeof(*c));
	enum vmd_mode mode = a->mode;
	char err[512];
	int e;

	if (!c)
		return 1;
	e = vmd_check_path(a->disk, a->partitions, a->mode, &mode, c, err,
			   sizeof(err));
	if (e) {
		cli_err("disk", "check: %s", err);
		free(c);
		return 1;
	}
	if (a->json)
		check_json(a, mode, c);
	else
		check_text(a, mode, c);
	e = c->nrefuse ? 1 : 0;
	free(c);
	return e;
}

#define INFO_FILES	64	/* chain entries `disk info` shows */

/* The files an image reads, one line each (text) or a JSON array. */
static void chain_print(const struct disk_args *a, struct lib_json *j,
			const struct rd_chain_file *f, unsigned int n)
{
	unsigned int i, shown = n < INFO_FILES ? n : INFO_FILES;

	if (j) {
		lib_json_begin(j, "files", '[');
		for (i = 0; i < shown; i++) {
			lib_json_begin(j, NULL, '{');
			lib_json_u64(j, "depth", f[i].depth);
			lib_json_str(j, "format", f[i].format);
			lib_json_str(j, "path", f[i].path);
			lib_json_bool(j, "block_device", f[i].blockdev);
			lib_json_end(j, '}');
		}
		lib_json_end(j, ']');
		return;
	}
	if (n <= 1)
		return;
	printf("%s reads %u files:\n", a->disk, n);
	for (i = 0; i < shown; i++)
		printf("  %*s%s %s%s\n", (int)(2 * f[i].depth), "", f[i].format,
		       f[i].path, f[i].blockdev ? " (block device, read-only)" : "");
	if (n > shown)
		printf("  ... %u more\n", n - shown);
}

static int info_table(const struct disk_args *a)
{
	struct rd_part_table *t = malloc(sizeof(*t));
	struct rd_chain_file *files = calloc(INFO_FILES, sizeof(*files));
	struct rd_disk *d = NULL;
	unsigned int nfiles = 0;
	char err[1024];
	unsigned int i;
	int e;

	if (!t || !files) {
		free(t);
		free(files);
		return 1;
	}
	e = rd_image_open_files(a->disk, RD_RDONLY, files, INFO_FILES, &nfiles,
				&d, err, sizeof(err));
	if (!e) {
		e = rd_part_table_read(d, t);
		if (e)
			snprintf(err, sizeof(err), "%s", rd_strerror(d));
	}
	if (e) {
		cli_err("disk", "info: %s", err);
		rd_close(d);
		free(t);
		free(files);
		return 1;
	}
	if (a->json) {
		struct lib_json j;
		char sig[16];

		snprintf(sig, sizeof(sig), "0x%08x", t->disk_signature);
		lib_json_init(&j, stdout, false);
		lib_json_begin(&j, NULL, '{');
		lib_json_str(&j, "disk", a->disk);
		lib_json_u64(&j, "size", rd_size(d));
		lib_json_str(&j, "label", t->label);
		lib_json_str(&j, "disk_signature", sig);
		lib_json_str(&j, "disk_guid", t->disk_guid);
		lib_json_begin(&j, "partitions", '[');
		for (i = 0; i < t->n; i++) {
			lib_json_begin(&j, NULL, '{');
			lib_json_u64(&j, "number", t->part[i].number);
			lib_json_u64(&j, "start", t->part[i].start);
			lib_json_u64(&j, "size", t->part[i].size);
			lib_json_str(&j, "type", t->part[i].type);
			lib_json_bool(&j, "bootable", t->part[i].bootable);
			lib_json_bool(&j, "logical", t->part[i].logical);
			lib_json_str(&j, "name", t->part[i].name);
			lib_json_end(&j, '}');
		}
		lib_json_end(&j, ']');
		chain_print(a, &j, files, nfiles);
		lib_json_finish(&j, '}');
	} else {
		printf("%s: %" PRIu64 " bytes, label %s", a->disk, rd_size(d),
		       t->label[0] ? t->label : "none");
		if (!strcmp(t->label, "dos"))
			printf(", disk signature 0x%08x", t->disk_signature);
		if (t->disk_guid[0])
			printf(", disk GUID %s", t->disk_guid);
		printf("\n");
		for (i = 0; i < t->n; i++)
			printf("  %2u  start %12" PRIu64 "  size %12" PRIu64 "  type %-36s%s%s %s\n",
			       t->part[i].number, t->part[i].start / 512,
			       t->part[i].size / 512, t->part[i].type,
			       t->part[i].bootable ? " boot" : "",
			       t->part[i].logical ? " logical" : "",
			       t->part[i].name);
		chain_print(a, NULL, files, nfiles);
	}
	rd_close(d);
	free(t);
	free(files);
	return 0;
}

/*
 * A qcow2 image: what its overlay metadata says (never following the
 * backing name for that), then the whole chain opened under the path
 * policy.  A chain that cannot be followed fails the command, except for
 * dualvm's own overlays (a .dualvm side file), whose sources are often
 * block devices no image may name: then it is reported as not followed.
 */
static int disk_info(const struct disk_args *a)
{
	struct rd_chain_file *files;
	struct vmd_overlay_info inf;
	struct rd_disk *d = NULL;
	unsigned int nfiles = 0;
	char err[1024], why[1024] = "";
	int e;

	if (strcmp(rd_image_probe(a->disk), "qcow2"))
		return info_table(a);
	if (vmd_overlay_info(a->disk, &inf, err, sizeof(err))) {
		cli_err("disk", "info: %s", err);
		return 1;
	}
	files = calloc(INFO_FILES, sizeof(*files));
	if (!files)
		return 1;
	e = rd_image_open_files(a->disk, RD_RDONLY, files, INFO_FILES, &nfiles,
				&d, why, sizeof(why));
	rd_close(d);
	if (e && !inf.mode[0]) {
		cli_err("disk", "info: %s", why);
		free(files);
		return 1;
	}
	if (a->json) {
		struct lib_json j;

		lib_json_init(&j, stdout, false);
		lib_json_begin(&j, NULL, '{');
		lib_json_str(&j, "overlay", a->disk);
		lib_json_str(&j, "source", inf.source);
		lib_json_str(&j, "backing", inf.backing);
		lib_json_str(&j, "partitions", inf.partitions);
		lib_json_str(&j, "mode", inf.mode);
		lib_json_u64(&j, "size", inf.size);
		lib_json_u64(&j, "allocated", inf.allocated);
		lib_json_u64(&j, "cluster_size", inf.cluster_size);
		lib_json_str(&j, "chain_error", e ? why : "");
		chain_print(a, &j, files, e ? 0 : nfiles);
		lib_json_finish(&j, '}');
	} else {
		printf("%s: qcow2 overlay of %s%s%s, %" PRIu64 " bytes, %" PRIu64 " bytes changed%s\n",
		       a->disk, inf.source, inf.partitions[0] ? " partitions " : "",
		       inf.partitions, inf.size, inf.allocated,
		       inf.mode[0] ? "" : " (no .dualvm sidecar: not a dualvm overlay)");
		if (e)
			printf("  backing chain not followed: %s\n", why);
		else
			chain_print(a, NULL, files, nfiles);
	}
	free(files);
	return 0;
}

static int disk_commit(const struct disk_args *a, bool discard)
{
	struct vmd_commit_opts co = { 0 };
	const char *env = getenv("DUALVM_TEST_COMMIT_FAIL_WRITE");
	char msg[600];
	int e;

	if (env)
		co.fail_write_nth = strtoul(env, NULL, 10);
	e = discard ? vmd_overlay_discard(a->disk, msg, sizeof(msg)) :
	    vmd_overlay_commit(a->disk, &co, msg, sizeof(msg));
	if (e) {
		cli_err("disk", "%s: %s", discard ? "discard" : "commit", msg);
		return 1;
	}
	printf("%s\n", msg);
	return 0;
}

/* Open like `dualvm run`, write --data at --offset like a guest, close. */
static int disk_debug_write(const struct disk_args *a)
{
	struct vmd_opts o = {
		.path = a->disk, .partitions = a->partitions, .mode = a->mode,
		.overlay_dir = a->overlay_dir,
	};
	struct rd_disk *d;
	char err[600];
	size_t n = a->data ? strlen(a->data) : 0;
	unsigned long i = 0;
	int e;

	if (!n) {
		cli_err("disk", "debug-write: --data is required");
		return EXIT_USAGE;
	}
	e = cli_vmdisk_open(&o, &d, err, sizeof(err));
	if (e) {
		cli_err("disk", "debug-write: %s", err);
		return 1;
	}
	do {
		e = rd_pwrite(d, a->data, n, a->offset + (a->loop ? (i % 4096) * 4096 : 0));
		if (!e && a->loop && !(i % 64))
			e = rd_flush(d);
		i++;
	} while (!e && a->loop);
	if (e) {
		cli_err("disk", "debug-write: %s", rd_strerror(d));
		vmd_close(d, VMD_EXIT_KEEP, err, sizeof(err));
		return 1;
	}
	e = vmd_close(d, a->on_exit, err, sizeof(err));
	if (e) {
		cli_err("disk", "debug-write: %s", err);
		return 1;
	}
	if (err[0])
		printf("%s\n", err);
	return 0;
}

/* Time @count I/Os of @bs bytes through the block layer (make bench):
 * qcow2 images through the overlay code, anything else as a raw file. */
static int disk_debug_bench(const struct disk_args *a)
{
	bool wr = a->op && !strcmp(a->op, "write");
	bool rnd = a->pattern && !strcmp(a->pattern, "rand");
	uint64_t bs = a->bs ? a->bs : 4096, n = a->count ? a->count : 4096;
	uint64_t i, blocks, x = 88172645463325252ull;
	struct timespec t0, t1;
	struct rd_disk *d;
	char err[600], *buf;
	double s;
	int e;

	e = !strcmp(rd_image_probe(a->disk), "qcow2") ?
	    rd_qcow2_open(a->disk, wr ? RD_RDWR : RD_RDONLY, NULL, &d, err,
			  sizeof(err)) :
	    rd_file_open(a->disk, wr ? RD_RDWR : RD_RDONLY, &d, err, sizeof(err));
	if (e) {
		cli_err("disk", "debug-bench: %s", err);
		return 1;
	}
	blocks = rd_size(d) / bs;
	buf = malloc(bs);
	if (!buf || !blocks) {
		rd_close(d);
		free(buf);
		return 1;
	}
	memset(buf, 0xa5, bs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n && !e; i++) {
		uint64_t blk = i % blocks;

		if (rnd) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			blk = x % blocks;
		}
		e = wr ? rd_pwrite(d, buf, bs, blk * bs) :
		    rd_pread(d, buf, bs, blk * bs);
	}
	if (!e && wr)
		e = rd_flush(d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (e)
		cli_err("disk", "debug-bench: %s", rd_strerror(d));
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (!e)
		printf("%.1f MB/s %.0f IOPS\n", (double)(n * bs) / s / 1e6,
		       (double)n / s);
	rd_close(d);
	free(buf);
	return e ? 1 : 0;
}

static int disk_create_raw(const struct disk_args *a)
{
	char err[600];

	if (!a->device || !a->output) {
		cli_err("disk", "create-raw: --device DISK and -o NAME.vmdk are required");
		return EXIT_USAGE;
	}
	if (vmd_rawdesc_create(a->device, a->partitions, a->output, err,
			       sizeof(err))) {
		cli_err("disk", "create-raw: %s", err);
		return 1;
	}
	printf("%s: %s descriptor for %s%s%s\n", a->output,
	       a->partitions ? "partitionedDevice" : "whole-disk", a->device,
	       a->partitions ? " partitions " : "",
	       a->partitions ? a->partitions : "");
	return 0;
}

int cmd_disk(int argc, char **argv)
{
	struct disk_args a;
	const char *sub;

	if (argc < 2 || cli_wants_help(argc, argv)) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	if (parse_args(sub, argc - 1, argv + 1, &a))
		return EXIT_USAGE;
	if (!strcmp(sub, "create-raw"))
		return disk_create_raw(&a);
	if (!a.disk) {
		cli_err("disk", "%s: missing DISK argument (see dualvm disk --help)",
			sub);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "check"))
		return disk_check(&a);
	if (!strcmp(sub, "info"))
		return disk_info(&a);
	if (!strcmp(sub, "commit"))
		return disk_commit(&a, false);
	if (!strcmp(sub, "discard"))
		return disk_commit(&a, true);
	if (!strcmp(sub, "debug-write"))
		return disk_debug_write(&a);
	if (!strcmp(sub, "debug-bench"))
		return disk_debug_bench(&a);
	cli_err("disk", "unknown subcommand '%s' (see dualvm disk --help)", sub);
	return EXIT_USAGE;
}
