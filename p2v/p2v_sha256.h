/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * p2v_sha256.h --- SHA-256 for OVA manifests (p2v_sha256.c)
 */
#ifndef DUALVM_P2V_SHA256_H
#define DUALVM_P2V_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct p2v_sha256 {
	uint32_t	h[8];		/* chaining state */
	uint64_t	len;		/* bytes hashed */
	uint8_t		buf[64];	/* partial block */
	size_t		n;		/* bytes in buf */
};

void p2v_sha256_init(struct p2v_sha256 *s);
void p2v_sha256_update(struct p2v_sha256 *s, const void *data, size_t len);
/* Finish and write 64 lower-case hex digits + NUL. */
void p2v_sha256_hex(struct p2v_sha256 *s, char out[65]);
/* Hash a whole file.  0 or -errno. */
int p2v_sha256_file(const char *path, char out[65]);

#endif
