#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# check-layers.sh --- the subsystems include only downward, and only each
# other's public header
#
#   scripts/check-layers.sh [ROOT]        check the tree at ROOT (default .)
#   scripts/check-layers.sh --self-test   prove the check catches violations
#
# Every top-level folder of product code is a library with one public
# header <dir>/<dir>.h.  A quoted #include of another folder's file must
# name that public header (never a private one), of a folder the layer
# table below lets the includer use: the machine stack
#   lib < hw < devices < board < vmm < gui < cli
# and the disk stack
#   lib < rawdisk < vmdisk < p2v < hwprofile < cli
# where vmm may also use vmdisk and rawdisk (it wires disks into the
# board's block interface) and devices/board may not.  tests/ and kmod/ are
# not checked.  A folder missing from the table is an error, so a new
# library gets a place in it.  Prints one line per violation, exits 1 if
# there is any.  Known violations being removed elsewhere may be listed in
# scripts/layers-allow.txt ("FILE -> HEADER" per line); they are reported
# as notes, and stale entries as notes too.
set -u

# What each library may include besides itself (the transitive closure).
declare -A MAY=(
	[lib]=""
	[hw]="lib"
	[devices]="hw lib"
	[board]="devices hw lib"
	[vmm]="board devices hw lib vmdisk rawdisk"
	[gui]="vmm board devices hw lib"
	[rawdisk]="lib"
	[vmdisk]="rawdisk lib"
	[p2v]="vmdisk rawdisk lib"
	[hwprofile]="p2v vmdisk rawdisk lib"
	[cli]="gui vmm board devices hw hwprofile p2v vmdisk rawdisk lib"
	# gui/app/ is dualvm-gtk, a program beside cli/ (not a library)
	[gui/app]="gui vmm board devices hw hwprofile p2v vmdisk rawdisk lib"
)
SKIP='^(tests|kmod|scripts|build)$'

# check ROOT: print violations, return 1 if any
check() {
	local root=$1 allow=$1/scripts/layers-allow.txt bad=0 f dir h hdir key
	local -A allowed=() seen=()

	if [ -f "$allow" ]; then
		while IFS= read -r key; do
			[[ $key =~ ^[[:space:]]*(#|$) ]] && continue
			allowed[$key]=1
		done <"$allow"
	fi
	while IFS= read -r f; do
		dir=${f%%/*}
		[[ $f == gui/app/* ]] && dir=gui/app
		[[ $dir =~ $SKIP ]] && continue
		if [ -z "${MAY[$dir]+x}" ]; then
			echo "layers: $f: folder $dir/ is not in the layer table (scripts/check-layers.sh)"
			bad=1
			continue
		fi
		while IFS= read -r h; do
			[[ $h == */* ]] || continue	# same folder
			hdir=${h%%/*}
			[ "$hdir" = "$dir" ] && continue
			key="$f -> $h"
			if [ -n "${allowed[$key]+x}" ]; then
				seen[$key]=1
				echo "layers: note: $key (allowed for now: scripts/layers-allow.txt)"
				continue
			fi
			if [ -z "${MAY[$hdir]+x}" ] ||
			   [[ " ${MAY[$dir]} " != *" $hdir "* ]]; then
				echo "layers: $f includes $h: $dir/ may not use $hdir/ (a higher or unrelated layer)"
				bad=1
			elif [ "$h" != "$hdir/$hdir.h" ]; then
				echo "layers: $f includes $h: a private header of $hdir/ (use $hdir/$hdir.h)"
				bad=1
			fi
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$root/$f")
	done < <(cd "$root" && find . \( -path ./build -o -path ./.git \) -prune -o \
		 \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | grep / | sort)
	for key in "${!allowed[@]}"; do
		[ -n "${seen[$key]+x}" ] ||
			echo "layers: note: stale entry in scripts/layers-allow.txt: $key"
	done
	return $bad
}

# copy the product tree of $1 to a temporary folder, echo its path
copy_tree() {
	local t
	t=$(mktemp -d) || return 1
	(cd "$1" && find . -path ./build -prune -o -path ./.git -prune -o \
		\( -name '*.c' -o -name '*.h' -o -name 'layers-allow.txt' \) -print |
	 cpio -pdm --quiet "$t") || return 1
	echo "$t"
}

# expect_fail ROOT FILE LINE WHAT: plant LINE in FILE, the check must fail
# and name FILE; then remove it again
expect_fail() {
	local root=$1 f=$2 line=$3 what=$4 out rc
	cp "$root/$f" "$root/$f.orig"
	printf '%s\n' "$line" >>"$root/$f"
	out=$(check "$root")
	rc=$?
	mv "$root/$f.orig" "$root/$f"
	if [ $rc -ne 0 ] && grep -q "^layers: $f includes" <<<"$out"; then
		echo "PASS layers-selftest-$what: a planted $line in $f fails the check"
		return 0
	fi
	echo "FAIL layers-selftest-$what: a planted $line in $f was not caught"
	return 1
}

self_test() {
	local src=$1 t rc=0
	t=$(copy_tree "$src") || { echo "FAIL layers-selftest: cannot copy the tree"; return 1; }
	if check "$t" >/dev/null; then
		echo "PASS layers-selftest-clean: the unmodified tree passes"
	else
		echo "FAIL layers-selftest-clean: the unmodified tree fails"
		rc=1
	fi
	expect_fail "$t" devices/pic.c '#include "vmm/vmm.h"' upward || rc=1
	expect_fail "$t" hw/iospace.c '#include "devices/devices.h"' upward-hw || rc=1
	expect_fail "$t" board/board_pc.c '#include "devices/ide_priv.h"' private || rc=1
	expect_fail "$t" devices/ide_core.c '#include "rawdisk/rawdisk.h"' sideways || rc=1
	expect_fail "$t" vmm/vm.c '#include "board/board_priv.h"' private-board || rc=1
	mkdir -p "$t/nic" && echo '/* x */' >"$t/nic/nic.c"
	if check "$t" | grep -q 'folder nic/ is not in the layer table'; then
		echo "PASS layers-selftest-unknown: a folder outside the table fails the check"
	else
		echo "FAIL layers-selftest-unknown: a folder outside the table was not caught"
		rc=1
	fi
	rm -rf "$t"
	return $rc
}

here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --self-test ]; then
	self_test "$here"
	exit $?
fi
check "${1:-$here}"
