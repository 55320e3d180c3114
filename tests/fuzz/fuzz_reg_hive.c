// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_reg_hive.c --- the registry paths of hwprofile on hostile hives:
 * inspection (hwp_win_read_hives) and the SYSTEM-hive storage edits
 * (hwp_hive_inject_mem) for every Windows generation.  Corrupt hives must
 * give an error, never a crash; an edited hive must open again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile/hwp_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum hwp_win_gen gens[] = {
		HWP_WIN_UNKNOWN, HWP_WIN_XP, HWP_WIN_VISTA7, HWP_WIN_8PLUS,
	};
	struct hwp_inject_report *rep = calloc(1, sizeof(*rep));
	struct hwp_windows *w = calloc(1, sizeof(*w));
	char err[256];

	if (!rep || !w)
		abort();
	hwp_win_read_hives(data, size, data, size, w, err, sizeof(err));
	for (unsigned int i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		void *out = NULL;
		size_t outlen = 0;
		hive_h *h;

		memset(rep, 0, sizeof(*rep));
		if (hwp_hive_inject_mem(data, size, gens[i], &out, &outlen, rep,
					err, sizeof(err)) || !out)
			continue;
		if (hwp_hive_open_mem(out, outlen, false, &h, NULL))
			abort();	/* we wrote a hive hivex cannot read */
		hivex_close(h);
		free(out);
	}
	free(w);
	free(rep);
	return 0;
}
