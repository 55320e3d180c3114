// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_e1000.c --- qtest-style tests of the 82540EM NIC (devices/e1000.c)
 *
 * The NIC sits on a private PCI bus with 1 MiB of fake guest RAM behind a
 * bounds-checked DMA callback, a manual clock and a recording netdev.  The
 * tests program it the way a driver does (config cycles, BAR0 MMIO, BAR1
 * IOADDR/IODATA, EECD bit-banging), check frames, descriptors, checksums,
 * interrupts and statistics, and feed it hostile rings and descriptors.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/e1000_priv.h"
#include "tests/unit/devices/ide_fixture.h"

#define MMIO	0xfebc0000u
#define IOB	0xc000u
#define DEVFN	E1000_DEVFN
#define TXR	0x10000u	/* TX ring in fake RAM */
#define RXR	0x20000u	/* RX ring */
#define BUFS	0x30000u	/* packet buffers */
#define RXBUF	0x80000u	/* receive buffers, 2 KiB each */
#define NREC	64
#define TUCMD_TCP_T	0x01
#define TUCMD_IP_T	0x02

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct rec {
	struct netdev	nd;
	unsigned int	n;			/* frames sent */
	size_t		len[NREC];
	uint8_t		f[NREC][2048];
};

static void rec_send(void *be, const void *frame, size_t len)
{
	struct rec *r = be;

	if (r->n < NREC) {
		r->len[r->n] = len;
		memcpy(r->f[r->n], frame, len < 2048 ? len : 2048);
	}
	r->n++;
}

static const struct netdev_ops rec_ops = { .name = "test", .send = rec_send };

struct nic {
	struct fix	f;
	struct rec	r;
	void		*dev;
	int		pirq[4];
};

static void pirq_set(void *opaque, unsigned int pirq, int level)
{
	((struct nic *)opaque)->pirq[pirq & 3] = level;
}

static int inta(struct nic *t)
{
	/* slot 3, INTA#: PIRQ (3 + 1 - 2) & 3 = 2 */
	return t->pirq[2];
}

static uint32_t rd(struct nic *t, uint32_t off)
{
	return (uint32_t)iospace_read(t->f.mmio, MMIO + off, 4);
}

static void wr(struct nic *t, uint32_t off, uint32_t v)
{
	iospace_write(t->f.mmio, MMIO + off, v, 4);
}

static struct nic *nic_new(void)
{
	struct nic *t = calloc(1, sizeof(*t));
	struct e1000_cfg ec = { .net = &t->r.nd };

	T_ASSERT(t);
	memcpy(ec.mac, mac, 6);
	fix_init(&t->f);
	t->r.nd.ops = &rec_ops;
	t->r.nd.be = &t->r;
	pci_bus_set_pirq_router(t->f.bus, pirq_set, t);
	t->dev = fix_dev(&t->f, &e1000_dev,
			 &(struct dev_cfg){ .pci = t->f.bus, .priv = &ec });
	fix_cfg_write(&t->f, DEVFN, PCI_BAR0, MMIO, 4);
	fix_cfg_write(&t->f, DEVFN, PCI_BAR0 + 4, IOB, 4);
	fix_cfg_write(&t->f, DEVFN, PCI_COMMAND, PCI_COMMAND_IO |
		      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	return t;
}

static void nic_free(struct nic *t)
{
	dev_destroy(t->dev);
	dev_destroy(t->f.bus);
	vclock_destroy(t->f.clock);
	iospace_destroy(t->f.mmio);
	iospace_destroy(t->f.pio);
	free(t->f.ram);
	free(t);
}

static void test_pci_header(void)
{
	struct nic *t = nic_new();

	T_EQ(fix_cfg_read(&t->f, DEVFN, 0, 4), 0x100e8086u);
	T_EQ(fix_cfg_read(&t->f, DEVFN, 8, 4) >> 8, 0x020000u);
	T_EQ(fix_cfg_read(&t->f, DEVFN, PCI_INTERRUPT_PIN, 1), 1u);
	/* BAR sizing: 128 KiB memory, 64-byte I/O */
	fix_cfg_write(&t->f, DEVFN, PCI_BAR0, 0xffffffff, 4);
	T_EQ(fix_cfg_read(&t->f, DEVFN, PCI_BAR0, 4), 0xfffe0000u);
	fix_cfg_write(&t->f, DEVFN, PCI_BAR0 + 4, 0xffffffff, 4);
	T_EQ(fix_cfg_read(&t->f, DEVFN, PCI_BAR0 + 4, 4) & 0xffff, 0xffc1u);
	fix_cfg_write(&t->f, DEVFN, PCI_BAR0, MMIO, 4);
	fix_cfg_write(&t->f, DEVFN, PCI_BAR0 + 4, IOB, 4);
	/* link up at 1000/full */
	T_EQ(rd(t, E_STATUS) & 0xc3, 0x83u);
	/* IOADDR/IODATA reach the same registers */
	wr(t, E_RDBAL, 0x12340);
	fix_out(&t->f, IOB, E_RDBAL, 4);
	T_EQ(fix_in(&t->f, IOB + 4, 4), 0x12340u);
	fix_out(&t->f, IOB + 4, 0x5670, 4);
	T_EQ(rd(t, E_RDBAL), 0x5670u);
	nic_free(t);
}

static uint16_t eerd(struct nic *t, unsigned int a)
{
	uint32_t v;

	wr(t, E_EERD, a << 8 | EERD_START);
	v = rd(t, E_EERD);
	T_ASSERT(v & EERD_DONE);
	return (uint16_t)(v >> 16);
}

static void test_eeprom_eerd(void)
{
	struct nic *t = nic_new();
	uint16_t sum = 0;
	unsigned int i;

	T_EQ(eerd(t, 0), 0x5452u);
	T_EQ(eerd(t, 1), 0x1200u);
	T_EQ(eerd(t, 2), 0x5634u);
	for (i = 0; i < 64; i++)
		sum += eerd(t, i);
	T_EQ(sum, 0xbabau);
	T_EQ(eerd(t, 200), 0u);		/* past the end: zero, still done */
	/* RAL/RAH come up with the EEPROM address, valid */
	T_EQ(rd(t, E_RA), 0x12005452u);
	T_EQ(rd(t, E_RA + 4), 0x80005634u);
	nic_free(t);
}

/* Microwire as a driver bit-bangs it: REQ/GNT, CS, start, opcode, addr. */
static void ee_bit_out(struct nic *t, unsigned int bit)
{
	uint32_t v = EECD_REQ | EECD_CS | (bit ? EECD_DI : 0);

	wr(t, E_EECD, v);
	wr(t, E_EECD, v | EECD_SK);
	wr(t, E_EECD, v);
}

static uint16_t ee_bang(struct nic *t, unsigned int addr)
{
	uint16_t d = 0;
	int i;

	wr(t, E_EECD, EECD_REQ);
	T_ASSERT(rd(t, E_EECD) & EECD_GNT);
	T_ASSERT(rd(t, E_EECD) & EECD_PRES);
	wr(t, E_EECD, EECD_REQ | EECD_CS);
	ee_bit_out(t, 1);		/* start */
	ee_bit_out(t, 1);		/* READ = 10b */
	ee_bit_out(t, 0);
	for (i = 5; i >= 0; i--)
		ee_bit_out(t, addr >> i & 1);
	for (i = 0; i < 16; i++) {
		wr(t, E_EECD, EECD_REQ | EECD_CS | EECD_SK);
		d = (uint16_t)(d << 1 | !!(rd(t, E_EECD) & EECD_DO));
		wr(t, E_EECD, EECD_REQ | EECD_CS);
	}
	wr(t, E_EECD, EECD_REQ);	/* CS off: next command */
	wr(t, E_EECD, 0);
	T_ASSERT(!(rd(t, E_EECD) & EECD_GNT));
	return d;
}

static void test_eeprom_bitbang(void)
{
	struct nic *t = nic_new();
	unsigned int i;

	for (i = 0; i < 3; i++)
		T_EQ(ee_bang(t, i), eerd(t, i));
	T_EQ(ee_bang(t, 0x3f), eerd(t, 0x3f));
	T_EQ(ee_bang(t, 0x0e), 0x8086u);
	nic_free(t);
}

static uint16_t mdic(struct nic *t, unsigned int reg, int wrval)
{
	uint32_t v = 1u << 21 | reg << 16 |
		     (wrval < 0 ? MDIC_OP_READ : MDIC_OP_WRITE | (uint32_t)wrval);

	wr(t, E_MDIC, v);
	v = rd(t, E_MDIC);
	T_ASSERT(v & MDIC_READY);
	T_ASSERT(!(v & MDIC_ERROR));
	return (uint16_t)v;
}

static void test_phy(void)
{
	struct nic *t = nic_new();

	T_EQ(mdic(t, 2, -1), 0x0141u);
	T_EQ(mdic(t, 3, -1) & 0xfff0, 0x0c20u);
	T_ASSERT(mdic(t, 1, -1) & 0x0004);	/* link status */
	T_ASSERT(mdic(t, 1, -1) & 0x0020);	/* AN complete */
	mdic(t, 4, 0x01e1);
	T_EQ(mdic(t, 4, -1), 0x01e1u);
	mdic(t, 0, 0x1340);			/* restart AN: self-clearing */
	T_EQ(mdic(t, 0, -1), 0x1140u);
	mdic(t, 0, 0x8000);			/* PHY reset: defaults back */
	T_EQ(mdic(t, 4, -1), 0x0de1u);
	wr(t, E_MDIC, 2u << 21 | MDIC_OP_READ);	/* no PHY at address 2 */
	T_ASSERT(rd(t, E_MDIC) & MDIC_ERROR);
	nic_free(t);
}

static void test_interrupts_itr(void)
{
	struct nic *t = nic_new();

	rd(t, E_ICR);
	wr(t, E_ICS, ICR_RXT0);
	T_EQ(inta(t), 0);			/* masked */
	wr(t, E_IMS, ICR_RXT0 | ICR_TXDW);
	T_EQ(inta(t), 1);
	T_EQ(rd(t, E_IMS), ICR_RXT0 | ICR_TXDW);
	T_EQ(rd(t, E_ICR), ICR_RXT0);		/* read clears */
	T_EQ(inta(t), 0);
	T_EQ(rd(t, E_ICR), 0u);
	wr(t, E_ICS, ICR_TXDW);
	T_EQ(inta(t), 1);
	wr(t, E_IMC, ICR_TXDW);
	T_EQ(inta(t), 0);
	T_EQ(rd(t, E_ICR), ICR_TXDW);
	/* ITR: 1000 * 256 ns = 256 us between assertions */
	wr(t, E_IMS, ICR_TXDW);
	wr(t, E_ITR, 1000);
	wr(t, E_ICS, ICR_TXDW);
	T_EQ(inta(t), 1);
	rd(t, E_ICR);
	T_EQ(inta(t), 0);
	wr(t, E_ICS, ICR_TXDW);
	T_EQ(inta(t), 0);			/* held off */
	vclock_advance(t->f.clock, 200000);
	T_EQ(inta(t), 0);
	vclock_advance(t->f.clock, 56000);
	T_EQ(inta(t), 1);			/* at 256 us */
	/* LSC only when software brings the link up, not on every CTRL
	 * write (drivers re-check the link on LSC) */
	rd(t, E_ICR);
	wr(t, E_CTRL, rd(t, E_CTRL) | CTRL_SLU);
	T_EQ(rd(t, E_ICR) & ICR_LSC, 0u);
	wr(t, E_CTRL, rd(t, E_CTRL) & ~CTRL_SLU);
	wr(t, E_CTRL, rd(t, E_CTRL) | CTRL_SLU);
	T_EQ(rd(t, E_ICR) & ICR_LSC, ICR_LSC);
	/* INTx disable in the command register masks the pin */
	fix_cfg_write(&t->f, DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY |
		      PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE, 2);
	T_EQ(inta(t), 0);
	nic_free(t);
}

/* ------------------------------------------------------------- transmit */

static void put_desc(struct nic *t, uint32_t ring, unsigned int i,
		     const uint8_t d[16])
{
	memcpy(t->f.ram + ring + 16 * i, d, 16);
}

static void legacy_desc(uint8_t d[16], uint64_t addr, uint16_t len,
			uint8_t cmd, uint8_t cso, uint8_t css)
{
	memset(d, 0, 16);
	memcpy(d, &addr, 8);
	d[8] = (uint8_t)len;
	d[9] = (uint8_t)(len >> 8);
	d[10] = cso;
	d[11] = cmd;
	d[13] = css;
}

static void tx_setup(struct nic *t, unsigned int n)
{
	wr(t, E_TDBAL, TXR);
	wr(t, E_TDBAH, 0);
	wr(t, E_TDLEN, n * 16);
	wr(t, E_TDH, 0);
	wr(t, E_TDT, 0);
	wr(t, E_TCTL, TCTL_EN);
}

static void test_tx_legacy(void)
{
	struct nic *t = nic_new();
	uint8_t d[16];
	unsigned int i;

	for (i = 0; i < 100; i++)
		t->f.ram[BUFS + i] = (uint8_t)i;
	tx_setup(t, 8);
	/* a frame in two buffers, then a one-buffer frame */
	legacy_desc(d, BUFS, 40, 0x08, 0, 0);
	put_desc(t, TXR, 0, d);
	legacy_desc(d, BUFS + 40, 30, 0x08 | 0x01 | 0x02, 0, 0);
	put_desc(t, TXR, 1, d);
	legacy_desc(d, BUFS, 64, 0x08 | 0x01, 0, 0);
	put_desc(t, TXR, 2, d);
	wr(t, E_IMS, ICR_TXDW);
	wr(t, E_TDT, 3);
	T_EQ(t->r.n, 2u);
	T_EQ(t->r.len[0], 70u);
	T_EQ(t->r.len[1], 64u);
	T_ASSERT(!memcmp(t->r.f[0], t->f.ram + BUFS, 70));
	T_EQ(rd(t, E_TDH), 3u);
	for (i = 0; i < 3; i++)
		T_ASSERT(t->f.ram[TXR + 16 * i + 12] & 1);	/* DD */
	T_EQ(inta(t), 1);
	T_ASSERT(rd(t, E_ICR) & ICR_TXDW);
	T_EQ(rd(t, E_STATS + ES_TPT), 2u);
	T_EQ(rd(t, E_STATS + ES_GPTC), 2u);
	T_EQ(rd(t, E_STATS + ES_GOTCL), 70u + 64 + 8);
	T_EQ(rd(t, E_STATS + ES_GOTCL + 4), 0u);
	T_EQ(rd(t, E_STATS + ES_GOTCL), 0u);	/* cleared with the high */
	T_EQ(rd(t, E_STATS + ES_TPT), 0u);	/* clear on read */
	/* TCTL.EN off: nothing goes out until it is set */
	wr(t, E_TCTL, 0);
	legacy_desc(d, BUFS, 60, 0x09, 0, 0);
	put_desc(t, TXR, 3, d);
	wr(t, E_TDT, 4);
	T_EQ(t->r.n, 2u);
	wr(t, E_TCTL, TCTL_EN);
	T_EQ(t->r.n, 3u);
	nic_free(t);
}

/* An Ethernet + IPv4 + TCP frame with @pay payload bytes at @p. */
static size_t build_tcp(uint8_t *p, size_t pay)
{
	size_t i;

	memset(p, 0, 54);
	memcpy(p, "\x52\x55\x0a\x00\x02\x02", 6);
	memcpy(p + 6, mac, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[22] = 64;
	p[23] = 6;
	memcpy(p + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	p[34] = 0x12; p[35] = 0x34; p[36] = 0x00; p[37] = 80;
	p[38] = 0x01; p[39] = 0x00; p[40] = 0x00; p[41] = 0x00;	/* seq */
	p[46] = 0x50;
	p[47] = 0x18;				/* PSH ACK */
	for (i = 0; i < pay; i++)
		p[54 + i] = (uint8_t)(i * 7);
	return 54 + pay;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* True when the IPv4 and TCP checksums of frame @p verify. */
static bool frame_csums_ok(const uint8_t *p, size_t len)
{
	uint32_t s;
	size_t tcplen = len - 34;

	if (fold(sum16(p + 14, 20, 0)) != 0xffff)
		return false;
	s = sum16(p + 26, 8, 0) + 6 + (uint32_t)tcplen;
	return fold(sum16(p + 34, tcplen, s)) == 0xffff;
}

static void ctx_desc(uint8_t d[16], uint8_t tucmd, uint8_t hdrlen,
		     uint16_t mss, uint32_t paylen)
{
	memset(d, 0, 16);
	d[0] = 14;			/* IPCSS */
	d[1] = 24;			/* IPCSO */
	d[2] = 33;			/* IPCSE */
	d[4] = 34;			/* TUCSS */
	d[5] = 50;			/* TUCSO */
	d[8] = (uint8_t)paylen;
	d[9] = (uint8_t)(paylen >> 8);
	d[10] = (uint8_t)((paylen >> 16) & 0xf);	/* DTYP 0 */
	d[11] = 0x20 | tucmd;		/* DEXT, TUCMD */
	d[13] = hdrlen;
	d[14] = (uint8_t)mss;
	d[15] = (uint8_t)(mss >> 8);
}

static void data_desc(uint8_t d[16], uint64_t addr, uint32_t len,
		      uint8_t dcmd, uint8_t popts)
{
	memset(d, 0, 16);
	memcpy(d, &addr, 8);
	d[8] = (uint8_t)len;
	d[9] = (uint8_t)(len >> 8);
	d[10] = (uint8_t)(0x10 | ((len >> 16) & 0xf));	/* DTYP 1 */
	d[11] = (uint8_t)(0x20 | dcmd);
	d[13] = popts;
}

static void test_tx_checksum_offload(void)
{
	struct nic *t = nic_new();
	uint8_t *p = t->f.ram + BUFS, d[16];
	size_t len = build_tcp(p, 101);
	uint32_t ps;

	p[16] = (uint8_t)((len - 14) >> 8);	/* IP total length */
	p[17] = (uint8_t)(len - 14);
	/* the driver seeds the TCP field with the pseudo-header sum */
	ps = fold(sum16(p + 26, 8, 0) + 6 + (uint32_t)(len - 34));
	p[50] = (uint8_t)(ps >> 8);
	p[51] = (uint8_t)ps;
	tx_setup(t, 8);
	ctx_desc(d, TUCMD_IP_T | TUCMD_TCP_T, 0, 0, 0);
	put_desc(t, TXR, 0, d);
	data_desc(d, BUFS, 20, 0x08, 0x03);	/* IXSM | TXSM */
	put_desc(t, TXR, 1, d);
	data_desc(d, BUFS + 20, (uint32_t)len - 20, 0x08 | 0x01, 0);
	put_desc(t, TXR, 2, d);
	wr(t, E_TDT, 3);
	T_EQ(t->r.n, 1u);
	T_EQ(t->r.len[0], len);
	T_ASSERT(frame_csums_ok(t->r.f[0], len));
	/* legacy IC: CSS = 34, CSO = 50 over a fresh frame */
	len = build_tcp(p, 10);
	p[16] = 0; p[17] = (uint8_t)(len - 14);
	p[24] = 0; p[25] = 0;
	ps = fold(sum16(p + 26, 8, 0) + 6 + (uint32_t)(len - 34));
	p[50] = (uint8_t)(ps >> 8);
	p[51] = (uint8_t)ps;
	legacy_desc(d, BUFS, (uint16_t)len, 0x08 | 0x01 | 0x04, 50, 34);
	put_desc(t, TXR, 3, d);
	wr(t, E_TDT, 0);
	T_EQ(t->r.n, 2u);
	T_EQ(fold(sum16(t->r.f[1] + 34, len - 34,
			sum16(t->r.f[1] + 26, 8, 0) + 6 + (uint32_t)(len - 34))),
	     0xffffu);
	nic_free(t);
}

static void test_tx_tso(void)
{
	struct nic *t = nic_new();
	uint8_t *p = t->f.ram + BUFS, d[16];
	size_t i;
	uint32_t ps;

	build_tcp(p, 2500);
	p[16] = p[17] = 0;			/* the driver zeroes these */
	p[18] = 0x10; p[19] = 0x00;		/* IP id 0x1000 */
	ps = fold(sum16(p + 26, 8, 0) + 6);	/* pseudo, no length */
	p[50] = (uint8_t)(ps >> 8);
	p[51] = (uint8_t)ps;
	p[47] |= 0x01;				/* FIN on the last only */
	tx_setup(t, 8);
	ctx_desc(d, TUCMD_IP_T | TUCMD_TCP_T | 0x04, 54, 1000, 2500);
	put_desc(t, TXR, 0, d);
	data_desc(d, BUFS, 54, 0x04, 0x03);	/* TSE, IXSM | TXSM */
	put_desc(t, TXR, 1, d);
	data_desc(d, BUFS + 54, 2500, 0x04 | 0x08 | 0x01, 0x03);
	put_desc(t, TXR, 2, d);
	wr(t, E_TDT, 3);
	T_EQ(t->r.n, 3u);
	for (i = 0; i < 3; i++) {
		const uint8_t *f = t->r.f[i];
		size_t want = 54 + (i < 2 ? 1000 : 500);
		uint32_t seq = 0x01000000u + 1000 * (uint32_t)i;

		T_EQ(t->r.len[i], want);
		T_EQ((size_t)(f[16] << 8 | f[17]), want - 14);
		T_EQ((unsigned int)(f[18] << 8 | f[19]), 0x1000u + i);
		T_EQ((uint32_t)f[38] << 24 | (uint32_t)f[39] << 16 |
		     (uint32_t)f[40] << 8 | f[41], seq);
		T_EQ(f[47] & 0x09, i == 2 ? 0x09 : 0);
		T_ASSERT(frame_csums_ok(f, want));
		T_ASSERT(!memcmp(f + 54, p + 54 + 1000 * i, want - 54));
	}
	T_EQ(rd(t, E_STATS + ES_TSCTC), 1u);
	nic_free(t);
}

/* -------------------------------------------------------------- receive */

static void rx_setup(struct nic *t, unsigned int n, uint32_t rctl)
{
	unsigned int i;
	uint8_t d[16];

	for (i = 0; i < n; i++) {
		legacy_desc(d, RXBUF + 2048 * i, 0, 0, 0, 0);
		put_desc(t, RXR, i, d);
	}
	wr(t, E_RDBAL, RXR);
	wr(t, E_RDLEN, n * 16);
	wr(t, E_RDH, 0);
	wr(t, E_RDT, n - 1);
	wr(t, E_RCTL, rctl);
}

static bool deliver(struct nic *t, const uint8_t *dst, size_t len)
{
	uint8_t f[1600] = { 0 };

	memcpy(f, dst, 6);
	memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02", 6);
	f[12] = 0x08;
	f[14] = 0xab;
	return netdev_deliver(&t->r.nd, f, len);
}

static void test_rx_filters(void)
{
	struct nic *t = nic_new();
	static const uint8_t other[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *desc = t->f.ram + RXR;
	uint32_t h;

	rx_setup(t, 8, RCTL_EN);
	wr(t, E_IMS, ICR_RXT0);
	T_ASSERT(deliver(t, mac, 100));
	T_EQ(rd(t, E_RDH), 1u);
	T_EQ(desc[8] | desc[9] << 8, 104);		/* + FCS */
	T_EQ(desc[12], 0x07);				/* DD EOP IXSM */
	T_ASSERT(!memcmp(t->f.ram + RXBUF, mac, 6));
	T_EQ(t->f.ram[RXBUF + 14], 0xab);
	T_EQ(inta(t), 1);
	/* a short frame is padded to 60 + FCS */
	deliver(t, mac, 42);
	T_EQ(desc[16 + 8], 64);
	/* not ours, broadcast without BAM, multicast not in the table */
	deliver(t, other, 100);
	deliver(t, bcast, 100);
	deliver(t, mcast, 100);
	T_EQ(rd(t, E_RDH), 2u);
	wr(t, E_RCTL, RCTL_EN | RCTL_BAM);
	deliver(t, bcast, 100);
	T_EQ(rd(t, E_RDH), 3u);
	/* MO = 0: bits 47:36 of the address */
	h = (mcast[4] >> 4 | (uint32_t)mcast[5] << 4) & 0xfff;
	wr(t, E_MTA + 4 * (h >> 5), 1u << (h & 31));
	deliver(t, mcast, 100);
	T_EQ(rd(t, E_RDH), 4u);
	/* a second exact address in RA[1] */
	wr(t, E_RA + 8, 0x00005452);
	wr(t, E_RA + 12, 0x80000100);
	deliver(t, other, 100);
	T_EQ(rd(t, E_RDH), 5u);
	wr(t, E_RA + 12, 0);
	/* SECRC strips the FCS; UPE takes any unicast */
	wr(t, E_RCTL, RCTL_EN | RCTL_UPE | RCTL_SECRC);
	deliver(t, (const uint8_t *)"\x02\x00\x00\x00\x00\x09", 100);
	T_EQ(rd(t, E_RDH), 6u);
	T_EQ(desc[5 * 16 + 8], 100);
	T_EQ(rd(t, E_STATS + ES_GPRC), 6u);
	T_EQ(rd(t, E_STATS + ES_BPRC), 1u);
	T_EQ(rd(t, E_STATS + ES_MPRC), 1u);
	/* ring full (RDH 6, RDT 7 leaves one): the frame waits */
	T_ASSERT(deliver(t, mac, 100));
	T_ASSERT(!deliver(t, mac, 100));
	T_EQ(rd(t, E_RDH), 7u);
	wr(t, E_RDT, 3);			/* the guest frees four */
	T_ASSERT(deliver(t, mac, 100));
	T_ASSERT(rd(t, E_ICR) & ICR_RXDMT0);
	/* a frame bigger than 2048 spans descriptors when LPE is on */
	wr(t, E_RCTL, RCTL_EN | RCTL_LPE | (3u << 16));	/* 256-byte bufs */
	T_ASSERT(deliver(t, mac, 600));
	T_EQ(rd(t, E_RDH), 3u);			/* 604 bytes: 3 buffers */
	T_EQ(desc[16 * 2 + 12] & 2, 2);		/* EOP on the last */
	T_EQ(desc[16 * 1 + 12] & 2, 0);
	nic_free(t);
}

static void test_reset(void)
{
	struct nic *t = nic_new();

	wr(t, E_IMS, 0xff);
	wr(t, E_RCTL, RCTL_EN);
	wr(t, E_CTRL, CTRL_RST);
	T_EQ(rd(t, E_IMS), 0u);
	T_EQ(rd(t, E_RCTL), 0u);
	T_EQ(rd(t, E_CTRL) & CTRL_RST, 0u);
	T_EQ(eerd(t, 0), 0x5452u);
	T_EQ(rd(t, E_STATUS) & STATUS_LU, STATUS_LU);
	nic_free(t);
}

/* ----------------------------------------------------- hostile guests */

static void test_hostile_rings(void)
{
	struct nic *t = nic_new();
	uint8_t d[16];
	unsigned int i;

	/* rings outside RAM, at the top of the 64-bit space */
	wr(t, E_TDBAL, 0xfffffff0);
	wr(t, E_TDBAH, 0xffffffff);
	wr(t, E_TDLEN, 0xffffffff);
	wr(t, E_TCTL, TCTL_EN);
	wr(t, E_TDT, 5);
	T_EQ(t->r.n, 0u);
	wr(t, E_RDBAL, 0xfffffff0);
	wr(t, E_RDBAH, 0xffffffff);
	wr(t, E_RDLEN, 0xffffffff);
	wr(t, E_RDT, 100);
	wr(t, E_RCTL, RCTL_EN | RCTL_UPE);
	T_ASSERT(deliver(t, mac, 100) || true);
	/* zero-length rings, head/tail past the end */
	wr(t, E_TDBAH, 0);
	wr(t, E_TDBAL, TXR);
	wr(t, E_TDLEN, 0);
	wr(t, E_TDT, 7);
	wr(t, E_TDLEN, 128);
	wr(t, E_TDH, 5000);
	wr(t, E_TDT, 0xffff);
	T_EQ(t->r.n, 0u);
	wr(t, E_RDBAH, 0);
	wr(t, E_RDLEN, 0);
	T_ASSERT(deliver(t, mac, 100));		/* dropped, not kept */
	wr(t, E_RDLEN, 128);
	wr(t, E_RDH, 9999);
	T_ASSERT(deliver(t, mac, 100));
	/* descriptors: buffers outside RAM, maximal lengths, bad types,
	 * a TSO context with MSS 0 and a header longer than the packet */
	wr(t, E_TDH, 0);
	wr(t, E_TDT, 0);
	for (i = 0; i < 8; i++) {
		switch (i % 4) {
		case 0: legacy_desc(d, 0xfffffffffff0ull, 0xffff, 0x0b, 0xff,
				    0xff); break;
		case 1: ctx_desc(d, 0x07, 255, (uint16_t)(i * 3), 0xfffff);
			break;
		case 2: data_desc(d, BUFS, 0xfffff, 0x0d, 0x03); break;
		default: data_desc(d, 0, 20, 0x0d, 0x03);
		}
		put_desc(t, TXR, i, d);
	}
	wr(t, E_TDT, 7);
	T_EQ(rd(t, E_TDH), 7u);
	/* a ring whose buffers all point at the ring itself */
	for (i = 0; i < 8; i++) {
		legacy_desc(d, TXR, 16 * 8, 0x0b, 0, 0);
		put_desc(t, TXR, i, d);
	}
	wr(t, E_TDT, 6);
	T_ASSERT(t->r.n <= 8);
	/* receive buffers outside RAM: RXE in the descriptor, no crash */
	for (i = 0; i < 8; i++) {
		legacy_desc(d, 0xffffffffffffff00ull, 0, 0, 0, 0);
		put_desc(t, RXR, i, d);
	}
	wr(t, E_RDBAL, RXR);
	wr(t, E_RDLEN, 128);
	wr(t, E_RDH, 0);
	wr(t, E_RDT, 4);
	T_ASSERT(deliver(t, mac, 100));
	T_EQ(t->f.ram[RXR + 13], 0x80);
	nic_free(t);
}

/* Random register writes and random RAM: every call returns. */
static void test_hostile_random(void)
{
	struct nic *t = nic_new();
	static const uint32_t regs[] = {
		E_CTRL, E_EECD, E_EERD, E_MDIC, E_ICS, E_IMS, E_IMC, E_ITR,
		E_RCTL, E_TCTL, E_RDBAL, E_RDBAH, E_RDLEN, E_RDH, E_RDT,
		E_TDBAL, E_TDBAH, E_TDLEN, E_TDH, E_TDT, E_MTA, E_RA + 4,
	};
	uint32_t seed = 12345, x;
	unsigned int i, k;

	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		x = seed >> 8;
		switch (x % 8) {
		case 0:
			k = (x >> 3) % (sizeof(regs) / 4);
			/* keep the rings mostly inside RAM */
			wr(t, regs[k], regs[k] == E_TDBAL || regs[k] == E_RDBAL ?
			   (seed & 0xff000) : regs[k] == E_TDBAH ||
			   regs[k] == E_RDBAH ? 0 : seed * 2654435761u);
			break;
		case 1:
			t->f.ram[(seed * 7u) % FIX_RAM_SIZE] = (uint8_t)seed;
			memcpy(t->f.ram + (x % (FIX_RAM_SIZE - 4)), &seed, 4);
			break;
		case 2:
			deliver(t, (x & 1) ? mac : (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
				14 + x % 1500);
			break;
		case 3:
			rd(t, (x >> 3) & 0x1fffc);
			break;
		case 4:
			wr(t, (x >> 3) & 0x1fffc, seed);
			break;
		case 5:
			vclock_advance(t->f.clock, x % 100000);
			break;
		default:
			wr(t, E_TDT, x % 64);
		}
	}
	T_ASSERT(1);
	nic_free(t);
}

static const struct t_case cases[] = {
	T_CASE(test_pci_header),
	T_CASE(test_eeprom_eerd),
	T_CASE(test_eeprom_bitbang),
	T_CASE(test_phy),
	T_CASE(test_interrupts_itr),
	T_CASE(test_tx_legacy),
	T_CASE(test_tx_checksum_offload),
	T_CASE(test_tx_tso),
	T_CASE(test_rx_filters),
	T_CASE(test_reset),
	T_CASE(test_hostile_rings),
	T_CASE(test_hostile_random),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
