// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c --- the `dualvm` command: subcommand dispatch
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "rawdisk/rawdisk.h"

static const struct cli_cmd commands[] = {
	{ "run",     "boot a virtual machine from disks or partitions", cmd_run },
	{ "disk",    "check, create, commit or discard disks and overlays", cmd_disk },
	{ "p2v",     "convert a physical disk or image to a virtual disk", cmd_p2v },
	{ "inspect", "report the partitions and operating systems on a disk", cmd_inspect },
	{ "inject",  "make the OS on a disk boot on dualvm's virtual hardware", cmd_inject },
	{ "vm",      "the VM library: create, list, show, delete, import", cmd_vm },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dualvm: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_opt_value(int argc, char **argv, int *i, const char *name,
		   const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n))
		return false;
	if (a[n] == '=') {
		*val = a + n + 1;
		return true;
	}
	if (a[n])
		return false;
	*val = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int cli_not_implemented(const char *cmd, const char *what)
{
	fprintf(stderr, "dualvm: %s: %s is not implemented yet "
		"(see the status table in README.md)\n", cmd, what);
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: dualvm <command> [options] [args]\n\n"
		"Boot the other half of a dual-boot disk, convert physical disks to\n"
		"virtual disks, and make the result boot on dualvm's virtual hardware.\n\n"
		"commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'dualvm <command> --help' describes each command.\n"
		"options: --help, --version\n"
		"  --allow-path PATH   (any command, repeatable) let images name\n"
		"                      PATH (a file, or a folder and what is in it)\n"
		"                      as a backing file or extent although it lies\n"
		"                      outside the image's folder (README: Paths\n"
		"                      inside images)\n");
}

/*
 * Take every `--allow-path PATH` (or --allow-path=PATH) out of argv,
 * before the subcommand parses the rest, and give it to the path policy.
 * Returns the new argc, or -1 after one line on stderr.
 */
static int take_allow_paths(int argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		const char *p = NULL;
		int e;

		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--allow-path")) {
			if (i + 1 == argc) {
				fprintf(stderr, "dualvm: --allow-path needs a PATH\n");
				return -1;
			}
			p = argv[++i];
		} else if (!strncmp(argv[i], "--allow-path=", 13)) {
			p = argv[i] + 13;
		} else {
			argv[n++] = argv[i];
			continue;
		}
		e = rd_path_allow(p);
		if (e) {
			fprintf(stderr, "dualvm: --allow-path %s: %s\n", p,
				e == -E2BIG ? "too many (at most 32)" :
				strerror(-e));
			return -1;
		}
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	argc = take_allow_paths(argc, argv);
	if (argc < 0)
		return EXIT_USAGE;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dualvm %s\n", DUALVM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "dualvm: unknown command '%s' (try 'dualvm --help')\n",
		argv[1]);
	return EXIT_USAGE;
}
