/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blk_rd.h --- a rawdisk disk as an asynchronous block device (private to
 * vmm/)
 *
 * Wires a struct rd_disk into the board's block interface (hw/block.h):
 * one I/O thread per disk runs rd_pread/rd_pwrite/rd_flush in submission
 * order, finished requests wait on a completion list, and the run loop
 * (vm.c) runs their done() on its own thread with blk_rd_complete().
 * The notify callback tells the run loop that completions are waiting: it
 * runs on the I/O thread and must be async-signal-safe in spirit (write to
 * an eventfd, kick the engine).
 *
 * Threading: blk_rd_create/complete/destroy and the blk's submit/drain are
 * called on the run-loop (vCPU) thread only; the disk is touched only by
 * the I/O thread between create and destroy.
 */
#ifndef DUALVM_VMM_BLK_RD_H
#define DUALVM_VMM_BLK_RD_H

#include <stdbool.h>

#include "hw/hw.h"

struct rd_disk;
struct blk_rd;

/*
 * Serve @disk (borrowed: it must outlive the blk_rd) through a new I/O
 * thread; writes complete with -EROFS when @read_only.  @notify(@opaque)
 * runs on the I/O thread after each request finishes (may be NULL).
 * 0, -ENOMEM or the pthread error.
 */
int __attribute__((warn_unused_result))
blk_rd_create(struct rd_disk *disk, bool read_only,
	      void (*notify)(void *opaque), void *opaque, struct blk_rd **out);

/* The block device to hand to the board; valid until blk_rd_destroy(). */
struct blk *blk_rd_blk(struct blk_rd *b);

/* Run done() for every request that finished so far; returns how many. */
unsigned int blk_rd_complete(struct blk_rd *b);

/* Stop and join the I/O thread and free.  Every request must have
 * completed and run its done() before (the devices drained when they were
 * destroyed).  The disk stays open.  NULL is fine. */
void blk_rd_destroy(struct blk_rd *b);

#endif
