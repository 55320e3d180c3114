// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_p2v_plan.c --- the p2v planner on arbitrary disk contents: the
 * partition table, libblkid, the ext2/3/4 and NTFS bitmap readers and
 * their cross-checks against inodes and $MFT records (p2v_fs.c,
 * p2v_xcheck.c).  A plan must come back with sorted, disjoint extents
 * inside the disk, or an error; never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "p2v/p2v.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2v_plan *p;
	struct rd_disk *d;
	char err[256];

	if (rd_mem_open(data, size, RD_RDONLY, &d))
		return 0;
	if (!p2v_plan_make(d, NULL, &p, err, sizeof(err))) {
		uint64_t end = 0;

		for (size_t i = 0; i < p->next; i++) {
			if (p->ext[i].off < end ||
			    p->ext[i].off + p->ext[i].len > rd_size(d))
				abort();
			end = p->ext[i].off + p->ext[i].len;
		}
		p2v_plan_free(p);
	}
	rd_close(d);
	return 0;
}
