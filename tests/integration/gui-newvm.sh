#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gui-newvm.sh --- dualvm-gtk's "New VM from a partition of this computer"
# under Xvfb with a private session bus, on a real block device: a loop
# device over a private copy of dualboot-i386.img, with its HOST partition
# (1) mounted read-write on the host (through a second loop device).
# Every user step is real X input (xdotool keys and clicks on the real
# widgets); D-Bus only reads states (what the widgets show) and saves
# pictures:
#  - the menu bar by keyboard (Library > New VM) opens the dialog; its rows
#    (app.new-vm-rows, read back from the row labels) name partition 2 of
#    the loop device as Debian, ext4, with nothing in the way, and
#    partition 1 as not selectable because it is mounted, saying to
#    unmount it; a click on partition 1's row chooses nothing and Create
#    stays disabled (app.new-vm-create) with a name typed;
#  - partition 2 chosen by a click on its row (xdotool, at the point the
#    rows state gives), then by keyboard: Alt+N and a typed name, Alt+M and Down
#    (undoable), Alt+R (Create): `dualvm vm show` has the VM with that
#    disk, partition and mode, and the sidebar lists it, selected;
#  - power on from the app by keyboard through its menu bar (VM > Power
#    On): the child's serial log reaches SYSLINUX loading the kernel of
#    partition 2, never the HOST's; power off by a click on the toolbar's
#    Power Off (where app.points says it is): the undoable dialog asks
#    and Alt+D discards the overlay; partition 2 of
#    the disk is byte-identical.  Pictures of the dialog and of the
#    guest's screen (the child's last frame, DUALVM_SCREENSHOT) are kept as
#    build/test-logs/gui-newvm-dialog.png and gui-newvm-console.png.
# Needs root (loop devices, mount): without it, a SKIP with the reason.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "${SRC:?}/tests/lib/gui.sh"
if [ -z "${GUI_INNER:-}" ] && [ "$(id -u)" != 0 ]; then
	echo "SKIP gui-newvm: needs root for a loop device and a mount"
	exit 0
fi
gui_session gui-newvm xdotool losetup
. "$SRC/tests/lib/common.sh"
APP=$BUILD/bin/dualvm-gtk
img=$GUESTS/dualboot-i386.img
[ -x "$APP" ] || { t_fail gui-newvm "$APP not built"; exit 0; }
[ -f "$img" ] || { t_fail gui-newvm "$img missing (make guests)"; exit 0; }

export XDG_DATA_HOME=$TMP/data HOME=$TMP/home NO_AT_BRIDGE=1
mkdir -p "$HOME" "$TMP/mnt"
cp --sparse=always "$img" "$TMP/d.img"
read -r p1s p1n < <(sfdisk -d "$img" | sed -n 's/.*1 : start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')
loop=$(losetup -f --show "$TMP/d.img") ||
	{ t_fail gui-newvm "losetup failed"; exit 0; }
# partition 1 through a second loop device over the same file (no
# partition devices need to exist), mounted read-write
p1=$(losetup -f --show -o $((p1s * 512)) --sizelimit $((p1n * 512)) "$TMP/d.img") ||
	{ losetup -d "$loop"; t_fail gui-newvm "losetup of partition 1 failed"; exit 0; }
cleanup() {
	[ -n "${app:-}" ] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null
	mountpoint -q "$TMP/mnt" && umount "$TMP/mnt"
	losetup -d "$p1" 2>/dev/null
	losetup -d "$loop" 2>/dev/null
	t_cleanup
}
trap cleanup EXIT
mount -o rw "$p1" "$TMP/mnt" ||
	{ t_fail gui-newvm "cannot mount partition 1 of $loop ($p1)"; exit 0; }
read -r p2s p2n < <(sfdisk -d "$img" | sed -n 's/.*2 : start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')
p2sum() { dd if="$loop" bs=512 skip="$p2s" count="$p2n" status=none | sha256sum; }
sum0=$(p2sum)

# one row a line, fields split by a tab (GVariant text escapes it as \t)
rows() { state new-vm-rows | sed "s/', '/\n/g; s/^\['//; s/'\]$//; s/\\\\t/\t/g"; }

mkdir -p "$BUILD/test-logs"
shot=$BUILD/test-logs/gui-newvm-console.png
rm -f "$shot"
DUALVM_SCREENSHOT=$shot DUALVM_GTK_RUN_OPTS="--serial $TMP/serial.log --engine interp" \
	"$APP" >"$TMP/app.log" 2>&1 &
app=$!
t_bg $app
wait_state library . "$(budget 20)" ||
	{ t_fail gui-newvm "no app.library on the bus: $(tail -n 1 "$TMP/app.log")"; exit 0; }

# --- the rows: the dialog opened from the menu bar (Library > New VM)
menu alt+l n || t_fail gui-newvm-rows "no Library menu shown"
if ! wait_state new-vm-rows "$loop#2" "$(budget 120)"; then
	t_fail gui-newvm-rows "no row for $loop#2: $(state new-vm-result); rows: $(rows | cut -f1 | paste -sd' ')"
	exit 0
fi
r2=$(rows | grep -F "$loop#2	")
r1=$(rows | grep -F "$loop#1	")
case $r2 in
*"partition 2: Debian GNU/Linux 12 (bookworm), ext4, 256 MiB"*"Ready"*)
	case $r2 in *"not selectable"*) t_fail gui-newvm-rows "partition 2 not selectable: $r2" ;;
	*) t_pass gui-newvm-rows "$(printf '%s' "$r2" | cut -f2)" ;; esac ;;
*) t_fail gui-newvm-rows "partition 2: '$r2'" ;;
esac
case $r1 in
*"[not selectable]"*mounted*"$TMP/mnt"*unmount*) t_pass gui-newvm-refusal "$(printf '%s' "$r1" | cut -f3)" ;;
*) t_fail gui-newvm-refusal "partition 1 (mounted rw): '$r1'" ;;
esac

# --- everything through the real widgets: clicks on the rows (where
# app.new-vm-rows says they are), then the keyboard
wid=$(timeout "$(budget 20)" xdotool search --sync --onlyvisible --name 'New VM from a partition' | head -n 1)
if [ -z "$wid" ]; then
	t_fail gui-newvm-create "the dialog is not shown"; exit 0
fi
# a click on partition 1's row chooses nothing: then a name typed (X
# events are handled in order, so once app.new-vm-create has the name the
# click was handled), and Create still cannot be pressed
xy=$(wait_point new-vm-rows "$loop#1" "$(budget 10)")
click_at "$wid" "$xy"
xdotool windowfocus --sync "$wid" key --clearmodifiers alt+n ctrl+a
xdotool type --delay 20 "dual2"
if wait_state new-vm-create ", 'dual2'\)$" "$(budget 10)" &&
   [ "$(state new-vm-create)" = "(false, '', 'dual2')" ]; then
	t_pass gui-newvm-refusal-click "a click at $xy: nothing chosen, Create disabled; the row says: $(printf '%s' "$r1" | cut -f3)"
else
	t_fail gui-newvm-refusal-click "after a click on partition 1 at '$xy' and a name: $(state new-vm-create); $(state new-vm-result)"
fi
xy=$(point new-vm-rows "$loop#2")
click_at "$wid" "$xy"
if wait_state new-vm-result 'Ready' "$(budget 10)" &&
   wait_state new-vm-create "^\(true, '$loop#2', 'dual2'\)$" "$(budget 10)"; then
	t_pass gui-newvm-click "row of partition 2 at $xy"
else
	t_fail gui-newvm-click "a click at '$xy' did not choose partition 2: $(state new-vm-create); $(state new-vm-result)"
	exit 0
fi
rm -f "$BUILD/test-logs/gui-newvm-dialog.png"
act new-vm-screenshot "[<\"$BUILD/test-logs/gui-newvm-dialog.png\">]"
why=$(png_check "$BUILD/test-logs/gui-newvm-dialog.png") ||
	t_fail gui-newvm-screenshot "the dialog's picture: $why; $(state new-vm-result)"
xdotool windowfocus --sync "$wid" key --clearmodifiers alt+n ctrl+a
xdotool type --delay 20 "dual2"
xdotool key --clearmodifiers alt+m Down
sleep 0.5
xdotool key --clearmodifiers alt+r
if wait_state new-vm-result 'Created dual2' "$(budget 30)"; then
	show=$("$DUALVM" vm show dual2 --json 2>&1)
	case $show in
	*"\"path\": \"$loop\""*'"mode": "undoable", "partitions": "2"'*)
		if wait_state library "'dual2'" 5 && [ "$(state select)" = "'dual2'" ]; then
			t_pass gui-newvm-create "$loop partition 2, undoable"
		else
			t_fail gui-newvm-create "sidebar $(state library), selected $(state select)"
		fi ;;
	*) t_fail gui-newvm-create "vm show: $show" ;;
	esac
else
	t_fail gui-newvm-create "result: $(state new-vm-result)"
	exit 0
fi

# --- power on, off, the undoable dialog
# power on by keyboard through the menu bar: VM > Power On (the new VM
# is the selected one)
main=$(xdotool search --onlyvisible --name '^dualvm$' | head -n 1)
[ -n "$main" ] || { t_fail gui-newvm-run "no main window"; exit 0; }
menu alt+v o || t_fail gui-newvm-run "no VM menu shown"
child=
for i in $(seq 1 50); do
	child=$(ps -o pid=,args= --ppid $app | awk '$3 == "run" { print $1 }')
	[ -n "$child" ] && break
	sleep 0.2
done
if [ -z "$child" ] || ! wait_serial "$TMP/serial.log" 'Loading /boot' "$child" "$(budget 120)"; then
	t_fail_log gui-newvm-run "no SYSLINUX 'Loading /boot' from partition 2; status $(state status)" "$TMP/serial.log"
	exit 0
fi
if grep -aq HOST-OS-BOOTED "$TMP/serial.log"; then
	t_fail gui-newvm-run "the HOST partition booted"
else
	t_pass gui-newvm-run "$(grep -a -m1 'Loading /boot' "$TMP/serial.log" | tr -d '\r')"
fi
# power off: a click on the toolbar's Power Off (keys would go to the
# guest: its console tab has the focus); the new VM is the selected one
xy=$(point points 'button:Power Off')
[ -n "$xy" ] && click_at "$main" "$xy"
dlg=$(timeout "$(budget 30)" xdotool search --sync --onlyvisible --name 'dualvm: undoable disk' | head -n 1)
ovl=$(ls "$XDG_DATA_HOME"/dualvm/vms/dual2/*.undo.qcow2 2>/dev/null | head -n 1)
if [ -z "$dlg" ] || [ -z "$ovl" ]; then
	t_fail gui-newvm-undo "Power Off at '$xy': dialog '$dlg', overlay '$ovl'; status $(state status)"
else
	xdotool windowfocus --sync "$dlg" key --clearmodifiers alt+d
	for i in $(seq 1 50); do [ -e "$ovl" ] || break; sleep 0.2; done
	if [ -e "$ovl" ]; then
		t_fail gui-newvm-undo "overlay $ovl still there after Discard"
	else
		t_pass gui-newvm-undo "discarded"
	fi
fi
# the guest's screen as the child's display last showed it (in the tab):
# SeaBIOS's and SYSLINUX's lines of text (about 12 lit pixel rows each)
n=$(python3 "$SRC/tests/lib/png.py" text-rows "$shot" 2>&1)
if [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 24 ]; then
	t_pass gui-newvm-console-picture "$n pixel rows of text"
else
	t_fail gui-newvm-console-picture "$shot: want two lines of text or more (24 pixel rows), got: $n"
fi
[ "$(p2sum)" = "$sum0" ] && t_pass gui-newvm-source-unchanged ||
	t_fail gui-newvm-source-unchanged "partition 2 of $loop changed"
gui_quit gui-newvm
app=
exit 0
