// SPDX-License-Identifier: GPL-2.0-only
/*
 * display.c --- display helpers: text-screen diff, terminal keys, keymaps
 *
 * Pure functions shared by the display back ends (display_text.c, gui/)
 * and checked by tests/unit/vmm/test_display.c.  Keycodes follow hw/ui.h:
 * set-1 make codes, UI_KEY_EXT for E0-prefixed keys.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/display.h"

#define ESC		0x1b
#define SC_LSHIFT	0x2a
#define SC_LCTRL	0x1d
#define SC_LALT		0x38
#define SC_ESC		0x01
#define SC_BKSP		0x0e
#define SC_TAB		0x0f
#define SC_ENTER	0x1c
#define SC_SPACE	0x39
#define SC_F1		0x3b
#define SC_F11		0x57
#define SC_F12		0x58
#define SC_X(c)		(UI_KEY_EXT | (c))

/* One run of keys on the main block: first set-1 code, plain, shifted. */
struct key_row {
	unsigned int	first;		/* set-1 code of the first key */
	const char	*plain;		/* characters without Shift */
	const char	*shifted;	/* the same keys with Shift */
};

static const struct key_row key_rows[] = {
	{ 0x02, "1234567890-=", "!@#$%^&*()_+" },
	{ 0x10, "qwertyuiop[]", "QWERTYUIOP{}" },
	{ 0x1e, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
	{ 0x2b, "\\", "|" },
	{ 0x2c, "zxcvbnm,./", "ZXCVBNM<>?" },
	{ 0x39, " ", "" },
};

/* Set-1 code and Shift need of a printable ASCII character (0: none). */
static unsigned int ascii_key(uint8_t ch, unsigned int *mods)
{
	const char *p;
	size_t i;

	if (!ch)
		return 0;
	for (i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		p = strchr(key_rows[i].plain, ch);
		if (p)
			return key_rows[i].first + (unsigned int)(p - key_rows[i].plain);
		p = strchr(key_rows[i].shifted, ch);
		if (p) {
			*mods |= DISPLAY_MOD_SHIFT;
			return key_rows[i].first +
			       (unsigned int)(p - key_rows[i].shifted);
		}
	}
	return 0;
}

/* A single byte (no escape sequence): ASCII, control character, DEL. */
static unsigned int byte_key(uint8_t ch, unsigned int *mods)
{
	switch (ch) {
	case '\r':
	case '\n':
		return SC_ENTER;
	case '\t':
		return SC_TAB;
	case 0x7f:
	case 0x08:
		return SC_BKSP;
	case ESC:
		return SC_ESC;
	}
	if (ch >= 0x01 && ch <= 0x1a) {		/* Ctrl-A .. Ctrl-Z */
		*mods |= DISPLAY_MOD_CTRL;
		return ascii_key((uint8_t)(ch - 1 + 'a'), mods);
	}
	if (ch < 0x20 || ch > 0x7e)
		return 0;
	return ascii_key(ch, mods);
}

/* Final byte of "ESC [ ... X" / "ESC O X" to a key. */
static unsigned int csi_final_key(uint8_t f)
{
	switch (f) {
	case 'A': return SC_X(0x48);	/* up */
	case 'B': return SC_X(0x50);	/* down */
	case 'C': return SC_X(0x4d);	/* right */
	case 'D': return SC_X(0x4b);	/* left */
	case 'H': return SC_X(0x47);	/* home */
	case 'F': return SC_X(0x4f);	/* end */
	case 'P': return SC_F1;
	case 'Q': return SC_F1 + 1;
	case 'R': return SC_F1 + 2;
	case 'S': return SC_F1 + 3;
	case 'Z': return SC_TAB;	/* back-tab: Shift added by caller */
	}
	return 0;
}

/* "ESC [ n ~" to a key. */
static unsigned int csi_tilde_key(unsigned int n)
{
	static const unsigned int fkeys[] = {
		/* 11..24, with the historical gaps at 16 and 22 */
		SC_F1, SC_F1 + 1, SC_F1 + 2, SC_F1 + 3, SC_F1 + 4, 0,
		SC_F1 + 5, SC_F1 + 6, SC_F1 + 7, SC_F1 + 8, SC_F1 + 9, 0,
		SC_F11, SC_F12,
	};

	switch (n) {
	case 1: case 7: return SC_X(0x47);	/* home */
	case 2: return SC_X(0x52);		/* insert */
	case 3: return SC_X(0x53);		/* delete */
	case 4: case 8: return SC_X(0x4f);	/* end */
	case 5: return SC_X(0x49);		/* page up */
	case 6: return SC_X(0x51);		/* page down */
	}
	if (n >= 11 && n <= 24)
		return fkeys[n - 11];
	return 0;
}

/* xterm modifier parameter (1 + bits: 1 Shift, 2 Alt, 4 Ctrl). */
static unsigned int csi_mods(unsigned int m)
{
	unsigned int mods = 0;

	if (m < 2)
		return 0;
	m--;
	if (m & 1)
		mods |= DISPLAY_MOD_SHIFT;
	if (m & 2)
		mods |= DISPLAY_MOD_ALT;
	if (m & 4)
		mods |= DISPLAY_MOD_CTRL;
	return mods;
}

/* "ESC [" or "ESC O" sequence starting at buf[0] == ESC. */
static int decode_seq(const uint8_t *buf, size_t n, unsigned int *key,
		      unsigned int *mods)
{
	unsigned int p[2] = { 0, 0 }, np = 0;
	size_t i;

	if (n < 3)
		return -EAGAIN;
	if (buf[1] == 'O') {
		*key = csi_final_key(buf[2]);
		return 3;
	}
	for (i = 2; i < n && i < 16; i++) {
		uint8_t c = buf[i];

		if (c >= '0' && c <= '9') {
			if (np == 0)
				np = 1;
			if (p[np - 1] < 1000)
				p[np - 1] = p[np - 1] * 10 + (c - '0');
		} else if (c == ';') {
			if (np == 0)
				np = 1;
			if (np < 2)
				np++;
		} else if (c >= 0x40 && c <= 0x7e) {
			*mods |= csi_mods(p[1]);
			if (c == '~')
				*key = csi_tilde_key(p[0]);
			else
				*key = csi_final_key(c);
			if (c == 'Z')
				*mods |= DISPLAY_MOD_SHIFT;
			return (int)i + 1;
		} else {
			*key = 0;		/* not a sequence we know */
			return (int)i + 1;
		}
	}
	if (i >= 16) {
		*key = 0;
		return (int)i;
	}
	return -EAGAIN;
}

int display_term_key(const uint8_t *buf, size_t n, unsigned int *key,
		     unsigned int *mods)
{
	*key = 0;
	*mods = 0;
	if (!n)
		return 0;
	if (buf[0] != ESC || n == 1) {
		*key = byte_key(buf[0], mods);
		return 1;
	}
	if (buf[1] == '[' || buf[1] == 'O')
		return decode_seq(buf, n, key, mods);
	/* ESC x: Alt+x */
	*key = byte_key(buf[1], mods);
	*mods |= DISPLAY_MOD_ALT;
	return 2;
}

int display_text_diff(const char *prev, const char *cur, unsigned int cols,
		      unsigned int rows, bool cursor, unsigned int crow,
		      unsigned int ccol, char *out, size_t len)
{
	size_t pos = 0, line = (size_t)cols + 1;
	unsigned int r;
	int n;

	if (!len)
		return -ENOSPC;
	out[0] = 0;
	if (!prev) {
		n = snprintf(out, len, "\x1b[0m\x1b[H\x1b[2J");
		if (n < 0 || (size_t)n >= len)
			return -ENOSPC;
		pos = (size_t)n;
	}
	for (r = 0; r < rows; r++) {
		const char *c = cur + r * line;

		if (prev && !memcmp(prev + r * line, c, cols))
			continue;
		n = snprintf(out + pos, len - pos, "\x1b[%u;1H%.*s", r + 1,
			     (int)cols, c);
		if (n < 0 || (size_t)n >= len - pos)
			return -ENOSPC;
		pos += (size_t)n;
	}
	if (cursor)
		n = snprintf(out + pos, len - pos, "\x1b[%u;%uH\x1b[?25h",
			     crow + 1, ccol + 1);
	else
		n = snprintf(out + pos, len - pos, "\x1b[?25l");
	if (n < 0 || (size_t)n >= len - pos)
		return -ENOSPC;
	return (int)(pos + (size_t)n);
}

unsigned int display_evdev_to_set1(unsigned int code)
{
	/* evdev codes 1..83 and 86..88 were numbered after set 1 */
	if ((code >= 1 && code <= 83) || (code >= 86 && code <= 88))
		return code;
	switch (code) {
	case 96: return SC_X(0x1c);	/* keypad Enter */
	case 97: return SC_X(0x1d);	/* right Ctrl */
	case 98: return SC_X(0x35);	/* keypad / */
	case 99: return SC_X(0x37);	/* SysRq / Print Screen */
	case 100: return SC_X(0x38);	/* right Alt */
	case 102: return SC_X(0x47);	/* Home */
	case 103: return SC_X(0x48);	/* Up */
	case 104: return SC_X(0x49);	/* Page Up */
	case 105: return SC_X(0x4b);	/* Left */
	case 106: return SC_X(0x4d);	/* Right */
	case 107: return SC_X(0x4f);	/* End */
	case 108: return SC_X(0x50);	/* Down */
	case 109: return SC_X(0x51);	/* Page Down */
	case 110: return SC_X(0x52);	/* Insert */
	case 111: return SC_X(0x53);	/* Delete */
	case 119: return UI_KEY_PAUSE;
	case 125: return SC_X(0x5b);	/* left Windows */
	case 126: return SC_X(0x5c);	/* right Windows */
	case 127: return SC_X(0x5d);	/* Menu */
	}
	return 0;
}

/* Modifier keys in press order (released in reverse). */
static const struct {
	unsigned int	mod;		/* DISPLAY_MOD_* */
	unsigned int	code;		/* its left-hand key */
} mod_keys[] = {
	{ DISPLAY_MOD_CTRL, SC_LCTRL },
	{ DISPLAY_MOD_ALT, SC_LALT },
	{ DISPLAY_MOD_SHIFT, SC_LSHIFT },
};
#define NMOD_KEYS	(sizeof(mod_keys) / sizeof(mod_keys[0]))

void display_send_key(const struct input_sink *in, unsigned int key,
		      unsigned int mods)
{
	unsigned int i;

	if (!key)
		return;
	for (i = 0; i < NMOD_KEYS; i++)
		if (mods & mod_keys[i].mod)
			ui_key(in, mod_keys[i].code, true);
	ui_key(in, key, true);
	if (key != UI_KEY_PAUSE)	/* Pause has no break code */
		ui_key(in, key, false);
	for (i = NMOD_KEYS; i--;)
		if (mods & mod_keys[i].mod)
			ui_key(in, mod_keys[i].code, false);
}
