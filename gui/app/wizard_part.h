/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wizard_part.h --- dualvm-gtk's "New VM from a partition of this
 * computer" dialog (wizard_part.c).
 */
#ifndef DUALVM_GTK_WIZARD_PART_H
#define DUALVM_GTK_WIZARD_PART_H

#include <gtk/gtk.h>

/* What the dialog needs from the application. */
struct wizard_part_host {
	GtkApplication	*gapp;
	GtkWindow	*(*parent)(void);	/* the main window */
	const char	*dualvm;		/* the CLI binary */
	void		(*created)(const char *name);	/* refresh, select */
	void		(*status)(const char *line);	/* the status bar */
};

/*
 * Add the dialog's actions to @h->gapp: app.new-vm (open it), and for
 * scripts app.new-vm-pick (s: "DISK#N", select that row as a click does),
 * app.new-vm-rows (as, read-only: one "DISK#N<TAB>what<TAB>verdict<TAB>X,Y"
 * per row shown, X,Y where a click on it lands in the dialog's window), app.new-vm-result (s, read-only: the last outcome line) and
 * app.new-vm-screenshot (s: save the dialog as that PNG).
 * @h must outlive the application.
 */
void wizard_part_install(const struct wizard_part_host *h);

#endif
