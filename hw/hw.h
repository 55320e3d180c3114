/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hw.h --- libhw: the hardware abstractions every device is built on
 * (public header)
 *
 * The lowest layer of the machine (hw < devices < board < vmm): the port and
 * MMIO spaces with their access widths (iospace.h), interrupt lines and the
 * interrupt-controller interface a CPU engine polls (irq.h), the virtual
 * clock and its timers (vclock.h), the guest-memory DMA callback, the
 * Ethernet link between a NIC and its host back end (net.h), the
 * asynchronous block-device interface disk controllers submit requests to
 * (block.h) and the framebuffer/input interfaces a display drives (ui.h).
 * Nothing here knows a device, a board or a CPU engine; every other
 * subsystem includes this header only, never the parts below.
 */
#ifndef DUALVM_HW_H
#define DUALVM_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/apic.h"
#include "hw/block.h"
#include "hw/iospace.h"
#include "hw/irq.h"
#include "hw/net.h"
#include "hw/ui.h"
#include "hw/vclock.h"

/*
 * Guest-physical DMA as a bus master sees it: copy @len bytes between @buf
 * and guest memory at @gpa (@to_guest: into the guest).  0, or -EFAULT when
 * any byte is outside guest RAM (nothing copied).  vCPU thread only.
 */
typedef int hw_dma_fn(void *opaque, uint64_t gpa, void *buf, uint64_t len,
		      bool to_guest);

#endif
