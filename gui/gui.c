// SPDX-License-Identifier: GPL-2.0-only
/*
 * gui.c --- GTK 3 window: the machine's picture, keyboard and mouse input
 *
 * One GtkWindow with a GtkDrawingArea.  refresh() renders the machine's
 * framebuffer source (hw/ui.h) into a 0x00RRGGBB buffer (cairo's RGB24
 * layout) and queues a redraw only when the picture changed; the draw
 * handler scales it to the window.  poll() pumps pending GLib events: key
 * events become set-1 scancodes (GDK hardware keycode - 8 = evdev code,
 * mapped by display_evdev_to_set1()) for the input sink; a click grabs the
 * pointer, motion/buttons/wheel then go to the sink's mouse (the pointer is
 * warped back to the centre near an edge), Ctrl+Alt releases the grab;
 * focus loss releases held keys and the grab.  All on the run loop's
 * thread, so the machine is touched from one thread only.
 *
 * Under dualvm-gtk (gui/app/) two environment variables link the display
 * to the app (gui.h): DUALVM_GTK_EMBED=XID makes the window a GtkPlug in
 * the app's GtkSocket of that X window id (XEmbed) instead of a top-level
 * window, when the display is X11 and the window exists (else, e.g. on
 * Wayland, a top-level window as without it); DUALVM_GTK_FD=N names a
 * connected stream socket: each grab and release is written to it as a
 * line ("grab", "release"), and the request lines read from it by a GLib
 * fd source on the default main context (so only while poll() pumps it,
 * i.e. while the vCPU is stopped) are carried out: "ctrl-alt-del" presses
 * and releases Ctrl+Alt+Del in the guest through the same input sink as
 * the keyboard.  Drawing, input, the grab and DUALVM_SCREENSHOT are the
 * same in a plug and in a window.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <glib-unix.h>
#include <gtk/gtk.h>
#include <gtk/gtkx.h>

#include "gui/gui.h"

#define GUI_MAX_W	2560
#define GUI_MAX_H	1600
#define GUI_PIX		((size_t)GUI_MAX_W * GUI_MAX_H)

struct gui {
	GtkWidget	*win;		/* top-level window or GtkPlug */
	GtkWidget	*area;		/* drawing area */
	uint32_t	*pix;		/* current frame, stride GUI_MAX_W */
	uint32_t	*tmp;		/* frame being rendered */
	unsigned int	w, h;		/* current frame size (0: none) */
	bool		quit;		/* window closed */
	bool		grabbed;	/* pointer grabbed for the guest */
	double		mx, my;		/* last pointer position */
	bool		have_m;		/* mx/my valid */
	unsigned int	buttons;	/* UI_BTN_* held */
	uint8_t		held[UI_KEY_MAX / 8];	/* keycodes pressed in the guest */
	const struct input_sink *in;	/* set only inside poll() */
	int		chan;		/* DUALVM_GTK_FD, -1: none */
	guint		chan_src;	/* its GLib source, 0: none */
	char		req[64];	/* a request line being read */
	size_t		nreq;		/* bytes in req */
};

bool gui_display_available(char *why, size_t len)
{
	const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");

	if ((x && *x) || (wl && *wl))
		return true;
	snprintf(why, len, "--display gtk: no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)");
	return false;
}

static gboolean gui_draw(GtkWidget *w, cairo_t *cr, gpointer opaque)
{
	struct gui *g = opaque;
	int aw = gtk_widget_get_allocated_width(w);
	int ah = gtk_widget_get_allocated_height(w);
	cairo_surface_t *s;

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_paint(cr);
	if (!g->w || !g->h || aw <= 0 || ah <= 0)
		return TRUE;
	s = cairo_image_surface_create_for_data((unsigned char *)g->pix,
						CAIRO_FORMAT_RGB24, (int)g->w,
						(int)g->h, GUI_MAX_W * 4);
	cairo_scale(cr, (double)aw / g->w, (double)ah / g->h);
	cairo_set_source_surface(cr, s, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
	cairo_paint(cr);
	cairo_surface_destroy(s);
	return TRUE;
}

static gboolean gui_delete(GtkWidget *w, GdkEvent *ev, gpointer opaque)
{
	struct gui *g = opaque;

	g->quit = true;
	return TRUE;		/* the run loop closes the window */
}

/* One status line to dualvm-gtk (DUALVM_GTK_FD); dropped when it does not
 * read (never blocks, never raises SIGPIPE). */
static void gui_tell(struct gui *g, const char *line)
{
	if (g->chan >= 0)
		(void)send(g->chan, line, strlen(line),
			   MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void gui_ungrab(struct gui *g)
{
	GdkDisplay *dpy = gtk_widget_get_display(g->win);

	if (!g->grabbed)
		return;
	gdk_seat_ungrab(gdk_display_get_default_seat(dpy));
	g->grabbed = false;
	g->have_m = false;
	gtk_window_set_title(GTK_WINDOW(g->win),
			     g_object_get_data(G_OBJECT(g->win), "dualvm-title"));
	gui_tell(g, "release\n");
}

static void gui_grab(struct gui *g)
{
	GdkWindow *gw = gtk_widget_get_window(g->area);
	GdkDisplay *dpy = gtk_widget_get_display(g->win);
	GdkCursor *blank;
	char title[512];

	if (g->grabbed || !gw)
		return;
	blank = gdk_cursor_new_for_display(dpy, GDK_BLANK_CURSOR);
	if (gdk_seat_grab(gdk_display_get_default_seat(dpy), gw,
			  GDK_SEAT_CAPABILITY_ALL, TRUE, blank, NULL, NULL,
			  NULL) == GDK_GRAB_SUCCESS) {
		g->grabbed = true;
		g->have_m = false;
		snprintf(title, sizeof(title), "%s (Ctrl+Alt releases)",
			 (const char *)g_object_get_data(G_OBJECT(g->win),
							 "dualvm-title"));
		gtk_window_set_title(GTK_WINDOW(g->win), title);
		gui_tell(g, "grab\n");
	}
	if (blank)
		g_object_unref(blank);
}

static gboolean gui_key(GtkWidget *w, GdkEventKey *ev, gpointer opaque)
{
	struct gui *g = opaque;
	bool down = ev->type == GDK_KEY_PRESS;
	unsigned int code;
	GdkModifierType m = ev->state;

	if (ev->hardware_keycode < 8)
		return TRUE;
	code = display_evdev_to_set1(ev->hardware_keycode - 8u);
	if (code && g->in && code < UI_KEY_MAX) {
		ui_key(g->in, code, down);
		if (down)
			g->held[code / 8] |= (uint8_t)(1u << (code % 8));
		else
			g->held[code / 8] &= (uint8_t)~(1u << (code % 8));
	}
	/* Ctrl+Alt (pressed together) releases the pointer */
	if (down && g->grabbed &&
	    (((m & GDK_CONTROL_MASK) && (ev->keyval == GDK_KEY_Alt_L ||
					 ev->keyval == GDK_KEY_Alt_R)) ||
	     ((m & GDK_MOD1_MASK) && (ev->keyval == GDK_KEY_Control_L ||
				      ev->keyval == GDK_KEY_Control_R))))
		gui_ungrab(g);
	return TRUE;
}

/* Focus lost: release what the guest still sees pressed (no stuck Alt),
 * and the grab (in dualvm-gtk the console tab was switched away from: the
 * X server has ended the grab of the now unviewable window). */
static gboolean gui_focus_out(GtkWidget *w, GdkEventFocus *ev,
			      gpointer opaque)
{
	struct gui *g = opaque;
	unsigned int code;

	gui_ungrab(g);
	for (code = 0; code < UI_KEY_MAX; code++) {
		if (!(g->held[code / 8] & (1u << (code % 8))))
			continue;
		g->held[code / 8] &= (uint8_t)~(1u << (code % 8));
		if (g->in && code != UI_KEY_PAUSE)
			ui_key(g->in, code, false);
	}
	return FALSE;
}

static unsigned int gui_button_bit(guint b)
{
	return b == 1 ? UI_BTN_LEFT : b == 2 ? UI_BTN_MIDDLE :
	       b == 3 ? UI_BTN_RIGHT : 0;
}

static gboolean gui_button(GtkWidget *w, GdkEventButton *ev, gpointer opaque)
{
	struct gui *g = opaque;
	unsigned int bit = gui_button_bit(ev->button);

	if (!g->grabbed) {
		if (ev->type == GDK_BUTTON_PRESS)
			gui_grab(g);
		return TRUE;
	}
	if (ev->type == GDK_BUTTON_PRESS)
		g->buttons |= bit;
	else if (ev->type == GDK_BUTTON_RELEASE)
		g->buttons &= ~bit;
	else
		return TRUE;
	ui_mouse(g->in, 0, 0, 0, g->buttons);
	return TRUE;
}

static gboolean gui_motion(GtkWidget *w, GdkEventMotion *ev, gpointer opaque)
{
	struct gui *g = opaque;
	GdkWindow *gw = gtk_widget_get_window(w);
	int dx, dy, cx, cy, rx, ry;

	if (!g->grabbed || !gw)
		return TRUE;
	if (g->have_m) {
		dx = (int)(ev->x - g->mx);
		dy = (int)(ev->y - g->my);
		if (dx || dy)
			ui_mouse(g->in, dx, -dy, 0, g->buttons);
	}
	g->mx = ev->x;
	g->my = ev->y;
	g->have_m = true;
	/* near an edge: warp back to the centre so motion never stops */
	cx = gtk_widget_get_allocated_width(w) / 2;
	cy = gtk_widget_get_allocated_height(w) / 2;
	if (ev->device && (ev->x < cx / 2 || ev->x > cx * 3 / 2 ||
			   ev->y < cy / 2 || ev->y > cy * 3 / 2)) {
		gdk_window_get_root_coords(gw, cx, cy, &rx, &ry);
		gdk_device_warp(ev->device, gdk_window_get_screen(gw), rx, ry);
		g->mx = cx;
		g->my = cy;
	}
	return TRUE;
}

static gboolean gui_scroll(GtkWidget *w, GdkEventScroll *ev, gpointer opaque)
{
	struct gui *g = opaque;
	int dz = ev->direction == GDK_SCROLL_UP ? -1 :
		 ev->direction == GDK_SCROLL_DOWN ? 1 : 0;

	if (g->grabbed && dz)
		ui_mouse(g->in, 0, 0, dz, g->buttons);
	return TRUE;
}

static void gui_pump(void)
{
	int n = 0;

	while (n++ < 200 && g_main_context_iteration(NULL, FALSE))
		;
}

/* Carry out one request line from dualvm-gtk; unknown ones are ignored. */
static void gui_request(struct gui *g, const char *req)
{
	if (!strcmp(req, "ctrl-alt-del"))
		display_send_key(g->in, UI_KEY_EXT | 0x53,	/* Delete */
				 DISPLAY_MOD_CTRL | DISPLAY_MOD_ALT);
}

/* DUALVM_GTK_FD readable: read what is there, carry out whole lines.  Only
 * inside poll() (the input sink is needed); the source ends at EOF. */
static gboolean gui_chan_in(gint fd, GIOCondition cond, gpointer opaque)
{
	struct gui *g = opaque;
	ssize_t n;
	char *nl;

	if (!g->in)
		return G_SOURCE_CONTINUE;	/* read at the next poll() */
	n = recv(fd, g->req + g->nreq, sizeof(g->req) - 1 - g->nreq,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		g->chan_src = 0;
		return G_SOURCE_REMOVE;
	}
	g->nreq += (size_t)n;
	g->req[g->nreq] = '\0';
	while ((nl = strchr(g->req, '\n'))) {
		*nl = '\0';
		gui_request(g, g->req);
		g->nreq -= (size_t)(nl + 1 - g->req);
		memmove(g->req, nl + 1, g->nreq + 1);
	}
	if (g->nreq == sizeof(g->req) - 1)	/* no request is this long */
		g->nreq = 0;
	return G_SOURCE_CONTINUE;
}

/* DUALVM_GTK_FD=N: the socket shared with dualvm-gtk, or -1. */
static int gui_chan(void)
{
	const char *s = getenv("DUALVM_GTK_FD");
	char *end;
	long fd;
	int type;
	socklen_t tl = sizeof(type);

	if (!s || !*s)
		return -1;
	fd = strtol(s, &end, 10);
	if (*end || fd < 3 || fd > 1023 ||
	    getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &tl) ||
	    type != SOCK_STREAM) {
		fprintf(stderr, "dualvm: DUALVM_GTK_FD=%s is not a stream socket: ignored\n",
			s);
		return -1;
	}
	return (int)fd;
}

/* DUALVM_GTK_EMBED=XID on X11: a GtkPlug in that window; NULL when it is
 * unset, the display is not X11 or the window does not exist. */
static GtkWidget *gui_plug(void)
{
	const char *s = getenv("DUALVM_GTK_EMBED");
	GdkDisplay *dpy = gdk_display_get_default();
	unsigned long xid;
	GtkWidget *p;
	char *end;

	if (!s || !*s || !GDK_IS_X11_DISPLAY(dpy))
		return NULL;
	xid = strtoul(s, &end, 0);
	if (*end || !xid)
		goto out_own;
	p = gtk_plug_new_for_display(dpy, (Window)xid);
	if (gtk_plug_get_embedded(GTK_PLUG(p)))
		return p;
	gtk_widget_destroy(p);
out_own:
	fprintf(stderr, "dualvm: DUALVM_GTK_EMBED=%s: no such X window: a window of its own\n",
		s);
	return NULL;
}

static int gui_open(const struct display_cfg *cfg, void **out, char *why,
		    size_t len)
{
	const char *title = cfg->title ? cfg->title : "dualvm";
	struct gui *g;

	*out = NULL;
	if (!gui_display_available(why, len))
		return -ENODEV;
	if (!gtk_init_check(NULL, NULL)) {
		snprintf(why, len, "--display gtk: cannot open the display %s",
			 getenv("DISPLAY") ? getenv("DISPLAY") : "(wayland)");
		return -ENODEV;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->pix = calloc(GUI_PIX, sizeof(uint32_t));
	g->tmp = calloc(GUI_PIX, sizeof(uint32_t));
	if (!g->pix || !g->tmp) {
		free(g->pix);
		free(g->tmp);
		free(g);
		return -ENOMEM;
	}
	g->win = gui_plug();
	if (!g->win)
		g->win = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	g->chan = gui_chan();
	if (g->chan >= 0)
		g->chan_src = g_unix_fd_add(g->chan, G_IO_IN | G_IO_HUP | G_IO_ERR,
					    gui_chan_in, g);
	g_object_set_data_full(G_OBJECT(g->win), "dualvm-title",
			       g_strdup(title), g_free);
	gtk_window_set_title(GTK_WINDOW(g->win), title);
	gtk_window_set_default_size(GTK_WINDOW(g->win), 720, 400);
	g->area = gtk_drawing_area_new();
	gtk_widget_set_can_focus(g->area, TRUE);
	gtk_widget_add_events(g->area, GDK_KEY_PRESS_MASK | GDK_FOCUS_CHANGE_MASK |
			      GDK_KEY_RELEASE_MASK | GDK_BUTTON_PRESS_MASK |
			      GDK_BUTTON_RELEASE_MASK |
			      GDK_POINTER_MOTION_MASK | GDK_SCROLL_MASK);
	gtk_container_add(GTK_CONTAINER(g->win), g->area);
	g_signal_connect(g->area, "draw", G_CALLBACK(gui_draw), g);
	g_signal_connect(g->win, "delete-event", G_CALLBACK(gui_delete), g);
	g_signal_connect(g->area, "key-press-event", G_CALLBACK(gui_key), g);
	g_signal_connect(g->area, "key-release-event", G_CALLBACK(gui_key), g);
	g_signal_connect(g->area, "button-press-event", G_CALLBACK(gui_button), g);
	g_signal_connect(g->area, "button-release-event", G_CALLBACK(gui_button), g);
	g_signal_connect(g->area, "motion-notify-event", G_CALLBACK(gui_motion), g);
	g_signal_connect(g->area, "scroll-event", G_CALLBACK(gui_scroll), g);
	g_signal_connect(g->area, "focus-out-event", G_CALLBACK(gui_focus_out), g);
	gtk_widget_show_all(g->win);
	gtk_widget_grab_focus(g->area);
	gui_pump();
	*out = g;
	return 0;
}

static void gui_refresh(void *opaque, const struct fb_source *fb)
{
	struct gui *g = opaque;
	unsigned int w = 0, h = 0, y, cw, ch;
	bool same;

	if (!fb->ops || fb->ops->render(fb->opaque, g->tmp, GUI_MAX_W, GUI_MAX_W,
					GUI_MAX_H, &w, &h))
		return;
	cw = w < GUI_MAX_W ? w : GUI_MAX_W;
	ch = h < GUI_MAX_H ? h : GUI_MAX_H;
	same = cw == g->w && ch == g->h;
	for (y = 0; same && y < ch; y++)
		same = !memcmp(g->tmp + (size_t)y * GUI_MAX_W,
			       g->pix + (size_t)y * GUI_MAX_W, cw * 4u);
	if (same)
		return;
	for (y = 0; y < ch; y++)
		memcpy(g->pix + (size_t)y * GUI_MAX_W,
		       g->tmp + (size_t)y * GUI_MAX_W, cw * 4u);
	g->w = cw;
	g->h = ch;
	gtk_widget_queue_draw(g->area);
}

static bool gui_poll(void *opaque, const struct input_sink *in)
{
	struct gui *g = opaque;

	g->in = in;
	gui_pump();
	g->in = NULL;
	return g->quit;
}

/* DUALVM_SCREENSHOT=FILE: the last frame as a PNG (errors on stderr). */
static void gui_screenshot(struct gui *g, const char *path)
{
	GdkPixbuf *pb;
	GError *err = NULL;
	guchar *px;
	unsigned int x, y;
	int rs;

	if (!g->w || !g->h) {
		fprintf(stderr, "dualvm: screenshot: no frame was drawn\n");
		return;
	}
	pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, (int)g->w, (int)g->h);
	if (!pb)
		return;
	px = gdk_pixbuf_get_pixels(pb);
	rs = gdk_pixbuf_get_rowstride(pb);
	for (y = 0; y < g->h; y++)
		for (x = 0; x < g->w; x++) {
			uint32_t v = g->pix[(size_t)y * GUI_MAX_W + x];
			guchar *p = px + (size_t)y * (size_t)rs + x * 3u;

			p[0] = (guchar)(v >> 16);
			p[1] = (guchar)(v >> 8);
			p[2] = (guchar)v;
		}
	if (!gdk_pixbuf_save(pb, path, "png", &err, NULL)) {
		fprintf(stderr, "dualvm: screenshot %s: %s\n", path,
			err ? err->message : "failed");
		g_clear_error(&err);
	}
	g_object_unref(pb);
}

static void gui_close(void *opaque)
{
	struct gui *g = opaque;
	const char *shot = getenv("DUALVM_SCREENSHOT");

	if (!g)
		return;
	if (shot && *shot)
		gui_screenshot(g, shot);
	gui_ungrab(g);
	if (g->chan_src)
		g_source_remove(g->chan_src);
	gtk_widget_destroy(g->win);
	gui_pump();
	free(g->pix);
	free(g->tmp);
	free(g);
}

const struct display_ops gui_display_ops = {
	.name = "gtk",
	.open = gui_open,
	.refresh = gui_refresh,
	.poll = gui_poll,
	.close = gui_close,
};
