// SPDX-License-Identifier: GPL-2.0-only
/*
 * console.c --- dualvm-gtk: the screen of a running VM in a tab of the
 * main window, its grab state, and requests into its display.
 *
 * The VM runs in a child `dualvm run NAME --display gtk` (main.c); its
 * display plugin (gui/gui.c) draws the guest's screen and feeds it the
 * keyboard and mouse.  Before the child is spawned, console_new() makes
 * two things for it:
 *  - on X11, a "Console: NAME" page of the main window's notebook holding
 *    a GtkSocket; its X window id goes to the child as DUALVM_GTK_EMBED, so
 *    the plugin's window is a GtkPlug inside the tab (XEmbed) instead of a
 *    window of its own.  The tab goes when the plug leaves the socket
 *    (GtkSocket's default plug-removed: the socket is destroyed) or when
 *    the run ends (console_free()).  Elsewhere (Wayland) there is no tab
 *    and the child keeps its own window;
 *  - a connected AF_UNIX stream socket pair, the child's end as fd
 *    CONSOLE_CHILD_FD named by DUALVM_GTK_FD: the plugin writes a line per
 *    grab change ("grab", "release"), read here asynchronously and shown
 *    in the status bar; console_request() writes request lines the other
 *    way ("ctrl-alt-del").  This works with or without a tab.
 * The read-only action state app.consoles a(sbb) lists the console tabs as
 * the notebook holds them: the tab's label, whether the socket holds a
 * plug window (the child's display is in the tab), whether that display
 * has grabbed the input; tests read it over D-Bus.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <gio/gunixinputstream.h>
#include <gtk/gtk.h>
#include <gtk/gtkx.h>

#include "app.h"

#define CONSOLE_CHILD_FD	3	/* the channel's fd in the child */

struct console {
	char		*name;		/* the VM */
	GtkWidget	*sock;		/* its tab's GtkSocket; NULL: no tab */
	int		fd;		/* our end of the socket pair */
	GDataInputStream *in;		/* status lines from the child */
	GCancellable	*cancel;	/* of the pending read */
	bool		reading;	/* a read is pending */
	bool		freed;		/* console_free() waits for that read */
	bool		grabbed;	/* the child's display holds the input */
};

static struct {
	GtkApplication	*app;
	GtkNotebook	*pages;		/* details page, then console tabs */
} C;

void console_init(GtkApplication *app, GtkNotebook *pages)
{
	C.app = app;
	C.pages = pages;
}

/* app.consoles from the notebook's console pages. */
static void console_sync_state(void)
{
	GAction *a = g_action_map_lookup_action(G_ACTION_MAP(C.app), "consoles");
	GVariantBuilder b;
	int i, n = gtk_notebook_get_n_pages(C.pages);

	if (!a)
		return;
	g_variant_builder_init(&b, G_VARIANT_TYPE("a(sbb)"));
	for (i = 0; i < n; i++) {
		GtkWidget *w = gtk_notebook_get_nth_page(C.pages, i);
		struct console *c = g_object_get_data(G_OBJECT(w), "dualvm-console");
		const char *label = gtk_notebook_get_tab_label_text(C.pages, w);

		if (!c || !GTK_IS_SOCKET(w))
			continue;
		g_variant_builder_add(&b, "(sbb)", label ? label : "",
				      gtk_socket_get_plug_window(GTK_SOCKET(w)) != NULL,
				      c->grabbed);
	}
	g_simple_action_set_state(G_SIMPLE_ACTION(a), g_variant_builder_end(&b));
}

/* ---------------------------------------------------------------- channel */

static void console_release(struct console *c)
{
	g_object_unref(c->in);
	g_object_unref(c->cancel);
	close(c->fd);
	g_free(c->name);
	g_free(c);
}

static void console_line(GObject *src, GAsyncResult *res, gpointer u);

static void console_read(struct console *c)
{
	c->reading = true;
	g_data_input_stream_read_line_async(c->in, G_PRIORITY_DEFAULT,
					    c->cancel, console_line, c);
}

/* A line from the child's display (gui/gui.c), or EOF. */
static void console_line(GObject *src, GAsyncResult *res, gpointer u)
{
	struct console *c = u;
	char *line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(src), res, NULL, NULL);

	c->reading = false;
	if (c->freed) {
		g_free(line);
		console_release(c);
		return;
	}
	if (!line)		/* the display closed its end */
		return;
	if (!strcmp(line, "grab")) {
		c->grabbed = true;
		set_status("%s: input grabbed — Ctrl+Alt releases", c->name);
	} else if (!strcmp(line, "release")) {
		c->grabbed = false;
		show_vm_status(c->name);
	}
	g_free(line);
	console_sync_state();
	console_read(c);
}

int console_request(struct console *c, const char *req)
{
	char *line;
	ssize_t n;
	size_t len;

	if (!c)
		return -ENOTCONN;
	line = g_strconcat(req, "\n", NULL);
	len = strlen(line);
	n = send(c->fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	g_free(line);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EAGAIN;
}

/* ---------------------------------------------------------------- tab */

static void on_plug_added(GtkSocket *s, gpointer u)
{
	gtk_widget_grab_focus(GTK_WIDGET(s));
	console_sync_state();
}

/* The socket is gone: by console_free(), or GTK's default plug-removed
 * (the child's display closed). */
static void on_sock_destroy(GtkWidget *w, gpointer u)
{
	struct console *c = u;

	c->sock = NULL;
	console_sync_state();
}

/* On X11: the tab, its socket's window id as DUALVM_GTK_EMBED. */
static void console_tab(struct console *c, GSubprocessLauncher *l)
{
	GtkWidget *s;
	char *label, xid[32];
	int i;

	if (!GDK_IS_X11_DISPLAY(gtk_widget_get_display(GTK_WIDGET(C.pages)))) {
		g_subprocess_launcher_unsetenv(l, "DUALVM_GTK_EMBED");
		return;
	}
	s = gtk_socket_new();
	gtk_widget_set_can_focus(s, TRUE);
	g_object_set_data(G_OBJECT(s), "dualvm-console", c);
	g_signal_connect(s, "plug-added", G_CALLBACK(on_plug_added), c);
	g_signal_connect(s, "destroy", G_CALLBACK(on_sock_destroy), c);
	gtk_widget_show(s);
	label = g_strdup_printf("Console: %s", c->name);
	i = gtk_notebook_append_page(C.pages, s, gtk_label_new(label));
	g_free(label);
	gtk_notebook_set_current_page(C.pages, i);
	/* realizes the socket (and the window) if needed */
	snprintf(xid, sizeof(xid), "0x%lx",
		 (unsigned long)gtk_socket_get_id(GTK_SOCKET(s)));
	g_subprocess_launcher_setenv(l, "DUALVM_GTK_EMBED", xid, TRUE);
	c->sock = s;
	console_sync_state();
}

struct console *console_new(const char *name, GSubprocessLauncher *l)
{
	GInputStream *raw;
	struct console *c;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		set_status("%s: no console channel: %s", name, g_strerror(errno));
		return NULL;
	}
	c = g_new0(struct console, 1);
	c->name = g_strdup(name);
	c->fd = sv[0];
	c->cancel = g_cancellable_new();
	raw = g_unix_input_stream_new(sv[0], FALSE);
	c->in = g_data_input_stream_new(raw);
	g_object_unref(raw);
	/* the launcher closes its end once it is freed after the spawn */
	g_subprocess_launcher_take_fd(l, sv[1], CONSOLE_CHILD_FD);
	g_subprocess_launcher_setenv(l, "DUALVM_GTK_FD",
				     G_STRINGIFY(CONSOLE_CHILD_FD), TRUE);
	console_tab(c, l);
	console_read(c);
	return c;
}

void console_free(struct console *c)
{
	if (!c)
		return;
	if (c->sock)
		gtk_widget_destroy(c->sock);	/* on_sock_destroy */
	if (c->reading) {	/* freed when the read returns */
		c->freed = true;
		g_cancellable_cancel(c->cancel);
		return;
	}
	console_release(c);
}
