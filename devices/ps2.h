/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ps2.h --- PS/2 keyboard and mouse device models (private to i8042.c)
 *
 * The devices behind the 8042's two ports: each has a command interpreter
 * and an output queue the controller drains one byte at a time.
 */
#ifndef DUALVM_DEVICES_PS2_H
#define DUALVM_DEVICES_PS2_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_QUEUE_SIZE	64
/*
 * Key data waiting in the keyboard: a real keyboard buffers 16 bytes and
 * drops what does not fit; with the byte in the controller's output
 * register that is at most 16 bytes of key data for the guest to read.
 * More makes Linux's i8042 flush (16 bytes at most) decide that there is
 * no controller, and the guest has no keyboard.  Command responses use the
 * whole queue.
 */
#define PS2_KBD_KEYBUF	15
#define PS2_ACK		0xfa
#define PS2_RESEND	0xfe
#define PS2_BAT_OK	0xaa

struct ps2_queue {
	uint8_t		buf[PS2_QUEUE_SIZE];	/* ring */
	unsigned int	head;		/* next to pop */
	unsigned int	count;		/* bytes queued, <= PS2_QUEUE_SIZE */
};

struct ps2_kbd {
	struct ps2_queue q;		/* bytes to the controller */
	bool		scanning;	/* key events are reported */
	uint8_t		set;		/* scan code set 1-3 (3 sends set 2) */
	uint8_t		param_for;	/* command awaiting a parameter, or 0 */
	uint8_t		leds;		/* ED parameter, bits 0-2 */
	uint8_t		typematic;	/* F3 parameter */
	uint8_t		last;		/* last byte sent, for FE resend */
};

struct ps2_mouse {
	struct ps2_queue q;		/* bytes to the controller */
	bool		reporting;	/* stream packets enabled (F4) */
	bool		remote;		/* remote mode (F0) */
	bool		wrap;		/* echo mode (EE) */
	bool		scale21;	/* 2:1 scaling (E7) */
	uint8_t		param_for;	/* command awaiting a parameter, or 0 */
	uint8_t		rate;		/* samples/s */
	uint8_t		res;		/* resolution code 0-3 */
	uint8_t		id;		/* 0 standard, 3 IntelliMouse wheel */
	uint8_t		rates[3];	/* last three rates (wheel unlock) */
	uint8_t		buttons;	/* I8042_BTN_* */
	int		dx, dy, dz;	/* motion not yet reported */
};

bool ps2_queue_pop(struct ps2_queue *q, uint8_t *b);
bool ps2_queue_push(struct ps2_queue *q, uint8_t b);

void ps2_kbd_reset(struct ps2_kbd *k);
void ps2_kbd_write(struct ps2_kbd *k, uint8_t val);
void ps2_kbd_key(struct ps2_kbd *k, unsigned int keycode, bool down);
/* Set 2 -> set 1 translation of one byte as the 8042 does it (no F0). */
uint8_t ps2_xlate(uint8_t set2);

void ps2_mouse_reset(struct ps2_mouse *m);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t val);
void ps2_mouse_event(struct ps2_mouse *m, int dx, int dy, int dz,
		     unsigned int buttons);

#endif
