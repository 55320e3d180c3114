// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk_rd.c --- a rawdisk disk served by an I/O thread (hw/block.h back end)
 *
 * Requests wait in a FIFO; the disk's one I/O thread takes them in order
 * and runs rd_pread/rd_pwrite/rd_flush, so the per-disk ordering of
 * hw/block.h (FIFO, a flush after every earlier write) holds without any
 * further bookkeeping.  A finished request moves to the completion FIFO and
 * the run loop is notified; blk_rd_complete() then runs the done()
 * callbacks on the run-loop thread, in order.  drain() waits on a
 * condition variable until the disk is idle, then completes.  One mutex
 * guards both FIFOs and the flags; done() callbacks run without it, so
 * they may submit again.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "rawdisk/rawdisk.h"
#include "vmm/blk_rd.h"

/* A FIFO of requests linked through blk_req.next. */
struct blk_fifo {
	struct blk_req	*head;		/* next out, NULL when empty */
	struct blk_req	*tail;		/* last in */
};

struct blk_rd {
	struct blk	blk;		/* what the board sees */
	struct rd_disk	*disk;		/* borrowed; I/O thread only */
	void		(*notify)(void *opaque);	/* work finished */
	void		*opaque;	/* for notify */
	pthread_t	thread;		/* the I/O thread */
	pthread_mutex_t	lock;		/* guards everything below */
	pthread_cond_t	work;		/* queue non-empty or stop */
	pthread_cond_t	idle;		/* a request finished */
	struct blk_fifo	queue;		/* submitted, not started */
	struct blk_fifo	finished;	/* done, done() not yet run */
	bool		busy;		/* the thread runs a request */
	bool		stop;		/* the thread must exit */
};

static void fifo_push(struct blk_fifo *f, struct blk_req *r)
{
	r->next = NULL;
	if (f->tail)
		f->tail->next = r;
	else
		f->head = r;
	f->tail = r;
}

static struct blk_req *fifo_pop(struct blk_fifo *f)
{
	struct blk_req *r = f->head;

	if (r) {
		f->head = r->next;
		if (!f->head)
			f->tail = NULL;
	}
	return r;
}

static int blk_rd_exec(struct blk_rd *b, struct blk_req *r)
{
	switch (r->op) {
	case BLK_READ:
		return rd_pread(b->disk, r->buf, r->len, r->off);
	case BLK_WRITE:
		if (b->blk.read_only)
			return -EROFS;
		return rd_pwrite(b->disk, r->buf, r->len, r->off);
	case BLK_FLUSH:
		return rd_flush(b->disk);
	}
	return -EINVAL;
}

static void *blk_rd_thread(void *opaque)
{
	struct blk_rd *b = opaque;
	struct blk_req *r;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->queue.head && !b->stop)
			pthread_cond_wait(&b->work, &b->lock);
		r = fifo_pop(&b->queue);
		if (!r)
			break;			/* stop, and nothing queued */
		b->busy = true;
		pthread_mutex_unlock(&b->lock);
		r->ret = blk_rd_exec(b, r);
		pthread_mutex_lock(&b->lock);
		fifo_push(&b->finished, r);
		b->busy = false;
		pthread_cond_broadcast(&b->idle);
		if (b->notify) {
			pthread_mutex_unlock(&b->lock);
			b->notify(b->opaque);
			pthread_mutex_lock(&b->lock);
		}
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static void blk_rd_submit(void *be, struct blk_req *req)
{
	struct blk_rd *b = be;

	pthread_mutex_lock(&b->lock);
	assert(!b->stop);
	fifo_push(&b->queue, req);
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->lock);
}

/* Block until the thread has nothing queued or running. */
static void blk_rd_wait_idle(struct blk_rd *b)
{
	pthread_mutex_lock(&b->lock);
	while (b->queue.head || b->busy)
		pthread_cond_wait(&b->idle, &b->lock);
	pthread_mutex_unlock(&b->lock);
}

unsigned int blk_rd_complete(struct blk_rd *b)
{
	struct blk_fifo done;
	struct blk_req *r;
	unsigned int n = 0;

	pthread_mutex_lock(&b->lock);
	done = b->finished;
	b->finished = (struct blk_fifo){ NULL, NULL };
	pthread_mutex_unlock(&b->lock);
	while ((r = fifo_pop(&done))) {
		r->done(r, r->ret);	/* may submit more */
		n++;
	}
	return n;
}

static void blk_rd_drain(void *be)
{
	struct blk_rd *b = be;

	do
		blk_rd_wait_idle(b);
	while (blk_rd_complete(b));
}

static const struct blk_ops blk_rd_ops = {
	.name	= "rawdisk",
	.submit	= blk_rd_submit,
	.drain	= blk_rd_drain,
};

struct blk *blk_rd_blk(struct blk_rd *b)
{
	return &b->blk;
}

int blk_rd_create(struct rd_disk *disk, bool read_only,
		  void (*notify)(void *opaque), void *opaque,
		  struct blk_rd **out)
{
	struct blk_rd *b;
	int err;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->blk = (struct blk){ .ops = &blk_rd_ops, .be = b,
			       .size = rd_size(disk), .read_only = read_only };
	b->disk = disk;
	b->notify = notify;
	b->opaque = opaque;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->idle, NULL);
	err = -pthread_create(&b->thread, NULL, blk_rd_thread, b);
	if (err)
		goto out_free;
	*out = b;
	return 0;

out_free:
	pthread_cond_destroy(&b->idle);
	pthread_cond_destroy(&b->work);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return err;
}

void blk_rd_destroy(struct blk_rd *b)
{
	if (!b)
		return;
	blk_rd_wait_idle(b);
	/* the devices drained before they were destroyed: no done() left to
	 * run on freed memory */
	assert(!b->finished.head);
	pthread_mutex_lock(&b->lock);
	b->stop = true;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->idle);
	pthread_cond_destroy(&b->work);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
