/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h --- shared pieces of the `dualvm` command
 *
 * The CLI is a thin front end: each subcommand parses its options, calls one
 * library, and prints either text or JSON.  Exit codes: 0 success, 1 the
 * operation failed (one-line reason on stderr), 2 usage error or not
 * implemented, 124 timeout (`run`).
 */
#ifndef DUALVM_CLI_H
#define DUALVM_CLI_H

#include "vmdisk/vmdisk.h"

#define DUALVM_VERSION	"0.1.0"

#define EXIT_USAGE	2
#define EXIT_TIMEOUT	124

struct cli_cmd {
	const char	*name;
	const char	*summary;
	int		(*main)(int argc, char **argv);	/* argv[0] = name */
};

int cmd_run(int argc, char **argv);
int cmd_disk(int argc, char **argv);
int cmd_p2v(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_inject(int argc, char **argv);
int cmd_vm(int argc, char **argv);

/* Print "dualvm: <cmd>: <message>" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True if argv holds --help or -h (checked before anything else). */
int cli_wants_help(int argc, char **argv);

/*
 * argv[*i] is option @name with a value, written "--name VALUE" or
 * "--name=VALUE" (as getopt_long accepts): true with the value in *val,
 * *i moved past it.  A "--name" with nothing after it: true, *val NULL.
 */
bool cli_opt_value(int argc, char **argv, int *i, const char *name,
		   const char **val);

/* Print a "not implemented yet" line and return EXIT_USAGE. */
int cli_not_implemented(const char *cmd, const char *what);

/* ---- the VM library (cmd_vm.c, cmd_vm_show.c) ---- */

/* `vm list` and `vm show` (argv[0] = the subcommand). */
int cli_vm_list(int argc, char **argv);
int cli_vm_show(int argc, char **argv);

/* Arguments from argv[@first] on: --json, and at most one word (none for
 * "list") into *@arg.  False after one line on stderr. */
bool cli_vm_args(int argc, char **argv, int first, const char *sub,
		 bool *json, const char **arg);

/* ---- VM disks (cli_disk.c) ---- */

/* --disk-mode / --on-exit values: 0, or -1 for an unknown word. */
int cli_disk_mode_parse(const char *s, enum vmd_mode *m);
int cli_on_exit_parse(const char *s, enum vmd_exit *a);

/* Print each warning of @c as "dualvm: PATH: warning: MESSAGE". */
void cli_hazard_warnings(const char *path, const struct vmd_check *c);

/*
 * vmd_open() as the CLI does it: temporary overlays in $TMPDIR unless
 * @o says otherwise, warnings printed to stderr.  Returns what vmd_open()
 * does, with its one-line reason in @err.
 */
int cli_vmdisk_open(const struct vmd_opts *o, struct rd_disk **out,
		    char *err, size_t errlen);

#endif
