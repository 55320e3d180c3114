// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vmdk_desc.c --- VMDK text descriptors (raw-disk descriptors
 * included): rd_vmdk_desc_scan() and the descriptor reader behind
 * rd_image_open() on arbitrary text.  Extent files are resolved in a
 * directory that does not exist, so no real file is ever opened; inputs
 * naming absolute paths are skipped for the same reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/fmt_vmdk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd_vmdk_flat ext[8];
	struct rd_disk *m, *d;
	uint64_t total;
	char type[64];
	int n, i;

	n = rd_vmdk_desc_scan((const char *)data, size, type, sizeof(type),
			      ext, 8, &total);
	if (n < -4095)
		abort();
	for (i = 0; i < n && i < 8; i++)
		if (ext[i].vstart + ext[i].size > total || !ext[i].size)
			abort();
	if (memmem(data, size, "\"/", 2) || memmem(data, size, "\"~", 2))
		return 0;
	if (rd_mem_open(data, size, RD_RDONLY, &m))
		return 0;
	if (vmdk_desc_open(m, "/nonexistent-dualvm-fuzz/x.vmdk", &d) == 0)
		rd_close(d);
	else
		rd_close(m);
	return 0;
}
