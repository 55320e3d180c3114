// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_lib.c --- lib/: the JSON writer and its escaper, SHA-256 through
 * libnettle (FIPS 180-4 vectors, moved here from test_initrd.c, and a
 * file digest), the pread/pwrite loops and the size formatter
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/lib.h"
#include "tests/unit/harness.h"

/* Run @fn on a memory stream and return what it wrote (static buffer). */
static const char *capture(void (*fn)(FILE *f))
{
	static char out[4096];
	FILE *f = fmemopen(out, sizeof(out), "w");

	T_ASSERT(f);
	fn(f);
	T_ASSERT(fclose(f) == 0);
	return out;
}

static void quote_specials(FILE *f)
{
	lib_json_quote(f, "a\"b\\c\nd\te\x01" "f\xc3\xa9");
	lib_json_quote(f, NULL);
}

static void test_json_quote(void)
{
	T_ASSERT(!strcmp(capture(quote_specials),
			 "\"a\\\"b\\\\c\\nd\\te\\u0001f\xc3\xa9\"\"\""));
}

static void write_spaced(FILE *f)
{
	struct lib_json j;

	lib_json_init(&j, f, false);
	lib_json_begin(&j, NULL, '{');
	lib_json_str(&j, "disk", "d.img");
	lib_json_u64(&j, "size", 1ull << 40);
	lib_json_bool(&j, "ok", true);
	lib_json_null(&j, "os");
	lib_json_begin(&j, "list", '[');
	lib_json_int(&j, NULL, -3);
	lib_json_begin(&j, NULL, '{');
	lib_json_end(&j, '}');
	lib_json_end(&j, ']');
	lib_json_begin_lines(&j, "lines");
	lib_json_str(&j, NULL, "x");
	lib_json_str(&j, NULL, "y");
	lib_json_end(&j, ']');
	lib_json_begin_lines(&j, "empty");
	lib_json_end(&j, ']');
	lib_json_finish(&j, '}');
}

static void write_compact(FILE *f)
{
	struct lib_json j;

	lib_json_init(&j, f, true);
	lib_json_begin(&j, NULL, '{');
	lib_json_str(&j, "event", "progress");
	lib_json_double(&j, "rate", 12.5, 0);
	lib_json_double(&j, "eta", 1.25, 1);
	lib_json_begin(&j, "bad", '[');
	lib_json_end(&j, ']');
	lib_json_finish(&j, '}');
}

static void test_json_writer(void)
{
	T_ASSERT(!strcmp(capture(write_spaced),
			 "{\"disk\": \"d.img\", \"size\": 1099511627776, "
			 "\"ok\": true, \"os\": null, \"list\": [-3, {}], "
			 "\"lines\": [\n  \"x\",\n  \"y\"\n], "
			 "\"empty\": [\n]}\n"));
	T_ASSERT(!strcmp(capture(write_compact),
			 "{\"event\":\"progress\",\"rate\":12,\"eta\":1.2,"
			 "\"bad\":[]}\n"));
}

static void test_sha256_vectors(void)
{
	static const char *const v[][2] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char out[LIB_SHA256_HEX];

	for (unsigned int i = 0; i < 3; i++) {
		lib_sha256_buf_hex(v[i][0], strlen(v[i][0]), out);
		T_ASSERT(!strcmp(out, v[i][1]));
	}
}

/* A file of 3 MiB + 7 bytes ("a" * n) hashes like the same bytes in
 * pieces, and like sha256sum says. */
static void test_sha256_file(void)
{
	size_t n = (3u << 20) + 7;
	char *buf = malloc(n), path[300], a[LIB_SHA256_HEX];
	char b[LIB_SHA256_HEX], cmd[400], want[LIB_SHA256_HEX] = "";
	struct lib_sha256 s;
	FILE *p;
	int fd;

	T_ASSERT(buf);
	memset(buf, 'a', n);
	snprintf(path, sizeof(path), "%s/f", t_tmpdir());
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_EQ(lib_pwrite_all(fd, buf, n, 0), 0);
	close(fd);
	T_EQ(lib_sha256_file(path, a), 0);
	lib_sha256_init(&s);
	lib_sha256_update(&s, buf, 1000);
	lib_sha256_update(&s, buf + 1000, n - 1000);
	lib_sha256_hex(&s, b);
	T_ASSERT(!strcmp(a, b));
	snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
	p = popen(cmd, "r");
	T_ASSERT(p && fscanf(p, "%64s", want) == 1);
	pclose(p);
	T_ASSERT(!strcmp(a, want));
	snprintf(path, sizeof(path), "%s/missing", t_tmpdir());
	T_EQ(lib_sha256_file(path, a), -ENOENT);
	free(buf);
}

static void test_io_loops(void)
{
	char buf[16] = "", human[32];
	int fd = lib_memfd_from("test", "0123456789", 10);

	T_ASSERT(fd >= 0);
	T_EQ(lib_pread_full(fd, buf, sizeof(buf), 0), 10);
	T_ASSERT(!memcmp(buf, "0123456789", 10));
	T_EQ(lib_pread_full(fd, buf, 4, 8), 2);
	T_EQ(lib_pwrite_all(fd, "AB", 2, 20), 0);
	T_EQ(lib_pread_full(fd, buf, sizeof(buf), 10), 12);
	T_ASSERT(buf[0] == 0 && !memcmp(buf + 10, "AB", 2));
	close(fd);
	T_EQ(lib_pwrite_all(fd, "x", 1, 0), -EBADF);
	lib_human_size(human, sizeof(human), 1536);
	T_ASSERT(!strcmp(human, "1.5 KiB"));
	lib_human_size(human, sizeof(human), 3.0 * (1ull << 50));
	T_ASSERT(!strcmp(human, "3072.0 TiB"));
}

static const struct t_case cases[] = {
	T_CASE(test_json_quote),
	T_CASE(test_json_writer),
	T_CASE(test_sha256_vectors),
	T_CASE(test_sha256_file),
	T_CASE(test_io_loops),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
