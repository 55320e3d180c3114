// SPDX-License-Identifier: GPL-2.0-only
/*
 * smbios.c --- SMBIOS structures for the dualvm PC
 *
 * Layouts from the DMTF SMBIOS Reference Specification 2.8 (DSP0134):
 * 2.1 entry point (ch. 5.2.1), structure header and string-set rules
 * (ch. 6.1), System Information type 1 (7.2), System Enclosure type 3 (7.4),
 * Physical Memory Array type 16 (7.17), Memory Device type 17 (7.18),
 * Memory Array Mapped Address type 19 (7.20), System Boot Information
 * type 32 (7.33), End-of-Table type 127 (7.45).  Only what a guest needs to
 * identify the machine and its memory.
 */
#include <errno.h>
#include <string.h>

#include "board/smbios.h"

struct smb_writer {
	struct smbios_blob *b;		/* output */
	uint16_t	handle;		/* next structure handle */
	uint16_t	count;		/* structures written */
	uint16_t	max_size;	/* largest structure incl. strings */
	int		err;		/* -ENOSPC once full */
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

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Append structure @s (formatted area of s[1] bytes; type in s[0]) and its
 * NULL-terminated string list @strs.  Returns the structure's handle.
 */
static uint16_t smb_add(struct smb_writer *w, uint8_t *s,
			const char *const *strs)
{
	struct smbios_blob *b = w->b;
	size_t start = b->len, n = s[1], sl;
	unsigned int i;

	put16(s + 2, w->handle);
	if (b->len + n + 2 > sizeof(b->tables)) {
		w->err = -ENOSPC;
		return w->handle;
	}
	memcpy(b->tables + b->len, s, n);
	b->len += n;
	for (i = 0; strs && strs[i]; i++) {
		sl = strlen(strs[i]) + 1;
		if (b->len + sl + 1 > sizeof(b->tables)) {
			w->err = -ENOSPC;
			return w->handle;
		}
		memcpy(b->tables + b->len, strs[i], sl);
		b->len += sl;
	}
	if (!strs || !strs[0])
		b->tables[b->len++] = 0;	/* empty string set: 2 NULs */
	b->tables[b->len++] = 0;
	if (b->len - start > w->max_size)
		w->max_size = (uint16_t)(b->len - start);
	w->count++;
	return w->handle++;
}

static void add_system(struct smb_writer *w)
{
	static const char *const strs[] = {
		"dualvm", "dualvm PC (i440FX + PIIX3)", "0.1", "dualvm", NULL,
	};
	uint8_t s[0x1b] = { 1, sizeof(s) };

	s[4] = 1;		/* manufacturer */
	s[5] = 2;		/* product name */
	s[6] = 3;		/* version */
	s[7] = 0;		/* serial: none */
	/* 8..23 UUID: all zeros = not present */
	s[24] = 0x06;		/* wake-up type: power switch */
	s[25] = 0;		/* SKU: none */
	s[26] = 4;		/* family */
	smb_add(w, s, strs);
}

static void add_chassis(struct smb_writer *w)
{
	static const char *const strs[] = { "dualvm", NULL };
	uint8_t s[0x15] = { 3, sizeof(s) };

	s[4] = 1;		/* manufacturer */
	s[5] = 0x01;		/* type: other */
	s[9] = 0x03;		/* boot-up state: safe */
	s[10] = 0x03;		/* power supply state: safe */
	s[11] = 0x03;		/* thermal state: safe */
	s[12] = 0x02;		/* security status: unknown */
	smb_add(w, s, strs);
}

static uint16_t add_memory_array(struct smb_writer *w, uint64_t total)
{
	uint8_t s[0x17] = { 16, sizeof(s) };
	uint64_t kib = total >> 10;

	s[4] = 0x01;		/* location: other */
	s[5] = 0x03;		/* use: system memory */
	s[6] = 0x03;		/* error correction: none */
	if (kib < 0x80000000ULL) {
		put32(s + 7, (uint32_t)kib);
	} else {
		put32(s + 7, 0x80000000u);
		put64(s + 15, total);
	}
	put16(s + 11, 0xfffe);	/* no error information structure */
	put16(s + 13, 1);	/* one memory device */
	return smb_add(w, s, NULL);
}

static void add_memory_device(struct smb_writer *w, uint16_t array,
			      uint64_t total)
{
	static const char *const strs[] = { "DIMM 0", "dualvm", NULL };
	uint8_t s[0x28] = { 17, sizeof(s) };
	uint64_t mib = total >> 20;

	put16(s + 4, array);
	put16(s + 6, 0xfffe);
	put16(s + 8, 64);	/* total width */
	put16(s + 10, 64);	/* data width */
	if (mib < 0x7fff) {
		put16(s + 12, (uint16_t)mib);
	} else {
		put16(s + 12, 0x7fff);
		put32(s + 28, (uint32_t)mib);
	}
	s[14] = 0x09;		/* form factor: DIMM */
	s[16] = 1;		/* device locator */
	s[18] = 0x07;		/* memory type: RAM */
	put16(s + 19, 0x0002);	/* type detail: other */
	s[23] = 2;		/* manufacturer */
	smb_add(w, s, strs);
}

static void add_mapped(struct smb_writer *w, uint16_t array, uint64_t start,
		       uint64_t len)
{
	uint8_t s[0x1f] = { 19, sizeof(s) };
	uint64_t end = start + len - 1;

	if (!len)
		return;
	if (end >> 10 < 0xffffffffULL) {
		put32(s + 4, (uint32_t)(start >> 10));
		put32(s + 8, (uint32_t)(end >> 10));
	} else {
		put32(s + 4, 0xffffffffu);
		put32(s + 8, 0xffffffffu);
		put64(s + 15, start);
		put64(s + 23, end);
	}
	put16(s + 12, array);
	s[14] = 1;		/* partition width */
	smb_add(w, s, NULL);
}

static uint8_t csum(const uint8_t *p, size_t n)
{
	uint8_t c = 0;

	while (n--)
		c = (uint8_t)(c + *p++);
	return (uint8_t)-c;
}

int smbios_build(uint64_t low, uint64_t high, struct smbios_blob *out)
{
	struct smb_writer w = { .b = out, .handle = 0x100 };
	uint8_t boot[0x0b] = { 32, sizeof(boot) };
	uint8_t end[4] = { 127, sizeof(end) };
	uint8_t *ep = out->anchor;
	uint16_t array;

	memset(out, 0, sizeof(*out));
	add_system(&w);
	add_chassis(&w);
	array = add_memory_array(&w, low + high);
	add_memory_device(&w, array, low + high);
	add_mapped(&w, array, 0, low);
	add_mapped(&w, array, 0x100000000ULL, high);
	smb_add(&w, boot, NULL);
	smb_add(&w, end, NULL);
	if (w.err)
		return w.err;
	memcpy(ep, "_SM_", 4);
	ep[5] = SMBIOS_EP21_LEN;
	ep[6] = 2;		/* version 2.8 */
	ep[7] = 8;
	put16(ep + 8, w.max_size);
	memcpy(ep + 16, "_DMI_", 5);
	put16(ep + 22, (uint16_t)out->len);
	put32(ep + 24, 0);	/* table address: the firmware fills it */
	put16(ep + 28, w.count);
	ep[30] = 0x28;		/* BCD revision */
	ep[21] = csum(ep + 16, SMBIOS_EP21_LEN - 16);
	ep[4] = csum(ep, SMBIOS_EP21_LEN);
	return 0;
}
