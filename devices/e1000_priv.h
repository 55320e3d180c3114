/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * e1000_priv.h --- the 82540EM's state and register map (private to
 * devices/e1000*.c)
 *
 * Register offsets and bits are the names of the Intel 8254x SDM
 * (ch. 13, "Register Descriptions").  e1000.c owns registers, EEPROM, PHY
 * and interrupts; e1000_ring.c the descriptor rings and offloads.
 */
#ifndef DUALVM_DEVICES_E1000_PRIV_H
#define DUALVM_DEVICES_E1000_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

/* Registers (byte offsets in BAR0) */
#define E_CTRL		0x0000
#define E_STATUS	0x0008
#define E_EECD		0x0010
#define E_EERD		0x0014
#define E_CTRL_EXT	0x0018
#define E_MDIC		0x0020
#define E_ICR		0x00c0
#define E_ITR		0x00c4
#define E_ICS		0x00c8
#define E_IMS		0x00d0
#define E_IMC		0x00d8
#define E_RCTL		0x0100
#define E_TCTL		0x0400
#define E_RDBAL		0x2800
#define E_RDBAH		0x2804
#define E_RDLEN		0x2808
#define E_RDH		0x2810
#define E_RDT		0x2818
#define E_TDBAL		0x3800
#define E_TDBAH		0x3804
#define E_TDLEN		0x3808
#define E_TDH		0x3810
#define E_TDT		0x3818
#define E_STATS		0x4000		/* statistics block, 64 dwords */
#define E_STATS_END	0x4100
#define E_RXCSUM	0x5000
#define E_MTA		0x5200		/* multicast table, 128 dwords */
#define E_RA		0x5400		/* RAL/RAH pairs, 16 entries */
#define E_VFTA		0x5600		/* VLAN filter table, 128 dwords */
#define E_NREGS		(E_MMIO_REGS / 4)
#define E_MMIO_REGS	0x8000		/* registers kept in regs[] */

/* Statistics (clear on read), offsets in the block */
#define ES_MPC		0x10
#define ES_PRC64	0x5c		/* ... PRC1522 0x70 */
#define ES_GPRC		0x74
#define ES_BPRC		0x78
#define ES_MPRC		0x7c
#define ES_GPTC		0x80
#define ES_GORCL	0x88
#define ES_GOTCL	0x90
#define ES_RNBC		0xa0
#define ES_RUC		0xa4
#define ES_ROC		0xac
#define ES_TORL		0xc0
#define ES_TOTL		0xc8
#define ES_TPR		0xd0
#define ES_TPT		0xd4
#define ES_PTC64	0xd8		/* ... PTC1522 0xec */
#define ES_MPTC		0xf0
#define ES_BPTC		0xf4
#define ES_TSCTC	0xf8

#define CTRL_SLU	(1u << 6)
#define CTRL_RST	(1u << 26)
#define CTRL_PHY_RST	(1u << 31)

#define STATUS_FD	(1u << 0)
#define STATUS_LU	(1u << 1)
#define STATUS_SPEED_1000 (2u << 6)

#define EECD_SK		(1u << 0)
#define EECD_CS		(1u << 1)
#define EECD_DI		(1u << 2)
#define EECD_DO		(1u << 3)
#define EECD_REQ	(1u << 6)
#define EECD_GNT	(1u << 7)
#define EECD_PRES	(1u << 8)
#define EECD_WMASK	(EECD_SK | EECD_CS | EECD_DI | EECD_REQ | 0x30)

#define EERD_START	(1u << 0)
#define EERD_DONE	(1u << 4)

#define MDIC_OP_WRITE	(1u << 26)
#define MDIC_OP_READ	(2u << 26)
#define MDIC_READY	(1u << 28)
#define MDIC_ERROR	(1u << 30)

#define ICR_TXDW	(1u << 0)
#define ICR_TXQE	(1u << 1)
#define ICR_LSC		(1u << 2)
#define ICR_RXDMT0	(1u << 4)
#define ICR_RXO		(1u << 6)
#define ICR_RXT0	(1u << 7)
#define ICR_MASK	0x0001f6dfu	/* causes the 82540EM has */

#define RCTL_EN		(1u << 1)
#define RCTL_SBP	(1u << 2)
#define RCTL_UPE	(1u << 3)
#define RCTL_MPE	(1u << 4)
#define RCTL_LPE	(1u << 5)
#define RCTL_BAM	(1u << 15)
#define RCTL_BSEX	(1u << 25)
#define RCTL_SECRC	(1u << 26)

#define TCTL_EN		(1u << 1)

#define E1000_EE_WORDS	64
#define E1000_PHY_REGS	32
#define E1000_TX_MAX	(NET_MAX_FRAME)	/* one frame or TSO context */

struct e1000_txctx {			/* a context descriptor */
	uint8_t		ipcss, ipcso;	/* IP checksum start, offset */
	uint16_t	ipcse;		/* IP checksum end (0: frame end) */
	uint8_t		tucss, tucso;	/* TCP/UDP checksum start, offset */
	uint16_t	tucse;		/* TCP/UDP checksum end (0: end) */
	uint8_t		tucmd;		/* TCP (1), IP = IPv4 (2), TSE (4) */
	uint8_t		hdrlen;		/* TSO header bytes */
	uint16_t	mss;		/* TSO segment payload bytes */
	uint32_t	paylen;		/* TSO payload bytes */
};

struct e1000 {
	struct pci_dev		*pci;		/* function 00:03.0 */
	const struct dev_env	*env;		/* DMA, clock */
	struct dev_env		envc;		/* copy env points to */
	struct netdev		*net;		/* host link or NULL */
	uint8_t			mac[NET_ETH_ALEN];	/* EEPROM address */
	uint8_t			*rom;		/* option ROM or NULL */
	size_t			rom_len;	/* bytes */
	uint32_t		regs[E_NREGS];	/* plain registers */
	uint32_t		ioaddr;		/* BAR1 IOADDR */
	uint16_t		eeprom[E1000_EE_WORDS];	/* contents */
	uint16_t		phy[E1000_PHY_REGS];	/* PHY registers */
	/* Microwire EEPROM bit-bang state (EECD) */
	unsigned int		ee_bits;	/* command bits shifted in */
	uint32_t		ee_cmd;		/* them */
	uint16_t		ee_out;		/* word being shifted out */
	unsigned int		ee_outbits;	/* bits of it left (0: none) */
	uint8_t			ee_addr;	/* word address while reading */
	bool			ee_started;	/* start bit seen */
	/* interrupts */
	int			irq_level;	/* INTA# as driven */
	uint64_t		itr_next;	/* ns: no assertion before */
	struct vtimer		itr_timer;	/* deferred assertion */
	/* transmit */
	struct e1000_txctx	ctx;		/* last context descriptor */
	uint8_t			popts;		/* options of the packet */
	bool			tse;		/* packet uses TSO */
	uint32_t		tx_len;		/* bytes gathered in tx_buf */
	bool			tx_drop;	/* packet too big: drop */
	uint32_t		tso_done;	/* TSO payload sent so far */
	uint16_t		tso_frames;	/* segments sent (IP id) */
	bool			tx_busy;	/* in e1000_tx_run() */
	uint8_t			tx_buf[E1000_TX_MAX];	/* packet gathered */
	uint8_t			seg[E1000_TX_MAX];	/* a TSO segment */
	uint8_t			rx_buf[E1000_TX_MAX + 4]; /* frame + FCS */
};

static inline uint32_t e_reg(const struct e1000 *e, uint32_t off)
{
	return e->regs[off / 4];
}

static inline void e_set(struct e1000 *e, uint32_t off, uint32_t v)
{
	e->regs[off / 4] = v;
}

/* e1000.c */
void e1000_cause(struct e1000 *e, uint32_t bits);	/* ICR |= bits */
bool e1000_dma_ok(const struct e1000 *e);		/* bus master on */
void e1000_stat_add(struct e1000 *e, uint32_t off, uint64_t n);

/* e1000_ring.c */
void e1000_tx_run(struct e1000 *e);	/* transmit TDH..TDT */
void e1000_tx_reset(struct e1000 *e);
bool e1000_can_receive(void *opaque, size_t len);
bool e1000_receive(void *opaque, const void *frame, size_t len);

#endif
