// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_p2v.c --- the P2V planner, copier and verifier on memory disks:
 * whole-disk fallback without a partition table, the totals check (a copy
 * that writes nothing for a file system reporting data fails), unreadable
 * sectors with and without continue_on_error, a full output (-ENOSPC),
 * verify catching a one-byte difference, and the escaping rules of the VM
 * definitions (p2v_esc.h): expected spellings, refusals, the snprintf-style
 * length contract and escape/unescape round trips over every byte value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p2v/p2v.h"
#include "p2v/p2v_esc.h"
#include "p2v/p2v_priv.h"
#include "tests/unit/harness.h"

#define SZ	(4u << 20)

static uint8_t *pattern(void)
{
	uint8_t *b = malloc(SZ);

	T_ASSERT(b);
	for (size_t i = 0; i < SZ; i++)
		b[i] = (uint8_t)(i * 131 + (i >> 12));
	return b;
}

static struct rd_disk *mem(const void *data)
{
	struct rd_disk *d;

	T_EQ(rd_mem_open(data, SZ, RD_RDWR, &d), 0);
	return d;
}

static void test_no_table_full_copy(void)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ), *back = malloc(SZ);
	struct rd_disk *src = mem(b), *dst = mem(z);
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];

	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(p->narea, 1);
	T_ASSERT(!strcmp(p->area[0].method, "full"));
	T_EQ(p2v_plan_bytes(p), SZ);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), 0);
	T_EQ(r.read, SZ);
	T_EQ(r.copied, SZ);
	T_EQ(rd_pread(dst, back, SZ, 0), 0);
	T_ASSERT(!memcmp(back, b, SZ));
	T_EQ(p2v_verify(src, dst, p, &r, NULL, err, sizeof(err)), 0);
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
	free(back);
}

/* A plan claiming a file system with data in use over an all-zero area:
 * nothing gets written, so the copy must not report success. */
static void test_nothing_copied_fails(void)
{
	uint8_t *z = calloc(1, SZ);
	struct rd_disk *src = mem(z), *dst = mem(z);
	struct p2v_plan *p = calloc(1, sizeof(*p));
	struct p2v_result r;
	char err[256];

	p->disk_size = SZ;
	p->narea = 1;
	p->area[0] = (struct p2v_area){ .part = 1, .start = 0, .size = SZ,
					.used = 1 << 20 };
	strcpy(p->area[0].fs, "ext4");
	strcpy(p->area[0].method, "bitmap");
	T_EQ(p2v_plan_add(p, 0, 1 << 20, 0), 0);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), -EIO);
	T_ASSERT(strstr(err, "nothing was copied"));
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(z);
}

static void test_plan_skip_ranges(void)
{
	struct p2v_plan *p = calloc(1, sizeof(*p));
	uint64_t cur = 0;

	p->narea = 1;
	p->area[0] = (struct p2v_area){ .part = 1, .start = 4096, .size = 65536 };
	T_EQ(p2v_plan_skip(p, 0, &cur, 8192, 4096), 0);
	T_EQ(p2v_plan_skip(p, 0, &cur, 12288, 4096), 0);
	T_EQ(p2v_plan_skip(p, 0, &cur, 4096, 4096), -EINVAL);	/* backwards */
	T_EQ(p2v_plan_skip(p, 0, &cur, 0, 0), 0);
	T_EQ(p->next, 2);
	T_EQ(p->ext[0].off, 4096);
	T_EQ(p->ext[0].len, 8192);
	T_EQ(p->ext[1].off, 4096 + 16384);
	T_EQ(p->ext[1].len, 65536 - 16384);
	T_EQ(p->area[0].planned, 65536 - 8192);
	p2v_plan_free(p);
}

static void unreadable(bool cont)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ);
	struct rd_disk *raw = mem(b), *src, *dst = mem(z);
	struct rd_fault_cfg fc = { .fail_read_nth = 2, .sticky = false };
	struct p2v_opts o = { .continue_on_error = cont };
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];
	int e;

	T_EQ(p2v_plan_make(raw, NULL, &p, err, sizeof(err)), 0);
	T_EQ(rd_fault_open(raw, true, &fc, &src), 0);
	e = p2v_copy(src, dst, p, &o, &r, err, sizeof(err));
	if (cont) {
		/* one failed chunk read, then every sector re-read fine */
		T_EQ(e, 0);
		T_EQ(r.read, SZ);
	} else {
		T_EQ(e, -EIO);
		T_ASSERT(strstr(err, "unreadable at byte"));
		T_ASSERT(strstr(err, "--continue-on-error"));
	}
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
}

static void test_unreadable_fails(void)		{ unreadable(false); }
static void test_unreadable_continue(void)	{ unreadable(true); }

static void test_bad_sectors_listed(void)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ);
	struct rd_disk *raw = mem(b), *src, *dst = mem(z);
	struct rd_fault_cfg fc = { .fail_read_nth = 2, .sticky = true };
	struct p2v_opts o = { .continue_on_error = true };
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];

	T_EQ(p2v_plan_make(raw, NULL, &p, err, sizeof(err)), 0);
	T_EQ(rd_fault_open(raw, true, &fc, &src), 0);
	T_EQ(p2v_copy(src, dst, p, &o, &r, err, sizeof(err)), 0);
	T_ASSERT(r.nbad >= 1);
	T_ASSERT(r.bad_bytes > 0);
	T_EQ(r.bad[0].off % 512, 0);
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
}

static void test_output_full(void)
{
	uint8_t *b = pattern(), *z = calloc(1, SZ);
	struct rd_disk *src = mem(b), *raw = mem(z), *dst;
	struct rd_fault_cfg fc = { .fail_write_nth = 3, .err = -ENOSPC };
	struct p2v_result r;
	struct p2v_plan *p;
	char err[256];

	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(rd_fault_open(raw, true, &fc, &dst), 0);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), -ENOSPC);
	p2v_plan_free(p);
	rd_close(src);
	rd_close(dst);
	free(b);
	free(z);
}

static void test_verify_catches_one_byte(void)
{
	uint8_t *b = pattern();
	struct rd_disk *src = mem(b), *out;
	struct p2v_plan *p;
	char err[256];

	b[3 * 1024 * 1024 + 17] ^= 1;
	out = mem(b);
	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(p2v_verify(src, out, p, NULL, NULL, err, sizeof(err)), -EIO);
	T_ASSERT(strstr(err, "at byte 3145745"));
	p2v_plan_free(p);
	rd_close(src);
	rd_close(out);
	free(b);
}

static void test_is_zero(void)
{
	uint8_t buf[100] = { 0 };

	T_ASSERT(p2v_is_zero(buf + 1, 99));
	buf[99] = 1;
	T_ASSERT(!p2v_is_zero(buf + 1, 99));
	T_ASSERT(p2v_is_zero(buf, 0));
}

/* Long buffers take the memcmp path: a byte anywhere must be seen. */
static void test_is_zero_long(void)
{
	static const size_t at[] = { 0, 1, 15, 16, 17, 4095, (1u << 20) - 1 };
	uint8_t *b = calloc(1, 1u << 20);

	T_ASSERT(b);
	T_ASSERT(p2v_is_zero(b, 1u << 20));
	T_ASSERT(p2v_is_zero(b + 3, (1u << 20) - 3));
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		b[at[i]] = 0x80;
		T_ASSERT(!p2v_is_zero(b, 1u << 20));
		b[at[i]] = 0;
	}
	free(b);
}

/* A .vmx names only what VMware opens; the flat descriptor is refused
 * for names a descriptor cannot quote and sizes that are not sectors. */
static void test_vmx_disk_rule(void)
{
	struct p2v_vm vm = {
		.name = "v", .disk = "v.qcow2", .disk_format = "qcow2",
		.disk_size = 1 << 20, .mem_mib = 64, .cpus = 1,
		.guest = "linux", .nic = "e1000",
	};
	char path[512], desc[512], err[256], text[1024];
	FILE *f;
	size_t n;

	T_EQ(p2v_vmx_disk_kind("vmdk"), P2V_VMX_DIRECT);
	T_EQ(p2v_vmx_disk_kind("vmdk-2gb"), P2V_VMX_DIRECT);
	T_EQ(p2v_vmx_disk_kind("raw"), P2V_VMX_FLAT);
	T_EQ(p2v_vmx_disk_kind("vhd-fixed"), P2V_VMX_FLAT);
	T_EQ(p2v_vmx_disk_kind("qcow2"), P2V_VMX_CONVERT);
	T_EQ(p2v_vmx_disk_kind("vhdx"), P2V_VMX_CONVERT);
	T_EQ(p2v_vmx_disk_kind("vmdk-stream"), P2V_VMX_CONVERT);
	snprintf(path, sizeof(path), "%s/v.vmx", t_tmpdir());
	T_EQ(p2v_vm_write("vmx", &vm, path, err, sizeof(err)), -ENOTSUP);
	T_ASSERT(access(path, F_OK) != 0);
	vm.disk = "v.vmdk";
	vm.disk_format = "vmdk";
	T_EQ(p2v_vm_write("vmx", &vm, path, err, sizeof(err)), 0);
	snprintf(desc, sizeof(desc), "%s/v-vmware.vmdk", t_tmpdir());
	T_EQ(p2v_vmdk_flat_write(desc, "a\"b.img", 1 << 20, err, sizeof(err)),
	     -EINVAL);
	T_EQ(p2v_vmdk_flat_write(desc, "v.img", 1000, err, sizeof(err)),
	     -EINVAL);
	T_ASSERT(access(desc, F_OK) != 0);
	T_EQ(p2v_vmdk_flat_write(desc, "v.img", 1 << 20, err, sizeof(err)), 0);
	f = fopen(desc, "r");
	T_ASSERT(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	T_ASSERT(strstr(text, "createType=\"monolithicFlat\""));
	T_ASSERT(strstr(text, "RW 2048 FLAT \"v.img\" 0"));
	T_EQ(p2v_vmdk_flat_write(desc, "v.img", 1 << 20, err, sizeof(err)),
	     -EEXIST);
}

struct esc_case {
	enum p2v_esc	kind;
	const char	*in;
	const char	*out;		/* NULL: refused with rc */
	int		rc;
};

static const struct esc_case esc_cases[] = {
	{ P2V_ESC_XML, "a&b <c> \"d\" 'e'",
	  "a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;", 0 },
	{ P2V_ESC_XML, "t\tn\nr\r|#%\\", "t&#x9;n&#xA;r&#xD;|#%\\", 0 },
	{ P2V_ESC_XML, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xbe",
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xbe", 0 },
	{ P2V_ESC_XML, "", "", 0 },
	{ P2V_ESC_XML, "a\x01", NULL, -EINVAL },		/* C0 control */
	{ P2V_ESC_XML, "\xef\xbf\xbe", NULL, -EINVAL },		/* U+FFFE */
	{ P2V_ESC_XML, "a\xff", NULL, -EILSEQ },
	{ P2V_ESC_XML, "\xc0\xaf", NULL, -EILSEQ },		/* overlong */
	{ P2V_ESC_XML, "\xed\xa0\x80", NULL, -EILSEQ },		/* surrogate */
	{ P2V_ESC_XML, "\xf4\x90\x80\x80", NULL, -EILSEQ },	/* > U+10FFFF */
	{ P2V_ESC_XML, "\xe2\x82", NULL, -EILSEQ },		/* cut short */
	{ P2V_ESC_VMX, "a\"b|c", "a|22b|7Cc", 0 },
	{ P2V_ESC_VMX, "n\nd\x7ft\t# &<>'\\%", "n|0Ad|7Ft\t# &<>'\\%", 0 },
	{ P2V_ESC_VMX, "caf\xc3\xa9", "caf\xc3\xa9", 0 },
	{ P2V_ESC_URI, "a b:c/d%\xc3\xa9", "a%20b%3Ac/d%25%C3%A9", 0 },
	{ P2V_ESC_URI, "AZaz09-._~", "AZaz09-._~", 0 },
	{ P2V_ESC_URI, "a&b <c>\"'|#?", "a%26b%20%3Cc%3E%22%27%7C%23%3F", 0 },
	{ P2V_ESC_DUALVM, " a\\b\n ", "\\x20a\\\\b\\x0A\\x20", 0 },
	{ P2V_ESC_DUALVM, "a # b = \"c\" |d| 'e'", "a # b = \"c\" |d| 'e'", 0 },
	{ P2V_ESC_DUALVM, "\t\x7f", "\\x09\\x7F", 0 },
	{ P2V_ESC_DUALVM, " ", "\\x20", 0 },
};

static void test_escape_spellings(void)
{
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		const struct esc_case *c = &esc_cases[i];
		char buf[256], *dup;
		ssize_t n = p2v_escape(c->kind, c->in, buf, sizeof(buf));

		if (!c->out) {
			T_EQ(n, c->rc);
			T_EQ(p2v_escape_dup(c->kind, c->in, &dup), c->rc);
			T_ASSERT(!dup);
			continue;
		}
		if (n != (ssize_t)strlen(c->out) || strcmp(buf, c->out))
			t_fail(__FILE__, __LINE__, "case %zu: '%s' -> '%s' (%zd), expected '%s'",
			       i, c->in, buf, n, c->out);
		T_EQ(p2v_escape_dup(c->kind, c->in, &dup), 0);
		T_ASSERT(!strcmp(dup, c->out));
		free(dup);
	}
}

/* snprintf contract: the full length is returned, the output truncated */
static void test_escape_truncates(void)
{
	char buf[4] = "xxx";

	T_EQ(p2v_escape(P2V_ESC_XML, "a&b", NULL, 0), 7);
	T_EQ(p2v_escape(P2V_ESC_XML, "a&b", buf, sizeof(buf)), 7);
	T_ASSERT(!strcmp(buf, "a&a"));
	T_EQ(p2v_escape(P2V_ESC_VMX, "\"", buf, 1), 3);
	T_EQ(buf[0], 0);
	T_EQ(p2v_escape(P2V_ESC_URI, " ", buf, 4), 3);
	T_ASSERT(!strcmp(buf, "%20"));
}

/* Every byte 1..255 in every position survives escape + unescape, and
 * the escaped form holds none of the characters its format reserves. */
static void test_escape_round_trip(void)
{
	static const struct { enum p2v_esc kind; const char *reserved; } k[] = {
		{ P2V_ESC_VMX, "\"\n\r" },
		{ P2V_ESC_URI, " \"'&<>#?:|%\n" },
		{ P2V_ESC_DUALVM, "\n\r" },
	};
	char in[256], esc[1024], back[256];

	for (int i = 0; i < 255; i++)
		in[i] = (char)(i + 1);
	in[255] = '\0';
	for (size_t j = 0; j < sizeof(k) / sizeof(k[0]); j++) {
		ssize_t n = p2v_escape(k[j].kind, in, esc, sizeof(esc));

		T_ASSERT(n > 255 && n < (ssize_t)sizeof(esc));
		for (const char *r = k[j].reserved; *r; r++)
			if (*r != '%' || k[j].kind != P2V_ESC_URI)
				T_ASSERT(!strchr(esc, *r));
		T_EQ(p2v_unescape(k[j].kind, esc, back, sizeof(back)), 255);
		T_ASSERT(!memcmp(in, back, 256));
	}
	/* a value that starts and ends with a space keeps them */
	T_EQ(p2v_escape(P2V_ESC_DUALVM, " x ", esc, sizeof(esc)), 9);
	T_EQ(p2v_unescape(P2V_ESC_DUALVM, esc, back, sizeof(back)), 3);
	T_ASSERT(!strcmp(back, " x "));
}

static void test_unescape_refusals(void)
{
	char b[64];

	T_EQ(p2v_unescape(P2V_ESC_VMX, "a|2", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_VMX, "a|zz", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_VMX, "a|00", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_URI, "%4", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_DUALVM, "a\\q", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_DUALVM, "a\\", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_DUALVM, "\\x0", b, sizeof(b)), -EINVAL);
	T_EQ(p2v_unescape(P2V_ESC_XML, "a&amp;b", b, sizeof(b)), -ENOTSUP);
	T_EQ(p2v_unescape(P2V_ESC_VMX, "abcd", b, 4), -ENOSPC);
	/* lower-case hex digits are read too */
	T_EQ(p2v_unescape(P2V_ESC_URI, "caf%c3%a9", b, sizeof(b)), 5);
	T_ASSERT(!strcmp(b, "caf\xc3\xa9"));
	T_EQ(p2v_unescape(P2V_ESC_VMX, "|7c|22", b, sizeof(b)), 2);
	T_ASSERT(!strcmp(b, "|\""));
}

/*
 * A file source is read by two threads (rd_reads_concurrent()): chunks of
 * data, of written zeros and holes, and an odd tail all land where they
 * belong, the totals count every byte once, and a file under a fault layer
 * (not safe for concurrent reads) keeps one reader.
 */
static void test_file_source_two_readers(void)
{
	const size_t sz = (37u << 20) + 3 * 512;
	uint8_t *b = calloc(1, sz), *back = malloc(sz), *z = calloc(1, sz);
	struct rd_disk *src, *dst, *f;
	struct rd_fault_cfg fc = { 0 };
	struct p2v_result r;
	struct p2v_plan *p;
	char path[4096], err[256];
	uint64_t data = 0;
	int fd;

	T_ASSERT(b && back && z);
	/* every third MiB data, a few single sectors in zero MiBs */
	for (size_t m = 0; m < sz >> 20; m++) {
		if (m % 3 == 0) {
			for (size_t i = 0; i < (1u << 20); i++)
				b[(m << 20) + i] = (uint8_t)(i * 7 + m + 1) | 1;
			data += 1u << 20;
		} else if (m % 5 == 1) {
			b[(m << 20) + 4096 * (m % 200)] = 0xa5;
			data += 64 * 1024;	/* one 64 KiB piece */
		}
	}
	memset(b + (sz & ~((size_t)(1u << 20) - 1)), 0x5a, sz % (1u << 20));
	data += sz % (1u << 20);
	snprintf(path, sizeof(path), "%s/src.raw", t_tmpdir());
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	T_ASSERT(fd >= 0);
	/* holes: the zero MiBs among 4..8 are never written */
	for (size_t m = 0; m <= sz >> 20; m++) {
		size_t n = m == sz >> 20 ? sz % (1u << 20) : 1u << 20;

		if (m >= 4 && m <= 8 && m % 3 && m % 5 != 1)
			continue;
		T_EQ(pwrite(fd, b + (m << 20), n, (off_t)(m << 20)), (ssize_t)n);
	}
	T_EQ(ftruncate(fd, (off_t)sz), 0);
	close(fd);
	T_EQ(rd_file_open(path, RD_RDONLY, &src, err, sizeof(err)), 0);
	T_ASSERT(rd_reads_concurrent(src));
	T_EQ(rd_mem_open(z, sz, RD_RDWR, &dst), 0);
	T_EQ(p2v_plan_make(src, NULL, &p, err, sizeof(err)), 0);
	T_EQ(p2v_copy(src, dst, p, NULL, &r, err, sizeof(err)), 0);
	T_EQ(r.read, sz);
	T_EQ(r.copied, data);
	T_EQ(rd_pread(dst, back, sz, 0), 0);
	T_ASSERT(!memcmp(back, b, sz));
	T_EQ(p2v_verify(src, dst, p, &r, NULL, err, sizeof(err)), 0);
	p2v_plan_free(p);
	rd_close(dst);
	T_EQ(rd_fault_open(src, true, &fc, &f), 0);
	T_ASSERT(!rd_reads_concurrent(f));
	rd_close(f);
	unlink(path);
	free(b);
	free(back);
	free(z);
}

static const struct t_case cases[] = {
	T_CASE(test_no_table_full_copy),
	T_CASE(test_nothing_copied_fails),
	T_CASE(test_plan_skip_ranges),
	T_CASE(test_unreadable_fails),
	T_CASE(test_unreadable_continue),
	T_CASE(test_bad_sectors_listed),
	T_CASE(test_output_full),
	T_CASE(test_file_source_two_readers),
	T_CASE(test_verify_catches_one_byte),
	T_CASE(test_is_zero),
	T_CASE(test_is_zero_long),
	T_CASE(test_vmx_disk_rule),
	T_CASE(test_escape_spellings),
	T_CASE(test_escape_truncates),
	T_CASE(test_escape_round_trip),
	T_CASE(test_unescape_refusals),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
