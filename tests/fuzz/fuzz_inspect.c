// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_inspect.c --- `dualvm inspect` on arbitrary disk contents: the
 * partition table, libblkid, the ext2/3/4 and NTFS readers and every
 * parser behind them (os-release, fstab, kernel and initramfs lists,
 * registry hives).  A report or an error; never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "hwprofile/hwprofile.h"
#include "rawdisk/rawdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwp_report *r;
	struct rd_disk *d;
	char err[256];

	if (rd_mem_open(data, size, RD_RDONLY, &d))
		return 0;
	if (!hwp_inspect(d, "fuzz", 0, &r, err, sizeof(err)))
		hwp_report_free(r);
	rd_close(d);
	return 0;
}
