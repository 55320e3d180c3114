// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_p2v.c --- `dualvm p2v`
 */
#include <stdio.h>

#include "cli/cli.h"

static const char usage_text[] =
"usage: dualvm p2v SOURCE OUTPUT [options]\n"
"Convert a physical disk or image into a virtual disk, copying only the\n"
"blocks file systems use.\n\n"
"  --format vmdk|vmdk-stream|qcow2|vhd|vhdx|vdi|raw\n"
"  --vm vmx,ovf,ova,libvirt,dualvm   also write VM definitions\n"
"  --verify                      read the output back and compare\n"
"  --json                        machine-readable progress and report\n"
"  --help                        this text\n";

int cmd_p2v(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return 0;
	}
	return cli_not_implemented("p2v", "'dualvm p2v'");
}
