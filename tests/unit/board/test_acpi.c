// SPDX-License-Identifier: GPL-2.0-only
/* test_acpi.c --- board/acpi.c: run the linker/loader script the way SeaBIOS
 * does (files placed at fake guest addresses in a fake memory), then walk
 * RSDP -> RSDT -> FADT -> FACS/DSDT checking signatures, lengths,
 * checksums, FADT fields and the hand-assembled \_S5 AML. */
#include <errno.h>
#include <string.h>

#include "board/acpi.h"
#include "tests/unit/harness.h"

#define MEM_SIZE	0x100000	/* fake guest memory: 1 MiB */
#define TABLES_AT	0x40000		/* "high" allocation */
#define RSDP_AT		0xf5a10		/* F segment, 16-aligned */

struct placed {
	const char	*name;		/* fw_cfg file name */
	const uint8_t	*data;		/* its content */
	size_t		len;
	uint32_t	addr;		/* where the loader put it, 0: not yet */
};

static uint8_t mem[MEM_SIZE];

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static struct placed *find(struct placed *f, unsigned int n, const uint8_t *name)
{
	unsigned int i;

	T_ASSERT(memchr(name, 0, ACPI_LOADER_FNAME) != NULL);
	for (i = 0; i < n; i++)
		if (!strcmp(f[i].name, (const char *)name))
			return &f[i];
	t_fail(__FILE__, __LINE__, "loader names unknown file '%s'", name);
}

/* How the firmware applies ADD_CHECKSUM: SeaBIOS subtracts the range's
 * sum from the field, OVMF stores minus the range's sum (field included). */
static bool ovmf_checksums;

/* Execute the script; every file must be allocated before use. */
static void run_loader(const struct acpi_blob *b)
{
	struct placed f[2] = {
		{ ACPI_FILE_TABLES, b->tables, b->tables_len, 0 },
		{ ACPI_FILE_RSDP, b->rsdp, sizeof(b->rsdp), 0 },
	};
	size_t off;

	memset(mem, 0, sizeof(mem));
	T_EQ(b->loader_len % ACPI_LOADER_ENTRY, 0);
	for (off = 0; off < b->loader_len; off += ACPI_LOADER_ENTRY) {
		const uint8_t *e = b->loader + off;
		struct placed *d, *s;
		uint32_t o, start, len, v;

		switch (rd32(e)) {
		case ACPI_LOADER_ALLOCATE:
			d = find(f, 2, e + 4);
			T_EQ(d->addr, 0);
			if (e[8 + ACPI_LOADER_FNAME] == ACPI_ZONE_FSEG) {
				d->addr = RSDP_AT;
				T_EQ(RSDP_AT % rd32(e + 4 + ACPI_LOADER_FNAME), 0);
			} else {
				T_EQ(e[8 + ACPI_LOADER_FNAME], ACPI_ZONE_HIGH);
				d->addr = TABLES_AT;
				T_EQ(rd32(e + 4 + ACPI_LOADER_FNAME), 64);
			}
			memcpy(mem + d->addr, d->data, d->len);
			break;
		case ACPI_LOADER_ADD_POINTER:
			d = find(f, 2, e + 4);
			s = find(f, 2, e + 4 + ACPI_LOADER_FNAME);
			o = rd32(e + 4 + 2 * ACPI_LOADER_FNAME);
			T_ASSERT(d->addr && s->addr);
			T_EQ(e[8 + 2 * ACPI_LOADER_FNAME], 4);
			T_ASSERT(o + 4 <= d->len);
			v = rd32(mem + d->addr + o);
			T_ASSERT(v < s->len);		/* an offset into src */
			v += s->addr;
			memcpy(mem + d->addr + o, &v, 4);
			break;
		case ACPI_LOADER_ADD_CHECKSUM:
			d = find(f, 2, e + 4);
			o = rd32(e + 4 + ACPI_LOADER_FNAME);
			start = rd32(e + 8 + ACPI_LOADER_FNAME);
			len = rd32(e + 12 + ACPI_LOADER_FNAME);
			T_ASSERT(d->addr && o < d->len && start + len <= d->len);
			if (ovmf_checksums)
				mem[d->addr + o] = (uint8_t)-sum(mem + d->addr +
								 start, len);
			else
				mem[d->addr + o] = (uint8_t)(mem[d->addr + o] -
					     sum(mem + d->addr + start, len));
			break;
		default:
			t_fail(__FILE__, __LINE__, "unknown command %u", rd32(e));
		}
	}
	T_ASSERT(f[0].addr && f[1].addr);
}

static const struct acpi_cfg cfg = { .pm_base = 0x600, .sci_irq = 9,
				     .reset_port = 0xcf9, .reset_value = 6,
				     .pci_hole_base = 0x10000000, .apic = true,
				     .ioapic_id = 0, .ioapic_addr = 0xfec00000 };

static uint32_t pkglen(const uint8_t *p, unsigned int *nbytes);

/* A table at guest address @a with signature @sig and a valid checksum. */
static const uint8_t *table_at(uint32_t a, const char *sig)
{
	const uint8_t *t;

	T_ASSERT(a >= TABLES_AT && a < TABLES_AT + ACPI_TABLES_MAX);
	t = mem + a;
	T_ASSERT(!memcmp(t, sig, 4));
	T_ASSERT(rd32(t + 4) >= 36 && a + rd32(t + 4) <= TABLES_AT + ACPI_TABLES_MAX);
	T_EQ(sum(t, rd32(t + 4)), 0);
	T_ASSERT(!memcmp(t + 10, "DUALVM", 6));
	return t;
}

static const uint8_t *fadt_of_loaded(void)
{
	const uint8_t *rsdp = mem + RSDP_AT, *rsdt;

	T_ASSERT(!memcmp(rsdp, "RSD PTR ", 8));
	T_EQ(sum(rsdp, 20), 0);
	T_EQ(rsdp[15], 0);
	rsdt = table_at(rd32(rsdp + 16), "RSDT");
	T_EQ(rd32(rsdt + 4), 44);		/* FADT, MADT */
	return table_at(rd32(rsdt + 36), "FACP");
}

static const uint8_t *madt_of_loaded(void)
{
	const uint8_t *rsdt = mem + rd32(mem + RSDP_AT + 16);

	return table_at(rd32(rsdt + 40), "APIC");
}

/* the MADT lists @ncpus local APICs, the I/O APIC, IRQ0 -> GSI 2, the
 * level/high SCI and LINT1 NMI, and nothing else */
static void check_madt(unsigned int ncpus)
{
	const uint8_t *m = madt_of_loaded(), *e;
	unsigned int cpus = 0, ioapics = 0, isos = 0, nmis = 0;
	uint32_t off;

	T_EQ(rd32(m + 36), 0xfee00000);		/* local APIC address */
	T_EQ(rd32(m + 40), 1);			/* PCAT_COMPAT */
	for (off = 44; off < rd32(m + 4); off += e[1]) {
		e = m + off;
		T_ASSERT(e[1] >= 2 && off + e[1] <= rd32(m + 4));
		switch (e[0]) {
		case 0:
			T_EQ(e[1], 8);
			T_EQ(e[3], cpus);	/* APIC IDs 0.. in order */
			T_EQ(rd32(e + 4), 1);
			cpus++;
			break;
		case 1:
			T_EQ(e[1], 12);
			T_EQ(rd32(e + 4), 0xfec00000);
			T_EQ(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			T_EQ(e[1], 10);
			T_EQ(e[2], 0);		/* ISA */
			if (e[3] == 0) {
				T_EQ(rd32(e + 4), 2);
				T_EQ(rd16(e + 8), 0);
			} else {
				T_EQ(e[3], 9);
				T_EQ(rd32(e + 4), 9);
				T_EQ(rd16(e + 8), 0x000d);
			}
			isos++;
			break;
		case 4:
			T_EQ(e[1], 6);
			T_EQ(e[2], 0xff);
			T_EQ(e[5], 1);
			nmis++;
			break;
		default:
			t_fail(__FILE__, __LINE__, "MADT entry type %u", e[0]);
		}
	}
	T_EQ(off, rd32(m + 4));
	T_EQ(cpus, ncpus);
	T_EQ(ioapics, 1);
	T_EQ(isos, 2);
	T_EQ(nmis, 1);
}

static void test_acpi_madt(void)
{
	static struct acpi_blob b;
	struct acpi_cfg c = cfg;

	T_EQ(acpi_build(&c, &b), 0);
	run_loader(&b);
	check_madt(1);
	c.ncpus = ACPI_MAX_CPUS;
	T_EQ(acpi_build(&c, &b), 0);
	run_loader(&b);
	check_madt(ACPI_MAX_CPUS);
	c.ncpus = ACPI_MAX_CPUS + 1;
	T_EQ(acpi_build(&c, &b), -EINVAL);
	/* no APICs: no MADT, an RSDT with the FADT only */
	c.ncpus = 1;
	c.apic = false;
	T_EQ(acpi_build(&c, &b), 0);
	run_loader(&b);
	T_EQ(rd32(mem + rd32(mem + RSDP_AT + 16) + 4), 40);
	table_at(rd32(mem + rd32(mem + RSDP_AT + 16) + 36), "FACP");
}

static void test_acpi_tables_checksums(void)
{
	static struct acpi_blob b;
	const uint8_t *fadt, *facs;

	T_EQ(acpi_build(&cfg, &b), 0);
	/* checksum fields are the loader's: 0 in the files */
	T_EQ(b.rsdp[8], 0);
	T_EQ(b.tables[ACPI_OFF_FADT + 9], 0);
	T_EQ(b.tables[ACPI_OFF_DSDT + 9], 0);
	/* OVMF's way of applying ADD_CHECKSUM gives valid tables too */
	ovmf_checksums = true;
	run_loader(&b);
	ovmf_checksums = false;
	fadt = fadt_of_loaded();
	T_EQ(sum(fadt, ACPI_FADT_LEN), 0);
	table_at(rd32(fadt + 40), "DSDT");
	run_loader(&b);
	fadt = fadt_of_loaded();
	T_EQ(rd32(fadt + 4), ACPI_FADT_LEN);
	T_EQ(fadt[8], 3);
	facs = mem + rd32(fadt + 36);
	T_EQ(rd32(fadt + 36) % 64, 0);
	T_ASSERT(!memcmp(facs, "FACS", 4));
	T_EQ(rd32(facs + 4), 64);
	table_at(rd32(fadt + 40), "DSDT");
}

static void test_acpi_fadt_fields(void)
{
	static struct acpi_blob b;
	const uint8_t *f;

	T_EQ(acpi_build(&cfg, &b), 0);
	run_loader(&b);
	f = fadt_of_loaded();
	T_EQ(rd16(f + 46), 9);			/* SCI_INT */
	T_EQ(rd32(f + 48), 0);			/* SMI_CMD: always ACPI */
	T_EQ(rd32(f + 56), 0x600);		/* PM1a_EVT_BLK */
	T_EQ(rd32(f + 64), 0x604);		/* PM1a_CNT_BLK */
	T_EQ(rd32(f + 76), 0x608);		/* PM_TMR_BLK */
	T_EQ(f[88], 4);
	T_EQ(f[89], 2);
	T_EQ(f[91], 4);
	T_ASSERT(rd16(f + 96) > 100);		/* no C2 */
	T_ASSERT(rd16(f + 98) > 1000);		/* no C3 */
	T_EQ(rd32(f + 112) & (1u << 10), 1u << 10);	/* RESET_REG_SUP */
	T_EQ(rd32(f + 112) & (1u << 8), 1u << 8);	/* TMR_VAL_EXT */
	T_EQ(rd32(f + 112) & 0x30, 0x30);	/* no fixed buttons */
	T_EQ(f[116], 1);			/* reset reg: system I/O */
	T_EQ(f[117], 8);
	T_EQ(rd32(f + 120), 0xcf9);
	T_EQ(f[128], 6);
	T_EQ(f[148], 1);			/* X_PM1a_EVT_BLK */
	T_EQ(rd32(f + 152), 0x600);
	T_EQ(f[172 + 1], 16);			/* X_PM1a_CNT_BLK width */
	T_EQ(rd32(f + 176), 0x604);
	T_EQ(rd32(f + 212), 0x608);		/* X_PM_TMR_BLK */
}

static void test_acpi_dsdt_s5(void)
{
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08,
				      0x04, 0x0a, ACPI_SLP_TYP_S5, 0x0a,
				      ACPI_SLP_TYP_S5, 0x00, 0x00 };
	static struct acpi_blob b;
	const uint8_t *d, *aml;
	uint32_t len;

	T_EQ(acpi_build(&cfg, &b), 0);
	run_loader(&b);
	d = table_at(rd32(fadt_of_loaded() + 40), "DSDT");
	len = rd32(d + 4);
	aml = d + 36;
	T_ASSERT(len >= 36 + sizeof(s5));
	T_ASSERT(!memcmp(aml, s5, sizeof(s5)));
	/* PkgLength counts from itself to the end of the package */
	T_EQ(aml[6], 1 + 1 + 6);
	/* then Method (_PIC, 1) {} */
	T_EQ(aml[sizeof(s5)], 0x14);
	T_EQ(aml[sizeof(s5) + 1], 6);
	T_ASSERT(!memcmp(aml + sizeof(s5) + 2, "_PIC", 4));
	/* then Scope (\_SB) ending exactly at the table end */
	aml += sizeof(s5) + 7;
	T_EQ(aml[0], 0x10);
	T_EQ(36 + sizeof(s5) + 7 + 1 + pkglen(aml + 1, NULL), len);
}

/* Decode a PkgLength at @p; *@nbytes gets its size. */
static uint32_t pkglen(const uint8_t *p, unsigned int *nbytes)
{
	unsigned int n = (p[0] >> 6) + 1, i;
	uint32_t v = n == 1 ? p[0] & 0x3f : p[0] & 0x0f;

	for (i = 1; i < n; i++)
		v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	if (nbytes)
		*nbytes = n;
	return v;
}

static const uint8_t *memfind(const uint8_t *p, size_t n, const void *s,
			   size_t sn)
{
	size_t i;

	for (i = 0; i + sn <= n; i++)
		if (!memcmp(p + i, s, sn))
			return p + i;
	return NULL;
}

static void test_acpi_dsdt_pci0_crs(void)
{
	static struct acpi_blob b;
	const uint8_t *d, *p, *dev, *res, *end;
	unsigned int nb, nmem = 0, nbus = 0;
	uint32_t len;

	T_EQ(acpi_build(&cfg, &b), 0);
	run_loader(&b);
	d = table_at(rd32(fadt_of_loaded() + 40), "DSDT");
	len = rd32(d + 4);
	p = memfind(d + 36 + 21, len - 36 - 21, "\x10", 1);
	T_ASSERT(p && !memcmp(p + 1 + ((p[1] >> 6) + 1), "\\_SB_", 5));
	dev = memfind(d, len, "\x5b\x82", 2);
	T_ASSERT(dev && dev > p);
	pkglen(dev + 2, &nb);
	T_ASSERT(!memcmp(dev + 2 + nb, "PCI0", 4));
	/* the device ends where the scope ends: at the table end */
	T_EQ(dev + 2 + pkglen(dev + 2, NULL) - d, len);
	T_ASSERT(memfind(dev, len - (dev - d), "\x08_HID\x0c\x41\xd0\x0a\x03", 10));
	p = memfind(dev, len - (dev - d), "\x08_CRS\x11", 6);
	T_ASSERT(p);
	p += 6;
	T_EQ(p + pkglen(p, &nb) - d, len);	/* _CRS is last */
	T_EQ(p[nb], 0x0a);			/* BufferSize BytePrefix */
	res = p + nb + 2;
	end = res + p[nb + 1];
	T_EQ(end - d, len);
	/* walk the resource descriptors to the end tag */
	while (res < end && res[0] != 0x79) {
		if (res[0] & 0x80) {
			if (res[0] == 0x87 && res[3] == 0 &&
			    rd32(res + 10) == cfg.pci_hole_base) {
				T_EQ(rd32(res + 14), 0xfebfffff);
				T_EQ(rd32(res + 22), 0xfec00000 - cfg.pci_hole_base);
				nmem++;
			}
			if (res[0] == 0x88 && res[3] == 2) {
				T_EQ(rd16(res + 10), 0xff);
				nbus++;
			}
			res += 3 + rd16(res + 1);
		} else {
			res += 1 + (res[0] & 7);
		}
	}
	T_ASSERT(res + 2 == end && res[0] == 0x79);
	T_EQ(nmem, 1);
	T_EQ(nbus, 1);
}

static void test_acpi_bad_cfg(void)
{
	static struct acpi_blob b;
	struct acpi_cfg c = cfg;

	c.sci_irq = 16;
	T_EQ(acpi_build(&c, &b), -22);
	c = cfg;
	c.pm_base = 0;
	T_EQ(acpi_build(&c, &b), -22);
	c = cfg;
	c.pci_hole_base = 0xfec00000;
	T_EQ(acpi_build(&c, &b), -22);
}

/* PCI0's _PRT: 124 entries { slot:FFFF, pin, 0, GSI } with the PIIX3
 * wiring PIRQ = (slot + pin - 1) mod 4 onto the configured IRQs */
static void test_acpi_dsdt_prt(void)
{
	static struct acpi_blob b;
	struct acpi_cfg c = cfg;
	const uint8_t *d, *p;
	unsigned int nb, slot, pin, n = 0;
	uint32_t len;

	memcpy(c.pirq_irq, (uint8_t[4]){ 10, 10, 11, 11 }, 4);
	T_EQ(acpi_build(&c, &b), 0);
	run_loader(&b);
	d = table_at(rd32(fadt_of_loaded() + 40), "DSDT");
	len = rd32(d + 4);
	T_ASSERT(memfind(d, len, "\x08_CRS", 5) != NULL);
	p = memfind(d, len, "\x08_PRT\x12", 6);
	T_ASSERT(p && p > memfind(d, len, "PCI0", 4));
	T_ASSERT(p < memfind(d, len, "\x08_CRS", 5));	/* inside PCI0 */
	p += 6;
	pkglen(p, &nb);
	T_EQ(p[nb], 124);			/* NumElements */
	p += nb + 1;
	for (slot = 1; slot <= 31; slot++)
		for (pin = 0; pin < 4; pin++, n++) {
			const uint8_t *e = p;
			unsigned int k;

			T_EQ(e[0], 0x12);
			pkglen(e + 1, &nb);
			k = 1 + nb;
			T_EQ(e[k++], 4);
			T_EQ(e[k++], 0x0c);
			T_EQ(rd32(e + k), slot << 16 | 0xffff);
			k += 4;
			if (pin < 2) {
				T_EQ(e[k++], pin);
			} else {
				T_EQ(e[k++], 0x0a);
				T_EQ(e[k++], pin);
			}
			T_EQ(e[k++], 0);			/* no link device */
			T_EQ(e[k++], 0x0a);
			T_EQ(e[k++], ((slot + pin - 1) & 3) < 2 ? 10 : 11);
			T_EQ(k, 1 + pkglen(e + 1, NULL));
			p += k;
		}
	T_EQ(n, 124);
	c.pirq_irq[2] = 16;
	T_EQ(acpi_build(&c, &b), -EINVAL);
}

static const struct t_case cases[] = {
	T_CASE(test_acpi_dsdt_prt),
	T_CASE(test_acpi_madt),
	T_CASE(test_acpi_tables_checksums),
	T_CASE(test_acpi_fadt_fields),
	T_CASE(test_acpi_dsdt_s5),
	T_CASE(test_acpi_dsdt_pci0_crs),
	T_CASE(test_acpi_bad_cfg),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
