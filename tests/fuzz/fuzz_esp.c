// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_esp.c --- the read-only FAT walk of an EFI system partition
 * (vmdisk/vmd_esp.c) that `inspect` and `run --firmware uefi --partition`
 * do on every disk with an ESP: the input is the ESP's content; beside it
 * sit a fixed ext4-like superblock (partition 2: the GRUB-config search for
 * its UUID) and an NTFS boot sector (partition 3: the Windows Boot Manager
 * lookup).  Whatever is found is a NUL-terminated "\EFI\..." path; every
 * refusal is one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ESP_MAX	(4u << 20)
#define OSPART	(4096u)

static void check(struct rd_disk *d, const struct rd_part_table *t,
		  unsigned int chosen)
{
	char out[256], err[256];

	memset(out, 'x', sizeof(out));
	err[0] = 0;
	if (vmd_esp_loader(d, t, 1, chosen, out, sizeof(out), err,
			   sizeof(err)) == 0) {
		if (!memchr(out, 0, sizeof(out)) || strncmp(out, "\\EFI\\", 5))
			abort();
	} else if (!err[0] || strchr(err, '\n')) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rd_part_table t;
	size_t esp = size < ESP_MAX ? (size + 511) & ~(size_t)511 : ESP_MAX;
	size_t total;
	uint8_t *img;
	struct rd_disk *d;

	if (!esp)
		esp = 512;
	total = esp + 2 * OSPART;
	img = calloc(1, total);
	if (!img)
		return 0;
	memcpy(img, data, size < esp ? size : esp);
	/* partition 2: ext magic and a UUID; partition 3: NTFS OEM id */
	img[esp + 1024 + 0x38] = 0x53;
	img[esp + 1024 + 0x39] = 0xef;
	memset(img + esp + 1024 + 0x68, 0x2f, 16);
	memcpy(img + esp + OSPART + 3, "NTFS    ", 8);
	memset(&t, 0, sizeof(t));
	strcpy(t.label, "gpt");
	t.n = 3;
	t.part[0] = (struct rd_part){ .number = 1, .start = 0, .size = esp };
	strcpy(t.part[0].type, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
	t.part[1] = (struct rd_part){ .number = 2, .start = esp,
				      .size = OSPART };
	strcpy(t.part[1].type, "0fc63daf-8483-4772-8e79-3d69d8477de4");
	t.part[2] = (struct rd_part){ .number = 3, .start = esp + OSPART,
				      .size = OSPART };
	strcpy(t.part[2].type, "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
	if (rd_mem_open(img, total, RD_RDONLY, &d) == 0) {
		check(d, &t, 2);
		check(d, &t, 3);
		rd_close(d);
	}
	free(img);
	return 0;
}
