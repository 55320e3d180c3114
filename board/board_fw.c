// SPDX-License-Identifier: GPL-2.0-only
/*
 * board_fw.c --- what the PC board tells its firmware
 *
 * CMOS (MC146818 RAM, the IBM AT / Bochs-QEMU BIOS layout SeaBIOS reads):
 *   0x10 floppy types, 0x12 hard disk types, 0x14 equipment byte,
 *   0x15/0x16 base memory KiB, 0x17/0x18 and 0x30/0x31 extended memory KiB
 *   (above 1 MiB, max 65535), 0x34/0x35 RAM above 16 MiB in 64 KiB units,
 *   0x5b-0x5d RAM above 4 GiB in 64 KiB units, 0x5f CPU count - 1,
 *   0x3d/0x38 boot order (1 floppy, 2 disk, 3 CD), 0x2e/0x2f checksum.
 * fw_cfg (QEMU docs/specs/fw_cfg.rst, and the items SeaBIOS's paravirt code
 * reads): RAM size, CPU counts, no boot menu, etc/e820, bootorder and
 * etc/sercon-port = COM1 so SeaBIOS's console goes to the serial port, and
 * the SMBIOS tables of smbios.c, and the ACPI tables of acpi.c with their
 * linker/loader script (etc/acpi/rsdp, etc/acpi/tables, etc/table-loader).
 * The VGA BIOS (Debian's vgabios-stdvga.bin) becomes the adapter's PCI
 * expansion ROM.
 * UEFI: the variable store file (the VM's NVRAM) is created once from
 * Debian's OVMF_VARS_4M.fd and mapped shared, so what OVMF programs into
 * its flash is in the file; files under /usr/share are never opened for
 * writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/acpi.h"
#include "board/board_priv.h"
#include "board/efivars.h"
#include "board/memmap.h"
#include "board/smbios.h"
#include "devices/devices.h"

#define E820_RAM	1

static void cmos_set16(struct rtc *r, unsigned int idx, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	rtc_cmos_set(r, idx, (uint8_t)v);
	rtc_cmos_set(r, idx + 1, (uint8_t)(v >> 8));
}

static void cmos_tables(struct board_pc *b)
{
	struct memmap *mem = b->m->mem;
	uint64_t low = memmap_low_end(mem), high = memmap_high_size(mem);
	uint64_t ext_kib = low > (1 << 20) ? (low - (1 << 20)) >> 10 : 0;
	uint64_t above16 = low > (16 << 20) ? (low - (16 << 20)) >> 16 : 0;
	unsigned int i, sum = 0;
	struct rtc *r = b->dev[BD_RTC];

	rtc_cmos_set(r, 0x10, 0x00);		/* no floppy */
	rtc_cmos_set(r, 0x12, b->m->cfg.disk[0] ? 0xf0 : 0x00);
	rtc_cmos_set(r, 0x14, 0x06);		/* FPU, PS/2 mouse */
	cmos_set16(r, 0x15, 640);
	cmos_set16(r, 0x17, ext_kib);
	cmos_set16(r, 0x30, ext_kib);
	cmos_set16(r, 0x34, above16);
	rtc_cmos_set(r, 0x5b, (uint8_t)(high >> 16));
	rtc_cmos_set(r, 0x5c, (uint8_t)(high >> 24));
	rtc_cmos_set(r, 0x5d, (uint8_t)(high >> 32));
	rtc_cmos_set(r, 0x5f, (uint8_t)(b->m->cfg.cpus - 1));	/* CPUs - 1 */
	/* disk then CD, or CD then disk (--boot cdrom) */
	rtc_cmos_set(r, 0x3d, b->m->cfg.boot_cdrom ? 0x23 : 0x32);
	rtc_cmos_set(r, 0x38, 0x11);		/* floppy third, no fd check */
	for (i = 0x10; i <= 0x2d; i++)
		sum += rtc_cmos_get(r, i);
	rtc_cmos_set(r, 0x2e, (uint8_t)(sum >> 8));
	rtc_cmos_set(r, 0x2f, (uint8_t)sum);
}

static void e820_put(uint8_t *e, uint64_t addr, uint64_t len, uint32_t type)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		e[i] = (uint8_t)(addr >> (8 * i));
		e[8 + i] = (uint8_t)(len >> (8 * i));
	}
	for (i = 0; i < 4; i++)
		e[16 + i] = (uint8_t)(type >> (8 * i));
}

static int smbios_tables(struct board_pc *b)
{
	struct smbios_blob *sb = malloc(sizeof(*sb));
	int err = -ENOMEM;

	if (sb)
		err = smbios_build(memmap_low_end(b->m->mem),
				   memmap_high_size(b->m->mem), sb);
	if (!err)
		err = fw_cfg_add_file(b->dev[BD_FWCFG], "etc/smbios/smbios-anchor",
				      sb->anchor, sizeof(sb->anchor));
	if (!err)
		err = fw_cfg_add_file(b->dev[BD_FWCFG], "etc/smbios/smbios-tables",
				      sb->tables, sb->len);
	free(sb);
	return err;
}

_Static_assert(ACPI_SLP_TYP_S5 == ACPI_PM_SLP_TYP_S5,
	       "DSDT \\_S5 and the PM block disagree");

static int acpi_tables(struct board_pc *b)
{
	struct acpi_cfg c = { .pm_base = ACPI_PM_BASE,
			      .sci_irq = ACPI_PM_SCI_IRQ,
			      .reset_port = 0xcf9, .reset_value = 0x06,
			      .pci_hole_base = (uint32_t)memmap_low_end(b->m->mem),
			      .apic = b->m->cfg.apic,
			      .ncpus = (uint8_t)b->m->cfg.cpus,
			      .ioapic_id = BOARD_IOAPIC_ID,
			      .ioapic_addr = IOAPIC_BASE,
			      /* the PIRQ routing SeaBIOS programs into the
			       * PIIX3 (pciinit.c: PIRQA-D -> 10, 10, 11, 11,
			       * level in the ELCR) */
			      .pirq_irq = { 10, 10, 11, 11 } };
	struct acpi_blob *ab = malloc(sizeof(*ab));
	int err = -ENOMEM;

	if (ab)
		err = acpi_build(&c, ab);
	if (!err)
		err = fw_cfg_add_file(b->dev[BD_FWCFG], ACPI_FILE_RSDP, ab->rsdp,
				      sizeof(ab->rsdp));
	if (!err)
		err = fw_cfg_add_file(b->dev[BD_FWCFG], ACPI_FILE_TABLES, ab->tables,
				      ab->tables_len);
	if (!err)
		err = fw_cfg_add_file(b->dev[BD_FWCFG], ACPI_FILE_LOADER, ab->loader,
				      ab->loader_len);
	free(ab);
	return err;
}

static int fwcfg_tables(struct board_pc *b)
{
	struct memmap *mem = b->m->mem;
	struct fw_cfg *f = b->dev[BD_FWCFG];
	static const char disk0[] = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n";
	static const char cd[] = "/pci@i0cf8/ide@1,1/drive@1/disk@0\n";
	static const char nic[] = "/pci@i0cf8/ethernet@3\n";
	char bootorder[sizeof(disk0) + sizeof(cd) + sizeof(nic)] = "";
	uint8_t e820[2 * 20], sercon[2] = { 0xf8, 0x03 };
	size_t n = 20;
	int err;

	e820_put(e820, 0, memmap_low_end(mem), E820_RAM);
	if (memmap_high_size(mem)) {
		e820_put(e820 + 20, MEMMAP_4G, memmap_high_size(mem), E820_RAM);
		n = 40;
	}
	err = fw_cfg_add_i64(f, FW_CFG_RAM_SIZE, memmap_ram_size(mem));
	if (!err)
		err = fw_cfg_add_i16(f, FW_CFG_NB_CPUS,
				     (uint16_t)b->m->cfg.cpus);
	if (!err)
		err = fw_cfg_add_i16(f, FW_CFG_MAX_CPUS,
				     (uint16_t)b->m->cfg.cpus);
	if (!err)
		err = fw_cfg_add_i16(f, FW_CFG_BOOT_MENU, 0);
	if (!err)
		err = fw_cfg_add_i16(f, FW_CFG_NOGRAPHIC, !b->m->cfg.vga);
	if (!err)
		err = fw_cfg_add_file(f, "etc/e820", e820, n);
	/* OpenFirmware paths: IDE channel = drive@, master = disk@0; the
	 * NIC's option ROM (PXE) by its PCI slot */
	if (b->m->cfg.boot_net && b->m->cfg.nic_rom)
		strcat(bootorder, nic);
	if (b->m->cfg.cdrom && b->m->cfg.boot_cdrom)
		strcat(bootorder, cd);
	if (b->m->cfg.disk[0])
		strcat(bootorder, disk0);
	if (b->m->cfg.cdrom && !b->m->cfg.boot_cdrom)
		strcat(bootorder, cd);
	if (!err && bootorder[0] && !b->m->cfg.efi_boot)
		err = fw_cfg_add_file(f, "bootorder", bootorder,
				      strlen(bootorder));
	/* with a VGA too, SeaBIOS mirrors its console (split mode) */
	if (!err)
		err = fw_cfg_add_file(f, "etc/sercon-port", sercon,
				      sizeof(sercon));
	if (!err)
		err = smbios_tables(b);
	return err ? err : acpi_tables(b);
}

int board_pc_fw_tables(struct board_pc *b)
{
	if (b->dev[BD_RTC])
		cmos_tables(b);
	return fwcfg_tables(b);
}

#define VGA_ROM_PATH	"/usr/share/seabios/vgabios-stdvga.bin"
#define VGA_ROM_MAX	(1u << 20)

/* Read the option ROM @path (@what names it in messages) into a new
 * buffer.  0 or -errno with the reason in b->why. */
static int load_rom(struct board_pc *b, const char *path, const char *what,
		    const char *pkg, const void **out, size_t *len)
{
	struct stat st;
	uint8_t *rom;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(b->why, sizeof(b->why), "%s %s: %s (install the %s package)",
			 what, path, strerror(errno), pkg);
		return err;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > VGA_ROM_MAX) {
		close(fd);
		snprintf(b->why, sizeof(b->why), "%s %s: bad size", what, path);
		return -EINVAL;
	}
	rom = malloc((size_t)st.st_size);
	if (!rom) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, rom, (size_t)st.st_size, 0);
	close(fd);
	if (n != st.st_size) {
		free(rom);
		snprintf(b->why, sizeof(b->why), "%s %s: short read", what,
			 path);
		return -EIO;
	}
	*out = rom;
	*len = (size_t)n;
	return 0;
}

int board_pc_load_vga_rom(struct board_pc *b)
{
	return load_rom(b, VGA_ROM_PATH, "VGA BIOS", "seabios",
			&b->vga_cfg.rom, &b->vga_cfg.rom_len);
}

int board_pc_load_nic_rom(struct board_pc *b)
{
	return load_rom(b, b->m->cfg.nic_rom, "NIC option ROM", "ipxe-qemu",
			&b->nic_cfg.rom, &b->nic_cfg.rom_len);
}

/* ------------------------------------------------------------ UEFI flash */

#define FLASH_BLOCK	0x1000u		/* OVMF's flash block size */
#define NVRAM_MAX	(4u << 20)

/* Copy the template @tpl to a new file @path (never replacing one).
 * The open fd of @path, or -errno with the reason in b->why. */
static int nvram_create(struct board_pc *b, const char *path, const char *tpl)
{
	uint8_t buf[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(tpl, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		err = -errno;
		snprintf(b->why, sizeof(b->why),
			 "UEFI variable store template %s: %s%s", tpl,
			 strerror(errno), b->m->cfg.nvram_template ? "" :
			 " (install the ovmf package)");
		return err;
	}
	out = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		err = -errno;
		snprintf(b->why, sizeof(b->why), "NVRAM %s: %s", path,
			 strerror(errno));
		close(in);
		return err;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n < 0 || fsync(out) < 0) {
		err = -errno ? -errno : -EIO;
		snprintf(b->why, sizeof(b->why), "NVRAM %s: copying %s: %s",
			 path, tpl, strerror(-err));
		close(out);
		unlink(path);
	}
	close(in);
	return err ? err : out;
}

/* Never write into the firmware package's own files. */
static bool nvram_is_packaged(const char *path, const char *tpl)
{
	char rp[4096], rt[4096];

	if (!realpath(path, rp))
		return false;
	return !strncmp(rp, "/usr/share/", 11) ||
	       (realpath(tpl, rt) && !strcmp(rp, rt));
}

int board_pc_load_nvram(struct board_pc *b)
{
	const struct machine_cfg *mc = &b->m->cfg;
	const char *tpl = mc->nvram_template ? mc->nvram_template :
			  MACHINE_OVMF_VARS;
	uint64_t code = memmap_bios_base(b->m->mem);
	struct stat st;
	void *map;
	int fd, err;

	if (!mc->nvram_path) {
		snprintf(b->why, sizeof(b->why), "UEFI needs an NVRAM file");
		return -EINVAL;
	}
	if (nvram_is_packaged(mc->nvram_path, tpl)) {
		snprintf(b->why, sizeof(b->why),
			 "NVRAM %s: a firmware package file, never written (give a file of the VM's own)",
			 mc->nvram_path);
		return -EPERM;
	}
	fd = open(mc->nvram_path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = nvram_create(b, mc->nvram_path, tpl);
	else if (fd < 0) {
		fd = -errno;
		snprintf(b->why, sizeof(b->why), "NVRAM %s: %s",
			 mc->nvram_path, strerror(errno));
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > NVRAM_MAX || st.st_size % FLASH_BLOCK) {
		close(fd);
		snprintf(b->why, sizeof(b->why),
			 "NVRAM %s: not a UEFI variable store (a regular file of 4 KiB blocks, at most 4 MiB)",
			 mc->nvram_path);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	err = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err) {
		snprintf(b->why, sizeof(b->why), "NVRAM %s: %s",
			 mc->nvram_path, strerror(-err));
		return err;
	}
	/* a firmware volume ("_FVH"), never another product's NVRAM file
	 * (VMware's VM.nvram): OVMF would reformat it */
	if (memcmp((const uint8_t *)map + 40, "_FVH", 4)) {
		munmap(map, (size_t)st.st_size);
		snprintf(b->why, sizeof(b->why),
			 "NVRAM %s: not an OVMF variable store (no firmware volume header)",
			 mc->nvram_path);
		return -EINVAL;
	}
	if (mc->efi_boot) {
		err = efivar_set_boot(map, (size_t)st.st_size,
				      MACHINE_EFI_BOOT_NUM, mc->efi_boot);
		if (err) {
			munmap(map, (size_t)st.st_size);
			snprintf(b->why, sizeof(b->why),
				 "NVRAM %s: cannot add the boot entry: %s",
				 mc->nvram_path, err == -ENOSPC ?
				 "the variable store is full" :
				 "not an OVMF variable store");
			return err;
		}
	}
	b->vars_cfg = (struct pflash_cfg){
		.base = code - (uint64_t)st.st_size, .data = map,
		.size = (uint64_t)st.st_size, .block_size = FLASH_BLOCK };
	/* the image is contiguous in the backing store */
	b->code_cfg = (struct pflash_cfg){
		.base = code, .data = memmap_page_ptr(b->m->mem, code, false),
		.size = memmap_bios_size(b->m->mem),
		.block_size = FLASH_BLOCK, .readonly = true };
	return 0;
}

void board_pc_unload_nvram(struct board_pc *b)
{
	if (!b->vars_cfg.data)
		return;
	msync(b->vars_cfg.data, b->vars_cfg.size, MS_SYNC);
	munmap(b->vars_cfg.data, b->vars_cfg.size);
	b->vars_cfg.data = NULL;
}
