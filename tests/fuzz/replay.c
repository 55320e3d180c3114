// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay.c --- run a libFuzzer-style harness without libFuzzer
 *
 * Every tests/fuzz/<name>.c defines LLVMFuzzerTestOneInput().  Built with
 * clang -fsanitize=fuzzer it is a real coverage-guided fuzzer; linked with
 * this file it is the `make check` driver: it replays every file given (or
 * every file in a given directory), then runs -runs=N extra inputs made by
 * mutating those files (or random bytes) with a fixed seed, so a run is
 * repeatable.  Prints `PASS <name>: ...`; a crash is reported by the test
 * runner from the exit status.
 *
 *	fuzz_x [-runs=N] [-seed=S] [-max_len=L] [FILE|DIR ...]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t	*p;
	size_t	n;
};

static struct input *inputs;
static size_t ninputs, capinputs;

static void add_input(uint8_t *p, size_t n)
{
	if (ninputs == capinputs) {
		capinputs = capinputs ? capinputs * 2 : 64;
		inputs = realloc(inputs, capinputs * sizeof(*inputs));
		if (!inputs) {
			perror("replay");
			exit(2);
		}
	}
	inputs[ninputs++] = (struct input){ p, n };
}

static void load_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
		add_input(buf, (size_t)n);
	else
		free(buf);
	fclose(f);
}

static void load(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	char sub[4096];

	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		load_file(path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		load(sub);
	}
	closedir(d);
}

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	unsigned long runs = 10000, max_len = 4096;
	const char *name = strrchr(argv[0], '/');
	uint8_t *buf;
	size_t i;

	rng = 0x9e3779b97f4a7c15ULL;
	for (int a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "-runs=", 6))
			runs = strtoul(argv[a] + 6, NULL, 0);
		else if (!strncmp(argv[a], "-seed=", 6))
			rng = strtoull(argv[a] + 6, NULL, 0) | 1;
		else if (!strncmp(argv[a], "-max_len=", 9))
			max_len = strtoul(argv[a] + 9, NULL, 0);
		else if (argv[a][0] != '-')
			load(argv[a]);
	}
	name = name ? name + 1 : argv[0];
	if (!runs && getenv("FUZZ_RUNS"))
		runs = strtoul(getenv("FUZZ_RUNS"), NULL, 0);
	if (!runs)
		runs = 10000;
	for (i = 0; i < ninputs; i++)
		LLVMFuzzerTestOneInput(inputs[i].p, inputs[i].n);
	buf = malloc(max_len ? max_len : 1);
	if (!buf)
		return 2;
	for (unsigned long r = 0; r < runs; r++) {
		size_t n;

		if (ninputs && (next() & 3)) {
			const struct input *in = &inputs[next() % ninputs];
			unsigned int flips = 1 + next() % 8;

			n = in->n < max_len ? in->n : max_len;
			memcpy(buf, in->p, n);
			for (unsigned int f = 0; f < flips && n; f++) {
				size_t at = next() % n;

				switch (next() % 4) {
				case 0: buf[at] ^= (uint8_t)(1u << (next() % 8)); break;
				case 1: buf[at] = (uint8_t)next(); break;
				case 2: buf[at] = (uint8_t[]){0, 0xff, 0x7f, 0x80}[next() % 4]; break;
				default: n = at + 1; break;	/* truncate */
				}
			}
		} else {
			n = max_len ? next() % max_len : 0;
			for (size_t b = 0; b < n; b++)
				buf[b] = (uint8_t)next();
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("PASS %s: %zu corpus inputs + %lu generated inputs, no crash\n",
	       name, ninputs, runs);
	free(buf);
	for (i = 0; i < ninputs; i++)
		free(inputs[i].p);
	free(inputs);
	return 0;
}
