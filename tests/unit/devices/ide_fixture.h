/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ide_fixture.h --- shared fixture of the PCI/IDE/ATAPI unit tests
 *
 * A private port and MMIO space, a manual clock, 16 fake ISA IRQ lines that
 * record their level and count rising edges, and a 1 MiB malloc'd "guest
 * RAM" behind a bounds-checked DMA callback.  Helpers drive the devices
 * through the I/O spaces only, the way the guest would.
 */
#ifndef DUALVM_TEST_IDE_FIXTURE_H
#define DUALVM_TEST_IDE_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "rawdisk/rawdisk.h"
#include "tests/unit/devices/blk_fixture.h"
#include "tests/unit/harness.h"

#define FIX_RAM_SIZE	(1024 * 1024)

struct fix {
	struct iospace	*pio, *mmio;
	struct vclock	*clock;
	struct dev_env	env;
	uint8_t		*ram;		/* FIX_RAM_SIZE bytes */
	unsigned int	dma_faults;	/* rejected DMA requests */
	int		level[16];	/* fake ISA IRQ levels */
	unsigned int	raises[16];	/* rising edges seen */
	struct irq_line	isa[16];
	struct pci_bus	*bus;
};

static inline int fix_dma(void *opaque, uint64_t gpa, void *buf, uint64_t len,
		   bool to_guest)
{
	struct fix *f = opaque;

	if (gpa >= FIX_RAM_SIZE || len > FIX_RAM_SIZE - gpa) {
		f->dma_faults++;
		return -EFAULT;
	}
	if (to_guest)
		memcpy(f->ram + gpa, buf, len);
	else
		memcpy(buf, f->ram + gpa, len);
	return 0;
}

static inline void fix_irq(void *opaque, unsigned int n, int level)
{
	struct fix *f = opaque;

	if (n >= 16)
		return;
	if (level && !f->level[n])
		f->raises[n]++;
	f->level[n] = level;
}

/* Create a device of type @ops from @cfg; the test fails if it cannot. */
static inline void *fix_dev(struct fix *f, const struct dev_ops *ops,
			    const struct dev_cfg *cfg)
{
	void *dev = NULL;

	T_ASSERT(dev_create(ops, &f->env, cfg, &dev) == 0);
	T_ASSERT(dev != NULL);
	return dev;
}

static inline void fix_init(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	T_ASSERT(iospace_create("pio", &f->pio) == 0);
	T_ASSERT(iospace_create("mmio", &f->mmio) == 0);
	T_ASSERT(vclock_create(NULL, NULL, &f->clock) == 0);
	f->ram = calloc(1, FIX_RAM_SIZE);
	T_ASSERT(f->ram);
	f->env.pio = f->pio;
	f->env.mmio = f->mmio;
	f->env.clock = f->clock;
	f->env.dma = fix_dma;
	f->env.dma_opaque = f;
	for (unsigned int i = 0; i < 16; i++)
		f->isa[i] = (struct irq_line){ fix_irq, f, i };
	f->bus = fix_dev(f, &pci_bus_dev, &(struct dev_cfg){ 0 });
}

/* ide_dev with @cfg's drives, channel IRQs on ISA 14/15, on @bus (NULL:
 * an ISA-only controller): what dev_create() returns. */
static inline int fix_ide_create(struct fix *f, struct pci_bus *bus,
				 const struct ide_cfg *cfg, struct ide **out)
{
	void *dev = NULL;
	int err = dev_create(&ide_dev, &f->env, &(struct dev_cfg){
		.irq = { f->isa[14], f->isa[15] }, .pci = bus, .priv = cfg },
		&dev);

	*out = dev;
	return err;
}

static inline uint32_t fix_in(struct fix *f, uint16_t port, unsigned int size)
{
	return (uint32_t)iospace_read(f->pio, port, size);
}

static inline void fix_out(struct fix *f, uint16_t port, uint32_t v,
			   unsigned int size)
{
	iospace_write(f->pio, port, v, size);
}

/* Mechanism #1 configuration cycles through ports 0xCF8/0xCFC. */
static inline uint32_t fix_cfg_read(struct fix *f, unsigned int devfn,
				    unsigned int off, unsigned int size)
{
	fix_out(f, 0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc), 4);
	return fix_in(f, (uint16_t)(0xcfc + (off & 3)), size);
}

static inline void fix_cfg_write(struct fix *f, unsigned int devfn,
				 unsigned int off, uint32_t v,
				 unsigned int size)
{
	fix_out(f, 0xcf8, 0x80000000u | devfn << 8 | (off & 0xfc), 4);
	fix_out(f, (uint16_t)(0xcfc + (off & 3)), v, size);
}

/* Byte @i of sector @lba of the generated test image. */
static inline uint8_t fix_pattern(uint64_t lba, unsigned int i)
{
	return (uint8_t)(lba * 7 + i * 13 + (lba >> 8));
}

/* Create @path with @nsect sectors of @secsize bytes of the pattern. */
static inline void fix_make_image(const char *path, uint64_t nsect,
				  unsigned int secsize)
{
	FILE *fp = fopen(path, "wb");
	uint8_t *s = malloc(secsize);

	T_ASSERT(fp && s);
	for (uint64_t l = 0; l < nsect; l++) {
		for (unsigned int i = 0; i < secsize; i++)
			s[i] = fix_pattern(l, i);
		T_ASSERT(fwrite(s, 1, secsize, fp) == secsize);
	}
	T_ASSERT(fclose(fp) == 0);
	free(s);
}

static inline struct rd_disk *fix_open(const char *path, unsigned int flags)
{
	struct rd_disk *d = NULL;
	char err[256];

	T_ASSERT(rd_file_open(path, flags, &d, err, sizeof(err)) == 0);
	return d;
}

/* Read @len bytes at @off of @path straight from the file. */
static inline void fix_file_read(const char *path, void *buf, size_t len,
				 uint64_t off)
{
	int fd = open(path, O_RDONLY);

	T_ASSERT(fd >= 0);
	T_ASSERT(pread(fd, buf, len, (off_t)off) == (ssize_t)len);
	close(fd);
}

#endif
