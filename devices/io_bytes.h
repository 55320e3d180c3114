/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io_bytes.h --- split a multi-byte port access into byte accesses
 *
 * ISA devices decode byte registers; a guest doing `outw 0x70` (index then
 * data) or `inw 0x4d0` (both ELCR bytes) addresses consecutive registers.
 * The dispatcher guarantees off + size stays inside the device's range.
 */
#ifndef DUALVM_DEVICES_IO_BYTES_H
#define DUALVM_DEVICES_IO_BYTES_H

#include <stdint.h>

static inline uint64_t
io_bytes_read(uint64_t (*rd)(void *opaque, uint64_t off, unsigned int size),
	      void *opaque, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size && i < 8; i++)
		v |= (rd(opaque, off + i, 1) & 0xff) << (8 * i);
	return v;
}

static inline void
io_bytes_write(void (*wr)(void *opaque, uint64_t off, uint64_t val,
			  unsigned int size),
	       void *opaque, uint64_t off, uint64_t val, unsigned int size)
{
	for (unsigned int i = 0; i < size && i < 8; i++)
		wr(opaque, off + i, (val >> (8 * i)) & 0xff, 1);
}

#endif
