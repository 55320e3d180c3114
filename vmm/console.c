// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.c --- serial console on the host terminal or a file
 *
 * Output is buffered and written once per run-loop iteration (a guest that
 * prints a byte per OUT must not cost a write(2) per byte).  Raw mode keeps
 * ISIG off, so Ctrl-C reaches the guest as on a serial line; Ctrl-A x is
 * the way out, as in QEMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/console.h"

#define CON_BUF		4096
#define CON_ESC		0x01	/* Ctrl-A */
#define CON_MATCH_MAX	256

struct console {
	int		out_fd;		/* stdout or the --serial file */
	bool		own_out;	/* close out_fd at the end */
	int		in_fd;		/* stdin, or -1 */
	bool		tty;		/* in_fd is a terminal in raw mode */
	struct termios	saved;		/* terminal settings to restore */
	bool		esc;		/* last input byte was Ctrl-A */
	uint8_t		buf[CON_BUF];	/* pending output */
	size_t		nbuf;		/* bytes in buf */
	char		until[CON_MATCH_MAX];	/* text to watch for */
	size_t		ulen;		/* its length; 0: none */
	char		win[CON_MATCH_MAX];	/* last ulen output bytes */
	size_t		nwin;		/* bytes in win */
	bool		matched;	/* until text seen */
};

int console_create(const char *serial, const char *until,
		   struct console **out, char *why, size_t len)
{
	struct console *c;
	struct termios raw;

	*out = NULL;
	if (until && strlen(until) >= CON_MATCH_MAX) {
		snprintf(why, len, "--until-serial text longer than %d bytes",
			 CON_MATCH_MAX - 1);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->in_fd = -1;
	if (until) {
		c->ulen = strlen(until);
		memcpy(c->until, until, c->ulen);
	}
	if (!serial || !strcmp(serial, "stdio")) {
		c->out_fd = STDOUT_FILENO;
		c->in_fd = STDIN_FILENO;
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
			raw = c->saved;
			cfmakeraw(&raw);
			raw.c_oflag |= OPOST | ONLCR;	/* keep host newlines */
			if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
				c->tty = true;
		}
	} else {
		c->out_fd = open(serial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				 0644);
		if (c->out_fd < 0) {
			snprintf(why, len, "--serial %s: %s", serial,
				 strerror(errno));
			free(c);
			return -errno;
		}
		c->own_out = true;
	}
	*out = c;
	return 0;
}

void console_flush(struct console *c)
{
	size_t off = 0;
	ssize_t n;

	while (off < c->nbuf) {
		n = write(c->out_fd, c->buf + off, c->nbuf - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* output gone: drop it */
		off += (size_t)n;
	}
	c->nbuf = 0;
}

void console_destroy(struct console *c)
{
	if (!c)
		return;
	console_flush(c);
	if (c->tty)
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
	if (c->own_out)
		close(c->out_fd);
	free(c);
}

void console_put(struct console *c, uint8_t byte)
{
	if (c->nbuf == CON_BUF)
		console_flush(c);
	c->buf[c->nbuf++] = byte;
	if (!c->ulen || c->matched)
		return;
	if (c->nwin == c->ulen) {
		memmove(c->win, c->win + 1, c->ulen - 1);
		c->nwin--;
	}
	c->win[c->nwin++] = (char)byte;
	if (c->nwin == c->ulen && !memcmp(c->win, c->until, c->ulen))
		c->matched = true;
}

bool console_matched(const struct console *c)
{
	return c->matched;
}

int console_input_fd(const struct console *c)
{
	return c->in_fd;
}

size_t console_read(struct console *c, uint8_t *buf, size_t n, bool *quit,
		    bool *eof)
{
	uint8_t in[256];
	size_t i, o = 0;
	ssize_t r;

	*quit = *eof = false;
	if (c->in_fd < 0)
		return 0;
	if (n > sizeof(in))
		n = sizeof(in);
	r = read(c->in_fd, in, n);
	if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
		*eof = true;
		return 0;
	}
	for (i = 0; r > 0 && i < (size_t)r; i++) {
		if (c->tty && c->esc) {
			c->esc = false;
			if (in[i] == 'x' || in[i] == 'X') {
				*quit = true;
				return o;
			}
			if (in[i] == CON_ESC)
				buf[o++] = CON_ESC;
			continue;
		}
		if (c->tty && in[i] == CON_ESC) {
			c->esc = true;
			continue;
		}
		buf[o++] = in[i];
	}
	return o;
}
