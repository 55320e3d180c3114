#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gui-app.sh --- dualvm-gtk under Xvfb with its own session bus.  Every
# user step is real X input (xdotool: keys, and clicks on the sidebar rows
# and toolbar buttons where the app.points state says they are); D-Bus
# only reads states (what the widgets show) and saves pictures.  With a
# VM library in a temporary XDG_DATA_HOME, the sidebar (the app.library
# action's state, read from the rows' labels) lists exactly the VMs of
# `dualvm vm list`, also after a VM is deleted behind its back and F5 is
# pressed; a click on a row selects that VM; the toolbar's Power On starts
# `dualvm run NAME --display gtk` as the app's child, whose serial
# log (DUALVM_GTK_RUN_OPTS=--serial) reaches SeaBIOS and SYSLINUX loading
# the kernel; the status bar says running with the child's pid;
# the child's screen is a "Console: lin" tab of the main window
# (app.consoles, read from the notebook: the GtkSocket holds the plug; the
# plug's X window lies inside the main window), a click into it grabs the
# input and the status bar says so, Ctrl+Alt releases it; the toolbar's
# Ctrl+Alt+Del, once the guest kernel's keyboard is up, reboots the
# guest (SeaBIOS again on the serial log); the main window's picture of
# the console (app.screenshot) shows the same text cells as the child's
# own last frame (DUALVM_SCREENSHOT); the tab goes with its child;
# Power Off stops the child (SIGTERM, exit 130) and the status bar
# says so with the child's last stderr line; no dialog follows a
# nonpersistent run, while after each run of an undoable VM a dialog asks
# and the keys Alt+D / Alt+C typed into it discard / commit the
# overlay through `dualvm disk`; app.details shows the selected VM's
# memory, CPUs, firmware, NIC and disks; Reset replaces the child;
# Library > Delete VM asks (Cancel keeps the VM, Delete removes it, not
# its disk); app.screenshot keeps a picture of the window in
# build/test-logs/; app.quit ends the app.
# Also: the .desktop file passes desktop-file-validate.
# Missing xvfb-run, dbus-run-session, gdbus, xdotool or desktop-file-validate is a
# FAIL (make deps installs them).
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "${SRC:?}/tests/lib/gui.sh"
if [ -z "${GUI_INNER:-}" ] && command -v desktop-file-validate >/dev/null; then
	if desktop-file-validate "$SRC/gui/app/org.dualvm.Gtk.desktop" \
		>"${TMPDIR:-/tmp}/gui-app-dfv.$$" 2>&1; then
		echo "PASS gui-app-desktop-file"
	else
		echo "FAIL gui-app-desktop-file: $(head -n 1 "${TMPDIR:-/tmp}/gui-app-dfv.$$")"
	fi
	rm -f "${TMPDIR:-/tmp}/gui-app-dfv.$$"
fi
gui_session gui-app desktop-file-validate xdotool
. "$SRC/tests/lib/common.sh"
APP=$BUILD/bin/dualvm-gtk
img=$GUESTS/linux-i386.img
[ -x "$APP" ] || { t_fail gui-app "$APP not built"; exit 0; }
[ -f "$img" ] || { t_fail gui-app "$img missing (make guests)"; exit 0; }

export XDG_DATA_HOME=$TMP/data HOME=$TMP/home NO_AT_BRIDGE=1
mkdir -p "$HOME"
cp --sparse=always "$img" "$TMP/lin.img"
"$DUALVM" vm create lin --disk "$TMP/lin.img" --disk-mode nonpersistent \
	>"$TMP/create.log" 2>&1 &&
"$DUALVM" vm create alpha --disk "$TMP/lin.img" --disk-mode nonpersistent \
	--memory 64 --cpus 2 >>"$TMP/create.log" 2>&1 ||
	{ t_fail gui-app "vm create: $(tail -n 1 "$TMP/create.log")"; exit 0; }

app_child() {	# the app's `dualvm run` child, waited for up to 10 s
	local c i
	for ((i = 0; i < 50; i++)); do
		c=$(ps -o pid=,args= --ppid $app | awk '$3 == "run" { print $1 }')
		[ -n "$c" ] && break
		sleep 0.2
	done
	echo "$c"
}
# x_parent WIN: the parent X window of WIN (0x... form)
x_parent() {
	xwininfo -children -id "$1" 2>/dev/null |
		sed -n 's/^ *Parent window id: \(0x[0-9a-f]*\).*/\1/p'
}
# x_geom WIN: its absolute "X Y WIDTH HEIGHT"
x_geom() {
	xwininfo -id "$1" 2>/dev/null | awk '/Absolute upper-left X/ { x = $NF }
		/Absolute upper-left Y/ { y = $NF } /Width:/ { w = $NF }
		/Height:/ { h = $NF } END { print x, y, w, h }'
}
# count PATTERN FILE: lines of FILE matching PATTERN
count() { grep -ac -- "$1" "$2" 2>/dev/null || true; }
# wait_count PATTERN FILE N PID SECONDS: until PATTERN is on N lines
wait_count() {
	local end=$((SECONDS + $5))
	while [ "$(count "$1" "$2")" -lt "$3" ]; do
		kill -0 "$4" 2>/dev/null && [ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}
lib_names() {	# the library by the CLI: ['a', 'b']
	"$DUALVM" vm list --json | grep -o '"name": *"[^"]*"' |
		sed 's/.*: *"\(.*\)"/'"'"'\1'"'"'/' | paste -sd, | sed 's/,/, /g; s/.*/[&]/'
}

DUALVM_SCREENSHOT=$TMP/child.png \
DUALVM_GTK_RUN_OPTS="--serial $TMP/serial.log --engine interp" \
	"$APP" >"$TMP/app.log" 2>&1 &
app=$!
t_bg $app
if ! wait_state library . "$(budget 20)"; then
	t_fail gui-app-start "no app.library state on the bus: $(tail -n 1 "$TMP/app.log")"
	exit 0
fi

want=$(lib_names) got=$(state library)
if [ "$want" = "['alpha', 'lin']" ] && [ "$got" = "$want" ]; then
	t_pass gui-app-library "$got"
else
	t_fail gui-app-library "sidebar $got, library $want"
fi
# a click on a row selects its VM (the first row, alpha, is selected at
# start); the details page of the selected VM (app.details: its label
# pairs)
if main_click vm:lin && wait_state select "^'lin'\$" "$(budget 10)"; then
	t_pass gui-app-select "a click on lin's row"
else
	t_fail gui-app-select "after a click on lin's row ($(point points vm:lin)): selected $(state select)"
fi
main_click vm:alpha
wait_state select "^'alpha'\$" "$(budget 10)" ||
	t_fail gui-app-details "after a click on alpha's row: selected $(state select)"
det=$(state details)
ok=
for want in "('Name', 'alpha')" "('Memory', '64 MiB')" "('CPUs', '2')" \
	    "('Firmware', 'BIOS')" "('NIC', 'e1000')" \
	    "('Disk 0', '$TMP/lin.img\\nmode nonpersistent, whole disk')"; do
	case $det in *"$want"*) ;; *) ok="no $want in $det" ;; esac
done
[ -z "$ok" ] && t_pass gui-app-details || t_fail gui-app-details "$ok"
# a picture of the window for people (build/test-logs/gui-app-details.png):
# a PNG of the window's size with more than a background in it
mkdir -p "$BUILD/test-logs"
shot=$BUILD/test-logs/gui-app-details.png
rm -f "$shot"
act screenshot "[<\"$shot\">]"
why=$(png_check "$shot")
[ $? = 0 ] && t_pass gui-app-screenshot "$why, $shot" ||
	t_fail gui-app-screenshot "$(echo "$why" | tail -n 1); status $(state status)"

"$DUALVM" vm delete alpha >/dev/null 2>&1
menu F5
wait_state library "^\['lin'\]\$" "$(budget 10)"
want=$(lib_names) got=$(state library)
[ "$want" = "['lin']" ] && [ "$got" = "$want" ] &&
	t_pass gui-app-refresh "$got" || t_fail gui-app-refresh "sidebar $got, library $want"

# (alpha's row gone, lin is the selected VM)
main_click vm:lin
wait_state select "^'lin'\$" "$(budget 10)" ||
	t_fail gui-app-power-on "lin not selected: $(state select)"

# power on: the app's child runs the VM, its serial log reaches the kernel
main_click 'button:Power On'
child=$(app_child)
if [ -z "$child" ]; then
	t_fail gui-app-power-on "no dualvm run child; status $(state status)"; exit 0
fi
args=$(ps -o args= -p "$child")
case $args in
*"run --display gtk --on-exit keep"*" lin") ;;
*) t_fail gui-app-power-on "child runs: $args" ;;
esac
wait_serial "$TMP/serial.log" 'Loading /boot' "$child" "$(budget 120)"
case $? in
0) t_pass gui-app-power-on "pid $child: $args" ;;
*) t_fail_log gui-app-power-on "no SYSLINUX 'Loading /boot' from the child" "$TMP/serial.log" ;;
esac
grep -aq SeaBIOS "$TMP/serial.log" || t_fail gui-app-power-on "no SeaBIOS banner"
st=$(state status)
[ "$st" = "'lin: running (pid $child)'" ] && t_pass gui-app-status-running "$st" ||
	t_fail gui-app-status-running "$st"

# the console tab: the notebook's GtkSocket holds the child's plug, whose
# X window is a descendant of the main window
plug=
if wait_state consoles "^\[\('Console: lin', true, false\)\]\$" "$(budget 20)"; then
	plug=$(xdotool search --name '^dualvm — ' 2>/dev/null | head -n 1)
	mainwin=$(xdotool search --class '^dualvm-gtk$' 2>/dev/null)
	w=${plug:+$(printf '0x%x' "$plug")} up=
	while [ -n "$w" ] && [ "$w" != 0x0 ]; do
		up="$up $((w))"
		w=$(x_parent "$w")
	done
	inside=
	for m in $mainwin; do
		case "$up " in *" $m "*) inside=$m ;; esac
	done
	if [ -n "$inside" ]; then
		t_pass gui-app-console-tab "$(state consoles); plug $plug in window $inside"
	else
		t_fail gui-app-console-tab "plug window '$plug' (ancestors$up) not in the main window ($mainwin)"
		plug=
	fi
else
	t_fail gui-app-console-tab "consoles $(state consoles); status $(state status)"
fi

# a click into the console grabs the input, Ctrl+Alt releases it; the
# status bar (and app.consoles) say so
if [ -n "$plug" ]; then
	xdotool mousemove --window "$plug" 100 100 click 1
	if wait_state status "^'lin: input grabbed — Ctrl\+Alt releases'\$" "$(budget 10)" &&
	   [ "$(state consoles)" = "[('Console: lin', true, true)]" ]; then
		xdotool key ctrl+alt
		if wait_state status "^'lin: running \(pid $child\)'\$" "$(budget 10)" &&
		   [ "$(state consoles)" = "[('Console: lin', true, false)]" ]; then
			t_pass gui-app-console-grab "grab and release shown"
		else
			t_fail gui-app-console-grab "after Ctrl+Alt: status $(state status); consoles $(state consoles)"
		fi
	else
		t_fail gui-app-console-grab "after a click: status $(state status); consoles $(state consoles)"
	fi
else
	t_fail gui-app-console-grab "no console tab"
fi

# Ctrl+Alt+Del: once the kernel's keyboard driver is up, the guest reboots
# (busybox init's ctrlaltdel, or the kernel's own restart before init):
# SeaBIOS starts again, in the same child
if wait_serial "$TMP/serial.log" 'input: AT Translated Set 2 keyboard' "$child" "$(budget 180)"; then
	n=$(count 'SeaBIOS (version' "$TMP/serial.log")
	main_click 'button:Ctrl+Alt+Del'
	wait_state status "^'lin: Ctrl\+Alt\+Del sent'\$" "$(budget 10)"
	st=$(state status)
	if [ "$st" != "'lin: Ctrl+Alt+Del sent'" ]; then
		t_fail gui-app-ctrl-alt-del "status $st"
	elif wait_count 'SeaBIOS (version' "$TMP/serial.log" $((n + 1)) "$child" "$(budget 60)"; then
		t_pass gui-app-ctrl-alt-del "SeaBIOS $((n + 1)) times on the serial log"
	else
		t_fail_log gui-app-ctrl-alt-del "no reboot after Ctrl+Alt+Del" "$TMP/serial.log"
	fi
else
	t_fail_log gui-app-ctrl-alt-del "the guest kernel found no keyboard" "$TMP/serial.log"
fi

# the main window's picture of the console, taken while the rebooted guest
# waits in its kernel's start (no text changes for many seconds); the
# child's last frame is saved when the reset below stops it
appshot=$BUILD/test-logs/gui-app-console.png
geo=
rm -f "$appshot" "$TMP/child.png"
if [ -n "$plug" ] && wait_count 'Probing EDD' "$TMP/serial.log" 2 "$child" "$(budget 60)"; then
	sleep 1
	geo="$(x_geom "$plug") $(x_geom "$inside")"
	act screenshot "[<\"$appshot\">]"
fi

# reset: the child is stopped and a new one started (its serial log is
# a new file: the old child keeps writing into the removed one)
rm -f "$TMP/serial.log"
main_click button:Reset
new=
for ((i = 0; i < 100; i++)); do
	new=$(ps -o pid=,args= --ppid $app | awk '$3 == "run" { print $1 }')
	[ -n "$new" ] && [ "$new" != "$child" ] && break
	sleep 0.2
done
if [ -n "$new" ] && [ "$new" != "$child" ] && ! kill -0 "$child" 2>/dev/null &&
   wait_state status "^'lin: running \(pid $new\)'\$" "$(budget 10)"; then
	old=$child child=$new
	# power off below only once the new child runs the guest (a SIGTERM
	# while `dualvm run` still opens its disks ends it by the signal)
	if wait_serial "$TMP/serial.log" 'SeaBIOS' "$child" "$(budget 60)"; then
		t_pass gui-app-reset "pid $old -> $new"
	else
		t_fail_log gui-app-reset "no SeaBIOS from the new child $new" "$TMP/serial.log"
	fi
else
	t_fail gui-app-reset "pid $child -> '$new'; status $(state status)"
	[ -n "$new" ] && child=$new
fi

# the console's picture in the main window = the child's last frame: the
# same text cells lit (a 80x25 grid over the plug's area and the frame)
if [ -z "$geo" ]; then
	t_fail gui-app-console-picture "no console to take a picture of"
elif [ ! -f "$TMP/child.png" ]; then
	t_fail gui-app-console-picture "the stopped child saved no DUALVM_SCREENSHOT"
else
	why=$(PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$SRC/tests/lib python3 - "$appshot" "$TMP/child.png" $geo <<'PY' 2>&1
import sys
from png import png

def cells(img, x0, y0, w, h, cols=80, nrows=25):
    bpp, px = img[2], img[3]
    lit = []
    for r in range(nrows):
        for c in range(cols):
            on = n = 0
            for y in range(y0 + r * h // nrows, y0 + (r + 1) * h // nrows):
                ln = px[y]
                for x in range(x0 + c * w // cols, x0 + (c + 1) * w // cols):
                    n += 1
                    on += sum(ln[x * bpp:x * bpp + 3]) > 240
            lit.append(on * 20 > n)
    return lit

app, child = png(sys.argv[1]), png(sys.argv[2])
px, py, pw, ph, mx, my = map(int, sys.argv[3:9])
assert pw > 100 and ph > 100, "console area %dx%d" % (pw, ph)
a = cells(app, px - mx, py - my, pw, ph)
b = cells(child, 0, 0, child[0], child[1])
same = sum(x == y for x, y in zip(a, b))
assert sum(b) >= 20, "the child's frame has %d lit cells" % sum(b)
assert same >= 0.98 * len(b), "%d of %d cells agree (%d lit in the app, %d in the child)" % (
    same, len(b), sum(a), sum(b))
print("%d of %d cells agree, %d lit; console %dx%d, frame %dx%d" % (
    same, len(b), sum(b), pw, ph, child[0], child[1]))
PY
)
	[ $? = 0 ] && t_pass gui-app-console-picture "$why; $appshot" ||
		t_fail gui-app-console-picture "$(echo "$why" | tail -n 1); $appshot"
fi
# the old child's tab went with it: one tab, the new child's
wait_state consoles "^\[\('Console: lin', true, false\)\]\$" "$(budget 20)" &&
	t_pass gui-app-console-replaced "$(state consoles)" ||
	t_fail gui-app-console-replaced "consoles $(state consoles)"

# power off: SIGTERM, dualvm closes its disks and exits 130
main_click 'button:Power Off'
for ((i = 0; i < 100; i++)); do
	kill -0 "$child" 2>/dev/null || break
	sleep 0.2
done
if kill -0 "$child" 2>/dev/null; then
	t_fail gui-app-power-off "child $child still runs 20 s after power-off"
elif wait_state status 'stopped' "$(budget 10)"; then
	st=$(state status)
	case $st in
	"'lin: stopped (exit 130: dualvm: run: stopped"*) t_pass gui-app-power-off "$st" ;;
	*) t_fail gui-app-power-off "status $st" ;;
	esac
else
	t_fail gui-app-power-off "status $(state status)"
fi

main_click 'button:Power Off'
wait_state status "^'lin: not running'\$" "$(budget 10)"
st=$(state status)
[ "$st" = "'lin: not running'" ] && t_pass gui-app-power-off-stopped ||
	t_fail gui-app-power-off-stopped "status $st"
wait_state consoles '\[\]$' "$(budget 10)" && t_pass gui-app-console-gone ||
	t_fail gui-app-console-gone "consoles $(state consoles) after power-off"

# a nonpersistent VM leaves nothing to ask about
if xdotool search --onlyvisible --name 'dualvm: undoable disk' >/dev/null 2>&1; then
	t_fail gui-app-undo-none "a dialog after a nonpersistent run"
else
	t_pass gui-app-undo-none
fi

# an undoable VM: at power-off its overlay stays in the VM's folder and a
# dialog asks; Alt+D (Discard), then on a second run Alt+C (Commit), typed
# into the dialog, run `dualvm disk discard|commit` and the overlay goes
cp --sparse=always "$img" "$TMP/u.img"
"$DUALVM" vm create und --disk "$TMP/u.img" --disk-mode undoable \
	>>"$TMP/create.log" 2>&1 || t_fail gui-app-undo "vm create: $(tail -n 1 "$TMP/create.log")"
menu F5
wait_state library "'und'" "$(budget 10)"
ovl=$XDG_DATA_HOME/dualvm/vms/und/u.img.undo.qcow2
for answer in discard commit; do
	rm -f "$TMP/serial.log"
	main_click vm:und
	wait_state select "^'und'\$" "$(budget 10)" ||
		t_fail gui-app-undo-$answer "a click on und's row: selected $(state select)"
	main_click 'button:Power On'
	child=$(app_child)
	if [ -z "$child" ] || ! wait_serial "$TMP/serial.log" 'Loading /boot' "$child" "$(budget 120)"; then
		t_fail_log gui-app-undo-$answer "the undoable VM did not boot: $(state status)" "$TMP/serial.log"
		continue
	fi
	main_click 'button:Power Off'
	end=$((SECONDS + $(budget 30)))
	while kill -0 "$child" 2>/dev/null && [ $SECONDS -lt $end ]; do
		sleep 0.2
	done
	wid=$(timeout "$(budget 20)" xdotool search --sync --onlyvisible --name 'dualvm: undoable disk' | head -n 1)
	if [ -z "$wid" ]; then
		t_fail gui-app-undo-$answer "no dialog; status $(state status); windows: $(for w in $(xdotool search --name . 2>/dev/null); do xdotool getwindowname $w; done | paste -sd, -)"; continue
	fi
	[ -f "$ovl" ] || t_fail gui-app-undo-$answer "no overlay $ovl while the dialog asks"
	xdotool windowfocus --sync "$wid" key --clearmodifiers "alt+${answer:0:1}"
	if wait_state status "und: changes ${answer}ted|und: changes ${answer}ed" "$(budget 30)" &&
	   [ ! -e "$ovl" ]; then
		t_pass gui-app-undo-$answer "$(state status)"
	else
		t_fail gui-app-undo-$answer "status $(state status); overlay $(ls "$ovl" 2>&1)"
	fi
done

# delete asks first: Cancel keeps the VM, Delete removes it (not its disk)
for answer in cancel delete; do
	main_click vm:und
	menu alt+l d || t_fail gui-app-delete-$answer "no Library menu shown"
	wid=$(timeout "$(budget 20)" xdotool search --sync --onlyvisible --name 'dualvm: delete VM' | head -n 1)
	if [ -z "$wid" ]; then
		t_fail gui-app-delete-$answer "no dialog; status $(state status)"; continue
	fi
	xdotool windowfocus --sync "$wid" key --clearmodifiers "alt+${answer:0:1}"
	[ $answer = cancel ] && want="['lin', 'und']" || want="['lin']"
	for ((i = 0; i < 30; i++)); do
		xdotool search --onlyvisible --name 'dualvm: delete VM' >/dev/null 2>&1 || break
		sleep 0.2
	done
	got=$(state library) cli=$(lib_names)
	if [ "$got" = "$want" ] && [ "$cli" = "$want" ] && [ -f "$TMP/u.img" ]; then
		t_pass gui-app-delete-$answer "$got"
	else
		t_fail gui-app-delete-$answer "sidebar $got, library $cli, want $want; $(state status)"
	fi
done

gui_quit gui-app
exit 0
