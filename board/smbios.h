/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * smbios.h --- dualvm's SMBIOS tables (private to board/)
 *
 * Built once per machine and handed to SeaBIOS through fw_cfg
 * (etc/smbios/smbios-anchor + etc/smbios/smbios-tables), so guests see the
 * canonical dualvm identity ("dualvm" / "dualvm PC (i440FX + PIIX3)")
 * whatever the host is.
 */
#ifndef DUALVM_SMBIOS_H
#define DUALVM_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_EP21_LEN		31	/* 2.1 32-bit entry point */
#define SMBIOS_TABLES_MAX	1024

struct smbios_blob {
	uint8_t		anchor[SMBIOS_EP21_LEN];	/* "_SM_" entry point */
	uint8_t		tables[SMBIOS_TABLES_MAX];	/* structures */
	size_t		len;				/* bytes in tables */
};

/*
 * Build SMBIOS 2.8 structures (types 1, 3, 16, 17, 19, 32, 127; SeaBIOS
 * adds type 0) for @low bytes of RAM below 4 GiB and @high above, and the
 * entry point describing them.  0 or -ENOSPC.
 */
int smbios_build(uint64_t low, uint64_t high, struct smbios_blob *out);

#endif
