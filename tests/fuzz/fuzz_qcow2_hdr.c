// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_qcow2_hdr.c --- the qcow2 reader on arbitrary image bytes: header,
 * extensions, L1/L2 and refcount tables are hostile.  Corrupt input must
 * give an -EINVAL/-ENOTSUP-style error, never a crash; a read-write open
 * (dirty-bit repair, copy-on-write into a fixed-size memory file) must not
 * crash either.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "rawdisk/rawdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const uint8_t *data, size_t size, unsigned int flags)
{
	struct rd_disk *file, *back, *q;
	uint8_t buf[4096] = { 0 };
	uint64_t run, off;
	char err[256];
	int i;

	if (rd_mem_open(data, size, flags, &file))
		return;
	if (rd_mem_open(NULL, 65536, RD_RDONLY, &back)) {
		rd_close(file);
		return;
	}
	if (rd_qcow2_open_disk(file, flags, back, true, &q, err, sizeof(err)))
		return;
	for (i = 0, off = 0; i < 4 && off < rd_size(q); i++) {
		size_t n = rd_size(q) - off < sizeof(buf) ?
			   (size_t)(rd_size(q) - off) : sizeof(buf);

		if (rd_pread(q, buf, n, off) && !rd_strerror(q)[0])
			abort();	/* every error carries a reason */
		(void)rd_block_status(q, off, n, &run);
		if ((flags & RD_RDWR) &&
		    rd_pwrite(q, buf, n < 512 ? n : 512, off) &&
		    !rd_strerror(q)[0])
			abort();
		off = off * 7 + 65536 * (uint64_t)(i + 1);
	}
	rd_close(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	exercise(data, size, RD_RDONLY);
	exercise(data, size, RD_RDWR);
	return 0;
}
