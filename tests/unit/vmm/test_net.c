// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_net.c --- the NIC back ends of vmm/net.c and vmm/net_slirp.c
 *
 * The --net/--mac parsers, and the user-networking back end on its I/O
 * thread with a fake NIC: an ARP request for the gateway and a DHCP
 * DISCOVER must come back as libslirp's ARP reply and DHCP OFFER of
 * 10.0.2.15, delivered on the calling thread by net_be_complete() (no
 * host network is touched: both are answered inside libslirp).  A NIC
 * that has no room keeps frames queued, none lost.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "vmm/net.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void test_parse(void)
{
	struct vm_net_cfg c = { 0 };
	char why[256];
	uint8_t m[6];

	T_EQ(vm_net_parse("none", &c, why, sizeof(why)), 0);
	T_EQ(c.kind, VM_NET_NONE);
	T_EQ(vm_net_parse("user", &c, why, sizeof(why)), 0);
	T_EQ(c.kind, VM_NET_USER);
	T_EQ(c.nfwd, 0u);
	T_EQ(vm_net_parse("user,hostfwd=tcp::8080-:80,hostfwd=udp:0.0.0.0:5353-10.0.2.20:53,tftp=/srv,bootfile=pxe.0",
			  &c, why, sizeof(why)), 0);
	T_EQ(c.nfwd, 2u);
	T_EQ(c.fwd[0].udp, 0);
	T_EQ(c.fwd[0].host_port, 8080);
	T_EQ(c.fwd[0].guest_port, 80);
	T_EQ(c.fwd[0].host_addr, htonl(0x7f000001));
	T_EQ(c.fwd[0].guest_addr, htonl(0x0a00020f));
	T_EQ(c.fwd[1].udp, 1);
	T_EQ(c.fwd[1].host_addr, 0u);
	T_EQ(c.fwd[1].guest_addr, htonl(0x0a000214));
	T_ASSERT(!strcmp(c.tftp, "/srv") && !strcmp(c.bootfile, "pxe.0"));
	T_EQ(vm_net_parse("tap,ifname=tap7", &c, why, sizeof(why)), 0);
	T_EQ(c.kind, VM_NET_TAP);
	T_ASSERT(!strcmp(c.ifname, "tap7"));
	T_EQ(vm_net_parse("tap", &c, why, sizeof(why)), -EINVAL);
	T_ASSERT(strstr(why, "ifname"));
	T_EQ(vm_net_parse("bridge", &c, why, sizeof(why)), -EINVAL);
	T_EQ(vm_net_parse("none,x=1", &c, why, sizeof(why)), -EINVAL);
	T_EQ(vm_net_parse("user,hostfwd=tcp::0-:80", &c, why, sizeof(why)), -EINVAL);
	T_EQ(vm_net_parse("user,hostfwd=tcp::80:80", &c, why, sizeof(why)), -EINVAL);
	T_EQ(vm_net_parse("user,hostfwd=sctp::1-:2", &c, why, sizeof(why)), -EINVAL);
	T_EQ(vm_net_parse("user,ifname=x", &c, why, sizeof(why)), -EINVAL);
	T_EQ(vm_net_parse("tap,ifname=waytoolonginterfacename", &c, why,
			  sizeof(why)), -EINVAL);
	T_EQ(vm_mac_parse("52:54:00:ab:CD:ef", m), 0);
	T_EQ(m[3], 0xab);
	T_EQ(m[5], 0xef);
	T_EQ(vm_mac_parse("01:00:5e:00:00:01", m), -EINVAL);	/* multicast */
	T_EQ(vm_mac_parse("52:54:00:ab:cd", m), -EINVAL);
	T_EQ(vm_mac_parse("52:54:00:ab:cd:ef:00", m), -EINVAL);
	T_EQ(vm_mac_parse("52-54-00-ab-cd-ef", m), -EINVAL);
}

/* ------------------------------------------------------------ the NIC */

struct fake_nic {
	bool		room;		/* can_receive answer */
	unsigned int	n;		/* frames taken */
	bool		arp_reply;	/* saw 10.0.2.2 is-at */
	bool		offer;		/* saw a DHCP OFFER of 10.0.2.15 */
};

static bool nic_can(void *opaque, size_t len)
{
	return ((struct fake_nic *)opaque)->room;
}

static bool nic_rx(void *opaque, const void *frame, size_t len)
{
	struct fake_nic *f = opaque;
	const uint8_t *p = frame;

	f->n++;
	if (len >= 42 && p[12] == 0x08 && p[13] == 0x06 && p[21] == 2 &&
	    !memcmp(p + 28, "\x0a\x00\x02\x02", 4) && !memcmp(p + 32, mac, 6))
		f->arp_reply = true;
	/* IPv4 UDP 67 -> 68, BOOTP reply with yiaddr 10.0.2.15, DHCP type 2 */
	if (len >= 42 + 240 && p[12] == 0x08 && p[13] == 0x00 && p[23] == 17 &&
	    p[34] == 0 && p[35] == 67 && p[42] == 2 &&
	    !memcmp(p + 42 + 16, "\x0a\x00\x02\x0f", 4))
		f->offer = true;
	return true;
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static size_t arp_request(uint8_t *p)
{
	memset(p, 0, 60);
	memset(p, 0xff, 6);
	memcpy(p + 6, mac, 6);
	p[12] = 0x08; p[13] = 0x06;
	p[15] = 1; p[16] = 0x08; p[18] = 6; p[19] = 4; p[21] = 1;
	memcpy(p + 22, mac, 6);
	memcpy(p + 28, "\x0a\x00\x02\x0f", 4);
	memcpy(p + 38, "\x0a\x00\x02\x02", 4);
	return 42;
}

static size_t dhcp_discover(uint8_t *p)
{
	uint8_t *ip = p + 14, *udp = ip + 20, *b = udp + 8;
	size_t blen = 300, len = 14 + 20 + 8 + blen;
	uint16_t c;

	memset(p, 0, len);
	memset(p, 0xff, 6);
	memcpy(p + 6, mac, 6);
	p[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + 8 + blen) >> 8);
	ip[3] = (uint8_t)(20 + 8 + blen);
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[1] = 68;
	udp[3] = 67;
	udp[4] = (uint8_t)((8 + blen) >> 8);
	udp[5] = (uint8_t)(8 + blen);
	b[0] = 1; b[1] = 1; b[2] = 6;
	memcpy(b + 4, "\x12\x34\x56\x78", 4);
	memcpy(b + 28, mac, 6);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	b[240] = 53; b[241] = 1; b[242] = 1;	/* DHCPDISCOVER */
	b[243] = 255;
	return len;
}

static void notify(void *opaque)
{
	(*(unsigned int *)opaque)++;	/* only counted: the test polls */
}

/* Deliver until @done or 10 s pass. */
static bool wait_for(struct net_be *nb, const bool *done)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 1000 && !*done; i++) {
		net_be_complete(nb);
		nanosleep(&ts, NULL);
	}
	net_be_complete(nb);
	return *done;
}

static void test_user_dhcp_arp(void)
{
	struct vm_net_cfg c = { .kind = VM_NET_USER };
	struct fake_nic f = { .room = true };
	struct net_be *nb = NULL;
	struct netdev *nd;
	unsigned int notified = 0;
	uint8_t frame[400];
	char why[256];

	T_EQ(net_be_create(&c, notify, &notified, &nb, why, sizeof(why)), 0);
	nd = net_be_netdev(nb);
	netdev_attach(nd, nic_can, nic_rx, &f);
	netdev_send(nd, frame, arp_request(frame));
	T_ASSERT(wait_for(nb, &f.arp_reply));
	netdev_send(nd, frame, dhcp_discover(frame));
	T_ASSERT(wait_for(nb, &f.offer));
	T_ASSERT(notified > 0);
	/* no room in the NIC: frames wait, then all arrive */
	f.room = false;
	f.arp_reply = false;
	f.n = 0;
	netdev_send(nd, frame, arp_request(frame));
	for (int i = 0; i < 50; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		net_be_complete(nb);
		nanosleep(&ts, NULL);
	}
	T_EQ(f.n, 0u);
	f.room = true;
	T_ASSERT(wait_for(nb, &f.arp_reply));
	netdev_attach(nd, NULL, NULL, NULL);
	net_be_destroy(nb);
}

static void test_tap_errors(void)
{
	struct vm_net_cfg c = { .kind = VM_NET_TAP };
	struct net_be *nb = NULL;
	char why[256] = "";
	int err;

	/* an interface name the kernel refuses: one line, no thread left */
	snprintf(c.ifname, sizeof(c.ifname), "bad/name");
	err = net_be_create(&c, NULL, NULL, &nb, why, sizeof(why));
	T_ASSERT(err < 0);
	T_ASSERT(nb == NULL);
	T_ASSERT(strstr(why, "tun") || strstr(why, "tap"));
}

static const struct t_case cases[] = {
	T_CASE(test_parse),
	T_CASE(test_user_dhcp_arp),
	T_CASE(test_tap_errors),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
