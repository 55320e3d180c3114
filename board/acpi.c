// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi.c --- build RSDP, RSDT, FADT, FACS, DSDT and the loader script
 *
 * Layout of etc/acpi/tables (offsets in acpi.h): FACS at 0 (the FACS must
 * be 64-byte aligned, the file is allocated 64-aligned), DSDT at 64, FADT
 * at 64 + ACPI_DSDT_MAX, RSDT after the FADT, MADT after the RSDT.
 * Table facts from the ACPI 2.0/6.x specs:
 * every description header is 36 bytes {sig[4], u32 length, u8 revision,
 * u8 checksum, oem_id[6], oem_table_id[8], u32 oem_revision,
 * creator_id[4], u32 creator_revision}; the checksum makes the whole table
 * sum to 0 mod 256.
 *
 * The DSDT's AML body is hand-assembled (ACPI spec ch. 20, AML grammar):
 *   Name (_S5, Package (4) { 5, 5, 0, 0 })
 *     08            NameOp
 *     5F 53 35 5F   NameSeg "_S5_"
 *     12            PackageOp
 *     08            PkgLength: 8 bytes from here to the package end
 *     04            NumElements
 *     0A 05 0A 05   BytePrefix 5 (SLP_TYPa), BytePrefix 5 (SLP_TYPb)
 *     00 00         ZeroOp, ZeroOp (reserved)
 *   Method (_PIC, 1) { }   (the OS reports its interrupt model; ignored)
 *     14            MethodOp
 *     06            PkgLength: 6 bytes to the method end
 *     5F 50 49 43   NameSeg "_PIC"
 *     01            MethodFlags: 1 argument, not serialized
 *   Scope (\_SB) { Device (PCI0) { Name (_HID, EisaId ("PNP0A03"))
 *                                  Name (_ADR, 0)  Name (_CRS, ...) } }
 *     10 <pkglen>     ScopeOp      5C 5F 53 42 5F   "\_SB_"
 *     5B 82 <pkglen>  DeviceOp     50 43 49 30      "PCI0"
 *     08 5F 48 49 44 0C 41 D0 0A 03   Name _HID DWordConst 0x030AD041
 *     08 5F 41 44 52 00               Name _ADR ZeroOp
 *     08 5F 43 52 53 11 <pkglen> 0A <n> <n bytes>   Name _CRS Buffer
 *   PkgLength (20.2.4): one byte (bits 5:0) up to 63, else two bytes
 *   (0x40 | low nibble, then bits 11:4); it counts its own bytes.
 *   The PCI host bridge must be in the namespace: with ACPI enabled, Linux
 *   enumerates PCI only below PNP0A03 devices, and claims BARs only inside
 *   the _CRS windows (resource descriptors of ACPI 6.4.3): bus numbers
 *   0-255, the config ports 0xCF8-0xCFF, I/O 0-0xCF7 and 0xD00-0xFFFF, the
 *   VGA window 0xA0000-0xBFFFF and the PCI hole from the end of low RAM to
 *   0xFEBFFFFF.
 *   Name (_PRT, Package (124) { Package (4) { 0x0001FFFF, 0, 0, 10 }, ...})
 *   inside PCI0: per slot 1-31 and pin 0-3 (INTA-D#) { address slot:FFFF,
 *   pin, Source ZeroOp (a GSI, not a link device), GSI }; each entry
 *     12 <pkglen> 04 0C <dword> (00 | 01 | 0A <pin>) 00 0A <gsi>.
 */
#include <errno.h>
#include <string.h>

#include "board/acpi.h"

#define HDR_LEN		36
#define FACS_LEN	64

/* MADT (ACPI 6.4, 5.2.12): header, local APIC address, flags, entries */
#define MADT_PCAT_COMPAT	1u	/* 8259s present (flags) */
#define MADT_LAPIC		0	/* type, len 8: UID, APIC ID, flags */
#define MADT_IOAPIC		1	/* len 12: ID, 0, address, GSI base */
#define MADT_ISO		2	/* len 10: bus, source, GSI, flags */
#define MADT_LAPIC_NMI		4	/* len 6: UID, flags, LINT# */
#define MPS_INTI_HIGH_LEVEL	0x000d	/* polarity 01 high, trigger 11 level */

/* FADT field offsets (ACPI 2.0 table 5-9) */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208

/* FADT flags */
#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PROC_C1		(1u << 2)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* no fixed power button */
#define FADT_F_SLP_BUTTON	(1u << 5)	/* no fixed sleep button */
#define FADT_F_TMR_VAL_EXT	(1u << 8)	/* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP	(1u << 10)

#define IAPC_LEGACY_DEVICES	(1u << 0)
#define IAPC_8042		(1u << 1)

#define GAS_SYSTEM_IO		1

static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, ACPI_SLP_TYP_S5, 0x0a, ACPI_SLP_TYP_S5, 0x00, 0x00,
	0x14, 0x06, '_', 'P', 'I', 'C', 0x01,
};

static const uint8_t pci0_names[] = {
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
	0x08, '_', 'A', 'D', 'R', 0x00,
};

/* _CRS resource template; the PCI-hole DWordMemory is patched at
 * CRS_HOLE (min at +10, max at +14, length at +22). */
static const uint8_t crs_template[] = {
	/* WordBusNumber: producer, MinFixed, MaxFixed, 0-0xFF */
	0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* IO (Decode16, 0xCF8, 0xCF8, 1, 8) */
	0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
	/* WordIO 0x0000-0x0CF7, entire range */
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00,
	0xf7, 0x0c, 0x00, 0x00, 0xf8, 0x0c,
	/* WordIO 0x0D00-0xFFFF */
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x0d,
	0xff, 0xff, 0x00, 0x00, 0x00, 0xf3,
	/* DWordMemory 0xA0000-0xBFFFF, read/write */
	0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x0a, 0x00, 0xff, 0xff, 0x0b, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	/* DWordMemory PCI hole (patched) */
	0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* EndTag */
	0x79, 0x00,
};
#define CRS_HOLE	(sizeof(crs_template) - 2 - 26)
#define PCI_HOLE_END	0xfec00000u	/* I/O APIC, LAPIC, BIOS above */

struct aml {
	uint8_t		b[ACPI_DSDT_MAX];	/* bytes so far */
	size_t		n;			/* used */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Fill a description header (checksum computed later by fix_sum). */
static void put_header(uint8_t *t, const char *sig, uint32_t len,
		       uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "DUALVM", 6);
	memcpy(t + 16, "DUALVMPC", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "DVMM", 4);
	put32(t + 32, 1);
}

/*
 * Every table here has an ADD_CHECKSUM command in the loader script, and
 * its checksum field stays 0 in the file: SeaBIOS subtracts the range's
 * sum from the field, OVMF stores minus the range's sum (field included),
 * so only a 0 field gives a valid table under both (with a precomputed
 * checksum OVMF writes 0 into an already valid table, then finds the
 * table invalid and installs none).  @len is kept to say what the loader
 * sums.
 */
static void fix_sum(uint8_t *t, size_t len, size_t sum_off)
{
	(void)len;
	t[sum_off] = 0;
}

/* Generic Address Structure: system I/O, @bits wide at @port. */
static void put_gas_io(uint8_t *g, uint8_t bits, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = bits == 8 ? 1 : bits == 16 ? 2 : 3;	/* access size */
	put32(g + 4, port);
	put32(g + 8, 0);
}

static void aml_put(struct aml *a, const void *p, size_t n)
{
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

/* Wrap @in (@n bytes) as "@op... PkgLength @name4 content" into @out. */
static void aml_wrap(struct aml *out, const uint8_t *op, size_t oplen,
		     const char *name, size_t namelen, const struct aml *in)
{
	size_t content = namelen + in->n;
	uint8_t pl[2];

	aml_put(out, op, oplen);
	if (content + 1 <= 63) {
		pl[0] = (uint8_t)(content + 1);
		aml_put(out, pl, 1);
	} else {
		pl[0] = (uint8_t)(0x40 | ((content + 2) & 0x0f));
		pl[1] = (uint8_t)((content + 2) >> 4);
		aml_put(out, pl, 2);
	}
	aml_put(out, name, namelen);
	aml_put(out, in->b, in->n);
}

#define PRT_SLOTS	31	/* slots 1-31 */

/* Name (_PRT, Package () {...}) for the PIRQ routing @irq into @out. */
static void build_prt(const uint8_t irq[4], struct aml *out)
{
	static const uint8_t name_op[] = { 0x08, '_', 'P', 'R', 'T' };
	static const uint8_t pkg_op[] = { 0x12 };
	uint8_t e[13], count = PRT_SLOTS * 4;
	struct aml body = { .n = 0 }, one;
	unsigned int slot, pin;

	for (slot = 1; slot <= PRT_SLOTS; slot++)
		for (pin = 0; pin < 4; pin++) {
			size_t n = 0;
			uint8_t four = 4;

			e[n++] = 0x0c;			/* DWordPrefix */
			put32(e + n, slot << 16 | 0xffff);
			n += 4;
			if (pin <= 1) {
				e[n++] = (uint8_t)pin;	/* ZeroOp, OneOp */
			} else {
				e[n++] = 0x0a;
				e[n++] = (uint8_t)pin;
			}
			e[n++] = 0x00;			/* Source: none */
			e[n++] = 0x0a;
			e[n++] = irq[(slot + pin - 1) & 3];
			one.n = 0;
			aml_put(&one, e, n);
			aml_wrap(&body, pkg_op, 1, (const char *)&four, 1, &one);
		}
	aml_put(out, name_op, sizeof(name_op));
	aml_wrap(out, pkg_op, 1, (const char *)&count, 1, &body);
}

/* The AML body of the DSDT into @out (about 1.8 KiB with the _PRT, below
 * ACPI_DSDT_MAX); acpi_build() checks it fits the layout. */
static void build_aml(uint32_t hole_base, const uint8_t pirq_irq[4],
		      struct aml *out)
{
	static const uint8_t scope_op[] = { 0x10 }, dev_op[] = { 0x5b, 0x82 },
			     buf_op[] = { 0x11 };
	static const uint8_t crs_name[] = { 0x08, '_', 'C', 'R', 'S' };
	uint8_t crs[sizeof(crs_template)], size[2] = { 0x0a, sizeof(crs) };
	struct aml a1, a2, *t1 = &a1, *t2 = &a2;

	memcpy(crs, crs_template, sizeof(crs));
	put32(crs + CRS_HOLE + 10, hole_base);
	put32(crs + CRS_HOLE + 14, PCI_HOLE_END - 1);
	put32(crs + CRS_HOLE + 22, PCI_HOLE_END - hole_base);
	out->n = 0;
	aml_put(out, dsdt_aml, sizeof(dsdt_aml));
	/* Buffer: BufferSize then the bytes */
	t1->n = 0;
	aml_put(t1, crs, sizeof(crs));
	t2->n = 0;
	aml_put(t2, pci0_names, sizeof(pci0_names));
	if (pirq_irq[0] | pirq_irq[1] | pirq_irq[2] | pirq_irq[3])
		build_prt(pirq_irq, t2);
	aml_put(t2, crs_name, sizeof(crs_name));
	aml_wrap(t2, buf_op, 1, (const char *)size, 2, t1);
	t1->n = 0;
	aml_wrap(t1, dev_op, 2, "PCI0", 4, t2);
	aml_wrap(out, scope_op, 1, "\\_SB_", 5, t1);
}

static void build_fadt(const struct acpi_cfg *cfg, uint8_t *f)
{
	put_header(f, "FACP", ACPI_FADT_LEN, 3);
	put32(f + FADT_FIRMWARE_CTRL, ACPI_OFF_FACS);	/* loader adds base */
	put32(f + FADT_DSDT, ACPI_OFF_DSDT);
	put16(f + FADT_SCI_INT, cfg->sci_irq);
	put32(f + FADT_SMI_CMD, 0);		/* ACPI mode always on */
	put32(f + FADT_PM1A_EVT_BLK, cfg->pm_base);
	put32(f + FADT_PM1A_CNT_BLK, cfg->pm_base + 4u);
	put32(f + FADT_PM_TMR_BLK, cfg->pm_base + 8u);
	f[FADT_PM1_EVT_LEN] = 4;
	f[FADT_PM1_CNT_LEN] = 2;
	f[FADT_PM_TMR_LEN] = 4;
	put16(f + FADT_P_LVL2_LAT, 101);	/* > 100: no C2 */
	put16(f + FADT_P_LVL3_LAT, 1001);	/* > 1000: no C3 */
	f[FADT_CENTURY] = 0x32;			/* CMOS century byte */
	put16(f + FADT_IAPC_BOOT_ARCH, IAPC_LEGACY_DEVICES | IAPC_8042);
	put32(f + FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 |
	      FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON | FADT_F_TMR_VAL_EXT |
	      FADT_F_RESET_REG_SUP);
	put_gas_io(f + FADT_RESET_REG, 8, cfg->reset_port);
	f[FADT_RESET_VALUE] = cfg->reset_value;
	put_gas_io(f + FADT_X_PM1A_EVT_BLK, 32, cfg->pm_base);
	put_gas_io(f + FADT_X_PM1A_CNT_BLK, 16, cfg->pm_base + 4u);
	put_gas_io(f + FADT_X_PM_TMR_BLK, 32, cfg->pm_base + 8u);
	fix_sum(f, ACPI_FADT_LEN, 9);
}

/* The MADT at @m; returns its length. */
static uint32_t build_madt(const struct acpi_cfg *cfg, uint8_t *m)
{
	unsigned int i, n = cfg->ncpus ? cfg->ncpus : 1;
	uint32_t len = HDR_LEN + 8;
	uint8_t *e;

	put32(m + HDR_LEN, ACPI_LAPIC_ADDR);
	put32(m + HDR_LEN + 4, MADT_PCAT_COMPAT);
	for (i = 0; i < n; i++, len += 8) {
		e = m + len;
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)i;		/* ACPI processor UID */
		e[3] = (uint8_t)i;		/* APIC ID */
		put32(e + 4, 1);		/* enabled */
	}
	e = m + len;
	e[0] = MADT_IOAPIC;
	e[1] = 12;
	e[2] = cfg->ioapic_id;
	put32(e + 4, cfg->ioapic_addr);
	put32(e + 8, 0);			/* GSI base */
	len += 12;
	e = m + len;				/* IRQ0 -> GSI 2, ISA default */
	e[0] = MADT_ISO;
	e[1] = 10;
	e[3] = 0;
	put32(e + 4, 2);
	put16(e + 8, 0);
	len += 10;
	e = m + len;				/* SCI: level, active high */
	e[0] = MADT_ISO;
	e[1] = 10;
	e[3] = cfg->sci_irq;
	put32(e + 4, cfg->sci_irq);
	put16(e + 8, MPS_INTI_HIGH_LEVEL);
	len += 10;
	e = m + len;				/* LINT1 is NMI on every CPU */
	e[0] = MADT_LAPIC_NMI;
	e[1] = 6;
	e[2] = 0xff;
	put16(e + 3, 0);
	e[5] = 1;
	len += 6;
	put_header(m, "APIC", len, 3);
	fix_sum(m, len, 9);
	return len;
}

/* ------------------------------------------------------------ loader */

static uint8_t *loader_next(struct acpi_blob *b, uint32_t cmd)
{
	uint8_t *e = b->loader + b->loader_len;

	b->loader_len += ACPI_LOADER_ENTRY;
	memset(e, 0, ACPI_LOADER_ENTRY);
	put32(e, cmd);
	return e;
}

static void put_name(uint8_t *dst, const char *name)
{
	memcpy(dst, name, strlen(name));	/* < 56, rest stays NUL */
}

static void ld_alloc(struct acpi_blob *b, const char *file, uint32_t align,
		     uint8_t zone)
{
	uint8_t *e = loader_next(b, ACPI_LOADER_ALLOCATE);

	put_name(e + 4, file);
	put32(e + 4 + ACPI_LOADER_FNAME, align);
	e[8 + ACPI_LOADER_FNAME] = zone;
}

static void ld_pointer(struct acpi_blob *b, const char *dest,
		       const char *src, uint32_t off, uint8_t size)
{
	uint8_t *e = loader_next(b, ACPI_LOADER_ADD_POINTER);

	put_name(e + 4, dest);
	put_name(e + 4 + ACPI_LOADER_FNAME, src);
	put32(e + 4 + 2 * ACPI_LOADER_FNAME, off);
	e[8 + 2 * ACPI_LOADER_FNAME] = size;
}

static void ld_checksum(struct acpi_blob *b, const char *file, uint32_t off,
			uint32_t start, uint32_t len)
{
	uint8_t *e = loader_next(b, ACPI_LOADER_ADD_CHECKSUM);

	put_name(e + 4, file);
	put32(e + 4 + ACPI_LOADER_FNAME, off);
	put32(e + 8 + ACPI_LOADER_FNAME, start);
	put32(e + 12 + ACPI_LOADER_FNAME, len);
}

/* @madt_len 0: no MADT (the RSDT has one entry) */
static void build_loader(struct acpi_blob *b, uint32_t dsdt_len,
			 uint32_t rsdt_len, uint32_t madt_len)
{
	const char *t = ACPI_FILE_TABLES, *r = ACPI_FILE_RSDP;

	ld_alloc(b, t, 64, ACPI_ZONE_HIGH);
	ld_alloc(b, r, 16, ACPI_ZONE_FSEG);
	ld_checksum(b, t, ACPI_OFF_DSDT + 9, ACPI_OFF_DSDT, dsdt_len);
	ld_pointer(b, t, t, ACPI_OFF_FADT + FADT_FIRMWARE_CTRL, 4);
	ld_pointer(b, t, t, ACPI_OFF_FADT + FADT_DSDT, 4);
	ld_checksum(b, t, ACPI_OFF_FADT + 9, ACPI_OFF_FADT, ACPI_FADT_LEN);
	ld_pointer(b, t, t, ACPI_OFF_RSDT + HDR_LEN, 4);
	if (madt_len)
		ld_pointer(b, t, t, ACPI_OFF_RSDT + HDR_LEN + 4, 4);
	ld_checksum(b, t, ACPI_OFF_RSDT + 9, ACPI_OFF_RSDT, rsdt_len);
	if (madt_len)
		ld_checksum(b, t, ACPI_OFF_MADT + 9, ACPI_OFF_MADT, madt_len);
	ld_pointer(b, r, t, 16, 4);
	ld_checksum(b, r, 8, 0, ACPI_RSDP_LEN);
}

int acpi_build(const struct acpi_cfg *cfg, struct acpi_blob *out)
{
	uint8_t *t = out->tables;
	struct aml aml;
	uint32_t dsdt_len, madt_len = 0, rsdt_len;

	if (!cfg->pm_base || cfg->pm_base > 0xfff0 || cfg->sci_irq > 15 ||
	    cfg->pci_hole_base < 0x100000 ||
	    cfg->pci_hole_base >= PCI_HOLE_END || cfg->ncpus > ACPI_MAX_CPUS)
		return -EINVAL;
	for (unsigned int i = 0; i < 4; i++)
		if (cfg->pirq_irq[i] > 15)
			return -EINVAL;
	build_aml(cfg->pci_hole_base, cfg->pirq_irq, &aml);
	dsdt_len = (uint32_t)(HDR_LEN + aml.n);
	if (dsdt_len > ACPI_OFF_FADT - ACPI_OFF_DSDT)
		return -EINVAL;
	memset(out, 0, sizeof(*out));

	/* FACS: no checksum; version 1 (ACPI 2.0 layout) */
	memcpy(t + ACPI_OFF_FACS, "FACS", 4);
	put32(t + ACPI_OFF_FACS + 4, FACS_LEN);
	t[ACPI_OFF_FACS + 32] = 1;

	put_header(t + ACPI_OFF_DSDT, "DSDT", dsdt_len, 1);
	memcpy(t + ACPI_OFF_DSDT + HDR_LEN, aml.b, aml.n);
	fix_sum(t + ACPI_OFF_DSDT, dsdt_len, 9);

	build_fadt(cfg, t + ACPI_OFF_FADT);

	rsdt_len = HDR_LEN + (cfg->apic ? 8 : 4);
	put_header(t + ACPI_OFF_RSDT, "RSDT", rsdt_len, 1);
	put32(t + ACPI_OFF_RSDT + HDR_LEN, ACPI_OFF_FADT);
	out->tables_len = ACPI_OFF_RSDT + rsdt_len;
	if (cfg->apic) {
		put32(t + ACPI_OFF_RSDT + HDR_LEN + 4, ACPI_OFF_MADT);
		madt_len = build_madt(cfg, t + ACPI_OFF_MADT);
		out->tables_len = ACPI_OFF_MADT + madt_len;
	}
	fix_sum(t + ACPI_OFF_RSDT, rsdt_len, 9);

	memcpy(out->rsdp, "RSD PTR ", 8);
	memcpy(out->rsdp + 9, "DUALVM", 6);
	out->rsdp[15] = 0;			/* revision 0: ACPI 1.0 */
	put32(out->rsdp + 16, ACPI_OFF_RSDT);
	fix_sum(out->rsdp, ACPI_RSDP_LEN, 8);

	build_loader(out, dsdt_len, rsdt_len, madt_len);
	return 0;
}
