/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iospace.h --- one port-I/O or MMIO address space (part of hw/hw.h)
 *
 * A VM owns two of these: the 64 KiB port space and the MMIO space.  Devices
 * register ranges with a const io_ops table and an opaque pointer; every CPU
 * engine (interpreter, binary translator, KVM exit handler) dispatches guest
 * accesses through iospace_read()/iospace_write().  Ranges never overlap:
 * registration rejects overlaps with -EEXIST, as Firecracker's bus.rs does.
 * Unclaimed reads return all ones; the first access to each unclaimed address
 * is counted (and reported once to a logger, if set), never fatal.
 *
 * Access widths are declared once, on the io_ops of each range (TinyEMU's
 * DEVIO_SIZE flags, the ISA bus's IOCS16#): the dispatcher splits a wider
 * access into accepted pieces and serves a narrower read from one accepted
 * access, so no device splits or combines bytes itself.
 */
#ifndef DUALVM_HW_IOSPACE_H
#define DUALVM_HW_IOSPACE_H

#include <stdbool.h>
#include <stdint.h>

/* Access widths a range accepts (io_ops.widths). */
#define IO_W8		0x1
#define IO_W16		0x2
#define IO_W32		0x4
#define IO_W64		0x8
#define IO_WANY		(IO_W8 | IO_W16 | IO_W32 | IO_W64)

/*
 * What a device implements per I/O region.  @off is relative to the region
 * base; @size is one of the widths the table declares.  Callbacks run on the
 * vCPU thread.
 *
 * Dispatch rules for an access of @size bytes at an address inside a range:
 *  - @size accepted and the access ends inside the range (or the range is
 *    a .spill range): one call with the whole access;
 *  - otherwise, wider than the narrowest accepted width: split into pieces
 *    of that narrowest width (bytes where it does not fit), in ascending
 *    address order; each piece is dispatched again, so it may reach a
 *    neighbouring range or be unclaimed;
 *  - narrower than every accepted width: a read is served by one access of
 *    the narrowest accepted width at the aligned offset, shifted; a write is
 *    dropped (such ranges are read-only registers, e.g. a counter).
 * Without .spill the dispatcher guarantees off + size <= region length.
 */
struct io_ops {
	uint64_t (*read)(void *opaque, uint64_t off, unsigned int size);
	void	 (*write)(void *opaque, uint64_t off, uint64_t val,
			  unsigned int size);
	unsigned int	widths;		/* IO_W* taken whole; 0: IO_WANY */
	bool		spill;		/* an accepted access starting here is
					 * taken whole even past the end (the
					 * IDE data port's IOCS16#/32) */
};

struct iospace;

/* Create an empty space named @name ("pio", "mmio").  0 or -ENOMEM. */
int __attribute__((warn_unused_result))
iospace_create(const char *name, struct iospace **out);
void iospace_destroy(struct iospace *sp);

/*
 * Claim [base, base + len) for @ops/@opaque.  Returns 0, -EINVAL (len 0,
 * wrap-around, no ops or an ops table declaring no valid width), -EEXIST
 * (overlaps an existing range) or -ENOMEM.
 */
int __attribute__((warn_unused_result))
iospace_map(struct iospace *sp, uint64_t base, uint64_t len,
	    const struct io_ops *ops, void *opaque);

/* Release the range starting at @base.  0 or -ENOENT. */
int iospace_unmap(struct iospace *sp, uint64_t base);

/* One range of a device's fixed register set, for iospace_map_set(). */
struct io_range {
	uint64_t		base;	/* first address */
	uint64_t		len;	/* bytes, > 0 */
	const struct io_ops	*ops;	/* its callbacks */
};

/*
 * Map the @n ranges of @set, each at its base + @shift (a relocated
 * register set), all with @opaque: all of them or none (on an error the
 * ones already mapped are unmapped again).  0 or iospace_map()'s error.
 * iospace_unmap_set() releases them (a range not mapped is skipped).
 */
int __attribute__((warn_unused_result))
iospace_map_set(struct iospace *sp, const struct io_range *set,
		unsigned int n, uint64_t shift, void *opaque);
void iospace_unmap_set(struct iospace *sp, const struct io_range *set,
		       unsigned int n, uint64_t shift);

/* True when some device claims @addr. */
bool iospace_claimed(struct iospace *sp, uint64_t addr);

/*
 * Dispatch one guest access of 1, 2, 4 or 8 bytes (others: ignored, reads
 * all ones) by the rules above.  Unclaimed bytes read as 0xff.
 */
uint64_t iospace_read(struct iospace *sp, uint64_t addr, unsigned int size);
void iospace_write(struct iospace *sp, uint64_t addr, uint64_t val,
		   unsigned int size);

/* Bytes accessed so far that no device claims (for tests and stats); an
 * access none of whose bytes is claimed counts (and is logged) once. */
uint64_t iospace_unclaimed_count(const struct iospace *sp);

/* Report each unclaimed address once (the first 64) as one line, without
 * a newline, to @fn; NULL (the default) counts them silently. */
void iospace_set_logger(struct iospace *sp,
			void (*fn)(void *opaque, const char *line),
			void *opaque);

#endif
