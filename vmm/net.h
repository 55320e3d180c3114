/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.h --- the NIC's host back ends, served by an I/O thread (private to
 * vmm/)
 *
 * A struct net_be is a struct netdev (hw/net.h) whose back end runs on a
 * thread of its own, with the same completion pattern as the disks
 * (blk_rd.h): frames the guest sends are queued for the thread (which
 * hands them to libslirp or writes them to the tap device); frames from
 * the outside are queued by the thread, which then calls @notify, and the
 * run loop delivers them to the NIC with net_be_complete() on its own
 * thread, keeping those the NIC has no room for yet.  Both queues are
 * bounded (NET_QUEUE_MAX frames): beyond that frames are dropped, as a
 * switch drops them, so neither a flooding guest nor a flooding peer
 * grows memory without bound.
 *
 * The "kind" (net.c: tap; net_slirp.c: libslirp) plugs into the thread
 * through struct net_kind_ops; all its calls run on the I/O thread, except
 * open (before the thread starts) and close (after it stopped).
 */
#ifndef DUALVM_VMM_NET_H
#define DUALVM_VMM_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"
#include "vmm/vmm.h"

#define NET_QUEUE_MAX	1024	/* frames per direction */
#define NET_MAX_POLL	256	/* descriptors the thread polls */

struct net_be;

struct net_kind_ops {
	const char	*name;
	/* Create the kind's state in *@state.  0 or -errno with @why. */
	int	(*open)(struct net_be *nb, const struct vm_net_cfg *cfg,
			void **state, char *why, size_t len);
	void	(*close)(void *state);
	/* Add descriptors to poll (net_be_add_poll) and lower *@timeout_ms. */
	void	(*fill)(void *state, int *timeout_ms);
	/* After poll(): handle what is ready (net_be_revents), timers. */
	void	(*handle)(void *state, bool poll_error);
	/* A frame from the guest. */
	void	(*output)(void *state, const uint8_t *frame, size_t len);
};

extern const struct net_kind_ops net_slirp_ops;	/* net_slirp.c */
extern const struct net_kind_ops net_tap_ops;	/* net.c */

/*
 * Start the back end @cfg names (user or tap) on a new I/O thread;
 * @notify(@opaque) runs on it when frames for the guest are waiting.
 * 0 or -errno with one line in @why.
 */
int __attribute__((warn_unused_result))
net_be_create(const struct vm_net_cfg *cfg, void (*notify)(void *opaque),
	      void *opaque, struct net_be **out, char *why, size_t len);
/* The link to hand to the NIC; valid until net_be_destroy(). */
struct netdev *net_be_netdev(struct net_be *nb);
/* Run-loop thread: deliver waiting frames while the NIC takes them. */
unsigned int net_be_complete(struct net_be *nb);
/* Stop and join the thread, close the kind, free.  NULL is fine. */
void net_be_destroy(struct net_be *nb);

/* For the kinds (I/O thread only): */
/* Poll @fd for @events; returns its index or -1 when the table is full. */
int net_be_add_poll(struct net_be *nb, int fd, short events);
/* The revents of index @idx of the last poll. */
short net_be_revents(struct net_be *nb, int idx);
/* A frame for the guest (copied; dropped when the queue is full). */
void net_be_input(struct net_be *nb, const void *frame, size_t len);
/* Wake the thread's poll (safe from any thread). */
void net_be_wake(struct net_be *nb);

#endif
