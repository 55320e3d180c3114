/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gmem.h --- guest memory backing store (private to board/)
 *
 * One memfd holds every byte of guest RAM and firmware ROM.  A memfd (rather
 * than anonymous memory) lets an engine map the same pages twice (KVM
 * memslots), and lets a snapshot save the guest with one write of the fd.
 * The memory map (memmap.c) decides where each byte of the fd appears in
 * guest-physical space.
 */
#ifndef DUALVM_GMEM_H
#define DUALVM_GMEM_H

#include <stdint.h>

struct gmem;

/*
 * Create a zero-filled backing store of @size bytes (rounded up to 4 KiB),
 * named @name in /proc/PID/fd.  0, -EINVAL (size 0 or absurd) or -errno of
 * memfd_create/ftruncate/mmap.
 */
int __attribute__((warn_unused_result))
gmem_create(const char *name, uint64_t size, struct gmem **out);
/* Unmap and close.  NULL is fine. */
void gmem_destroy(struct gmem *g);

/* Host mapping of byte 0 of the store (shared, read/write). */
uint8_t *gmem_host(const struct gmem *g);
/* Size in bytes (a 4 KiB multiple). */
uint64_t gmem_size(const struct gmem *g);
/* The memfd, owned by @g (for snapshots and engines that mmap it). */
int gmem_fd(const struct gmem *g);

#endif
