// SPDX-License-Identifier: GPL-2.0-only
/* test_display.c --- vmm/display.c: the ANSI text-screen diff, the terminal
 * key decoder and the evdev to set-1 keymap */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/i8042.h"
#include "tests/unit/harness.h"
#include "vmm/display.h"

#define COLS	8
#define ROWS	3

/* A synthetic vga_text_snapshot() screen from three rows of text. */
static void mk_screen(char *s, const char *r0, const char *r1, const char *r2)
{
	const char *rows[ROWS] = { r0, r1, r2 };
	unsigned int i;

	for (i = 0; i < ROWS; i++) {
		memset(s + i * (COLS + 1), ' ', COLS);
		memcpy(s + i * (COLS + 1), rows[i], strlen(rows[i]));
		s[i * (COLS + 1) + COLS] = '\n';
	}
	s[ROWS * (COLS + 1)] = 0;
}

static void test_diff_full_redraw(void)
{
	char cur[ROWS * (COLS + 1) + 1], out[512];
	int n;

	mk_screen(cur, "SeaBIOS", "", "boot:");
	n = display_text_diff(NULL, cur, COLS, ROWS, true, 2, 5, out,
			      sizeof(out));
	T_ASSERT(n > 0);
	T_EQ((size_t)n, strlen(out));
	T_ASSERT(strcmp(out, "\x1b[0m\x1b[H\x1b[2J"
			     "\x1b[1;1HSeaBIOS "
			     "\x1b[2;1H        "
			     "\x1b[3;1Hboot:   "
			     "\x1b[3;6H\x1b[?25h") == 0);
}

static void test_diff_changed_rows_only(void)
{
	char prev[ROWS * (COLS + 1) + 1], cur[ROWS * (COLS + 1) + 1];
	char out[512];
	int n;

	mk_screen(prev, "SeaBIOS", "", "boot:");
	mk_screen(cur, "SeaBIOS", "", "boot: l");
	n = display_text_diff(prev, cur, COLS, ROWS, false, 0, 0, out,
			      sizeof(out));
	T_ASSERT(n > 0);
	T_ASSERT(strcmp(out, "\x1b[3;1Hboot: l \x1b[?25l") == 0);
	/* nothing changed: only the cursor state */
	n = display_text_diff(cur, cur, COLS, ROWS, true, 0, 7, out,
			      sizeof(out));
	T_ASSERT(strcmp(out, "\x1b[1;8H\x1b[?25h") == 0);
	/* too small a buffer: -ENOSPC, never a partial row */
	T_EQ(display_text_diff(NULL, cur, COLS, ROWS, true, 0, 0, out, 20),
	     (unsigned long long)-ENOSPC);
}

static void key(const char *in, unsigned int want_key, unsigned int want_mods,
		int want_len)
{
	unsigned int k = 0xdead, m = 0xdead;
	int n = display_term_key((const uint8_t *)in, strlen(in), &k, &m);

	if (n != want_len || k != want_key || m != want_mods)
		t_fail(__FILE__, __LINE__,
		       "input \"%s\": len %d key 0x%x mods %u, want %d 0x%x %u",
		       in, n, k, m, want_len, want_key, want_mods);
}

static void test_term_keys(void)
{
	key("a", 0x1e, 0, 1);
	key("A", 0x1e, DISPLAY_MOD_SHIFT, 1);
	key("1", 0x02, 0, 1);
	key("!", 0x02, DISPLAY_MOD_SHIFT, 1);
	key("/", 0x35, 0, 1);
	key("?", 0x35, DISPLAY_MOD_SHIFT, 1);
	key("~", 0x29, DISPLAY_MOD_SHIFT, 1);
	key("\\", 0x2b, 0, 1);
	key(" ", 0x39, 0, 1);
	key("\r", 0x1c, 0, 1);
	key("\t", 0x0f, 0, 1);
	key("\x7f", 0x0e, 0, 1);
	key("\x1b", 0x01, 0, 1);		/* lone Esc */
	key("\x03", 0x2e, DISPLAY_MOD_CTRL, 1);	/* Ctrl-C */
	key("\x1b[A", I8042_KEY_EXT | 0x48, 0, 3);
	key("\x1b[D", I8042_KEY_EXT | 0x4b, 0, 3);
	key("\x1bOB", I8042_KEY_EXT | 0x50, 0, 3);
	key("\x1b[3~", I8042_KEY_EXT | 0x53, 0, 4);
	key("\x1b[6~", I8042_KEY_EXT | 0x51, 0, 4);
	key("\x1b[24~", 0x58, 0, 5);		/* F12 */
	key("\x1bOP", 0x3b, 0, 3);		/* F1 */
	key("\x1b[1;5C", I8042_KEY_EXT | 0x4d, DISPLAY_MOD_CTRL, 6);
	key("\x1bx", 0x2d, DISPLAY_MOD_ALT, 2);	/* Alt-x */
	key("\x1b[", 0, 0, -EAGAIN);		/* incomplete */
	key("\x1b[1;", 0, 0, -EAGAIN);
	key("\x80", 0, 0, 1);			/* no such key */
	key("ab", 0x1e, 0, 1);			/* one key at a time */
}

static void test_evdev_map(void)
{
	T_EQ(display_evdev_to_set1(1), 0x01);		/* KEY_ESC */
	T_EQ(display_evdev_to_set1(30), 0x1e);		/* KEY_A */
	T_EQ(display_evdev_to_set1(28), 0x1c);		/* KEY_ENTER */
	T_EQ(display_evdev_to_set1(88), 0x58);		/* KEY_F12 */
	T_EQ(display_evdev_to_set1(103), I8042_KEY_EXT | 0x48);	/* KEY_UP */
	T_EQ(display_evdev_to_set1(97), I8042_KEY_EXT | 0x1d);	/* RCTRL */
	T_EQ(display_evdev_to_set1(111), I8042_KEY_EXT | 0x53);	/* DELETE */
	T_EQ(display_evdev_to_set1(119), I8042_KEY_PAUSE);
	T_EQ(display_evdev_to_set1(0), 0);
	T_EQ(display_evdev_to_set1(84), 0);
	T_EQ(display_evdev_to_set1(240), 0);
	T_EQ(display_evdev_to_set1(100000), 0);
}

static const struct t_case cases[] = {
	T_CASE(test_diff_full_redraw),
	T_CASE(test_diff_changed_rows_only),
	T_CASE(test_term_keys),
	T_CASE(test_evdev_map),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
