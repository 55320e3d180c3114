// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_inspect.c --- `dualvm inspect`
 */
#include <stdio.h>

#include "cli/cli.h"

static const char usage_text[] =
"usage: dualvm inspect DISK [--partition N] [--json]\n"
"Report the partitions, file systems and operating systems on a disk.\n\n"
"  --partition N                 only this partition\n"
"  --json                        machine-readable output\n"
"  --help                        this text\n";

int cmd_inspect(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	return cli_not_implemented("inspect", "'dualvm inspect'");
}
