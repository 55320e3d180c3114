// SPDX-License-Identifier: GPL-2.0-only
/*
 * efivars.c --- read and add UEFI variables in an OVMF variable store
 *
 * Layouts from the UEFI PI specification vol. 3 (firmware volume header)
 * and EDK II's published variable-store format (VARIABLE_STORE_HEADER,
 * AUTHENTICATED_VARIABLE_HEADER), the load option and device path nodes
 * from the UEFI specification (3.1.3 Load Options, 10.3.5.1 Hard Drive
 * and 10.3.5.4 File Path media device paths).  See efivars.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/efivars.h"

#define FV_SIG_OFF	40
#define FV_HLEN_OFF	48
#define VS_HDR_LEN	28		/* variable store header */
#define VAR_HDR_LEN	60		/* authenticated variable header */
#define VAR_START_ID	0x55aa
#define VAR_ADDED	0x3f
#define VAR_IN_TRANSITION 0x3e		/* added, being deleted */
#define VAR_DELETED_MASK 0xfc		/* & clears "added" validity */
#define VS_FORMATTED	0x5a
#define VS_HEALTHY	0xfe

/* gEfiAuthenticatedVariableGuid AAF32C78-947B-439A-A180-2E144EC37792 */
static const uint8_t auth_store_guid[16] = {
	0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
	0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92,
};

const uint8_t efivar_global_guid[16] = {
	0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c,
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)v);
	wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

/* The variable area [*first, *end) of the store, 0 or -EINVAL. */
static int store_bounds(const uint8_t *buf, size_t len, size_t *first,
			size_t *end)
{
	size_t hl, size;

	if (len < FV_HLEN_OFF + 2 || memcmp(buf + FV_SIG_OFF, "_FVH", 4))
		return -EINVAL;
	hl = rd16(buf + FV_HLEN_OFF);
	if (hl < FV_HLEN_OFF + 2 || hl + VS_HDR_LEN > len ||
	    memcmp(buf + hl, auth_store_guid, 16) ||
	    buf[hl + 20] != VS_FORMATTED || buf[hl + 21] != VS_HEALTHY)
		return -EINVAL;
	size = rd32(buf + hl + 16);
	if (size < VS_HDR_LEN || size > len - hl)
		return -EINVAL;
	*first = align4(hl + VS_HDR_LEN);
	*end = hl + size;
	return 0;
}

/* Walk the variables: calls @fn for each (stops when it returns true);
 * the offset after the last one in *@free_at.  0 or -EINVAL. */
static int store_walk(const uint8_t *buf, size_t len,
		      bool (*fn)(const uint8_t *var, void *arg), void *arg,
		      size_t *free_at)
{
	size_t off, end, ns, ds;
	int err = store_bounds(buf, len, &off, &end);

	if (err)
		return err;
	while (off + VAR_HDR_LEN <= end && rd16(buf + off) == VAR_START_ID) {
		ns = rd32(buf + off + 36);
		ds = rd32(buf + off + 40);
		if (ns > end || ds > end || off + VAR_HDR_LEN + ns + ds > end)
			return -EINVAL;
		if (fn && fn(buf + off, arg))
			break;
		off = align4(off + VAR_HDR_LEN + ns + ds);
	}
	if (free_at)
		*free_at = off < end ? off : end;
	return 0;
}

struct lookup {
	uint8_t		name[256];	/* UTF-16LE with NUL */
	size_t		nlen;		/* bytes */
	const uint8_t	*guid;
	const uint8_t	*found;		/* a live variable's header */
};

static int utf16_name(struct lookup *l, const char *name)
{
	size_t i, n = strlen(name);

	if (!n || 2 * (n + 1) > sizeof(l->name))
		return -EINVAL;
	for (i = 0; i <= n; i++) {
		l->name[2 * i] = (uint8_t)name[i];
		l->name[2 * i + 1] = 0;
	}
	l->nlen = 2 * (n + 1);
	return 0;
}

static bool is_live_match(const uint8_t *v, const struct lookup *l)
{
	return (v[2] == VAR_ADDED || v[2] == VAR_IN_TRANSITION) &&
	       rd32(v + 36) == l->nlen && !memcmp(v + 44, l->guid, 16) &&
	       !memcmp(v + VAR_HDR_LEN, l->name, l->nlen);
}

static bool find_cb(const uint8_t *v, void *arg)
{
	struct lookup *l = arg;

	if (!is_live_match(v, l))
		return false;
	/* an "added" copy wins over one in transition */
	if (!l->found || v[2] == VAR_ADDED)
		l->found = v;
	return false;
}

const uint8_t *efivar_get(const uint8_t *buf, size_t len, const char *name,
			  const uint8_t guid[16], size_t *size)
{
	struct lookup l = { .guid = guid };

	if (utf16_name(&l, name) ||
	    store_walk(buf, len, find_cb, &l, NULL) || !l.found)
		return NULL;
	*size = rd32(l.found + 40);
	return l.found + VAR_HDR_LEN + l.nlen;
}

int efivar_set(uint8_t *buf, size_t len, const char *name,
	       const uint8_t guid[16], uint32_t attr, const void *data,
	       size_t size)
{
	struct lookup l = { .guid = guid };
	size_t at, end, first, need, i;
	uint8_t *v;
	int err;

	err = utf16_name(&l, name);
	if (!err)
		err = store_walk(buf, len, NULL, NULL, &at);
	if (!err)
		err = store_bounds(buf, len, &first, &end);
	if (err)
		return err;
	need = VAR_HDR_LEN + l.nlen + size;
	if (size > len || at + need > end)
		return -ENOSPC;
	for (i = 0; i < need; i++)	/* only erased cells can be written */
		if (buf[at + i] != 0xff)
			return -EINVAL;
	/* the old copies first go "in transition", as OVMF does ... */
	for (i = first; i < at;) {
		v = buf + i;
		if (is_live_match(v, &l) && v[2] == VAR_ADDED)
			v[2] = VAR_IN_TRANSITION;
		i = align4(i + VAR_HDR_LEN + rd32(v + 36) + rd32(v + 40));
	}
	/* ... then the new one is added ... */
	v = buf + at;
	memset(v, 0, VAR_HDR_LEN);
	wr16(v, VAR_START_ID);
	v[2] = 0xff;			/* not valid until the end */
	wr32(v + 4, attr);
	wr32(v + 36, (uint32_t)l.nlen);
	wr32(v + 40, (uint32_t)size);
	memcpy(v + 44, guid, 16);
	memcpy(v + VAR_HDR_LEN, l.name, l.nlen);
	memcpy(v + VAR_HDR_LEN + l.nlen, data, size);
	/* ... and the old ones deleted */
	for (i = first; i < at;) {
		uint8_t *o = buf + i;

		if (o[2] == VAR_IN_TRANSITION && is_live_match(o, &l))
			o[2] &= VAR_DELETED_MASK;
		i = align4(i + VAR_HDR_LEN + rd32(o + 36) + rd32(o + 40));
	}
	v[2] = VAR_ADDED;
	return 0;
}

/* UTF-16LE of ASCII @s (\ or / separators become \), NUL included;
 * bytes written or 0 when it does not fit in @max. */
static size_t put_utf16(uint8_t *out, size_t max, const char *s, bool path)
{
	size_t i, n = strlen(s);

	if (2 * (n + 1) > max)
		return 0;
	for (i = 0; i <= n; i++) {
		char c = path && s[i] == '/' ? '\\' : s[i];

		out[2 * i] = (uint8_t)c;
		out[2 * i + 1] = 0;
	}
	return 2 * (n + 1);
}

#define DP_HD_LEN	42

int efivar_set_boot(uint8_t *buf, size_t len, uint16_t num,
		    const struct efi_boot_target *t)
{
	uint8_t opt[1024], order[512], *p;
	const uint8_t *old;
	size_t desc, file, n, olen = 0, i;
	char name[16];
	int err;

	/* EFI_LOAD_OPTION: Attributes, FilePathListLength, Description */
	memset(opt, 0, sizeof(opt));
	wr32(opt, 1);				/* LOAD_OPTION_ACTIVE */
	desc = put_utf16(opt + 6, 200, t->title, false);
	if (!desc)
		return -EINVAL;
	p = opt + 6 + desc;
	/* HD(part, GPT, guid, start, size) */
	p[0] = 4;
	p[1] = 1;
	wr16(p + 2, DP_HD_LEN);
	wr32(p + 4, t->part);
	wr64(p + 8, t->start);
	wr64(p + 16, t->sectors);
	memcpy(p + 24, t->guid, 16);
	p[40] = 2;				/* GPT */
	p[41] = 2;				/* signature is a GUID */
	p += DP_HD_LEN;
	/* File(path) */
	file = put_utf16(p + 4, (size_t)(opt + sizeof(opt) - p) - 8,
			 t->path, true);
	if (!file || *t->path != '\\')
		return -EINVAL;
	p[0] = 4;
	p[1] = 4;
	wr16(p + 2, (uint16_t)(4 + file));
	p += 4 + file;
	/* End of the device path */
	p[0] = 0x7f;
	p[1] = 0xff;
	wr16(p + 2, 4);
	p += 4;
	wr16(opt + 4, (uint16_t)(p - (opt + 6 + desc)));
	n = (size_t)(p - opt);
	snprintf(name, sizeof(name), "Boot%04X", num);
	err = efivar_set(buf, len, name, efivar_global_guid,
			 EFIVAR_NV | EFIVAR_BS | EFIVAR_RT, opt, n);
	if (err)
		return err;
	/* BootOrder: @num, then the old entries without it */
	wr16(order, num);
	n = 2;
	old = efivar_get(buf, len, "BootOrder", efivar_global_guid, &olen);
	for (i = 0; old && i + 1 < olen && n + 2 <= sizeof(order); i += 2)
		if (rd16(old + i) != num) {
			memcpy(order + n, old + i, 2);
			n += 2;
		}
	return efivar_set(buf, len, "BootOrder", efivar_global_guid,
			  EFIVAR_NV | EFIVAR_BS | EFIVAR_RT, order, n);
}
