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

/* Each window adds its app.* actions at startup. */
void wizard_p2v_init(GtkApplication *app);
void inject_dialog_init(GtkApplication *app);

#endif
