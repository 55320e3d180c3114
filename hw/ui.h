/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ui.h --- what a display shows and where its input goes (part of hw/hw.h)
 *
 * A display back end (vmm/display_text.c, gui/) never knows which adapter
 * draws the picture or which controller takes the keys: it reads a
 * framebuffer source and feeds an input sink, each a const ops table plus
 * the device behind it (the VGA implements fb_ops, the i8042 input_ops).
 * Keys are PC scan code set 1 make codes (0x01 Esc ... 0x58 F12); extended
 * keys add UI_KEY_EXT to the code that follows the 0xE0 prefix
 * (UI_KEY_EXT | 0x48 = cursor up); Pause is UI_KEY_PAUSE.  Every callback
 * runs on the run loop's thread (the vCPU is stopped).
 */
#ifndef DUALVM_HW_UI_H
#define DUALVM_HW_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_KEY_EXT	0x100	/* E0-prefixed key */
#define UI_KEY_PAUSE	0x200	/* the Pause key (E1 sequence) */
#define UI_KEY_MAX	0x400	/* every key code is below this */

#define UI_BTN_LEFT	0x1	/* mouse buttons (input_ops.mouse) */
#define UI_BTN_RIGHT	0x2
#define UI_BTN_MIDDLE	0x4

struct fb_ops {
	/*
	 * The text screen into @buf: *@rows lines of *@cols characters, each
	 * ended by '\n', then a NUL (non-printable characters become '.',
	 * NUL and space ' ').  0, -ENOTSUP in a graphics mode, -ENOSPC when
	 * @len is too small (nothing written).
	 */
	int	(*text)(void *fb, char *buf, size_t len, unsigned int *cols,
			unsigned int *rows);
	/* Text cursor position; false when the cursor is off. */
	bool	(*cursor)(void *fb, unsigned int *row, unsigned int *col);
	/*
	 * The picture as 0x00RRGGBB pixels, rows of @stride pixels, clipped
	 * to @max_w x @max_h; *@w x *@h is the mode's full size.  0, or
	 * -ENOTSUP for a mode it cannot draw (nothing written).
	 */
	int	(*render)(void *fb, uint32_t *pix, unsigned int stride,
			  unsigned int max_w, unsigned int max_h,
			  unsigned int *w, unsigned int *h);
};

/* A picture to show: @ops NULL when the machine has no display adapter. */
struct fb_source {
	const struct fb_ops	*ops;		/* the adapter's callbacks */
	void			*opaque;	/* the adapter */
};

struct input_ops {
	/* Key @keycode (set 1, UI_KEY_*) pressed (@down) or released. */
	void	(*key)(void *in, unsigned int keycode, bool down);
	/* Relative motion (@dx right, @dy up, @dz wheel) and the buttons
	 * now held (UI_BTN_*). */
	void	(*mouse)(void *in, int dx, int dy, int dz,
			 unsigned int buttons);
};

/* Where host input goes: @ops NULL when the machine has no keyboard. */
struct input_sink {
	const struct input_ops	*ops;		/* the controller's callbacks */
	void			*opaque;	/* the controller */
};

/* Deliver a key / mouse event to @in; no-ops on a sink without ops. */
static inline void ui_key(const struct input_sink *in, unsigned int keycode,
			  bool down)
{
	if (in && in->ops && in->ops->key)
		in->ops->key(in->opaque, keycode, down);
}

static inline void ui_mouse(const struct input_sink *in, int dx, int dy,
			    int dz, unsigned int buttons)
{
	if (in && in->ops && in->ops->mouse)
		in->ops->mouse(in->opaque, dx, dy, dz, buttons);
}

#endif
