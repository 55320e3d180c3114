// SPDX-License-Identifier: GPL-2.0-only
/*
 * jsonv.c --- read the JSON that `dualvm ... --json` prints (RFC 8259)
 * into a GVariant, so dualvm-gtk looks members up with g_variant_lookup()
 * instead of matching text.  A small recursive-descent reader: the CLI's
 * documents are a few KiB (p2v's JSON Lines, inject's report), nested a
 * few levels; deeper than JSONV_MAX_DEPTH is refused, as is anything
 * after the value, invalid UTF-8 or a lone surrogate escape.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonv.h"

#define JSONV_MAX_DEPTH	64

struct jr {
	const char	*p;		/* next character */
	const char	*start;		/* for the offset in errors */
	char		*err;
	size_t		 errlen;
};

static GVariant *value(struct jr *r, int depth);

static GVariant *fail(struct jr *r, const char *what)
{
	if (r->err && !r->err[0])
		snprintf(r->err, r->errlen, "JSON: %s at byte %ld", what,
			 (long)(r->p - r->start));
	return NULL;
}

static void skip_ws(struct jr *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = g_ascii_xdigit_value(s[i]);

		if (c < 0)
			return -1;
		v = v << 4 | c;
	}
	return v;
}

/* A string after its opening quote, as UTF-8 (NULL on error). */
static char *string_raw(struct jr *r)
{
	GString *s = g_string_new(NULL);

	for (;;) {
		unsigned char c = (unsigned char)*r->p;

		if (c == '"') {
			r->p++;
			break;
		}
		if (c < 0x20) {
			fail(r, c ? "control character in a string" :
			     "unterminated string");
			goto out_free;
		}
		if (c != '\\') {
			g_string_append_c(s, (char)c);
			r->p++;
			continue;
		}
		r->p++;
		switch (*r->p++) {
		case '"': g_string_append_c(s, '"'); break;
		case '\\': g_string_append_c(s, '\\'); break;
		case '/': g_string_append_c(s, '/'); break;
		case 'b': g_string_append_c(s, '\b'); break;
		case 'f': g_string_append_c(s, '\f'); break;
		case 'n': g_string_append_c(s, '\n'); break;
		case 'r': g_string_append_c(s, '\r'); break;
		case 't': g_string_append_c(s, '\t'); break;
		case 'u': {
			int u = hex4(r->p), lo;

			if (u < 0) {
				fail(r, "bad \\u escape");
				goto out_free;
			}
			r->p += 4;
			if (u >= 0xdc00 && u <= 0xdfff) {
				fail(r, "lone low surrogate");
				goto out_free;
			}
			if (u >= 0xd800 && u <= 0xdbff) {
				if (r->p[0] != '\\' || r->p[1] != 'u' ||
				    (lo = hex4(r->p + 2)) < 0xdc00 || lo > 0xdfff) {
					fail(r, "lone high surrogate");
					goto out_free;
				}
				r->p += 6;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			g_string_append_unichar(s, (gunichar)u);
			break;
		}
		default:
			r->p--;
			fail(r, "bad escape");
			goto out_free;
		}
	}
	if (!g_utf8_validate(s->str, (gssize)s->len, NULL)) {
		fail(r, "invalid UTF-8 in a string");
		goto out_free;
	}
	return g_string_free(s, FALSE);
out_free:
	g_string_free(s, TRUE);
	return NULL;
}

static GVariant *number(struct jr *r)
{
	const char *s = r->p;
	bool real = false;
	char *end;

	if (*r->p == '-')
		r->p++;
	if (*r->p == '0')
		r->p++;
	else if (g_ascii_isdigit(*r->p))
		while (g_ascii_isdigit(*r->p))
			r->p++;
	else
		return fail(r, "bad number");
	if (*r->p == '.') {
		real = true;
		if (!g_ascii_isdigit(*++r->p))
			return fail(r, "bad number");
		while (g_ascii_isdigit(*r->p))
			r->p++;
	}
	if (*r->p == 'e' || *r->p == 'E') {
		real = true;
		r->p++;
		if (*r->p == '+' || *r->p == '-')
			r->p++;
		if (!g_ascii_isdigit(*r->p))
			return fail(r, "bad number");
		while (g_ascii_isdigit(*r->p))
			r->p++;
	}
	if (!real) {
		gint64 v = g_ascii_strtoll(s, &end, 10);

		if (end == r->p && v != G_MAXINT64 && v != G_MININT64)
			return g_variant_new_int64(v);
	}
	return g_variant_new_double(g_ascii_strtod(s, NULL));
}

static GVariant *object(struct jr *r, int depth)
{
	GVariantBuilder b;
	GVariant *v;
	char *k;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	skip_ws(r);
	if (*r->p == '}') {
		r->p++;
		return g_variant_builder_end(&b);
	}
	for (;;) {
		skip_ws(r);
		if (*r->p != '"')
			goto out_bad;
		r->p++;
		k = string_raw(r);
		if (!k)
			goto out_clear;
		skip_ws(r);
		if (*r->p != ':') {
			g_free(k);
			goto out_bad;
		}
		r->p++;
		v = value(r, depth + 1);
		if (!v) {
			g_free(k);
			goto out_clear;
		}
		g_variant_builder_add(&b, "{sv}", k, v);
		g_free(k);
		skip_ws(r);
		if (*r->p == '}') {
			r->p++;
			return g_variant_builder_end(&b);
		}
		if (*r->p++ != ',')
			goto out_bad;
	}
out_bad:
	fail(r, "bad object");
out_clear:
	g_variant_builder_clear(&b);
	return NULL;
}

static GVariant *array(struct jr *r, int depth)
{
	GVariantBuilder b;
	GVariant *v;

	g_variant_builder_init(&b, G_VARIANT_TYPE("av"));
	skip_ws(r);
	if (*r->p == ']') {
		r->p++;
		return g_variant_builder_end(&b);
	}
	for (;;) {
		v = value(r, depth + 1);
		if (!v)
			goto out_clear;
		g_variant_builder_add(&b, "v", v);
		skip_ws(r);
		if (*r->p == ']') {
			r->p++;
			return g_variant_builder_end(&b);
		}
		if (*r->p++ != ',') {
			fail(r, "bad array");
			goto out_clear;
		}
	}
out_clear:
	g_variant_builder_clear(&b);
	return NULL;
}

static GVariant *word(struct jr *r, const char *w, GVariant *v)
{
	size_t n = strlen(w);

	if (strncmp(r->p, w, n)) {
		g_variant_unref(g_variant_ref_sink(v));
		return fail(r, "unexpected character");
	}
	r->p += n;
	return v;
}

static GVariant *value(struct jr *r, int depth)
{
	char *s;

	if (depth > JSONV_MAX_DEPTH)
		return fail(r, "nested too deep");
	skip_ws(r);
	switch (*r->p) {
	case '{':
		r->p++;
		return object(r, depth);
	case '[':
		r->p++;
		return array(r, depth);
	case '"':
		r->p++;
		s = string_raw(r);
		return s ? g_variant_new_take_string(s) : NULL;
	case 't':
		return word(r, "true", g_variant_new_boolean(TRUE));
	case 'f':
		return word(r, "false", g_variant_new_boolean(FALSE));
	case 'n':
		return word(r, "null", g_variant_new_maybe(G_VARIANT_TYPE_VARIANT,
							   NULL));
	default:
		return number(r);
	}
}

GVariant *jsonv_parse(const char *text, char *err, size_t errlen)
{
	struct jr r = { .p = text, .start = text, .err = err, .errlen = errlen };
	GVariant *v;

	if (err && errlen)
		err[0] = '\0';
	v = value(&r, 0);
	if (!v)
		return NULL;
	g_variant_ref_sink(v);
	skip_ws(&r);
	if (*r.p) {
		g_variant_unref(v);
		return fail(&r, "text after the value");
	}
	return v;
}

gint64 jsonv_int(GVariant *obj, const char *key, gint64 def)
{
	GVariant *v = g_variant_lookup_value(obj, key, NULL);
	gint64 n = def;

	if (!v)
		return def;
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64))
		n = g_variant_get_int64(v);
	else if (g_variant_is_of_type(v, G_VARIANT_TYPE_DOUBLE))
		n = (gint64)g_variant_get_double(v);
	g_variant_unref(v);
	return n;
}
