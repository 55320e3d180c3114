/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * display.h --- how the run loop shows the VGA screen and takes keys
 *
 * A display back end is a const struct display_ops.  The run loop (vm.c)
 * opens it when vm_run() starts, calls refresh() about 30 times a second
 * of host time with the machine's framebuffer source and poll() every few
 * milliseconds with its input sink (hw/ui.h: no back end knows a device),
 * and closes it on every exit path.  Everything runs on the run loop's
 * thread, so back ends touch the machine only from inside these calls.
 * Two back ends exist: display_text_ops (the 80x25 text screen on the
 * terminal, in vmm/) and the GTK window (gui/, handed in by the CLI so
 * that libvmm never depends on GTK).
 *
 * The pure helpers below (text renderer, terminal key decoder, evdev to
 * set-1 table) are exported for the back ends and the unit tests.
 */
#ifndef DUALVM_DISPLAY_H
#define DUALVM_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

#define DISPLAY_REFRESH_NS	33000000ULL	/* ~30 Hz of host time */

struct display_cfg {
	const char	*title;		/* window title, e.g. "dualvm — disk" */
	bool		serial_stdio;	/* COM1 owns the terminal */
};

struct display_ops {
	const char	*name;		/* "text", "gtk" */
	/* Start showing: 0 or -errno with one line in @why. */
	int	(*open)(const struct display_cfg *cfg, void **out, char *why,
			size_t len);
	/* Redraw from @fb if it changed (cheap when nothing did). */
	void	(*refresh)(void *d, const struct fb_source *fb);
	/* Deliver pending host input to @in; true when the user quits. */
	bool	(*poll)(void *d, const struct input_sink *in);
	/* Stop showing, restore the terminal, free.  NULL is fine. */
	void	(*close)(void *d);
};

/* The terminal back end (needs stdin and stdout to be terminals). */
extern const struct display_ops display_text_ops;

/*
 * Text renderer: emit into @out (at most @len bytes, NUL-terminated) the
 * ANSI escapes that turn the screen @prev into @cur (both in the
 * fb_ops.text layout: @rows lines of @cols characters, each ended by
 * '\n'); only rows that differ are written, each as "ESC[<row>;1H" followed
 * by the row's text.  @prev NULL redraws everything (after a clear).  The
 * cursor is then placed at @crow/@ccol (1-based on the wire) when @cursor.
 * Returns the length written, or -ENOSPC when @out is too small.
 */
int display_text_diff(const char *prev, const char *cur, unsigned int cols,
		      unsigned int rows, bool cursor, unsigned int crow,
		      unsigned int ccol, char *out, size_t len);

/* Modifier bits of a decoded terminal key. */
#define DISPLAY_MOD_SHIFT	0x1
#define DISPLAY_MOD_CTRL	0x2
#define DISPLAY_MOD_ALT		0x4

/*
 * Decode the first key in terminal input @buf (@n bytes): an ASCII byte, a
 * control character or an escape sequence (arrows, Home/End, PgUp/PgDn,
 * Insert/Delete, F1-F4).  Sets *@key to the set-1 keycode (UI_KEY_*
 * form) and *@mods to DISPLAY_MOD_*.  Returns the bytes consumed (>= 1), 0
 * when @n is 0, or -EAGAIN when @buf ends inside an escape sequence.  A
 * byte with no key consumes 1 byte and sets *@key to 0.
 */
int display_term_key(const uint8_t *buf, size_t n, unsigned int *key,
		     unsigned int *mods);

/*
 * Set-1 keycode (UI_KEY_* form) of Linux evdev key @code (the X/GDK
 * hardware keycode minus 8), or 0 for keys the PC keyboard lacks.
 */
unsigned int display_evdev_to_set1(unsigned int code);

/* Press (and release) @key with modifiers @mods as a typist would. */
void display_send_key(const struct input_sink *in, unsigned int key,
		      unsigned int mods);

#endif
