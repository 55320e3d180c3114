/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gui.h --- libgui: the GTK 3 display back end for `dualvm run --display gtk`
 *
 * libgui is a plugin, GUI_PLUGIN_NAME in GUI_PLUGIN_DIR beside the dualvm
 * binary (build/lib/dualvm/gui-gtk.so next to build/bin/dualvm): the CLI
 * dlopen()s it only for `--display gtk` and looks up the two symbols below
 * (GUI_SYM_OPS, GUI_SYM_AVAILABLE), so only that command loads GTK.  The
 * CLI puts the ops into struct vm_config.display; libvmm only sees the
 * struct display_ops (vmm/display.h, part of vmm/vmm.h), so nothing but
 * the plugin depends on GTK.  The window runs on the run loop's
 * thread: poll() pumps the GLib main context, so GTK callbacks touch the
 * devices only while the vCPU is stopped.  Closing the window is a stop
 * request (the run ends as VM_STOPPED, `dualvm run` exits 130 after closing
 * the disks).  DUALVM_SCREENSHOT=FILE.png saves the last frame as a PNG
 * when the display closes (for tests).  Under dualvm-gtk:
 * DUALVM_GTK_EMBED=XID puts the picture into the app's GtkSocket of that
 * X window (a GtkPlug; a window of its own when the display is not X11 or
 * the window is gone), DUALVM_GTK_FD=N is a stream socket on which the
 * display writes "grab" / "release" lines and reads requests
 * ("ctrl-alt-del"); see gui.c.
 */
#ifndef DUALVM_GUI_H
#define DUALVM_GUI_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/vmm.h"

#define GUI_PLUGIN_DIR		"../lib/dualvm"	/* from the binary's folder */
#define GUI_PLUGIN_NAME		"gui-gtk.so"
#define GUI_SYM_OPS		"gui_display_ops"
#define GUI_SYM_AVAILABLE	"gui_display_available"

/* The GTK back end. */
extern const struct display_ops gui_display_ops;

/*
 * True when a graphical session is reachable (DISPLAY or WAYLAND_DISPLAY is
 * set); otherwise false with one line in @why.
 */
bool gui_display_available(char *why, size_t len);

#endif
