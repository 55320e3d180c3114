// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_inject.c --- `dualvm inject`: make the OS on a disk boot on dualvm's
 * virtual hardware (hwprofile).  Image files are written in place
 * (persistent) unless another --disk-mode is chosen; block devices are
 * never written directly: the changes go into an undoable overlay that
 * `dualvm run` then uses (and `dualvm disk commit` may write back).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "hwprofile/hwprofile.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"

static const char usage_text[] =
"usage: dualvm inject DISK [--partition N] [--undo] [--json]\n"
"                    [--disk-mode persistent|undoable|nonpersistent]\n"
"                    [--overlay-dir DIR]\n"
"       dualvm inject --hive SYSTEM-HIVE [--windows xp|vista7|win8] [--json]\n"
"Make the OS installed on a disk boot on dualvm's virtual hardware: add\n"
"storage drivers (Windows registry, Linux initramfs) and fix device names.\n\n"
"  --partition N                 only this partition\n"
"  --undo                        restore what a previous inject changed\n"
"  --json                        machine-readable report with SHA-256 of\n"
"                                every changed file (schema: README.md)\n"
"  --disk-mode MODE              persistent (default for image files: write\n"
"                                the image), undoable (default for block\n"
"                                devices: keep the changes in an overlay for\n"
"                                `dualvm run`), nonpersistent (dry run)\n"
"  --overlay-dir DIR             where undoable overlays live\n"
"  --hive FILE                   edit a bare SYSTEM hive file in place\n"
"  --windows GEN                 its generation (default: guessed)\n"
"  --help                        this text\n";

struct inj_opts {
	const char		*disk;		/* DISK argument */
	const char		*hive;		/* --hive FILE */
	const char		*overlay_dir;	/* --overlay-dir */
	char			part_str[16];	/* --partition as a string */
	unsigned int		part;		/* --partition N, 0: all */
	unsigned int		flags;		/* HWP_INJ_* */
	bool			json;		/* --json */
	bool			mode_set;	/* --disk-mode given */
	enum vmd_mode		mode;		/* --disk-mode */
	enum hwp_win_gen	gen;		/* --windows */
};

static int parse_args(int argc, char **argv, struct inj_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char *end;

		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--undo")) {
			o->flags |= HWP_INJ_UNDO;
		} else if (cli_opt_value(argc, argv, &i, "--partition", &v)) {
			unsigned long n = v ? strtoul(v, &end, 10) : 0;

			if (!v || !*v || *end || !n || n > RD_MAX_PARTS) {
				cli_err("inject", "bad partition number '%s'",
					v ? v : "");
				return -1;
			}
			o->part = (unsigned int)n;
			snprintf(o->part_str, sizeof(o->part_str), "%lu", n);
		} else if (cli_opt_value(argc, argv, &i, "--disk-mode", &v)) {
			o->mode_set = true;
			if (!v || cli_disk_mode_parse(v, &o->mode)) {
				cli_err("inject", "bad --disk-mode '%s'", v ? v : "");
				return -1;
			}
		} else if (cli_opt_value(argc, argv, &i, "--overlay-dir", &v)) {
			if (!v || !*v)
				return cli_err("inject", "%s needs a value (try --help)", a), -1;
			o->overlay_dir = v;
		} else if (cli_opt_value(argc, argv, &i, "--hive", &v)) {
			if (!v || !*v)
				return cli_err("inject", "%s needs a value (try --help)", a), -1;
			o->hive = v;
		} else if (cli_opt_value(argc, argv, &i, "--windows", &v)) {
			o->gen = !v ? HWP_WIN_UNKNOWN :
				 !strcmp(v, "xp") ? HWP_WIN_XP :
				 !strcmp(v, "vista7") ? HWP_WIN_VISTA7 :
				 !strcmp(v, "win8") ? HWP_WIN_8PLUS :
				 HWP_WIN_UNKNOWN;
			if (o->gen == HWP_WIN_UNKNOWN) {
				cli_err("inject", "bad --windows '%s' (xp, "
					"vista7, win8)", v ? v : "");
				return -1;
			}
		} else if (a[0] == '-' || o->disk) {
			cli_err("inject", "unexpected argument '%s' (try --help)",
				a);
			return -1;
		} else {
			o->disk = a;
		}
	}
	if (!o->disk == !o->hive) {
		cli_err("inject", "give one DISK or --hive FILE (try --help)");
		return -1;
	}
	return 0;
}

static void print_report(const struct inj_opts *o,
			 const struct hwp_inject_report *rep)
{
	if (o->json)
		hwp_inject_report_print_json(rep, stdout);
	else
		hwp_inject_report_print_text(rep, stdout);
}

static int inject_hive(const struct inj_opts *o,
		       struct hwp_inject_report *rep)
{
	char err[512] = "";
	int rc;

	rc = hwp_hive_inject_file(o->hive, o->gen, rep, err, sizeof(err));
	if (rc) {
		cli_err("inject", "%s", err[0] ? err : strerror(-rc));
		return 1;
	}
	print_report(o, rep);
	return 0;
}

/*
 * A refused or failed inject leaves no new overlay behind: an undoable
 * overlay that holds nothing (created by this run, or empty anyway) is
 * removed; one holding changes (an earlier inject's, or a partial write)
 * is kept and named.
 */
static void drop_empty_overlay(const char *ovl, const char *kept_msg)
{
	struct vmd_overlay_info info;
	char err[512];

	if (!ovl[0])
		return;
	if (!vmd_overlay_info(ovl, &info, err, sizeof(err)) &&
	    !info.allocated) {
		if (vmd_overlay_discard(ovl, err, sizeof(err)))
			cli_err("inject", "could not remove the empty overlay %s",
				ovl);
		return;
	}
	if (kept_msg[0])
		fprintf(stderr, "dualvm: inject: %s\n", kept_msg);
}

static int inject_disk(struct inj_opts *o, struct hwp_inject_report *rep)
{
	struct vmd_opts vo = { 0 };
	struct rd_disk *d;
	struct stat st;
	char err[768] = "", msg[512] = "", ovl[4096] = "";
	int rc, crc;

	if (stat(o->disk, &st)) {
		cli_err("inject", "%s: %s", o->disk, strerror(errno));
		return 1;
	}
	if (!o->mode_set)
		o->mode = S_ISBLK(st.st_mode) ? VMD_MODE_UNDOABLE :
			  VMD_MODE_PERSISTENT;
	if (S_ISBLK(st.st_mode) && o->mode == VMD_MODE_PERSISTENT) {
		cli_err("inject", "%s is a block device: injection goes into "
			"an overlay (--disk-mode undoable), never onto the "
			"device itself", o->disk);
		return 1;
	}
	if (!S_ISBLK(st.st_mode)) {
		/* formats rd_image_open reads but nothing here can write */
		struct rd_disk *probe;

		if (!rd_image_open(o->disk, RD_RDONLY, &probe, err,
				   sizeof(err))) {
			const char *fmt = probe->ops->name;
			char magic[4] = "";
			bool writable = !strcmp(fmt, "file") ||
					!strcmp(fmt, "vmdk-descriptor");

			/* qcow2 is not probed by rd_image_open: not raw */
			if (rd_pread(probe, magic, 4, 0) == 0 &&
			    !memcmp(magic, "QFI\xfb", 4))
				writable = false;

			rd_close(probe);
			if (!writable) {
				cli_err("inject", "%s is not a raw disk image "
					"and dualvm cannot write its format; "
					"inject into the raw disk before "
					"converting it, or convert it to raw "
					"first", o->disk);
				return 1;
			}
		}
		err[0] = '\0';
	}
	vo.path = o->disk;
	vo.mode = o->mode;
	vo.overlay_dir = o->overlay_dir;
	vo.partitions = o->mode != VMD_MODE_PERSISTENT && o->part ?
			o->part_str : NULL;
	rc = cli_vmdisk_open(&vo, &d, err, sizeof(err));
	if (rc) {
		cli_err("inject", "%s", err[0] ? err : strerror(-rc));
		return 1;
	}
	if (vmd_undo_overlay(d))
		snprintf(ovl, sizeof(ovl), "%s", vmd_undo_overlay(d));
	rc = hwp_inject(d, o->part, o->flags, rep, err, sizeof(err));
	crc = vmd_close(d, o->mode == VMD_MODE_UNDOABLE ? VMD_EXIT_KEEP :
			VMD_EXIT_DISCARD, msg, sizeof(msg));
	if (rc) {
		if (rep->notes[0])
			fputs(rep->notes, stderr);
		cli_err("inject", "%s", err[0] ? err : strerror(-rc));
		drop_empty_overlay(ovl, msg);
		return 1;
	}
	print_report(o, rep);
	if (msg[0])
		fprintf(o->json ? stderr : stdout, "%s\n", msg);
	if (crc) {
		cli_err("inject", "closing the disk failed: %s",
			msg[0] ? msg : strerror(-crc));
		return 1;
	}
	return 0;
}

int cmd_inject(int argc, char **argv)
{
	struct inj_opts o = { .mode = VMD_MODE_DEFAULT };
	struct hwp_inject_report *rep;
	int ret;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		cli_err("inject", "out of memory");
		return 1;
	}
	ret = o.hive ? inject_hive(&o, rep) : inject_disk(&o, rep);
	free(rep);
	return ret;
}
