// SPDX-License-Identifier: GPL-2.0-only
/* test_console.c --- vmm/console.c: --until-serial matching across chunk
 * boundaries and output to a --serial file */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "vmm/console.h"

static struct console *mk(const char *until, char *path, size_t len)
{
	struct console *c;
	char why[256];

	snprintf(path, len, "%s/com1.txt", t_tmpdir());
	T_EQ(console_create(path, until, &c, why, sizeof(why)), 0);
	T_EQ(console_input_fd(c), -1);		/* a file has no input */
	return c;
}

static void put(struct console *c, const char *s)
{
	while (*s)
		console_put(c, (uint8_t)*s++);
}

static void test_until_across_chunks(void)
{
	char path[512];
	struct console *c = mk("SYSLINUX", path, sizeof(path));

	put(c, "SeaBIOS ...\r\nSYS");
	console_flush(c);
	T_ASSERT(!console_matched(c));
	put(c, "LIN");
	T_ASSERT(!console_matched(c));
	put(c, "UX 6.04");
	T_ASSERT(console_matched(c));
	console_destroy(c);
}

static void test_until_overlapping_prefix(void)
{
	char path[512];
	struct console *c = mk("aab", path, sizeof(path));

	put(c, "aaaa");
	T_ASSERT(!console_matched(c));
	put(c, "b");
	T_ASSERT(console_matched(c));
	console_destroy(c);
	c = mk(NULL, path, sizeof(path));	/* no text: never matches */
	put(c, "anything");
	T_ASSERT(!console_matched(c));
	console_destroy(c);
}

static void test_output_file(void)
{
	char path[512], buf[64] = "";
	struct console *c = mk(NULL, path, sizeof(path));
	unsigned int i;
	int fd;

	for (i = 0; i < 5000; i++)		/* more than one buffer */
		console_put(c, (uint8_t)('a' + i % 26));
	console_destroy(c);
	fd = open(path, O_RDONLY);
	T_ASSERT(fd >= 0);
	T_EQ(lseek(fd, 0, SEEK_END), 5000);
	T_EQ(pread(fd, buf, 3, 4998), 2);
	T_ASSERT(!strcmp(buf, "gh"));
	close(fd);
}

static void test_bad_paths(void)
{
	struct console *c;
	char why[256] = "", text[300];

	T_ASSERT(console_create("/nonexistent/dir/x", NULL, &c, why,
				sizeof(why)) < 0);
	T_ASSERT(strstr(why, "/nonexistent/dir/x") != NULL);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	T_ASSERT(console_create("stdio", text, &c, why, sizeof(why)) < 0);
}

static const struct t_case cases[] = {
	T_CASE(test_until_across_chunks),
	T_CASE(test_until_overlapping_prefix),
	T_CASE(test_output_file),
	T_CASE(test_bad_paths),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
