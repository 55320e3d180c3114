// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_util.c --- small helpers for hwprofile: bounded string copies, error
 * strings and the injection report's note/change lists.  (SHA-256 digests
 * for the report come from lib/: lib_sha256_buf_hex().)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hwprofile/hwp_priv.h"

void hwp_strlcpy(char *dst, const char *src, size_t size)
{
	if (!size)
		return;
	snprintf(dst, size, "%s", src ? src : "");
}

void hwp_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void hwp_note(struct hwp_inject_report *rep, const char *fmt, ...)
{
	size_t used = strlen(rep->notes);
	va_list ap;

	if (used + 2 >= sizeof(rep->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(rep->notes + used, sizeof(rep->notes) - used - 1, fmt, ap);
	va_end(ap);
	used = strlen(rep->notes);
	rep->notes[used] = '\n';
	rep->notes[used + 1] = '\0';
}

struct hwp_change *hwp_change_add(struct hwp_inject_report *rep,
				  const char *path, const char *what)
{
	struct hwp_change *c;

	if (rep->n >= HWP_MAX_CHANGES)
		return NULL;
	c = &rep->ch[rep->n++];
	memset(c, 0, sizeof(*c));
	hwp_strlcpy(c->path, path, sizeof(c->path));
	hwp_strlcpy(c->what, what, sizeof(c->what));
	return c;
}

void hwp_change_hashed(struct hwp_inject_report *rep, const char *path,
		       const char *what, const void *before, size_t blen,
		       const void *after, size_t alen)
{
	struct hwp_change *c = hwp_change_add(rep, path, what);

	if (!c)
		return;
	lib_sha256_buf_hex(before, blen, c->sha256_before);
	lib_sha256_buf_hex(after, alen, c->sha256_after);
}

const char *hwp_win_gen_name(enum hwp_win_gen gen)
{
	switch (gen) {
	case HWP_WIN_XP:	return "xp";
	case HWP_WIN_VISTA7:	return "vista7";
	case HWP_WIN_8PLUS:	return "win8+";
	default:		return "unknown";
	}
}
