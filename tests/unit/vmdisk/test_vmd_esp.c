// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmd_esp.c --- the loader of a partition on the EFI system partition
 * (vmdisk/vmd_esp.c): a hand-made FAT16 ESP with \EFI\BOOT, \EFI\debian
 * (long name), \EFI\HOST and \EFI\Microsoft\Boot; the ext partition's
 * UUID named by one vendor's loader picks it, NTFS picks bootmgfw.efi, a
 * partition no loader names and a broken ESP are errors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmdisk/vmdisk.h"
#include "tests/unit/harness.h"

#define MIB		(1u << 20)
#define DISK		(8 * MIB)
#define ESP_AT		MIB
#define ESP_SECT	6000u
#define RES		1u		/* reserved sectors */
#define FATSZ		24u		/* sectors of the one FAT */
#define ROOTENTS	512u
#define DATA_SECT	(RES + FATSZ + ROOTENTS * 32 / 512)
#define EXT_AT		(5 * MIB)
#define NTFS_AT		(6 * MIB)
#define OTHER_AT	(7 * MIB)

static uint8_t *img;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint8_t *cluster(unsigned int c)
{
	return img + ESP_AT + (DATA_SECT + c - 2) * 512;
}

/* An 8.3 entry "NAME    EXT" at @e. */
static void dirent(uint8_t *e, const char *name83, uint8_t attr,
		   unsigned int clus, uint32_t size)
{
	memcpy(e, name83, 11);
	e[11] = attr;
	put16(e + 26, (uint16_t)clus);
	put16(e + 28, (uint16_t)size);
	put16(e + 30, (uint16_t)(size >> 16));
}

/* One long-name entry (last and only piece) for @name (<= 13 chars). */
static void lfn(uint8_t *e, const char *name)
{
	static const int pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24,
				     28, 30 };
	size_t i, n = strlen(name);

	memset(e, 0xff, 32);
	e[0] = 0x41;
	e[11] = 0x0f;
	e[12] = 0;
	put16(e + 26, 0);
	for (i = 0; i < 13; i++)
		put16(e + pos[i], i < n ? (uint16_t)name[i] : i == n ? 0 : 0xffff);
}

static void file(unsigned int c, const char *text)
{
	memset(cluster(c), 'x', 512);
	memcpy(cluster(c) + 100, text, strlen(text));
}

static void build(void)
{
	uint8_t *b, *fat, *root;
	unsigned int c;

	img = calloc(1, DISK);
	T_ASSERT(img != NULL);
	b = img + ESP_AT;
	memcpy(b + 3, "mkfs.fat", 8);
	put16(b + 11, 512);
	b[13] = 1;
	put16(b + 14, RES);
	b[16] = 1;
	put16(b + 17, ROOTENTS);
	put16(b + 19, ESP_SECT);
	put16(b + 22, FATSZ);
	b[510] = 0x55;
	b[511] = 0xaa;
	fat = b + RES * 512;
	for (c = 2; c <= 10; c++)
		put16(fat + 2 * c, 0xffff);
	root = b + (RES + FATSZ) * 512;
	dirent(root, "ESP        ", 0x08, 0, 0);
	dirent(root + 32, "EFI        ", 0x10, 2, 0);
	dirent(cluster(2), "BOOT       ", 0x10, 3, 0);
	lfn(cluster(2) + 32, "debian");
	dirent(cluster(2) + 64, "DEBIAN     ", 0x10, 4, 0);
	dirent(cluster(2) + 96, "HOST       ", 0x10, 5, 0);
	lfn(cluster(2) + 128, "Microsoft");
	dirent(cluster(2) + 160, "MICROS~1   ", 0x10, 8, 0);
	dirent(cluster(3), "BOOTX64 EFI", 0x20, 7, 512);
	dirent(cluster(4), "GRUBX64 EFI", 0x20, 6, 512);
	dirent(cluster(5), "GRUBX64 EFI", 0x20, 7, 512);
	dirent(cluster(8), "BOOT       ", 0x10, 9, 0);
	dirent(cluster(9), "BOOTMGFWEFI", 0x20, 10, 512);
	file(6, "search --fs-uuid --set=root 2ff2a731-3198-4eda-9b66-c33b639310dc");
	file(7, "search --fs-uuid --set=root cabb0a1c-f9f8-4dde-9b87-181e3053f4f2");
	file(10, "MZ windows");
	/* the ext partition: magic and the UUID of uuid_linux */
	put16(img + EXT_AT + 1024 + 0x38, 0xef53);
	memcpy(img + EXT_AT + 1024 + 0x68,
	       "\x2f\xf2\xa7\x31\x31\x98\x4e\xda\x9b\x66\xc3\x3b\x63\x93\x10\xdc", 16);
	memcpy(img + NTFS_AT + 3, "NTFS    ", 8);
	/* another ext file system no loader names */
	put16(img + OTHER_AT + 1024 + 0x38, 0xef53);
	memset(img + OTHER_AT + 1024 + 0x68, 0x11, 16);
}

static void table(struct rd_part_table *t)
{
	static const uint64_t at[4] = { ESP_AT, EXT_AT, NTFS_AT, OTHER_AT };
	static const uint64_t sz[4] = { ESP_SECT * 512ULL, MIB, MIB, MIB };
	unsigned int i;

	memset(t, 0, sizeof(*t));
	strcpy(t->label, "gpt");
	t->n = 4;
	for (i = 0; i < 4; i++) {
		t->part[i].number = i + 1;
		t->part[i].start = at[i];
		t->part[i].size = sz[i];
	}
}

static void test_esp_loaders(void)
{
	static struct rd_part_table t;
	struct rd_disk *d = NULL;
	char out[256], err[256];

	build();
	table(&t);
	T_EQ(rd_mem_open(img, DISK, RD_RDONLY, &d), 0);
	T_EQ(vmd_esp_loader(d, &t, 1, 2, out, sizeof(out), err, sizeof(err)), 0);
	T_ASSERT(!strcmp(out, "\\EFI\\debian\\grubx64.efi"));
	T_EQ(vmd_esp_loader(d, &t, 1, 3, out, sizeof(out), err, sizeof(err)), 0);
	T_ASSERT(!strcmp(out, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi"));
	/* no loader names partition 4; \EFI\BOOT is never the answer */
	T_EQ(vmd_esp_loader(d, &t, 1, 4, out, sizeof(out), err, sizeof(err)),
	     -ENOENT);
	T_ASSERT(strstr(err, "partition 4") != NULL);
	T_EQ(vmd_esp_loader(d, &t, 1, 9, out, sizeof(out), err, sizeof(err)),
	     -ENOENT);
	rd_close(d);
	/* the host's UUID instead: \EFI\HOST (not BOOT, which holds it too) */
	memcpy(img + EXT_AT + 1024 + 0x68,
	       "\xca\xbb\x0a\x1c\xf9\xf8\x4d\xde\x9b\x87\x18\x1e\x30\x53\xf4\xf2", 16);
	T_EQ(rd_mem_open(img, DISK, RD_RDONLY, &d), 0);
	T_EQ(vmd_esp_loader(d, &t, 1, 2, out, sizeof(out), err, sizeof(err)), 0);
	T_ASSERT(!strcmp(out, "\\EFI\\host\\grubx64.efi"));	/* 8.3: lower case */
	rd_close(d);
	/* a broken ESP */
	img[ESP_AT + 510] = 0;
	T_EQ(rd_mem_open(img, DISK, RD_RDONLY, &d), 0);
	T_ASSERT(vmd_esp_loader(d, &t, 1, 2, out, sizeof(out), err,
				sizeof(err)) < 0);
	T_ASSERT(strstr(err, "EFI system partition 1") != NULL);
	rd_close(d);
	free(img);
}

static const struct t_case cases[] = {
	T_CASE(test_esp_loaders),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
