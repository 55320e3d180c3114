// SPDX-License-Identifier: GPL-2.0-only
/* test_efivars.c --- variables in an OVMF variable store image: get, set
 * (replace), boot entries, a full store, not a store */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "board/efivars.h"
#include "tests/unit/harness.h"

#define LEN	0x2000u

static const uint8_t store_guid[16] = {
	0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43,
	0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92,
};

/* An empty store: FV header (HeaderLength 0x48), store header, erased. */
static uint8_t *store(size_t size)
{
	uint8_t *b = malloc(LEN);

	T_ASSERT(b != NULL);
	memset(b, 0xff, LEN);
	memset(b, 0, 0x48 + 28);
	memcpy(b + 40, "_FVH", 4);
	b[48] = 0x48;
	memcpy(b + 0x48, store_guid, 16);
	b[0x48 + 16] = (uint8_t)size;
	b[0x48 + 17] = (uint8_t)(size >> 8);
	b[0x48 + 20] = 0x5a;
	b[0x48 + 21] = 0xfe;
	return b;
}

static void test_efivars_get_set(void)
{
	uint8_t *b = store(LEN - 0x48), one = 1, two[3] = { 2, 2, 2 };
	const uint8_t *d;
	size_t n = 0;

	T_ASSERT(efivar_get(b, LEN, "Timeout", efivar_global_guid, &n) == NULL);
	T_EQ(efivar_set(b, LEN, "Timeout", efivar_global_guid, 7, &one, 1), 0);
	d = efivar_get(b, LEN, "Timeout", efivar_global_guid, &n);
	T_ASSERT(d != NULL);
	T_EQ(n, 1);
	T_EQ(d[0], 1);
	/* where OVMF puts the first one: 4-aligned after the headers */
	T_EQ(b[0x64] | b[0x65] << 8, 0x55aa);
	T_EQ(b[0x66], 0x3f);
	T_EQ(b[0x64 + 4], 7);				/* attributes */
	/* replace: the old copy is deleted (0x3c), the new one read */
	T_EQ(efivar_set(b, LEN, "Timeout", efivar_global_guid, 7, two, 3), 0);
	T_EQ(b[0x66], 0x3c);
	d = efivar_get(b, LEN, "Timeout", efivar_global_guid, &n);
	T_EQ(n, 3);
	T_EQ(d[2], 2);
	/* another vendor GUID is another variable */
	T_ASSERT(efivar_get(b, LEN, "Timeout", store_guid, &n) == NULL);
	free(b);
}

static void test_efivars_boot(void)
{
	uint8_t *b = store(LEN - 0x48), order[4] = { 0, 0, 1, 0 };
	struct efi_boot_target t = {
		.part = 1, .start = 2048, .sectors = 204800,
		.guid = { 0xf8, 0x5e, 0x47, 0x45 },
		.path = "\\EFI\\debian\\grubx64.efi", .title = "dualvm",
	};
	const uint8_t *d, *dp;
	size_t n = 0, i;

	T_EQ(efivar_set(b, LEN, "BootOrder", efivar_global_guid, 7, order, 4),
	     0);
	T_EQ(efivar_set_boot(b, LEN, 0xd000, &t), 0);
	d = efivar_get(b, LEN, "BootD000", efivar_global_guid, &n);
	T_ASSERT(d != NULL);
	T_EQ(d[0], 1);					/* active */
	T_ASSERT(!memcmp(d + 6, "d\0u\0a\0l\0v\0m\0\0\0", 14));
	dp = d + 6 + 14;
	T_EQ(d[4] | d[5] << 8, (size_t)(d + n - dp));	/* path list length */
	T_EQ(dp[0], 4);					/* HD() */
	T_EQ(dp[1], 1);
	T_EQ(dp[2], 42);
	T_EQ(dp[4], 1);					/* partition 1 */
	T_EQ(dp[9] << 8 | dp[8], 2048);
	T_EQ(dp[24], 0xf8);
	T_EQ(dp[40], 2);
	T_EQ(dp[41], 2);
	dp += 42;
	T_EQ(dp[0], 4);					/* File() */
	T_EQ(dp[1], 4);
	T_EQ(dp[2], 4 + 2 * (strlen(t.path) + 1));
	for (i = 0; t.path[i]; i++)
		T_EQ(dp[4 + 2 * i], (uint8_t)t.path[i]);
	dp += dp[2];
	T_EQ(dp[0], 0x7f);				/* end */
	T_EQ(dp[1], 0xff);
	T_ASSERT(dp + 4 == d + n);
	d = efivar_get(b, LEN, "BootOrder", efivar_global_guid, &n);
	T_EQ(n, 6);
	T_EQ(d[0] | d[1] << 8, 0xd000);
	T_EQ(d[2] | d[3] << 8, 0);
	T_EQ(d[4] | d[5] << 8, 1);
	/* again: still one copy of the number in BootOrder */
	T_EQ(efivar_set_boot(b, LEN, 0xd000, &t), 0);
	d = efivar_get(b, LEN, "BootOrder", efivar_global_guid, &n);
	T_EQ(n, 6);
	t.path = "EFI/x.efi";				/* not absolute */
	T_EQ(efivar_set_boot(b, LEN, 0xd000, &t), -EINVAL);
	free(b);
}

static void test_efivars_bad(void)
{
	uint8_t *b = store(0x100), big[256];
	unsigned int i;

	memset(big, 0, sizeof(big));
	T_EQ(efivar_set(b, LEN, "Big", efivar_global_guid, 7, big, 200),
	     -ENOSPC);
	for (i = 0; i < 3; i++)	/* 76 bytes each */
		T_EQ(efivar_set(b, LEN, "A", efivar_global_guid, 7, big, 10), 0);
	T_EQ(efivar_set(b, LEN, "A", efivar_global_guid, 7, big, 10), -ENOSPC);
	b[40] = 'x';					/* not a volume */
	T_EQ(efivar_set(b, LEN, "A", efivar_global_guid, 7, big, 1), -EINVAL);
	T_ASSERT(efivar_get(b, LEN, "A", efivar_global_guid,
			    &(size_t){ 0 }) == NULL);
	b[40] = '_';
	b[0x48 + 21] = 0x00;				/* not healthy */
	T_EQ(efivar_set(b, LEN, "A", efivar_global_guid, 7, big, 1), -EINVAL);
	free(b);
}

static const struct t_case cases[] = {
	T_CASE(test_efivars_get_set),
	T_CASE(test_efivars_boot),
	T_CASE(test_efivars_bad),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
