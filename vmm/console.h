/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.h --- the host side of the guest's serial console (private)
 *
 * COM1 output goes to stdout or a file; stdin (when it is a TTY, in raw mode
 * with QEMU's escape key: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A) feeds
 * COM1 input.  The console also watches the output for the --until-serial
 * text, matching across chunk boundaries.  The terminal is restored by
 * console_destroy(), which every exit path of the run loop calls.
 */
#ifndef DUALVM_CONSOLE_H
#define DUALVM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;

/*
 * @serial "stdio" (or NULL) or a file path (created/truncated; no input).
 * @until: text to watch for, or NULL.  0 or -errno with a reason in @why.
 */
int console_create(const char *serial, const char *until,
		   struct console **out, char *why, size_t len);
/* Flush, restore the terminal, close.  NULL is fine. */
void console_destroy(struct console *c);

/* One byte the guest transmitted on COM1. */
void console_put(struct console *c, uint8_t byte);
/* Write buffered output out. */
void console_flush(struct console *c);
/* True once the --until-serial text has appeared. */
bool console_matched(const struct console *c);

/* Input fd to poll (-1: none). */
int console_input_fd(const struct console *c);
/*
 * Read available input into @buf (at most @n bytes, escape sequences
 * handled).  Returns bytes for the guest (0 if none); sets *@quit when the
 * user typed the quit escape; *@eof when input ended.
 */
size_t console_read(struct console *c, uint8_t *buf, size_t n, bool *quit,
		    bool *eof);

#endif
