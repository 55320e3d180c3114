// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vhd_footer.c --- the VHD reader's header and table parsing on
 * arbitrary bytes: open must fail cleanly (-EINVAL/-ENOTSUP) or give a disk
 * whose reads and block_status stay in bounds; never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rawdisk/fmt_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd_disk *f, *d;
	uint8_t buf[4096];
	uint64_t run;

	if (rd_mem_open(data, size, RD_RDONLY, &f))
		return 0;
	if (rd_vhd_open(f, &d)) {
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
