// SPDX-License-Identifier: GPL-2.0-only
/*
 * i440fx.c --- Intel 82441FX PMC host bridge, PCI function 00:00.0
 *
 * Intel 440FX PCIset datasheet (82441FX PMC / 82442FX DBX, order 290549),
 * ch. 3.2: PAM0-PAM6 at 0x59-0x5F give each legacy BIOS region a read
 * enable (RE, bit 0 / bit 4) and a write enable (WE, bit 1 / bit 5) that
 * send accesses to DRAM instead of ROM/PCI; PAM0's low nibble is reserved,
 * its high nibble covers 0xF0000-0xFFFFF, and PAM1-PAM6 cover
 * 0xC0000-0xEFFFF in 16 KiB halves.  SMRAM (0x72) holds D_OPEN (bit 6),
 * D_CLS (5), D_LCK (4, sticky until reset, freezes D_OPEN), G_SMRAME (3)
 * and the read-only C_BASE_SEG value 010b.  The memory map belongs to the
 * board, which learns about PAM changes through a callback.
 */
#include <errno.h>

#include "devices/i440fx.h"

#define I440FX_VENDOR		0x8086
#define I440FX_DEVICE		0x1237
#define I440FX_SMRAM_DEFAULT	0x02
#define I440FX_SMRAM_D_OPEN	0x40
#define I440FX_SMRAM_D_LCK	0x10

struct i440fx {
	struct pci_dev	*pci;		/* function 00:00.0, owned by bus */
	const struct dev_host *host;	/* host->pam, or NULL */
	uint8_t		mode[I440FX_PAM_REGIONS];	/* last reported */
};

uint64_t i440fx_pam_base(unsigned int region)
{
	if (region == 0)
		return 0xf0000;
	if (region >= I440FX_PAM_REGIONS)
		return 0;
	return 0xc0000 + (uint64_t)(region - 1) * 0x4000;
}

uint64_t i440fx_pam_size(unsigned int region)
{
	if (region == 0)
		return 0x10000;
	return region < I440FX_PAM_REGIONS ? 0x4000 : 0;
}

static unsigned int pam_mode_of(const uint8_t *cfg, unsigned int region)
{
	if (region == 0)
		return (cfg[I440FX_PAM0] >> 4) & 3;
	return (cfg[I440FX_PAM0 + 1 + (region - 1) / 2] >>
		(((region - 1) & 1) * 4)) & 3;
}

unsigned int i440fx_pam_mode(const struct i440fx *h, unsigned int region)
{
	return region < I440FX_PAM_REGIONS ? h->mode[region] : 0;
}

uint8_t i440fx_smram(const struct i440fx *h)
{
	return pci_dev_config(h->pci)[I440FX_SMRAM];
}

static void i440fx_pam_sync(struct i440fx *h, bool force)
{
	const uint8_t *cfg = pci_dev_config(h->pci);

	for (unsigned int r = 0; r < I440FX_PAM_REGIONS; r++) {
		unsigned int m = pam_mode_of(cfg, r);

		if (m == h->mode[r] && !force)
			continue;
		h->mode[r] = (uint8_t)m;
		if (h->host && h->host->pam)
			h->host->pam(h->host->opaque, r, m);
	}
}

static void i440fx_config_write(void *opaque, unsigned int off, uint32_t val,
				unsigned int size)
{
	struct i440fx *h = opaque;
	uint8_t *cfg = pci_dev_config(h->pci);

	if (off + size > I440FX_PAM0 && off <= I440FX_PAM0 + 6)
		i440fx_pam_sync(h, false);
	if (off <= I440FX_SMRAM && off + size > I440FX_SMRAM) {
		cfg[I440FX_SMRAM] = (cfg[I440FX_SMRAM] & 0x78) |
				    I440FX_SMRAM_DEFAULT;
		/* D_LCK: D_OPEN cleared and both become read-only. */
		if (cfg[I440FX_SMRAM] & I440FX_SMRAM_D_LCK) {
			cfg[I440FX_SMRAM] &= ~I440FX_SMRAM_D_OPEN;
			pci_dev_set_wmask(h->pci, I440FX_SMRAM, 1, 0x28);
		}
	}
}

static void i440fx_reset(void *dev)
{
	struct i440fx *h = dev;
	uint8_t *cfg = pci_dev_config(h->pci);

	for (unsigned int i = 0; i < 7; i++)
		cfg[I440FX_PAM0 + i] = 0;
	cfg[I440FX_SMRAM] = I440FX_SMRAM_DEFAULT;
	pci_dev_set_wmask(h->pci, I440FX_SMRAM, 1, 0x78);
	i440fx_pam_sync(h, true);
}

static const struct pci_func_ops i440fx_pci_ops = {
	.config_write	= i440fx_config_write,
	.reset		= i440fx_reset,
};

static int i440fx_init(void *dev, const struct dev_env *env,
		       const struct dev_cfg *cfg)
{
	static const struct pci_dev_info info = {
		.vendor		= I440FX_VENDOR,
		.device		= I440FX_DEVICE,
		.class_code	= 0x060000,
		.revision	= 0x02,
	};
	struct i440fx *h = dev;
	int ret;

	if (!cfg->pci)
		return -EINVAL;
	h->host = cfg->host;
	ret = pci_register_function(cfg->pci, PCI_DEVFN(0, 0), &info,
				    &i440fx_pci_ops, h, &h->pci);
	if (ret < 0)
		return ret;
	pci_dev_set_wmask(h->pci, I440FX_PAM0, 1, 0x30);
	pci_dev_set_wmask(h->pci, I440FX_PAM0 + 1, 6, 0x33);
	return 0;
}

static void i440fx_fini(void *dev)
{
	struct i440fx *h = dev;

	pci_unregister_function(h->pci);
}

const struct dev_ops i440fx_dev = {
	.name = "i440FX host bridge", .size = sizeof(struct i440fx),
	.init = i440fx_init, .fini = i440fx_fini, .reset = i440fx_reset,
};
