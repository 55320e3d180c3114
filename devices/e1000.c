// SPDX-License-Identifier: GPL-2.0-only
/*
 * e1000.c --- Intel 82540EM: PCI function, registers, EEPROM, PHY and
 * interrupts
 *
 * Models the register file of the Intel 8254x SDM ch. 13 for the 82540EM:
 * BAR0 is the 128 KiB register window, BAR1 the 8-byte IOADDR/IODATA
 * window onto it (ch. 13.2.2); registers not modelled read as zero and
 * ignore writes.  The 64-word Microwire EEPROM (ch. 5) holds the MAC
 * address in words 0-2, the PCI IDs and a checksum word 0x3F making the
 * sum 0xBABA; software reads it through EERD or by bit-banging EECD
 * (start bit, opcode 10b, six address bits, then sixteen data bits on DO,
 * sequential reads continuing to the next word).  MDIC reaches an
 * M88E1011-like PHY at address 1 whose link is up at 1000/full after
 * auto-negotiation.  Interrupts: ICR (clear on read), ICS, IMS, IMC; INTA#
 * follows ICR & IMS, and ITR holds off the next assertion by ITR * 256 ns
 * (ch. 13.4.18) on the virtual clock.  The rings are e1000_ring.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/e1000.h"
#include "devices/e1000_priv.h"

#define PHY_ADDR	1
#define EE_CHECKSUM	0xbaba
#define EE_READ_OP	0x2	/* Microwire READ after the start bit */
#define EE_IGNORE	99	/* ee_bits: unsupported command */

/* PHY registers (IEEE 802.3 clause 22 + Marvell specific) */
#define PHY_CTRL	0
#define PHY_STATUS	1
#define PHY_ID1		2
#define PHY_ID2		3
#define PHY_CTRL_RESET	0x8000
#define PHY_CTRL_ANRST	0x0200
#define PHY_STATUS_UP	0x796d	/* link up, AN complete, 10-1000 able */

/* ------------------------------------------------------------- interrupts */

static void e1000_update_irq(struct e1000 *e)
{
	uint64_t now = vclock_now(e->env->clock);
	int level = (e_reg(e, E_ICR) & e_reg(e, E_IMS)) != 0;

	if (level && !e->irq_level && now < e->itr_next) {
		vtimer_mod(&e->itr_timer, e->itr_next);	/* throttled */
		return;
	}
	if (level && !e->irq_level)
		e->itr_next = now + (uint64_t)(e_reg(e, E_ITR) & 0xffff) * 256;
	e->irq_level = level;
	pci_dev_set_irq(e->pci, level);
}

static void e1000_itr_fire(void *opaque)
{
	e1000_update_irq(opaque);
}

void e1000_cause(struct e1000 *e, uint32_t bits)
{
	e_set(e, E_ICR, e_reg(e, E_ICR) | (bits & ICR_MASK));
	e1000_update_irq(e);
}

bool e1000_dma_ok(const struct e1000 *e)
{
	return e->env->dma &&
	       (pci_dev_config(e->pci)[PCI_COMMAND] & PCI_COMMAND_MASTER);
}

void e1000_stat_add(struct e1000 *e, uint32_t off, uint64_t n)
{
	uint32_t *r = &e->regs[(E_STATS + off) / 4];
	uint64_t v;

	switch (off) {
	case ES_GORCL: case ES_GOTCL: case ES_TORL: case ES_TOTL:
		v = ((uint64_t)r[1] << 32 | r[0]) + n;	/* 64-bit pair */
		r[0] = (uint32_t)v;
		r[1] = (uint32_t)(v >> 32);
		break;
	default:
		r[0] = r[0] + n < r[0] ? UINT32_MAX : r[0] + (uint32_t)n;
	}
}

/* ----------------------------------------------------------------- EEPROM */

static void e1000_eeprom_fill(struct e1000 *e)
{
	uint16_t *w = e->eeprom, sum = 0;
	unsigned int i;

	memset(e->eeprom, 0, sizeof(e->eeprom));
	for (i = 0; i < 3; i++)
		w[i] = (uint16_t)(e->mac[2 * i] | e->mac[2 * i + 1] << 8);
	w[0x0a] = 0x0000;		/* init control 1: nothing special */
	w[0x0b] = E1000_DEVICE;		/* subsystem ID */
	w[0x0c] = E1000_VENDOR;		/* subsystem vendor */
	w[0x0d] = E1000_DEVICE;		/* device ID */
	w[0x0e] = E1000_VENDOR;		/* vendor ID */
	for (i = 0; i < E1000_EE_WORDS - 1; i++)
		sum += w[i];
	w[E1000_EE_WORDS - 1] = (uint16_t)(EE_CHECKSUM - sum);
}

static void ee_reset_bus(struct e1000 *e)
{
	e->ee_bits = 0;
	e->ee_cmd = 0;
	e->ee_outbits = 0;
	e->ee_started = false;
}

/* One rising edge of SK with CS asserted. */
static void ee_clock(struct e1000 *e, bool di)
{
	if (e->ee_outbits) {		/* reading: next data bit on DO */
		e->ee_outbits--;
		if (!e->ee_outbits) {	/* sequential read: next word */
			e->ee_addr = (e->ee_addr + 1) % E1000_EE_WORDS;
			e->ee_out = e->eeprom[e->ee_addr];
			e->ee_outbits = 16;
		}
		return;
	}
	if (!e->ee_started) {		/* leading zeros before the start */
		e->ee_started = di;
		return;
	}
	e->ee_cmd = e->ee_cmd << 1 | di;
	if (++e->ee_bits < 2 + 6)	/* opcode + 6 address bits */
		return;
	if ((e->ee_cmd >> 6) == EE_READ_OP) {
		e->ee_addr = e->ee_cmd & 0x3f;
		e->ee_out = e->eeprom[e->ee_addr];
		/* DO shows the dummy 0 now, bit 15 after the next rising
		 * edge: counted from 17 */
		e->ee_outbits = 17;
	} else {			/* write/erase/EWEN: not supported */
		ee_reset_bus(e);
		e->ee_bits = EE_IGNORE;	/* until CS drops */
	}
}

static uint32_t ee_do(const struct e1000 *e)
{
	if (e->ee_outbits == 0 || e->ee_outbits > 16)
		return 0;
	return (e->ee_out >> (e->ee_outbits - 1)) & 1 ? EECD_DO : 0;
}

static void e1000_eecd_write(struct e1000 *e, uint32_t v)
{
	uint32_t old = e_reg(e, E_EECD);

	v = (old & ~EECD_WMASK) | (v & EECD_WMASK);
	v = (v & EECD_REQ) ? v | EECD_GNT : v & ~EECD_GNT;
	if (!(v & EECD_CS)) {
		ee_reset_bus(e);
	} else if ((v & EECD_SK) && !(old & EECD_SK) && e->ee_bits != EE_IGNORE) {
		ee_clock(e, v & EECD_DI);
	}
	e_set(e, E_EECD, v);
}

static void e1000_eerd_write(struct e1000 *e, uint32_t v)
{
	unsigned int addr = (v >> 8) & 0xff;

	if (!(v & EERD_START)) {
		e_set(e, E_EERD, v & ~EERD_DONE);
		return;
	}
	v = (v & 0xff00) | EERD_DONE;
	if (addr < E1000_EE_WORDS)
		v |= (uint32_t)e->eeprom[addr] << 16;
	e_set(e, E_EERD, v);
}

/* -------------------------------------------------------------------- PHY */

static void e1000_phy_reset(struct e1000 *e)
{
	uint16_t *p = e->phy;

	memset(e->phy, 0, sizeof(e->phy));
	p[PHY_CTRL] = 0x1140;		/* AN enable, full duplex, 1000 */
	p[PHY_STATUS] = PHY_STATUS_UP;
	p[PHY_ID1] = 0x0141;		/* Marvell OUI */
	p[PHY_ID2] = 0x0c20;		/* 88E1011 */
	p[4] = 0x0de1;			/* AN advertisement */
	p[5] = 0x45e1;			/* link partner ability */
	p[6] = 0x0001;			/* AN expansion */
	p[9] = 0x0e00;			/* 1000BASE-T control */
	p[10] = 0x3c00;			/* 1000BASE-T status */
	p[15] = 0x3000;			/* extended status: 1000 FD/HD */
	p[16] = 0x0068;			/* PHY specific control */
	p[17] = 0xac00;			/* specific status: 1000 FD, up */
}

static void e1000_mdic_write(struct e1000 *e, uint32_t v)
{
	unsigned int reg = (v >> 16) & 0x1f, phy = (v >> 21) & 0x1f;
	uint32_t op = v & (3u << 26);

	v &= ~(MDIC_READY | MDIC_ERROR);
	if (phy != PHY_ADDR) {
		v |= MDIC_ERROR;
	} else if (op == MDIC_OP_READ) {
		v = (v & ~0xffffu) | e->phy[reg];
	} else if (op == MDIC_OP_WRITE) {
		uint16_t d = v & 0xffff;

		if (reg == PHY_CTRL && (d & PHY_CTRL_RESET)) {
			e1000_phy_reset(e);
		} else if (reg != PHY_STATUS && reg != PHY_ID1 &&
			   reg != PHY_ID2) {
			e->phy[reg] = reg == PHY_CTRL ?
				      d & ~(PHY_CTRL_RESET | PHY_CTRL_ANRST) : d;
		}
	}
	e_set(e, E_MDIC, v | MDIC_READY);
}

/* --------------------------------------------------------------- registers */

static void e1000_soft_reset(struct e1000 *e)
{
	memset(e->regs, 0, sizeof(e->regs));
	e_set(e, E_CTRL, CTRL_SLU | 0x1 /* FD */);
	e_set(e, E_STATUS, STATUS_FD | STATUS_LU | STATUS_SPEED_1000);
	e_set(e, E_EECD, EECD_PRES);
	e_set(e, E_RA, (uint32_t)(e->mac[0] | e->mac[1] << 8 |
				  e->mac[2] << 16 | (uint32_t)e->mac[3] << 24));
	e_set(e, E_RA + 4, (uint32_t)(e->mac[4] | e->mac[5] << 8) |
			   (1u << 31));	/* AV */
	e_set(e, 0x1000, 0x00000030);	/* PBA: 48 KiB RX */
	e_set(e, E_RXCSUM, 0x300);
	ee_reset_bus(e);
	e1000_phy_reset(e);
	e1000_tx_reset(e);
	vtimer_del(&e->itr_timer);
	e->itr_next = 0;
	e->irq_level = 0;
	pci_dev_set_irq(e->pci, 0);
}

static uint32_t e1000_stat_read(struct e1000 *e, uint32_t off)
{
	uint32_t v = e_reg(e, off);
	uint32_t s = off - E_STATS;

	switch (s) {
	case ES_GORCL: case ES_GOTCL: case ES_TORL: case ES_TOTL:
		return v;		/* cleared with the high half */
	case ES_GORCL + 4: case ES_GOTCL + 4: case ES_TORL + 4:
	case ES_TOTL + 4:
		e_set(e, off - 4, 0);
		break;
	}
	e_set(e, off, 0);
	return v;
}

static uint32_t e1000_reg_read(struct e1000 *e, uint32_t off)
{
	uint32_t v;

	off &= ~3u;
	if (off >= E_MMIO_REGS)
		return 0;
	switch (off) {
	case E_ICR:
		v = e_reg(e, E_ICR);
		e_set(e, E_ICR, 0);
		e1000_update_irq(e);
		return v;
	case E_EECD:
		return e_reg(e, E_EECD) | ee_do(e);
	case E_ICS: case E_IMC:
		return 0;		/* write-only */
	}
	if (off >= E_STATS && off < E_STATS_END)
		return e1000_stat_read(e, off);
	return e_reg(e, off);
}

static void e1000_ring_write(struct e1000 *e, uint32_t off, uint32_t v)
{
	switch (off) {
	case E_RDLEN: case E_TDLEN:
		v &= 0xfff80;		/* 128-byte multiple, < 1 MiB */
		break;
	case E_RDH: case E_RDT: case E_TDH: case E_TDT:
		v &= 0xffff;
		break;
	case E_RDBAL: case E_TDBAL:
		v &= ~0xfu;
		break;
	}
	e_set(e, off, v);
	if (off == E_TDT || off == E_TDLEN)
		e1000_tx_run(e);
}

static void e1000_reg_write(struct e1000 *e, uint32_t off, uint32_t v)
{
	off &= ~3u;
	if (off >= E_MMIO_REGS || (off >= E_STATS && off < E_STATS_END))
		return;
	switch (off) {
	case E_CTRL:
		if (v & CTRL_RST) {
			e1000_soft_reset(e);
			return;
		}
		/* the link is always up: LSC only when software sets link
		 * up after having it down (a cause on every CTRL write makes
		 * drivers re-check and drop the link in between) */
		if ((v & CTRL_SLU) && !(e_reg(e, E_CTRL) & CTRL_SLU))
			e1000_cause(e, ICR_LSC);
		e_set(e, off, v & ~CTRL_PHY_RST);
		if (v & CTRL_PHY_RST)
			e1000_phy_reset(e);
		return;
	case E_STATUS:
		return;
	case E_EECD:
		e1000_eecd_write(e, v);
		return;
	case E_EERD:
		e1000_eerd_write(e, v);
		return;
	case E_MDIC:
		e1000_mdic_write(e, v);
		return;
	case E_ICR:			/* write 1 to clear */
		e_set(e, E_ICR, e_reg(e, E_ICR) & ~v);
		e1000_update_irq(e);
		return;
	case E_ICS:
		e1000_cause(e, v);
		return;
	case E_IMS:
		e_set(e, E_IMS, e_reg(e, E_IMS) | (v & ICR_MASK));
		e1000_update_irq(e);
		return;
	case E_IMC:
		e_set(e, E_IMS, e_reg(e, E_IMS) & ~v);
		e1000_update_irq(e);
		return;
	case E_TCTL:
		e_set(e, off, v);
		e1000_tx_run(e);
		return;
	case E_RDBAL: case E_RDLEN: case E_RDH: case E_RDT:
	case E_TDBAL: case E_TDLEN: case E_TDH: case E_TDT:
		e1000_ring_write(e, off, v);
		return;
	}
	e_set(e, off, v);
}

static uint64_t e1000_mmio_read(void *opaque, uint64_t off, unsigned int size)
{
	return e1000_reg_read(opaque, (uint32_t)off);
}

static void e1000_mmio_write(void *opaque, uint64_t off, uint64_t val,
			     unsigned int size)
{
	e1000_reg_write(opaque, (uint32_t)off, (uint32_t)val);
}

static const struct io_ops e1000_mmio_ops = {
	.read = e1000_mmio_read, .write = e1000_mmio_write, .widths = IO_W32,
};

/* BAR1: IOADDR at 0, IODATA at 4 (other offsets reserved). */
static uint64_t e1000_io_read(void *opaque, uint64_t off, unsigned int size)
{
	struct e1000 *e = opaque;

	if (off == 0)
		return e->ioaddr;
	if (off == 4)
		return e1000_reg_read(e, e->ioaddr & (E1000_MMIO_SIZE - 1));
	return 0;
}

static void e1000_io_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned int size)
{
	struct e1000 *e = opaque;

	if (off == 0)
		e->ioaddr = (uint32_t)val & (E1000_MMIO_SIZE - 4);
	else if (off == 4)
		e1000_reg_write(e, e->ioaddr, (uint32_t)val);
}

static const struct io_ops e1000_io_ops = {
	.read = e1000_io_read, .write = e1000_io_write, .widths = IO_W32,
};

static uint64_t e1000_rom_read(void *opaque, uint64_t off, unsigned int size)
{
	struct e1000 *e = opaque;
	uint64_t val = 0;

	if (off < e->rom_len)
		memcpy(&val, e->rom + off,
		       e->rom_len - off < size ? e->rom_len - off : size);
	return val;
}

static void e1000_rom_write(void *opaque, uint64_t off, uint64_t val,
			    unsigned int size)
{
}

static const struct io_ops e1000_rom_ops = {
	.read = e1000_rom_read, .write = e1000_rom_write,
};

/* ---------------------------------------------------------------- lifecycle */

static void e1000_pci_reset(void *opaque)
{
	e1000_soft_reset(opaque);
}

static const struct pci_func_ops e1000_pci_ops = {
	.reset = e1000_pci_reset,
};

static int e1000_bars(struct e1000 *e)
{
	uint64_t rsz = 2048;
	int err;

	err = pci_dev_set_bar(e->pci, 0, E1000_MMIO_SIZE, PCI_BAR_MEM,
			      &e1000_mmio_ops, e);
	if (!err)
		err = pci_dev_set_bar(e->pci, 1, E1000_IO_SIZE, PCI_BAR_IO,
				      &e1000_io_ops, e);
	if (err || !e->rom)
		return err;
	while (rsz < e->rom_len)
		rsz <<= 1;
	return pci_dev_set_bar(e->pci, PCI_ROM_BAR, rsz, PCI_BAR_MEM,
			       &e1000_rom_ops, e);
}

static int e1000_init(void *dev, const struct dev_env *env,
		      const struct dev_cfg *cfg)
{
	const struct e1000_cfg *ec = cfg->priv;
	struct e1000 *e = dev;
	struct pci_dev_info info = {
		.vendor = E1000_VENDOR, .device = E1000_DEVICE,
		.class_code = 0x020000, .revision = 3,
		.subsys_vendor = E1000_VENDOR, .subsys_id = E1000_DEVICE,
		.int_pin = 1,
	};
	int err;

	if (!cfg->pci || !ec || ec->rom_len > (1u << 20))
		return -EINVAL;
	e->envc = *env;
	e->env = &e->envc;
	e->net = ec->net;
	memcpy(e->mac, ec->mac, sizeof(e->mac));
	if (ec->rom && ec->rom_len) {
		e->rom = malloc(ec->rom_len);
		if (!e->rom)
			return -ENOMEM;
		memcpy(e->rom, ec->rom, ec->rom_len);
		e->rom_len = ec->rom_len;
	}
	vtimer_init(&e->itr_timer, env->clock, e1000_itr_fire, e);
	e1000_eeprom_fill(e);
	err = pci_register_function(cfg->pci, E1000_DEVFN, &info,
				    &e1000_pci_ops, e, &e->pci);
	if (err)
		goto out_free_rom;
	err = e1000_bars(e);
	if (err)
		goto out_unregister;
	if (e->net)
		netdev_attach(e->net, e1000_can_receive, e1000_receive, e);
	return 0;

out_unregister:
	pci_unregister_function(e->pci);
out_free_rom:
	free(e->rom);
	return err;
}

static void e1000_fini(void *dev)
{
	struct e1000 *e = dev;

	if (e->net)
		netdev_attach(e->net, NULL, NULL, NULL);
	vtimer_del(&e->itr_timer);
	pci_unregister_function(e->pci);
	free(e->rom);
}

static void e1000_reset(void *dev)
{
	e1000_soft_reset(dev);
}

const struct dev_ops e1000_dev = {
	.name = "82540EM e1000",
	.size = sizeof(struct e1000),
	.init = e1000_init,
	.fini = e1000_fini,
	.reset = e1000_reset,
};
