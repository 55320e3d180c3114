// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs_ext2io.c --- an e2fsprogs io_manager over a struct rd_disk
 *
 * libext2fs reaches its storage through an io_manager (ext2_io.h: open,
 * read_blk64, write_blk64, write_byte, flush, close).  This one maps the
 * channel onto a byte window [off, off+len) of any rd_disk, so that
 * ext2fs_open2() works on a partition inside an image, an overlay or a
 * converted disk without a loop device, a mount or root.
 *
 * The io_manager open() only receives a name, so the name carries the disk:
 * "rd:<pointer>:<offset>:<length>", built by rd_ext2_name() from a live
 * rd_disk that must outlive the file system handle.  Writes reach the disk
 * only when the channel was opened with IO_FLAG_RW and the disk is writable.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>
#include <et/com_err.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

#define RDX_PREFIX	"rd:"

struct rdx_chan {
	struct rd_disk	*disk;		/* not owned */
	uint64_t	off;		/* window start in @disk, bytes */
	uint64_t	len;		/* window length, bytes */
	bool		rw;		/* opened with IO_FLAG_RW */
};

static errcode_t rdx_open(const char *name, int flags, io_channel *channel);
static errcode_t rdx_close(io_channel channel);
static errcode_t rdx_set_blksize(io_channel channel, int blksize);
static errcode_t rdx_read_blk64(io_channel channel, unsigned long long block,
				int count, void *data);
static errcode_t rdx_write_blk64(io_channel channel, unsigned long long block,
				 int count, const void *data);
static errcode_t rdx_read_blk(io_channel channel, unsigned long block,
			      int count, void *data);
static errcode_t rdx_write_blk(io_channel channel, unsigned long block,
			       int count, const void *data);
static errcode_t rdx_flush(io_channel channel);
static errcode_t rdx_write_byte(io_channel channel, unsigned long offset,
				int size, const void *data);
static errcode_t rdx_set_option(io_channel channel, const char *option,
				const char *arg);

static const struct struct_io_manager rdx_manager = {
	.magic		= EXT2_ET_MAGIC_IO_MANAGER,
	.name		= "dualvm rawdisk I/O manager",
	.open		= rdx_open,
	.close		= rdx_close,
	.set_blksize	= rdx_set_blksize,
	.read_blk	= rdx_read_blk,
	.write_blk	= rdx_write_blk,
	.flush		= rdx_flush,
	.write_byte	= rdx_write_byte,
	.set_option	= rdx_set_option,
	.read_blk64	= rdx_read_blk64,
	.write_blk64	= rdx_write_blk64,
};

struct struct_io_manager *rd_ext2_io_manager(void)
{
	/* libext2fs takes a non-const io_manager but never writes it */
	return (struct struct_io_manager *)&rdx_manager;
}

int rd_ext2_name(struct rd_disk *d, uint64_t off, uint64_t len, char *buf,
		 size_t buflen)
{
	int n;

	if (rd_window(d, off, &len))
		return -EINVAL;
	n = snprintf(buf, buflen, RDX_PREFIX "%p:%" PRIu64 ":%" PRIu64,
		     (void *)d, off, len);
	if (n < 0 || (size_t)n >= buflen)
		return -ENAMETOOLONG;
	return 0;
}

static errcode_t rdx_parse(const char *name, struct rdx_chan *c)
{
	void *p = NULL;
	uint64_t off, len;
	int used = 0;

	if (strncmp(name, RDX_PREFIX, strlen(RDX_PREFIX)))
		return EXT2_ET_BAD_DEVICE_NAME;
	if (sscanf(name + strlen(RDX_PREFIX), "%p:%" SCNu64 ":%" SCNu64 "%n",
		   &p, &off, &len, &used) != 3 || !p ||
	    name[strlen(RDX_PREFIX) + used] != '\0')
		return EXT2_ET_BAD_DEVICE_NAME;
	c->disk = p;
	if (off > c->disk->size || len > c->disk->size - off)
		return EXT2_ET_BAD_DEVICE_NAME;
	c->off = off;
	c->len = len;
	return 0;
}

static errcode_t rdx_open(const char *name, int flags, io_channel *channel)
{
	struct rdx_chan *c = NULL;
	io_channel io = NULL;
	errcode_t ret;

	if (!name)
		return EXT2_ET_BAD_DEVICE_NAME;
	ret = ext2fs_get_memzero(sizeof(*c), &c);
	if (ret)
		return ret;
	ret = rdx_parse(name, c);
	if (ret)
		goto out_free;
	c->rw = flags & IO_FLAG_RW;
	if (c->rw && (c->disk->flags & RD_RDONLY)) {
		ret = EROFS;
		goto out_free;
	}
	ret = ext2fs_get_memzero(sizeof(*io), &io);
	if (ret)
		goto out_free;
	ret = ext2fs_get_mem(strlen(name) + 1, &io->name);
	if (ret)
		goto out_free;
	strcpy(io->name, name);
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = rd_ext2_io_manager();
	io->block_size = 1024;
	io->refcount = 1;
	io->flags = flags;
	io->private_data = c;
	*channel = io;
	return 0;

out_free:
	if (io)
		ext2fs_free_mem(&io->name);
	ext2fs_free_mem(&io);
	ext2fs_free_mem(&c);
	return ret;
}

static errcode_t rdx_close(io_channel channel)
{
	struct rdx_chan *c = channel->private_data;
	errcode_t ret = 0;

	if (--channel->refcount > 0)
		return 0;
	if (c->rw && rd_flush(c->disk))
		ret = EXT2_ET_LLSEEK_FAILED;
	ext2fs_free_mem(&channel->private_data);
	ext2fs_free_mem(&channel->name);
	ext2fs_free_mem(&channel);
	return ret;
}

static errcode_t rdx_set_blksize(io_channel channel, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	channel->block_size = blksize;
	return 0;
}

/* Byte range of a block transfer; a negative count means bytes. */
static errcode_t rdx_range(io_channel channel, unsigned long long block,
			   int count, uint64_t *pos, size_t *size)
{
	struct rdx_chan *c = channel->private_data;
	uint64_t bs = (uint64_t)channel->block_size, n, at;

	if (count < 0)
		n = (uint64_t)-(int64_t)count;
	else
		n = (uint64_t)count * bs;
	if (block > UINT64_MAX / bs)
		return EXT2_ET_LLSEEK_FAILED;
	at = block * bs;
	if (at > c->len || n > c->len - at)
		return EXT2_ET_SHORT_READ;
	*pos = c->off + at;
	*size = (size_t)n;
	return 0;
}

static errcode_t rdx_read_blk64(io_channel channel, unsigned long long block,
				int count, void *data)
{
	struct rdx_chan *c = channel->private_data;
	uint64_t pos;
	size_t size;
	errcode_t ret;

	ret = rdx_range(channel, block, count, &pos, &size);
	if (ret) {
		/* reads past the window see zeros, like a short file */
		if (count < 0 || (uint64_t)block * channel->block_size >= c->len)
			return ret;
		memset(data, 0, (size_t)count * channel->block_size);
		size = (size_t)(c->len - block * channel->block_size);
		pos = c->off + block * channel->block_size;
	}
	if (rd_pread(c->disk, data, size, pos))
		return EXT2_ET_SHORT_READ;
	return 0;
}

static errcode_t rdx_write_blk64(io_channel channel, unsigned long long block,
				 int count, const void *data)
{
	struct rdx_chan *c = channel->private_data;
	uint64_t pos;
	size_t size;
	errcode_t ret;

	if (!c->rw)
		return EXT2_ET_RO_FILSYS;
	ret = rdx_range(channel, block, count, &pos, &size);
	if (ret)
		return EXT2_ET_SHORT_WRITE;
	if (rd_pwrite(c->disk, data, size, pos))
		return EXT2_ET_SHORT_WRITE;
	return 0;
}

static errcode_t rdx_read_blk(io_channel channel, unsigned long block,
			      int count, void *data)
{
	return rdx_read_blk64(channel, block, count, data);
}

static errcode_t rdx_write_blk(io_channel channel, unsigned long block,
			       int count, const void *data)
{
	return rdx_write_blk64(channel, block, count, data);
}

static errcode_t rdx_write_byte(io_channel channel, unsigned long offset,
				int size, const void *data)
{
	struct rdx_chan *c = channel->private_data;

	if (!c->rw)
		return EXT2_ET_RO_FILSYS;
	if (size < 0 || offset > c->len || (uint64_t)size > c->len - offset)
		return EXT2_ET_SHORT_WRITE;
	if (rd_pwrite(c->disk, data, (size_t)size, c->off + offset))
		return EXT2_ET_SHORT_WRITE;
	return 0;
}

static errcode_t rdx_flush(io_channel channel)
{
	struct rdx_chan *c = channel->private_data;

	if (c->rw && rd_flush(c->disk))
		return EXT2_ET_SHORT_WRITE;
	return 0;
}

static errcode_t rdx_set_option(io_channel channel, const char *option,
				const char *arg)
{
	return EXT2_ET_INVALID_ARGUMENT;
}

/* libext2fs' message table is only known to com_err once registered (the
 * e2fsprogs programs do it in main()); without it every code prints as
 * "Unknown code ext2 NNN". */
static void ext2_table_init(void)
{
	initialize_ext2_error_table();
}

const char *rd_ext2_strerror(long code)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, ext2_table_init);
	return error_message((errcode_t)code);
}

/*
 * ext2fs_open2() accepts geometry that its own bitmap readers then index
 * wrongly: a first data block other than the one mke2fs writes (0, or 1
 * with 1 KiB blocks and no bigalloc) makes the bit-array backend copy a
 * group's bitmap one byte past its end (found by fuzz_p2v_plan), and group
 * sizes that are not whole bytes of bitmap leave the in-memory map and the
 * on-disk blocks out of step.  e2fsck calls all of these corruption, so
 * they are refused here, once, for every user of libext2fs in dualvm.
 */
static const char *ext2_bad_geometry(struct ext2_super_block *sb)
{
	uint64_t bs = EXT2_BLOCK_SIZE(sb), blocks = ext2fs_blocks_count(sb);
	uint32_t want_first = bs == 1024 && !ext2fs_has_feature_bigalloc(sb);

	if (sb->s_first_data_block != want_first)
		return "first data block is not where mke2fs puts it";
	if (blocks <= sb->s_first_data_block)
		return "no blocks after the first data block";
	if (!sb->s_blocks_per_group || sb->s_blocks_per_group % 8 ||
	    !sb->s_clusters_per_group || sb->s_clusters_per_group % 8 ||
	    sb->s_clusters_per_group > bs * 8)
		return "blocks per group is not a whole bitmap block";
	if (!sb->s_inodes_per_group || sb->s_inodes_per_group % 8 ||
	    sb->s_inodes_per_group > bs * 8)
		return "inodes per group is not a whole bitmap block";
	return NULL;
}

int rd_ext2_open(struct rd_disk *d, uint64_t off, uint64_t len, int flags,
		 struct struct_ext2_filsys **out, char *err, size_t errlen)
{
	const char *bad;
	char name[96];
	errcode_t ret;
	int rc;

	*out = NULL;
	if ((flags & EXT2_FLAG_RW) && (d->flags & RD_RDONLY)) {
		if (err)
			snprintf(err, errlen, "%s: disk is read-only", d->desc);
		return -EROFS;
	}
	rc = rd_ext2_name(d, off, len, name, sizeof(name));
	if (rc) {
		if (err)
			snprintf(err, errlen, "%s: bad ext2 window at %" PRIu64,
				 d->desc, off);
		return rc;
	}
	ret = ext2fs_open2(name, NULL, flags | EXT2_FLAG_64BITS, 0, 0,
			   rd_ext2_io_manager(), out);
	if (ret) {
		*out = NULL;
		if (err)
			snprintf(err, errlen, "%s at byte %" PRIu64 ": %s",
				 d->desc, off, rd_ext2_strerror(ret));
		if (ret == EXT2_ET_BAD_MAGIC || ret == EXT2_ET_SB_CSUM_INVALID ||
		    ret == EXT2_ET_CORRUPT_SUPERBLOCK)
			return -EINVAL;
		if (ret == EXT2_ET_UNSUPP_FEATURE ||
		    ret == EXT2_ET_RO_UNSUPP_FEATURE)
			return -ENOTSUP;
		if (ret > 0 && ret < 4096)
			return -(int)ret;
		return -EIO;
	}
	bad = ext2_bad_geometry((*out)->super);
	if (bad) {
		ext2fs_close_free(out);
		if (err)
			snprintf(err, errlen, "%s at byte %" PRIu64
				 ": corrupt superblock: %s", d->desc, off, bad);
		return -EINVAL;
	}
	return 0;
}
