// SPDX-License-Identifier: GPL-2.0-only
/* test_piix4_pm.c --- PIIX4 function 00:01.3 reports the PM block placed
 * and enabled, ignores attempts to move it, keeps that over a bus reset */
#include "devices/piix4_pm.h"
#include "tests/unit/devices/dev_fixture.h"

static void test_piix4_pm_fixed_window(void)
{
	struct pci_bus *bus;
	void *pm;
	struct fx f;

	fx_init(&f);
	bus = fx_dev(&f, &pci_bus_dev, &(struct dev_cfg){ 0 });
	pm = fx_dev(&f, &piix4_pm_dev, &(struct dev_cfg){ .pci = bus });
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, 0, 4), 0x71138086);
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMBA, 4),
	     ACPI_PM_BASE | 1);
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMREGMISC, 1), 1);
	/* a firmware trying its own base: nothing moves */
	pci_config_write(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMBA, 0xb001, 4);
	pci_config_write(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMREGMISC, 0, 1);
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMBA, 4),
	     ACPI_PM_BASE | 1);
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMREGMISC, 1), 1);
	dev_reset(bus);
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, PIIX4_PM_PMBA, 2),
	     ACPI_PM_BASE | 1);
	dev_destroy(pm);
	T_EQ(pci_config_read(bus, PIIX4_PM_DEVFN, 0, 4), 0xffffffff);
	T_EQ(dev_create(&piix4_pm_dev, &f.env, &(struct dev_cfg){ 0 },
			&(void *){ NULL }), -EINVAL);
	dev_destroy(bus);
	fx_fini(&f);
}

static const struct t_case cases[] = {
	T_CASE(test_piix4_pm_fixed_window),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
