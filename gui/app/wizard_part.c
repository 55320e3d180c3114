// SPDX-License-Identifier: GPL-2.0-only
/*
 * wizard_part.c --- dualvm-gtk's "New VM from a partition of this
 * computer": the disks of this computer (/sys/block: whole disks, and loop
 * devices that have a backing file; not RAM disks, zram, device-mapper,
 * md or optical drives), for each partition what is on it and whether it
 * can be given to a VM now, then `dualvm vm create` for the one chosen.
 *
 * Looking at the disks is slow (file systems, registry hives), so it runs
 * in a GTask thread through the same libraries the CLI uses, read-only:
 * rd_image_open(RD_RDONLY) and hwp_inspect() say what each partition holds
 * ("Debian GNU/Linux 12 (bookworm), ext4, 256 MiB"), vmd_safety_check()
 * what stands in the way, for each disk mode, as the one-line messages of
 * vmd_hazard_message() (what is wrong and what to do: "partition 3 holds a
 * hibernated Windows: start Windows and shut it down fully").  A row that
 * is refused in the chosen mode cannot be selected; changing the mode
 * updates every row.  Creating runs `dualvm vm create NAME --disk DISK
 * --partition N --disk-mode MODE --memory MiB` as a child (GSubprocess,
 * never blocking the main loop); its one-line refusal, if any, is shown in
 * the dialog, which stays open.
 */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hwprofile/hwprofile.h"
#include "rawdisk/rawdisk.h"
#include "vmdisk/vmdisk.h"
#include "app.h"

#define NMODES 3

static const char *const mode_ids[NMODES] = {
	"nonpersistent", "undoable", "persistent",
};
static const enum vmd_mode mode_vals[NMODES] = {
	VMD_MODE_NONPERSISTENT, VMD_MODE_UNDOABLE, VMD_MODE_PERSISTENT,
};

/* One partition of one disk. */
struct cand {
	char		disk[PATH_MAX];
	unsigned int	num;
	char		what[PATH_MAX + 400];	/* what is on it */
	char		suggest[64];		/* a VM name */
	bool		no_os;			/* nothing to boot found */
	bool		refused[NMODES];
	char		*verdict[NMODES];	/* g_malloc'd */
};

static void cand_free(gpointer p)
{
	struct cand *c = p;

	for (int m = 0; m < NMODES; m++)
		g_free(c->verdict[m]);
	g_free(c);
}

static struct {
	GtkApplication	*gapp;
	GtkWidget	*dlg, *list, *name, *mode, *memory, *verdict, *create;
	GPtrArray	*cands;		/* struct cand, shown as rows */
	bool		 scanning, creating, name_auto;
} W;

/* ---------------------------------------------------------------- disks */

static bool read_sys(const char *dev, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/block/%s/%s", dev, attr);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* The whole disks worth offering, as /dev paths, sorted. */
static GPtrArray *list_disks(void)
{
	static const char *const skip[] = { "ram", "zram", "dm-", "md", "sr",
					    "fd", "nbd", NULL };
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	char buf[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir("/sys/block");

	if (!d)
		return v;
	while ((e = readdir(d))) {
		bool bad = e->d_name[0] == '.';

		for (int i = 0; skip[i] && !bad; i++)
			bad = !strncmp(e->d_name, skip[i], strlen(skip[i]));
		if (bad || !read_sys(e->d_name, "size", buf, sizeof(buf)) ||
		    !strcmp(buf, "0"))
			continue;
		/* a loop device is a disk only while it has a backing file */
		if (!strncmp(e->d_name, "loop", 4) &&
		    (!read_sys(e->d_name, "loop/backing_file", buf, sizeof(buf)) ||
		     !buf[0]))
			continue;
		g_ptr_array_add(v, g_strdup_printf("/dev/%s", e->d_name));
	}
	closedir(d);
	g_ptr_array_sort(v, (GCompareFunc)g_strcmp0);
	return v;
}

/* "256 MiB", "1.5 GiB" (plain spaces: the text is also read by scripts) */
static void human_size(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.0f MiB", (double)b / (1ull << 20));
	else
		snprintf(buf, len, "%.0f KiB", (double)b / 1024);
}

/* "debian-loop0-2": a name for the library from the OS and the device. */
static void suggest_name(struct cand *c, const struct hwp_part *p)
{
	const char *os = p->os == HWP_OS_LINUX && p->lx.id[0] ? p->lx.id :
			 p->os == HWP_OS_WINDOWS ? "windows" : "vm";
	const char *dev = strrchr(c->disk, '/');
	char *s;

	s = g_strdup_printf("%s-%s-%u", os, dev ? dev + 1 : c->disk, c->num);
	for (char *q = s; *q; q++)
		if (!g_ascii_isalnum(*q) && *q != '-' && *q != '_' && *q != '.')
			*q = '-';
	snprintf(c->suggest, sizeof(c->suggest), "%s", s);
	g_free(s);
}

static void describe(struct cand *c, const struct hwp_part *p)
{
	char size[32], os[300];

	human_size(p->size, size, sizeof(size));
	if (p->os == HWP_OS_LINUX)
		snprintf(os, sizeof(os), "%s", p->lx.distro[0] ? p->lx.distro :
			 "Linux");
	else if (p->os == HWP_OS_WINDOWS)
		snprintf(os, sizeof(os), "%s%s%s%s%s", p->win.product_name[0] ?
			 p->win.product_name : "Windows",
			 p->win.edition[0] ? " " : "", p->win.edition,
			 p->win.csd[0] ? ", " : "", p->win.csd);
	else if (p->esp)
		snprintf(os, sizeof(os), "EFI system partition");
	else
		snprintf(os, sizeof(os), "no operating system found");
	snprintf(c->what, sizeof(c->what), "%s partition %u: %s, %s, %s",
		 c->disk, c->num, os, p->fs[0] ? p->fs : "unknown file system",
		 size);
}

/* Inspect @disk and check each partition in every mode. */
static void scan_disk(const char *disk, GPtrArray *out)
{
	struct hwp_report *r = NULL;
	struct rd_disk *d;
	char err[512];

	if (rd_image_open(disk, RD_RDONLY, &d, err, sizeof(err)))
		return;		/* not readable by us: not offered */
	if (hwp_inspect(d, disk, 0, &r, err, sizeof(err))) {
		rd_close(d);
		return;
	}
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_part *p = &r->part[i];
		struct cand *c;
		char num[16];

		if (!p->number)
			continue;	/* a file system on the whole disk */
		c = g_malloc0(sizeof(*c));
		snprintf(c->disk, sizeof(c->disk), "%s", disk);
		c->num = p->number;
		describe(c, p);
		suggest_name(c, p);
		c->no_os = p->os == HWP_OS_NONE;
		snprintf(num, sizeof(num), "%u", p->number);
		for (int m = 0; m < NMODES; m++) {
			struct vmd_check chk;
			GString *s = g_string_new(NULL);

			if (c->no_os) {
				c->refused[m] = true;
				g_string_append(s, "Nothing to boot: no Linux or Windows installation was found on this partition.");
			} else if (vmd_safety_check(disk, d, num, mode_vals[m], true,
						    &chk, err, sizeof(err))) {
				c->refused[m] = true;
				g_string_append_printf(s, "Cannot check it: %s", err);
			} else {
				for (unsigned int k = 0; k < chk.n; k++) {
					char msg[VMD_HAZARD_MSG];

					vmd_hazard_message(&chk.hz[k], msg, sizeof(msg));
					g_string_append_printf(s, "%s%s: %s",
						s->len ? "\n" : "",
						chk.hz[k].refuse ? "Refused" : "Warning",
						msg);
				}
				c->refused[m] = chk.nrefuse > 0;
				if (!chk.n)
					g_string_append(s, "Ready: nothing stands in the way.");
			}
			c->verdict[m] = g_string_free(s, FALSE);
		}
		g_ptr_array_add(out, c);
	}
	hwp_report_free(r);
	rd_close(d);
}

static void scan_thread(GTask *t, gpointer src, gpointer data, GCancellable *cc)
{
	GPtrArray *disks = list_disks();
	GPtrArray *out = g_ptr_array_new_with_free_func(cand_free);

	for (unsigned int i = 0; i < disks->len; i++)
		scan_disk(disks->pdata[i], out);
	g_ptr_array_unref(disks);
	g_task_return_pointer(t, out, (GDestroyNotify)g_ptr_array_unref);
}

/* ---------------------------------------------------------------- state */

static int cur_mode(void)
{
	const char *id = gtk_combo_box_get_active_id(GTK_COMBO_BOX(W.mode));

	for (int m = 0; id && m < NMODES; m++)
		if (!strcmp(id, mode_ids[m]))
			return m;
	return 0;
}

static void set_state(const char *action, GVariant *v)
{
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(W.gapp),
						action);

	g_simple_action_set_state(G_SIMPLE_ACTION(a), v);
}

static void set_result(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void set_result(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (W.verdict)
		gtk_label_set_text(GTK_LABEL(W.verdict), s);
	set_state("new-vm-result", g_variant_new_string(s));
	g_free(s);
}

static struct cand *row_cand(GtkListBoxRow *r)
{
	return r ? g_object_get_data(G_OBJECT(r), "cand") : NULL;
}

/* "X,Y": the middle of @row in the dialog's window (where a click on it
 * lands), "-" while it is not laid out. */
static const char *row_point(GtkWidget *row, char *buf, size_t len)
{
	int x, y;

	if (!gtk_widget_get_mapped(row) ||
	    !gtk_widget_translate_coordinates(row, W.dlg,
			gtk_widget_get_allocated_width(row) / 2,
			gtk_widget_get_allocated_height(row) / 2, &x, &y))
		return "-";
	snprintf(buf, len, "%d,%d", x, y);
	return buf;
}

/* The rows as the app.new-vm-rows state, read back from their labels. */
static void sync_rows(void)
{
	GVariantBuilder b;
	GList *rows = W.list ? gtk_container_get_children(GTK_CONTAINER(W.list)) :
			       NULL;

	g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
	for (GList *l = rows; l; l = l->next) {
		struct cand *c = row_cand(l->data);
		GtkWidget *box = gtk_bin_get_child(GTK_BIN(l->data));
		GList *labs = gtk_container_get_children(GTK_CONTAINER(box));
		char *s, at[32];

		if (!c || g_list_length(labs) < 2) {
			g_list_free(labs);
			continue;
		}
		s = g_strdup_printf("%s#%u\t%s\t%s%s\t%s", c->disk, c->num,
			gtk_label_get_text(GTK_LABEL(labs->data)),
			gtk_widget_get_sensitive(l->data) ? "" : "[not selectable] ",
			gtk_label_get_text(GTK_LABEL(labs->next->data)),
			row_point(l->data, at, sizeof(at)));
		g_variant_builder_add(&b, "s", s);
		g_free(s);
		g_list_free(labs);
	}
	g_list_free(rows);
	set_state("new-vm-rows", g_variant_builder_end(&b));
}

/* Create's sensitivity, the selected row ("DISK#N" or "") and the typed
 * name as the app.new-vm-create state (bss), read back from the widgets:
 * a script sees whether a user could press Create now, and for what. */
static void sync_create(struct cand *c)
{
	char id[PATH_MAX + 16] = "";

	if (c)
		snprintf(id, sizeof(id), "%s#%u", c->disk, c->num);
	set_state("new-vm-create", g_variant_new("(bss)",
		  gtk_widget_get_sensitive(W.create), id,
		  gtk_entry_get_text(GTK_ENTRY(W.name))));
}

static void update_create(void)
{
	struct cand *c = row_cand(gtk_list_box_get_selected_row(GTK_LIST_BOX(W.list)));
	const char *name = gtk_entry_get_text(GTK_ENTRY(W.name));

	gtk_widget_set_sensitive(W.create, c && !c->refused[cur_mode()] &&
				 name[0] && !W.creating);
	sync_create(c);
}

/* Show each row's verdict for the chosen mode; refused rows cannot be
 * selected. */
static void apply_mode(void)
{
	GList *rows = gtk_container_get_children(GTK_CONTAINER(W.list));
	int m = cur_mode();

	for (GList *l = rows; l; l = l->next) {
		struct cand *c = row_cand(l->data);
		GtkWidget *box = gtk_bin_get_child(GTK_BIN(l->data));
		GList *labs = gtk_container_get_children(GTK_CONTAINER(box));

		if (c && g_list_length(labs) >= 2) {
			gtk_label_set_text(GTK_LABEL(labs->next->data), c->verdict[m]);
			if (c->refused[m] &&
			    gtk_list_box_get_selected_row(GTK_LIST_BOX(W.list)) == l->data)
				gtk_list_box_unselect_row(GTK_LIST_BOX(W.list), l->data);
			gtk_widget_set_sensitive(l->data, !c->refused[m]);
		}
		g_list_free(labs);
	}
	g_list_free(rows);
	sync_rows();
	update_create();
}

static void fill_rows(void)
{
	GList *rows = gtk_container_get_children(GTK_CONTAINER(W.list));

	for (GList *l = rows; l; l = l->next)
		gtk_widget_destroy(l->data);
	g_list_free(rows);
	for (unsigned int i = 0; W.cands && i < W.cands->len; i++) {
		struct cand *c = W.cands->pdata[i];
		GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
		GtkWidget *t = gtk_label_new(c->what), *v = gtk_label_new("");
		GtkWidget *row = gtk_list_box_row_new();

		gtk_label_set_xalign(GTK_LABEL(t), 0);
		gtk_label_set_xalign(GTK_LABEL(v), 0);
		gtk_label_set_line_wrap(GTK_LABEL(t), TRUE);
		gtk_label_set_line_wrap(GTK_LABEL(v), TRUE);
		gtk_style_context_add_class(gtk_widget_get_style_context(v),
					    "dim-label");
		gtk_container_add(GTK_CONTAINER(box), t);
		gtk_container_add(GTK_CONTAINER(box), v);
		g_object_set(box, "margin", 6, NULL);
		gtk_container_add(GTK_CONTAINER(row), box);
		g_object_set_data(G_OBJECT(row), "cand", c);
		gtk_list_box_insert(GTK_LIST_BOX(W.list), row, -1);
	}
	gtk_widget_show_all(W.list);
	apply_mode();
}

static void scan_done(GObject *src, GAsyncResult *res, gpointer u)
{
	GPtrArray *v = g_task_propagate_pointer(G_TASK(res), NULL);

	W.scanning = false;
	if (W.cands)
		g_ptr_array_unref(W.cands);
	W.cands = v;
	if (!W.dlg)
		return;
	fill_rows();
	if (v && v->len)
		set_result("%u partitions found; choose one.", v->len);
	else
		set_result("No partitions were found on the disks of this computer.");
}

static void start_scan(void)
{
	GTask *t;

	if (W.scanning)
		return;
	W.scanning = true;
	set_result("Looking at the disks of this computer...");
	t = g_task_new(NULL, NULL, scan_done, NULL);
	g_task_run_in_thread(t, scan_thread);
	g_object_unref(t);
}

/* ---------------------------------------------------------------- create */

static void create_done(GObject *src, GAsyncResult *res, gpointer u)
{
	GSubprocess *p = G_SUBPROCESS(src);
	char *name = u, *out = NULL, *err = NULL;
	GError *e = NULL;

	W.creating = false;
	if (!g_subprocess_communicate_utf8_finish(p, res, &out, &err, &e)) {
		set_result("dualvm vm create: %s", e->message);
		g_error_free(e);
	} else if (!g_subprocess_get_if_exited(p) ||
		   g_subprocess_get_exit_status(p)) {
		char *line = g_strstrip(err ? err : g_strdup(""));
		char *nl = strrchr(line, '\n');

		set_result("Not created: %s", nl ? nl + 1 : line);
	} else {
		set_result("Created %s.", name);
		app_status(gtk_label_get_text(GTK_LABEL(W.verdict)));
		app_refresh();
		app_select(name);
		if (W.dlg)
			gtk_widget_destroy(W.dlg);
	}
	if (W.dlg)
		update_create();
	g_free(out);
	g_free(err);
	g_free(name);
	g_object_unref(p);
}

static void create_vm(void)
{
	struct cand *c = row_cand(gtk_list_box_get_selected_row(GTK_LIST_BOX(W.list)));
	const char *name = gtk_entry_get_text(GTK_ENTRY(W.name));
	int m = cur_mode();
	char num[16], mem[16];
	GError *e = NULL;
	GSubprocess *p;

	if (!c || !name[0] || c->refused[m] || W.creating)
		return;
	snprintf(num, sizeof(num), "%u", c->num);
	snprintf(mem, sizeof(mem), "%d",
		 gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(W.memory)));
	p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
			     G_SUBPROCESS_FLAGS_STDERR_PIPE, &e, app_dualvm(),
			     "vm", "create", name, "--disk", c->disk,
			     "--partition", num, "--disk-mode", mode_ids[m],
			     "--memory", mem, NULL);
	if (!p) {
		set_result("Not created: %s", e->message);
		g_error_free(e);
		return;
	}
	W.creating = true;
	update_create();
	set_result("Creating %s...", name);
	g_subprocess_communicate_utf8_async(p, NULL, NULL, create_done,
					    g_strdup(name));
}

/* ---------------------------------------------------------------- dialog */

static void on_selected(GtkListBox *b, GtkListBoxRow *r, gpointer u)
{
	struct cand *c = row_cand(r);

	if (c && (W.name_auto || !gtk_entry_get_text(GTK_ENTRY(W.name))[0])) {
		gtk_entry_set_text(GTK_ENTRY(W.name), c->suggest);
		W.name_auto = true;
	}
	if (c)
		set_result("%s", c->verdict[cur_mode()]);
	update_create();
}

static void on_name_changed(GtkEditable *ed, gpointer u)
{
	struct cand *c = row_cand(gtk_list_box_get_selected_row(GTK_LIST_BOX(W.list)));

	W.name_auto = c && !strcmp(gtk_entry_get_text(GTK_ENTRY(W.name)),
				   c->suggest);
	update_create();
}

/* Rows moved: their click points in app.new-vm-rows follow. */
static void on_list_laid_out(GtkWidget *w, GdkRectangle *r, gpointer u)
{
	sync_rows();
}

static void on_mode_changed(GtkComboBox *cb, gpointer u)
{
	apply_mode();
}

static void on_response(GtkDialog *d, int resp, gpointer u)
{
	if (resp == GTK_RESPONSE_OK) {
		create_vm();
		return;
	}
	gtk_widget_destroy(GTK_WIDGET(d));
}

static void on_destroy(GtkWidget *w, gpointer u)
{
	W.dlg = W.list = W.name = W.mode = W.memory = W.verdict = W.create = NULL;
	set_state("new-vm-rows", g_variant_new_strv(NULL, 0));
	set_state("new-vm-create", g_variant_new("(bss)", FALSE, "", ""));
}

static void act_new_vm(GSimpleAction *a, GVariant *p, gpointer u)
{
	GtkBuilder *b;

	if (W.dlg) {
		gtk_window_present(GTK_WINDOW(W.dlg));
		return;
	}
	b = gtk_builder_new_from_resource("/org/dualvm/Gtk/wizard-part.ui");
	W.dlg = GTK_WIDGET(gtk_builder_get_object(b, "dialog"));
	W.list = GTK_WIDGET(gtk_builder_get_object(b, "parts"));
	W.name = GTK_WIDGET(gtk_builder_get_object(b, "name"));
	W.mode = GTK_WIDGET(gtk_builder_get_object(b, "mode"));
	W.memory = GTK_WIDGET(gtk_builder_get_object(b, "memory"));
	W.verdict = GTK_WIDGET(gtk_builder_get_object(b, "verdict"));
	W.create = GTK_WIDGET(gtk_builder_get_object(b, "create"));
	g_object_unref(b);
	gtk_window_set_transient_for(GTK_WINDOW(W.dlg), app_window());
	g_signal_connect(W.list, "row-selected", G_CALLBACK(on_selected), NULL);
	g_signal_connect_after(W.list, "size-allocate",
			       G_CALLBACK(on_list_laid_out), NULL);
	g_signal_connect(W.name, "changed", G_CALLBACK(on_name_changed), NULL);
	g_signal_connect(W.mode, "changed", G_CALLBACK(on_mode_changed), NULL);
	g_signal_connect(W.dlg, "response", G_CALLBACK(on_response), NULL);
	g_signal_connect(W.dlg, "destroy", G_CALLBACK(on_destroy), NULL);
	W.name_auto = true;
	gtk_widget_show(W.dlg);
	/* a fresh look every time: disks come and go */
	if (W.cands) {
		g_ptr_array_unref(W.cands);
		W.cands = NULL;
	}
	start_scan();
}

/* Select the row of "DISK#N", as a click on it does. */
static void act_pick(GSimpleAction *a, GVariant *p, gpointer u)
{
	const char *want = g_variant_get_string(p, NULL);
	GList *rows;
	bool found = false;

	if (!W.dlg) {
		set_result("pick %s: the dialog is not open", want);
		return;
	}
	rows = gtk_container_get_children(GTK_CONTAINER(W.list));
	for (GList *l = rows; l; l = l->next) {
		struct cand *c = row_cand(l->data);
		char *id = c ? g_strdup_printf("%s#%u", c->disk, c->num) : NULL;

		if (id && !strcmp(id, want)) {
			found = true;
			if (gtk_widget_get_sensitive(l->data))
				gtk_list_box_select_row(GTK_LIST_BOX(W.list), l->data);
			else
				set_result("%s cannot be chosen: %s", want,
					   c->verdict[cur_mode()]);
		}
		g_free(id);
	}
	g_list_free(rows);
	if (!found)
		set_result("pick %s: no such row", want);
}

static void act_readonly(GSimpleAction *a, GVariant *p, gpointer u)
{
}

/* Save the dialog as the X server shows it to the PNG @p. */
static void act_shot(GSimpleAction *a, GVariant *p, gpointer u)
{
	char why[256];

	if (!app_save_png(W.dlg, g_variant_get_string(p, NULL), why, sizeof(why)))
		set_result("screenshot: %s", why);
}

static const GActionEntry actions[] = {
	{ "new-vm", act_new_vm, NULL, NULL, NULL, { 0 } },
	{ "new-vm-pick", act_pick, "s", NULL, NULL, { 0 } },
	{ "new-vm-rows", act_readonly, NULL, "@as []", NULL, { 0 } },
	{ "new-vm-result", act_readonly, NULL, "''", NULL, { 0 } },
	{ "new-vm-create", act_readonly, NULL, "(false, '', '')", NULL, { 0 } },
	{ "new-vm-screenshot", act_shot, "s", NULL, NULL, { 0 } },
};

void wizard_part_init(GtkApplication *app)
{
	W.gapp = app;
	g_action_map_add_action_entries(G_ACTION_MAP(app), actions,
					G_N_ELEMENTS(actions), NULL);
}
