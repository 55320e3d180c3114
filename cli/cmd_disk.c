// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_disk.c --- `dualvm disk check|info|commit|discard|create-raw`
 *
 * A thin front end over librawdisk: safety checks, overlay commit/discard,
 * partition listing, VMware/VirtualBox raw-disk descriptors.  The hidden
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
#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

static const char usage_text[] =
"usage: dualvm disk check DISK [--partition N[,M]] [--disk-mode MODE] [--json]\n"
"       dualvm disk info DISK|OVERLAY [--json]\n"
"       dualvm disk commit OVERLAY\n"
"       dualvm disk discard OVERLAY\n"
"       dualvm disk create-raw --device DISK [--partitions N[,M]] -o NAME.vmdk\n"
"Check a disk for safety hazards, list its partitions, commit or discard an\n"
"undoable overlay, or write a VMware/VirtualBox raw-disk descriptor.\n\n"
"  --partition N[,M]    check only these partitions (as `run --partition`)\n"
"  --disk-mode MODE     nonpersistent|undoable|persistent (default: what\n"
"                       `dualvm run` would use for this disk)\n"
"  --device DISK        create-raw: the disk the descriptor points at\n"
"  --partitions N[,M]   create-raw: partitions to expose (default: all,\n"
"                       as a fullDevice descriptor)\n"
"  -o, --output FILE    create-raw: descriptor to write (NAME-pt.vmdk beside)\n"
"  --json               machine-readable output\n"
"  --help               this text\n";

struct disk_args {
	const char	*disk;		/* positional */
	const char	*partitions;	/* --partition(s) */
	const char	*device;	/* --device */
	const char	*output;	/* -o */
	const char	*data;		/* debug-write --data */
	const char	*overlay_dir;	/* debug-write --overlay-dir */
	uint64_t	offset;		/* debug-write --offset */
	enum rd_disk_mode mode;		/* --disk-mode */
	enum rd_exit_action on_exit;	/* debug-write --on-exit */
	bool		json;		/* --json */
	bool		loop;		/* debug-write --loop: until killed */
	const char	*op;		/* debug-bench --op read|write */
	const char	*pattern;	/* debug-bench --pattern seq|rand */
	uint64_t	bs;		/* debug-bench --bs bytes */
	uint64_t	count;		/* debug-bench --count ops */
};

static int parse_mode(const char *s, enum rd_disk_mode *m)
{
	*m = !strcmp(s, "persistent") ? RD_MODE_PERSISTENT :
	     !strcmp(s, "nonpersistent") ? RD_MODE_NONPERSISTENT :
	     !strcmp(s, "undoable") ? RD_MODE_UNDOABLE : RD_MODE_DEFAULT;
	return *m == RD_MODE_DEFAULT ? -1 : 0;
}

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
	a->on_exit = RD_EXIT_KEEP;
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
			if (parse_mode(optarg, &a->mode)) {
				cli_err("disk", "--disk-mode: want nonpersistent, undoable or persistent, got '%s'",
					optarg);
				return -1;
			}
			break;
		case 'x':
			a->on_exit = !strcmp(optarg, "commit") ? RD_EXIT_COMMIT :
				     !strcmp(optarg, "discard") ? RD_EXIT_DISCARD :
				     RD_EXIT_KEEP;
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

static const char *mode_str(enum rd_disk_mode m)
{
	return m == RD_MODE_PERSISTENT ? "persistent" :
	       m == RD_MODE_UNDOABLE ? "undoable" : "nonpersistent";
}

static int disk_check(const struct disk_args *a)
{
	struct rd_check *c = malloc(sizeof(*c));
	struct rd_disk *d;
	enum rd_disk_mode mode;
	char err[512];
	unsigned int i;
	int e;

	if (!c)
		return 1;
	if (rd_is_vmdk_descriptor(a->disk)) {
		struct rd_disk *locks[8];
		unsigned int n = 0;

		mode = rd_mode_resolve(a->mode, true, true);
		e = rd_vm_desc_guard(a->disk, mode, locks, &n, 8, c, err,
				     sizeof(err));
		while (n)
			rd_close(locks[--n]);
		goto report;
	}
	e = rd_file_open(a->disk, RD_RDONLY, &d, err, sizeof(err));
	if (e) {
		cli_err("disk", "check: %s", err);
		free(c);
		return 1;
	}
	mode = rd_mode_resolve(a->mode, rd_is_blockdev(d), a->partitions != NULL);
	e = rd_safety_check(a->disk, d, a->partitions, mode, true, c, err,
			    sizeof(err));
	rd_close(d);
report:
	if (e) {
		cli_err("disk", "check: %s", err);
		free(c);
		return 1;
	}
	if (a->json) {
		printf("{\"disk\": ");
		cli_json_str(a->disk);
		printf(", \"partitions\": ");
		cli_json_str(a->partitions ? a->partitions : "");
		printf(", \"mode\": \"%s\", \"ok\": %s, \"hazards\": [",
		       mode_str(mode), c->nrefuse ? "false" : "true");
		for (i = 0; i < c->n; i++) {
			printf("%s{\"partition\": %u, \"level\": \"%s\", \"code\": ",
			       i ? ", " : "", c->hz[i].partition,
			       c->hz[i].refuse ? "refuse" : "warning");
			cli_json_str(c->hz[i].code);
			printf(", \"message\": ");
			cli_json_str(c->hz[i].msg);
			printf("}");
		}
		printf("]}\n");
	} else {
		for (i = 0; i < c->n; i++)
			if (!c->hz[i].refuse)
				printf("%s: warning: %s\n", a->disk, c->hz[i].msg);
		for (i = 0; i < c->n; i++)
			if (c->hz[i].refuse) {
				fprintf(stderr, "dualvm: disk check: %s: refused (%s mode): %s\n",
					a->disk, mode_str(mode), c->hz[i].msg);
				break;
			}
		if (!c->nrefuse)
			printf("%s%s%s: ok for %s mode\n", a->disk,
			       a->partitions ? " partition " : "",
			       a->partitions ? a->partitions : "", mode_str(mode));
	}
	e = c->nrefuse ? 1 : 0;
	free(c);
	return e;
}

static int info_table(const struct disk_args *a)
{
	struct rd_part_table *t = malloc(sizeof(*t));
	struct rd_disk *d;
	char err[512];
	unsigned int i;
	int e;

	if (!t)
		return 1;
	e = rd_image_open(a->disk, RD_RDONLY, &d, err, sizeof(err));
	if (!e) {
		e = rd_part_table_read(d, t);
		if (e)
			snprintf(err, sizeof(err), "%s", rd_strerror(d));
	}
	if (e) {
		cli_err("disk", "info: %s", err);
		rd_close(d);
		free(t);
		return 1;
	}
	if (a->json) {
		printf("{\"disk\": ");
		cli_json_str(a->disk);
		printf(", \"size\": %" PRIu64 ", \"label\": \"%s\", \"disk_signature\": \"0x%08x\", \"disk_guid\": \"%s\", \"partitions\": [",
		       rd_size(d), t->label, t->disk_signature, t->disk_guid);
		for (i = 0; i < t->n; i++) {
			printf("%s{\"number\": %u, \"start\": %" PRIu64 ", \"size\": %" PRIu64 ", \"type\": \"%s\", \"bootable\": %s, \"logical\": %s, \"name\": ",
			       i ? ", " : "", t->part[i].number, t->part[i].start,
			       t->part[i].size, t->part[i].type,
			       t->part[i].bootable ? "true" : "false",
			       t->part[i].logical ? "true" : "false");
			cli_json_str(t->part[i].name);
			printf("}");
		}
		printf("]}\n");
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
	}
	rd_close(d);
	free(t);
	return 0;
}

static int disk_info(const struct disk_args *a)
{
	struct rd_overlay_info inf;
	char err[512];
	FILE *f = fopen(a->disk, "rb");
	unsigned char magic[4] = { 0 };

	if (f) {
		if (fread(magic, 1, 4, f) != 4)
			magic[0] = 0;
		fclose(f);
	}
	if (memcmp(magic, "QFI\xfb", 4))
		return info_table(a);
	if (rd_overlay_info(a->disk, &inf, err, sizeof(err))) {
		cli_err("disk", "info: %s", err);
		return 1;
	}
	if (a->json) {
		printf("{\"overlay\": ");
		cli_json_str(a->disk);
		printf(", \"source\": ");
		cli_json_str(inf.source);
		printf(", \"partitions\": ");
		cli_json_str(inf.partitions);
		printf(", \"mode\": ");
		cli_json_str(inf.mode);
		printf(", \"size\": %" PRIu64 ", \"allocated\": %" PRIu64 ", \"cluster_size\": %" PRIu64 "}\n",
		       inf.size, inf.allocated, inf.cluster_size);
	} else {
		printf("%s: qcow2 overlay of %s%s%s, %" PRIu64 " bytes, %" PRIu64 " bytes changed%s\n",
		       a->disk, inf.source, inf.partitions[0] ? " partitions " : "",
		       inf.partitions, inf.size, inf.allocated,
		       inf.mode[0] ? "" : " (no .dualvm sidecar: not a dualvm overlay)");
	}
	return 0;
}

static int disk_commit(const struct disk_args *a, bool discard)
{
	struct rd_commit_opts co = { 0 };
	const char *env = getenv("DUALVM_TEST_COMMIT_FAIL_WRITE");
	char msg[600];
	int e;

	if (env)
		co.fail_write_nth = strtoul(env, NULL, 10);
	e = discard ? rd_overlay_discard(a->disk, msg, sizeof(msg)) :
	    rd_overlay_commit(a->disk, &co, msg, sizeof(msg));
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
	struct rd_vm_opts o = {
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
	e = rd_vm_open(&o, &d, err, sizeof(err));
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
		rd_vm_close(d, RD_EXIT_KEEP, err, sizeof(err));
		return 1;
	}
	e = rd_vm_close(d, a->on_exit, err, sizeof(err));
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
	unsigned char m[4] = { 0 };
	FILE *f = fopen(a->disk, "rb");
	double s;
	int e;

	if (f) {
		if (fread(m, 1, 4, f) != 4)
			m[0] = 0;
		fclose(f);
	}
	e = !memcmp(m, "QFI\xfb", 4) ?
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
	if (rd_vmdk_raw_create(a->device, a->partitions, a->output, err,
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
