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

/* Print "dualvm: <cmd>: <message>" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True if argv holds --help or -h (checked before anything else). */
int cli_wants_help(int argc, char **argv);

/* Print a "not implemented yet" line and return EXIT_USAGE. */
int cli_not_implemented(const char *cmd, const char *what);

/* Write @s as a JSON string literal (with quotes) to stdout. */
void cli_json_str(const char *s);

#endif
