// SPDX-License-Identifier: GPL-2.0-only
/*
 * json.c --- a streaming JSON writer (RFC 8259) for `--json` output
 *
 * The writer keeps only what it needs to place separators: the nesting
 * depth and, per level, whether a member was written yet.  Values go
 * straight to the FILE; nothing is buffered or built in memory, so a
 * report of any size costs a few bytes of state.  String escaping follows
 * RFC 8259 section 7 for the characters that must be escaped and passes
 * every other byte through, so UTF-8 names stay readable.
 */
#include <assert.h>
#include <inttypes.h>

#include "lib/lib.h"

void lib_json_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void lib_json_init(struct lib_json *j, FILE *f, bool compact)
{
	*j = (struct lib_json){
		.f	= f,
		.sep	= compact ? "," : ", ",
		.colon	= compact ? ":" : ": ",
	};
	j->first[0] = true;
}

/* Separator, line break and key before the next value at this level. */
static void member(struct lib_json *j, const char *key)
{
	unsigned int d = j->depth;

	if (!j->first[d])
		fputs(j->lines[d] ? "," : j->sep, j->f);
	if (j->lines[d])
		fputs("\n  ", j->f);
	j->first[d] = false;
	if (key) {
		lib_json_quote(j->f, key);
		fputs(j->colon, j->f);
	}
}

static void open_container(struct lib_json *j, const char *key, char open,
			   bool lines)
{
	assert(open == '{' || open == '[');
	assert(j->depth < LIB_JSON_MAX_DEPTH);
	member(j, key);
	fputc(open, j->f);
	j->depth++;
	j->first[j->depth] = true;
	j->lines[j->depth] = lines;
}

void lib_json_begin(struct lib_json *j, const char *key, char open)
{
	open_container(j, key, open, false);
}

void lib_json_begin_lines(struct lib_json *j, const char *key)
{
	open_container(j, key, '[', true);
}

void lib_json_end(struct lib_json *j, char close)
{
	assert(close == '}' || close == ']');
	assert(j->depth > 0);
	if (j->lines[j->depth])
		fputc('\n', j->f);
	j->depth--;
	fputc(close, j->f);
}

void lib_json_finish(struct lib_json *j, char close)
{
	lib_json_end(j, close);
	assert(j->depth == 0);
	fputc('\n', j->f);
}

void lib_json_str(struct lib_json *j, const char *key, const char *val)
{
	member(j, key);
	lib_json_quote(j->f, val);
}

void lib_json_u64(struct lib_json *j, const char *key, uint64_t val)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void lib_json_int(struct lib_json *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->f, "%lld", val);
}

void lib_json_bool(struct lib_json *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void lib_json_null(struct lib_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void lib_json_double(struct lib_json *j, const char *key, double val,
		     int decimals)
{
	member(j, key);
	fprintf(j->f, "%.*f", decimals, val);
}
