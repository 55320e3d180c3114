/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * block.h --- asynchronous block devices (part of hw/hw.h)
 *
 * A disk controller (devices/ide_*.c) reaches its medium through a struct
 * blk: a size, a read-only flag and a const blk_ops back end.  It never
 * waits for the disk: it submits a struct blk_req and carries on; the back
 * end calls the request's done() later, on the vCPU/run-loop thread (the
 * thread that owns the devices), never on a thread of its own.  So a guest
 * keeps running its timers and its display while a slow physical disk
 * answers.  Back ends: vmm/blk_rd.c (a rawdisk disk served by an I/O
 * thread, completions handed to the run loop) and synchronous ones in the
 * unit tests and fuzzers.
 *
 * Ordering, per blk: requests are executed and completed in submission
 * order.  A READ sees every WRITE submitted before it; a FLUSH completes
 * only after every WRITE submitted before it is on the disk and flushed
 * (the rawdisk flush: fsync, qcow2 metadata); a request is never reordered
 * before a FLUSH submitted earlier.  Nothing is ordered across two blks.
 * A WRITE completes only when the back end's write returned, so what the
 * guest was told is written survives the process being killed exactly as
 * with synchronous writes.
 *
 * Ownership: from blk_submit() until done() runs, the request and its
 * buffer belong to the back end; the submitter must not touch, reuse or
 * free them.  done() may run before blk_submit() returns (a synchronous
 * back end), so the submitter must not touch the request after submitting
 * it.  Before reusing a buffer at reset, or freeing it, a device calls
 * blk_drain(): it returns once every request submitted to the blk has
 * completed and its done() has run.
 */
#ifndef DUALVM_HW_BLOCK_H
#define DUALVM_HW_BLOCK_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum blk_op {
	BLK_READ,	/* len bytes at off into buf */
	BLK_WRITE,	/* len bytes of buf at off */
	BLK_FLUSH,	/* everything written so far reaches stable storage */
};

struct blk_req {
	enum blk_op	op;		/* what to do */
	uint64_t	off;		/* bytes from the disk start (R/W) */
	void		*buf;		/* the data (R/W); the back end's until
					 * done() */
	size_t		len;		/* bytes (R/W) */
	/* Completion: @ret 0 or -errno (-EINVAL past the end, -EROFS, -EIO,
	 * ...).  Runs on the vCPU/run-loop thread; may submit again. */
	void		(*done)(struct blk_req *req, int ret);
	void		*opaque;	/* for done(); the back end ignores it */
	int		ret;		/* back end: the result until done() */
	struct blk_req	*next;		/* back end: queue link */
};

struct blk_ops {
	const char	*name;		/* "rawdisk", "sync", ... */
	/* Queue @req (see the ordering and ownership rules above). */
	void	(*submit)(void *be, struct blk_req *req);
	/* Wait until every request submitted so far has completed and run
	 * its done(), including requests those done() submitted.  vCPU
	 * thread; may block for as long as the disk takes. */
	void	(*drain)(void *be);
};

struct blk {
	const struct blk_ops	*ops;		/* the back end */
	void			*be;		/* its state */
	uint64_t		size;		/* bytes, fixed */
	bool			read_only;	/* writes complete with -EROFS */
};

/* Submit @req to @b.  @req->done must be set. */
static inline void blk_submit(struct blk *b, struct blk_req *req)
{
	assert(req->done);
	b->ops->submit(b->be, req);
}

/* Wait for everything submitted to @b (NULL: nothing to wait for). */
static inline void blk_drain(struct blk *b)
{
	if (b && b->ops->drain)
		b->ops->drain(b->be);
}

#endif
