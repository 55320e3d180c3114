// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_inspect.c --- `dualvm inspect`: report the partitions, file systems
 * and installed operating systems of a disk or image (read only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "hwprofile/hwprofile.h"
#include "rawdisk/rawdisk.h"

static const char usage_text[] =
"usage: dualvm inspect DISK [--partition N] [--json]\n"
"Report the partitions, file systems and operating systems on a disk.\n\n"
"  --partition N                 only this partition\n"
"  --json                        machine-readable output (schema: README.md)\n"
"  --help                        this text\n";

/* Parse "N" (1..RD_MAX_PARTS) for --partition.  0 on error. */
static unsigned int parse_part(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v == 0 || v > RD_MAX_PARTS)
		return 0;
	return (unsigned int)v;
}

int cmd_inspect(int argc, char **argv)
{
	const char *disk = NULL;
	unsigned int part = 0;
	bool json = false;
	struct hwp_report *r;
	struct rd_disk *d;
	char err[512];
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (cli_opt_value(argc, argv, &i, "--partition", &v)) {
			part = v ? parse_part(v) : 0;
			if (!part) {
				cli_err("inspect", "bad partition number '%s'",
					v ? v : "");
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' || disk) {
			cli_err("inspect", "unexpected argument '%s' (try --help)",
				argv[i]);
			return EXIT_USAGE;
		} else {
			disk = argv[i];
		}
	}
	if (!disk) {
		cli_err("inspect", "no disk given (try --help)");
		return EXIT_USAGE;
	}
	rc = rd_image_open(disk, RD_RDONLY, &d, err, sizeof(err));
	if (rc) {
		cli_err("inspect", "%s", err[0] ? err : strerror(-rc));
		return 1;
	}
	rc = hwp_inspect(d, disk, part, &r, err, sizeof(err));
	if (rc) {
		cli_err("inspect", "%s", err[0] ? err : strerror(-rc));
		rd_close(d);
		return 1;
	}
	if (json)
		hwp_report_print_json(r, stdout);
	else
		hwp_report_print_text(r, stdout);
	hwp_report_free(r);
	rd_close(d);
	return 0;
}
