// SPDX-License-Identifier: GPL-2.0-only
/*
 * dualvm-gtk: the desktop front end of dualvm (GTK 3 GtkApplication,
 * id org.dualvm.Gtk).  The VM library in a sidebar and a details page,
 * read through the p2v library (p2v_lib_*, p2v_vmdef_load()); power on
 * runs `dualvm run NAME --display gtk --on-exit keep` as a child
 * (GSubprocess, so the main loop never waits), power off sends it SIGTERM
 * (dualvm closes its disks and exits 130), and when a child ends with
 * undoable overlays kept in the VM's folder a dialog asks Commit /
 * Discard / Keep and runs `dualvm disk commit|discard OVERLAY` as a child.
 * The other windows live in their own files and add their own actions:
 * the P2V wizard (wizard_p2v.c: `dualvm p2v --json` as a child, its JSON
 * Lines read without blocking) and "Make it boot here" (inject_dialog.c:
 * `dualvm inject --json` on a library VM's disk) and "New VM from a
 * partition of this computer" (wizard_part.c: hwp_inspect() and the safety
 * checks in a worker thread, `dualvm vm create` as a child); app.h is what they use
 * of this file (the main window, the dualvm binary, the status bar, the
 * sidebar's refresh).
 * The child's screen is a "Console: NAME" tab beside the details page, its
 * grab state is shown in the status bar, and Ctrl+Alt+Del is sent to it
 * through a socket pair (console.c, gui/gui.c).
 *
 * Every action is an app.* GAction (exported on D-Bus as org.gtk.Actions
 * at /org/dualvm/Gtk): power-on, power-off, reset, delete take a VM name
 * ("" = the selected VM), as does ctrl-alt-del (the guest gets Ctrl+Alt+Del
 * from its display); refresh, quit, about take none; select (s) is
 * stateful (the selected VM); library (as), details (a(ss)) and status
 * (s) are read-only states that mirror the widgets (the sidebar's row
 * labels, the details page's label pairs, the status bar's text), so
 * scripts see what a user sees, as does consoles (a(sbb): per console tab
 * its label, whether the child's display is plugged into it, whether that
 * display has grabbed the input); points (as) says where a click on each
 * sidebar row and toolbar button lands, for tests that press them with
 * real pointer events; screenshot (s) saves the window as PNG.
 * The wizards' actions (app.p2v-*, app.boot-here*) are described in
 * their files and gui/README.md.
 *
 * DUALVM_GTK_RUN_OPTS (environment): extra `dualvm run` options, shell
 * quoted, e.g. "--serial /tmp/vm.log --engine interp".
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "app.h"
#include "p2v/p2v.h"

#define APP_ID "org.dualvm.Gtk"

/* A VM powered on by this app. */
struct run {
	char		*name;
	GSubprocess	*proc;
	char		*reason;	/* last non-empty stderr line */
	GDataInputStream *err;
	bool		 restart;	/* reset: power on again at exit */
	bool		 exited;
	struct console	*con;		/* its tab and channel (console.c) */
};

struct app {
	GtkApplication	*gapp;
	GtkWidget	*win, *list, *details, *status, *pages, *toolbar;
	GHashTable	*runs;		/* name -> struct run */
	GHashTable	*last;		/* name -> last status text */
	char		 dualvm[PATH_MAX + 16];
	bool		 filling;	/* list being rebuilt */
};

static struct app A;

static void refresh_library(void);
static void select_name(const char *name);
static void sync_details_state(void);

/* ---------------------------------------------------------------- helpers */

/* The dualvm binary beside ours (build/bin, /usr/bin), else from PATH. */
static void find_dualvm(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);


	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');

		if (slash) {
			*slash = '\0';
			snprintf(A.dualvm, sizeof(A.dualvm), "%s/dualvm", self);
			if (!access(A.dualvm, X_OK))
				return;
		}
	}
	snprintf(A.dualvm, sizeof(A.dualvm), "dualvm");
}

void set_status(const char *fmt, ...)
{
	va_list ap;
	char *s;
	GAction *a;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	gtk_label_set_text(GTK_LABEL(A.status), s);
	g_free(s);
	/* the state is read back from the widget */
	a = g_action_map_lookup_action(G_ACTION_MAP(A.gapp), "status");
	if (a)
		g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_new_string(
			gtk_label_get_text(GTK_LABEL(A.status))));
}

/* The selected VM's name (owned by the row) or NULL. */
static const char *selected(void)
{
	GtkListBoxRow *r = gtk_list_box_get_selected_row(GTK_LIST_BOX(A.list));

	return r ? gtk_label_get_text(GTK_LABEL(gtk_bin_get_child(GTK_BIN(r)))) : NULL;
}

/* The VM an action names: its parameter, or the selection for "". */
static const char *target(GVariant *p)
{
	const char *s = p ? g_variant_get_string(p, NULL) : "";

	return s[0] ? s : selected();
}

/* The status line of @name: running, or how its last run ended. */
void show_vm_status(const char *name)
{
	struct run *r = g_hash_table_lookup(A.runs, name);
	const char *last = g_hash_table_lookup(A.last, name);

	if (r)
		set_status("%s: running (pid %s)", name,
			   g_subprocess_get_identifier(r->proc) ?: "?");
	else if (last)
		set_status("%s", last);
	else
		set_status("%s: stopped", name);
}

/* ---------------------------------------------------------------- app.h */

GtkWindow *app_window(void)
{
	return GTK_WINDOW(A.win);
}

const char *app_dualvm(void)
{
	return A.dualvm;
}

const char *app_selected(void)
{
	return selected();
}

void app_status(const char *text)
{
	set_status("%s", text);
}

void app_refresh(void)
{
	refresh_library();
}

void app_select(const char *name)
{
	select_name(name);
}

/* ---------------------------------------------------------------- details */

static void detail_row(int *row, const char *key, const char *val)
{
	GtkWidget *k = gtk_label_new(key), *v = gtk_label_new(val);

	gtk_label_set_xalign(GTK_LABEL(k), 1);
	gtk_label_set_xalign(GTK_LABEL(v), 0);
	gtk_label_set_selectable(GTK_LABEL(v), TRUE);
	gtk_label_set_line_wrap(GTK_LABEL(v), TRUE);
	gtk_style_context_add_class(gtk_widget_get_style_context(k), "dim-label");
	gtk_grid_attach(GTK_GRID(A.details), k, 0, *row, 1, 1);
	gtk_grid_attach(GTK_GRID(A.details), v, 1, *row, 1, 1);
	(*row)++;
}

static void show_details(const char *name)
{
	GList *kids = gtk_container_get_children(GTK_CONTAINER(A.details));
	struct p2v_vmdef *d;
	char dir[PATH_MAX], def[PATH_MAX], err[512], buf[PATH_MAX + 128];
	int row = 0;

	for (GList *l = kids; l; l = l->next)
		gtk_widget_destroy(l->data);
	g_list_free(kids);
	if (!name) {
		sync_details_state();
		return;
	}
	detail_row(&row, "Name", name);
	d = g_malloc0(sizeof(*d));
	if (p2v_lib_paths(name, dir, def, sizeof(dir), err, sizeof(err)) ||
	    p2v_vmdef_load(def, P2V_VMDEF_NOCHECK, d, err, sizeof(err))) {
		detail_row(&row, "Error", err);
		goto out;
	}
	detail_row(&row, "Definition", def);
	snprintf(buf, sizeof(buf), d->mem_mib ? "%u MiB" : "default (256 MiB)",
		 d->mem_mib);
	detail_row(&row, "Memory", buf);
	snprintf(buf, sizeof(buf), d->cpus ? "%u" : "default (1)", d->cpus);
	detail_row(&row, "CPUs", buf);
	detail_row(&row, "Firmware", d->uefi ? "UEFI" : "BIOS");
	detail_row(&row, "NIC", d->nic ? "e1000" : "none");
	for (unsigned int i = 0; i < d->ndisks; i++) {
		char key[32];

		snprintf(key, sizeof(key), "Disk %u", i);
		snprintf(buf, sizeof(buf), "%s\nmode %s, %s%s%s",
			 d->disk[i].path,
			 d->disk[i].mode[0] ? d->disk[i].mode : "default",
			 d->disk[i].partitions[0] ? "partitions " : "whole disk",
			 d->disk[i].partitions,
			 access(d->disk[i].path, F_OK) ? " (missing)" : "");
		detail_row(&row, key, buf);
	}
out:
	g_free(d);
	gtk_widget_show_all(A.details);
	sync_details_state();
}

/* The details page's rows as the app.details state a(ss), read back from
 * the grid's labels. */
static void sync_details_state(void)
{
	GVariantBuilder b;
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(A.gapp), "details");

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ss)"));
	for (int row = 0; ; row++) {
		GtkWidget *k = gtk_grid_get_child_at(GTK_GRID(A.details), 0, row);
		GtkWidget *v = gtk_grid_get_child_at(GTK_GRID(A.details), 1, row);

		if (!k || !v)
			break;
		g_variant_builder_add(&b, "(ss)", gtk_label_get_text(GTK_LABEL(k)),
				      gtk_label_get_text(GTK_LABEL(v)));
	}
	g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_builder_end(&b));
}

/* ---------------------------------------------------------------- library */

static void sync_library_state(void)
{
	GVariantBuilder b;
	GList *rows = gtk_container_get_children(GTK_CONTAINER(A.list));
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(A.gapp), "library");

	g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
	for (GList *l = rows; l; l = l->next)
		g_variant_builder_add(&b, "s", gtk_label_get_text(
			GTK_LABEL(gtk_bin_get_child(GTK_BIN(l->data)))));
	g_list_free(rows);
	g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_builder_end(&b));
}

/* "WHAT\tX,Y" into @b: where a click on @w lands in the main window (its
 * middle), if @w is laid out. */
static void add_point(GVariantBuilder *b, const char *what, GtkWidget *w)
{
	int x, y;
	char *s;

	if (!gtk_widget_get_mapped(w) ||
	    !gtk_widget_translate_coordinates(w, A.win,
			gtk_widget_get_allocated_width(w) / 2,
			gtk_widget_get_allocated_height(w) / 2, &x, &y))
		return;
	s = g_strdup_printf("%s\t%d,%d", what, x, y);
	g_variant_builder_add(b, "s", s);
	g_free(s);
}

/* The app.points state: where a click on each sidebar row ("vm:NAME") and
 * toolbar button ("button:LABEL") lands in the main window, so that tests
 * press the real widgets with real pointer events (xdotool). */
static void sync_points(void)
{
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(A.gapp), "points");
	GList *kids, *l;
	GVariantBuilder b;
	char *what;

	if (!a || !A.win)
		return;
	g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
	kids = gtk_container_get_children(GTK_CONTAINER(A.list));
	for (l = kids; l; l = l->next) {
		what = g_strdup_printf("vm:%s", gtk_label_get_text(
			GTK_LABEL(gtk_bin_get_child(GTK_BIN(l->data)))));
		add_point(&b, what, l->data);
		g_free(what);
	}
	g_list_free(kids);
	kids = gtk_container_get_children(GTK_CONTAINER(A.toolbar));
	for (l = kids; l; l = l->next) {
		if (!GTK_IS_TOOL_BUTTON(l->data))
			continue;
		what = g_strdup_printf("button:%s", gtk_tool_button_get_label(
			GTK_TOOL_BUTTON(l->data)));
		add_point(&b, what, l->data);
		g_free(what);
	}
	g_list_free(kids);
	g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_builder_end(&b));
}

static void on_laid_out(GtkWidget *w, GdkRectangle *r, gpointer u)
{
	sync_points();
}

/* The first layout comes before the widgets are mapped. */
static gboolean on_mapped(GtkWidget *w, GdkEvent *ev, gpointer u)
{
	sync_points();
	return FALSE;
}

static void select_name(const char *name)
{
	GList *rows = gtk_container_get_children(GTK_CONTAINER(A.list));

	for (GList *l = rows; l; l = l->next) {
		const char *s = gtk_label_get_text(
			GTK_LABEL(gtk_bin_get_child(GTK_BIN(l->data))));

		if (name && !strcmp(s, name)) {
			gtk_list_box_select_row(GTK_LIST_BOX(A.list), l->data);
			break;
		}
	}
	g_list_free(rows);
}

static void refresh_library(void)
{
	char **names = NULL, err[512];
	unsigned int n = 0;
	char *keep = g_strdup(selected());
	GList *rows = gtk_container_get_children(GTK_CONTAINER(A.list));

	A.filling = true;
	for (GList *l = rows; l; l = l->next)
		gtk_widget_destroy(l->data);
	g_list_free(rows);
	if (p2v_lib_list(&names, &n, err, sizeof(err)))
		set_status("library: %s", err);
	for (unsigned int i = 0; i < n; i++) {
		GtkWidget *l = gtk_label_new(names[i]);

		gtk_label_set_xalign(GTK_LABEL(l), 0);
		gtk_widget_set_margin_start(l, 8);
		gtk_widget_set_margin_top(l, 6);
		gtk_widget_set_margin_bottom(l, 6);
		gtk_list_box_insert(GTK_LIST_BOX(A.list), l, -1);
		free(names[i]);
	}
	free(names);
	gtk_widget_show_all(A.list);
	A.filling = false;
	sync_library_state();
	select_name(keep);
	if (!selected()) {
		GtkListBoxRow *r = gtk_list_box_get_row_at_index(GTK_LIST_BOX(A.list), 0);

		if (r)
			gtk_list_box_select_row(GTK_LIST_BOX(A.list), r);
		else
			show_details(NULL);
	}
	g_free(keep);
}

static void on_row_selected(GtkListBox *box, GtkListBoxRow *row, gpointer u)
{
	const char *name = selected();
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(A.gapp), "select");

	if (A.filling)
		return;
	g_simple_action_set_state(G_SIMPLE_ACTION(a),
				  g_variant_new_string(name ? name : ""));
	show_details(name);
	if (name)
		show_vm_status(name);
}

/* ---------------------------------------------------------------- overlays */

/* Undoable overlays a run left in the VM's folder (the library keeps them
 * there as *.undo.qcow2, p2v/p2v.h). */
static GPtrArray *kept_overlays(const char *name)
{
	char dir[PATH_MAX], def[PATH_MAX], err[512];
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	GDir *d;
	const char *e;

	if (p2v_lib_paths(name, dir, def, sizeof(dir), err, sizeof(err)))
		return v;
	d = g_dir_open(dir, 0, NULL);
	if (!d)
		return v;
	while ((e = g_dir_read_name(d)))
		if (g_str_has_suffix(e, ".undo.qcow2"))
			g_ptr_array_add(v, g_build_filename(dir, e, NULL));
	g_dir_close(d);
	return v;
}

struct disk_job {
	char *name, *verb, *ovl;
};

static void disk_job_done(GObject *src, GAsyncResult *res, gpointer u)
{
	struct disk_job *j = u;
	GSubprocess *p = G_SUBPROCESS(src);
	char *out = NULL, *errs = NULL, *msg;
	GError *e = NULL;

	if (!g_subprocess_communicate_utf8_finish(p, res, &out, &errs, &e)) {
		set_status("%s: disk %s: %s", j->name, j->verb, e->message);
		g_error_free(e);
	} else if (g_subprocess_get_successful(p)) {
		msg = g_strdup_printf("%s: changes %s (%s)", j->name,
				      strcmp(j->verb, "commit") ? "discarded" :
				      "committed", j->ovl);
		set_status("%s", msg);
		g_hash_table_replace(A.last, g_strdup(j->name), msg);
	} else {
		g_strchomp(errs);
		char *nl = strrchr(errs, '\n');

		set_status("%s: disk %s failed: %s", j->name, j->verb,
			   nl ? nl + 1 : errs);
	}
	g_free(out);
	g_free(errs);
	g_object_unref(p);
	g_free(j->name);
	g_free(j->verb);
	g_free(j->ovl);
	g_free(j);
}

static void run_disk_job(const char *name, const char *verb, const char *ovl)
{
	GError *e = NULL;
	GSubprocess *p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
					  G_SUBPROCESS_FLAGS_STDOUT_PIPE |
					  G_SUBPROCESS_FLAGS_STDERR_PIPE, &e,
					  A.dualvm, "disk", verb, ovl, NULL);
	struct disk_job *j;

	if (!p) {
		set_status("%s: disk %s: %s", name, verb, e->message);
		g_error_free(e);
		return;
	}
	j = g_new0(struct disk_job, 1);
	j->name = g_strdup(name);
	j->verb = g_strdup(verb);
	j->ovl = g_strdup(ovl);
	set_status("%s: %s of %s running…", name, verb, ovl);
	g_subprocess_communicate_utf8_async(p, NULL, NULL, disk_job_done, j);
}

enum { ANSWER_COMMIT = 1, ANSWER_DISCARD, ANSWER_KEEP };

static void undo_answer(GtkDialog *dlg, int resp, gpointer u)
{
	char *ovl = g_object_get_data(G_OBJECT(dlg), "overlay");
	char *name = g_object_get_data(G_OBJECT(dlg), "vm");

	if (resp == ANSWER_COMMIT)
		run_disk_job(name, "commit", ovl);
	else if (resp == ANSWER_DISCARD)
		run_disk_job(name, "discard", ovl);
	else
		set_status("%s: the changes stay in %s", name, ovl);
	gtk_widget_destroy(GTK_WIDGET(dlg));
}

/* Ask what to do with each overlay the run of @name kept. */
static void ask_overlays(const char *name)
{
	GPtrArray *v = kept_overlays(name);

	for (unsigned int i = 0; i < v->len; i++) {
		const char *ovl = v->pdata[i];
		GtkWidget *d = gtk_message_dialog_new(GTK_WINDOW(A.win),
			GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_QUESTION,
			GTK_BUTTONS_NONE, "%s changed its disk", name);

		gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(d),
			"The changes are kept in %s.\nCommit them to the disk, "
			"discard them, or keep them for later?", ovl);
		gtk_dialog_add_buttons(GTK_DIALOG(d), "_Commit", ANSWER_COMMIT,
				       "_Discard", ANSWER_DISCARD,
				       "_Keep", ANSWER_KEEP, NULL);
		gtk_dialog_set_default_response(GTK_DIALOG(d), ANSWER_KEEP);
		gtk_window_set_title(GTK_WINDOW(d), "dualvm: undoable disk");
		g_object_set_data_full(G_OBJECT(d), "overlay", g_strdup(ovl), g_free);
		g_object_set_data_full(G_OBJECT(d), "vm", g_strdup(name), g_free);
		g_signal_connect(d, "response", G_CALLBACK(undo_answer), NULL);
		gtk_widget_show(d);
	}
	g_ptr_array_unref(v);
}

/* ---------------------------------------------------------------- power */

static void power_on_name(const char *name);
static void after_exit(const char *name, bool restart);

static void run_finish(struct run *r);

/* Lines of the child's stderr: the last non-empty one is the reason
 * shown with the exit code. */
static void read_err_line(GObject *src, GAsyncResult *res, gpointer u)
{
	struct run *r = u;
	char *line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(src), res, NULL, NULL);

	if (!line) {		/* EOF or error: the child closed stderr */
		g_object_unref(r->err);
		r->err = NULL;
		if (r->exited)
			run_finish(r);
		return;
	}
	g_strstrip(line);
	if (line[0]) {
		g_free(r->reason);
		r->reason = line;
	} else {
		g_free(line);
	}
	g_data_input_stream_read_line_async(r->err, G_PRIORITY_DEFAULT, NULL,
					    read_err_line, r);
}

/* The child has exited and its stderr is read to the end. */
static void run_finish(struct run *r)
{
	GSubprocess *p = r->proc;
	char *msg, *name;
	bool restart = r->restart;

	if (g_subprocess_get_if_exited(p))
		msg = g_strdup_printf("%s: stopped (exit %d%s%s)", r->name,
				      g_subprocess_get_exit_status(p),
				      r->reason ? ": " : "", r->reason ? r->reason : "");
	else
		msg = g_strdup_printf("%s: stopped (signal %d)", r->name,
				      g_subprocess_get_term_sig(p));
	g_hash_table_replace(A.last, g_strdup(r->name), msg);
	name = g_strdup(r->name);
	g_hash_table_remove(A.runs, name);	/* frees r */
	after_exit(name, restart);
	g_free(name);
}

static void child_exited(GObject *src, GAsyncResult *res, gpointer u)
{
	struct run *r = u;

	g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL);
	r->exited = true;
	if (!r->err)
		run_finish(r);
}

static void run_free(gpointer p)
{
	struct run *r = p;

	if (r->err)
		g_object_unref(r->err);
	console_free(r->con);
	g_object_unref(r->proc);
	g_free(r->reason);
	g_free(r->name);
	g_free(r);
}

static void power_on_name(const char *name)
{
	GPtrArray *argv = g_ptr_array_new();
	const char *extra = g_getenv("DUALVM_GTK_RUN_OPTS");
	char **ext = NULL;
	GError *e = NULL;
	GSubprocessLauncher *l;
	struct console *con;
	GSubprocess *p;
	struct run *r;

	if (g_hash_table_contains(A.runs, name)) {
		set_status("%s: already running", name);
		return;
	}
	if (!p2v_lib_exists(name)) {
		set_status("%s: no such VM in the library", name);
		return;
	}
	if (extra && extra[0] && !g_shell_parse_argv(extra, NULL, &ext, &e)) {
		set_status("DUALVM_GTK_RUN_OPTS: %s", e->message);
		g_error_free(e);
		return;
	}
	g_ptr_array_add(argv, A.dualvm);
	g_ptr_array_add(argv, (char *)"run");
	g_ptr_array_add(argv, (char *)"--display");
	g_ptr_array_add(argv, (char *)"gtk");
	g_ptr_array_add(argv, (char *)"--on-exit");
	g_ptr_array_add(argv, (char *)"keep");
	for (char **x = ext; x && *x; x++)
		g_ptr_array_add(argv, *x);
	g_ptr_array_add(argv, (char *)name);
	g_ptr_array_add(argv, NULL);
	/* stdin a pipe: the child never sees a terminal, never prompts */
	l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE |
				      G_SUBPROCESS_FLAGS_STDERR_PIPE);
	con = console_new(name, l);
	p = g_subprocess_launcher_spawnv(l, (const char *const *)argv->pdata, &e);
	g_object_unref(l);
	g_ptr_array_free(argv, TRUE);
	g_strfreev(ext);
	if (!p) {
		console_free(con);
		set_status("%s: cannot start dualvm: %s", name, e->message);
		g_error_free(e);
		return;
	}
	r = g_new0(struct run, 1);
	r->name = g_strdup(name);
	r->proc = p;
	r->con = con;
	r->err = g_data_input_stream_new(g_subprocess_get_stderr_pipe(p));
	g_hash_table_replace(A.runs, r->name, r);
	g_data_input_stream_read_line_async(r->err, G_PRIORITY_DEFAULT, NULL,
					    read_err_line, r);
	g_subprocess_wait_async(p, NULL, child_exited, r);
}

static void act_power_on(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *name = target(p);

	if (!name) {
		set_status("no VM selected");
		return;
	}
	power_on_name(name);
	if (!g_strcmp0(name, selected()) || !selected())
		show_vm_status(name);
}

/* The run of the VM an action names (@p, "" = the selected one), or NULL
 * after saying in the status bar that it is not running. */
static struct run *running(GVariant *p, const char **name)
{
	struct run *r;

	*name = target(p);
	r = *name ? g_hash_table_lookup(A.runs, *name) : NULL;
	if (!r)
		set_status("%s: not running", *name ? *name : "no VM selected");
	return r;
}

static void act_power_off(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *name;
	struct run *r = running(p, &name);

	if (!r)
		return;
	/* dualvm run stops the guest and closes its disks on SIGTERM */
	g_subprocess_send_signal(r->proc, SIGTERM);
	set_status("%s: stopping…", name);
}

static void act_reset(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *name;
	struct run *r = running(p, &name);

	if (!r)
		return;
	/* no reset line into a running dualvm: stop it, start it again */
	r->restart = true;
	g_subprocess_send_signal(r->proc, SIGTERM);
	set_status("%s: resetting…", name);
}

/* Ctrl+Alt+Del into the guest: a request to the child's display. */
static void act_ctrl_alt_del(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *name;
	struct run *r = running(p, &name);
	int err;

	if (!r)
		return;
	err = console_request(r->con, "ctrl-alt-del");
	if (err)
		set_status("%s: Ctrl+Alt+Del not sent: %s", name, g_strerror(-err));
	else
		set_status("%s: Ctrl+Alt+Del sent", name);
}

/* Called after the child's struct run is gone (see child_exited). */
static void after_exit(const char *name, bool restart)
{
	GPtrArray *v;

	if (!g_strcmp0(name, selected()))
		show_vm_status(name);
	else
		set_status("%s", (char *)g_hash_table_lookup(A.last, name));
	if (restart) {
		v = kept_overlays(name);
		if (!v->len) {
			g_ptr_array_unref(v);
			power_on_name(name);
			show_vm_status(name);
			return;
		}
		g_ptr_array_unref(v);
	}
	ask_overlays(name);
}

/* ---------------------------------------------------------------- delete */

static void delete_answer(GtkDialog *dlg, int resp, gpointer u)
{
	char *name = g_object_get_data(G_OBJECT(dlg), "vm");
	char dir[PATH_MAX], def[PATH_MAX], err[512];

	if (resp == GTK_RESPONSE_ACCEPT) {
		if (g_hash_table_contains(A.runs, name))
			set_status("%s: running: power it off first", name);
		else if (p2v_lib_paths(name, dir, def, sizeof(dir), err, sizeof(err)) ||
			 p2v_lib_remove(dir, NULL, NULL, NULL, err, sizeof(err)))
			set_status("%s: not deleted: %s", name, err);
		else {
			set_status("%s: deleted", name);
			refresh_library();
		}
	}
	gtk_widget_destroy(GTK_WIDGET(dlg));
}

static void act_delete(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *name = target(p);
	GtkWidget *d;

	if (!name) {
		set_status("no VM selected");
		return;
	}
	d = gtk_message_dialog_new(GTK_WINDOW(A.win), GTK_DIALOG_MODAL |
				   GTK_DIALOG_DESTROY_WITH_PARENT,
				   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
				   "Delete the VM %s?", name);
	gtk_window_set_title(GTK_WINDOW(d), "dualvm: delete VM");
	gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(d),
		"Its folder and what dualvm made there are removed; disks "
		"outside the folder are kept.");
	gtk_dialog_add_buttons(GTK_DIALOG(d), "_Cancel", GTK_RESPONSE_CANCEL,
			       "_Delete", GTK_RESPONSE_ACCEPT, NULL);
	g_object_set_data_full(G_OBJECT(d), "vm", g_strdup(name), g_free);
	g_signal_connect(d, "response", G_CALLBACK(delete_answer), NULL);
	gtk_widget_show(d);
}

/* ---------------------------------------------------------------- others */

static void act_refresh(GSimpleAction *a, GVariant *p, gpointer u)
{
	refresh_library();
}

static void act_select(GSimpleAction *a, GVariant *p, gpointer u)
{
	select_name(g_variant_get_string(p, NULL));
}

static void act_readonly(GSimpleAction *a, GVariant *p, gpointer u)
{
}

bool app_save_png(GtkWidget *w, const char *path, char *why, size_t len)
{
	GdkWindow *gw = w && gtk_widget_get_visible(w) ?
			gtk_widget_get_window(w) : NULL;
	GdkPixbuf *pb;
	GError *e = NULL;
	bool ok;

	pb = gw ? gdk_pixbuf_get_from_window(gw, 0, 0, gdk_window_get_width(gw),
					     gdk_window_get_height(gw)) : NULL;
	if (!pb) {
		snprintf(why, len, "the window is not shown");
		return false;
	}
	ok = gdk_pixbuf_save(pb, path, "png", &e, NULL);
	if (!ok) {
		snprintf(why, len, "%s", e->message);
		g_error_free(e);
	}
	g_object_unref(pb);
	return ok;
}

/* Save the main window as the X server shows it to the PNG @p (for
 * people reading test logs, and bug reports). */
static void act_screenshot(GSimpleAction *a, GVariant *p, gpointer u)
{
	char why[256];

	if (!app_save_png(A.win, g_variant_get_string(p, NULL), why, sizeof(why)))
		set_status("screenshot: %s", why);
}

static void act_quit(GSimpleAction *a, GVariant *p, gpointer u)
{
	gtk_widget_destroy(A.win);
}

static void act_about(GSimpleAction *a, GVariant *p, gpointer u)
{
	gtk_show_about_dialog(GTK_WINDOW(A.win), "program-name", "dualvm",
			      "logo-icon-name", APP_ID,
			      "comments", "Run the other half of a dual-boot disk, "
			      "convert disks, make them boot.",
			      "license-type", GTK_LICENSE_GPL_2_0_ONLY, NULL);
}

static const GActionEntry actions[] = {
	{ "power-on", act_power_on, "s", NULL, NULL, { 0 } },
	{ "power-off", act_power_off, "s", NULL, NULL, { 0 } },
	{ "reset", act_reset, "s", NULL, NULL, { 0 } },
	{ "ctrl-alt-del", act_ctrl_alt_del, "s", NULL, NULL, { 0 } },
	{ "consoles", act_readonly, NULL, "@a(sbb) []", NULL, { 0 } },
	{ "delete", act_delete, "s", NULL, NULL, { 0 } },
	{ "refresh", act_refresh, NULL, NULL, NULL, { 0 } },
	{ "select", act_select, "s", "''", NULL, { 0 } },
	{ "library", act_readonly, NULL, "@as []", NULL, { 0 } },
	{ "status", act_readonly, NULL, "''", NULL, { 0 } },
	{ "details", act_readonly, NULL, "@a(ss) []", NULL, { 0 } },
	{ "points", act_readonly, NULL, "@as []", NULL, { 0 } },
	{ "screenshot", act_screenshot, "s", NULL, NULL, { 0 } },
	{ "quit", act_quit, NULL, NULL, NULL, { 0 } },
	{ "about", act_about, NULL, NULL, NULL, { 0 } },
};

static void on_startup(GApplication *app, gpointer u)
{
	GtkBuilder *b = gtk_builder_new_from_resource("/org/dualvm/Gtk/dualvm-gtk.ui");
	static const char *const refresh[] = { "F5", NULL };
	static const char *const quit[] = { "<Control>q", NULL };

	g_action_map_add_action_entries(G_ACTION_MAP(app), actions,
					G_N_ELEMENTS(actions), NULL);
	wizard_part_init(A.gapp);
	gtk_application_set_accels_for_action(A.gapp, "app.refresh", refresh);
	gtk_application_set_accels_for_action(A.gapp, "app.quit", quit);
	gtk_application_set_menubar(A.gapp, G_MENU_MODEL(
		gtk_builder_get_object(b, "menubar")));
	A.win = GTK_WIDGET(gtk_builder_get_object(b, "window"));
	A.list = GTK_WIDGET(gtk_builder_get_object(b, "vmlist"));
	A.details = GTK_WIDGET(gtk_builder_get_object(b, "details"));
	A.status = GTK_WIDGET(gtk_builder_get_object(b, "status"));
	A.pages = GTK_WIDGET(gtk_builder_get_object(b, "pages"));
	A.toolbar = GTK_WIDGET(gtk_builder_get_object(b, "toolbar"));
	console_init(A.gapp, GTK_NOTEBOOK(A.pages));
	gtk_window_set_application(GTK_WINDOW(A.win), A.gapp);
	gtk_window_set_icon_name(GTK_WINDOW(A.win), APP_ID);
	g_signal_connect(A.list, "row-selected", G_CALLBACK(on_row_selected), NULL);
	g_signal_connect_after(A.list, "size-allocate", G_CALLBACK(on_laid_out), NULL);
	g_signal_connect_after(A.toolbar, "size-allocate", G_CALLBACK(on_laid_out), NULL);
	g_signal_connect_after(A.win, "map-event", G_CALLBACK(on_mapped), NULL);
	g_object_unref(b);
	wizard_p2v_init(A.gapp);
	inject_dialog_init(A.gapp);
	refresh_library();
	if (!selected())
		set_status("the library is empty: dualvm vm create NAME --disk PATH");
}

static void on_activate(GApplication *app, gpointer u)
{
	gtk_window_present(GTK_WINDOW(A.win));
}

/* Children still running when the app quits are asked to stop, so their
 * disks are closed cleanly. */
static void on_shutdown(GApplication *app, gpointer u)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, A.runs);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_subprocess_send_signal(((struct run *)v)->proc, SIGTERM);
}

int main(int argc, char **argv)
{
	int rc;

	find_dualvm();
	A.runs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, run_free);
	A.last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	A.gapp = gtk_application_new(APP_ID, G_APPLICATION_DEFAULT_FLAGS);
	g_signal_connect(A.gapp, "startup", G_CALLBACK(on_startup), NULL);
	g_signal_connect(A.gapp, "activate", G_CALLBACK(on_activate), NULL);
	g_signal_connect(A.gapp, "shutdown", G_CALLBACK(on_shutdown), NULL);
	rc = g_application_run(G_APPLICATION(A.gapp), argc, argv);
	g_object_unref(A.gapp);
	return rc;
}
