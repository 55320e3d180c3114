/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i8042.h --- Intel 8042 keyboard controller with PS/2 keyboard and mouse
 *
 * Data port 0x60, status/command port 0x64.  The keyboard speaks scan code
 * set 2, translated to set 1 by the controller by default (command byte bit
 * 6); the mouse is on the auxiliary port (IRQ12).  The output port's A20
 * gate and the CPU reset line go to the machine (struct dev_host).
 */
#ifndef DUALVM_DEVICES_I8042_H
#define DUALVM_DEVICES_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define I8042_DATA_PORT	0x60
#define I8042_CMD_PORT	0x64

/* Host key codes and mouse buttons are hw/ui.h's (set-1 make codes). */
#define I8042_KEY_EXT		UI_KEY_EXT
#define I8042_KEY_PAUSE		UI_KEY_PAUSE
#define I8042_BTN_LEFT		UI_BTN_LEFT
#define I8042_BTN_RIGHT		UI_BTN_RIGHT
#define I8042_BTN_MIDDLE	UI_BTN_MIDDLE

struct i8042;

/*
 * dev_create(&i8042_dev): the controller with keyboard and mouse attached,
 * 0x60 and 0x64 mapped on env->pio.  Keyboard interrupts go to
 * dev_cfg.irq[0] (IRQ1), mouse interrupts to irq[1] (IRQ12); output port
 * bit 1 goes to host->set_a20, its reset pulses (0xFE...) to host->reset.
 * The device is an input sink (i8042_dev.input).
 */
extern const struct dev_ops i8042_dev;

/* The two functions below are i8042_dev.input's callbacks (hw/ui.h), so
 * they take the controller as void *. */
/*
 * Host keyboard input: key @keycode (see I8042_KEY_*) pressed (@down) or
 * released.  Queued as the keyboard's scan codes; dropped when the keyboard
 * is disabled or its buffer is full.  vCPU/event-loop thread.
 */
void i8042_key_event(void *kbd, unsigned int keycode, bool down);
/*
 * Host mouse input: relative motion (@dx right, @dy up, @dz wheel) and the
 * current button state (I8042_BTN_*).  Sent as packets in stream mode when
 * reporting is enabled.
 */
void i8042_mouse_event(void *kbd, int dx, int dy, int dz,
		       unsigned int buttons);

/* Current A20 gate state as set by the output port (power-on: enabled). */
bool i8042_a20(struct i8042 *k);

#endif
