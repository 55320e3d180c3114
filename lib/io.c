// SPDX-License-Identifier: GPL-2.0-only
/*
 * io.c --- file-descriptor loops and small formatting helpers
 *
 * pread(2) and pwrite(2) may transfer less than asked (signals, pipes,
 * file-system limits); the two loops here retry until the whole range is
 * done so no caller has to.  Errors are returned as -errno, never left in
 * errno alone.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/lib.h"

int lib_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t lib_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
		off += (uint64_t)n;
	}
	return (ssize_t)done;
}

int lib_memfd_from(const char *name, const void *buf, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	int e;

	if (fd < 0)
		return -errno;
	e = lib_pwrite_all(fd, buf, len, 0);
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

void lib_human_size(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (bytes >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", bytes, unit[u]);
}
