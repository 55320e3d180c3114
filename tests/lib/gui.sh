# SPDX-License-Identifier: GPL-2.0-only
# gui.sh --- what the dualvm-gtk tests share (gui-app.sh, gui-p2v.sh,
# gui-newvm.sh).
#
# Source it first thing, before tests/lib/common.sh, then call
#   gui_session NAME TOOL...
# Outside the session it checks that xvfb-run, dbus-run-session, gdbus
# and each TOOL exist (a missing one is a FAIL: make deps installs them),
# writes a private session bus configuration whose socket lives in a
# folder of the test's own (dbus-run-session's default leaves
# /tmp/dbus-* sockets behind), runs the script again under
#   xvfb-run -a dbus-run-session --config-file=...
# and exits with its status; inside that session it returns at once.
#
# Then, with the app on the bus (id org.dualvm.Gtk):
#   act ACTION [PARAM]        activate app.ACTION (PARAM as GVariant text
#                             in a list: '[<"x">]')
#   set_state ACTION VALUE    org.gtk.Actions.SetState ('<"x">', '<true>')
#   state ACTION              its state printed as GVariant text
#   wait_state ACTION ERE SECONDS   0 once the state matches, else 1
#   point ACTION WHAT         the "X,Y" that the (as) state ACTION, of
#                             "WHAT<TAB>X,Y" lines (app.points,
#                             app.new-vm-rows), gives for WHAT
#   wait_point ACTION WHAT SECONDS   point, once there is one (else status 1)
#   click_at WINDOW X,Y       a real pointer click (xdotool) there
#   main_click WHAT           a real click on the main window's WHAT of
#                             app.points ("vm:NAME" a sidebar row,
#                             "button:Power Off" a toolbar button)
#   menu KEY [ITEM]           the main window focused, KEY typed into it,
#                             then ITEM once a menu is shown (alt+l n:
#                             Library > New VM); status 1 if none shows
#   png_check FILE            "WxH" of a PNG of a window with more than a
#                             background in it (status 0), or why not
#   gui_quit NAME             app.quit: the app ($app, its log $TMP/app.log)
#                             must exit 0 within 10 s (NAME-quit)
gui_session() {
	local name=$1 t bus rc
	shift
	[ -n "${GUI_INNER:-}" ] && return 0
	for t in xvfb-run dbus-run-session gdbus "$@"; do
		command -v "$t" >/dev/null ||
			{ echo "FAIL $name: $t missing (make deps)"; exit 0; }
	done
	bus=$(mktemp -d "${TMPDIR:-/tmp}/$name-bus.XXXXXX") || exit 0
	cat >"$bus/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
	GUI_INNER=1 xvfb-run -a dbus-run-session --config-file="$bus/session.conf" \
		-- bash "$0" 2> >(grep -v 'Failed to set fd limit' >&2)
	rc=$?
	rm -rf "$bus"
	exit $rc
}

gd() {
	gdbus call --session --dest org.dualvm.Gtk --object-path /org/dualvm/Gtk \
		--method "org.gtk.Actions.$@"
}
act() { gd Activate "$1" "${2:-[]}" '{}' >/dev/null; }
set_state() { gd SetState "$1" "$2" '{}' >/dev/null; }
state() {	# ((true, signature '', [<'x'>]),) -> 'x'
	gd Describe "$1" 2>/dev/null |
		sed -n "s/^((true, signature '[a-z]*', \[<\(.*\)>\]),)$/\1/p"
}
wait_state() {
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		state "$1" | grep -qE -- "$2" && return 0
		sleep 0.3
	done
	return 1
}

point() {
	state "$1" | sed "s/', '/\n/g; s/^\['//; s/'\]$//; s/\\\\t/\t/g" |
		awk -F '\t' -v w="$2" '$1 == w { print $NF; exit }'
}
wait_point() {
	local end=$((SECONDS + $3)) p
	while [ $SECONDS -lt $end ]; do
		p=$(point "$1" "$2")
		case $p in *,*) echo "$p"; return 0 ;; esac
		sleep 0.3
	done
	return 1
}
click_at() { xdotool mousemove --window "$1" "${2%,*}" "${2#*,}" click 1; }
main_click() {
	local w xy
	w=$(timeout "$(budget 10)" xdotool search --sync --onlyvisible --name '^dualvm$' | head -n 1)
	xy=$(wait_point points "$1" "$(budget 10)")
	[ -n "$w" ] && [ -n "$xy" ] || return 1
	click_at "$w" "$xy"
}
# (the second key once the menu the first opened is shown: GTK's popup
# menus are override-redirect windows named dualvm-gtk; a key typed
# before would go to the main window)
popups() { xdotool search --onlyvisible --name '^dualvm-gtk$' 2>/dev/null | wc -l; }
menu() {
	local w n end
	w=$(timeout "$(budget 10)" xdotool search --sync --onlyvisible --name '^dualvm$' | head -n 1)
	[ -n "$w" ] || return 1
	xdotool windowfocus --sync "$w" || return 1
	n=$(popups)
	xdotool key --clearmodifiers "$1"
	[ $# -gt 1 ] || return 0
	end=$((SECONDS + $(budget 10)))
	while [ "$(popups)" -le "$n" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
	xdotool key --clearmodifiers "$2"
}

png_check() {
	python3 - "$1" <<'PY' 2>&1
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
assert w >= 400 and h >= 300, "%dx%d" % (w, h)
i, idat = 8, b""
while i < len(d):
    n, t = struct.unpack(">I4s", d[i:i + 8])
    if t == b"IDAT":
        idat += d[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw)) > 16, "nearly blank: %d byte values" % len(set(raw))
print("%dx%d" % (w, h))
PY
}

gui_quit() {
	local i rc
	act quit
	for ((i = 0; i < 50; i++)); do
		kill -0 "$app" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$app" 2>/dev/null; then
		t_fail "$1-quit" "app still runs"
		return
	fi
	wait "$app"; rc=$?
	[ $rc = 0 ] && t_pass "$1-quit" || t_fail "$1-quit" "exit $rc: $(tail -n 1 "$TMP/app.log")"
}
