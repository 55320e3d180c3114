// SPDX-License-Identifier: GPL-2.0-only
/*
 * sha256.c --- SHA-256 (FIPS 180-4) in hex, through libnettle
 *
 * The digests in OVA manifests (p2v) and in injection reports (hwprofile)
 * come from here.  libnettle picks the SHA-NI code path at run time on
 * CPUs that have it, several times faster than a portable C loop, so
 * hashing a converted disk costs far less than writing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/lib.h"

#define SHA256_FILE_BUF	(1u << 20)	/* read size for whole files */

void lib_sha256_init(struct lib_sha256 *s)
{
	sha256_init(&s->ctx);
}

void lib_sha256_update(struct lib_sha256 *s, const void *data, size_t len)
{
	sha256_update(&s->ctx, len, data);
}

void lib_sha256_hex(struct lib_sha256 *s, char out[LIB_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(&s->ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * sizeof(d)] = 0;
}

void lib_sha256_buf_hex(const void *buf, size_t len,
			char out[LIB_SHA256_HEX])
{
	struct lib_sha256 s;

	lib_sha256_init(&s);
	lib_sha256_update(&s, buf, len);
	lib_sha256_hex(&s, out);
}

int lib_sha256_file(const char *path, char out[LIB_SHA256_HEX])
{
	struct lib_sha256 s;
	uint64_t off = 0;
	uint8_t *buf;
	ssize_t n;
	int fd, e = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(SHA256_FILE_BUF);
	if (!buf) {
		e = -ENOMEM;
		goto out_close;
	}
	lib_sha256_init(&s);
	do {
		n = lib_pread_full(fd, buf, SHA256_FILE_BUF, off);
		if (n < 0) {
			e = (int)n;
			goto out_free;
		}
		lib_sha256_update(&s, buf, (size_t)n);
		off += (uint64_t)n;
	} while (n == SHA256_FILE_BUF);
	lib_sha256_hex(&s, out);
out_free:
	free(buf);
out_close:
	close(fd);
	return e;
}
