// SPDX-License-Identifier: GPL-2.0-only
/*
 * e1000_ring.c --- 82540EM transmit and receive descriptor rings
 *
 * Transmit (Intel 8254x SDM ch. 3.3): writing TDT (or enabling TCTL.EN)
 * walks the ring from TDH to TDT, at most one lap per call.  Legacy
 * descriptors (DEXT = 0) carry a buffer and, on the packet's last one,
 * the CSO/CSS checksum insertion; extended descriptors are a context
 * (DTYP 0: IP and TCP/UDP checksum start/offset/end, TSO header length
 * and MSS) or data (DTYP 1: buffer, IXSM/TXSM options, TSE).  A packet's
 * buffers are gathered up to EOP, then its checksums are inserted or it
 * is cut into MSS-sized TCP segments whose IP length, IP id, TCP
 * sequence number, flags and checksums are fixed per segment, and each
 * frame goes to the netdev.  DD is written back for descriptors with RS.
 *
 * Receive (ch. 3.2): a frame that passes the RCTL filters (exact RAL/RAH
 * matches, the 4096-bit multicast table hashed by RCTL.MO, BAM, UPE/MPE
 * promiscuous modes) is padded to 60 bytes, given its FCS unless
 * RCTL.SECRC, and written into the buffers of RDH..RDT-1 (RCTL.BSIZE/BSEX
 * bytes each), the last with EOP; RDH advances, RXT0 is raised (receive
 * delay timers are not modelled: every frame interrupts at once, subject
 * to ITR) and RXDMT0 when the free descriptors fall to the RCTL.RDMTS
 * threshold.  Received checksums are not verified (status IXSM).  A frame
 * that does not fit in the free descriptors stays with the netdev
 * (can_receive); a ring the guest set up badly (outside RAM, head or tail
 * past the end, no descriptors, bus mastering off) drops frames.
 */
#include <string.h>

#include "devices/e1000.h"
#include "devices/e1000_priv.h"

#define TXD_CMD_EOP	0x01
#define TXD_CMD_IFCS	0x02
#define TXD_CMD_IC	0x04	/* legacy: insert checksum */
#define TXD_CMD_TSE	0x04	/* data descriptor: TCP segmentation */
#define TXD_CMD_RS	0x08
#define TXD_CMD_DEXT	0x20
#define TXD_STA_DD	0x01
#define TXD_POPTS_IXSM	0x01
#define TXD_POPTS_TXSM	0x02
#define TUCMD_TCP	0x01
#define TUCMD_IP	0x02

#define RXD_STA_DD	0x01
#define RXD_STA_EOP	0x02
#define RXD_STA_IXSM	0x04
#define RXD_ERR_RXE	0x80

#define ETH_MIN		60	/* frame without FCS, padded */
#define ETH_MAX		1518	/* with FCS, without LPE */

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void st_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

static void st_be32(uint8_t *p, uint32_t v)
{
	st_be16(p, (uint16_t)(v >> 16));
	st_be16(p + 2, (uint16_t)v);
}

/* Ones' complement sum of @len bytes (RFC 1071), not folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Insert the checksum of @p[start..end] (inclusive; end 0: to the frame
 * end) at @p[at], plus @extra (a TSO segment's length for the pseudo
 * header).  Out-of-frame offsets: nothing is inserted.
 */
static void csum_insert(uint8_t *p, size_t len, unsigned int start,
			unsigned int at, unsigned int end, uint32_t extra,
			bool zero_first)
{
	size_t stop = end ? (size_t)end + 1 : len;

	if (stop > len)
		stop = len;
	if (start >= stop || (size_t)at + 2 > len)
		return;
	if (zero_first)
		st_be16(p + at, 0);
	st_be16(p + at, csum_fold(csum_add(extra, p + start, stop - start)));
}

static void stat_size(struct e1000 *e, uint32_t base, size_t len)
{
	static const size_t lim[] = { 64, 127, 255, 511, 1023, 1522 };
	unsigned int i;

	for (i = 0; i < 6; i++)
		if (len <= lim[i]) {
			e1000_stat_add(e, base + 4 * i, 1);
			return;
		}
}

/* ---------------------------------------------------------------- transmit */

static void tx_frame(struct e1000 *e, const uint8_t *p, size_t len)
{
	if (len < 14)
		return;
	e1000_stat_add(e, ES_TPT, 1);
	e1000_stat_add(e, ES_GPTC, 1);
	e1000_stat_add(e, ES_GOTCL, len + 4);
	e1000_stat_add(e, ES_TOTL, len + 4);
	stat_size(e, ES_PTC64, len + 4);
	if (p[0] & 1)
		e1000_stat_add(e, !memcmp(p, "\xff\xff\xff\xff\xff\xff", 6) ?
			       ES_BPTC : ES_MPTC, 1);
	netdev_send(e->net, p, len);
}

/* Checksums of a whole packet per the options it was sent with. */
static void tx_offload(struct e1000 *e, uint8_t *p, size_t len,
		       uint32_t l4_extra)
{
	const struct e1000_txctx *c = &e->ctx;

	if (e->popts & TXD_POPTS_IXSM)
		csum_insert(p, len, c->ipcss, c->ipcso, c->ipcse, 0, true);
	if (e->popts & TXD_POPTS_TXSM)
		csum_insert(p, len, c->tucss, c->tucso, c->tucse, l4_extra,
			    false);
}

/* Cut the gathered TSO packet into MSS-sized segments and send them. */
static void tx_tso(struct e1000 *e)
{
	const struct e1000_txctx *c = &e->ctx;
	uint32_t hdr = c->hdrlen, pay, off, chunk, l4len;
	uint8_t *s = e->seg;
	bool tcp = c->tucmd & TUCMD_TCP, v4 = c->tucmd & TUCMD_IP;

	if (!c->mss || hdr > e->tx_len || hdr < 14 ||
	    (uint32_t)c->ipcss + 20 > hdr || (uint32_t)c->tucss + 20 > hdr)
		return;			/* malformed context: dropped */
	pay = e->tx_len - hdr;
	for (off = 0; off < pay || (off == 0 && pay == 0); off += chunk) {
		chunk = pay - off < c->mss ? pay - off : c->mss;
		memcpy(s, e->tx_buf, hdr);
		memcpy(s + hdr, e->tx_buf + hdr + off, chunk);
		if (v4) {
			st_be16(s + c->ipcss + 2,
				(uint16_t)(hdr + chunk - c->ipcss));
			st_be16(s + c->ipcss + 4, (uint16_t)(be16(s + c->ipcss +
						4) + e->tso_frames));
		} else {		/* IPv6 payload length */
			st_be16(s + c->ipcss + 4,
				(uint16_t)(hdr + chunk - c->ipcss - 40));
		}
		l4len = hdr + chunk - c->tucss;
		if (tcp) {
			st_be32(s + c->tucss + 4, be32(s + c->tucss + 4) + off);
			if (off + chunk < pay)	/* FIN, PSH on the last only */
				s[c->tucss + 13] &= (uint8_t)~0x09;
		} else {
			st_be16(s + c->tucss + 4, (uint16_t)l4len);
		}
		tx_offload(e, s, hdr + chunk, l4len);
		tx_frame(e, s, hdr + chunk);
		e->tso_frames++;
		if (pay == 0)
			break;
	}
	e1000_stat_add(e, ES_TSCTC, 1);
}

static void tx_packet_end(struct e1000 *e)
{
	if (!e->tx_drop) {
		if (e->tse)
			tx_tso(e);
		else {
			tx_offload(e, e->tx_buf, e->tx_len, 0);
			tx_frame(e, e->tx_buf, e->tx_len);
		}
	}
	e->tx_len = 0;
	e->tx_drop = false;
	e->tse = false;
	e->popts = 0;
	e->tso_frames = 0;
}

/* Append @len bytes at guest address @gpa to the packet. */
static void tx_gather(struct e1000 *e, uint64_t gpa, uint32_t len)
{
	if (e->tx_drop || !len)
		return;
	if (len > sizeof(e->tx_buf) - e->tx_len ||
	    e->env->dma(e->env->dma_opaque, gpa, e->tx_buf + e->tx_len, len,
			false)) {
		e->tx_drop = true;	/* too big or outside RAM */
		return;
	}
	e->tx_len += len;
}

static void tx_context(struct e1000 *e, const uint8_t *d)
{
	struct e1000_txctx *c = &e->ctx;

	c->ipcss = d[0];
	c->ipcso = d[1];
	c->ipcse = ld16(d + 2);
	c->tucss = d[4];
	c->tucso = d[5];
	c->tucse = ld16(d + 6);
	c->paylen = (uint32_t)(d[8] | d[9] << 8 | (d[10] & 0xf) << 16);
	c->tucmd = d[11];
	c->hdrlen = d[13];
	c->mss = ld16(d + 14);
}

/* One descriptor; returns its command byte. */
static uint8_t tx_desc(struct e1000 *e, const uint8_t *d)
{
	uint64_t addr = (uint64_t)ld16(d) | (uint64_t)ld16(d + 2) << 16 |
			(uint64_t)ld16(d + 4) << 32 | (uint64_t)ld16(d + 6) << 48;
	uint8_t cmd = d[11], dtyp = (d[10] >> 4) & 0xf;

	if (!(cmd & TXD_CMD_DEXT)) {		/* legacy */
		tx_gather(e, addr, ld16(d + 8));
		if (cmd & TXD_CMD_EOP) {
			if ((cmd & TXD_CMD_IC) && !e->tx_drop)
				csum_insert(e->tx_buf, e->tx_len, d[13], d[10],
					    0, 0, false);
			e->popts = 0;
			e->tse = false;
			if (!e->tx_drop)
				tx_frame(e, e->tx_buf, e->tx_len);
			e->tx_len = 0;
			e->tx_drop = false;
		}
		return cmd;
	}
	if (dtyp == 0) {			/* context */
		tx_context(e, d);
		return cmd;
	}
	if (dtyp != 1)				/* reserved type: skipped */
		return cmd;
	if (!e->tx_len && !e->tx_drop) {	/* first of the packet */
		e->popts = d[13];
		e->tse = cmd & TXD_CMD_TSE;
	}
	tx_gather(e, addr, (uint32_t)(d[8] | d[9] << 8 | (d[10] & 0xf) << 16));
	if (cmd & TXD_CMD_EOP)
		tx_packet_end(e);
	return cmd;
}

void e1000_tx_run(struct e1000 *e)
{
	uint32_t n = e_reg(e, E_TDLEN) / 16, head = e_reg(e, E_TDH);
	uint32_t tail = e_reg(e, E_TDT), budget;
	uint64_t base = (uint64_t)e_reg(e, E_TDBAH) << 32 | e_reg(e, E_TDBAL);
	uint8_t d[16], cmd;
	bool any = false;

	if (e->tx_busy || !(e_reg(e, E_TCTL) & TCTL_EN) || !n || head >= n ||
	    tail >= n || !e1000_dma_ok(e))
		return;
	e->tx_busy = true;		/* a send that loops back re-enters */
	for (budget = n; head != tail && budget; budget--) {
		uint64_t gpa = base + (uint64_t)head * 16;

		if (e->env->dma(e->env->dma_opaque, gpa, d, 16, false))
			break;			/* ring outside RAM: stall */
		cmd = tx_desc(e, d);
		if (cmd & TXD_CMD_RS) {
			d[12] |= TXD_STA_DD;
			(void)e->env->dma(e->env->dma_opaque, gpa + 12, d + 12,
					  1, true);
		}
		head = (head + 1) % n;
		e_set(e, E_TDH, head);
		any = true;
	}
	e->tx_busy = false;
	if (any)
		e1000_cause(e, ICR_TXDW | (head == tail ? ICR_TXQE : 0));
}

void e1000_tx_reset(struct e1000 *e)
{
	memset(&e->ctx, 0, sizeof(e->ctx));
	e->tx_len = 0;
	e->tx_drop = false;
	e->tse = false;
	e->popts = 0;
	e->tso_frames = 0;
}

/* ----------------------------------------------------------------- receive */

static uint32_t crc32_eth(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;
	unsigned int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static uint32_t rx_bufsize(const struct e1000 *e)
{
	uint32_t bs = (e_reg(e, E_RCTL) >> 16) & 3;

	if (e_reg(e, E_RCTL) & RCTL_BSEX)
		return bs ? 32768u >> bs : 2048;	/* 16K, 8K, 4K */
	return 2048u >> bs;
}

static bool rx_filter(struct e1000 *e, const uint8_t *p)
{
	uint32_t rctl = e_reg(e, E_RCTL), mo = (rctl >> 12) & 3, h;
	unsigned int i;

	if (!memcmp(p, "\xff\xff\xff\xff\xff\xff", 6))
		return (rctl & (RCTL_BAM | RCTL_MPE)) != 0;
	if (p[0] & 1) {
		if (rctl & RCTL_MPE)
			return true;
		h = ((uint32_t)p[4] >> (4 - mo) | (uint32_t)p[5] << (4 + mo));
		if (mo == 3)
			h = p[4] | (uint32_t)p[5] << 8;
		h &= 0xfff;
		return e_reg(e, E_MTA + 4 * (h >> 5)) >> (h & 31) & 1;
	}
	if (rctl & RCTL_UPE)
		return true;
	for (i = 0; i < 16; i++) {
		uint32_t lo = e_reg(e, E_RA + 8 * i), hi = e_reg(e, E_RA + 8 * i + 4);

		if ((hi & (1u << 31)) && p[0] == (uint8_t)lo &&
		    p[1] == (uint8_t)(lo >> 8) && p[2] == (uint8_t)(lo >> 16) &&
		    p[3] == (uint8_t)(lo >> 24) && p[4] == (uint8_t)hi &&
		    p[5] == (uint8_t)(hi >> 8))
			return true;
	}
	return false;
}

/* Free receive descriptors, or -1 when the ring is unusable. */
static long rx_free(const struct e1000 *e)
{
	uint32_t n = e_reg(e, E_RDLEN) / 16, head = e_reg(e, E_RDH);
	uint32_t tail = e_reg(e, E_RDT);

	if (!n || head >= n || tail >= n || !e1000_dma_ok(e))
		return -1;
	return (long)((tail + n - head) % n);
}

static size_t rx_wire_len(const struct e1000 *e, size_t len)
{
	if (len < ETH_MIN)
		len = ETH_MIN;
	return len + ((e_reg(e, E_RCTL) & RCTL_SECRC) ? 0 : 4);
}

bool e1000_can_receive(void *opaque, size_t len)
{
	struct e1000 *e = opaque;
	long free = rx_free(e);
	uint32_t bs = rx_bufsize(e);

	if (!(e_reg(e, E_RCTL) & RCTL_EN) || free < 0)
		return true;			/* dropped by receive */
	return (size_t)free * bs >= rx_wire_len(e, len);
}

static void rx_stats(struct e1000 *e, const uint8_t *p, size_t wire)
{
	e1000_stat_add(e, ES_TPR, 1);
	e1000_stat_add(e, ES_GPRC, 1);
	e1000_stat_add(e, ES_GORCL, wire);
	e1000_stat_add(e, ES_TORL, wire);
	stat_size(e, ES_PRC64, wire);
	if (p[0] & 1)
		e1000_stat_add(e, !memcmp(p, "\xff\xff\xff\xff\xff\xff", 6) ?
			       ES_BPRC : ES_MPRC, 1);
}

/* Write @len bytes of e->rx_buf into the ring from RDH; false: no room. */
static bool rx_store(struct e1000 *e, size_t len)
{
	uint32_t n = e_reg(e, E_RDLEN) / 16, head = e_reg(e, E_RDH);
	uint32_t bs = rx_bufsize(e), thr;
	uint64_t base = (uint64_t)e_reg(e, E_RDBAH) << 32 | e_reg(e, E_RDBAL);
	size_t off = 0, chunk;
	uint8_t d[16];

	if ((size_t)rx_free(e) * bs < len)
		return false;
	while (off < len) {
		uint64_t gpa = base + (uint64_t)head * 16, addr;

		chunk = len - off < bs ? len - off : bs;
		memset(d, 0, sizeof(d));
		if (e->env->dma(e->env->dma_opaque, gpa, d, 16, false))
			return false;		/* ring outside RAM */
		memcpy(&addr, d, 8);		/* little-endian host */
		d[8] = (uint8_t)chunk;
		d[9] = (uint8_t)(chunk >> 8);
		d[10] = d[11] = 0;
		d[12] = RXD_STA_DD | RXD_STA_IXSM;
		d[13] = 0;
		if (off + chunk == len)
			d[12] |= RXD_STA_EOP;
		if (e->env->dma(e->env->dma_opaque, addr, e->rx_buf + off, chunk,
				true))
			d[13] = RXD_ERR_RXE;	/* buffer outside RAM */
		(void)e->env->dma(e->env->dma_opaque, gpa + 8, d + 8, 8, true);
		off += chunk;
		head = (head + 1) % n;
		e_set(e, E_RDH, head);
	}
	thr = n >> (1 + ((e_reg(e, E_RCTL) >> 8) & 3));	/* 1/2, 1/4, 1/8 */
	e1000_cause(e, ICR_RXT0 |
		    ((uint32_t)rx_free(e) <= thr ? ICR_RXDMT0 : 0));
	return true;
}

bool e1000_receive(void *opaque, const void *frame, size_t len)
{
	struct e1000 *e = opaque;
	const uint8_t *p = frame;
	size_t wire;

	if (!(e_reg(e, E_RCTL) & RCTL_EN) || len < 14 || rx_free(e) < 0 ||
	    !(e_reg(e, E_STATUS) & STATUS_LU) || !rx_filter(e, p))
		return false;
	wire = rx_wire_len(e, len);
	if ((wire > ETH_MAX && !(e_reg(e, E_RCTL) & RCTL_LPE)) ||
	    wire > sizeof(e->rx_buf)) {
		e1000_stat_add(e, ES_ROC, 1);
		return false;
	}
	memcpy(e->rx_buf, p, len);
	if (len < ETH_MIN)
		memset(e->rx_buf + len, 0, ETH_MIN - len);
	if (!(e_reg(e, E_RCTL) & RCTL_SECRC)) {
		uint32_t crc = crc32_eth(e->rx_buf, wire - 4);

		memcpy(e->rx_buf + wire - 4, &crc, 4);	/* LE, as on the wire */
	}
	if (!rx_store(e, wire)) {
		e1000_stat_add(e, ES_RNBC, 1);
		e1000_stat_add(e, ES_MPC, 1);
		e1000_cause(e, ICR_RXO);
		return false;
	}
	rx_stats(e, p, wire);
	return true;
}
