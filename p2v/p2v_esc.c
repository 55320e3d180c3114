// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_esc.c --- the escaping rules of the VM definitions (see p2v_esc.h):
 * XML 1.0 (W3C REC-xml section 2.2 Char, 2.4 and 4.6 predefined entities,
 * 3.3.3 attribute-value normalisation), VMware's `|XX` dictionary values,
 * RFC 3986 percent-encoding for OVF hrefs, and dualvm's own `\\` / `\xHH`.
 * Each rule maps one input byte (or UTF-8 sequence) to its spelling; the
 * output is counted even past the end of the buffer so callers can size it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2v/p2v_esc.h"

static const char hexdig[] = "0123456789ABCDEF";

struct esc_out {
	char	*buf;		/* destination; NULL when len is 0 */
	size_t	len;		/* bytes of buf, NUL included */
	size_t	n;		/* bytes produced so far (may exceed len) */
};

static void put(struct esc_out *o, const char *s, size_t k)
{
	for (size_t i = 0; i < k; i++, o->n++)
		if (o->n + 1 < o->len)
			o->buf[o->n] = s[i];
}

static void put_hex(struct esc_out *o, const char *lead, uint8_t b)
{
	char hx[2] = { hexdig[b >> 4], hexdig[b & 15] };

	put(o, lead, strlen(lead));
	put(o, hx, 2);
}

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), 0 if there is
 * none.
 */
static size_t utf8_len(const uint8_t *s)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int esc_xml(const uint8_t *s, struct esc_out *o)
{
	while (*s) {
		const char *ent = NULL;
		size_t n = utf8_len(s);

		if (!n)
			return -EILSEQ;
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&apos;"; break;
		case '\t': ent = "&#x9;"; break;
		case '\n': ent = "&#xA;"; break;
		case '\r': ent = "&#xD;"; break;
		}
		if (!ent && *s < 0x20)
			return -EINVAL;
		/* U+FFFE and U+FFFF are not XML Chars either */
		if (n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
			return -EINVAL;
		if (ent)
			put(o, ent, strlen(ent));
		else
			put(o, (const char *)s, n);
		s += n;
	}
	return 0;
}

static void esc_vmx(const uint8_t *s, struct esc_out *o)
{
	for (; *s; s++)
		if (*s == '"' || *s == '|' || *s == 0x7f ||
		    (*s < 0x20 && *s != '\t'))
			put_hex(o, "|", *s);
		else
			put(o, (const char *)s, 1);
}

static bool uri_unreserved(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static void esc_uri(const uint8_t *s, struct esc_out *o)
{
	for (; *s; s++)
		if (uri_unreserved(*s) || *s == '/')
			put(o, (const char *)s, 1);
		else
			put_hex(o, "%", *s);
}

static void esc_dualvm(const uint8_t *s, struct esc_out *o)
{
	for (const uint8_t *p = s; *p; p++)
		if (*p == '\\')
			put(o, "\\\\", 2);
		else if (*p < 0x20 || *p == 0x7f ||
			 (*p == ' ' && (p == s || !p[1])))
			put_hex(o, "\\x", *p);
		else
			put(o, (const char *)p, 1);
}

ssize_t p2v_escape(enum p2v_esc kind, const char *in, char *out, size_t outlen)
{
	struct esc_out o = { .buf = out, .len = outlen };
	const uint8_t *s = (const uint8_t *)in;
	int rc = 0;

	switch (kind) {
	case P2V_ESC_XML:
		rc = esc_xml(s, &o);
		break;
	case P2V_ESC_VMX:
		esc_vmx(s, &o);
		break;
	case P2V_ESC_URI:
		esc_uri(s, &o);
		break;
	case P2V_ESC_DUALVM:
		esc_dualvm(s, &o);
		break;
	default:
		rc = -EINVAL;
	}
	if (outlen)
		out[o.n < outlen ? o.n : outlen - 1] = '\0';
	return rc ? rc : (ssize_t)o.n;
}

int p2v_escape_dup(enum p2v_esc kind, const char *in, char **out)
{
	ssize_t n = p2v_escape(kind, in, NULL, 0);

	*out = NULL;
	if (n < 0)
		return (int)n;
	*out = malloc((size_t)n + 1);
	if (!*out)
		return -ENOMEM;
	if (p2v_escape(kind, in, *out, (size_t)n + 1) != n) {
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

static int hexval(char c)
{
	const char *p = c ? strchr(hexdig, c >= 'a' && c <= 'f' ? c - 32 : c) :
			    NULL;

	return p ? (int)(p - hexdig) : -1;
}

ssize_t p2v_unescape(enum p2v_esc kind, const char *in, char *out,
		     size_t outlen)
{
	const char *lead = kind == P2V_ESC_VMX ? "|" :
			   kind == P2V_ESC_URI ? "%" :
			   kind == P2V_ESC_DUALVM ? "\\x" : NULL;
	size_t ll = lead ? strlen(lead) : 0, n = 0;

	if (!lead)
		return kind == P2V_ESC_XML ? -ENOTSUP : -EINVAL;
	while (*in) {
		char c = *in++;

		if (kind == P2V_ESC_DUALVM && c == '\\' && *in == '\\') {
			in++;
		} else if (c == lead[0]) {
			int hi, lo;

			if (strncmp(in - 1, lead, ll))
				return -EINVAL;
			in += ll - 1;
			hi = hexval(in[0]);
			lo = hi < 0 ? -1 : hexval(in[1]);
			if (lo < 0 || (hi | lo) == 0)
				return -EINVAL;
			c = (char)(hi << 4 | lo);
			in += 2;
		}
		if (n + 1 >= outlen)
			return -ENOSPC;
		out[n++] = c;
	}
	if (!outlen)
		return -ENOSPC;
	out[n] = '\0';
	return (ssize_t)n;
}
