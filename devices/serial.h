/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * serial.h --- National Semiconductor 16550A UART
 *
 * Eight registers at a base port (COM1 0x3F8/IRQ4, COM2 0x2F8/IRQ3), 16-byte
 * receive and transmit FIFOs.  Transmitted bytes go to a callback at once;
 * received bytes are pushed in by the host side with serial_receive().
 */
#ifndef DUALVM_DEVICES_SERIAL_H
#define DUALVM_DEVICES_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/devices.h"

#define SERIAL_COM1_BASE	0x3f8
#define SERIAL_COM1_IRQ		4
#define SERIAL_COM2_BASE	0x2f8
#define SERIAL_COM2_IRQ		3
#define SERIAL_FIFO_SIZE	16

struct serial;

/*
 * Create a UART at @base (8 ports) raising @irq, and map it on env->pio.
 * Every byte the guest transmits (outside loopback mode) is passed to @tx
 * with @opaque; @tx may be NULL (output discarded).  Returns 0, -EINVAL
 * (@base + 8 beyond the port space), -ENOMEM or the iospace_map() error.
 */
int __attribute__((warn_unused_result))
serial_create(const struct dev_env *env, uint16_t base, struct irq_line irq,
	      void (*tx)(void *opaque, uint8_t byte), void *opaque,
	      struct serial **out);
void serial_reset(struct serial *s);
void serial_destroy(struct serial *s);

/*
 * Host input: queue up to @n bytes from @buf into the receive FIFO (one byte
 * when FIFOs are off).  Returns how many were accepted (0 when full or in
 * loopback mode); the caller retries the rest later.  vCPU thread only.
 */
int serial_receive(struct serial *s, const uint8_t *buf, size_t n);
/* True when serial_receive() would accept at least one byte. */
bool serial_can_receive(struct serial *s);

#endif
