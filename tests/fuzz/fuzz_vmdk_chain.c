// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vmdk_chain.c --- multi-file VMDK: a descriptor "a" and the extent
 * files "b", "c", "d" it may name (monolithicFlat, twoGbMaxExtentSparse,
 * vmfs, raw-disk descriptors), opened through rd_image_open() the way
 * `disk info`, `inspect` and `p2v` open them.  Extents naming themselves,
 * each other or anything outside the set must fail cleanly.
 */
#include "tests/fuzz/fuzz_chain.h"

static int open_image(const char *path, struct rd_disk **d, char *err,
		      size_t errlen)
{
	return rd_image_open(path, RD_RDONLY, d, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_chain(data, size, open_image);
}
