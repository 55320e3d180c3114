// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vmdk_hdr.c --- the VMDK reader's header and table parsing on arbitrary
 * bytes (see fuzz_image.h).
 */
#include "tests/fuzz/fuzz_image.h"

/* A sparse VMDK without a descriptor file beside it. */
static int vmdk_open_nameless(struct rd_disk *f, struct rd_disk **d)
{
	return rd_vmdk_open(f, "/nonexistent/fuzz.vmdk", d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_image_reader(data, size, vmdk_open_nameless);
}
