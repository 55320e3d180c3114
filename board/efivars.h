/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * efivars.h --- UEFI variables in an OVMF variable store image (private to
 * board/)
 *
 * The store OVMF keeps in its flash (OVMF_VARS*.fd, the VM's NVRAM): a
 * firmware volume header (PI spec vol. 3, EFI_FIRMWARE_VOLUME_HEADER,
 * "_FVH" at byte 40, HeaderLength at 48), then a variable store header
 * (the authenticated-variable GUID, Size, Format 0x5A "formatted", State
 * 0xFE "healthy"), then variables one after the other, each on a 4-byte
 * boundary: a 60-byte header (StartId 0x55AA, State, Attributes, the
 * authentication fields, NameSize, DataSize, VendorGuid), the UTF-16
 * name with its NUL, the data.  A variable is live in State 0x3F (added)
 * or 0x3E (being replaced); deleting one clears bits (0x3C), adding one
 * writes the header, name and data into the erased (0xFF) space after the
 * last -- the same bit transitions OVMF's own driver makes in flash, so
 * OVMF reads the result as if it had written it.
 *
 * The board uses this to put a boot entry (Boot####, BootOrder) into a
 * VM's NVRAM before the VM starts, when the user chose which loader of the
 * EFI system partition boots.
 */
#ifndef DUALVM_EFIVARS_H
#define DUALVM_EFIVARS_H

#include <stddef.h>
#include <stdint.h>

#include "board/board.h"

#define EFIVAR_NV	0x1	/* EFI_VARIABLE_NON_VOLATILE */
#define EFIVAR_BS	0x2	/* EFI_VARIABLE_BOOTSERVICE_ACCESS */
#define EFIVAR_RT	0x4	/* EFI_VARIABLE_RUNTIME_ACCESS */

/* EFI_GLOBAL_VARIABLE 8BE4DF61-93CA-11D2-AA0D-00E098032B8C, as stored */
extern const uint8_t efivar_global_guid[16];

/*
 * The live variable @name (ASCII) of @guid in the store @buf (@len bytes):
 * a pointer to its data and *@size, or NULL (also for a store that is not
 * one).
 */
const uint8_t *efivar_get(const uint8_t *buf, size_t len, const char *name,
			  const uint8_t guid[16], size_t *size);

/*
 * Set @name (ASCII) of @guid to @size bytes of @data with @attr: the live
 * copy (if any) is deleted, the new one appended.  0, -EINVAL (not an
 * OVMF variable store, or a corrupt one) or -ENOSPC (no room: OVMF would
 * reclaim space, which this does not).
 */
int efivar_set(uint8_t *buf, size_t len, const char *name,
	       const uint8_t guid[16], uint32_t attr, const void *data,
	       size_t size);


/*
 * Write Boot@num (an EFI_LOAD_OPTION, active, whose device path is the
 * short form HD(part, GPT, guid)/File(path), as efibootmgr makes) and put
 * @num first in BootOrder, keeping the other entries after it.  0 or
 * -errno as efivar_set(); -EINVAL for a path too long.
 */
int efivar_set_boot(uint8_t *buf, size_t len, uint16_t num,
		    const struct efi_boot_target *t);

#endif
