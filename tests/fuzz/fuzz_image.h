/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_image.h --- the body shared by the image-reader fuzz harnesses
 *
 * Arbitrary bytes become an in-memory disk; the reader under test must
 * refuse it cleanly (-EINVAL/-ENOTSUP) or give a disk whose reads and
 * block_status stay in bounds; never a crash.
 */
#ifndef DUALVM_FUZZ_IMAGE_H
#define DUALVM_FUZZ_IMAGE_H

#include <stdint.h>
#include <stdlib.h>

#include "rawdisk/fmt_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Open @data with @open_fn and read across the whole result. */
static inline int fuzz_image_reader(const uint8_t *data, size_t size,
				    int (*open_fn)(struct rd_disk *f,
						   struct rd_disk **d))
{
	struct rd_disk *f, *d;
	uint8_t buf[4096];
	uint64_t run;

	if (rd_mem_open(data, size, RD_RDONLY, &f))
		return 0;
	if (open_fn(f, &d)) {
		rd_close(f);
		return 0;
	}
	for (uint64_t off = 0; off < rd_size(d); off += 1 + rd_size(d) / 7) {
		size_t n = rd_size(d) - off < sizeof(buf) ?
			   (size_t)(rd_size(d) - off) : sizeof(buf);

		if (rd_pread(d, buf, n, off))
			break;
		(void)rd_block_status(d, off, n, &run);
	}
	rd_close(d);
	return 0;
}

#endif
