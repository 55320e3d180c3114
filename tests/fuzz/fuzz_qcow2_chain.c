// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_qcow2_chain.c --- multi-file qcow2: an overlay "a" and the backing
 * files "b", "c", "d" its header may name (qcow2, raw, VMDK), opened
 * read-only with the backing chain followed by the opener itself, then
 * read across the whole virtual disk.  Loops, missing and out-of-set
 * backing files must fail cleanly.
 */
#include "tests/fuzz/fuzz_chain.h"

static int open_qcow2(const char *path, struct rd_disk **d, char *err,
		      size_t errlen)
{
	return rd_qcow2_open(path, RD_RDONLY, NULL, d, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_chain(data, size, open_qcow2);
}
