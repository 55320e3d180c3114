/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * app.h --- what dualvm-gtk's windows share with main.c (the one
 * GtkApplication): its main window, the dualvm binary it runs as a
 * child, the status bar, the library sidebar.  Everything runs on the
 * GTK main thread.
 */
#ifndef DUALVM_GTK_APP_H
#define DUALVM_GTK_APP_H

#include <stdbool.h>

#include <gtk/gtk.h>

GtkWindow *app_window(void);		/* the main window */
const char *app_dualvm(void);		/* the dualvm binary to run */
const char *app_selected(void);		/* the selected VM, or NULL */
void app_status(const char *text);	/* the status bar's text */
void app_refresh(void);			/* re-read the library */
void app_select(const char *name);	/* select a VM in the sidebar */

/* Save @w's window as the X server shows it to the PNG @path (test logs,
 * bug reports); false with the reason in @why. */
bool app_save_png(GtkWidget *w, const char *path, char *why, size_t len);

/* Each window adds its app.* actions at startup. */
void wizard_p2v_init(GtkApplication *app);
void inject_dialog_init(GtkApplication *app);
/* wizard_part.c, "New VM from a partition": app.new-vm (open it), and for
 * scripts app.new-vm-pick (s: "DISK#N", select that row as a click does),
 * app.new-vm-screenshot (s: save the dialog as that PNG), read-only
 * app.new-vm-rows (as: "DISK#N<TAB>what<TAB>verdict<TAB>X,Y" per row, X,Y
 * where a click on it lands in the dialog's window), app.new-vm-result
 * (s: the last outcome line) and app.new-vm-create (bss: whether Create
 * can be pressed, the selected "DISK#N" or "", the name typed). */
void wizard_part_init(GtkApplication *app);

/* main.c: the status bar's text (and the app.status state). */
void set_status(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* main.c: the status line of @name: running (pid), or how it ended. */
void show_vm_status(const char *name);

/* console.c: the console tab of one run of a VM. */
struct console;

/*
 * Once at startup: console tabs go into @pages after its first page, the
 * read-only state app.consoles a(sbb) of @app lists them.
 */
void console_init(GtkApplication *app, GtkNotebook *pages);

/*
 * Before a run of @name is spawned by @l: a socket pair for the grab
 * state and requests (DUALVM_GTK_FD in the child) and, on X11, a console
 * tab whose GtkSocket the child's display plugs into (DUALVM_GTK_EMBED).
 * Returns NULL (with the reason in the status bar) when no socket pair
 * could be made; the run then has its own window and no channel.
 */
struct console *console_new(const char *name, GSubprocessLauncher *l);

/* The run is over (or never started): its tab goes, the channel closes. */
void console_free(struct console *c);

/*
 * Send the request line @req (gui/gui.c: "ctrl-alt-del") to the run's
 * display.  0, or -ENOTCONN (no channel), -errno of send().
 */
int console_request(struct console *c, const char *req);

#endif
