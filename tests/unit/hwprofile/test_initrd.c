// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_initrd.c --- the initramfs reader/writer (hwprofile/hwp_cpio.c):
 * compression detection, early-microcode prefix handling and round trips
 * through every compression the kernel unpacks.  (The SHA-256 vectors
 * moved to tests/unit/lib/test_lib.c with the code.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_cpio.h"
#include "tests/unit/harness.h"

static void test_format_magic(void)
{
	size_t pre;

	T_ASSERT(!strcmp(hwp_initrd_format("\x1f\x8b\x08", 3, &pre), "gzip"));
	T_ASSERT(!strcmp(hwp_initrd_format("\xfd" "7zXZ\0\0", 7, &pre), "xz"));
	T_ASSERT(!strcmp(hwp_initrd_format("\x28\xb5\x2f\xfd", 4, &pre), "zstd"));
	T_ASSERT(!strcmp(hwp_initrd_format("\x02\x21\x4c\x18", 4, &pre), "lz4"));
	T_ASSERT(!strcmp(hwp_initrd_format("BZh9", 4, &pre), "bzip2"));
	T_ASSERT(!strcmp(hwp_initrd_format("070701", 6, &pre), "none"));
	T_ASSERT(!strcmp(hwp_initrd_format("hello", 5, &pre), "unknown"));
	T_EQ(pre, 0);
	T_ASSERT(!strcmp(hwp_initrd_format("", 0, &pre), "unknown"));
}

static void build(struct hwp_cpio *c)
{
	static const char ko[] = "\x7f" "ELF fake module";

	memset(c, 0, sizeof(*c));
	T_EQ(hwp_cpio_add(c, ".", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(c, "conf", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(c, "conf/modules", 0100644, "ahci\n", 5, NULL), 0);
	T_EQ(hwp_cpio_add(c, "lib", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(c, "lib/x.ko", 0100644, ko, sizeof(ko), NULL), 0);
	T_EQ(hwp_cpio_add(c, "init", 0120777, NULL, 0, "/bin/sh"), 0);
}

/* An uncompressed early cpio holding a fake microcode blob. */
static void early(void **buf, size_t *len)
{
	struct hwp_cpio c = { 0 };

	T_EQ(hwp_cpio_add(&c, "kernel", 040755, NULL, 0, NULL), 0);
	T_EQ(hwp_cpio_add(&c, "kernel/x86/microcode/GenuineIntel.bin",
			  0100644, "UCODE", 5, NULL), 0);
	T_EQ(hwp_cpio_write(&c, "none", NULL, 0, buf, len), 0);
	hwp_cpio_free(&c);
}

static void roundtrip(const char *fmt, bool with_prefix)
{
	struct hwp_cpio c, back;
	void *pre = NULL, *out;
	size_t prelen = 0, outlen, got;
	struct hwp_cpio_ent *e;

	build(&c);
	if (with_prefix)
		early(&pre, &prelen);
	T_EQ(hwp_cpio_write(&c, fmt, pre, prelen, &out, &outlen), 0);
	T_ASSERT(!strcmp(hwp_initrd_format(out, outlen, &got), fmt));
	T_EQ(got, prelen);
	if (prelen)
		T_ASSERT(!memcmp(out, pre, prelen));
	T_EQ(hwp_cpio_read((char *)out + got, outlen - got, &back), 0);
	T_EQ(back.n, c.n);
	e = hwp_cpio_find(&back, "/conf/modules");
	T_ASSERT(e && e->len == 5 && !memcmp(e->data, "ahci\n", 5));
	e = hwp_cpio_find(&back, "init");
	T_ASSERT(e && e->link && !strcmp(e->link, "/bin/sh"));
	e = hwp_cpio_find(&back, "lib/x.ko");
	T_ASSERT(e && e->len == 17 && (e->mode & 0170000) == 0100000);
	hwp_cpio_free(&back);
	hwp_cpio_free(&c);
	free(out);
	free(pre);
}

static void test_roundtrip_none(void) { roundtrip("none", false); }
static void test_roundtrip_gzip(void) { roundtrip("gzip", false); }
static void test_roundtrip_gzip_early(void) { roundtrip("gzip", true); }
static void test_roundtrip_xz_early(void) { roundtrip("xz", true); }
static void test_roundtrip_zstd(void) { roundtrip("zstd", false); }
static void test_roundtrip_lz4_legacy(void) { roundtrip("lz4", true); }
static void test_roundtrip_bzip2(void) { roundtrip("bzip2", false); }

static void test_lz4_is_legacy_frame(void)
{
	struct hwp_cpio c;
	void *out;
	size_t outlen;

	build(&c);
	T_EQ(hwp_cpio_write(&c, "lz4", NULL, 0, &out, &outlen), 0);
	/* the kernel's unlz4 only knows the legacy frame format */
	T_ASSERT(outlen > 4 && !memcmp(out, "\x02\x21\x4c\x18", 4));
	free(out);
	hwp_cpio_free(&c);
}

static void test_corrupt_rejected(void)
{
	struct hwp_cpio c;
	void *out;
	size_t outlen;
	char *bad;

	build(&c);
	T_EQ(hwp_cpio_write(&c, "gzip", NULL, 0, &out, &outlen), 0);
	hwp_cpio_free(&c);
	bad = malloc(outlen);
	memcpy(bad, out, outlen);
	memset(bad + 10, 0x55, outlen - 20);	/* smash the deflate stream */
	T_ASSERT(hwp_cpio_read(bad, outlen, &c) < 0);
	T_ASSERT(hwp_cpio_read(out, outlen / 2, &c) < 0);	/* truncated */
	T_EQ(hwp_cpio_write(&c, "brotli", NULL, 0, &out, &outlen), -ENOTSUP);
	free(bad);
}

static void test_prefix_malformed_is_not_prefix(void)
{
	char buf[200];
	size_t pre;

	/* a newc header with a bogus name size: no prefix is claimed */
	memset(buf, '0', sizeof(buf));
	memcpy(buf, "070701", 6);
	memcpy(buf + 94, "FFFFFFFF", 8);
	hwp_initrd_format(buf, sizeof(buf), &pre);
	T_EQ(pre, 0);
}

static const struct t_case cases[] = {
	T_CASE(test_format_magic),
	T_CASE(test_roundtrip_none),
	T_CASE(test_roundtrip_gzip),
	T_CASE(test_roundtrip_gzip_early),
	T_CASE(test_roundtrip_xz_early),
	T_CASE(test_roundtrip_zstd),
	T_CASE(test_roundtrip_lz4_legacy),
	T_CASE(test_roundtrip_bzip2),
	T_CASE(test_lz4_is_legacy_frame),
	T_CASE(test_corrupt_rejected),
	T_CASE(test_prefix_malformed_is_not_prefix),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
