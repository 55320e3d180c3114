// SPDX-License-Identifier: GPL-2.0-only
/*
 * fw_cfg.c --- QEMU fw_cfg device, I/O port + DMA interface
 *
 * Implements the guest-visible behaviour of QEMU docs/specs/fw_cfg.rst:
 * selecting an item resets the read offset; data reads past an item's end
 * return 0; the file directory is a big-endian count followed by 64-byte
 * entries {be32 size, be16 select, be16 reserved, char name[56]}; a DMA
 * request is a 16-byte big-endian FWCfgDmaAccess {control, length, address}
 * whose control word is cleared (or set to ERROR) when the transfer is done.
 * Every guest-supplied address goes through env->dma, which refuses bytes
 * outside guest RAM, so a hostile request can only fail.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "devices/fw_cfg.h"

#define FW_CFG_MAX_ITEMS	(FW_CFG_MAX_FILES + 32)
#define DMA_CHUNK		4096

struct fw_cfg_item {
	uint16_t	key;		/* selector value, write bit clear */
	uint8_t		*data;		/* malloc'd copy */
	uint32_t	len;		/* bytes in data */
	char		name[FW_CFG_NAME_LEN];	/* file name, "" for plain */
};

struct fw_cfg {
	struct dev_env	env;		/* copy of the creation environment */
	struct fw_cfg_item item[FW_CFG_MAX_ITEMS];	/* unordered */
	unsigned int	nitems;		/* used entries of item[] */
	unsigned int	nfiles;		/* files added so far */
	uint16_t	sel;		/* current selector (write bit clear) */
	uint32_t	off;		/* read offset in the selected item */
	uint32_t	dma_hi;		/* DMA address high dword (host order) */
};

static inline uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static struct fw_cfg_item *find_item(struct fw_cfg *f, uint16_t key)
{
	unsigned int i;

	for (i = 0; i < f->nitems; i++)
		if (f->item[i].key == key)
			return &f->item[i];
	return NULL;
}

static int set_item(struct fw_cfg *f, uint16_t key, const void *data,
		    size_t len, const char *name)
{
	struct fw_cfg_item *it = find_item(f, key);
	uint8_t *copy;

	if (len > UINT32_MAX)
		return -EINVAL;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	if (!it) {
		if (f->nitems >= FW_CFG_MAX_ITEMS) {
			free(copy);
			return -ENOSPC;
		}
		it = &f->item[f->nitems++];
		it->key = key;
		assert(f->nitems <= FW_CFG_MAX_ITEMS);
	}
	free(it->data);
	it->data = copy;
	it->len = (uint32_t)len;
	snprintf(it->name, sizeof(it->name), "%s", name);
	return 0;
}

int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data,
		     size_t len)
{
	key &= ~FW_CFG_WRITE_CHANNEL;
	if (key == FW_CFG_FILE_DIR ||
	    (key >= FW_CFG_FILE_FIRST &&
	     key < FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES))
		return -EINVAL;
	return set_item(f, key, data, len, "");
}

int fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	return fw_cfg_add_bytes(f, key, b, sizeof(b));
}

int fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v)
{
	uint8_t b[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fw_cfg_add_bytes(f, key, b, sizeof(b));
}

int fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fw_cfg_add_bytes(f, key, b, sizeof(b));
}

static int cmp_name(const void *a, const void *b)
{
	const struct fw_cfg_item *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Rebuild the directory item from the file items, sorted by name. */
static int rebuild_dir(struct fw_cfg *f)
{
	const struct fw_cfg_item *files[FW_CFG_MAX_FILES];
	uint8_t *dir, *e;
	unsigned int i, n = 0;
	size_t len;
	uint32_t v;
	int err;

	for (i = 0; i < f->nitems; i++)
		if (f->item[i].name[0] && n < FW_CFG_MAX_FILES)
			files[n++] = &f->item[i];
	qsort(files, n, sizeof(files[0]), cmp_name);
	len = 4 + (size_t)n * 64;
	dir = calloc(1, len);
	if (!dir)
		return -ENOMEM;
	v = be32(n);
	memcpy(dir, &v, 4);
	for (i = 0; i < n; i++) {
		e = dir + 4 + i * 64;
		v = be32(files[i]->len);
		memcpy(e, &v, 4);
		e[4] = (uint8_t)(files[i]->key >> 8);
		e[5] = (uint8_t)files[i]->key;
		memcpy(e + 8, files[i]->name, strlen(files[i]->name));
	}
	err = set_item(f, FW_CFG_FILE_DIR, dir, len, "");
	free(dir);
	return err;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
		    size_t len)
{
	unsigned int i;
	int err;

	if (!name[0] || strlen(name) >= FW_CFG_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < f->nitems; i++)
		if (!strcmp(f->item[i].name, name))
			return -EEXIST;
	if (f->nfiles >= FW_CFG_MAX_FILES)
		return -ENOSPC;
	err = set_item(f, (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles), data, len,
		       name);
	if (err)
		return err;
	f->nfiles++;
	return rebuild_dir(f);
}

static void select_key(struct fw_cfg *f, uint16_t key)
{
	f->sel = key & ~FW_CFG_WRITE_CHANNEL;
	f->off = 0;
}

static uint8_t read_byte(struct fw_cfg *f)
{
	struct fw_cfg_item *it = find_item(f, f->sel);

	if (!it || f->off >= it->len)
		return 0;
	return it->data[f->off++];
}

/* Copy @len bytes of the selected item to guest @gpa (zeros past its end). */
static int dma_read(struct fw_cfg *f, uint64_t gpa, uint32_t len)
{
	struct fw_cfg_item *it = find_item(f, f->sel);
	uint8_t buf[DMA_CHUNK];
	uint32_t n, avail, i;

	while (len) {
		n = len < DMA_CHUNK ? len : DMA_CHUNK;
		avail = it && f->off < it->len ? it->len - f->off : 0;
		if (avail > n)
			avail = n;
		if (avail)
			memcpy(buf, it->data + f->off, avail);
		for (i = avail; i < n; i++)
			buf[i] = 0;
		if (!f->env.dma ||
		    f->env.dma(f->env.dma_opaque, gpa, buf, n, true))
			return -EFAULT;
		f->off += avail;
		gpa += n;
		len -= n;
	}
	return 0;
}

static void dma_skip(struct fw_cfg *f, uint32_t len)
{
	struct fw_cfg_item *it = find_item(f, f->sel);
	uint32_t avail = it && f->off < it->len ? it->len - f->off : 0;

	f->off += len < avail ? len : avail;
}

/* Run the FWCfgDmaAccess at guest @gpa. */
static void dma_run(struct fw_cfg *f, uint64_t gpa)
{
	uint8_t req[16];
	uint32_t control, len, status = 0;
	uint64_t addr = 0;
	unsigned int i;

	if (!f->env.dma || f->env.dma(f->env.dma_opaque, gpa, req, 16, false))
		return;
	control = (uint32_t)req[0] << 24 | req[1] << 16 | req[2] << 8 | req[3];
	len = (uint32_t)req[4] << 24 | req[5] << 16 | req[6] << 8 | req[7];
	for (i = 8; i < 16; i++)
		addr = addr << 8 | req[i];
	if (control & FW_CFG_DMA_SELECT)
		select_key(f, (uint16_t)(control >> 16));
	if (control & FW_CFG_DMA_WRITE)
		status = FW_CFG_DMA_ERROR;
	else if (control & FW_CFG_DMA_READ) {
		if (dma_read(f, addr, len))
			status = FW_CFG_DMA_ERROR;
	} else if (control & FW_CFG_DMA_SKIP) {
		dma_skip(f, len);
	}
	status = be32(status);
	f->env.dma(f->env.dma_opaque, gpa, &status, 4, true);
}

static uint64_t fw_cfg_io_read(void *opaque, uint64_t off, unsigned int size)
{
	struct fw_cfg *f = opaque;
	uint64_t v = 0;
	unsigned int i;

	if (off == 1) {
		/* data port: wider reads return consecutive bytes (QEMU) */
		for (i = 0; i < size; i++)
			v |= (uint64_t)read_byte(f) << (8 * i);
		return v;
	}
	if (off >= 4 && off + size <= 12) {
		/* DMA register reads give the signature, big-endian */
		for (i = 0; i < size; i++)
			v |= ((FW_CFG_DMA_SIGNATURE >> (8 * (11 - (off + i)))) &
			      0xff) << (8 * i);
		return v;
	}
	return 0;
}

static void fw_cfg_io_write(void *opaque, uint64_t off, uint64_t val,
			    unsigned int size)
{
	struct fw_cfg *f = opaque;

	if (off == 0 && size == 2) {
		select_key(f, (uint16_t)val);
	} else if (off == 4 && size == 4) {
		f->dma_hi = be32((uint32_t)val);
	} else if (off == 8 && size == 4) {
		dma_run(f, (uint64_t)f->dma_hi << 32 | be32((uint32_t)val));
		f->dma_hi = 0;
	} else if (off == 4 && size == 8) {
		dma_run(f, __builtin_bswap64(val));
	}
	/* other widths/offsets (and data-port writes) are ignored */
}

static const struct io_ops fw_cfg_io_ops = {
	.read = fw_cfg_io_read, .write = fw_cfg_io_write,
};

static const struct io_range fw_cfg_ranges[] = {
	{ FW_CFG_PORT_SEL, FW_CFG_PORT_LEN, &fw_cfg_io_ops },
};

static void fw_cfg_fini(void *dev)
{
	struct fw_cfg *f = dev;
	unsigned int i;

	for (i = 0; i < f->nitems; i++)
		free(f->item[i].data);
}

static int fw_cfg_init(void *dev, const struct dev_env *env,
		       const struct dev_cfg *cfg)
{
	struct fw_cfg *f = dev;
	int err;

	f->env = *env;
	err = fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, "QEMU", 4);
	if (!err)
		err = fw_cfg_add_i32(f, FW_CFG_ID, FW_CFG_ID_TRADITIONAL |
				     (env->dma ? FW_CFG_ID_DMA : 0));
	if (!err)
		err = rebuild_dir(f);
	if (err)
		fw_cfg_fini(f);
	return err;
}

static void fw_cfg_reset(void *dev)
{
	struct fw_cfg *f = dev;

	select_key(f, FW_CFG_SIGNATURE);
	f->dma_hi = 0;
}

const struct dev_ops fw_cfg_dev = {
	.name = "fw_cfg", .size = sizeof(struct fw_cfg),
	.init = fw_cfg_init, .fini = fw_cfg_fini, .reset = fw_cfg_reset,
	.ranges = fw_cfg_ranges, .nranges = 1,
};
