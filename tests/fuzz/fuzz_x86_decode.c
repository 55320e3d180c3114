// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_x86_decode.c --- fuzz the x86 decoder with random instruction bytes
 *
 * Decodes the input at every offset in 16- and 32-bit mode and checks the
 * decoder's invariants: a decoded length is 1..15 and within the bytes
 * given; giving more bytes never changes the result; giving fewer than the
 * length yields X86_DEC_MORE; fields are in range.  Aborts on a violation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/x86/x86.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *p, size_t avail, unsigned int mode)
{
	struct x86_insn a, b;
	uint8_t buf[X86_MAX_INSN_LEN + 1];
	int r, r2;

	r = x86_decode(p, avail, mode, &a);
	if (r < X86_DEC_OK || r > X86_DEC_MORE)
		abort();
	if (r == X86_DEC_MORE && avail >= X86_MAX_INSN_LEN)
		abort();
	if (r != X86_DEC_OK)
		return;
	if (a.len < 1 || a.len > X86_MAX_INSN_LEN || a.len > avail)
		abort();
	if (a.opsize != 2 && a.opsize != 4)
		abort();
	if (a.reg > 7 || a.rm > 7 || a.scale > 3 || a.op > 0x1ff)
		abort();
	if ((a.base > 7 && a.base != X86_REG_NONE) ||
	    (a.index > 7 && a.index != X86_REG_NONE))
		abort();
	/* exactly len bytes (copied, so nothing beyond is readable) */
	memcpy(buf, p, a.len);
	r2 = x86_decode(buf, a.len, mode, &b);
	if (r2 != X86_DEC_OK || memcmp(&a, &b, sizeof(a)))
		abort();
	if (x86_decode(buf, a.len - 1u, mode, &b) != X86_DEC_MORE)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off;

	for (off = 0; off < size; off++) {
		size_t avail = size - off;

		check(data + off, avail, 0);
		check(data + off, avail, X86_DMODE_CODE32);
	}
	return 0;
}
