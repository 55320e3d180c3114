// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_blk_rd.c --- vmm/blk_rd.c: a rawdisk disk behind an I/O thread
 *
 * Submission returns at once even on a slow disk; completions run only
 * when the caller asks (on the caller's thread), in submission order; a
 * flush completes after the writes before it and they are in the file by
 * then; the notify callback announces completions; drain waits for
 * everything, including requests submitted from done(); errors and the
 * read-only flag come back as -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"
#include "vmm/blk_rd.h"

#define DISK_SIZE	(1024 * 1024)
#define NREQ		8

struct rig {
	char		path[512];	/* the image file */
	struct rd_disk	*disk;		/* rawdisk over it */
	struct blk_rd	*br;		/* under test */
	struct blk	*blk;		/* its block device */
	unsigned int	notified;	/* notify() calls (I/O thread) */
	pthread_t	self;		/* the test's thread */
	unsigned int	order[2 * NREQ + 2];	/* completion order */
	int		ret[2 * NREQ + 2];	/* their results */
	unsigned int	ndone;		/* completions so far */
	bool		wrong_thread;	/* a done() ran elsewhere */
	struct blk_req	req[2 * NREQ + 2];
	uint8_t		buf[2 * NREQ + 2][4096];
};

static void notify(void *opaque)
{
	struct rig *r = opaque;

	__atomic_add_fetch(&r->notified, 1, __ATOMIC_SEQ_CST);
}

static void done(struct blk_req *req, int ret)
{
	struct rig *r = req->opaque;
	unsigned int i = (unsigned int)(req - r->req);

	if (!pthread_equal(pthread_self(), r->self))
		r->wrong_thread = true;
	r->order[r->ndone] = i;
	r->ret[i] = ret;
	r->ndone++;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void rig_init(struct rig *r, const struct rd_fault_cfg *fault,
		     bool read_only)
{
	char err[256];
	int fd;

	memset(r, 0, sizeof(*r));
	r->self = pthread_self();
	snprintf(r->path, sizeof(r->path), "%s/blk.img", t_tmpdir());
	fd = open(r->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	T_ASSERT(fd >= 0);
	T_EQ(ftruncate(fd, DISK_SIZE), 0);
	close(fd);
	T_EQ(rd_file_open(r->path, RD_RDWR, &r->disk, err, sizeof(err)), 0);
	if (fault) {
		struct rd_disk *slow;

		T_EQ(rd_fault_open(r->disk, true, fault, &slow), 0);
		r->disk = slow;
	}
	T_EQ(blk_rd_create(r->disk, read_only, notify, r, &r->br), 0);
	r->blk = blk_rd_blk(r->br);
	T_EQ(r->blk->size, DISK_SIZE);
}

static void rig_fini(struct rig *r)
{
	blk_rd_destroy(r->br);
	rd_close(r->disk);
}

static void submit(struct rig *r, unsigned int i, enum blk_op op,
		   uint64_t off, size_t len)
{
	r->req[i] = (struct blk_req){ .op = op, .off = off, .buf = r->buf[i],
				      .len = len, .done = done, .opaque = r };
	blk_submit(r->blk, &r->req[i]);
}

/* Writes, a flush, reads of what was written: in order, on this thread. */
static void test_blk_rd_order_and_flush(void)
{
	struct rig r;
	uint8_t back[4096];
	unsigned int i;
	int fd;

	rig_init(&r, NULL, false);
	for (i = 0; i < NREQ; i++) {
		memset(r.buf[i], 0x10 + i, sizeof(r.buf[i]));
		submit(&r, i, BLK_WRITE, i * 4096ull, 4096);
	}
	submit(&r, NREQ, BLK_FLUSH, 0, 0);
	for (i = 0; i < NREQ; i++)
		submit(&r, NREQ + 1 + i, BLK_READ, i * 4096ull, 4096);
	T_EQ(r.ndone, 0);			/* nothing runs unasked */
	for (i = 0; r.ndone < 2 * NREQ + 1 && i < 5000; i++) {
		usleep(1000);
		blk_rd_complete(r.br);
	}
	T_ASSERT(!r.wrong_thread);
	T_ASSERT(__atomic_load_n(&r.notified, __ATOMIC_SEQ_CST) >= 1);
	for (i = 0; i < 2 * NREQ + 1; i++) {
		T_EQ(r.order[i], i);
		T_EQ(r.ret[i], 0);
	}
	for (i = 0; i < NREQ; i++)
		T_ASSERT(memcmp(r.buf[NREQ + 1 + i], r.buf[i], 4096) == 0);
	/* the flush completed: the writes are in the file */
	fd = open(r.path, O_RDONLY);
	T_ASSERT(fd >= 0);
	T_EQ(pread(fd, back, sizeof(back), 3 * 4096), (ssize_t)sizeof(back));
	close(fd);
	T_ASSERT(memcmp(back, r.buf[3], sizeof(back)) == 0);
	rig_fini(&r);
}

/* A slow disk does not hold up the submitter; drain waits for it. */
static void test_blk_rd_slow_disk(void)
{
	struct rd_fault_cfg slow = { .delay_ns = 100 * 1000 * 1000 };
	struct rig r;
	uint64_t t0;

	rig_init(&r, &slow, false);
	t0 = now_ms();
	submit(&r, 0, BLK_READ, 0, 4096);
	submit(&r, 1, BLK_READ, 4096, 4096);
	T_ASSERT(now_ms() - t0 < 50);		/* did not wait for the disk */
	T_EQ(blk_rd_complete(r.br), 0);
	r.blk->ops->drain(r.blk->be);
	T_EQ(r.ndone, 2);
	T_ASSERT(now_ms() - t0 >= 190);		/* two slow reads */
	T_EQ(r.order[0], 0);
	T_EQ(r.order[1], 1);
	rig_fini(&r);
}

/* done() may submit again; drain covers those requests too. */
static void resubmit(struct blk_req *req, int ret)
{
	struct rig *r = req->opaque;

	done(req, ret);
	if (r->ndone < 4) {
		unsigned int i = r->ndone;

		r->req[i] = (struct blk_req){ .op = BLK_READ, .off = 0,
					      .buf = r->buf[i], .len = 512,
					      .done = resubmit, .opaque = r };
		blk_submit(r->blk, &r->req[i]);
	}
}

static void test_blk_rd_drain_chain(void)
{
	struct rig r;

	rig_init(&r, NULL, false);
	r.req[0] = (struct blk_req){ .op = BLK_READ, .buf = r.buf[0],
				     .len = 512, .done = resubmit,
				     .opaque = &r };
	blk_submit(r.blk, &r.req[0]);
	blk_drain(r.blk);
	T_EQ(r.ndone, 4);
	T_EQ(blk_rd_complete(r.br), 0);
	rig_fini(&r);
}

static void test_blk_rd_errors(void)
{
	struct rig r;

	rig_init(&r, NULL, true);
	T_ASSERT(r.blk->read_only);
	submit(&r, 0, BLK_WRITE, 0, 512);
	submit(&r, 1, BLK_READ, DISK_SIZE - 512, 1024);	/* past the end */
	submit(&r, 2, BLK_READ, DISK_SIZE - 512, 512);
	blk_drain(r.blk);
	T_EQ(r.ndone, 3);
	T_EQ(r.ret[0], -EROFS);
	T_EQ(r.ret[1], -EINVAL);
	T_EQ(r.ret[2], 0);
	rig_fini(&r);
}

static const struct t_case cases[] = {
	T_CASE(test_blk_rd_order_and_flush),
	T_CASE(test_blk_rd_slow_disk),
	T_CASE(test_blk_rd_drain_chain),
	T_CASE(test_blk_rd_errors),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
