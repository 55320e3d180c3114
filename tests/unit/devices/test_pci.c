// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pci.c --- PCI bus (mechanism #1, BARs, INTx), i440FX and PIIX3
 *
 * Everything goes through port I/O on a private iospace, as a guest would.
 */
#include "tests/unit/devices/ide_fixture.h"

struct pam_log {
	unsigned int	n;		/* callbacks seen */
	unsigned int	mode[I440FX_PAM_REGIONS];	/* last mode */
};

static void pam_cb(void *opaque, unsigned int region, unsigned int mode)
{
	struct pam_log *l = opaque;

	l->n++;
	if (region < I440FX_PAM_REGIONS)
		l->mode[region] = mode;
}

/* A fake function with an I/O and a memory BAR. */
struct fake_fn {
	uint8_t		regs[4096];
	unsigned int	moved;
	uint64_t	last_addr[PCI_NUM_BARS];
};

static uint64_t fake_read(void *opaque, uint64_t off, unsigned int size)
{
	struct fake_fn *f = opaque;

	return f->regs[off % 4096];
}

static void fake_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	struct fake_fn *f = opaque;

	f->regs[off % 4096] = (uint8_t)val;
}

static const struct io_ops fake_ops = { .read = fake_read,
					.write = fake_write };

static void fake_moved(void *opaque, unsigned int bar, uint64_t addr)
{
	struct fake_fn *f = opaque;

	f->moved++;
	f->last_addr[bar] = addr;
}

static const struct pci_func_ops fake_fn_ops = { .bar_moved = fake_moved };

static struct pci_dev *fake_add(struct fix *f, struct fake_fn *fn,
				unsigned int devfn, uint8_t pin)
{
	struct pci_dev_info info = {
		.vendor = 0x1234, .device = 0x1111, .class_code = 0x030000,
		.int_pin = pin,
	};
	struct pci_dev *d;

	T_EQ(pci_register_function(f->bus, devfn, &info, &fake_fn_ops, fn, &d),
	     0);
	T_EQ(pci_dev_set_bar(d, 0, 16, PCI_BAR_IO, &fake_ops, fn), 0);
	T_EQ(pci_dev_set_bar(d, 1, 4096, PCI_BAR_MEM, &fake_ops, fn), 0);
	return d;
}

static void test_pci_ids_and_mechanism1(void)
{
	struct fix f;
	struct i440fx *h;
	struct piix3 *p;
	fix_init(&f);
	h = fix_dev(&f, &i440fx_dev, &(struct dev_cfg){ .pci = f.bus });
	p = fix_dev(&f, &piix3_dev, &(struct dev_cfg){ .pci = f.bus });
	T_EQ(fix_cfg_read(&f, 0, 0, 4), 0x12378086);
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(1, 0), 0, 4), 0x70008086);
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(1, 0), 2, 2), 0x7000);
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(1, 0), 3, 1), 0x70);
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(1, 0), 0x08, 4) >> 8, 0x060100);
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(1, 0), 0x0e, 1), 0x80);
	T_EQ(fix_cfg_read(&f, 0, 0x08, 4) >> 8, 0x060000);
	/* absent functions and other buses read all ones */
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(5, 0), 0, 4), 0xffffffff);
	T_EQ(fix_cfg_read(&f, PCI_DEVFN(5, 0), 0, 2), 0xffff);
	fix_out(&f, 0xcf8, 0x80010000, 4);
	T_EQ(fix_in(&f, 0xcfc, 4), 0xffffffff);
	/* CONFIG_ADDRESS reads back; without the enable bit no cycle */
	fix_out(&f, 0xcf8, 0x80000008, 4);
	T_EQ(fix_in(&f, 0xcf8, 4), 0x80000008);
	fix_out(&f, 0xcf8, 0x00000000, 4);
	T_EQ(fix_in(&f, 0xcfc, 4), 0xffffffff);
	/* accesses other than a dword at 0xCF8 are not CONFIG_ADDRESS */
	T_EQ(iospace_read(f.pio, 0xcf8, 8), UINT64_MAX);
	T_EQ(fix_in(&f, 0xcf8, 2), 0xffff);
	/* read-only IDs ignore writes */
	fix_cfg_write(&f, 0, 0, 0xdeadbeef, 4);
	T_EQ(fix_cfg_read(&f, 0, 0, 4), 0x12378086);
	dev_destroy(p);
	dev_destroy(h);
	dev_destroy(f.bus);
}

static void test_pci_bar_sizing_and_decode(void)
{
	struct fix f;
	struct fake_fn fn = {0};
	unsigned int devfn = PCI_DEVFN(3, 0);
	struct pci_dev *d;

	fix_init(&f);
	d = fake_add(&f, &fn, devfn, 1);
	T_EQ(fix_cfg_read(&f, devfn, 0x10, 4), 0x1);
	fix_cfg_write(&f, devfn, 0x10, 0xffffffff, 4);
	T_EQ(fix_cfg_read(&f, devfn, 0x10, 4), 0xfffffff1);
	fix_cfg_write(&f, devfn, 0x14, 0xffffffff, 4);
	T_EQ(fix_cfg_read(&f, devfn, 0x14, 4), 0xfffff000);
	/* undeclared BAR reads 0 */
	fix_cfg_write(&f, devfn, 0x18, 0xffffffff, 4);
	T_EQ(fix_cfg_read(&f, devfn, 0x18, 4), 0);
	fix_cfg_write(&f, devfn, 0x10, 0xc000, 4);
	fix_cfg_write(&f, devfn, 0x14, 0xfebf0000, 4);
	T_ASSERT(!iospace_claimed(f.pio, 0xc000));	/* decode off */
	fix_cfg_write(&f, devfn, 0x04, PCI_COMMAND_IO, 2);
	T_ASSERT(iospace_claimed(f.pio, 0xc000));
	T_ASSERT(iospace_claimed(f.pio, 0xc00f));
	T_ASSERT(!iospace_claimed(f.pio, 0xc010));
	T_ASSERT(!iospace_claimed(f.mmio, 0xfebf0000));
	fix_out(&f, 0xc003, 0x5a, 1);
	T_EQ(fn.regs[3], 0x5a);
	T_EQ(fn.last_addr[0], 0xc000);
	/* move it while decoding */
	fix_cfg_write(&f, devfn, 0x10, 0xd001, 4);
	T_ASSERT(!iospace_claimed(f.pio, 0xc000));
	T_ASSERT(iospace_claimed(f.pio, 0xd000));
	T_EQ(pci_dev_bar_addr(d, 0), 0xd000);
	fix_cfg_write(&f, devfn, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
	T_ASSERT(iospace_claimed(f.mmio, 0xfebf0000));
	T_ASSERT(iospace_claimed(f.mmio, 0xfebf0fff));
	T_EQ(iospace_read(f.mmio, 0xfebf0003, 1), 0x5a);
	fix_cfg_write(&f, devfn, 0x04, 0, 2);
	T_ASSERT(!iospace_claimed(f.pio, 0xd000));
	T_ASSERT(!iospace_claimed(f.mmio, 0xfebf0000));
	T_EQ(fn.last_addr[1], PCI_BAR_UNMAPPED);
	/* bus reset clears BARs */
	fix_cfg_write(&f, devfn, 0x04, PCI_COMMAND_IO, 2);
	T_ASSERT(iospace_claimed(f.pio, 0xd000));
	dev_reset(f.bus);
	T_ASSERT(!iospace_claimed(f.pio, 0xd000));
	T_EQ(fix_cfg_read(&f, devfn, 0x10, 4), 0x1);
	T_EQ(fix_cfg_read(&f, devfn, 0x04, 2), 0);
	dev_destroy(f.bus);
}

static void test_pci_intx_pirq_routing(void)
{
	struct fix f;
	struct fake_fn fn = {0};
	struct piix3 *p;
	struct dev_cfg pc = {0};
	struct pci_dev *d;
	unsigned int devfn = PCI_DEVFN(3, 0);

	fix_init(&f);
	pc.pci = f.bus;
	memcpy(pc.irq, f.isa, sizeof(f.isa));
	p = fix_dev(&f, &piix3_dev, &pc);
	d = fake_add(&f, &fn, devfn, 1);
	T_EQ(fix_cfg_read(&f, devfn, PCI_INTERRUPT_PIN, 1), 1);
	fix_cfg_write(&f, devfn, PCI_INTERRUPT_LINE, 11, 1);
	T_EQ(fix_cfg_read(&f, devfn, PCI_INTERRUPT_LINE, 1), 11);
	/* routes are disabled at reset: nothing reaches the ISA lines */
	T_EQ(fix_cfg_read(&f, PIIX3_DEVFN, 0x60, 4), 0x80808080);
	pci_dev_set_irq(d, 1);
	T_EQ(pci_bus_pirq_level(f.bus, 2), 1);	/* slot 3 INTA# -> PIRQC */
	for (unsigned int i = 0; i < 16; i++)
		T_EQ(f.level[i], 0);
	T_ASSERT(fix_cfg_read(&f, devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* route PIRQC to IRQ 11: the pending level appears at once */
	fix_cfg_write(&f, PIIX3_DEVFN, 0x62, 11, 1);
	T_EQ(f.level[11], 1);
	pci_dev_set_irq(d, 0);
	T_EQ(f.level[11], 0);
	T_ASSERT(!(fix_cfg_read(&f, devfn, PCI_STATUS, 2) &
		   PCI_STATUS_INTERRUPT));
	/* INTx disable masks the pin */
	fix_cfg_write(&f, devfn, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	pci_dev_set_irq(d, 1);
	T_EQ(f.level[11], 0);
	fix_cfg_write(&f, devfn, PCI_COMMAND, 0, 2);
	T_EQ(f.level[11], 1);
	/* re-route to IRQ 10: 11 drops, 10 rises; reserved IRQ 2 routes nowhere */
	fix_cfg_write(&f, PIIX3_DEVFN, 0x62, 10, 1);
	T_EQ(f.level[11], 0);
	T_EQ(f.level[10], 1);
	fix_cfg_write(&f, PIIX3_DEVFN, 0x62, 2, 1);
	T_EQ(f.level[10], 0);
	T_EQ(f.level[2], 0);
	fix_cfg_write(&f, PIIX3_DEVFN, 0x62, 0x8a, 1);
	T_EQ(f.level[10], 0);
	pci_dev_set_irq(d, 0);
	T_EQ(pci_bus_pirq_level(f.bus, 2), 0);
	dev_destroy(p);
	dev_destroy(f.bus);
}

static void test_pci_pirq_wired_or(void)
{
	struct fix f;
	struct fake_fn a = {0}, b = {0};
	struct piix3 *p;
	struct dev_cfg pc = {0};
	struct pci_dev *da, *db;

	fix_init(&f);
	pc.pci = f.bus;
	memcpy(pc.irq, f.isa, sizeof(f.isa));
	p = fix_dev(&f, &piix3_dev, &pc);
	/* slot 3 INTA# and slot 4 INTD# both land on PIRQC */
	da = fake_add(&f, &a, PCI_DEVFN(3, 0), 1);
	db = fake_add(&f, &b, PCI_DEVFN(4, 0), 4);
	fix_cfg_write(&f, PIIX3_DEVFN, 0x60, 0x0b0a0b0a, 4);
	pci_dev_set_irq(da, 1);
	pci_dev_set_irq(db, 1);
	T_EQ(f.level[10], 1);
	T_EQ(f.raises[10], 1);
	pci_dev_set_irq(da, 0);
	T_EQ(f.level[10], 1);		/* db still asserts */
	pci_dev_set_irq(db, 0);
	T_EQ(f.level[10], 0);
	T_EQ(f.level[11], 0);
	/* PIRQA and PIRQC on the same IRQ also OR together */
	pci_dev_set_irq(da, 1);
	T_EQ(f.level[10], 1);
	pci_unregister_function(da);	/* drops its INTx# */
	T_EQ(f.level[10], 0);
	dev_destroy(p);
	dev_destroy(f.bus);
}

static void test_i440fx_pam_and_smram(void)
{
	struct fix f;
	struct i440fx *h;
	struct pam_log log = {0};
	struct dev_host host = { .pam = pam_cb, .opaque = &log };

	fix_init(&f);
	h = fix_dev(&f, &i440fx_dev, &(struct dev_cfg){ .pci = f.bus,
							 .host = &host });
	T_EQ(log.n, I440FX_PAM_REGIONS);	/* reset reports every region */
	log.n = 0;
	fix_cfg_write(&f, 0, 0x5a, 0x33, 1);	/* 0xC0000 and 0xC4000 RW */
	T_EQ(log.n, 2);
	T_EQ(log.mode[1], I440FX_PAM_RE | I440FX_PAM_WE);
	T_EQ(log.mode[2], I440FX_PAM_RE | I440FX_PAM_WE);
	fix_cfg_write(&f, 0, 0x59, 0x1f, 1);	/* low nibble reserved */
	T_EQ(fix_cfg_read(&f, 0, 0x59, 1), 0x10);
	T_EQ(log.mode[0], I440FX_PAM_RE);
	T_EQ(i440fx_pam_mode(h, 0), I440FX_PAM_RE);
	T_EQ(log.n, 3);
	fix_cfg_write(&f, 0, 0x5c, 0x3322, 2);	/* 0x5c, 0x5d: word write */
	T_EQ(log.mode[5], I440FX_PAM_WE);
	T_EQ(log.mode[6], I440FX_PAM_WE);
	T_EQ(log.mode[7], 3);
	T_EQ(log.mode[8], 3);
	T_EQ(i440fx_pam_base(0), 0xf0000);
	T_EQ(i440fx_pam_base(12), 0xec000);
	T_EQ(i440fx_pam_size(12), 0x4000);
	/* SMRAM: C_BASE_SEG fixed, D_LCK freezes D_OPEN */
	T_EQ(i440fx_smram(h), 0x02);
	fix_cfg_write(&f, 0, 0x72, 0x4f, 1);
	T_EQ(fix_cfg_read(&f, 0, 0x72, 1), 0x4a);
	fix_cfg_write(&f, 0, 0x72, 0x5a, 1);
	T_EQ(i440fx_smram(h), 0x1a);
	fix_cfg_write(&f, 0, 0x72, 0x40, 1);
	T_EQ(i440fx_smram(h) & 0x50, 0x10);
	dev_reset(f.bus);
	T_EQ(i440fx_smram(h), 0x02);
	T_EQ(i440fx_pam_mode(h, 1), 0);
	dev_destroy(h);
	dev_destroy(f.bus);
}

struct sysctl {
	int	a20;		/* last A20 value, -1 none */
	int	resets, hard;
};

static void sc_a20(void *opaque, bool on)
{
	((struct sysctl *)opaque)->a20 = on;
}

static void sc_reset(void *opaque, bool hard)
{
	struct sysctl *s = opaque;

	s->resets++;
	s->hard += hard;
}

static void test_piix3_port92_and_cf9(void)
{
	struct fix f;
	struct piix3 *p;
	struct sysctl s = { .a20 = -1 };
	struct dev_host host = { .set_a20 = sc_a20, .reset = sc_reset,
				 .opaque = &s };

	fix_init(&f);
	p = fix_dev(&f, &piix3_dev, &(struct dev_cfg){ .pci = f.bus,
						       .host = &host });
	T_EQ(fix_in(&f, 0x92, 1), 0);
	fix_out(&f, 0x92, 0x02, 1);
	T_EQ(s.a20, 1);
	T_ASSERT(piix3_a20(p));
	T_EQ(fix_in(&f, 0x92, 1), 0x02);
	T_EQ(s.resets, 0);
	fix_out(&f, 0x92, 0x03, 1);
	T_EQ(s.resets, 1);
	fix_out(&f, 0x92, 0x00, 1);
	T_EQ(s.a20, 0);
	/* 0xCF9: bit 1 alone only selects, bit 2 resets */
	fix_out(&f, 0xcf9, 0x02, 1);
	T_EQ(s.resets, 1);
	T_EQ(fix_in(&f, 0xcf9, 1), 0x02);
	fix_out(&f, 0xcf9, 0x06, 1);
	T_EQ(s.resets, 2);
	T_EQ(s.hard, 1);
	/* dword CONFIG_ADDRESS access does not hit the reset register */
	fix_out(&f, 0xcf8, 0x80000600, 4);
	T_EQ(s.resets, 2);
	dev_destroy(p);
	dev_destroy(f.bus);
}

static void test_pci_register_errors(void)
{
	struct fix f;
	struct pci_dev_info info = { .vendor = 1, .int_pin = 5 };
	struct pci_dev *d, *d2;

	fix_init(&f);
	T_EQ(pci_register_function(f.bus, 9, &info, NULL, NULL, &d), -EINVAL);
	info.int_pin = 0;
	T_EQ(pci_register_function(f.bus, 256, &info, NULL, NULL, &d), -EINVAL);
	T_EQ(pci_register_function(f.bus, 9, &info, NULL, NULL, &d), 0);
	T_EQ(pci_register_function(f.bus, 9, &info, NULL, NULL, &d2), -EEXIST);
	T_ASSERT(d2 == NULL);
	T_EQ(pci_dev_set_bar(d, 0, 24, PCI_BAR_IO, NULL, NULL), -EINVAL);
	T_EQ(pci_dev_set_bar(d, 7, 16, PCI_BAR_IO, NULL, NULL), -EINVAL);
	T_EQ(pci_dev_set_bar(d, PCI_ROM_BAR, 1024, PCI_BAR_MEM, NULL, NULL),
	     -EINVAL);
	T_EQ(pci_dev_set_bar(d, PCI_ROM_BAR, 65536, PCI_BAR_MEM, NULL, NULL), 0);
	fix_cfg_write(&f, 9, 0x30, 0xffffffff, 4);
	T_EQ(fix_cfg_read(&f, 9, 0x30, 4), 0xffff0001);
	pci_unregister_function(d);
	T_EQ(fix_cfg_read(&f, 9, 0, 4), 0xffffffff);
	dev_destroy(f.bus);
}

static const struct t_case cases[] = {
	T_CASE(test_pci_ids_and_mechanism1),
	T_CASE(test_pci_bar_sizing_and_decode),
	T_CASE(test_pci_intx_pirq_routing),
	T_CASE(test_pci_pirq_wired_or),
	T_CASE(test_i440fx_pam_and_smram),
	T_CASE(test_piix3_port92_and_cf9),
	T_CASE(test_pci_register_errors),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
