// SPDX-License-Identifier: GPL-2.0-only
/*
 * net_slirp.c --- --net user: NAT through libslirp on the NIC's I/O thread
 *
 * The guest's network is QEMU's usual user-mode one: 10.0.2.0/24, the
 * gateway (and host) 10.0.2.2, DNS 10.0.2.3, DHCP leases from 10.0.2.15,
 * optional TFTP root and boot file for PXE.  hostfwd rules listen on the
 * host (127.0.0.1 unless an address is given) and connect to the guest.
 * Every libslirp call runs on the back end's thread (net.c): its sockets
 * are polled there, its timers kept in a short list fired there, and the
 * frames it emits are queued for the guest with net_be_input().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slirp/libslirp.h>

#include "vmm/net.h"

struct slirp_timer {
	struct slirp_timer	*next;
	SlirpTimerCb		cb;
	void			*cb_opaque;
	int64_t			expire_ms;	/* -1: not armed */
};

struct net_slirp {
	struct net_be		*nb;
	Slirp			*slirp;
	struct slirp_timer	*timers;
};

static int64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ssize_t cb_send(const void *buf, size_t len, void *opaque)
{
	struct net_slirp *s = opaque;

	net_be_input(s->nb, buf, len);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
}

static int64_t cb_clock(void *opaque)
{
	return ns_now();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer **p;

	for (p = &s->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = ((struct slirp_timer *)timer)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	if (timer)
		((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

static void cb_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
	struct net_slirp *s = opaque;

	net_be_wake(s->nb);
}

static const SlirpCb slirp_cbs = {
	.send_packet = cb_send,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_fd,
	.unregister_poll_fd = cb_fd,
	.notify = cb_notify,
};

static int add_hostfwds(struct net_slirp *s, const struct vm_net_cfg *cfg,
			char *why, size_t len)
{
	const struct vm_net_fwd *f;
	struct in_addr ha, ga;
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < cfg->nfwd; i++) {
		f = &cfg->fwd[i];
		ha.s_addr = f->host_addr;
		ga.s_addr = f->guest_addr;
		if (slirp_add_hostfwd(s->slirp, f->udp, ha, f->host_port, ga,
				      f->guest_port) < 0) {
			inet_ntop(AF_INET, &ha, a, sizeof(a));
			snprintf(why, len, "hostfwd: cannot listen on %s %s:%u",
				 f->udp ? "udp" : "tcp", a, f->host_port);
			return -EADDRINUSE;
		}
	}
	return 0;
}

static int slirp_open(struct net_be *nb, const struct vm_net_cfg *cfg,
		      void **state, char *why, size_t len)
{
	struct net_slirp *s = calloc(1, sizeof(*s));
	SlirpConfig sc = { .version = 1, .in_enabled = true };
	int err;

	if (!s)
		return -ENOMEM;
	s->nb = nb;
	inet_pton(AF_INET, "10.0.2.0", &sc.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &sc.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &sc.vhost);
	inet_pton(AF_INET, "10.0.2.15", &sc.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &sc.vnameserver);
	sc.vhostname = "dualvm";
	sc.tftp_path = cfg->tftp[0] ? cfg->tftp : NULL;
	sc.bootfile = cfg->bootfile[0] ? cfg->bootfile : NULL;
	s->slirp = slirp_new(&sc, &slirp_cbs, s);
	if (!s->slirp) {
		snprintf(why, len, "libslirp could not start");
		free(s);
		return -ENOMEM;
	}
	err = add_hostfwds(s, cfg, why, len);
	if (err) {
		slirp_cleanup(s->slirp);
		free(s);
		return err;
	}
	*state = s;
	return 0;
}

static void slirp_close(void *state)
{
	struct net_slirp *s = state;
	struct slirp_timer *t;

	slirp_cleanup(s->slirp);
	while ((t = s->timers)) {	/* slirp frees its own; be safe */
		s->timers = t->next;
		free(t);
	}
	free(s);
}

static int add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *s = opaque;
	short ev = 0;

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return net_be_add_poll(s->nb, fd, ev);
}

static int get_revents(int idx, void *opaque)
{
	struct net_slirp *s = opaque;
	short re = net_be_revents(s->nb, idx);
	int ev = 0;

	if (re & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (re & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (re & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (re & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (re & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static void slirp_fill(void *state, int *timeout_ms)
{
	struct net_slirp *s = state;
	int64_t now = ns_now() / 1000000;
	struct slirp_timer *t;
	uint32_t to = (uint32_t)*timeout_ms;

	for (t = s->timers; t; t = t->next)
		if (t->expire_ms >= 0 && t->expire_ms - now < (int64_t)to)
			to = t->expire_ms <= now ? 0 :
			     (uint32_t)(t->expire_ms - now);
	slirp_pollfds_fill(s->slirp, &to, add_poll, s);
	*timeout_ms = (int)to;
}

static void slirp_handle(void *state, bool poll_error)
{
	struct net_slirp *s = state;
	struct slirp_timer *t;
	int64_t now;
	bool fired;

	slirp_pollfds_poll(s->slirp, poll_error, get_revents, s);
	do {				/* a callback may change the list */
		fired = false;
		now = ns_now() / 1000000;
		for (t = s->timers; t; t = t->next)
			if (t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				fired = true;
				break;
			}
	} while (fired);
}

static void slirp_output(void *state, const uint8_t *frame, size_t len)
{
	struct net_slirp *s = state;

	slirp_input(s->slirp, frame, (int)len);
}

const struct net_kind_ops net_slirp_ops = {
	.name = "user", .open = slirp_open, .close = slirp_close,
	.fill = slirp_fill, .handle = slirp_handle, .output = slirp_output,
};
