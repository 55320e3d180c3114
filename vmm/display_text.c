// SPDX-License-Identifier: GPL-2.0-only
/*
 * display_text.c --- the VGA text screen on the host terminal
 *
 * `dualvm run --display text --serial PATH`: the 80x25 (or whatever the
 * mode has) text screen is drawn on stdout with ANSI escapes, only the rows
 * that changed since the last refresh; stdin in raw mode is the guest's
 * keyboard (set-1 scancodes into the machine's input sink).  Ctrl-A x quits,
 * Ctrl-A Ctrl-A sends Ctrl-A.  The terminal (modes, cursor, attributes) is
 * restored by close(), which the run loop calls on every exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/display.h"

#define DT_SCREEN	(132 * 60 + 60 + 1)	/* largest text screen */
#define DT_OUT		(DT_SCREEN * 2 + 4096)
#define DT_ESC		0x01			/* Ctrl-A */

struct dtext {
	struct termios	saved;		/* terminal settings to restore */
	int		flags;		/* stdin's original file flags */
	char		prev[DT_SCREEN];	/* last screen drawn */
	bool		have_prev;	/* prev[] is valid */
	unsigned int	cols, rows;	/* its geometry */
	bool		graphics;	/* "graphics mode" note shown */
	bool		cursor;		/* last cursor state */
	unsigned int	crow, ccol;	/* last cursor position */
	uint8_t		in[64];		/* undecoded input */
	size_t		nin;		/* bytes in in[] */
	bool		esc;		/* last byte was Ctrl-A */
	char		out[DT_OUT];	/* escape output */
};

static void dtext_write(const char *s, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(STDOUT_FILENO, s, n);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static int dtext_open(const struct display_cfg *cfg, void **out, char *why,
		      size_t len)
{
	struct termios raw;
	struct dtext *d;

	*out = NULL;
	if (cfg->serial_stdio) {
		snprintf(why, len, "--display text needs the serial console off the terminal (--serial PATH)");
		return -EINVAL;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(why, len, "--display text needs a terminal on stdin and stdout");
		return -ENOTTY;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (tcgetattr(STDIN_FILENO, &d->saved)) {
		snprintf(why, len, "tcgetattr: %s", strerror(errno));
		free(d);
		return -ENOTTY;
	}
	raw = d->saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
		snprintf(why, len, "tcsetattr: %s", strerror(errno));
		free(d);
		return -ENOTTY;
	}
	d->flags = fcntl(STDIN_FILENO, F_GETFL);
	if (d->flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, d->flags | O_NONBLOCK);
	dtext_write("\x1b[0m\x1b[H\x1b[2J", 11);
	*out = d;
	return 0;
}

static void dtext_refresh(void *opaque, const struct fb_source *fb)
{
	struct dtext *d = opaque;
	char cur[DT_SCREEN];
	unsigned int cols, rows, crow = 0, ccol = 0;
	bool cursor;
	int n;

	if (!fb->ops)
		return;
	if (fb->ops->text(fb->opaque, cur, sizeof(cur), &cols, &rows)) {
		if (!d->graphics) {
			static const char note[] =
				"\x1b[0m\x1b[H\x1b[2J[dualvm: the guest is in a graphics mode]";

			dtext_write(note, sizeof(note) - 1);
			d->graphics = true;
			d->have_prev = false;
		}
		return;
	}
	d->graphics = false;
	cursor = fb->ops->cursor(fb->opaque, &crow, &ccol);
	if (d->have_prev && (cols != d->cols || rows != d->rows))
		d->have_prev = false;
	if (d->have_prev && cursor == d->cursor && crow == d->crow &&
	    ccol == d->ccol && !memcmp(d->prev, cur, (size_t)rows * (cols + 1)))
		return;
	n = display_text_diff(d->have_prev ? d->prev : NULL, cur, cols, rows,
			      cursor, crow, ccol, d->out, sizeof(d->out));
	if (n > 0)
		dtext_write(d->out, (size_t)n);
	memcpy(d->prev, cur, (size_t)rows * (cols + 1));
	d->have_prev = true;
	d->cols = cols;
	d->rows = rows;
	d->cursor = cursor;
	d->crow = crow;
	d->ccol = ccol;
}

static bool dtext_poll(void *opaque, const struct input_sink *in)
{
	struct dtext *d = opaque;
	unsigned int key, mods;
	ssize_t r;
	size_t i = 0;
	int n;

	if (d->nin < sizeof(d->in)) {
		r = read(STDIN_FILENO, d->in + d->nin, sizeof(d->in) - d->nin);
		if (r > 0)
			d->nin += (size_t)r;
	}
	while (i < d->nin) {
		uint8_t c = d->in[i];

		if (d->esc) {
			d->esc = false;
			i++;
			if (c == 'x' || c == 'X')
				return true;
			if (c == DT_ESC)
				display_send_key(in, 0x1e, DISPLAY_MOD_CTRL);
			continue;
		}
		if (c == DT_ESC) {
			d->esc = true;
			i++;
			continue;
		}
		n = display_term_key(d->in + i, d->nin - i, &key, &mods);
		if (n == -EAGAIN) {
			/* a lone ESC at the end of a read is the Esc key */
			if (d->nin - i >= sizeof(d->in) / 2)
				n = 1;
			else
				break;
		}
		if (n <= 0)
			n = 1;
		display_send_key(in, key, mods);
		i += (size_t)n;
	}
	memmove(d->in, d->in + i, d->nin - i);
	d->nin -= i;
	return false;
}

static void dtext_close(void *opaque)
{
	struct dtext *d = opaque;
	char tail[32];
	int n;

	if (!d)
		return;
	n = snprintf(tail, sizeof(tail), "\x1b[0m\x1b[?25h\x1b[%u;1H\r\n",
		     d->rows ? d->rows : 25);
	if (n > 0)
		dtext_write(tail, (size_t)n);
	if (d->flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, d->flags);
	tcsetattr(STDIN_FILENO, TCSANOW, &d->saved);
	free(d);
}

const struct display_ops display_text_ops = {
	.name = "text",
	.open = dtext_open,
	.refresh = dtext_refresh,
	.poll = dtext_poll,
	.close = dtext_close,
};
