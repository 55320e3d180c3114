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
 * as a child through p2v_job.c, which reads its JSON Lines asynchronously
 * and tells the wizard what to show: the bar (done/total of the phase,
 * rate, ETA), the line under it, the last page (bytes copied, verify
 * ok; or the child's stderr reason of a refusal).  Cancel (a button of
 * ours on the progress page, where GtkAssistant hides its own; closing
 * the window; app.p2v-cancel) sends SIGINT: dualvm p2v removes its
 * partial output and exits 130, and the job checks that neither the
 * output nor the partial file is left.  "Add to the library" adds dualvm
 * to --vm; the job then runs `dualvm vm import STEM.dualvm` and the
 * sidebar is refreshed.  The main loop never waits for the child.
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
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "p2v_job.h"

enum { VM_VMX, VM_OVF, VM_OVA, VM_LIBVIRT, VM_DUALVM, VM_KINDS };
static const char *const vm_kind[VM_KINDS] = {
	"vmx", "ovf", "ova", "libvirt", "dualvm",
};

static struct {
	GtkAssistant	*win;
	GtkWidget	*source, *output, *format, *vm[VM_KINDS];
	GtkWidget	*command, *bar, *status, *result;
	GtkWidget	*stop;		/* Cancel while the child runs */
	GtkWidget	*page_source, *page_output, *page_progress;
	struct gui_p2v_job *job;	/* NULL when nothing runs */
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

static void browse_done(GtkNativeDialog *fc, int resp, gpointer u)
{
	char *f = resp == GTK_RESPONSE_ACCEPT ?
		  gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(fc)) : NULL;

	if (f)
		gtk_entry_set_text(GTK_ENTRY(u), f);
	g_free(f);
	g_object_unref(fc);
}

/* Choose…: a file chooser (shown, not run: the main loop goes on) that
 * fills the source (@u NULL) or the output entry. */
static void browse(GtkButton *b, gpointer u)
{
	bool save = u != NULL;
	GtkEntry *e = GTK_ENTRY(save ? W.output : W.source);
	GtkFileChooserNative *fc = gtk_file_chooser_native_new(
		save ? "Output image" : "Disk image or device", GTK_WINDOW(W.win),
		save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
		NULL, NULL);
	GtkFileChooser *c = GTK_FILE_CHOOSER(fc);

	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(fc), TRUE);
	if (gtk_entry_get_text(e)[0])
		gtk_file_chooser_set_filename(c, gtk_entry_get_text(e));
	g_signal_connect(fc, "response", G_CALLBACK(browse_done), e);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(fc));
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

static void job_progress(void *ctx, double fraction, const char *text)
{
	set_progress(fraction, text);
}

static void job_status(void *ctx, const char *text)
{
	set_wstatus(text);
}

static void job_imported(void *ctx, const char *name)
{
	app_refresh();
}

/* The end of a conversion: its status line (also in the main window's
 * status bar), the last page's text, and that page shown (the
 * assistant's buttons work again). */
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

static void job_end(void *ctx, const char *status, const char *text)
{
	W.job = NULL;
	gtk_widget_hide(W.stop);
	show_end(status, text);
}

static const struct gui_p2v_job_ui job_ui = {
	.progress	= job_progress,
	.status		= job_status,
	.imported	= job_imported,
	.end		= job_end,
};

/* Run the p2v child of the fields; the progress page is shown. */
static void start(void)
{
	GPtrArray *argv;
	char err[512];

	if (W.job)
		return;
	argv = p2v_argv();
	gtk_assistant_set_page_complete(W.win, W.page_progress, FALSE);
	gtk_assistant_commit(W.win);
	set_progress(0, "");
	set_result("");
	if (gui_p2v_job_start((const char *const *)argv->pdata, argv->pdata[3],
			      app_dualvm(), state_bool("p2v-add"), &job_ui,
			      &W.job, err, sizeof(err))) {
		char *t = g_strdup_printf("Failed: %s", err);

		show_end("failed: cannot run dualvm", t);
		g_free(t);
	} else {
		gtk_widget_set_sensitive(W.stop, TRUE);
		gtk_widget_show(W.stop);
		set_wstatus("Starting…");
		app_status("P2V: converting…");
	}
	g_ptr_array_unref(argv);
}

static void cancel(void)
{
	if (!W.job)
		return;
	gui_p2v_job_cancel(W.job);
	gtk_widget_set_sensitive(W.stop, FALSE);
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

/* A page is about to be shown: the confirm page's command line, the
 * app.p2v-page state, the window's title. */
static void on_page(GtkAssistant *a, GtkWidget *page, gpointer u)
{
	if (page == gtk_widget_get_parent(W.command))
		show_command();
	set_state("p2v-page", g_variant_new_string(
		  gtk_assistant_get_page_title(a, page) ?: ""));
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
	char why[256];

	if (!app_save_png(GTK_WIDGET(W.win), g_variant_get_string(p, NULL),
			  why, sizeof(why))) {
		char *s = g_strdup_printf("P2V screenshot: %s", why);

		app_status(s);
		g_free(s);
	}
}

/* The app quits (or its main window goes): stop the child cleanly. */
static void on_main_destroy(GtkWidget *w, gpointer u)
{
	cancel();
	hide_wizard();	/* not destroyed: a late callback finds its widgets */
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
