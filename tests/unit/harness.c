// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness.c --- fork-per-case unit-test runner (see harness.h)
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/harness.h"

#define T_EXIT_SKIP	77

static int report_fd = -1;	/* child -> parent: the FAIL/SKIP reason */
static char tmpdir[4096];

static void report(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int i = 0; i < n; i++)	/* keep the result on one line */
		if (buf[i] == '\n')
			buf[i] = ' ';
	if (report_fd >= 0 && write(report_fd, buf, (size_t)n) < 0)
		_exit(2);
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	char pre[256];
	va_list ap;

	snprintf(pre, sizeof(pre), "%s:%d: ", file, line);
	if (report_fd >= 0 && write(report_fd, pre, strlen(pre)) < 0)
		_exit(2);
	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	_exit(1);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(fmt, ap);
	va_end(ap);
	_exit(T_EXIT_SKIP);
}

unsigned int t_timeout(void)
{
	const char *s = getenv("T_TIMEOUT");
	int v = s ? atoi(s) : 0;

	return v > 0 ? (unsigned int)v : 120;
}

const char *t_tmpdir(void)
{
	return tmpdir;
}

static void rm_tmpdir(void)
{
	char cmd[300];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", tmpdir);
	tmpdir[0] = 0;
}

static int run_case(const struct t_case *c)
{
	char why[1024] = "";
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	/* under TMPDIR (make check points it into build/), else /tmp */
	snprintf(tmpdir, sizeof(tmpdir), "%s/dualvm-t.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		tmpdir[0] = 0;
	if (pipe(pfd) < 0) {
		printf("FAIL %s: pipe: %s\n", c->name, strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork: %s\n", c->name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(pfd[0]);
		report_fd = pfd[1];
		alarm(t_timeout());
		c->fn();
		fflush(NULL);
		_exit(0);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], why + got, sizeof(why) - 1 - (size_t)got)) > 0)
		got += n;
	why[got] = 0;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rm_tmpdir();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("PASS %s\n", c->name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == T_EXIT_SKIP) {
		printf("SKIP %s: %s\n", c->name, why[0] ? why : "no reason");
		return 0;
	}
	if (WIFSIGNALED(status))
		printf("FAIL %s: %s%s\n", c->name,
		       WTERMSIG(status) == SIGALRM ? "timed out" :
		       strsignal(WTERMSIG(status)), why[0] ? why : "");
	else
		printf("FAIL %s: %s\n", c->name, why[0] ? why : "exit status");
	return 1;
}

int t_main(int argc, char **argv, const struct t_case *cases, unsigned int n)
{
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned int i = 0; i < n; i++) {
		int want = argc <= 1;

		for (int a = 1; a < argc; a++)
			if (!strcmp(argv[a], cases[i].name))
				want = 1;
		if (want)
			failed += run_case(&cases[i]);
	}
	return failed ? 1 : 0;
}
