/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pflash.h --- CFI parallel NOR flash, Intel/Sharp command set, x8
 *
 * The firmware flash of a UEFI PC: OVMF's code and its variable store
 * sit at the top of 4 GiB, and OVMF's variable driver programs the store
 * with the Intel "basic command set" (CFI primary vendor 0x0001): 0x10 or
 * 0x40 then the byte programs one byte (bits only go 1 -> 0, as in the
 * cell), 0x20 then 0xD0 erases a block to 0xFF, 0x70 reads the status
 * register, 0x50 clears it, 0x98 enters the CFI query, 0x90 the
 * identifier codes, 0xFF returns to reading the array.  Operations
 * complete at once: after one, the status register has SR.7 (ready) set
 * and reads return it until 0xFF; after Clear Status it reads 0x00 (what
 * OVMF's flash probe expects).  A 0x20 not followed by 0xD0 is a command
 * sequence error (SR.5 | SR.4).
 *
 * A read-only device (the firmware code) behaves as a ROM: every write is
 * refused (counted, see pflash_refused()) and reads always come from the
 * array, so an engine may map its pages directly.
 */
#ifndef DUALVM_DEVICES_PFLASH_H
#define DUALVM_DEVICES_PFLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

/* Status register bits */
#define PFLASH_SR_READY		0x80	/* SR.7 write state machine ready */
#define PFLASH_SR_ERASE_ERR	0x20	/* SR.5 erase (or sequence) error */
#define PFLASH_SR_PROG_ERR	0x10	/* SR.4 program (or sequence) error */
#define PFLASH_SR_LOCKED	0x02	/* SR.1 block locked */

#define PFLASH_MFR_INTEL	0x89	/* identifier code at offset 0 */
#define PFLASH_DEV_ID		0x18	/* device code at offset 1 */

/* dev_cfg.priv of pflash_dev (required). */
struct pflash_cfg {
	uint64_t	base;		/* guest-physical address of byte 0 */
	uint8_t		*data;		/* the array, @size bytes, borrowed:
					 * program/erase write it in place */
	uint64_t	size;		/* a multiple of block_size */
	uint32_t	block_size;	/* erase block, a power of two >= 256 */
	bool		readonly;	/* a ROM: writes refused */
};

struct pflash;

/*
 * dev_create(&pflash_dev): the array mapped at pflash_cfg.base on
 * env->mmio, in read-array mode; reset() returns to it and clears the
 * status register.  -EINVAL for a bad geometry.
 */
extern const struct dev_ops pflash_dev;

/* Writes a read-only device refused since creation. */
uint64_t pflash_refused(const struct pflash *p);
/* Program or erase operations done since creation (the board syncs the
 * backing file when this moved). */
uint64_t pflash_writes(const struct pflash *p);

#endif
