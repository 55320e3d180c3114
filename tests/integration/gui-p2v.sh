#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gui-p2v.sh --- dualvm-gtk's P2V wizard and "Make it boot here", under
# Xvfb with a private session bus (tests/lib/gui.sh), one app for all.
# Every user step is real X input (xdotool keys and clicks on the real
# widgets); D-Bus only reads states (what the widgets show) and saves a
# picture:
#  - the menu bar by keyboard (Library > Convert a Disk) opens the wizard;
#    the source path typed into its entry (Alt+S focuses it) is the
#    app.p2v-source state, the proposed output is the source's name with
#    .qcow2, another output is typed (Alt+O); Alt+V / Alt+L tick verify
#    and "add to the library"; Alt+N, Alt+N, Alt+A (the assistant's own
#    buttons) run
#    `dualvm p2v` of a copy of linux-i386.img: the bar (app.p2v-progress)
#    ends at 100 %, the status says done, the last page says verify ok,
#    the output passes `qemu-img check` and `qemu-img compare` with the
#    source, and the VM is in the library (sidebar and `dualvm vm list`);
#    a picture of the wizard is kept in build/test-logs/;
#  - a refusal (the output exists, the wizard opened again from the menu,
#    add unticked, Apply) is the child's stderr reason, in words, on the
#    wizard's last page;
#  - Cancel (Alt+C on the wizard; source, format, output typed, verify
#    unticked, Apply) during the copy of a sparse 1 GiB disk
#    with 384 MiB of random data to vmdk-stream (deflate: seconds) sends
#    SIGINT: the status says cancelled, neither the output nor a partial
#    file is left;
#  - "Make it boot here" (F5 refreshes the sidebar, a click on the VM's
#    row there selects it, VM > Make It Boot Here by keyboard) on a
#    library VM over a copy of linux-i386.img (disk mode undoable):
#    Alt+D, Alt+I in its dialog make a dry run (status
#    "would change", no overlay kept); Alt+U, Alt+I run `dualvm inject` on
#    the VM's disk into an undoable overlay in the VM's folder; the
#    dialog's list (app.boot-here-report) names the initramfs it changed,
#    the disk image itself is unchanged.
# Missing xvfb-run, dbus-run-session, gdbus, xdotool or qemu-img is a
# FAIL (make deps installs them).
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "${SRC:?}/tests/lib/gui.sh"
gui_session gui-p2v xdotool qemu-img
. "$SRC/tests/lib/common.sh"
APP=$BUILD/bin/dualvm-gtk
img=$GUESTS/linux-i386.img
[ -x "$APP" ] || { t_fail gui-p2v "$APP not built"; exit 0; }
[ -f "$img" ] || { t_fail gui-p2v "$img missing (make guests)"; exit 0; }

export XDG_DATA_HOME=$TMP/data HOME=$TMP/home NO_AT_BRIDGE=1
mkdir -p "$HOME" "$TMP/out"
cp --sparse=always "$img" "$TMP/lin.img"

# wiz KEYS...: type keys into the wizard window (waited for, focused)
wiz() {
	local w
	w=$(timeout "$(budget 10)" xdotool search --sync --onlyvisible \
		--name 'dualvm: convert a disk' | head -n 1)
	[ -n "$w" ] || return 1
	xdotool windowfocus --sync "$w" "$@"
}
# progress: the bar's fraction and text, "(1.0, 'copy 100%: ...')"
"$APP" >"$TMP/app.log" 2>&1 &
app=$!
t_bg $app
if ! wait_state library . "$(budget 20)"; then
	t_fail gui-p2v-start "no app on the bus: $(tail -n 1 "$TMP/app.log")"
	exit 0
fi

# ---- (a) a conversion through the wizard's own widgets, opened from
# the menu bar (Library > Convert a Disk)
menu alt+l c || t_fail gui-p2v-menu "no Library menu shown"
if wait_state p2v-page "^'Source'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+s &&
   wiz type --delay 5 "$TMP/lin.img" &&
   wait_state p2v-source "^'$TMP/lin.img'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+n &&
   wait_state p2v-page "^'Output'\$" "$(budget 10)"; then
	t_pass gui-p2v-wizard-source "$(state p2v-source)"
else
	t_fail gui-p2v-wizard-source "page $(state p2v-page), source $(state p2v-source)"
fi
out=$(state p2v-output)
[ "$out" = "'$TMP/lin.qcow2'" ] && t_pass gui-p2v-wizard-output "$out" ||
	t_fail gui-p2v-wizard-output "proposed output $out"
wiz key --clearmodifiers alt+o ctrl+a
wiz type --delay 5 "$TMP/out/lin.qcow2"
wait_state p2v-output "^'$TMP/out/lin.qcow2'\$" "$(budget 10)" ||
	t_fail gui-p2v-wizard-output "typed output: $(state p2v-output)"
wiz key --clearmodifiers alt+v
wiz key --clearmodifiers alt+l
# the keys are X events, the states D-Bus answers: wait for them
if wait_state p2v-verify '^true$' "$(budget 10)" &&
   wait_state p2v-add '^true$' "$(budget 10)" &&
   [ "$(state p2v-format)" = "'qcow2'" ]; then
	t_pass gui-p2v-wizard-options "verify, add, qcow2"
else
	t_fail gui-p2v-wizard-options "verify $(state p2v-verify) add $(state p2v-add) format $(state p2v-format)"
fi
wiz key --clearmodifiers alt+n
wait_state p2v-page "^'Confirm'\$" "$(budget 10)"
wiz key --clearmodifiers alt+a
if wait_state p2v-page "^'Result'\$" "$(budget 60)" &&
   wait_state p2v-status "^'done: " "$(budget 20)"; then
	t_pass gui-p2v-convert "$(state p2v-status)"
else
	t_fail gui-p2v-convert "page $(state p2v-page), status $(state p2v-status), result $(state p2v-result)"
fi
pr=$(state p2v-progress)
case $pr in
"(1.0, '"*"100%"*) t_pass gui-p2v-progress "$pr" ;;
*) t_fail gui-p2v-progress "$pr" ;;
esac
res=$(state p2v-result)
case $res in
*"Verify ok: "*" bytes identical to the source"*) t_pass gui-p2v-verified ;;
*) t_fail gui-p2v-verified "result $res" ;;
esac
if qemu-img check -q "$TMP/out/lin.qcow2" >"$TMP/check.log" 2>&1 &&
   qemu-img compare -q -f raw -F qcow2 "$TMP/lin.img" "$TMP/out/lin.qcow2" \
	>>"$TMP/check.log" 2>&1; then
	t_pass gui-p2v-qemu-img "check and compare"
else
	t_fail gui-p2v-qemu-img "$(tail -n 1 "$TMP/check.log")"
fi
cli=$("$DUALVM" vm list --json | grep -o '"name": *"[^"]*"' | paste -sd,)
if wait_state library "'lin'" "$(budget 10)" && [ "$cli" = '"name": "lin"' ]; then
	t_pass gui-p2v-library "sidebar $(state library)"
else
	t_fail gui-p2v-library "sidebar $(state library), vm list $cli; $(state p2v-result)"
fi
mkdir -p "$BUILD/test-logs"
shot=$BUILD/test-logs/gui-p2v-wizard.png
rm -f "$shot"
act p2v-screenshot "[<\"$shot\">]"
why=$(png_check "$shot")
[ $? = 0 ] && t_pass gui-p2v-screenshot "$why, $shot" ||
	t_fail gui-p2v-screenshot "$(echo "$why" | tail -n 1); status $(state status)"

# ---- a refusal: the output exists; the child's reason, in words (the
# wizard opened again from the menu starts over with the same fields;
# Alt+L unticks "add to the library")
menu alt+l c || t_fail gui-p2v-menu "no Library menu shown"
wait_state p2v-page "^'Source'\$" "$(budget 10)"
wiz key --clearmodifiers alt+n
wait_state p2v-page "^'Output'\$" "$(budget 10)"
wiz key --clearmodifiers alt+l
wait_state p2v-add '^false$' "$(budget 10)"
wiz key --clearmodifiers alt+n
wait_state p2v-page "^'Confirm'\$" "$(budget 10)"
wiz key --clearmodifiers alt+a
if wait_state p2v-status "^'failed: " "$(budget 20)"; then
	st=$(state p2v-status)
	case $st in
	*"dualvm: p2v: $TMP/out/lin.qcow2 already exists; not overwriting it'") t_pass gui-p2v-refusal "$st" ;;
	*) t_fail gui-p2v-refusal "status $st" ;;
	esac
else
	t_fail gui-p2v-refusal "status $(state p2v-status)"
fi

# ---- (b) Cancel during the copy: SIGINT, nothing left behind
truncate -s 1G "$TMP/big.img"
head -c 384M /dev/urandom | dd of="$TMP/big.img" bs=1M seek=64 conv=notrunc status=none
# all typed: the source, Alt+F and Down Down (qcow2, vmdk, vmdk-stream),
# the output, Alt+V unticks verify, Apply
menu alt+l c || t_fail gui-p2v-menu "no Library menu shown"
if wait_state p2v-page "^'Source'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+s ctrl+a &&
   wiz type --delay 5 "$TMP/big.img" &&
   wait_state p2v-source "^'$TMP/big.img'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+n &&
   wait_state p2v-page "^'Output'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+f Down Down &&
   wait_state p2v-format "^'vmdk-stream'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+o ctrl+a &&
   wiz type --delay 5 "$TMP/out/big.vmdk" &&
   wait_state p2v-output "^'$TMP/out/big.vmdk'\$" "$(budget 10)" &&
   wiz key --clearmodifiers alt+v &&
   wait_state p2v-verify '^false$' "$(budget 10)" &&
   [ "$(state p2v-add)" = false ] &&
   wiz key --clearmodifiers alt+n &&
   wait_state p2v-page "^'Confirm'\$" "$(budget 10)"; then
	wiz key --clearmodifiers alt+a
else
	t_fail gui-p2v-cancel-fields "page $(state p2v-page), source $(state p2v-source), format $(state p2v-format), output $(state p2v-output), verify $(state p2v-verify), add $(state p2v-add)"
fi
# past the first area of zeros, into the random data
if wait_state p2v-progress "^\([0-9.e-]+, 'copy ([1-9][0-9]?)%" "$(budget 30)"; then
	at=$(state p2v-progress)
	wiz key --clearmodifiers alt+c
	if wait_state p2v-status "^'(cancelled|done|failed)" "$(budget 30)"; then
		st=$(state p2v-status)
		left=$(ls -A "$TMP/out" | grep big)
		if [ "$st" = "'cancelled'" ] && [ -z "$left" ]; then
			t_pass gui-p2v-cancel "at $at; $(state p2v-result)"
		else
			t_fail gui-p2v-cancel "status $st after Cancel at $at; left: $left; $(state p2v-result)"
		fi
	else
		t_fail gui-p2v-cancel "status $(state p2v-status) after Cancel at $at"
	fi
	case $(state status) in
	"'P2V: cancelled'") t_pass gui-p2v-cancel-status-bar ;;
	*) t_fail gui-p2v-cancel-status-bar "status bar $(state status)" ;;
	esac
else
	t_fail gui-p2v-cancel "no copy progress: $(state p2v-progress); $(state p2v-status)"
fi
rm -f "$TMP/big.img"

# ---- (c) Make it boot here: dualvm inject into an undoable overlay
"$DUALVM" vm create boot --disk "$TMP/lin.img" --disk-mode undoable \
	>"$TMP/create.log" 2>&1 || t_fail gui-p2v-boot-here "vm create: $(tail -n 1 "$TMP/create.log")"
before=$(sha256sum <"$TMP/lin.img")
# the wizard closed (Escape), F5 (refresh) in the main window, a click on
# the new VM's row in the sidebar, VM > Make It Boot Here
wiz key Escape
end=$((SECONDS + $(budget 10)))
while [ $SECONDS -lt $end ] &&
      xdotool search --onlyvisible --name 'dualvm: convert a disk' >/dev/null; do
	sleep 0.2
done
menu F5
main=$(xdotool search --onlyvisible --name '^dualvm$' | head -n 1)
xy=$(wait_point points vm:boot "$(budget 10)")
click_at "$main" "$xy"
if wait_state select "^'boot'\$" "$(budget 10)"; then
	t_pass gui-p2v-boot-here-select "a click at $xy"
else
	t_fail gui-p2v-boot-here-select "a click at '$xy': selected $(state select), sidebar $(state library)"
fi
menu alt+v b || t_fail gui-p2v-menu "no VM menu shown"
w=$(timeout "$(budget 10)" xdotool search --sync --onlyvisible --name 'dualvm: make it boot here' | head -n 1)
ovl=$XDG_DATA_HOME/dualvm/vms/boot/lin.img.undo.qcow2
# first a dry run (Alt+D ticks it, Alt+I injects): nothing is kept
[ -n "$w" ] && xdotool windowfocus --sync "$w" key --clearmodifiers alt+d
wait_state boot-here-mode "^'nonpersistent'\$" "$(budget 10)"
mode=$(state boot-here-mode)
[ -n "$w" ] && xdotool windowfocus --sync "$w" key --clearmodifiers alt+i
if [ "$mode" = "'nonpersistent'" ] &&
   wait_state boot-here-status "^'boot: dry run: would change 1 file on partition 1 \(linux\)'\$" "$(budget 30)" &&
   [ ! -e "$ovl" ]; then
	t_pass gui-p2v-boot-here-dry-run "$(state boot-here-report)"
else
	t_fail gui-p2v-boot-here-dry-run "dialog '$w', mode $mode, status $(state boot-here-status); overlay $(ls "$ovl" 2>&1)"
fi
# then undoable (Alt+U): into the overlay in the VM's folder
[ -n "$w" ] && xdotool windowfocus --sync "$w" key --clearmodifiers alt+u
wait_state boot-here-mode "^'undoable'\$" "$(budget 10)"
[ -n "$w" ] && xdotool windowfocus --sync "$w" key --clearmodifiers alt+i
if wait_state boot-here-status "^[\"']boot: changed 1 file on partition 1 \(linux\), kept in an undoable overlay" "$(budget 30)"; then
	rep=$(state boot-here-report)
	case $rep in
	*"('/boot/initrd.img-"*) ;;
	*) t_fail gui-p2v-boot-here "report $rep" ;;
	esac
	if [ -f "$ovl" ] && [ "$(sha256sum <"$TMP/lin.img")" = "$before" ]; then
		t_pass gui-p2v-boot-here "$rep"
	else
		t_fail gui-p2v-boot-here "overlay $(ls "$ovl" 2>&1); disk changed?"
	fi
else
	t_fail gui-p2v-boot-here "dialog $w; status $(state boot-here-status)"
fi

gui_quit gui-p2v
exit 0
