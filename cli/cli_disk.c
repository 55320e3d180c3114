// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli_disk.c --- what `run`, `disk` and `inject` share about VM disks
 *
 * libvmdisk decides and reports; the front end speaks: this file parses
 * --disk-mode and --on-exit, picks the directory for temporary overlays
 * ($TMPDIR, as the tests rely on), and prints the warnings that come back
 * from vmd_open() as typed hazards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct word {
	const char	*word;		/* as typed on the command line */
	int		value;		/* enum vmd_mode / enum vmd_exit */
};

static const struct word disk_modes[] = {
	{ "persistent",		VMD_MODE_PERSISTENT },
	{ "nonpersistent",	VMD_MODE_NONPERSISTENT },
	{ "undoable",		VMD_MODE_UNDOABLE },
	{ NULL, 0 },
};

static const struct word exit_actions[] = {
	{ "commit",	VMD_EXIT_COMMIT },
	{ "discard",	VMD_EXIT_DISCARD },
	{ "keep",	VMD_EXIT_KEEP },
	{ NULL, 0 },
};

/* The value of @s in @t, or -1. */
static int word_value(const struct word *t, const char *s)
{
	for (; t->word; t++)
		if (!strcmp(t->word, s))
			return t->value;
	return -1;
}

int cli_disk_mode_parse(const char *s, enum vmd_mode *m)
{
	int v = word_value(disk_modes, s);

	if (v >= 0)
		*m = (enum vmd_mode)v;
	return v < 0 ? -1 : 0;
}

int cli_on_exit_parse(const char *s, enum vmd_exit *a)
{
	int v = word_value(exit_actions, s);

	if (v >= 0)
		*a = (enum vmd_exit)v;
	return v < 0 ? -1 : 0;
}

void cli_hazard_warnings(const char *path, const struct vmd_check *c)
{
	char msg[VMD_HAZARD_MSG];

	for (unsigned int i = 0; i < c->n; i++) {
		if (c->hz[i].refuse)
			continue;
		vmd_hazard_message(&c->hz[i], msg, sizeof(msg));
		fprintf(stderr, "dualvm: %s: warning: %s\n", path, msg);
	}
}

int cli_vmdisk_open(const struct vmd_opts *o, struct rd_disk **out,
		    char *err, size_t errlen)
{
	struct vmd_opts opts = *o;
	struct vmd_check *chk = malloc(sizeof(*chk));
	int rc;

	if (!chk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!opts.tmp_dir)
		opts.tmp_dir = getenv("TMPDIR");
	rc = vmd_open(&opts, out, chk, err, errlen);
	if (!rc)
		cli_hazard_warnings(o->path, chk);
	free(chk);
	return rc;
}
