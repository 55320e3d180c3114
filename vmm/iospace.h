/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iospace.h --- one port-I/O or MMIO address space
 *
 * A VM owns two of these: the 64 KiB port space and the MMIO space.  Devices
 * register ranges with a const io_ops table and an opaque pointer; every CPU
 * engine (interpreter, binary translator, KVM exit handler) dispatches guest
 * accesses through iospace_read()/iospace_write().  Ranges never overlap:
 * registration rejects overlaps with -EEXIST, as Firecracker's bus.rs does.
 * Unclaimed reads return all ones; the first access to each unclaimed address
 * is logged (rate-limited), never fatal.
 */
#ifndef DUALVM_IOSPACE_H
#define DUALVM_IOSPACE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What a device implements per I/O region.  @off is relative to the region
 * base; @size is 1, 2, 4 or 8.  Callbacks run on the vCPU thread.  A device
 * must bounds-check @off itself only if it registered a region larger than the
 * registers it decodes; the dispatcher guarantees off + size <= region length.
 */
struct io_ops {
	uint64_t (*read)(void *opaque, uint64_t off, unsigned int size);
	void	 (*write)(void *opaque, uint64_t off, uint64_t val,
			  unsigned int size);
};

struct iospace;

/* Create an empty space named @name ("pio", "mmio").  0 or -ENOMEM. */
int __attribute__((warn_unused_result))
iospace_create(const char *name, struct iospace **out);
void iospace_destroy(struct iospace *sp);

/*
 * Claim [base, base + len) for @ops/@opaque.  Returns 0, -EINVAL (len 0 or
 * wrap-around), -EEXIST (overlaps an existing range) or -ENOMEM.
 */
int __attribute__((warn_unused_result))
iospace_map(struct iospace *sp, uint64_t base, uint64_t len,
	    const struct io_ops *ops, void *opaque);

/* Release the range starting at @base.  0 or -ENOENT. */
int iospace_unmap(struct iospace *sp, uint64_t base);

/* True when some device claims @addr. */
bool iospace_claimed(struct iospace *sp, uint64_t addr);

/*
 * Dispatch one guest access.  An access that straddles the end of a range is
 * split into byte accesses.  Unclaimed bytes read as 0xff.
 */
uint64_t iospace_read(struct iospace *sp, uint64_t addr, unsigned int size);
void iospace_write(struct iospace *sp, uint64_t addr, uint64_t val,
		   unsigned int size);

/* Bytes accessed so far that no device claims (for tests and stats); an
 * access none of whose bytes is claimed is logged once, as one access. */
uint64_t iospace_unclaimed_count(const struct iospace *sp);

/* Silence (false) or enable (true, the default) the unclaimed-access log. */
void iospace_set_logging(struct iospace *sp, bool on);

#endif
