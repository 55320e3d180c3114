#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# rawdisk-boot.sh --- boot the LINUX partition (2) of a copy of
# dualboot-i386.img as if it were a physical disk, with dualvm's own CPU
# engines, the interpreter and the binary translator (the -bt tests):
#   - undoable: DUALVM-GUEST-READY, never HOST-OS-BOOTED; the guest's line in
#     /var/log/dualvm-boots is in the overlay (debugfs), the source is
#     byte-identical, qemu-img check passes on the overlay;
#   - commit: the source then has the line and passes e2fsck -fn;
#   - nonpersistent, and SIGKILL at 10 random points of the first 6 s of
#     a boot under bt (firmware, loader, kernel, init: the whole boot takes
#     about 5 s there; 20 s under the interpreter where bt cannot run):
#     source unchanged.
# Each boot has a budget (tests/lib/common.sh); running out of it is a FAIL
# showing the end of the serial log.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
DB=$GUESTS/dualboot-i386.img
BOOT_SECS=$(budget 600)
TESTS="rawdisk-boot-undoable rawdisk-boot-commit rawdisk-boot-nonpersistent rawdisk-boot-sigkill
 rawdisk-boot-undoable-bt rawdisk-boot-commit-bt rawdisk-boot-nonpersistent-bt"

pass() { t_pass "$@"; }
fail() { t_fail "$@"; }
fail_all() { for t in $TESTS; do t_fail "$t" "$1"; done; exit 0; }

[ -e "$DB" ] || fail_all "$DB missing (make guests)"
command -v debugfs >/dev/null || fail_all "debugfs not installed (make deps)"

# run LOG DISK [args]: boot with $engine until the guest is ready
run() {
	local log=$1; shift
	dualvm_boot "$log" "$BOOT_SECS" DUALVM-GUEST-READY --engine "$engine" \
		--memory 256 "$@"
}

read -r p2s p2n < <(/usr/sbin/sfdisk -d "$DB" | sed -n 's/.*2 : start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')
P2=$((p2s * 512))
bootlog() { debugfs -R "cat /var/log/dualvm-boots" "$1?offset=$P2" 2>/dev/null; }

# boot_tests ENGINE SUFFIX: undoable, commit, nonpersistent with ENGINE
boot_tests() {
	engine=$1 sfx=$2

	# --- undoable
	t=rawdisk-boot-undoable$sfx
	cp --sparse=always "$DB" "$TMP/u$sfx.img"
	ovl=$TMP/u$sfx.img-p2.undo.qcow2
	run "$TMP/u$sfx.log" --partition 2 --disk-mode undoable --on-exit keep "$TMP/u$sfx.img"; rc=$?
	ok=1 why=
	[ $rc = 0 ] || { ok=0; why=$(boot_why $rc "$TMP/u$sfx.log"); }
	grep -aq HOST-OS-BOOTED "$TMP/u$sfx.log" && { ok=0; why="the host OS booted"; }
	cmp -s "$TMP/u$sfx.img" "$DB" || { ok=0; why="source changed"; }
	if [ $ok = 1 ]; then
		# the overlay alone (its backing, the view, is for dualvm only)
		qemu-img check -q "json:{\"driver\":\"qcow2\",\"backing\":null,\"file\":{\"driver\":\"file\",\"filename\":\"$ovl\"}}" >/dev/null 2>&1 ||
			{ ok=0; why="qemu-img check"; }
		"$DUALVM" p2v "$ovl" "$TMP/u$sfx-view.raw" --format raw >/dev/null 2>&1 || { ok=0; why="dualvm p2v of the overlay"; }
		[ -n "$(bootlog "$TMP/u$sfx-view.raw")" ] || { ok=0; why="no /var/log/dualvm-boots line in the overlay"; }
	fi
	if [ $ok = 1 ]; then pass $t; elif [ $rc != 0 ]; then t_fail_log $t "$why" "$TMP/u$sfx.log"; else fail $t "$why"; fi

	# --- commit
	t=rawdisk-boot-commit$sfx
	if [ $ok = 0 ]; then
		fail $t "needs rawdisk-boot-undoable$sfx"
	else
		out=$("$DUALVM" disk commit "$ovl" 2>&1)
		if [ $? != 0 ]; then fail $t "$out"
		elif [ -z "$(bootlog "$TMP/u$sfx.img")" ]; then fail $t "line not in the source"
		elif ! e2fsck -fn "$TMP/u$sfx.img?offset=$P2" >/dev/null 2>&1; then fail $t "e2fsck -fn failed"
		else pass $t; fi
	fi

	# --- nonpersistent
	t=rawdisk-boot-nonpersistent$sfx
	cp --sparse=always "$DB" "$TMP/n$sfx.img"
	run "$TMP/n$sfx.log" --partition 2 "$TMP/n$sfx.img"; rc=$?
	if [ $rc != 0 ]; then t_fail_log $t "$(boot_why $rc "$TMP/n$sfx.log")" "$TMP/n$sfx.log"
	elif grep -aq HOST-OS-BOOTED "$TMP/n$sfx.log"; then fail $t "the host OS booted"
	elif ! cmp -s "$TMP/n$sfx.img" "$DB"; then fail $t "source changed"
	else pass $t; fi
}

boot_tests interp ""
if [ "$HOST_BT" = 1 ]; then
	boot_tests bt -bt
	kill_engine=bt kill_secs=6	# the whole boot takes about 5 s on bt
else
	for t in rawdisk-boot-undoable-bt rawdisk-boot-commit-bt rawdisk-boot-nonpersistent-bt; do
		t_skip $t "$HOST_BT_WHY"
	done
	kill_engine=interp kill_secs=20
fi

# --- SIGKILL at random points
t=rawdisk-boot-sigkill
ok=1
for i in $(seq 1 10); do
	"$DUALVM" run --engine $kill_engine --memory 256 --serial "$TMP/k.log" \
		--timeout "$BOOT_SECS" --partition 2 "$TMP/n.img" >/dev/null 2>&1 &
	p=$!
	sleep $(( RANDOM % kill_secs )).$(( RANDOM % 10 ))
	kill -9 $p 2>/dev/null; wait $p 2>/dev/null
done
cmp -s "$TMP/n.img" "$DB" && pass $t || fail $t "source changed after SIGKILLs"
exit 0
