// SPDX-License-Identifier: GPL-2.0-only
/*
 * net.c --- the NIC's back-end I/O thread, its frame queues, tap, and the
 * --net/--mac parsers
 *
 * One thread per NIC polls an eventfd (frames from the guest are waiting,
 * or stop) plus whatever the kind asks for (libslirp's sockets, the tap
 * descriptor), then moves guest frames to the kind and lets the kind read
 * the outside.  Frames for the guest wait in a queue until the run loop
 * calls net_be_complete() (vm.c, after @notify woke it).  One mutex guards
 * both queues and the stop flag; the kind's state is touched only by the
 * thread.  tap: /dev/net/tun with IFF_TAP | IFF_NO_PI, one frame per
 * read()/write().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/net.h"

struct net_frame {
	struct net_frame	*next;
	size_t			len;		/* bytes in data */
	uint8_t			data[];
};

struct net_fifo {
	struct net_frame	*head, *tail;
	unsigned int		n;		/* frames queued */
};

struct net_be {
	struct netdev		nd;		/* what the NIC sees */
	const struct net_kind_ops *kind;	/* slirp or tap */
	void			*state;		/* the kind's */
	void			(*notify)(void *opaque);
	void			*opaque;	/* for notify */
	pthread_t		thread;
	bool			started;	/* thread running */
	int			wfd;		/* eventfd: wake the thread */
	pthread_mutex_t		lock;		/* guards the fifos, stop */
	struct net_fifo		tx;		/* guest -> outside */
	struct net_fifo		rx;		/* outside -> guest */
	bool			stop;		/* the thread must exit */
	struct pollfd		pfd[NET_MAX_POLL];	/* thread only */
	int			npfd;		/* entries in pfd */
	struct net_frame	*held;		/* rx frame the NIC refused;
						 * run-loop thread only */
};

static bool fifo_push(struct net_fifo *f, const void *data, size_t len)
{
	struct net_frame *fr;

	if (f->n >= NET_QUEUE_MAX || len > NET_MAX_FRAME)
		return false;
	fr = malloc(sizeof(*fr) + len);
	if (!fr)
		return false;
	fr->next = NULL;
	fr->len = len;
	memcpy(fr->data, data, len);
	if (f->tail)
		f->tail->next = fr;
	else
		f->head = fr;
	f->tail = fr;
	f->n++;
	return true;
}

static struct net_frame *fifo_pop(struct net_fifo *f)
{
	struct net_frame *fr = f->head;

	if (fr) {
		f->head = fr->next;
		if (!f->head)
			f->tail = NULL;
		f->n--;
	}
	return fr;
}

static void fifo_free(struct net_fifo *f)
{
	struct net_frame *fr;

	while ((fr = fifo_pop(f)))
		free(fr);
}

void net_be_wake(struct net_be *nb)
{
	uint64_t one = 1;

	(void)!write(nb->wfd, &one, sizeof(one));
}

int net_be_add_poll(struct net_be *nb, int fd, short events)
{
	if (nb->npfd >= NET_MAX_POLL)
		return -1;
	nb->pfd[nb->npfd] = (struct pollfd){ .fd = fd, .events = events };
	return nb->npfd++;
}

short net_be_revents(struct net_be *nb, int idx)
{
	return idx >= 0 && idx < nb->npfd ? nb->pfd[idx].revents : 0;
}

void net_be_input(struct net_be *nb, const void *frame, size_t len)
{
	bool queued;

	pthread_mutex_lock(&nb->lock);
	queued = fifo_push(&nb->rx, frame, len);
	pthread_mutex_unlock(&nb->lock);
	if (queued && nb->notify)
		nb->notify(nb->opaque);
}

/* netdev send (run-loop thread): queue for the I/O thread. */
static void net_be_send(void *be, const void *frame, size_t len)
{
	struct net_be *nb = be;
	bool queued;

	pthread_mutex_lock(&nb->lock);
	queued = fifo_push(&nb->tx, frame, len);
	pthread_mutex_unlock(&nb->lock);
	if (queued)
		net_be_wake(nb);
}

static const struct netdev_ops net_be_netdev_ops = {
	.name = "host", .send = net_be_send,
};

static void *net_be_thread(void *arg)
{
	struct net_be *nb = arg;
	struct net_frame *fr, *list;
	uint64_t n;
	int timeout, r;

	for (;;) {
		pthread_mutex_lock(&nb->lock);
		if (nb->stop) {
			pthread_mutex_unlock(&nb->lock);
			break;
		}
		list = nb->tx.head;	/* take the whole queue */
		nb->tx.head = nb->tx.tail = NULL;
		nb->tx.n = 0;
		pthread_mutex_unlock(&nb->lock);
		while ((fr = list)) {
			list = fr->next;
			nb->kind->output(nb->state, fr->data, fr->len);
			free(fr);
		}
		nb->npfd = 0;
		net_be_add_poll(nb, nb->wfd, POLLIN);
		timeout = 1000;
		nb->kind->fill(nb->state, &timeout);
		r = poll(nb->pfd, (nfds_t)nb->npfd, timeout);
		if (r > 0 && (nb->pfd[0].revents & POLLIN))
			(void)!read(nb->wfd, &n, sizeof(n));
		nb->kind->handle(nb->state, r < 0 && errno != EINTR);
	}
	return NULL;
}

int net_be_create(const struct vm_net_cfg *cfg, void (*notify)(void *opaque),
		  void *opaque, struct net_be **out, char *why, size_t len)
{
	struct net_be *nb;
	int err;

	*out = NULL;
	nb = calloc(1, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	nb->nd.ops = &net_be_netdev_ops;
	nb->nd.be = nb;
	nb->notify = notify;
	nb->opaque = opaque;
	nb->kind = cfg->kind == VM_NET_TAP ? &net_tap_ops : &net_slirp_ops;
	pthread_mutex_init(&nb->lock, NULL);
	nb->wfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (nb->wfd < 0) {
		err = -errno;
		snprintf(why, len, "eventfd: %s", strerror(errno));
		goto out_free;
	}
	err = nb->kind->open(nb, cfg, &nb->state, why, len);
	if (err)
		goto out_close;
	err = -pthread_create(&nb->thread, NULL, net_be_thread, nb);
	if (err) {
		snprintf(why, len, "network thread: %s", strerror(-err));
		nb->kind->close(nb->state);
		goto out_close;
	}
	nb->started = true;
	*out = nb;
	return 0;

out_close:
	close(nb->wfd);
out_free:
	pthread_mutex_destroy(&nb->lock);
	free(nb);
	return err;
}

struct netdev *net_be_netdev(struct net_be *nb)
{
	return &nb->nd;
}

unsigned int net_be_complete(struct net_be *nb)
{
	unsigned int n = 0;

	for (;;) {
		if (!nb->held) {
			pthread_mutex_lock(&nb->lock);
			nb->held = fifo_pop(&nb->rx);
			pthread_mutex_unlock(&nb->lock);
			if (!nb->held)
				break;
		}
		if (!netdev_deliver(&nb->nd, nb->held->data, nb->held->len))
			break;		/* the NIC has no room: keep it */
		free(nb->held);
		nb->held = NULL;
		n++;
	}
	return n;
}

void net_be_destroy(struct net_be *nb)
{
	if (!nb)
		return;
	if (nb->started) {
		pthread_mutex_lock(&nb->lock);
		nb->stop = true;
		pthread_mutex_unlock(&nb->lock);
		net_be_wake(nb);
		pthread_join(nb->thread, NULL);
		nb->kind->close(nb->state);
	}
	fifo_free(&nb->tx);
	fifo_free(&nb->rx);
	free(nb->held);
	close(nb->wfd);
	pthread_mutex_destroy(&nb->lock);
	free(nb);
}

/* -------------------------------------------------------------------- tap */

struct net_tap {
	struct net_be	*nb;
	int		fd;		/* /dev/net/tun, non-blocking */
	int		idx;		/* its poll index */
	uint8_t		buf[NET_MAX_FRAME];
};

static int tap_open(struct net_be *nb, const struct vm_net_cfg *cfg,
		    void **state, char *why, size_t len)
{
	struct net_tap *t = calloc(1, sizeof(*t));
	struct ifreq ifr = { 0 };
	int err;

	if (!t)
		return -ENOMEM;
	t->nb = nb;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		err = -errno;
		snprintf(why, len, "/dev/net/tun: %s", strerror(errno));
		free(t);
		return err;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->ifname);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		snprintf(why, len, "tap interface '%s': %s", cfg->ifname,
			 strerror(errno));
		close(t->fd);
		free(t);
		return err;
	}
	*state = t;
	return 0;
}

static void tap_close(void *state)
{
	struct net_tap *t = state;

	close(t->fd);
	free(t);
}

static void tap_fill(void *state, int *timeout_ms)
{
	struct net_tap *t = state;

	t->idx = net_be_add_poll(t->nb, t->fd, POLLIN);
}

static void tap_handle(void *state, bool poll_error)
{
	struct net_tap *t = state;
	ssize_t n;
	int i;

	if (!(net_be_revents(t->nb, t->idx) & POLLIN))
		return;
	for (i = 0; i < 64; i++) {	/* a burst, then poll again */
		n = read(t->fd, t->buf, sizeof(t->buf));
		if (n <= 0)
			break;
		if (n >= 14)
			net_be_input(t->nb, t->buf, (size_t)n);
	}
}

static void tap_output(void *state, const uint8_t *frame, size_t len)
{
	struct net_tap *t = state;

	/* a full tap queue drops the frame, as a busy link would */
	(void)!write(t->fd, frame, len);
}

const struct net_kind_ops net_tap_ops = {
	.name = "tap", .open = tap_open, .close = tap_close, .fill = tap_fill,
	.handle = tap_handle, .output = tap_output,
};

/* ---------------------------------------------------------------- parsing */

int vm_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	if (b[0] & 1)
		return -EINVAL;		/* multicast */
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* "[ADDR]:PORT": ADDR empty keeps *@addr. */
static bool parse_ep(const char *s, size_t n, uint32_t *addr, uint16_t *port)
{
	char buf[64], *colon, *end;
	struct in_addr ia;
	unsigned long p;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	colon = strrchr(buf, ':');
	if (!colon)
		return false;
	*colon = 0;
	if (buf[0]) {
		if (inet_pton(AF_INET, buf, &ia) != 1)
			return false;
		*addr = ia.s_addr;
	}
	p = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || p == 0 || p > 65535)
		return false;
	*port = (uint16_t)p;
	return true;
}

/* "tcp:[HADDR]:HPORT-[GADDR]:GPORT" (also udp:). */
static int parse_hostfwd(const char *v, struct vm_net_fwd *f)
{
	const char *dash;

	*f = (struct vm_net_fwd){ .host_addr = htonl(0x7f000001),
				  .guest_addr = htonl(0x0a00020f) };
	if (!strncmp(v, "udp:", 4))
		f->udp = true;
	else if (strncmp(v, "tcp:", 4))
		return -EINVAL;
	v += 4;
	dash = strchr(v, '-');
	if (!dash || !parse_ep(v, (size_t)(dash - v), &f->host_addr,
			       &f->host_port) ||
	    !parse_ep(dash + 1, strlen(dash + 1), &f->guest_addr,
		      &f->guest_port))
		return -EINVAL;
	return 0;
}

static int parse_opt(struct vm_net_cfg *cfg, const char *opt, char *why,
		     size_t len)
{
	const char *v = strchr(opt, '=');
	size_t k = v ? (size_t)(v - opt) : strlen(opt);

	if (!v)
		goto bad;
	v++;
	if (cfg->kind == VM_NET_USER && k == 7 && !strncmp(opt, "hostfwd", k)) {
		if (cfg->nfwd >= VM_NET_MAX_FWD) {
			snprintf(why, len, "more than %d hostfwd rules",
				 VM_NET_MAX_FWD);
			return -EINVAL;
		}
		if (parse_hostfwd(v, &cfg->fwd[cfg->nfwd])) {
			snprintf(why, len, "bad hostfwd '%s' (tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)",
				 v);
			return -EINVAL;
		}
		cfg->nfwd++;
		return 0;
	}
	if (cfg->kind == VM_NET_USER && k == 4 && !strncmp(opt, "tftp", k) &&
	    strlen(v) < sizeof(cfg->tftp)) {
		snprintf(cfg->tftp, sizeof(cfg->tftp), "%s", v);
		return 0;
	}
	if (cfg->kind == VM_NET_USER && k == 8 &&
	    !strncmp(opt, "bootfile", k) && strlen(v) < sizeof(cfg->bootfile)) {
		snprintf(cfg->bootfile, sizeof(cfg->bootfile), "%s", v);
		return 0;
	}
	if (cfg->kind == VM_NET_TAP && k == 6 && !strncmp(opt, "ifname", k) &&
	    v[0] && strlen(v) < sizeof(cfg->ifname)) {
		snprintf(cfg->ifname, sizeof(cfg->ifname), "%s", v);
		return 0;
	}
bad:
	snprintf(why, len, "bad --net option '%s'", opt);
	return -EINVAL;
}

int vm_net_parse(const char *spec, struct vm_net_cfg *cfg, char *why,
		 size_t len)
{
	char buf[1024], *save = NULL, *tok;
	int err = 0;

	if (strlen(spec) >= sizeof(buf)) {
		snprintf(why, len, "--net value too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	tok = strtok_r(buf, ",", &save);
	cfg->nfwd = 0;
	cfg->ifname[0] = cfg->tftp[0] = cfg->bootfile[0] = 0;
	if (tok && !strcmp(tok, "user"))
		cfg->kind = VM_NET_USER;
	else if (tok && !strcmp(tok, "tap"))
		cfg->kind = VM_NET_TAP;
	else if (tok && !strcmp(tok, "none"))
		cfg->kind = VM_NET_NONE;
	else {
		snprintf(why, len, "--net must be user, tap or none, not '%s'",
			 spec);
		return -EINVAL;
	}
	while (!err && (tok = strtok_r(NULL, ",", &save)))
		err = cfg->kind == VM_NET_NONE ? -EINVAL :
		      parse_opt(cfg, tok, why, len);
	if (err && cfg->kind == VM_NET_NONE)
		snprintf(why, len, "--net none takes no options");
	if (!err && cfg->kind == VM_NET_TAP && !cfg->ifname[0]) {
		snprintf(why, len, "--net tap needs ifname=NAME");
		err = -EINVAL;
	}
	return err;
}
