// SPDX-License-Identifier: GPL-2.0-only
/*
 * ps2.c --- PS/2 keyboard and mouse as seen by the 8042
 *
 * The keyboard (IBM PS/2 Keyboard Technical Reference) reports keys in scan
 * code set 2 (set 1 when selected with F0 01) and implements the host
 * commands FF reset, FE resend, F6/F5/F4 defaults/disable/enable, F3
 * typematic, F2 identify (AB 83), F0 scan code set, EE echo and ED LEDs.
 * The mouse (IBM PS/2 mouse protocol) implements FF reset, F6/F5/F4, F3
 * sample rate with the IntelliMouse 200-100-80 wheel unlock (ID 3), F2
 * identify, F0 remote / EA stream, EB read data, E9 status, E8 resolution,
 * E6/E7 scaling and EE/EC wrap mode, with 3- or 4-byte movement packets.
 */
#include <string.h>

#include "devices/i8042.h"
#include "devices/ps2.h"

/* Set 1 make code -> set 2 make code for the non-extended keys. */
static const uint8_t ps2_set2[0x59] = {
	[0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1e, [0x04] = 0x26,
	[0x05] = 0x25, [0x06] = 0x2e, [0x07] = 0x36, [0x08] = 0x3d,
	[0x09] = 0x3e, [0x0a] = 0x46, [0x0b] = 0x45, [0x0c] = 0x4e,
	[0x0d] = 0x55, [0x0e] = 0x66, [0x0f] = 0x0d, [0x10] = 0x15,
	[0x11] = 0x1d, [0x12] = 0x24, [0x13] = 0x2d, [0x14] = 0x2c,
	[0x15] = 0x35, [0x16] = 0x3c, [0x17] = 0x43, [0x18] = 0x44,
	[0x19] = 0x4d, [0x1a] = 0x54, [0x1b] = 0x5b, [0x1c] = 0x5a,
	[0x1d] = 0x14, [0x1e] = 0x1c, [0x1f] = 0x1b, [0x20] = 0x23,
	[0x21] = 0x2b, [0x22] = 0x34, [0x23] = 0x33, [0x24] = 0x3b,
	[0x25] = 0x42, [0x26] = 0x4b, [0x27] = 0x4c, [0x28] = 0x52,
	[0x29] = 0x0e, [0x2a] = 0x12, [0x2b] = 0x5d, [0x2c] = 0x1a,
	[0x2d] = 0x22, [0x2e] = 0x21, [0x2f] = 0x2a, [0x30] = 0x32,
	[0x31] = 0x31, [0x32] = 0x3a, [0x33] = 0x41, [0x34] = 0x49,
	[0x35] = 0x4a, [0x36] = 0x59, [0x37] = 0x7c, [0x38] = 0x11,
	[0x39] = 0x29, [0x3a] = 0x58, [0x3b] = 0x05, [0x3c] = 0x06,
	[0x3d] = 0x04, [0x3e] = 0x0c, [0x3f] = 0x03, [0x40] = 0x0b,
	[0x41] = 0x83, [0x42] = 0x0a, [0x43] = 0x01, [0x44] = 0x09,
	[0x45] = 0x77, [0x46] = 0x7e, [0x47] = 0x6c, [0x48] = 0x75,
	[0x49] = 0x7d, [0x4a] = 0x7b, [0x4b] = 0x6b, [0x4c] = 0x73,
	[0x4d] = 0x74, [0x4e] = 0x79, [0x4f] = 0x69, [0x50] = 0x72,
	[0x51] = 0x7a, [0x52] = 0x70, [0x53] = 0x71, [0x54] = 0x84,
	[0x56] = 0x61, [0x57] = 0x78, [0x58] = 0x07,
};

/* Extended (E0-prefixed) keys: set 1 code -> set 2 code, both after E0. */
static const uint8_t ps2_ext[][2] = {
	{ 0x1c, 0x5a }, { 0x1d, 0x14 }, { 0x35, 0x4a }, { 0x37, 0x7c },
	{ 0x38, 0x11 }, { 0x47, 0x6c }, { 0x48, 0x75 }, { 0x49, 0x7d },
	{ 0x4b, 0x6b }, { 0x4d, 0x74 }, { 0x4f, 0x69 }, { 0x50, 0x72 },
	{ 0x51, 0x7a }, { 0x52, 0x70 }, { 0x53, 0x71 }, { 0x5b, 0x1f },
	{ 0x5c, 0x27 }, { 0x5d, 0x2f },
};

bool ps2_queue_push(struct ps2_queue *q, uint8_t b)
{
	if (q->count >= PS2_QUEUE_SIZE)
		return false;
	q->buf[(q->head + q->count) % PS2_QUEUE_SIZE] = b;
	q->count++;
	return true;
}

bool ps2_queue_pop(struct ps2_queue *q, uint8_t *b)
{
	if (!q->count)
		return false;
	*b = q->buf[q->head];
	q->head = (q->head + 1) % PS2_QUEUE_SIZE;
	q->count--;
	return true;
}

static void queue_clear(struct ps2_queue *q)
{
	q->head = 0;
	q->count = 0;
}

static unsigned int queue_room(const struct ps2_queue *q)
{
	return PS2_QUEUE_SIZE - q->count;
}

/* Room for @n more bytes of key data (PS2_KBD_KEYBUF). */
static bool key_room(const struct ps2_kbd *k, unsigned int n)
{
	return k->q.count + n <= PS2_KBD_KEYBUF;
}

uint8_t ps2_xlate(uint8_t set2)
{
	for (unsigned int i = 1; i < sizeof(ps2_set2); i++)
		if (ps2_set2[i] == set2)
			return (uint8_t)i;
	for (unsigned int i = 0; i < sizeof(ps2_ext) / sizeof(ps2_ext[0]); i++)
		if (ps2_ext[i][1] == set2)
			return ps2_ext[i][0];
	return set2;
}

static void kbd_send(struct ps2_kbd *k, uint8_t b)
{
	if (ps2_queue_push(&k->q, b))
		k->last = b;
}

static void kbd_defaults(struct ps2_kbd *k)
{
	k->set = 2;
	k->typematic = 0x2b;
	k->param_for = 0;
}

void ps2_kbd_reset(struct ps2_kbd *k)
{
	memset(k, 0, sizeof(*k));
	kbd_defaults(k);
	k->scanning = true;
}

static void kbd_param(struct ps2_kbd *k, uint8_t cmd, uint8_t val)
{
	switch (cmd) {
	case 0xed:
		k->leds = val & 7;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf3:
		k->typematic = val & 0x7f;
		kbd_send(k, PS2_ACK);
		break;
	default:	/* 0xf0 */
		kbd_send(k, PS2_ACK);
		if (val == 0)
			kbd_send(k, k->set);
		else if (val <= 3)
			k->set = val;
		break;
	}
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t val)
{
	if (k->param_for && val < 0xed) {
		uint8_t cmd = k->param_for;

		k->param_for = 0;
		kbd_param(k, cmd, val);
		return;
	}
	k->param_for = 0;
	switch (val) {
	case 0xff:
		queue_clear(&k->q);
		kbd_defaults(k);
		k->scanning = true;
		kbd_send(k, PS2_ACK);
		kbd_send(k, PS2_BAT_OK);
		break;
	case 0xfe:
		ps2_queue_push(&k->q, k->last);
		break;
	case 0xf6:
		kbd_defaults(k);
		k->scanning = true;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf5:
		kbd_defaults(k);
		k->scanning = false;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf4:
		k->scanning = true;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf2:
		kbd_send(k, PS2_ACK);
		kbd_send(k, 0xab);
		kbd_send(k, 0x83);
		break;
	case 0xee:
		kbd_send(k, 0xee);
		break;
	case 0xed:
	case 0xf0:
	case 0xf3:
		k->param_for = val;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb:
	case 0xfc: case 0xfd:	/* set 3 key types: accepted, no effect */
		kbd_send(k, PS2_ACK);
		break;
	default:
		kbd_send(k, PS2_RESEND);
		break;
	}
}

static uint8_t kbd_set2_code(unsigned int keycode)
{
	unsigned int code = keycode & 0xff;

	if (!(keycode & I8042_KEY_EXT))
		return code < sizeof(ps2_set2) ? ps2_set2[code] : 0;
	for (unsigned int i = 0; i < sizeof(ps2_ext) / sizeof(ps2_ext[0]); i++)
		if (ps2_ext[i][0] == code)
			return ps2_ext[i][1];
	return 0;
}

static void kbd_pause(struct ps2_kbd *k)
{
	static const uint8_t set1[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
	static const uint8_t set2[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14,
					0xf0, 0x77 };
	const uint8_t *seq = k->set == 1 ? set1 : set2;
	unsigned int n = k->set == 1 ? sizeof(set1) : sizeof(set2);

	if (!key_room(k, n))
		return;
	for (unsigned int i = 0; i < n; i++)
		kbd_send(k, seq[i]);
}

void ps2_kbd_key(struct ps2_kbd *k, unsigned int keycode, bool down)
{
	bool ext = keycode & I8042_KEY_EXT;
	uint8_t code;

	if (!k->scanning)
		return;
	if (keycode & I8042_KEY_PAUSE) {
		if (down)
			kbd_pause(k);
		return;
	}
	if (!key_room(k, 3))
		return;
	if (k->set == 1) {
		code = keycode & 0x7f;
		if (!code || !kbd_set2_code(keycode))
			return;
		if (ext)
			kbd_send(k, 0xe0);
		kbd_send(k, down ? code : code | 0x80);
		return;
	}
	code = kbd_set2_code(keycode);
	if (!code)
		return;
	if (ext)
		kbd_send(k, 0xe0);
	if (!down)
		kbd_send(k, 0xf0);
	kbd_send(k, code);
}

static void mouse_defaults(struct ps2_mouse *m)
{
	m->rate = 100;
	m->res = 2;
	m->scale21 = false;
	m->reporting = false;
	m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_reset(struct ps2_mouse *m)
{
	memset(m, 0, sizeof(*m));
	mouse_defaults(m);
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Queue one movement packet from the accumulated motion. */
static void mouse_packet(struct ps2_mouse *m)
{
	unsigned int len = m->id == 3 ? 4 : 3;
	int dx = clamp(m->dx, -256, 255), dy = clamp(m->dy, -256, 255);
	int dz = clamp(m->dz, -8, 7);
	uint8_t b0 = 0x08 | (m->buttons & 7);

	if (queue_room(&m->q) < len)
		return;
	if (m->dx < -256 || m->dx > 255)
		b0 |= 0x40;
	if (m->dy < -256 || m->dy > 255)
		b0 |= 0x80;
	if (dx < 0)
		b0 |= 0x10;
	if (dy < 0)
		b0 |= 0x20;
	ps2_queue_push(&m->q, b0);
	ps2_queue_push(&m->q, (uint8_t)dx);
	ps2_queue_push(&m->q, (uint8_t)dy);
	if (len == 4)
		ps2_queue_push(&m->q, (uint8_t)dz);
	m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_event(struct ps2_mouse *m, int dx, int dy, int dz,
		     unsigned int buttons)
{
	m->dx = clamp(m->dx + clamp(dx, -4096, 4096), -4096, 4096);
	m->dy = clamp(m->dy + clamp(dy, -4096, 4096), -4096, 4096);
	m->dz = clamp(m->dz + clamp(dz, -64, 64), -64, 64);
	m->buttons = (uint8_t)(buttons & 7);
	if (m->reporting && !m->remote && !m->wrap)
		mouse_packet(m);
}

static void mouse_param(struct ps2_mouse *m, uint8_t cmd, uint8_t val)
{
	ps2_queue_push(&m->q, PS2_ACK);
	if (cmd == 0xe8) {
		m->res = val & 3;
		return;
	}
	m->rate = val;	/* 0xf3 */
	m->rates[0] = m->rates[1];
	m->rates[1] = m->rates[2];
	m->rates[2] = val;
	if (m->rates[0] == 200 && m->rates[1] == 100 && m->rates[2] == 80)
		m->id = 3;
}

static void mouse_status(struct ps2_mouse *m)
{
	uint8_t st = 0;

	if (m->remote)
		st |= 0x40;
	if (m->reporting)
		st |= 0x20;
	if (m->scale21)
		st |= 0x10;
	if (m->buttons & I8042_BTN_LEFT)
		st |= 0x04;
	if (m->buttons & I8042_BTN_MIDDLE)
		st |= 0x02;
	if (m->buttons & I8042_BTN_RIGHT)
		st |= 0x01;
	ps2_queue_push(&m->q, PS2_ACK);
	ps2_queue_push(&m->q, st);
	ps2_queue_push(&m->q, m->res);
	ps2_queue_push(&m->q, m->rate);
}

static void mouse_command(struct ps2_mouse *m, uint8_t val)
{
	switch (val) {
	case 0xff:
		ps2_mouse_reset(m);
		ps2_queue_push(&m->q, PS2_ACK);
		ps2_queue_push(&m->q, PS2_BAT_OK);
		ps2_queue_push(&m->q, 0x00);
		return;
	case 0xf6:
		mouse_defaults(m);
		break;
	case 0xf5:
		m->reporting = false;
		break;
	case 0xf4:	/* enable reporting, reset the movement counters */
		m->reporting = true;
		m->dx = m->dy = m->dz = 0;
		break;
	case 0xf3:
	case 0xe8:
		m->param_for = val;
		break;
	case 0xf2:
		ps2_queue_push(&m->q, PS2_ACK);
		ps2_queue_push(&m->q, m->id);
		return;
	case 0xf0:
		m->remote = true;
		break;
	case 0xea:
		m->remote = false;
		break;
	case 0xeb:
		ps2_queue_push(&m->q, PS2_ACK);
		mouse_packet(m);
		return;
	case 0xe9:
		mouse_status(m);
		return;
	case 0xe7:
	case 0xe6:
		m->scale21 = val == 0xe7;
		break;
	case 0xee:
		m->wrap = true;
		break;
	case 0xec:
		m->wrap = false;
		break;
	default:
		ps2_queue_push(&m->q, PS2_RESEND);
		return;
	}
	ps2_queue_push(&m->q, PS2_ACK);
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t val)
{
	if (m->param_for) {
		uint8_t cmd = m->param_for;

		m->param_for = 0;
		mouse_param(m, cmd, val);
		return;
	}
	if (m->wrap && val != 0xec && val != 0xff) {
		ps2_queue_push(&m->q, val);
		return;
	}
	mouse_command(m, val);
}
