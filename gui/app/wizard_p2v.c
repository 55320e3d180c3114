// SPDX-License-Identifier: GPL-2.0-only
/*
 * wizard_p2v.c --- dualvm-gtk's "Convert a disk (P2V)" wizard: a
 * GtkAssistant (wizard-p2v.ui in the GResource) whose pages ask for the
 * source (an image or a block device: only the path the user gives, no
 * device is listed), the output format and path, the VM definitions to
 * write (--vm), --verify and whether to add the VM to the library; the
 * confirm page shows the command line; Apply runs
 *
 *	dualvm p2v SOURCE OUTPUT --format F --json [--verify] [--vm KINDS]
 *
 * as a child (GSubprocess) and reads its JSON Lines (doc/json/
 * p2v.schema.json) asynchronously: each progress record moves the bar
 * (done/total of the phase, rate, ETA), the result and verified records
 * fill the last page.  Cancel (a button of ours on the progress page,
 * where GtkAssistant hides its own; closing the window; app.p2v-cancel)
 * sends SIGINT: dualvm p2v removes its
 * partial output and exits 130; the wizard then checks that neither the
 * output nor the partial file dualvm names exists.  A refusal is the
 * child's last stderr line, shown on the last page.  "Add to the library"
 * adds dualvm to --vm and, after a conversion that succeeded, runs
 * `dualvm vm import STEM.dualvm` and refreshes the sidebar.
 *
 * Actions (app.*): p2v-wizard opens it; p2v-source, p2v-output,
 * p2v-format, p2v-vm (comma list) are string states that mirror the
 * fields (SetState fills the field, editing the field sets the state);
 * p2v-verify, p2v-add are the check buttons' own boolean actions;
 * p2v-start (= Apply), p2v-cancel; read-only mirrors: p2v-page (the
 * current page's title), p2v-progress ((ds): the bar's fraction and
 * text), p2v-status (the line under the bar), p2v-result (the last
 * page's text); p2v-screenshot (s: a PNG path) saves the wizard's
 * picture.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "jsonv.h"

enum { VM_VMX, VM_OVF, VM_OVA, VM_LIBVIRT, VM_DUALVM, VM_KINDS };
static const char *const vm_kind[VM_KINDS] = {
	"vmx", "ovf", "ova", "libvirt", "dualvm",
};

/* A running `dualvm p2v` (then `dualvm vm import`). */
struct p2v_job {
	GSubprocess	*proc;
	GDataInputStream *out, *err;	/* NULL once read to the end */
	bool		 exited;
	bool		 cancelled;	/* SIGINT sent */
	bool		 add;		/* import the .dualvm afterwards */
	char		*output;	/* OUTPUT as given */
	char		*reason;	/* last non-empty stderr line */
	GString		*warnings;	/* "dualvm: p2v: warning: ..." lines */
	char		*bad_json;	/* first unreadable stdout line */
	GVariant	*result;	/* the result record, a{sv} */
	gint64		 verified;	/* bytes, -1 without a verified line */
};

static struct {
	GtkAssistant	*win;
	GtkWidget	*source, *output, *format, *vm[VM_KINDS];
	GtkWidget	*command, *bar, *status, *result;
	GtkWidget	*stop;		/* Cancel while the child runs */
	GtkWidget	*page_source, *page_output, *page_progress;
	struct p2v_job	*job;		/* NULL when nothing runs */
	char		*proposed;	/* the output path we filled in */
} W;

static GSimpleAction *action(const char *name)
{
	GApplication *app = g_application_get_default();

	return G_SIMPLE_ACTION(g_action_map_lookup_action(G_ACTION_MAP(app), name));
}

static void set_state(const char *name, GVariant *v)
{
	g_simple_action_set_state(action(name), v);
}

static bool state_bool(const char *name)
{
	GVariant *v = g_action_get_state(G_ACTION(action(name)));
	bool b = g_variant_get_boolean(v);

	g_variant_unref(v);
	return b;
}

/* ---------------------------------------------------------------- mirrors */

static void set_progress(double fraction, const char *text)
{
	gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(W.bar), fraction);
	gtk_progress_bar_set_text(GTK_PROGRESS_BAR(W.bar), text);
	set_state("p2v-progress", g_variant_new("(ds)",
		  gtk_progress_bar_get_fraction(GTK_PROGRESS_BAR(W.bar)),
		  gtk_progress_bar_get_text(GTK_PROGRESS_BAR(W.bar)) ?: ""));
}

static void set_wstatus(const char *text)
{
	gtk_label_set_text(GTK_LABEL(W.status), text);
	set_state("p2v-status", g_variant_new_string(
		  gtk_label_get_text(GTK_LABEL(W.status))));
}

static void set_result(const char *text)
{
	gtk_label_set_text(GTK_LABEL(W.result), text);
	set_state("p2v-result", g_variant_new_string(
		  gtk_label_get_text(GTK_LABEL(W.result))));
}

/* ---------------------------------------------------------------- fields */

/* The output's extension for a --format. */
static const char *format_ext(const char *f)
{
	if (g_str_has_prefix(f, "vmdk"))
		return "vmdk";
	if (g_str_has_prefix(f, "vhd-"))
		return "vhd";
	return strcmp(f, "raw") ? f : "img";
}

/* Fill in OUTPUT (only while it is empty or what we proposed): the
 * source's name with the format's extension, in the source's folder, or
 * in the home folder for a device. */
static void propose_output(void)
{
	const char *src = gtk_entry_get_text(GTK_ENTRY(W.source));
	const char *out = gtk_entry_get_text(GTK_ENTRY(W.output));
	const char *fmt = gtk_combo_box_get_active_id(GTK_COMBO_BOX(W.format));
	char *base, *dot, *dir, *path;

	if (!src[0] || !fmt || (out[0] && g_strcmp0(out, W.proposed)))
		return;
	base = g_path_get_basename(src);
	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	dir = g_str_has_prefix(src, "/dev/") || !strchr(src, '/') ?
	      g_strdup(g_get_home_dir()) : g_path_get_dirname(src);
	path = g_strdup_printf("%s/%s.%s", dir, base, format_ext(fmt));
	g_free(W.proposed);
	W.proposed = path;
	gtk_entry_set_text(GTK_ENTRY(W.output), path);
	g_free(base);
	g_free(dir);
}

static void on_source_changed(GtkEntry *e, gpointer u)
{
	const char *s = gtk_entry_get_text(e);

	set_state("p2v-source", g_variant_new_string(s));
	gtk_assistant_set_page_complete(W.win, W.page_source, s[0] != '\0');
	propose_output();
}

static void on_output_changed(GtkEntry *e, gpointer u)
{
	const char *s = gtk_entry_get_text(e);

	set_state("p2v-output", g_variant_new_string(s));
	gtk_assistant_set_page_complete(W.win, W.page_output, s[0] != '\0');
}

static void on_format_changed(GtkComboBox *c, gpointer u)
{
	set_state("p2v-format", g_variant_new_string(
		  gtk_combo_box_get_active_id(c) ?: ""));
	propose_output();
}

/* The --vm list of the check buttons (without the library's dualvm). */
static char *vm_list(void)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < VM_KINDS; i++)
		if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(W.vm[i])))
			g_string_append_printf(s, "%s%s", s->len ? "," : "",
					       vm_kind[i]);
	return g_string_free(s, FALSE);
}

static void on_vm_toggled(GtkToggleButton *b, gpointer u)
{
	set_state("p2v-vm", g_variant_new_take_string(vm_list()));
}

/* SetState of the mirrored fields: set the widget; its signal sets the
 * state (so an unknown format leaves the state as the combo shows it). */
static void change_source(GSimpleAction *a, GVariant *v, gpointer u)
{
	gtk_entry_set_text(GTK_ENTRY(W.source), g_variant_get_string(v, NULL));
}

static void change_output(GSimpleAction *a, GVariant *v, gpointer u)
{
	gtk_entry_set_text(GTK_ENTRY(W.output), g_variant_get_string(v, NULL));
}

static void change_format(GSimpleAction *a, GVariant *v, gpointer u)
{
	gtk_combo_box_set_active_id(GTK_COMBO_BOX(W.format),
				    g_variant_get_string(v, NULL));
}

static void change_vm(GSimpleAction *a, GVariant *v, gpointer u)
{
	char **k = g_strsplit(g_variant_get_string(v, NULL), ",", -1);

	for (int i = 0; i < VM_KINDS; i++)
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(W.vm[i]),
			g_strv_contains((const char *const *)k, vm_kind[i]));
	g_strfreev(k);
	on_vm_toggled(NULL, NULL);
}

static void change_readonly(GSimpleAction *a, GVariant *v, gpointer u)
{
}

static void browse(GtkButton *b, gpointer u)
{
	bool save = u != NULL;
	GtkEntry *e = GTK_ENTRY(save ? W.output : W.source);
	GtkFileChooserNative *fc = gtk_file_chooser_native_new(
		save ? "Output image" : "Disk image or device", GTK_WINDOW(W.win),
		save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
		NULL, NULL);
	GtkFileChooser *c = GTK_FILE_CHOOSER(fc);

	gtk_file_chooser_set_do_overwrite_confirmation(c, TRUE);
	if (gtk_entry_get_text(e)[0])
		gtk_file_chooser_set_filename(c, gtk_entry_get_text(e));
	if (gtk_native_dialog_run(GTK_NATIVE_DIALOG(fc)) == GTK_RESPONSE_ACCEPT) {
		char *f = gtk_file_chooser_get_filename(c);

		if (f)
			gtk_entry_set_text(e, f);
		g_free(f);
	}
	g_object_unref(fc);
}

/* ---------------------------------------------------------------- command */

/* The p2v command line of the fields (NULL-terminated, caller frees). */
static GPtrArray *p2v_argv(void)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	char *kinds = vm_list();

	g_ptr_array_add(v, g_strdup(app_dualvm()));
	g_ptr_array_add(v, g_strdup("p2v"));
	g_ptr_array_add(v, g_strdup(gtk_entry_get_text(GTK_ENTRY(W.source))));
	g_ptr_array_add(v, g_strdup(gtk_entry_get_text(GTK_ENTRY(W.output))));
	g_ptr_array_add(v, g_strdup("--format"));
	g_ptr_array_add(v, g_strdup(gtk_combo_box_get_active_id(
		GTK_COMBO_BOX(W.format)) ?: "qcow2"));
	if (state_bool("p2v-verify"))
		g_ptr_array_add(v, g_strdup("--verify"));
	if (state_bool("p2v-add") && !strstr(kinds, "dualvm")) {
		char *k = g_strdup_printf("%s%sdualvm", kinds, kinds[0] ? "," : "");

		g_free(kinds);
		kinds = k;
	}
	if (kinds[0]) {
		g_ptr_array_add(v, g_strdup("--vm"));
		g_ptr_array_add(v, kinds);
	} else {
		g_free(kinds);
	}
	g_ptr_array_add(v, g_strdup("--json"));
	g_ptr_array_add(v, NULL);
	return v;
}

static void show_command(void)
{
	GPtrArray *v = p2v_argv();
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i + 1 < v->len; i++) {
		char *q = g_shell_quote(v->pdata[i]);

		g_string_append_printf(s, "%s%s", i ? " " : "", q);
		g_free(q);
	}
	gtk_label_set_text(GTK_LABEL(W.command), s->str);
	g_string_free(s, TRUE);
	g_ptr_array_unref(v);
}

/* ---------------------------------------------------------------- the child */

static void job_free(struct p2v_job *j)
{
	if (j->out)
		g_object_unref(j->out);
	if (j->err)
		g_object_unref(j->err);
	if (j->result)
		g_variant_unref(j->result);
	g_string_free(j->warnings, TRUE);
	g_object_unref(j->proc);
	g_free(j->output);
	g_free(j->reason);
	g_free(j->bad_json);
	g_free(j);
}

/* "1.2 GiB" */
static char *size_text(gint64 n)
{
	return g_format_size_full((guint64)(n < 0 ? 0 : n), G_FORMAT_SIZE_IEC_UNITS);
}

static void on_progress(struct p2v_job *j, GVariant *rec)
{
	const char *phase = "copy", *fs = "";
	gint64 done = jsonv_int(rec, "done", 0), total = jsonv_int(rec, "total", 0);
	gint64 rate = jsonv_int(rec, "rate", 0), part = jsonv_int(rec, "partition", 0);
	double eta = 0, f = total > 0 ? (double)done / (double)total : 1;
	char *d = size_text(done), *t = size_text(total), *r = size_text(rate);
	char *text, *st;

	g_variant_lookup(rec, "phase", "&s", &phase);
	g_variant_lookup(rec, "fs", "&s", &fs);
	g_variant_lookup(rec, "eta", "d", &eta);
	text = g_strdup_printf("%s %.0f%%: %s of %s, %s/s, %d:%02d left", phase,
			       f * 100, d, t, r, (int)eta / 60, (int)eta % 60);
	set_progress(f, text);
	if (j->cancelled)
		st = NULL;
	else if (part)
		st = g_strdup_printf("%s: partition %" G_GINT64_FORMAT "%s%s%s…",
				     strcmp(phase, "verify") ? "Copying" : "Verifying",
				     part, fs[0] ? " (" : "", fs, fs[0] ? ")" : "");
	else
		st = g_strdup(strcmp(phase, "verify") ? "Copying…" : "Verifying…");
	if (st)
		set_wstatus(st);
	g_free(st);
	g_free(text);
	g_free(d);
	g_free(t);
	g_free(r);
}

static void on_record(struct p2v_job *j, const char *line)
{
	char err[160];
	GVariant *rec = jsonv_parse(line, err, sizeof(err));
	const char *ev = NULL;
	char *st;

	if (!rec || !g_variant_is_of_type(rec, G_VARIANT_TYPE_VARDICT) ||
	    !g_variant_lookup(rec, "event", "&s", &ev)) {
		if (!j->bad_json)
			j->bad_json = g_strdup_printf("%s: %.80s", rec ? "no event" :
						      err, line);
	} else if (!strcmp(ev, "progress")) {
		on_progress(j, rec);
	} else if (!strcmp(ev, "result")) {
		if (j->result)
			g_variant_unref(j->result);
		j->result = g_variant_ref(rec);
	} else if (!strcmp(ev, "verified")) {
		/* the verify phase's last progress record may be before its end */
		char *b;

		j->verified = jsonv_int(rec, "bytes", 0);
		b = size_text(j->verified);
		st = g_strdup_printf("verify 100%%: %s identical to the source", b);
		set_progress(1, st);
		g_free(st);
		g_free(b);
	}
	if (rec)
		g_variant_unref(rec);
}

static void job_finish(struct p2v_job *j);

static void read_out(GObject *src, GAsyncResult *res, gpointer u)
{
	struct p2v_job *j = u;
	char *line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(src), res, NULL, NULL);

	if (!line) {
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
	struct p2v_job *j = u;
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
	struct p2v_job *j = u;

	g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL);
	j->exited = true;
	job_finish(j);
}

/* The end of a conversion: its status line, the last page's text, and
 * that page shown (the assistant's buttons work again). */
static void show_end(const char *status, const char *text)
{
	char *s = g_strdup_printf("P2V: %s", status);

	set_wstatus(status);
	set_result(text);
	app_status(s);
	g_free(s);
	gtk_assistant_set_page_complete(W.win, W.page_progress, TRUE);
	if (gtk_assistant_get_current_page(W.win) ==
	    gtk_assistant_get_n_pages(W.win) - 2)
		gtk_assistant_next_page(W.win);
}

static void job_end(struct p2v_job *j, const char *status, const char *text)
{
	char *t = g_strdup(text);	/* may be the result label's own */

	W.job = NULL;
	job_free(j);
	gtk_widget_hide(W.stop);
	show_end(status, t);
	g_free(t);
}

static void import_done(GObject *src, GAsyncResult *res, gpointer u)
{
	struct p2v_job *j = u;
	GString *text = g_string_new(gtk_label_get_text(GTK_LABEL(W.result)));
	char *out = NULL, *errs = NULL, *name = NULL, *st;
	GError *e = NULL;

	if (!g_subprocess_communicate_utf8_finish(G_SUBPROCESS(src), res, &out,
						  &errs, &e)) {
		g_string_append_printf(text, "\nNot added to the library: %s",
				       e->message);
		g_error_free(e);
	} else if (g_subprocess_get_successful(G_SUBPROCESS(src)) &&
		   g_str_has_prefix(out, "VM '") && strchr(out + 4, '\'')) {
		name = g_strndup(out + 4, strchr(out + 4, '\'') - (out + 4));
		g_string_append_printf(text, "\nAdded to the library as %s.", name);
		app_refresh();
	} else {
		g_strstrip(errs);
		g_string_append_printf(text, "\nNot added to the library: %s",
				       strrchr(errs, '\n') ? strrchr(errs, '\n') + 1 : errs);
	}
	g_object_unref(src);
	st = name ? g_strdup_printf("done: %s, added to the library as %s",
				    j->output, name) :
		    g_strdup_printf("done: %s (not added to the library)", j->output);
	job_end(j, st, text->str);
	g_free(st);
	g_free(name);
	g_free(out);
	g_free(errs);
	g_string_free(text, TRUE);
}

/* `dualvm vm import STEM.dualvm` (the definition p2v --vm dualvm wrote). */
static void import_vm(struct p2v_job *j)
{
	char *dot = strrchr(j->output, '.');
	char *def = g_strdup_printf("%.*s.dualvm", dot && !strchr(dot, '/') ?
				    (int)(dot - j->output) : (int)strlen(j->output),
				    j->output);
	GError *e = NULL;
	GSubprocess *p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
					  G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					  G_SUBPROCESS_FLAGS_STDERR_PIPE, &e,
					  app_dualvm(), "vm", "import", def, NULL);

	g_free(def);
	if (!p) {
		char *t = g_strdup_printf("%s\nNot added to the library: %s",
			gtk_label_get_text(GTK_LABEL(W.result)), e->message);

		job_end(j, "done (not added to the library)", t);
		g_free(t);
		g_error_free(e);
		return;
	}
	set_wstatus("Adding the VM to the library…");
	g_subprocess_communicate_utf8_async(p, NULL, NULL, import_done, j);
}

/* What a successful conversion did, from its result/verified records. */
static char *success_text(struct p2v_job *j)
{
	GString *s = g_string_new(NULL);
	const char *fmt = "?";
	char *c, *d, *r;
	double secs = 0;

	g_variant_lookup(j->result, "format", "&s", &fmt);
	g_variant_lookup(j->result, "seconds", "d", &secs);
	c = size_text(jsonv_int(j->result, "copied", 0));
	d = size_text(jsonv_int(j->result, "disk_size", 0));
	r = size_text(jsonv_int(j->result, "read", 0));
	g_string_append_printf(s, "Done: %s (%s).\n%s copied (%" G_GINT64_FORMAT
			       " bytes; %s read) of a %s disk in %.1f s.",
			       j->output, fmt, c, jsonv_int(j->result, "copied", 0),
			       r, d, secs);
	if (j->verified >= 0)
		g_string_append_printf(s, "\nVerify ok: %" G_GINT64_FORMAT
				       " bytes identical to the source.", j->verified);
	if (j->warnings->len)
		g_string_append_printf(s, "\n%s", j->warnings->str);
	g_free(c);
	g_free(d);
	g_free(r);
	g_strchomp(s->str);
	return g_string_free(s, FALSE);
}

/* After SIGINT: dualvm names the partial file it removed; neither it nor
 * OUTPUT may exist. */
static char *cancel_text(struct p2v_job *j)
{
	const char *rm = j->reason ? strstr(j->reason, "removed ") : NULL;
	bool out = g_file_test(j->output, G_FILE_TEST_EXISTS);
	bool part = rm && g_file_test(rm + 8, G_FILE_TEST_EXISTS);

	if (out || part)
		return g_strdup_printf("Cancelled, but %s still exists.",
				       out ? j->output : rm + 8);
	return g_strdup_printf("Cancelled (dualvm p2v stopped by SIGINT): %s "
			       "was not written%s%s.", j->output,
			       rm ? "; dualvm " : "", rm ? rm : "");
}

/* Once the child has exited and both pipes are read to the end. */
static void job_finish(struct p2v_job *j)
{
	GSubprocess *p = j->proc;
	char *text, *st;

	if (!j->exited || j->out || j->err)
		return;
	if (g_subprocess_get_if_exited(p) && !g_subprocess_get_exit_status(p) &&
	    j->result && !j->bad_json) {
		text = success_text(j);
		set_result(text);
		g_free(text);
		if (j->add) {
			import_vm(j);
			return;
		}
		st = g_strdup_printf("done: %s", j->output);
		job_end(j, st, gtk_label_get_text(GTK_LABEL(W.result)));
		g_free(st);
		return;
	}
	if (j->cancelled && (g_subprocess_get_if_exited(p) ?
			     g_subprocess_get_exit_status(p) == 128 + SIGINT :
			     g_subprocess_get_term_sig(p) == SIGINT)) {
		text = cancel_text(j);
		job_end(j, "cancelled", text);
	} else {
		const char *why = j->bad_json ? j->bad_json : j->reason ? j->reason :
				  "no reason given";

		st = g_subprocess_get_if_exited(p) ?
		     g_strdup_printf("exit %d", g_subprocess_get_exit_status(p)) :
		     g_strdup_printf("signal %d", g_subprocess_get_term_sig(p));
		text = g_strdup_printf("Failed (%s): %s", st, why);
		g_free(st);
		st = g_strdup_printf("failed: %s", why);
		job_end(j, st, text);
		g_free(st);
	}
	g_free(text);
}

/* Run the p2v child of the fields; the progress page is shown. */
static void start(void)
{
	GPtrArray *argv;
	GError *e = NULL;
	GSubprocess *p;
	struct p2v_job *j;

	if (W.job)
		return;
	argv = p2v_argv();
	gtk_assistant_set_page_complete(W.win, W.page_progress, FALSE);
	gtk_assistant_commit(W.win);
	set_progress(0, "");
	set_result("");
	/* stdin a pipe: the child never prompts */
	p = g_subprocess_newv((const char *const *)argv->pdata,
			      G_SUBPROCESS_FLAGS_STDIN_PIPE |
			      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
			      G_SUBPROCESS_FLAGS_STDERR_PIPE, &e);
	if (!p) {
		char *t = g_strdup_printf("Failed: cannot run %s: %s",
					  (char *)argv->pdata[0], e->message);

		show_end("failed: cannot run dualvm", t);
		g_free(t);
		g_error_free(e);
		g_ptr_array_unref(argv);
		return;
	}
	j = g_new0(struct p2v_job, 1);
	j->proc = p;
	j->output = g_strdup(argv->pdata[3]);
	g_ptr_array_unref(argv);
	j->warnings = g_string_new(NULL);
	j->verified = -1;
	j->add = state_bool("p2v-add");
	j->out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(p));
	j->err = g_data_input_stream_new(g_subprocess_get_stderr_pipe(p));
	W.job = j;
	gtk_widget_set_sensitive(W.stop, TRUE);
	gtk_widget_show(W.stop);
	set_wstatus("Starting…");
	app_status("P2V: converting…");
	g_data_input_stream_read_line_async(j->out, G_PRIORITY_DEFAULT, NULL,
					    read_out, j);
	g_data_input_stream_read_line_async(j->err, G_PRIORITY_DEFAULT, NULL,
					    read_err, j);
	g_subprocess_wait_async(p, NULL, exited, j);
}

static void cancel(void)
{
	if (!W.job || W.job->cancelled || W.job->exited)
		return;
	W.job->cancelled = true;
	/* dualvm p2v removes its partial output and exits 130 */
	g_subprocess_send_signal(W.job->proc, SIGINT);
	gtk_widget_set_sensitive(W.stop, FALSE);
	set_wstatus("Cancelling…");
}

/* ---------------------------------------------------------------- window */

/* GtkAssistant names its window after the page, once the page is
 * shown: say whose window it is. */
static gboolean name_window(gpointer u)
{
	int n = gtk_assistant_get_current_page(W.win);
	GtkWidget *w = n < 0 ? NULL : gtk_assistant_get_nth_page(W.win, n);
	char *t = g_strdup_printf("dualvm: convert a disk (P2V) — %s", w ?
				  gtk_assistant_get_page_title(W.win, w) : "");

	gtk_window_set_title(GTK_WINDOW(W.win), t);
	g_free(t);
	return G_SOURCE_REMOVE;
}

static void on_page(GtkAssistant *a, GtkWidget *page, gpointer u)
{
	int n = gtk_assistant_get_current_page(a);
	GtkWidget *w = gtk_assistant_get_nth_page(a, n);

	const char *title = w ? gtk_assistant_get_page_title(a, w) : "";

	if (w == gtk_widget_get_parent(W.command))
		show_command();
	set_state("p2v-page", g_variant_new_string(title));
	g_idle_add(name_window, NULL);
}

static void hide_wizard(void)
{
	gtk_widget_hide(GTK_WIDGET(W.win));
	/* a hidden wizard does not keep the application running */
	gtk_window_set_application(GTK_WINDOW(W.win), NULL);
}

static void on_cancel(GtkAssistant *a, gpointer u)
{
	if (W.job)
		cancel();
	else
		hide_wizard();
}

static gboolean on_delete(GtkWidget *w, GdkEvent *ev, gpointer u)
{
	on_cancel(W.win, NULL);
	return TRUE;
}

static gboolean start_idle(gpointer u)
{
	start();
	return G_SOURCE_REMOVE;
}

/* Apply: the assistant shows the progress page after this signal; the
 * child starts from there. */
static void on_apply(GtkAssistant *a, gpointer u)
{
	g_idle_add(start_idle, NULL);
}

static void act_wizard(GSimpleAction *a, GVariant *p, gpointer u)
{
	GtkApplication *app = GTK_APPLICATION(g_application_get_default());

	gtk_window_set_application(GTK_WINDOW(W.win), app);
	if (!W.job && gtk_assistant_get_current_page(W.win) >=
		      gtk_assistant_get_n_pages(W.win) - 2) {
		/* a finished conversion: start over, keeping the fields */
		gtk_assistant_set_current_page(W.win, 0);
		set_progress(0, "");
		set_wstatus("");
		set_result("");
	}
	gtk_window_present(GTK_WINDOW(W.win));
}

static void act_start(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *s = gtk_entry_get_text(GTK_ENTRY(W.source));
	const char *o = gtk_entry_get_text(GTK_ENTRY(W.output));

	if (W.job || !s[0] || !o[0]) {
		app_status(W.job ? "P2V: a conversion runs already" :
			   "P2V: give a source and an output first");
		return;
	}
	act_wizard(NULL, NULL, NULL);
	gtk_assistant_set_current_page(W.win, gtk_assistant_get_n_pages(W.win) - 2);
	start();
}

static void act_cancel(GSimpleAction *a, GVariant *p, gpointer u)
{
	cancel();
}

/* Save the wizard as the X server shows it to the PNG @p (test logs,
 * bug reports); the status bar says why not. */
static void act_screenshot(GSimpleAction *a, GVariant *p, gpointer u)
{
	GdkWindow *w = gtk_widget_get_window(GTK_WIDGET(W.win));
	GdkPixbuf *pb = NULL;
	GError *e = NULL;

	if (w && gtk_widget_get_visible(GTK_WIDGET(W.win)))
		pb = gdk_pixbuf_get_from_window(w, 0, 0, gdk_window_get_width(w),
						gdk_window_get_height(w));
	if (!pb) {
		app_status("P2V screenshot: the wizard is not shown");
		return;
	}
	if (!gdk_pixbuf_save(pb, g_variant_get_string(p, NULL), "png", &e, NULL)) {
		char *s = g_strdup_printf("P2V screenshot: %s", e->message);

		app_status(s);
		g_free(s);
		g_error_free(e);
	}
	g_object_unref(pb);
}

/* The app quits (or its main window goes): stop the child cleanly. */
static void on_main_destroy(GtkWidget *w, gpointer u)
{
	cancel();
	gtk_widget_destroy(GTK_WIDGET(W.win));
}

static const GActionEntry entries[] = {
	{ "p2v-wizard", act_wizard, NULL, NULL, NULL, { 0 } },
	{ "p2v-source", NULL, NULL, "''", change_source, { 0 } },
	{ "p2v-output", NULL, NULL, "''", change_output, { 0 } },
	{ "p2v-format", NULL, NULL, "'qcow2'", change_format, { 0 } },
	{ "p2v-vm", NULL, NULL, "''", change_vm, { 0 } },
	{ "p2v-verify", NULL, NULL, "false", NULL, { 0 } },
	{ "p2v-add", NULL, NULL, "false", NULL, { 0 } },
	{ "p2v-start", act_start, NULL, NULL, NULL, { 0 } },
	{ "p2v-cancel", act_cancel, NULL, NULL, NULL, { 0 } },
	{ "p2v-screenshot", act_screenshot, "s", NULL, NULL, { 0 } },
	{ "p2v-page", NULL, NULL, "''", change_readonly, { 0 } },
	{ "p2v-progress", NULL, NULL, "(0.0, '')", change_readonly, { 0 } },
	{ "p2v-status", NULL, NULL, "''", change_readonly, { 0 } },
	{ "p2v-result", NULL, NULL, "''", change_readonly, { 0 } },
};

void wizard_p2v_init(GtkApplication *app)
{
	GtkBuilder *b = gtk_builder_new_from_resource("/org/dualvm/Gtk/wizard-p2v.ui");

	g_action_map_add_action_entries(G_ACTION_MAP(app), entries,
					G_N_ELEMENTS(entries), NULL);
#define GET(x) GTK_WIDGET(gtk_builder_get_object(b, x))
	W.win = GTK_ASSISTANT(GET("wizard"));
	W.source = GET("source");
	W.output = GET("output");
	W.format = GET("format");
	for (int i = 0; i < VM_KINDS; i++) {
		char id[16];

		snprintf(id, sizeof(id), "vm_%s", vm_kind[i]);
		W.vm[i] = GET(id);
		g_signal_connect(W.vm[i], "toggled", G_CALLBACK(on_vm_toggled), NULL);
	}
	W.command = GET("command");
	W.bar = GET("bar");
	W.status = GET("status");
	W.result = GET("result");
	W.page_source = GET("page_source");
	W.page_output = GET("page_output");
	W.page_progress = GET("page_progress");
	g_signal_connect(GET("source_browse"), "clicked", G_CALLBACK(browse), NULL);
	g_signal_connect(GET("output_browse"), "clicked", G_CALLBACK(browse), W.win);
#undef GET
	g_object_unref(b);
	/* the assistant hides its own Cancel on a progress page */
	W.stop = gtk_button_new_with_mnemonic("_Cancel");
	gtk_assistant_add_action_widget(W.win, W.stop);
	g_signal_connect_swapped(W.stop, "clicked", G_CALLBACK(cancel), NULL);
	gtk_window_set_transient_for(GTK_WINDOW(W.win), app_window());
	g_signal_connect(W.source, "changed", G_CALLBACK(on_source_changed), NULL);
	g_signal_connect(W.output, "changed", G_CALLBACK(on_output_changed), NULL);
	g_signal_connect(W.format, "changed", G_CALLBACK(on_format_changed), NULL);
	g_signal_connect(W.win, "prepare", G_CALLBACK(on_page), NULL);
	g_signal_connect(W.win, "apply", G_CALLBACK(on_apply), NULL);
	g_signal_connect(W.win, "cancel", G_CALLBACK(on_cancel), NULL);
	g_signal_connect(W.win, "close", G_CALLBACK(on_cancel), NULL);
	g_signal_connect(W.win, "delete-event", G_CALLBACK(on_delete), NULL);
	g_signal_connect(app_window(), "destroy", G_CALLBACK(on_main_destroy), NULL);
}
