// SPDX-License-Identifier: GPL-2.0-only
/*
 * piix4_pm.c --- PIIX4 function 3 (power management) as a fixed window
 *
 * Intel 82371AB (PIIX4) datasheet, order 290562, function 3 configuration
 * registers: PMBA at 0x40 (bits 15:6 base, bit 0 reads 1 = I/O space),
 * PMREGMISC at 0x80 (bit 0 PMIOSE).  See piix4_pm.h for why the window is
 * fixed.
 */
#include <errno.h>

#include "devices/acpi_pm.h"
#include "devices/piix4_pm.h"

struct piix4_pm {
	struct pci_dev		*pci;		/* 00:01.3, owned by the bus */
	uint16_t		base;		/* the PM block's port base */
};

static void piix4_pm_regs(struct piix4_pm *p)
{
	uint8_t *c = pci_dev_config(p->pci);

	c[PIIX4_PM_PMBA] = (uint8_t)(p->base | 1);
	c[PIIX4_PM_PMBA + 1] = (uint8_t)(p->base >> 8);
	c[PIIX4_PM_PMREGMISC] = 0x01;
}

static void piix4_pm_bus_reset(void *opaque)
{
	piix4_pm_regs(opaque);
}

static const struct pci_func_ops piix4_pm_ops = {
	.reset = piix4_pm_bus_reset,
};

static int piix4_pm_init(void *dev, const struct dev_env *env,
			 const struct dev_cfg *cfg)
{
	static const struct pci_dev_info info = {
		.vendor = 0x8086, .device = 0x7113,
		.class_code = 0x068000,		/* bridge, other */
		.revision = 0x03,
	};
	struct piix4_pm *p = dev;
	int err;

	if (!cfg->pci)
		return -EINVAL;
	p->base = cfg->base ? cfg->base : ACPI_PM_BASE;
	err = pci_register_function(cfg->pci, PIIX4_PM_DEVFN, &info,
				    &piix4_pm_ops, p, &p->pci);
	if (err)
		return err;
	piix4_pm_regs(p);
	return 0;
}

static void piix4_pm_fini(void *dev)
{
	struct piix4_pm *p = dev;

	pci_unregister_function(p->pci);
}

static void piix4_pm_reset(void *dev)
{
	piix4_pm_regs(dev);
}

const struct dev_ops piix4_pm_dev = {
	.name = "PIIX4 PM function", .size = sizeof(struct piix4_pm),
	.init = piix4_pm_init, .fini = piix4_pm_fini, .reset = piix4_pm_reset,
};
