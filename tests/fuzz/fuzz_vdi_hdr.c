// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vdi_hdr.c --- the VDI reader's header and table parsing on arbitrary
 * bytes (see fuzz_image.h).
 */
#include "tests/fuzz/fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_image_reader(data, size, rd_vdi_open);
}
