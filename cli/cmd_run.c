// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_run.c --- `dualvm run`
 */
#include <stdio.h>

#include "cli/cli.h"

static const char usage_text[] =
"usage: dualvm run [options] DISK...\n"
"Boot a virtual machine from raw images, block devices or partitions.\n\n"
"  --engine auto|kvm|interp|bt   CPU engine (default auto: KVM if it works)\n"
"  --memory MiB                  guest RAM (default 256)\n"
"  --serial stdio|PATH           where COM1 goes (default stdio)\n"
"  --display none|gtk            VGA output (default none)\n"
"  --partition N[,M]             expose only these partitions of the disk\n"
"  --disk-mode nonpersistent|undoable|persistent\n"
"  --until-serial TEXT           exit 0 when TEXT appears on COM1\n"
"  --timeout SEC                 exit 124 after SEC seconds\n"
"  --help                        this text\n";

int cmd_run(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	return cli_not_implemented("run", "'dualvm run'");
}
