// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_job.c --- a `dualvm p2v ... --json` child of dualvm-gtk (GIO's
 * GSubprocess, nothing of GTK): stdout is read line by line
 * asynchronously, each JSON Lines record (doc/json/p2v.schema.json) read
 * by jsonv.c: progress records become the bar's fraction and text (done
 * and total of the phase, rate, ETA), the result and verified records
 * the result page (bytes copied and read, disk size, seconds, verify
 * ok).  Of stderr the last non-empty line is kept (the reason of a
 * refusal: "dualvm: p2v: ...") and the warning lines are listed.  The job
 * ends when the child has exited and both pipes are read to the end:
 * done (exit 0 with a result record), cancelled (after SIGINT: exit 130;
 * neither OUTPUT nor the partial file dualvm says it removed may exist,
 * else it says which does), failed (the reason).  "Add to the library"
 * then runs `dualvm vm import STEM.dualvm`.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "jsonv.h"
#include "p2v_job.h"

struct gui_p2v_job {
	struct gui_p2v_job_ui ui;
	GSubprocess	*proc;
	GDataInputStream *out, *err;	/* NULL once read to the end */
	bool		 exited;
	bool		 cancelled;	/* SIGINT sent */
	bool		 add;		/* import the .dualvm afterwards */
	char		*dualvm;	/* for the import */
	char		*output;	/* OUTPUT as given */
	char		*reason;	/* last non-empty stderr line */
	GString		*warnings;	/* "dualvm: p2v: warning: ..." lines */
	char		*bad_json;	/* first unreadable stdout line */
	GVariant	*result;	/* the result record, a{sv} */
	gint64		 verified;	/* bytes, -1 without a verified line */
	GString		*text;		/* the result page */
};

static void job_free(struct gui_p2v_job *j)
{
	if (j->out)
		g_object_unref(j->out);
	if (j->err)
		g_object_unref(j->err);
	if (j->result)
		g_variant_unref(j->result);
	g_string_free(j->warnings, TRUE);
	g_string_free(j->text, TRUE);
	g_object_unref(j->proc);
	g_free(j->dualvm);
	g_free(j->output);
	g_free(j->reason);
	g_free(j->bad_json);
	g_free(j);
}

static void job_end(struct gui_p2v_job *j, const char *status)
{
	j->ui.end(j->ui.ctx, status, j->text->str);
	job_free(j);
}

/* "1.2 GiB" */
static char *size_text(gint64 n)
{
	return g_format_size_full((guint64)(n < 0 ? 0 : n), G_FORMAT_SIZE_IEC_UNITS);
}

/* ---------------------------------------------------------------- records */

static void on_progress(struct gui_p2v_job *j, GVariant *rec)
{
	const char *phase = "copy", *fs = "";
	gint64 done = jsonv_int(rec, "done", 0), total = jsonv_int(rec, "total", 0);
	gint64 rate = jsonv_int(rec, "rate", 0), part = jsonv_int(rec, "partition", 0);
	double eta = 0, f = total > 0 ? (double)done / (double)total : 1;
	char *d = size_text(done), *t = size_text(total), *r = size_text(rate);
	const char *verb;
	char *text;

	g_variant_lookup(rec, "phase", "&s", &phase);
	g_variant_lookup(rec, "fs", "&s", &fs);
	g_variant_lookup(rec, "eta", "d", &eta);
	text = g_strdup_printf("%s %.0f%%: %s of %s, %s/s, %d:%02d left", phase,
			       f * 100, d, t, r, (int)eta / 60, (int)eta % 60);
	j->ui.progress(j->ui.ctx, f, text);
	g_free(text);
	verb = strcmp(phase, "verify") ? "Copying" : "Verifying";
	if (part)
		text = g_strdup_printf("%s: partition %" G_GINT64_FORMAT "%s%s%s…",
				       verb, part, fs[0] ? " (" : "", fs,
				       fs[0] ? ")" : "");
	else
		text = g_strdup_printf("%s…", verb);
	if (!j->cancelled)
		j->ui.status(j->ui.ctx, text);
	g_free(text);
	g_free(d);
	g_free(t);
	g_free(r);
}

static void on_verified(struct gui_p2v_job *j, GVariant *rec)
{
	char *b, *text;

	j->verified = jsonv_int(rec, "bytes", 0);
	/* the verify phase's last progress record may be before its end */
	b = size_text(j->verified);
	text = g_strdup_printf("verify 100%%: %s identical to the source", b);
	j->ui.progress(j->ui.ctx, 1, text);
	g_free(text);
	g_free(b);
}

static void on_record(struct gui_p2v_job *j, const char *line)
{
	char err[160];
	GVariant *rec = jsonv_parse(line, err, sizeof(err));
	const char *ev = NULL;

	if (!rec || !g_variant_is_of_type(rec, G_VARIANT_TYPE_VARDICT) ||
	    !g_variant_lookup(rec, "event", "&s", &ev)) {
		if (!j->bad_json)
			j->bad_json = g_strdup_printf("unreadable output from "
						      "dualvm p2v (%s): %.80s",
						      rec ? "no event" : err, line);
	} else if (!strcmp(ev, "progress")) {
		on_progress(j, rec);
	} else if (!strcmp(ev, "result")) {
		if (j->result)
			g_variant_unref(j->result);
		j->result = g_variant_ref(rec);
	} else if (!strcmp(ev, "verified")) {
		on_verified(j, rec);
	}
	if (rec)
		g_variant_unref(rec);
}

/* ---------------------------------------------------------------- import */

static void import_done(GObject *src, GAsyncResult *res, gpointer u)
{
	struct gui_p2v_job *j = u;
	char *out = NULL, *errs = NULL, *name = NULL, *st;
	GError *e = NULL;

	if (!g_subprocess_communicate_utf8_finish(G_SUBPROCESS(src), res, &out,
						  &errs, &e)) {
		g_string_append_printf(j->text, "\nNot added to the library: %s",
				       e->message);
		g_error_free(e);
	} else if (g_subprocess_get_successful(G_SUBPROCESS(src)) &&
		   g_str_has_prefix(out, "VM '") && strchr(out + 4, '\'')) {
		/* "VM 'NAME' imported: PATH" */
		name = g_strndup(out + 4, strchr(out + 4, '\'') - (out + 4));
		g_string_append_printf(j->text, "\nAdded to the library as %s.", name);
		j->ui.imported(j->ui.ctx, name);
	} else {
		g_strstrip(errs);
		g_string_append_printf(j->text, "\nNot added to the library: %s",
				       strrchr(errs, '\n') ? strrchr(errs, '\n') + 1 : errs);
	}
	g_object_unref(src);
	st = name ? g_strdup_printf("done: %s, added to the library as %s",
				    j->output, name) :
		    g_strdup_printf("done: %s (not added to the library)", j->output);
	job_end(j, st);
	g_free(st);
	g_free(name);
	g_free(out);
	g_free(errs);
}

/* `dualvm vm import STEM.dualvm` (the definition p2v --vm dualvm wrote:
 * OUTPUT minus its extension, as dualvm p2v names it). */
static void import_vm(struct gui_p2v_job *j)
{
	const char *dot = strrchr(j->output, '.');
	int n = dot && !strchr(dot, '/') ? (int)(dot - j->output) :
		(int)strlen(j->output);
	char *def = g_strdup_printf("%.*s.dualvm", n, j->output);
	GError *e = NULL;
	GSubprocess *p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
					  G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					  G_SUBPROCESS_FLAGS_STDERR_PIPE, &e,
					  j->dualvm, "vm", "import", def, NULL);

	g_free(def);
	if (!p) {
		g_string_append_printf(j->text, "\nNot added to the library: %s",
				       e->message);
		g_error_free(e);
		job_end(j, "done (not added to the library)");
		return;
	}
	j->ui.status(j->ui.ctx, "Adding the VM to the library…");
	g_subprocess_communicate_utf8_async(p, NULL, NULL, import_done, j);
}

/* ---------------------------------------------------------------- the end */

/* What a successful conversion did, from its result/verified records. */
static void success_text(struct gui_p2v_job *j)
{
	const char *fmt = "?";
	gint64 copied = jsonv_int(j->result, "copied", 0);
	char *c = size_text(copied);
	char *d = size_text(jsonv_int(j->result, "disk_size", 0));
	char *r = size_text(jsonv_int(j->result, "read", 0));
	double secs = 0;

	g_variant_lookup(j->result, "format", "&s", &fmt);
	g_variant_lookup(j->result, "seconds", "d", &secs);
	g_string_printf(j->text, "Done: %s (%s).\n%s copied (%" G_GINT64_FORMAT
			" bytes; %s read) of a %s disk in %.1f s.", j->output,
			fmt, c, copied, r, d, secs);
	if (j->verified >= 0)
		g_string_append_printf(j->text, "\nVerify ok: %" G_GINT64_FORMAT
				       " bytes identical to the source.",
				       j->verified);
	if (j->warnings->len) {
		g_string_append_printf(j->text, "\n%s", j->warnings->str);
		g_string_truncate(j->text, j->text->len - 1);	/* its \n */
	}
	g_free(c);
	g_free(d);
	g_free(r);
}

/* After SIGINT: dualvm names the partial file it removed; neither it nor
 * OUTPUT may exist. */
static void cancel_text(struct gui_p2v_job *j)
{
	const char *rm = j->reason ? strstr(j->reason, "removed ") : NULL;
	bool out = g_file_test(j->output, G_FILE_TEST_EXISTS);
	bool part = rm && g_file_test(rm + 8, G_FILE_TEST_EXISTS);

	if (out || part)
		g_string_printf(j->text, "Cancelled, but %s still exists.",
				out ? j->output : rm + 8);
	else
		g_string_printf(j->text, "Cancelled (dualvm p2v stopped by "
				"SIGINT): %s was not written%s%s.", j->output,
				rm ? "; dualvm " : "", rm ? rm : "");
}

static bool stopped_by_sigint(GSubprocess *p)
{
	if (g_subprocess_get_if_exited(p))
		return g_subprocess_get_exit_status(p) == 128 + SIGINT;
	return g_subprocess_get_term_sig(p) == SIGINT;
}

/* Once the child has exited and both pipes are read to the end. */
static void job_finish(struct gui_p2v_job *j)
{
	GSubprocess *p = j->proc;
	const char *why;
	char *st;

	if (!j->exited || j->out || j->err)
		return;
	if (g_subprocess_get_if_exited(p) && !g_subprocess_get_exit_status(p) &&
	    j->result && !j->bad_json) {
		success_text(j);
		if (j->add) {
			import_vm(j);
			return;
		}
		st = g_strdup_printf("done: %s", j->output);
		job_end(j, st);
		g_free(st);
		return;
	}
	if (j->cancelled && stopped_by_sigint(p)) {
		cancel_text(j);
		job_end(j, "cancelled");
		return;
	}
	why = j->bad_json ? j->bad_json : j->reason ? j->reason : "no reason given";
	if (g_subprocess_get_if_exited(p))
		g_string_printf(j->text, "Failed (exit %d): %s",
				g_subprocess_get_exit_status(p), why);
	else
		g_string_printf(j->text, "Failed (signal %d): %s",
				g_subprocess_get_term_sig(p), why);
	st = g_strdup_printf("failed: %s", why);
	job_end(j, st);
	g_free(st);
}

/* ---------------------------------------------------------------- the child */

static void read_out(GObject *src, GAsyncResult *res, gpointer u)
{
	struct gui_p2v_job *j = u;
	char *line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(src), res, NULL, NULL);

	if (!line) {		/* EOF or an error: the child closed stdout */
		g_clear_object(&j->out);
		job_finish(j);
		return;
	}
	on_record(j, line);
	g_free(line);
	g_data_input_stream_read_line_async(j->out, G_PRIORITY_DEFAULT, NULL,
					    read_out, j);
}

static void read_err(GObject *src, GAsyncResult *res, gpointer u)
{
	struct gui_p2v_job *j = u;
	char *line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(src), res, NULL, NULL);

	if (!line) {
		g_clear_object(&j->err);
		job_finish(j);
		return;
	}
	g_strstrip(line);
	if (strstr(line, ": warning: "))
		g_string_append_printf(j->warnings, "%s\n", line);
	if (line[0]) {
		g_free(j->reason);
		j->reason = line;
	} else {
		g_free(line);
	}
	g_data_input_stream_read_line_async(j->err, G_PRIORITY_DEFAULT, NULL,
					    read_err, j);
}

static void exited(GObject *src, GAsyncResult *res, gpointer u)
{
	struct gui_p2v_job *j = u;

	g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL);
	j->exited = true;
	job_finish(j);
}

int gui_p2v_job_start(const char *const *argv, const char *output,
		      const char *dualvm, bool add,
		      const struct gui_p2v_job_ui *ui,
		      struct gui_p2v_job **out, char *err, size_t errlen)
{
	GError *e = NULL;
	GSubprocess *p = g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
					   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					   G_SUBPROCESS_FLAGS_STDERR_PIPE, &e);
	struct gui_p2v_job *j;

	if (!p) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], e->message);
		g_error_free(e);
		return -1;
	}
	j = g_new0(struct gui_p2v_job, 1);
	j->ui = *ui;
	j->proc = p;
	j->add = add;
	j->dualvm = g_strdup(dualvm);
	j->output = g_strdup(output);
	j->warnings = g_string_new(NULL);
	j->text = g_string_new(NULL);
	j->verified = -1;
	j->out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(p));
	j->err = g_data_input_stream_new(g_subprocess_get_stderr_pipe(p));
	g_data_input_stream_read_line_async(j->out, G_PRIORITY_DEFAULT, NULL,
					    read_out, j);
	g_data_input_stream_read_line_async(j->err, G_PRIORITY_DEFAULT, NULL,
					    read_err, j);
	g_subprocess_wait_async(p, NULL, exited, j);
	*out = j;
	return 0;
}

void gui_p2v_job_cancel(struct gui_p2v_job *j)
{
	if (j->cancelled || j->exited)
		return;
	j->cancelled = true;
	g_subprocess_send_signal(j->proc, SIGINT);
	j->ui.status(j->ui.ctx, "Cancelling…");
}
