// SPDX-License-Identifier: GPL-2.0-only
/* test_machine.c --- the PC board through the machine bus (no CPU engine):
 * firmware tables, unclaimed ports, reset/power-off paths; and the sourced
 * virtual clock's late-timer semantics the run loop relies on. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "board/board_priv.h"
#include "board/efivars.h"
#include "board/memmap.h"
#include "board/smbios.h"
#include "hw/hw.h"
#include "tests/unit/harness.h"

static const char *write_bios(void)
{
	static char path[512];
	static uint8_t img[0x10000];
	int fd;

	memset(img, 0xf4, sizeof(img));		/* hlt */
	snprintf(path, sizeof(path), "%s/payload.bin", t_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_ASSERT(fd >= 0);
	T_EQ(write(fd, img, sizeof(img)), sizeof(img));
	close(fd);
	return path;
}

static struct machine *mk(uint64_t mib)
{
	struct machine_cfg cfg = { .ram_bytes = mib << 20,
				   .bios_path = write_bios(),
				   .rtc_epoch = 1700000000 };
	struct machine *m;
	char why[256] = "";

	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), 0);
	return m;
}

static uint8_t cmos(struct machine *m, uint8_t idx)
{
	m->bus.pio_write(m, 0x70, idx, 1);
	return (uint8_t)m->bus.pio_read(m, 0x71, 1);
}

static void test_missing_bios(void)
{
	struct machine_cfg cfg = { .ram_bytes = 16 << 20,
				   .bios_path = "/nonexistent/bios.bin" };
	struct machine *m;
	char why[256] = "";

	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), -ENOENT);
	T_ASSERT(strstr(why, "/nonexistent/bios.bin") != NULL);
	T_ASSERT(strchr(why, '\n') == NULL);
}

static void test_cmos_memory_fields(void)
{
	struct machine *m = mk(256);

	T_EQ(cmos(m, 0x15) | cmos(m, 0x16) << 8, 640);
	T_EQ(cmos(m, 0x17) | cmos(m, 0x18) << 8, 65535);	/* capped */
	T_EQ(cmos(m, 0x34) | cmos(m, 0x35) << 8, (256 - 16) * 16);
	T_EQ(cmos(m, 0x5b) | cmos(m, 0x5c) << 8 | cmos(m, 0x5d) << 16, 0);
	machine_destroy(m);
	m = mk(8);
	T_EQ(cmos(m, 0x17) | cmos(m, 0x18) << 8, 7 * 1024);
	T_EQ(cmos(m, 0x34) | cmos(m, 0x35) << 8, 0);
	machine_destroy(m);
}

static void test_fw_cfg_e820_via_ports(void)
{
	struct machine *m = mk(64);
	uint8_t dir[4 + 64 * 8], e[20];
	unsigned int i, n, key = 0;
	uint64_t len = 0;

	m->bus.pio_write(m, 0x510, 0x19, 2);
	for (i = 0; i < sizeof(dir); i++)
		dir[i] = (uint8_t)m->bus.pio_read(m, 0x511, 1);
	n = (unsigned int)dir[3];
	T_ASSERT(n >= 2);
	for (i = 0; i < n; i++)
		if (!strcmp((char *)dir + 4 + 64 * i + 8, "etc/e820"))
			key = dir[4 + 64 * i + 4] << 8 | dir[4 + 64 * i + 5];
	T_ASSERT(key != 0);
	m->bus.pio_write(m, 0x510, key, 2);
	for (i = 0; i < 20; i++)
		e[i] = (uint8_t)m->bus.pio_read(m, 0x511, 1);
	for (i = 0; i < 8; i++)
		len |= (uint64_t)e[8 + i] << (8 * i);
	T_EQ(e[0] | e[1] << 8, 0);
	T_EQ(len, 64 << 20);
	T_EQ(e[16], 1);					/* RAM */
	machine_destroy(m);
}

static void test_unclaimed_and_rom(void)
{
	struct machine *m = mk(16);

	T_EQ(m->bus.pio_read(m, 0x1234, 1), 0xff);
	T_EQ(m->bus.pio_read(m, 0x1234, 4), 0xffffffff);
	m->bus.pio_write(m, 0x1234, 0x55, 1);		/* ignored */
	T_EQ(m->bus.mmio_read(m, 0xfebf0000, 4), 0xffffffff);
	/* the BIOS ROM reads through MMIO and ignores writes */
	T_EQ(m->bus.mmio_read(m, 0xfffffff0, 1), 0xf4);
	m->bus.mmio_write(m, 0xfffffff0, 0, 1);
	T_EQ(m->bus.mmio_read(m, 0xfffffff0, 1), 0xf4);
	T_ASSERT(m->bus.page_ptr(m, 0xffff0000, true) == NULL);
	T_ASSERT(iospace_unclaimed_count(m->pio) >= 3);
	machine_destroy(m);
}

static void test_reset_and_poweroff_ports(void)
{
	struct machine *m = mk(16);

	T_ASSERT(!m->reset_pending);
	m->bus.pio_write(m, 0xcf9, 0x06, 1);		/* PIIX3 hard reset */
	T_ASSERT(m->reset_pending);
	machine_reset(m);
	T_ASSERT(!m->reset_pending);
	m->bus.pio_write(m, 0x64, 0xfe, 1);		/* i8042 pulse reset */
	T_ASSERT(m->reset_pending);
	machine_reset(m);
	T_ASSERT(!m->poweroff);
	m->bus.pio_write(m, MACHINE_EXIT_PORT, 3, 1);
	T_ASSERT(m->poweroff);
	T_EQ(m->exit_status, 3);
	machine_destroy(m);
}

struct fake_src {
	uint64_t	t;		/* what the source reports */
	uint64_t	seen;		/* vclock_now() inside the callback */
	struct vclock	*c;
};

static uint64_t fake_source(void *opaque)
{
	return ((struct fake_src *)opaque)->t;
}

static void record_now(void *opaque)
{
	struct fake_src *s = opaque;

	s->seen = vclock_now(s->c);
}

static void test_vclock_late_timer(void)
{
	struct fake_src s = { .t = 1000 };
	struct vtimer t;

	T_EQ(vclock_create(fake_source, &s, &s.c), 0);
	vtimer_init(&t, s.c, record_now, &s);
	vtimer_mod(&t, 100);
	s.t = 1000 + 500;			/* the run loop is late */
	T_EQ(vclock_run_timers(s.c), 1);
	T_EQ(s.seen, 100);			/* the callback sees its deadline */
	T_EQ(vclock_now(s.c), 500);
	/* never backwards; a late callback sees at least what was seen */
	s.t = 1000 + 400;
	T_EQ(vclock_now(s.c), 500);
	vtimer_mod(&t, 450);
	s.t = 1000 + 600;
	T_EQ(vclock_run_timers(s.c), 1);
	T_EQ(s.seen, 500);
	vclock_destroy(s.c);
}

/* Walk the structures: every one well formed, type 127 last, and the
 * entry point's count, length, max size and checksums agree. */
static void test_smbios_tables(void)
{
	struct smbios_blob b;
	unsigned int off = 0, n = 0, maxsz = 0, start, i;
	uint8_t sum = 0, last = 0;
	bool saw_sys = false;

	T_EQ(smbios_build(0xe0000000ULL, 0x20000000ULL, &b), 0);
	T_ASSERT(!memcmp(b.anchor, "_SM_", 4));
	T_ASSERT(!memcmp(b.anchor + 16, "_DMI_", 5));
	for (i = 0; i < SMBIOS_EP21_LEN; i++)
		sum = (uint8_t)(sum + b.anchor[i]);
	T_EQ(sum, 0);
	for (sum = 0, i = 16; i < SMBIOS_EP21_LEN; i++)
		sum = (uint8_t)(sum + b.anchor[i]);
	T_EQ(sum, 0);
	while (off < b.len) {
		start = off;
		T_ASSERT(b.tables[off + 1] >= 4);
		last = b.tables[off];
		if (last == 1) {
			saw_sys = true;
			T_ASSERT(!strcmp((char *)b.tables + off +
					 b.tables[off + 1], "dualvm"));
		}
		off += b.tables[off + 1];
		while (off + 1 < b.len && (b.tables[off] || b.tables[off + 1]))
			off++;
		off += 2;
		T_ASSERT(off <= b.len);
		if (off - start > maxsz)
			maxsz = off - start;
		n++;
	}
	T_EQ(off, b.len);
	T_EQ(last, 127);
	T_ASSERT(saw_sys);
	T_EQ(b.anchor[22] | b.anchor[23] << 8, b.len);
	T_EQ(b.anchor[28] | b.anchor[29] << 8, n);
	T_EQ(b.anchor[8] | b.anchor[9] << 8, maxsz);
}

/* ---------------------------------------------------------------- UEFI */

#define CODE_LEN	0x10000u
#define VARS_LEN	0x4000u

static void write_file(const char *path, const uint8_t *b, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	T_ASSERT(fd >= 0);
	T_EQ(write(fd, b, n), (ssize_t)n);
	close(fd);
}

static void read_file(const char *path, uint8_t *b, size_t n)
{
	int fd = open(path, O_RDONLY);

	T_ASSERT(fd >= 0);
	T_EQ(read(fd, b, n), (ssize_t)n);
	close(fd);
}

/* A code image of hlt and an empty OVMF-style variable store template. */
static void uefi_files(char *code, char *tpl, char *nv, size_t len)
{
	static const uint8_t auth[16] = {
		0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
		0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92,
	};
	static uint8_t img[CODE_LEN], vars[VARS_LEN];

	memset(img, 0xf4, sizeof(img));
	memset(vars, 0xff, sizeof(vars));
	memset(vars, 0, 0x48 + 28);
	memcpy(vars + 40, "_FVH", 4);
	vars[48] = 0x48;
	memcpy(vars + 0x48, auth, 16);
	vars[0x48 + 17] = 0x20;			/* store size 0x2000 */
	vars[0x48 + 20] = 0x5a;
	vars[0x48 + 21] = 0xfe;
	snprintf(code, len, "%s/code.fd", t_tmpdir());
	snprintf(tpl, len, "%s/vars-template.fd", t_tmpdir());
	snprintf(nv, len, "%s/vm.nvram", t_tmpdir());
	write_file(code, img, sizeof(img));
	write_file(tpl, vars, sizeof(vars));
	unlink(nv);
}

static void test_uefi_flash(void)
{
	char code[512], tpl[512], nv[512], why[256] = "";
	uint8_t a[VARS_LEN], b[VARS_LEN];
	struct machine_cfg cfg = { .ram_bytes = 64 << 20, .uefi = true,
				   .uefi_code = code, .nvram_path = nv,
				   .nvram_template = tpl };
	const uint64_t vars_base = MEMMAP_4G - CODE_LEN - VARS_LEN;
	struct machine *m;

	uefi_files(code, tpl, nv, sizeof(code));
	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), 0);
	/* the NVRAM is a copy of the template, the code is at the top */
	read_file(nv, a, sizeof(a));
	read_file(tpl, b, sizeof(b));
	T_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	T_EQ(m->bus.mmio_read(m, MEMMAP_4G - 16, 1), 0xf4);
	T_EQ(memmap_bios_base(m->mem), MEMMAP_4G - CODE_LEN);
	/* the code flash refuses a program */
	m->bus.mmio_write(m, MEMMAP_4G - 16, 0x10, 1);
	m->bus.mmio_write(m, MEMMAP_4G - 16, 0x00, 1);
	T_EQ(m->bus.mmio_read(m, MEMMAP_4G - 16, 1), 0xf4);
	/* the variable store flash below it: read, program one byte */
	T_EQ(m->bus.mmio_read(m, vars_base + 40, 4), 0x4856465f);	/* _FVH */
	m->bus.mmio_write(m, vars_base + 0x3000, 0x10, 1);
	m->bus.mmio_write(m, vars_base + 0x3000, 0x12, 1);
	T_EQ(m->bus.mmio_read(m, vars_base + 0x3000, 1), 0x80);	/* status */
	m->bus.mmio_write(m, vars_base + 0x3000, 0xff, 1);
	T_EQ(m->bus.mmio_read(m, vars_base + 0x3000, 1), 0x12);
	machine_destroy(m);
	read_file(nv, a, sizeof(a));
	T_EQ(a[0x3000], 0x12);				/* in the file */
	read_file(tpl, b, sizeof(b));
	T_EQ(b[0x3000], 0xff);				/* not in the template */
	unlink(nv);
}

static void test_uefi_boot_entry(void)
{
	char code[512], tpl[512], nv[512], why[256] = "";
	struct efi_boot_target t = { .part = 1, .start = 2048,
				     .sectors = 4096, .path = "\\EFI\\x\\y.efi",
				     .title = "test" };
	struct machine_cfg cfg = { .ram_bytes = 64 << 20, .uefi = true,
				   .uefi_code = code, .nvram_path = nv,
				   .nvram_template = tpl, .efi_boot = &t };
	uint8_t a[VARS_LEN];
	const uint8_t *d;
	struct machine *m;
	size_t n = 0;

	uefi_files(code, tpl, nv, sizeof(code));
	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), 0);
	machine_destroy(m);
	read_file(nv, a, sizeof(a));
	d = efivar_get(a, sizeof(a), "BootOrder", efivar_global_guid, &n);
	T_ASSERT(d != NULL);
	T_EQ(d[0] | d[1] << 8, MACHINE_EFI_BOOT_NUM);
	T_ASSERT(efivar_get(a, sizeof(a), "BootD000", efivar_global_guid,
			    &n) != NULL);
	unlink(nv);
}

static void test_uefi_refusals(void)
{
	char code[512], tpl[512], nv[512], why[256] = "";
	struct machine_cfg cfg = { .ram_bytes = 64 << 20, .uefi = true,
				   .uefi_code = "/nonexistent/OVMF_CODE.fd",
				   .nvram_path = nv, .nvram_template = tpl };
	struct machine *m;

	uefi_files(code, tpl, nv, sizeof(code));
	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), -ENOENT);
	T_ASSERT(strstr(why, "/nonexistent/OVMF_CODE.fd") != NULL);
	T_ASSERT(strchr(why, '\n') == NULL);
	/* the template itself is never the VM's store */
	cfg.uefi_code = code;
	cfg.nvram_path = tpl;
	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), -EPERM);
	/* neither is a file under /usr/share */
	cfg.nvram_path = "/usr/share/../share/OVMF/OVMF_VARS_4M.fd";
	if (access(cfg.nvram_path, F_OK) == 0)
		T_EQ(machine_create(&cfg, &m, why, sizeof(why)), -EPERM);
	/* an existing file that is not a firmware volume (VMware's NVRAM)
	 * is refused and left as it was */
	{
		uint8_t junk[VARS_LEN], back[VARS_LEN];

		cfg.nvram_path = nv;
		memset(junk, 0x5a, sizeof(junk));
		write_file(nv, junk, sizeof(junk));
		T_EQ(machine_create(&cfg, &m, why, sizeof(why)), -EINVAL);
		T_ASSERT(strstr(why, "not an OVMF variable store") != NULL);
		read_file(nv, back, sizeof(back));
		T_ASSERT(memcmp(junk, back, sizeof(junk)) == 0);
		unlink(nv);
	}
	/* a missing template: nothing is created */
	cfg.nvram_path = nv;
	cfg.nvram_template = "/nonexistent/VARS.fd";
	T_EQ(machine_create(&cfg, &m, why, sizeof(why)), -ENOENT);
	T_ASSERT(strstr(why, "/nonexistent/VARS.fd") != NULL);
	T_ASSERT(access(nv, F_OK) != 0);
}

static const struct t_case cases[] = {
	T_CASE(test_uefi_flash),
	T_CASE(test_uefi_boot_entry),
	T_CASE(test_uefi_refusals),
	T_CASE(test_missing_bios),
	T_CASE(test_cmos_memory_fields),
	T_CASE(test_fw_cfg_e820_via_ports),
	T_CASE(test_unclaimed_and_rom),
	T_CASE(test_reset_and_poweroff_ports),
	T_CASE(test_vclock_late_timer),
	T_CASE(test_smbios_tables),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
