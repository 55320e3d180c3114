// SPDX-License-Identifier: GPL-2.0-only
/*
 * machine.c --- the PC machine: memory, I/O spaces, clock, firmware, bus
 *
 * Glues the memory map (memmap.c), the two I/O spaces and the virtual clock
 * (hw/) and the board (board_pc.c) into the struct machine_bus of board.h,
 * and keeps the machine's state the run loop asks about (reset requested,
 * powered off, exit status).  Firmware: Debian's SeaBIOS bios-256k.bin (or
 * bios.bin) unless a raw payload is given with --bios, or with uefi Debian's
 * OVMF (OVMF_CODE_4M.fd) in the read-only flash, its variable store in a
 * second, writable flash below it (board_pc.c).  (The VGA BIOS is
 * the VGA device's PCI expansion ROM: board_pc.c.)  The engine is reached
 * only through the struct machine_cpu hooks it attached.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board/board_priv.h"
#include "board/memmap.h"

static void machine_set_a20(struct machine *m, bool on);

static const char *const bios_candidates[] = {
	"/usr/share/seabios/bios-256k.bin",
	"/usr/share/seabios/bios.bin",
	"/usr/share/qemu/bios-256k.bin",
};

static uint64_t host_ns(void *opaque)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int mach_dma(void *opaque, uint64_t gpa, void *buf, uint64_t len,
		    bool to_guest)
{
	struct machine *m = opaque;
	int err = memmap_dma(m->mem, gpa, buf, len, to_guest);

	if (!err && to_guest && m->cpu.mem_written)
		m->cpu.mem_written(m->cpu.eng, gpa, len);
	return err;
}

/* ------------------------------------------------------------ the bus */

static uint8_t *bus_page_ptr(void *opaque, uint64_t gpa, bool write)
{
	struct machine *m = opaque;

	return memmap_page_ptr(m->mem, gpa, write);
}

static unsigned int bus_regions(void *opaque, struct gpa_region *out,
				unsigned int max)
{
	struct machine *m = opaque;

	return memmap_regions(m->mem, out, max);
}

static uint64_t bus_mmio_read(void *opaque, uint64_t gpa, unsigned int size)
{
	struct machine *m = opaque;

	return iospace_read(m->mmio, gpa, size);
}

static void bus_mmio_write(void *opaque, uint64_t gpa, uint64_t val,
			   unsigned int size)
{
	struct machine *m = opaque;

	iospace_write(m->mmio, gpa, val, size);
}

static uint64_t bus_pio_read(void *opaque, uint16_t port, unsigned int size)
{
	struct machine *m = opaque;

	return iospace_read(m->pio, port, size);
}

static void bus_pio_write(void *opaque, uint16_t port, uint64_t val,
			  unsigned int size)
{
	struct machine *m = opaque;

	iospace_write(m->pio, port, val, size);
}

static uint64_t bus_now_ns(void *opaque)
{
	struct machine *m = opaque;

	return vclock_now(m->clock);
}

static void bus_request_reset(void *opaque)
{
	machine_request_reset(opaque);
}

/* ------------------------------------------------------------ ROM */

/* Guest writes to the BIOS ROM are ignored; reads (for engines that do
 * not map it) come from the image, which is contiguous in host memory. */
static uint64_t rom_read(void *opaque, uint64_t off, unsigned int size)
{
	struct machine *m = opaque;
	uint64_t gpa = memmap_bios_base(m->mem) + off, v = 0;
	const uint8_t *p = memmap_page_ptr(m->mem, gpa, false);

	if (!p)
		return ~0ULL;
	memcpy(&v, p + (gpa & 0xfff), size);	/* little-endian host */
	return v;
}

static void rom_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
}

static const struct io_ops rom_ops = { .read = rom_read, .write = rom_write };

/* 0xc0000-0xfffff accesses no mapping took (ROM-mode PAM segments). */
static uint64_t shadow_read(void *opaque, uint64_t off, unsigned int size)
{
	struct machine *m = opaque;

	return memmap_shadow_read(m->mem, MEMMAP_SHADOW_BASE + off, size);
}

static void shadow_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned int size)
{
	struct machine *m = opaque;

	memmap_shadow_write(m->mem, MEMMAP_SHADOW_BASE + off, val, size);
	if (m->cpu.mem_written)
		m->cpu.mem_written(m->cpu.eng, MEMMAP_SHADOW_BASE + off, size);
}

static const struct io_ops shadow_ops = { .read = shadow_read,
					  .write = shadow_write };

/* ------------------------------------------------------------ dev_host */

/* What the devices ask of the machine (struct dev_host, @opaque = m). */
static void host_reset(void *opaque, bool hard)
{
	machine_request_reset(opaque);
}

static void host_set_a20(void *opaque, bool enabled)
{
	machine_set_a20(opaque, enabled);
}

static void host_power_off(void *opaque, int status, const char *why)
{
	if (why)
		fprintf(stderr, "\r\ndualvm: guest powered off (%s)\r\n", why);
	machine_power_off(opaque, status);
}

/* i440FX PAM segment numbering is memmap's (both follow the datasheet). */
static void host_pam(void *opaque, unsigned int region, unsigned int mode)
{
	struct machine *m = opaque;

	if (memmap_set_pam(m->mem, region, mode) && m->cpu.map_changed)
		m->cpu.map_changed(m->cpu.eng);
}

/* INTR rose: a halted or running engine must poll the controller. */
static void host_intr(void *opaque, bool level)
{
	struct machine *m = opaque;

	if (level && m->cpu.irq_raised)
		m->cpu.irq_raised(m->cpu.eng);
}

/* An I/O APIC message: to the engine's local APICs (dropped without). */
static void host_apic_msg(void *opaque, const struct apic_msg *msg)
{
	struct machine *m = opaque;

	if (m->cpu.apic_msg)
		m->cpu.apic_msg(m->cpu.eng, msg);
}

static void bus_apic_eoi(void *opaque, uint8_t vector)
{
	struct machine *m = opaque;

	board_pc_apic_eoi(m->board, vector);
}

static void host_tx(void *opaque, unsigned int unit, uint8_t byte)
{
	struct machine *m = opaque;

	if (unit == BOARD_DEBUGCON_UNIT) {
		if (m->cfg.debug_out)
			m->cfg.debug_out(m->cfg.out_opaque, byte);
	} else if (unit == BOARD_POST_UNIT) {
		if (m->cfg.post_out)
			m->cfg.post_out(m->cfg.out_opaque, byte);
	} else if (m->cfg.serial_out) {
		m->cfg.serial_out(m->cfg.out_opaque, unit, byte);
	}
}

/* UEFI: OVMF's code where the BIOS goes (mapped read-only, its top in the
 * shadow); the board's read-only flash decodes it (board_pc.c). */
static int load_uefi_code(struct machine *m, char *why, size_t len)
{
	const char *path = m->cfg.uefi_code ? m->cfg.uefi_code :
			   MACHINE_OVMF_CODE;
	int err;

	if (access(path, R_OK) != 0) {
		err = -errno;
		snprintf(why, len, "UEFI firmware %s: %s%s", path,
			 strerror(errno), m->cfg.uefi_code ? "" :
			 " (install the ovmf package)");
		return err;
	}
	err = memmap_load_bios(m->mem, path, why, len);
	if (!err)
		err = iospace_map(m->mmio, MEMMAP_SHADOW_BASE,
				  0x100000 - MEMMAP_SHADOW_BASE, &shadow_ops, m);
	return err;
}

static int load_firmware(struct machine *m, char *why, size_t len)
{
	const char *path = m->cfg.bios_path;
	unsigned int i;
	int err;

	if (m->cfg.uefi)
		return load_uefi_code(m, why, len);
	if (!path) {
		for (i = 0; i < sizeof(bios_candidates) / sizeof(*bios_candidates); i++)
			if (access(bios_candidates[i], R_OK) == 0) {
				path = bios_candidates[i];
				break;
			}
		if (!path) {
			snprintf(why, len, "no BIOS: %s not found (install the seabios package, or give --bios FILE)",
				 bios_candidates[0]);
			return -ENOENT;
		}
	}
	err = memmap_load_bios(m->mem, path, why, len);
	if (err)
		return err;
	err = iospace_map(m->mmio, memmap_bios_base(m->mem),
			  memmap_bios_size(m->mem), &rom_ops, m);
	if (!err)
		err = iospace_map(m->mmio, MEMMAP_SHADOW_BASE,
				  0x100000 - MEMMAP_SHADOW_BASE, &shadow_ops, m);
	if (err) {
		snprintf(why, len, "BIOS ROM ranges: %s", strerror(-err));
		return err;
	}
	return err;
}

int machine_create(const struct machine_cfg *cfg, struct machine **out,
		   char *why, size_t len)
{
	struct machine *m;
	int err;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->a20 = true;
	if (cfg->cpus > MACHINE_MAX_CPUS) {
		snprintf(why, len, "%u CPUs: at most %u", cfg->cpus,
			 MACHINE_MAX_CPUS);
		free(m);
		return -EINVAL;
	}
	if (!m->cfg.cpus)
		m->cfg.cpus = 1;
	err = memmap_create(cfg->ram_bytes, &m->mem);
	if (err) {
		snprintf(why, len, "guest RAM of %llu MiB: %s",
			 (unsigned long long)(cfg->ram_bytes >> 20),
			 err == -EINVAL ? "size out of range (2..65536 MiB)" :
			 strerror(-err));
		goto out_free;
	}
	err = iospace_create("pio", &m->pio);
	if (!err)
		err = iospace_create("mmio", &m->mmio);
	if (!err)
		err = vclock_create(host_ns, m, &m->clock);
	if (err) {
		snprintf(why, len, "%s", strerror(-err));
		goto out_free;
	}
	iospace_set_logger(m->pio, cfg->io_log, cfg->out_opaque);
	iospace_set_logger(m->mmio, cfg->io_log, cfg->out_opaque);
	m->env = (struct dev_env){
		.pio = m->pio, .mmio = m->mmio, .clock = m->clock,
		.dma = mach_dma, .dma_opaque = m,
	};
	m->host = (struct dev_host){
		.reset = host_reset, .set_a20 = host_set_a20,
		.power_off = host_power_off, .pam = host_pam,
		.intr = host_intr, .tx = host_tx, .opaque = m,
		.apic_msg = host_apic_msg,
	};
	m->bus = (struct machine_bus){
		.opaque = m,
		.page_ptr = bus_page_ptr, .regions = bus_regions,
		.mmio_read = bus_mmio_read, .mmio_write = bus_mmio_write,
		.pio_read = bus_pio_read, .pio_write = bus_pio_write,
		.now_ns = bus_now_ns, .request_reset = bus_request_reset,
		.clock = cfg->apic ? m->clock : NULL,
		.apic_eoi = cfg->apic ? bus_apic_eoi : NULL,
		.ncpus = cfg->cpus ? cfg->cpus : 1,
	};	/* the board adds the interrupt controller */
	err = load_firmware(m, why, len);
	if (err)
		goto out_free;
	err = board_pc_create(m, &m->board, why, len);
	if (err)
		goto out_free;
	assert(m->bus.intr_pending && m->bus.intr_ack);
	*out = m;
	return 0;

out_free:
	machine_destroy(m);
	return err;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	board_pc_destroy(m->board);
	vclock_destroy(m->clock);
	iospace_destroy(m->mmio);
	iospace_destroy(m->pio);
	memmap_destroy(m->mem);
	free(m);
}

void machine_attach(struct machine *m, const struct machine_cpu *cpu)
{
	m->cpu = cpu ? *cpu : (struct machine_cpu){ 0 };
}

const struct machine_bus *machine_bus(struct machine *m)
{
	return &m->bus;
}

struct vclock *machine_clock(struct machine *m)
{
	return m->clock;
}

void machine_reset(struct machine *m)
{
	memmap_reset(m->mem);
	board_pc_reset(m->board);
	m->reset_pending = false;
	machine_set_a20(m, true);	/* the gate opens at reset */
	if (m->cpu.mem_written)
		m->cpu.mem_written(m->cpu.eng, 0, memmap_low_end(m->mem));
}

static void machine_kick(struct machine *m)
{
	if (m->cpu.kick)
		m->cpu.kick(m->cpu.eng);
}

void machine_request_reset(struct machine *m)
{
	m->reset_pending = true;
	machine_kick(m);
}

bool machine_reset_requested(const struct machine *m)
{
	return m->reset_pending;
}

void machine_power_off(struct machine *m, int status)
{
	m->poweroff = true;
	m->exit_status = status;
	machine_kick(m);
}

bool machine_powered_off(const struct machine *m, int *status)
{
	if (status)
		*status = m->exit_status;
	return m->poweroff;
}

static void machine_set_a20(struct machine *m, bool on)
{
	m->a20 = on;
	if (m->cpu.set_a20)
		m->cpu.set_a20(m->cpu.eng, on);
}
