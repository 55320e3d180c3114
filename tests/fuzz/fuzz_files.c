// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_files.c --- the file set and path guard of fuzz_files.h
 *
 * The guard replaces the libc entry points the disk code opens files with
 * (open, open64, openat, openat64, fopen, fopen64); outside a live set they
 * pass straight to the kernel / libc, so libFuzzer and the replay driver
 * read their corpus as usual.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_files.h"

static char dir[256];		/* the set's folder, "" before first use */
static bool guard;		/* refuse paths outside @dir */
static int home = -1;		/* the working folder to return to */

static void cleanup(void)
{
	char p[300];

	if (!dir[0])
		return;
	for (int i = 0; i < FUZZ_FILES_MAX; i++) {
		snprintf(p, sizeof(p), "%s/%c", dir, 'a' + i);
		unlink(p);
	}
	rmdir(dir);
}

static bool allowed(const char *path)
{
	size_t n = strlen(dir);

	if (!guard)
		return true;
	if (!path || strstr(path, ".."))
		return false;
	if (path[0] != '/')		/* the working folder is @dir */
		return true;
	return !strncmp(path, dir, n) && path[n] == '/';
}

static int sys_openat(int dfd, const char *path, int flags, va_list ap)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	if (!allowed(path) || (dfd != AT_FDCWD && path[0] != '/')) {
		errno = ENOENT;
		return -1;
	}
	return (int)syscall(SYS_openat, dfd, path, flags, mode);
}

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int openat(int dfd, const char *path, int flags, ...);
int openat64(int dfd, const char *path, int flags, ...);

int open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = sys_openat(AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = sys_openat(AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

int openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = sys_openat(dfd, path, flags, ap);
	va_end(ap);
	return fd;
}

int openat64(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = sys_openat(dfd, path, flags, ap);
	va_end(ap);
	return fd;
}

static FILE *guarded_fopen(const char *sym, const char *path,
			   const char *mode)
{
	FILE *(*real)(const char *, const char *);

	if (!allowed(path)) {
		errno = ENOENT;
		return NULL;
	}
	real = (FILE *(*)(const char *, const char *))dlsym(RTLD_NEXT, sym);
	return real ? real(path, mode) : NULL;
}

FILE *fopen(const char *path, const char *mode)
{
	return guarded_fopen("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	return guarded_fopen("fopen64", path, mode);
}

/* A crash (the replay driver's findings) must not leave the set behind
 * in the test folder: remove it, then die of the same signal.  Only where
 * nothing else (libFuzzer, a sanitizer) handles the signal already. */
static void on_crash(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_crashes(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	static char altstack[64 * 1024];	/* stack overflows land here */
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa = { .sa_handler = on_crash,
				.sa_flags = SA_ONSTACK | SA_RESETHAND };
	struct sigaction old;

	sigemptyset(&sa.sa_mask);
	sigaltstack(&ss, NULL);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!sigaction(sigs[i], NULL, &old) &&
		    old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
			sigaction(sigs[i], &sa, NULL);
}

static int make_dir(void)
{
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	if (getenv("TMPDIR") && getenv("TMPDIR")[0] == '/')
		base = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/dualvm-fuzz.XXXXXX", base);
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return -errno;
	}
	atexit(cleanup);
	catch_crashes();
	return 0;
}

static int write_file(const char *p, const uint8_t *data, size_t len)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, p,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, data, len);
		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		data += n;
		len -= (size_t)n;
	}
	close(fd);
	return 0;
}

int fuzz_files_load(const uint8_t *data, size_t size, char *path,
		    size_t pathlen)
{
	const size_t seplen = strlen(FUZZ_FILES_SEP);
	const uint8_t *end = data + size;
	char p[300];
	int i, rc;

	guard = false;
	if (!dir[0] && (rc = make_dir()))
		return rc;
	cleanup();
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	for (i = 0; i < FUZZ_FILES_MAX && data <= end; i++) {
		const uint8_t *sep = i + 1 < FUZZ_FILES_MAX ?
			memmem(data, (size_t)(end - data), FUZZ_FILES_SEP,
			       seplen) : NULL;
		const uint8_t *stop = sep ? sep : end;

		snprintf(p, sizeof(p), "%s/%c", dir, 'a' + i);
		rc = write_file(p, data, (size_t)(stop - data));
		if (rc)
			return rc;
		if (!sep)
			break;
		data = sep + seplen;
	}
	snprintf(path, pathlen, "%s/a", dir);
	/* names inside an image may be resolved against the working folder
	 * as well as against the image's own: both are the set's folder */
	if (home < 0)
		home = (int)syscall(SYS_openat, AT_FDCWD, ".",
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (home < 0 || chdir(dir))
		return -errno;
	guard = true;
	return 0;
}

void fuzz_files_done(void)
{
	guard = false;
	if (home >= 0 && fchdir(home))
		abort();
}
