/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * p2v_job.h --- one `dualvm p2v ... --json` run by dualvm-gtk's P2V
 * wizard as a child process (p2v_job.c, GIO only): its JSON Lines read
 * asynchronously and told to the wizard as what to show.  Everything
 * runs on the GLib main context of the caller's thread.
 */
#ifndef DUALVM_GTK_P2V_JOB_H
#define DUALVM_GTK_P2V_JOB_H

#include <stdbool.h>

#include <glib.h>

struct gui_p2v_job;

/* What the job tells its window; every text is only valid during the
 * call. */
struct gui_p2v_job_ui {
	/* a progress record: the bar's fraction (0..1) and text */
	void	(*progress)(void *ctx, double fraction, const char *text);
	/* the line under the bar: "Copying…", "Cancelling…" */
	void	(*status)(void *ctx, const char *text);
	/* a VM was added to the library as @name */
	void	(*imported)(void *ctx, const char *name);
	/* the end, once: @status is one line ("done: OUTPUT…", "cancelled",
	 * "failed: REASON"), @text what the result page says; the job is
	 * freed when this returns */
	void	(*end)(void *ctx, const char *status, const char *text);
	void	*ctx;
};

/*
 * Run @argv (a `dualvm p2v SOURCE OUTPUT ... --json` command line,
 * NULL-terminated; OUTPUT is @output) with stdin a pipe, so it never
 * prompts.  With @add, a successful conversion is followed by `@dualvm
 * vm import STEM.dualvm` (the definition `--vm dualvm` wrote beside
 * OUTPUT).  0 and *@out, or -1 with the reason in @err.
 */
int gui_p2v_job_start(const char *const *argv, const char *output,
		      const char *dualvm, bool add,
		      const struct gui_p2v_job_ui *ui,
		      struct gui_p2v_job **out, char *err, size_t errlen);

/* Ask the conversion to stop (SIGINT: dualvm p2v removes its partial
 * output and exits 130); ends with "cancelled" once it has.  Nothing
 * after the conversion itself has ended. */
void gui_p2v_job_cancel(struct gui_p2v_job *j);

#endif
