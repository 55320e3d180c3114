// SPDX-License-Identifier: GPL-2.0-only
/*
 * inject_dialog.c --- dualvm-gtk's "Make it boot here" for a VM of the
 * library (inject-dialog.ui in the GResource).  `dualvm inject` works on
 * a disk, not on a library VM, so the dialog runs it on the VM's first
 * disk (the one that boots) as a child (GSubprocess):
 *
 *	dualvm inject DISK [--partition N] --disk-mode MODE
 *		      [--overlay-dir VMDIR] --json
 *
 * MODE is the user's choice: undoable (the default: the changes go into
 * DISK[-pN].undo.qcow2 in the VM's folder, the very overlay an undoable
 * run of the VM reads, and the end-of-run dialog commits or discards),
 * nonpersistent (a dry run, its overlay gone at exit) or persistent (the
 * disk itself, only when chosen).  --partition N is passed when the VM
 * exposes one partition N; a VM that exposes several gets no undoable
 * overlay (inject takes one partition, so its overlay would not be the
 * run's) and says so.  The --json report (doc/json/inject.schema.json)
 * fills the list of changed files; a refusal is the child's last stderr
 * line, shown in the dialog.
 *
 * Actions (app.*): boot-here (s: a VM name, "" = the selected one) opens
 * the dialog; boot-here-mode (s: undoable, nonpersistent, persistent)
 * mirrors the radio buttons (SetState or Activate ticks one);
 * boot-here-run = Inject; read-only mirrors: boot-here-status (the
 * status line), boot-here-report (a(ss): the list's rows, path and
 * what).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "jsonv.h"
#include "p2v/p2v.h"

enum { RESPONSE_INJECT = 1 };

static const char *const modes[] = { "undoable", "nonpersistent", "persistent" };

static struct {
	GtkDialog	*dlg;
	GtkWidget	*mode[3];	/* radio buttons, as modes[] */
	GtkWidget	*intro, *status, *inject;
	GtkListStore	*store;
	char		*vm;		/* the VM shown */
	char		*vm_mode;	/* its first disk's mode ("" default) */
	GSubprocess	*proc;		/* the running inject, or NULL */
} D;

static void set_state(const char *name, GVariant *v)
{
	GApplication *app = g_application_get_default();

	g_simple_action_set_state(G_SIMPLE_ACTION(g_action_map_lookup_action(
		G_ACTION_MAP(app), name)), v);
}

static void set_dstatus(const char *text)
{
	gtk_label_set_text(GTK_LABEL(D.status), text);
	set_state("boot-here-status", g_variant_new_string(
		  gtk_label_get_text(GTK_LABEL(D.status))));
}

/* The list's rows as the boot-here-report state, read from the store. */
static void sync_report(void)
{
	GtkTreeModel *m = GTK_TREE_MODEL(D.store);
	GVariantBuilder b;
	GtkTreeIter it;
	bool ok = gtk_tree_model_get_iter_first(m, &it);

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ss)"));
	for (; ok; ok = gtk_tree_model_iter_next(m, &it)) {
		char *path, *what;

		gtk_tree_model_get(m, &it, 0, &path, 1, &what, -1);
		g_variant_builder_add(&b, "(ss)", path ?: "", what ?: "");
		g_free(path);
		g_free(what);
	}
	set_state("boot-here-report", g_variant_builder_end(&b));
}

static char *mode_state(void)
{
	GApplication *app = g_application_get_default();
	GVariant *v = g_action_group_get_action_state(G_ACTION_GROUP(app),
						      "boot-here-mode");
	char *s = g_variant_dup_string(v, NULL);

	g_variant_unref(v);
	return s;
}

/* The VM's folder and first disk (path, mode, partitions): 0, or -1
 * with the reason in the status line. */
static int vm_disk(char *dir, char *path, char *mode, char *parts)
{
	char def[PATH_MAX], err[512];
	struct p2v_vmdef *d = g_malloc0(sizeof(*d));
	int rc = -1;

	if (p2v_lib_paths(D.vm, dir, def, PATH_MAX, err, sizeof(err)) ||
	    p2v_vmdef_load(def, P2V_VMDEF_NOCHECK, d, err, sizeof(err))) {
		char *s = g_strdup_printf("%s: %s", D.vm, err);

		set_dstatus(s);
		g_free(s);
		goto out;
	}
	snprintf(path, PATH_MAX, "%s", d->disk[0].path);
	snprintf(mode, 16, "%s", d->disk[0].mode);
	snprintf(parts, 64, "%s", d->disk[0].partitions);
	rc = 0;
out:
	g_free(d);
	return rc;
}

/* What the report says, in the list and the status line. */
static void show_report(GVariant *rep, const char *mode, const char *kept)
{
	GVariant *changes = g_variant_lookup_value(rep, "changes", G_VARIANT_TYPE("av"));
	GVariant *notes = g_variant_lookup_value(rep, "notes", G_VARIANT_TYPE("av"));
	const char *os = "?";
	GString *s = g_string_new(NULL);
	gsize n = changes ? g_variant_n_children(changes) : 0;

	g_variant_lookup(rep, "os", "&s", &os);
	for (gsize i = 0; i < n; i++) {
		GVariant *c = g_variant_get_child_value(changes, i);
		GVariant *o = g_variant_get_variant(c);
		const char *path = "", *what = "";

		g_variant_lookup(o, "path", "&s", &path);
		g_variant_lookup(o, "what", "&s", &what);
		gtk_list_store_insert_with_values(D.store, NULL, -1, 0, path,
						  1, what, -1);
		g_variant_unref(o);
		g_variant_unref(c);
	}
	sync_report();
	g_string_append_printf(s, "%s: %s %" G_GSIZE_FORMAT " file%s on partition %"
			       G_GINT64_FORMAT " (%s)", D.vm,
			       !strcmp(mode, "nonpersistent") ? "dry run: would change" :
			       "changed", n, n == 1 ? "" : "s",
			       jsonv_int(rep, "partition", 0), os);
	if (!n)
		g_string_append(s, ": nothing to change, it boots here already");
	else if (!strcmp(mode, "persistent"))
		g_string_append(s, ", written to the disk");
	else if (!strcmp(mode, "undoable"))
		g_string_append(s, ", kept in an undoable overlay in the VM's folder");
	if (n && !strcmp(mode, "undoable") && strcmp(D.vm_mode, "undoable"))
		g_string_append_printf(s, ".\n%s runs this disk %s, so its runs do "
				       "not read the overlay: make its disk mode "
				       "undoable, or `dualvm disk commit` the overlay",
				       D.vm, D.vm_mode[0] ? D.vm_mode : "in its default mode");
	if (kept[0])
		g_string_append_printf(s, "\n%s", kept);
	for (gsize i = 0; notes && i < g_variant_n_children(notes); i++) {
		GVariant *c = g_variant_get_child_value(notes, i);
		GVariant *o = g_variant_get_variant(c);

		if (g_variant_is_of_type(o, G_VARIANT_TYPE_STRING))
			g_string_append_printf(s, "\n%s", g_variant_get_string(o, NULL));
		g_variant_unref(o);
		g_variant_unref(c);
	}
	set_dstatus(s->str);
	g_string_free(s, TRUE);
	if (changes)
		g_variant_unref(changes);
	if (notes)
		g_variant_unref(notes);
}

static void inject_done(GObject *src, GAsyncResult *res, gpointer u)
{
	char *mode = u, *out = NULL, *errs = NULL, *msg;
	GSubprocess *p = G_SUBPROCESS(src);
	GError *e = NULL;
	GVariant *rep = NULL;
	char jerr[160] = "";

	D.proc = NULL;
	gtk_widget_set_sensitive(D.inject, TRUE);
	if (!g_subprocess_communicate_utf8_finish(p, res, &out, &errs, &e)) {
		msg = g_strdup_printf("%s: inject: %s", D.vm, e->message);
		g_error_free(e);
		goto out;
	}
	g_strstrip(errs);
	if (g_subprocess_get_successful(p))
		rep = jsonv_parse(out, jerr, sizeof(jerr));
	if (rep && g_variant_is_of_type(rep, G_VARIANT_TYPE_VARDICT)) {
		/* an undoable inject says on stderr where its changes are */
		const char *kept = strrchr(errs, '\n') ? strrchr(errs, '\n') + 1 : errs;

		show_report(rep, mode, g_str_has_prefix(kept, "dualvm: inject: ") ?
			    kept + 16 : kept);
		msg = g_strdup_printf("%s: made to boot here (%s)", D.vm, mode);
		app_status(msg);
		g_free(msg);
		msg = NULL;
	} else if (g_subprocess_get_successful(p)) {
		msg = g_strdup_printf("%s: unreadable report from dualvm inject: %s",
				      D.vm, jerr);
	} else {
		const char *why = strrchr(errs, '\n') ? strrchr(errs, '\n') + 1 : errs;

		msg = g_strdup_printf("%s: not changed: %s", D.vm,
				      why[0] ? why : "dualvm inject failed");
	}
out:
	if (msg) {
		set_dstatus(msg);
		app_status(msg);
		g_free(msg);
	}
	if (rep)
		g_variant_unref(rep);
	g_object_unref(p);
	g_free(out);
	g_free(errs);
	g_free(mode);
}

/* Inject: run `dualvm inject` on the VM's first disk. */
static void run_inject(void)
{
	char dir[PATH_MAX], path[PATH_MAX], vmode[16], parts[64];
	char *mode = mode_state(), *s;
	GPtrArray *v;
	GError *e = NULL;

	if (D.proc || !D.vm || vm_disk(dir, path, vmode, parts)) {
		g_free(mode);
		return;
	}
	g_free(D.vm_mode);
	D.vm_mode = g_strdup(vmode);
	if (strchr(parts, ',') && !strcmp(mode, "undoable")) {
		s = g_strdup_printf("%s exposes partitions %s: dualvm inject takes one "
				    "partition, so its overlay would not be the one the "
				    "VM's runs read; choose a dry run or persistent, or "
				    "run dualvm inject DISK --partition N yourself", D.vm,
				    parts);
		set_dstatus(s);
		g_free(s);
		g_free(mode);
		return;
	}
	v = g_ptr_array_new();
	g_ptr_array_add(v, (char *)app_dualvm());
	g_ptr_array_add(v, (char *)"inject");
	g_ptr_array_add(v, path);
	if (parts[0] && !strchr(parts, ',')) {
		g_ptr_array_add(v, (char *)"--partition");
		g_ptr_array_add(v, parts);
	}
	g_ptr_array_add(v, (char *)"--disk-mode");
	g_ptr_array_add(v, mode);
	if (strcmp(mode, "persistent")) {
		/* beside the VM, where `dualvm run NAME` keeps its overlays */
		g_ptr_array_add(v, (char *)"--overlay-dir");
		g_ptr_array_add(v, dir);
	}
	g_ptr_array_add(v, (char *)"--json");
	g_ptr_array_add(v, NULL);
	D.proc = g_subprocess_newv((const char *const *)v->pdata,
				   G_SUBPROCESS_FLAGS_STDIN_PIPE |
				   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
				   G_SUBPROCESS_FLAGS_STDERR_PIPE, &e);
	g_ptr_array_free(v, TRUE);
	if (!D.proc) {
		s = g_strdup_printf("%s: cannot run dualvm: %s", D.vm, e->message);
		set_dstatus(s);
		g_free(s);
		g_error_free(e);
		g_free(mode);
		return;
	}
	gtk_list_store_clear(D.store);
	sync_report();
	s = g_strdup_printf("%s: dualvm inject %s (%s) running…", D.vm, path, mode);
	set_dstatus(s);
	g_free(s);
	gtk_widget_set_sensitive(D.inject, FALSE);
	g_subprocess_communicate_utf8_async(D.proc, NULL, NULL, inject_done, mode);
}

static void on_response(GtkDialog *d, int resp, gpointer u)
{
	if (resp == RESPONSE_INJECT) {
		run_inject();
		return;
	}
	/* Close: an inject still running finishes; its report stays */
	gtk_widget_hide(GTK_WIDGET(D.dlg));
	gtk_window_set_application(GTK_WINDOW(D.dlg), NULL);
}

static void act_boot_here(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *name = g_variant_get_string(p, NULL);
	char dir[PATH_MAX], path[PATH_MAX], vmode[16], parts[64], *s;

	if (!name[0])
		name = app_selected();
	if (!name || !p2v_lib_exists(name)) {
		s = g_strdup_printf("%s: no such VM in the library", name ? name :
				    "no VM selected");
		app_status(name ? s : "no VM selected");
		g_free(s);
		return;
	}
	if (D.proc) {
		app_status("make it boot here: an inject runs already");
		gtk_window_present(GTK_WINDOW(D.dlg));
		return;
	}
	g_free(D.vm);
	D.vm = g_strdup(name);
	gtk_list_store_clear(D.store);
	sync_report();
	set_dstatus("");
	if (!vm_disk(dir, path, vmode, parts)) {
		s = g_strdup_printf("Make the OS on %s's disk %s%s%s boot on dualvm's "
				    "virtual hardware: dualvm inject adds its storage "
				    "and network drivers (Linux initramfs, Windows "
				    "registry) and fixes device names.", name, path,
				    parts[0] ? ", partitions " : "", parts);
		gtk_label_set_text(GTK_LABEL(D.intro), s);
		g_free(s);
	}
	gtk_window_set_application(GTK_WINDOW(D.dlg),
				   GTK_APPLICATION(g_application_get_default()));
	gtk_window_present(GTK_WINDOW(D.dlg));
}

static void act_run(GSimpleAction *a, GVariant *p, gpointer u)
{
	run_inject();
}

/* SetState/Activate of boot-here-mode: tick its radio button, whose
 * "toggled" sets the state (an unknown mode changes nothing). */
static void change_mode(GSimpleAction *a, GVariant *v, gpointer u)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(g_variant_get_string(v, NULL), modes[i]))
			gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(D.mode[i]),
						     TRUE);
}

static void on_mode_toggled(GtkToggleButton *b, gpointer u)
{
	if (gtk_toggle_button_get_active(b))
		set_state("boot-here-mode", g_variant_new_string(u));
}

static void change_readonly(GSimpleAction *a, GVariant *v, gpointer u)
{
}

static gboolean on_delete(GtkWidget *w, GdkEvent *ev, gpointer u)
{
	on_response(D.dlg, GTK_RESPONSE_CLOSE, NULL);
	return TRUE;
}

static void on_main_destroy(GtkWidget *w, gpointer u)
{
	on_response(D.dlg, GTK_RESPONSE_CLOSE, NULL);
}

static const GActionEntry entries[] = {
	{ "boot-here", act_boot_here, "s", NULL, NULL, { 0 } },
	{ "boot-here-mode", change_mode, "s", "'undoable'", change_mode, { 0 } },
	{ "boot-here-run", act_run, NULL, NULL, NULL, { 0 } },
	{ "boot-here-status", NULL, NULL, "''", change_readonly, { 0 } },
	{ "boot-here-report", NULL, NULL, "@a(ss) []", change_readonly, { 0 } },
};

void inject_dialog_init(GtkApplication *app)
{
	GtkBuilder *b = gtk_builder_new_from_resource("/org/dualvm/Gtk/inject-dialog.ui");

	g_action_map_add_action_entries(G_ACTION_MAP(app), entries,
					G_N_ELEMENTS(entries), NULL);
	D.dlg = GTK_DIALOG(gtk_builder_get_object(b, "dialog"));
	D.intro = GTK_WIDGET(gtk_builder_get_object(b, "intro"));
	D.status = GTK_WIDGET(gtk_builder_get_object(b, "status"));
	D.inject = GTK_WIDGET(gtk_builder_get_object(b, "inject"));
	D.store = GTK_LIST_STORE(gtk_builder_get_object(b, "store"));
	D.mode[0] = GTK_WIDGET(gtk_builder_get_object(b, "mode_undoable"));
	D.mode[1] = GTK_WIDGET(gtk_builder_get_object(b, "mode_dry"));
	D.mode[2] = GTK_WIDGET(gtk_builder_get_object(b, "mode_persistent"));
	for (int i = 0; i < 3; i++)
		g_signal_connect(D.mode[i], "toggled", G_CALLBACK(on_mode_toggled),
				 (gpointer)modes[i]);
	g_object_unref(b);
	D.vm_mode = g_strdup("");
	gtk_window_set_transient_for(GTK_WINDOW(D.dlg), app_window());
	g_signal_connect(D.dlg, "response", G_CALLBACK(on_response), NULL);
	g_signal_connect(D.dlg, "delete-event", G_CALLBACK(on_delete), NULL);
	/* the app quits with its main window: closed, not destroyed (an
	 * inject still running may end, and finds its widgets) */
	g_signal_connect(app_window(), "destroy", G_CALLBACK(on_main_destroy),
			 NULL);
}
