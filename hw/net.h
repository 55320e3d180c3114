/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.h --- an Ethernet link between a NIC model and a host back end
 * (part of hw/hw.h)
 *
 * A NIC (devices/e1000.c) reaches the outside world through a struct
 * netdev: the back end (vmm/net.c: libslirp user networking or a tap
 * device; a recorder in the unit tests) fills ops/be, the NIC attaches its
 * receive side with netdev_attach().  Frames are whole Ethernet frames
 * without the FCS, at most NET_MAX_FRAME bytes.
 *
 * Threading: everything here runs on the vCPU/run-loop thread.  send()
 * copies the frame before returning (the back end may hand it to a thread
 * of its own).  The back end calls the NIC's receive() on the vCPU thread
 * only, and only after can_receive() said yes; a frame the NIC cannot
 * take yet stays with the back end (which may drop it when its queue is
 * full, as a switch would), so a guest that stops reading its ring only
 * loses its own frames.
 */
#ifndef DUALVM_HW_NET_H
#define DUALVM_HW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAX_FRAME	65536	/* largest frame either side passes */
#define NET_ETH_ALEN	6	/* bytes of a MAC address */

struct netdev_ops {
	const char	*name;		/* "user", "tap", "test" */
	/* The guest transmitted @len bytes (14..NET_MAX_FRAME); copied. */
	void	(*send)(void *be, const void *frame, size_t len);
};

struct netdev {
	const struct netdev_ops	*ops;		/* the back end */
	void			*be;		/* its state */
	/* the NIC's receive side (netdev_attach) */
	bool	(*can_receive)(void *nic, size_t len);	/* room for @len */
	/* Take one frame (the NIC copies it); false: dropped. */
	bool	(*receive)(void *nic, const void *frame, size_t len);
	void	*nic;				/* NULL: nothing attached */
};

/* Connect a NIC's receive side (NULL callbacks: detach). */
static inline void netdev_attach(struct netdev *n,
				 bool (*can_receive)(void *, size_t),
				 bool (*receive)(void *, const void *, size_t),
				 void *nic)
{
	n->can_receive = can_receive;
	n->receive = receive;
	n->nic = nic;
}

/* The guest sends a frame; a netdev without back end drops it. */
static inline void netdev_send(struct netdev *n, const void *frame,
			       size_t len)
{
	if (n && n->ops && n->ops->send)
		n->ops->send(n->be, frame, len);
}

/*
 * Back-end side: offer one frame to the NIC.  true when taken (or
 * dropped by the NIC's filters), false when the NIC has no room yet (keep
 * it and offer again later) or nothing is attached.
 */
static inline bool netdev_deliver(struct netdev *n, const void *frame,
				  size_t len)
{
	if (!n->nic || !n->receive)
		return true;	/* cable unplugged: the frame is lost */
	if (n->can_receive && !n->can_receive(n->nic, len))
		return false;
	n->receive(n->nic, frame, len);
	return true;
}

#endif
