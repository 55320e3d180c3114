// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_inject.c --- `dualvm inject`
 */
#include <stdio.h>

#include "cli/cli.h"

static const char usage_text[] =
"usage: dualvm inject DISK [--partition N] [--undo] [--json]\n"
"Make the OS installed on a disk boot on dualvm's virtual hardware: add\n"
"storage drivers (Windows registry, Linux initramfs) and fix device names.\n\n"
"  --partition N                 only this partition\n"
"  --undo                        restore what a previous inject changed\n"
"  --json                        machine-readable report\n"
"  --help                        this text\n";

int cmd_inject(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	return cli_not_implemented("inject", "'dualvm inject'");
}
