// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_part_table.c --- the MBR/GPT reader on arbitrary disk contents:
 * corrupt tables must give -EINVAL (or an empty table), never a crash, and
 * every partition returned must lie on the disk; a partition view built on
 * the table (MBR/GPT synthesis) must read back without a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rawdisk/rawdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd_part_table *t = malloc(sizeof(*t));
	struct rd_disk *d;
	unsigned int i;
	int err;

	if (!t)
		return 0;
	if (rd_mem_open(data, size, RD_RDONLY, &d)) {
		free(t);
		return 0;
	}
	err = rd_part_table_read(d, t);
	if (err && err != -EINVAL && err != -ENOMEM)
		abort();
	for (i = 0; !err && i < t->n; i++)
		if (t->part[i].start > size ||
		    t->part[i].size > size - t->part[i].start)
			abort();
	if (!err && t->n) {	/* the private table synthesis, too */
		struct rd_disk *v;
		char num[16], msg[256];
		uint8_t sec[512];

		snprintf(num, sizeof(num), "%u", t->part[0].number);
		if (!rd_view_open(d, false, num, &v, msg, sizeof(msg))) {
			if (size >= 512 && rd_pread(v, sec, 512, 0))
				abort();
			if (rd_part_table_read(v, t) && !rd_strerror(v)[0])
				abort();
			rd_close(v);
		}
	}
	rd_close(d);
	free(t);
	return 0;
}
