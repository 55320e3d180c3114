/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_chain.h --- the body of the multi-file image harnesses: open file
 * "a" of a fuzz_files.h set with @open_fn and read across the result
 * (reads and block_status in bounds, never a crash, never a host file).
 */
#ifndef DUALVM_FUZZ_CHAIN_H
#define DUALVM_FUZZ_CHAIN_H

#include <stdint.h>
#include <stdlib.h>

#include "rawdisk/rawdisk.h"
#include "tests/fuzz/fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_chain_read(struct rd_disk *d)
{
	uint8_t buf[4096];
	uint64_t run;

	for (uint64_t off = 0; off < rd_size(d); off += 1 + rd_size(d) / 7) {
		size_t n = rd_size(d) - off < sizeof(buf) ?
			   (size_t)(rd_size(d) - off) : sizeof(buf);

		if (rd_pread(d, buf, n, off))
			break;
		if (rd_block_status(d, off, n, &run) < 0)
			continue;
		if (run == 0 || run > rd_size(d) - off)
			abort();
	}
}

static inline int fuzz_chain(const uint8_t *data, size_t size,
			     int (*open_fn)(const char *path,
					    struct rd_disk **d, char *err,
					    size_t errlen))
{
	struct rd_disk *d;
	char path[300], err[256];

	if (fuzz_files_load(data, size, path, sizeof(path)))
		return 0;
	if (!open_fn(path, &d, err, sizeof(err))) {
		fuzz_chain_read(d);
		rd_close(d);
	}
	fuzz_files_done();
	return 0;
}

#endif
