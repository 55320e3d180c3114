// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkhive.c --- build a Windows NT registry hive (regf) from a text spec.
 *
 * Test-fixture generator for dualvm's guest disks.  It first writes the
 * smallest valid hive by hand: a 4096-byte base block ("regf", XOR-32
 * checksum over the first 508 bytes), then one 4096-byte hive bin
 * ("hbin") holding the root key node ("nk", flags KEY_HIVE_ENTRY |
 * KEY_NO_DELETE | KEY_COMP_NAME, no subkeys, no values) and one key
 * security cell ("sk") with a self-relative security descriptor, which
 * libhivex needs because new keys inherit their parent's sk.  The rest
 * of the bin is one free cell.  Layouts follow the public regf format
 * descriptions (libyal "Windows NT Registry File (REGF) format",
 * M. Suhanov "Windows registry file format specification").
 *
 * The keys and values are then added through libhivex's write API
 * (hivex_node_add_child, hivex_node_set_values, hivex_commit).
 *
 * Usage: mkhive [-m MINOR] [-n NAME] OUT.hive ROOTNAME [SPEC]
 *   SPEC (default: stdin) is a regedit-like text file:
 *     # or ; comment, blank lines ignored, trailing '\' joins lines
 *     [Path\To\Key]              create the key (and its parents)
 *     "Name"="text"              REG_SZ
 *     "Name"=expand:"text"       REG_EXPAND_SZ
 *     "Name"=multi:"a","b"       REG_MULTI_SZ
 *     "Name"=dword:0000001f      REG_DWORD (hex)
 *     "Name"=qword:1f            REG_QWORD (hex)
 *     "Name"=hex:01,02,ff        REG_BINARY
 *     "Name"=hex(N):01,02        raw bytes with type N (hex)
 *     @=...                      the key's default (unnamed) value
 *   Strings use "\\" and "\"" escapes and are stored as NUL-terminated
 *   UTF-16LE, as Windows stores them.  A value set twice keeps the last.
 * The hive is written to OUT.hive.tmp and renamed on success.  Exit
 * status is 0 on success, 1 on a bad spec or an I/O error, 2 on bad usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <hivex.h>

#define REGF_BLOCK	4096		/* base block and hbin granule */
#define HBIN_HDR	32		/* hbin header bytes */
#define NK_HDR		76		/* nk record bytes before the name */
#define SK_HDR		20		/* sk record bytes before the SD */
#define NO_CELL		0xffffffffu	/* "points nowhere" offset */
#define NK_ROOT_FLAGS	0x002c		/* HIVE_ENTRY|NO_DELETE|COMP_NAME */
#define FILETIME_1970	116444736000000000ull	/* 100 ns ticks 1601..1970 */
#define DEFAULT_EPOCH	1208174400	/* 2008-04-14 12:00 UTC, XP SP3 */
#define MAX_LINE	65536		/* longest logical spec line */

struct spec_val {
	char	*name;			/* UTF-8, "" for the default value */
	int	type;			/* REG_* number */
	size_t	len;			/* bytes in data */
	char	*data;			/* raw bytes as stored in the hive */
};

struct spec_key {
	hive_node_h	node;		/* 0 until a [key] line is seen */
	struct spec_val	*vals;		/* pending values for node */
	size_t		nr;		/* used entries in vals */
	size_t		cap;		/* allocated entries in vals */
};

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* Append SID S-1-auth-sub[0]-... at p; return its size. */
static size_t put_sid(unsigned char *p, uint8_t auth, const uint32_t *sub,
		      unsigned int nsub)
{
	unsigned int i;

	p[0] = 1;
	p[1] = nsub;
	memset(p + 2, 0, 5);
	p[7] = auth;
	for (i = 0; i < nsub; i++)
		put32(p + 8 + 4 * i, sub[i]);
	return 8 + 4 * nsub;
}

/* Append an inheritable ACCESS_ALLOWED ACE at p; return its size. */
static size_t put_ace(unsigned char *p, uint32_t mask, uint8_t auth,
		      const uint32_t *sub, unsigned int nsub)
{
	size_t n = 8 + put_sid(p + 8, auth, sub, nsub);

	p[0] = 0;			/* ACCESS_ALLOWED_ACE_TYPE */
	p[1] = 0x02;			/* CONTAINER_INHERIT_ACE */
	put16(p + 2, n);
	put32(p + 4, mask);
	return n;
}

/*
 * Write a self-relative security descriptor at p: owner Administrators,
 * group SYSTEM, DACL granting full control to Administrators and SYSTEM
 * and read access to Everyone.  Returns its size (at most 160 bytes).
 */
static size_t put_sd(unsigned char *p)
{
	static const uint32_t admins[] = { 32, 544 }, system[] = { 18 };
	static const uint32_t everyone[] = { 0 };
	size_t acl = SK_HDR, n = acl + 8;

	n += put_ace(p + n, 0x000f003f, 5, admins, 2);
	n += put_ace(p + n, 0x000f003f, 5, system, 1);
	n += put_ace(p + n, 0x00020019, 1, everyone, 1);
	p[acl] = 2;			/* ACL_REVISION */
	p[acl + 1] = 0;
	put16(p + acl + 2, n - acl);
	put16(p + acl + 4, 3);
	put16(p + acl + 6, 0);

	p[0] = 1;			/* SECURITY_DESCRIPTOR_REVISION */
	p[1] = 0;
	put16(p + 2, 0x8004);		/* SE_SELF_RELATIVE | DACL_PRESENT */
	put32(p + 4, n);		/* owner */
	n += put_sid(p + n, 5, admins, 2);
	put32(p + 8, n);		/* group */
	n += put_sid(p + n, 5, system, 1);
	put32(p + 12, 0);		/* no SACL */
	put32(p + 16, acl);
	return n;
}

/* Round a cell size (including its 4-byte size field) up to 8. */
static size_t cell_size(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * Write an empty hive with root key @root to @path.  @fname fills the
 * base block's debugging file name, @minor its minor version, @ft all
 * timestamps.  Returns 0 or -errno.
 */
static int write_empty_hive(const char *path, const char *root,
			    const char *fname, unsigned int minor, uint64_t ft)
{
	static unsigned char buf[2 * REGF_BLOCK];
	unsigned char *hb = buf + REGF_BLOCK, *nk, *sk;
	size_t nlen = strlen(root), nk_off = HBIN_HDR, sk_off, sd_len, end, i;
	uint32_t sum = 0;
	FILE *f;

	if (nlen == 0 || nlen > 255)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));

	/* hbin header and root nk (offsets are relative to the first bin) */
	memcpy(hb, "hbin", 4);
	put32(hb + 8, REGF_BLOCK);
	put64(hb + 20, ft);
	nk = hb + nk_off;
	sk_off = nk_off + cell_size(4 + NK_HDR + nlen);
	put32(nk, -(int32_t)(sk_off - nk_off));
	memcpy(nk + 4, "nk", 2);
	put16(nk + 6, NK_ROOT_FLAGS);
	put64(nk + 8, ft);
	put32(nk + 32, NO_CELL);	/* subkey list */
	put32(nk + 36, NO_CELL);	/* volatile subkey list */
	put32(nk + 44, NO_CELL);	/* value list */
	put32(nk + 48, sk_off);		/* security */
	put32(nk + 52, NO_CELL);	/* class name */
	put16(nk + 76, nlen);
	memcpy(nk + 80, root, nlen);

	/* sk: a one-entry list pointing at itself, used by the root key */
	sk = hb + sk_off;
	sd_len = put_sd(sk + 4 + SK_HDR);
	end = sk_off + cell_size(4 + SK_HDR + sd_len);
	put32(sk, -(int32_t)(end - sk_off));
	memcpy(sk + 4, "sk", 2);
	put32(sk + 8, sk_off);
	put32(sk + 12, sk_off);
	put32(sk + 16, 1);
	put32(sk + 20, sd_len);
	put32(hb + end, REGF_BLOCK - end);	/* free remainder */

	/* base block */
	memcpy(buf, "regf", 4);
	put32(buf + 4, 1);
	put32(buf + 8, 1);
	put64(buf + 12, ft);
	put32(buf + 20, 1);
	put32(buf + 24, minor);
	put32(buf + 32, 1);		/* direct memory load */
	put32(buf + 36, nk_off);
	put32(buf + 40, REGF_BLOCK);
	put32(buf + 44, 1);		/* clustering factor */
	for (i = 0; fname[i] && i < 31; i++)
		put16(buf + 48 + 2 * i, (unsigned char)fname[i]);
	for (i = 0; i < 508; i += 4)
		sum ^= buf[i] | buf[i + 1] << 8 | buf[i + 2] << 16 |
		       (uint32_t)buf[i + 3] << 24;
	if (sum == 0xffffffffu)
		sum = 0xfffffffeu;
	else if (sum == 0)
		sum = 1;
	put32(buf + 508, sum);

	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(buf, sizeof(buf), 1, f) != 1) {
		fclose(f);
		return -EIO;
	}
	if (fclose(f))
		return -errno;
	return 0;
}

/* Append code point @c as UTF-16LE to @out; return bytes written. */
static size_t put_utf16(unsigned char *out, uint32_t c)
{
	if (c < 0x10000) {
		put16(out, c);
		return 2;
	}
	c -= 0x10000;
	put16(out, 0xd800 | c >> 10);
	put16(out + 2, 0xdc00 | (c & 0x3ff));
	return 4;
}

/* Decode one UTF-8 sequence at *s into *c; return 0 or -EINVAL. */
static int get_utf8(const char **s, uint32_t *c)
{
	const unsigned char *p = (const unsigned char *)*s;
	int n, i;

	if (p[0] < 0x80) {
		*c = p[0];
		n = 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		*c = p[0] & 0x1f;
		n = 2;
	} else if ((p[0] & 0xf0) == 0xe0) {
		*c = p[0] & 0x0f;
		n = 3;
	} else if ((p[0] & 0xf8) == 0xf0) {
		*c = p[0] & 0x07;
		n = 4;
	} else {
		return -EINVAL;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -EINVAL;
		*c = *c << 6 | (p[i] & 0x3f);
	}
	if (*c > 0x10ffff || (*c >= 0xd800 && *c < 0xe000))
		return -EINVAL;
	*s += n;
	return 0;
}

/*
 * Parse a quoted string at *s (which points at the opening quote).
 * With @out NULL, store the unescaped UTF-8 text in @txt (room for
 * strlen(*s) bytes); otherwise append it as UTF-16LE plus a NUL to @out
 * and add the byte count to *len.  Advances *s past the closing quote.
 */
static int get_string(const char **s, char *txt, unsigned char *out,
		      size_t *len)
{
	const char *p = *s + 1;
	uint32_t c;

	if (**s != '"')
		return -EINVAL;
	while (*p != '"') {
		if (*p == '\0')
			return -EINVAL;
		if (*p == '\\') {
			if (p[1] != '\\' && p[1] != '"')
				return -EINVAL;
			p++;
		}
		if (!out) {
			*txt++ = *p++;
			continue;
		}
		if (get_utf8(&p, &c))
			return -EINVAL;
		*len += put_utf16(out + *len, c);
	}
	if (out) {
		put16(out + *len, 0);
		*len += 2;
	} else {
		*txt = '\0';
	}
	*s = p + 1;
	return 0;
}

/* Parse comma-separated hex bytes into @out; return 0 or -EINVAL. */
static int get_hex_bytes(const char *s, unsigned char *out, size_t *len)
{
	char *end;
	unsigned long b;

	*len = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		errno = 0;
		b = strtoul(s, &end, 16);
		if (end == s || errno || b > 0xff)
			return -EINVAL;
		out[(*len)++] = b;
		s = end;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}

/* Parse a hex number of at most @bits bits filling the rest of s. */
static int get_hex_num(const char *s, unsigned int bits, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 16);
	if (end == s || *end != '\0' || errno || (bits < 64 && *v >> bits))
		return -EINVAL;
	return 0;
}

/* Parse the data part of a value line (after '=') into @v. */
static int parse_data(const char *s, struct spec_val *v)
{
	size_t cap = 2 * strlen(s) + 8;
	unsigned char *out = malloc(cap);
	uint64_t n;
	char *end;
	int ret = -EINVAL;

	if (!out)
		return -ENOMEM;
	v->data = (char *)out;
	v->len = 0;
	if (*s == '"') {
		v->type = hive_t_REG_SZ;
		ret = get_string(&s, NULL, out, &v->len);
	} else if (!strncmp(s, "expand:", 7)) {
		v->type = hive_t_REG_EXPAND_SZ;
		s += 7;
		ret = get_string(&s, NULL, out, &v->len);
	} else if (!strncmp(s, "multi:", 6)) {
		v->type = hive_t_REG_MULTI_SZ;
		s += 6;
		ret = 0;
		while (*s && !ret) {
			ret = get_string(&s, NULL, out, &v->len);
			if (!ret && *s == ',' && *++s != '"')
				ret = -EINVAL;
		}
		put16(out + v->len, 0);
		v->len += 2;
	} else if (!strncmp(s, "dword:", 6)) {
		v->type = hive_t_REG_DWORD;
		ret = get_hex_num(s + 6, 32, &n);
		put32(out, n);
		v->len = 4;
		s = "";
	} else if (!strncmp(s, "qword:", 6)) {
		v->type = hive_t_REG_QWORD;
		ret = get_hex_num(s + 6, 64, &n);
		put64(out, n);
		v->len = 8;
		s = "";
	} else if (!strncmp(s, "hex:", 4)) {
		v->type = hive_t_REG_BINARY;
		ret = get_hex_bytes(s + 4, out, &v->len);
		s = "";
	} else if (!strncmp(s, "hex(", 4)) {
		errno = 0;
		n = strtoul(s + 4, &end, 16);
		if (end == s + 4 || errno || n > 0xffff || strncmp(end, "):", 2))
			return -EINVAL;
		v->type = n;
		ret = get_hex_bytes(end + 2, out, &v->len);
		s = "";
	}
	if (ret == 0 && *s != '\0')
		ret = -EINVAL;
	return ret;
}

/* Store the pending values of @k into the hive. */
static int flush_key(hive_h *h, struct spec_key *k)
{
	hive_set_value *sv;
	size_t i;
	int ret = 0;

	if (k->nr == 0)
		return 0;
	sv = calloc(k->nr, sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	for (i = 0; i < k->nr; i++) {
		sv[i].key = k->vals[i].name;
		sv[i].t = k->vals[i].type;
		sv[i].len = k->vals[i].len;
		sv[i].value = k->vals[i].data;
	}
	errno = 0;
	if (hivex_node_nr_values(h, k->node) == 0 && errno == 0) {
		if (hivex_node_set_values(h, k->node, k->nr, sv, 0))
			ret = -errno;
	} else {
		/* key seen before: merge value by value */
		for (i = 0; i < k->nr && !ret; i++)
			if (hivex_node_set_value(h, k->node, &sv[i], 0))
				ret = -errno;
	}
	free(sv);
	for (i = 0; i < k->nr; i++) {
		free(k->vals[i].name);
		free(k->vals[i].data);
	}
	k->nr = 0;
	return ret;
}

/* Find or create the key at backslash-separated @path (modified). */
static int open_key(hive_h *h, char *path, hive_node_h *out)
{
	hive_node_h node = hivex_root(h), child;
	char *comp, *save = NULL;

	if (node == 0)
		return -EINVAL;
	if (*path == '\\' || strstr(path, "\\\\") ||
	    (*path && path[strlen(path) - 1] == '\\'))
		return -EINVAL;
	for (comp = strtok_r(path, "\\", &save); comp;
	     comp = strtok_r(NULL, "\\", &save)) {
		errno = 0;
		child = hivex_node_get_child(h, node, comp);
		if (child == 0 && errno)
			return -errno;
		if (child == 0)
			child = hivex_node_add_child(h, node, comp);
		if (child == 0)
			return errno ? -errno : -EINVAL;
		node = child;
	}
	*out = node;
	return 0;
}

/* Queue value line @s ("name"=data or @=data) for key @k. */
static int add_value(struct spec_key *k, const char *s)
{
	struct spec_val v = { 0 };
	struct spec_val *nv;
	size_t i;
	int ret;

	v.name = malloc(strlen(s) + 1);
	if (!v.name)
		return -ENOMEM;
	if (*s == '@') {
		v.name[0] = '\0';
		s++;
	} else if (get_string(&s, v.name, NULL, NULL)) {
		ret = -EINVAL;
		goto out_free;
	}
	if (*s++ != '=') {
		ret = -EINVAL;
		goto out_free;
	}
	ret = parse_data(s, &v);
	if (ret)
		goto out_free;
	for (i = 0; i < k->nr; i++) {
		if (strcasecmp(k->vals[i].name, v.name) == 0) {
			free(k->vals[i].name);
			free(k->vals[i].data);
			k->vals[i] = v;
			return 0;
		}
	}
	if (k->nr == k->cap) {
		nv = realloc(k->vals, (2 * k->cap + 8) * sizeof(*nv));
		if (!nv) {
			ret = -ENOMEM;
			goto out_free;
		}
		k->vals = nv;
		k->cap = 2 * k->cap + 8;
	}
	k->vals[k->nr++] = v;
	return 0;

out_free:
	free(v.name);
	free(v.data);
	return ret;
}

/* Strip leading and trailing blanks (and CR) from @s in place. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		     s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* Read logical line (joined over trailing '\') into buf; 1, 0 at EOF. */
static int read_line(FILE *in, char *buf, unsigned int *lineno)
{
	size_t used = 0, n;
	char *part, *t;

	buf[0] = '\0';
	while (fgets(buf + used, MAX_LINE - used, in)) {
		(*lineno)++;
		part = buf + used;
		n = strlen(part);
		if (n && part[n - 1] != '\n' && !feof(in))
			return -EOVERFLOW;
		t = trim(part);
		memmove(part, t, strlen(t) + 1);
		used = strlen(buf);
		if (used == 0 || buf[used - 1] != '\\' ||
		    buf[0] == '#' || buf[0] == ';')
			return 1;
		buf[--used] = '\0';
	}
	if (ferror(in))
		return -EIO;
	return used ? 1 : 0;
}

/* Apply every line of spec @in to hive @h; 0 or -errno (reported). */
static int apply_spec(hive_h *h, FILE *in, const char *name)
{
	struct spec_key k = { 0 };
	unsigned int lineno = 0;
	char *buf = malloc(MAX_LINE), *s;
	size_t n;
	int ret = 0, r = 0;

	if (!buf)
		return -ENOMEM;
	while (ret == 0 && (r = read_line(in, buf, &lineno)) == 1) {
		s = buf;
		n = strlen(s);
		if (n == 0 || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (s[n - 1] != ']') {
				ret = -EINVAL;
				break;
			}
			s[n - 1] = '\0';
			ret = flush_key(h, &k);
			if (ret == 0)
				ret = open_key(h, s + 1, &k.node);
		} else if (k.node == 0) {
			ret = -EINVAL;
		} else {
			ret = add_value(&k, s);
		}
	}
	if (ret == 0 && r < 0)
		ret = r;
	if (ret)
		fprintf(stderr, "mkhive: %s:%u: %s: %s\n", name, lineno,
			strerror(-ret), buf);
	else if ((ret = flush_key(h, &k)))
		fprintf(stderr, "mkhive: %s: %s\n", name, strerror(-ret));
	for (n = 0; n < k.nr; n++) {
		free(k.vals[n].name);
		free(k.vals[n].data);
	}
	free(k.vals);
	free(buf);
	return ret;
}

/* FILETIME for SOURCE_DATE_EPOCH, or the fixed default epoch. */
static uint64_t hive_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	unsigned long long t = DEFAULT_EPOCH;
	char *end;

	if (e && *e) {
		errno = 0;
		t = strtoull(e, &end, 10);
		if (*end || errno)
			t = DEFAULT_EPOCH;
	}
	return FILETIME_1970 + (uint64_t)t * 10000000ull;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: mkhive [-m MINOR] [-n NAME] OUT.hive ROOTNAME [SPEC]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *out, *fname = NULL, *spec_name = "<stdin>";
	unsigned long minor = 5;
	FILE *in = stdin;
	char *tmp, *end;
	hive_h *h;
	int opt, ret = 1, err;

	while ((opt = getopt(argc, argv, "m:n:")) != -1) {
		switch (opt) {
		case 'm':
			minor = strtoul(optarg, &end, 10);
			if (*end || minor < 3 || minor > 6)
				return usage();
			break;
		case 'n':
			fname = optarg;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2 || argc - optind > 3)
		return usage();
	out = argv[optind];
	if (!fname) {
		fname = strrchr(out, '/');
		fname = fname ? fname + 1 : out;
	}
	if (argc - optind == 3) {
		spec_name = argv[optind + 2];
		in = fopen(spec_name, "r");
		if (!in) {
			perror(spec_name);
			return 1;
		}
	}
	tmp = malloc(strlen(out) + 5);
	if (!tmp)
		goto out_close;
	sprintf(tmp, "%s.tmp", out);

	err = write_empty_hive(tmp, argv[optind + 1], fname, minor,
			       hive_time());
	if (err) {
		fprintf(stderr, "mkhive: %s: %s\n", tmp, strerror(-err));
		goto out_unlink;
	}
	h = hivex_open(tmp, HIVEX_OPEN_WRITE);
	if (!h) {
		fprintf(stderr, "mkhive: hivex_open %s: %s\n", tmp,
			strerror(errno));
		goto out_unlink;
	}
	if (apply_spec(h, in, spec_name) == 0) {
		if (hivex_commit(h, NULL, 0) == 0)
			ret = 0;
		else
			fprintf(stderr, "mkhive: hivex_commit %s: %s\n", tmp,
				strerror(errno));
	}
	if (hivex_close(h) && ret == 0) {
		perror("mkhive: hivex_close");
		ret = 1;
	}
	if (ret == 0 && rename(tmp, out)) {
		perror(out);
		ret = 1;
	}
out_unlink:
	if (ret)
		unlink(tmp);
	free(tmp);
out_close:
	if (in != stdin)
		fclose(in);
	return ret;
}
