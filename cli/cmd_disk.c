// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_disk.c --- `dualvm disk`
 */
#include <stdio.h>

#include "cli/cli.h"

static const char usage_text[] =
"usage: dualvm disk check|create-raw|commit|discard|info [options] ...\n"
"Check a disk for safety hazards, create raw-disk descriptors, commit or\n"
"discard undoable overlays.\n\n"
"  --json                        machine-readable output\n"
"  --help                        this text\n";

int cmd_disk(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	return cli_not_implemented("disk", "'dualvm disk'");
}
