/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi.h --- ACPI tables for the canonical PC, handed to SeaBIOS via fw_cfg
 *
 * SeaBIOS in its QEMU configuration builds no ACPI tables itself: it runs
 * the "linker/loader" script in fw_cfg file etc/table-loader, which
 * allocates the files etc/acpi/tables (high memory) and etc/acpi/rsdp
 * (F segment), patches pointers between them and fixes checksums.  This
 * module builds those three blobs: RSDP (ACPI 1.0, 20 bytes) -> RSDT ->
 * FADT (revision 3, 244 bytes) -> FACS and DSDT, and (acpi_cfg.apic) RSDT -> MADT ("APIC":
 * one local APIC per CPU, the I/O APIC, the ISA overrides IRQ0 -> GSI 2
 * and the level-triggered, active-high SCI, LINT1 as NMI on every CPU).
 * The DSDT's PCI0 has a _PRT: INTA-D# of slots 1-31 go to PIRQ
 * (slot + pin - 1) mod 4 (the PIIX3 board wiring, devices/pci.c), and PIRQ
 * n to the fixed GSI pirq_irq[n] (Source 0): ISA IRQ n on the 8259 and
 * I/O APIC pin n alike, so one table serves both interrupt models.
 *
 * Linker/loader script: an array of 128-byte little-endian entries
 * { u32 command; union {...}; } padded with zeros:
 *   1 ALLOCATE     char file[56]; u32 align; u8 zone (1 high, 2 FSEG)
 *   2 ADD_POINTER  char dest[56]; char src[56]; u32 offset; u8 size:
 *                  dest[offset..+size] (LE) += address of src
 *   3 ADD_CHECKSUM char file[56]; u32 offset; u32 start; u32 length:
 *                  file[offset] -= sum(file[start..start+length))
 */
#ifndef DUALVM_ACPI_H
#define DUALVM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_FILE_RSDP		"etc/acpi/rsdp"
#define ACPI_FILE_TABLES	"etc/acpi/tables"
#define ACPI_FILE_LOADER	"etc/table-loader"

#define ACPI_LOADER_ENTRY	128	/* bytes per script entry */
#define ACPI_LOADER_FNAME	56	/* file-name field, NUL padded */
#define ACPI_LOADER_ALLOCATE	1
#define ACPI_LOADER_ADD_POINTER	2
#define ACPI_LOADER_ADD_CHECKSUM 3
#define ACPI_ZONE_HIGH		1
#define ACPI_ZONE_FSEG		2

#define ACPI_RSDP_LEN		20	/* ACPI 1.0 RSDP */
#define ACPI_FADT_LEN		244	/* FADT revision 3 */
#define ACPI_TABLES_MAX		3072	/* etc/acpi/tables capacity */
#define ACPI_DSDT_MAX		2048	/* room for the DSDT (with _PRT) */
#define ACPI_LOADER_MAX		16	/* script entries capacity */
#define ACPI_MAX_CPUS		8	/* local APIC entries in the MADT */
#define ACPI_LAPIC_ADDR		0xfee00000u	/* MADT local APIC address */

/* Offsets of the tables inside etc/acpi/tables. */
#define ACPI_OFF_FACS		0	/* 64 bytes, 64-aligned */
#define ACPI_OFF_DSDT		64
#define ACPI_OFF_FADT		(ACPI_OFF_DSDT + ACPI_DSDT_MAX)
#define ACPI_OFF_RSDT		(ACPI_OFF_FADT + ACPI_FADT_LEN)
#define ACPI_RSDT_LEN		(36 + 2 * 4)	/* room for FADT, MADT */
#define ACPI_OFF_MADT		(ACPI_OFF_RSDT + ACPI_RSDT_LEN)

/* SLP_TYP value the DSDT's \_S5 package declares (PM1_CNT bits 12:10). */
#define ACPI_SLP_TYP_S5		5

struct acpi_cfg {
	uint16_t	pm_base;	/* PM1a_EVT (4), PM1a_CNT (2) at +4,
					 * PM_TMR (4) at +8 */
	uint8_t		sci_irq;	/* ISA IRQ of the SCI */
	uint16_t	reset_port;	/* FADT reset register (I/O) */
	uint8_t		reset_value;	/* value written there */
	uint32_t	pci_hole_base;	/* PCI memory window start (end of
					 * low RAM), up to 0xFEBFFFFF */
	bool		apic;		/* a MADT (else the OS stays with the
					 * 8259s) */
	uint8_t		ncpus;		/* processors, 1-ACPI_MAX_CPUS (0: 1);
					 * APIC IDs 0..ncpus-1 */
	uint8_t		ioapic_id;	/* I/O APIC ID (GSI base 0) */
	uint32_t	ioapic_addr;	/* its MMIO base */
	uint8_t		pirq_irq[4];	/* ISA IRQ = GSI PIRQA-D are routed
					 * to (all 0: no _PRT) */
};

struct acpi_blob {
	uint8_t		rsdp[ACPI_RSDP_LEN];	/* etc/acpi/rsdp */
	uint8_t		tables[ACPI_TABLES_MAX];	/* etc/acpi/tables */
	size_t		tables_len;	/* used bytes of tables[] */
	uint8_t		loader[ACPI_LOADER_MAX * ACPI_LOADER_ENTRY];
					/* etc/table-loader */
	size_t		loader_len;	/* used bytes of loader[] */
};

/*
 * Build the three fw_cfg blobs for @cfg into @out.  Pointers inside them
 * hold offsets into the target file (the loader adds the file's address);
 * checksums are left for the loader's ADD_CHECKSUM commands but are also
 * valid as built (as if each file sat at address 0).  0, or -EINVAL for a
 * PM base of 0, an SCI above 15, a PCI hole outside 1 MiB..0xFEC00000 or
 * more than ACPI_MAX_CPUS processors.
 */
int acpi_build(const struct acpi_cfg *cfg, struct acpi_blob *out);

#endif
