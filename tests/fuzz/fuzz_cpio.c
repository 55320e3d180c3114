// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_cpio.c --- the initramfs reader: format/early-cpio detection, the
 * libarchive unpack with its size limits, and a repack of what was read.
 */
#include <stdint.h>
#include <stdlib.h>

#include "hwprofile/hwp_cpio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwp_cpio c;
	size_t prefix, outlen;
	void *out;

	hwp_initrd_format(data, size, &prefix);
	if (prefix > size)
		abort();
	if (hwp_cpio_read(data + prefix, size - prefix, &c))
		return 0;
	hwp_cpio_find(&c, "conf/modules");
	if (!hwp_cpio_write(&c, "none", data, prefix, &out, &outlen)) {
		struct hwp_cpio again;
		size_t p2;

		/* what we write must read back with the same entry count */
		hwp_initrd_format(out, outlen, &p2);
		if (!hwp_cpio_read((uint8_t *)out + p2, outlen - p2, &again)) {
			if (again.n != c.n)
				abort();
			hwp_cpio_free(&again);
		}
		free(out);
	}
	hwp_cpio_free(&c);
	return 0;
}
