/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blk_fixture.h --- block back ends (hw/block.h) for device tests and
 * fuzzers, over a rawdisk disk
 *
 * By default a request runs and completes inside blk_submit(), so a test
 * sees a command's result right after the port access that started it,
 * as the device's old synchronous disk code did.  With @hold set, requests
 * wait until the test completes them with fix_blk_run(): the test can look
 * at BSY, DRQ, the IRQ and the bus-master bits while a request is in
 * flight, reset the device meanwhile, or check the order of requests.
 * Single-threaded; drain() completes everything held, in order.
 */
#ifndef DUALVM_TESTS_BLK_FIXTURE_H
#define DUALVM_TESTS_BLK_FIXTURE_H

#include <errno.h>
#include <stdbool.h>

#include "hw/hw.h"
#include "rawdisk/rawdisk.h"

#define FIX_BLK_LOG	64

struct fix_blk {
	struct blk	blk;		/* handed to the device */
	struct rd_disk	*disk;		/* where requests go */
	bool		hold;		/* keep requests until fix_blk_run() */
	struct blk_req	*head, *tail;	/* held requests, in order */
	unsigned int	held;		/* requests in the list */
	unsigned int	submitted;	/* requests so far */
	unsigned int	completed;	/* done() calls so far */
	unsigned int	drains;		/* drain() calls so far */
	enum blk_op	log[FIX_BLK_LOG];	/* ops in execution order */
	unsigned int	nlog;		/* entries of log[] (may exceed) */
};

static inline void fix_blk_exec(struct fix_blk *b, struct blk_req *r)
{
	int ret = -EINVAL;

	if (b->nlog < FIX_BLK_LOG)
		b->log[b->nlog] = r->op;
	b->nlog++;
	switch (r->op) {
	case BLK_READ:
		ret = rd_pread(b->disk, r->buf, r->len, r->off);
		break;
	case BLK_WRITE:
		ret = b->blk.read_only ? -EROFS :
		      rd_pwrite(b->disk, r->buf, r->len, r->off);
		break;
	case BLK_FLUSH:
		ret = rd_flush(b->disk);
		break;
	}
	b->completed++;
	r->done(r, ret);		/* may submit again */
}

/* Complete up to @max held requests in submission order; how many. */
static inline unsigned int fix_blk_run(struct fix_blk *b, unsigned int max)
{
	unsigned int n = 0;
	struct blk_req *r;

	while (n < max && (r = b->head)) {
		b->head = r->next;
		if (!b->head)
			b->tail = NULL;
		b->held--;
		n++;
		fix_blk_exec(b, r);
	}
	return n;
}

static inline void fix_blk_submit(void *be, struct blk_req *r)
{
	struct fix_blk *b = be;

	b->submitted++;
	if (!b->hold) {
		fix_blk_exec(b, r);
		return;
	}
	r->next = NULL;
	if (b->tail)
		b->tail->next = r;
	else
		b->head = r;
	b->tail = r;
	b->held++;
}

static inline void fix_blk_drain(void *be)
{
	struct fix_blk *b = be;

	b->drains++;
	while (fix_blk_run(b, ~0u))
		;
}

static const struct blk_ops fix_blk_ops = {
	.name	= "test",
	.submit	= fix_blk_submit,
	.drain	= fix_blk_drain,
};

/* @b over @disk (NULL: no block device, returns NULL). */
static inline struct blk *fix_blk_init(struct fix_blk *b, struct rd_disk *disk,
				       bool read_only)
{
	*b = (struct fix_blk){ .disk = disk };
	if (!disk)
		return NULL;
	b->blk = (struct blk){ .ops = &fix_blk_ops, .be = b,
			       .size = rd_size(disk), .read_only = read_only };
	return &b->blk;
}

#endif
