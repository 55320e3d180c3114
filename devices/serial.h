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
 * dev_create(&serial_dev): a UART at dev_cfg.base (8 ports; 0: COM1) raising
 * dev_cfg.irq[0], mapped on env->pio.  Every byte the guest transmits
 * (outside loopback mode) goes to host->tx with dev_cfg.unit (no host:
 * output discarded).  -EINVAL when base + 8 is beyond the port space.
 * The device is a character input (serial_dev.chr = serial_receive).
 */
extern const struct dev_ops serial_dev;

/*
 * Host input: queue up to @n bytes from @buf into the receive FIFO (one byte
 * when FIFOs are off).  Returns how many were accepted (0 when full or in
 * loopback mode); the caller retries the rest later.  vCPU thread only.
 * (serial_dev.chr->receive: the UART is passed as void *.)
 */
int serial_receive(void *uart, const uint8_t *buf, size_t n);
/* True when serial_receive() would accept at least one byte. */
bool serial_can_receive(struct serial *s);

#endif
