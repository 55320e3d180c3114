#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# install.sh --- `make install DESTDIR=... PREFIX=/usr` installs the CLI,
# its GTK display plugin (found from the installed binary), a man page per
# command that `man --warnings` renders without a warning and that names
# every option the command's --help lists, and a bash completion that
# offers them; `make uninstall` removes every file again.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
root=$TMP/root
if ! make -s -C "$SRC" BUILD="$BUILD" install DESTDIR="$root" PREFIX=/usr \
	>"$TMP/install.log" 2>&1; then
	t_fail install "make install failed: $(tail -n 1 "$TMP/install.log")"; exit 0
fi
ok=1 why=
for f in bin/dualvm lib/dualvm/gui-gtk.so share/bash-completion/completions/dualvm \
	 share/man/man1/dualvm.1 share/man/man1/dualvm-run.1 share/man/man1/dualvm-disk.1 \
	 share/man/man1/dualvm-p2v.1 share/man/man1/dualvm-inspect.1 share/man/man1/dualvm-inject.1 \
	 share/man/man1/dualvm-vm.1 bin/dualvm-gtk share/man/man1/dualvm-gtk.1 \
	 share/applications/org.dualvm.Gtk.desktop \
	 share/icons/hicolor/scalable/apps/org.dualvm.Gtk.svg; do
	[ -s "$root/usr/$f" ] || { ok=0; why="missing /usr/$f"; }
done
[ $ok = 1 ] && t_pass install-files || t_fail install-files "$why"
# dualvm-gtk's desktop entry: valid, and it names the installed binary and icon
if ! command -v desktop-file-validate >/dev/null; then
	t_fail install-desktop-file "desktop-file-validate missing (make deps)"
elif ! desktop-file-validate "$root/usr/share/applications/org.dualvm.Gtk.desktop" \
	>"$TMP/dfv.log" 2>&1; then
	t_fail install-desktop-file "$(head -n 1 "$TMP/dfv.log")"
elif ! grep -qx 'Exec=dualvm-gtk' "$root/usr/share/applications/org.dualvm.Gtk.desktop" ||
     ! grep -qx 'Icon=org.dualvm.Gtk' "$root/usr/share/applications/org.dualvm.Gtk.desktop"; then
	t_fail install-desktop-file "Exec/Icon do not name dualvm-gtk / org.dualvm.Gtk"
else
	t_pass install-desktop-file
fi

bin=$root/usr/bin/dualvm
if "$bin" --help >/dev/null 2>&1 && "$bin" p2v --help >/dev/null 2>&1; then
	t_pass install-binary-runs
else
	t_fail install-binary-runs "$("$bin" --help 2>&1 | tail -n 1)"
fi
# the plugin is found beside the installed binary: without a display the
# error is GTK's, not "cannot load the GTK display"
env -u DISPLAY -u WAYLAND_DISPLAY "$bin" run --display gtk --engine interp \
	--timeout 1 --bios /dev/null >/dev/null 2>"$TMP/gtk.err"
if grep -q "cannot load the GTK display\|not a dualvm GTK display" "$TMP/gtk.err"; then
	t_fail install-gtk-plugin-found "$(head -n 1 "$TMP/gtk.err")"
else
	t_pass install-gtk-plugin-found "$(head -n 1 "$TMP/gtk.err")"
fi

# man pages: no groff warning; every --option of a command's --help named
ok=1 why=
for c in "" run disk p2v inspect inject vm gtk; do
	page=$root/usr/share/man/man1/dualvm${c:+-$c}.1
	MANWIDTH=100 man --warnings -E UTF-8 -l "$page" 2>"$TMP/man.err" |
		col -b >"$TMP/man.txt"
	if [ -s "$TMP/man.err" ]; then
		ok=0; why="$(basename "$page"): $(head -n 1 "$TMP/man.err")"; continue
	fi
	[ "$c" = gtk ] && continue	# GApplication's own --help
	for o in $("$bin" $c --help 2>&1 | grep -o -- '--[a-z][-a-z]*' | sort -u); do
		grep -q -- "$o" "$TMP/man.txt" || { ok=0; why="$(basename "$page") does not name $o"; }
	done
done
[ $ok = 1 ] && t_pass install-man-pages || t_fail install-man-pages "$why"

# completion: the commands, and each command's options
ok=1 why=
comp() {	# comp WORDS...: COMPREPLY for the last word, one per line
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		 _dualvm; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$root/usr/share/bash-completion/completions/dualvm" "$@"
}
[ "$(comp dualvm p2 | tr '\n' ' ')" = "p2v " ] || { ok=0; why="'dualvm p2' -> $(comp dualvm p2 | tr '\n' ' ')"; }
for c in run disk p2v inspect inject vm; do
	for o in $("$bin" $c --help 2>&1 | grep -o -- '--[a-z][-a-z]*' | sort -u); do
		comp dualvm $c -- | grep -qx -- "$o" ||
			{ ok=0; why="no completion for dualvm $c $o"; }
	done
done
[ "$(comp dualvm p2v --format vd)" = vdi ] || { ok=0; why="'p2v --format vd' -> $(comp dualvm p2v --format vd)"; }
[ $ok = 1 ] && t_pass install-bash-completion || t_fail install-bash-completion "$why"

make -s -C "$SRC" BUILD="$BUILD" uninstall DESTDIR="$root" PREFIX=/usr >/dev/null 2>&1
left=$(find "$root" -type f | head -n 3 | tr '\n' ' ')
[ -z "$left" ] && t_pass install-uninstall || t_fail install-uninstall "left: $left"
exit 0
