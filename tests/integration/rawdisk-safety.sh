#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# rawdisk-safety.sh --- `dualvm disk check` and the checks inside every run,
# on copies of the dual-boot test disks treated as physical disks:
#   - windows-hibernated.img is refused with one line naming the reason;
#   - a copy with partition 1 loop-mounted (losetup -o/--sizelimit, root
#     only): --partition 1 refused, --partition 2 allowed;
#   - two concurrent runs on one disk: the second is refused;
#   - BitLocker / ext journal needing recovery / swap hibernation images
#     planted in a copy are refused for persistent access.
# Env: GUESTS (test disks), DUALVM.
set -u
GUESTS=${GUESTS:-${BUILD:?}/guests}
DUALVM=${DUALVM:-${BUILD:?}/bin/dualvm}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dualvm-rdsafe.XXXXXX")
PIDS=() LOOP= MNT=

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
missing() { echo "FAIL $1: $2"; }	# a tool or guest `make deps` / `make guests` provides

DB=$GUESTS/dualboot-i386.img
WH=$GUESTS/windows-hibernated.img

# --- hibernated Windows volume
t=rawdisk-check-hibernated
if [ ! -e "$WH" ]; then
	missing $t "$WH missing (make guests)"
else
	out=$("$DUALVM" disk check "$WH" 2>&1 >/dev/null); rc=$?
	if [ $rc = 0 ]; then fail $t "exit 0"
	elif [ "$(printf '%s\n' "$out" | wc -l)" != 1 ]; then fail $t "not one line: $out"
	elif ! grep -q hibernated <<<"$out"; then fail $t "no reason: $out"
	else pass $t; fi
	# an overlay run downgrades it to a warning
	t=rawdisk-check-hibernated-overlay-warns
	out=$("$DUALVM" disk check "$WH" --disk-mode nonpersistent 2>&1); rc=$?
	if [ $rc = 0 ] && grep -q "warning:.*hibernated" <<<"$out"; then pass $t
	else fail $t "rc=$rc: $out"; fi
fi

if [ ! -e "$DB" ]; then
	for t in rawdisk-check-loop-mounted rawdisk-check-blockdev rawdisk-check-concurrent rawdisk-check-planted; do
		missing $t "$DB missing (make guests)"
	done
	exit 0
fi
cp --sparse=always "$DB" "$TMP/d.img"
read -r p1s p1n < <(/usr/sbin/sfdisk -d "$TMP/d.img" | sed -n 's/.*1 : start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')

# --- loop-mounted partition 1
t=rawdisk-check-loop-mounted
if [ "$(id -u)" != 0 ]; then
	skip $t "needs root (losetup, mount)"
	skip rawdisk-check-blockdev "needs root (losetup)"
elif ! LOOP=$(losetup -f --show -o $((p1s * 512)) --sizelimit $((p1n * 512)) "$TMP/d.img" 2>/dev/null); then
	LOOP=; skip $t "losetup failed (no loop devices here?)"
	skip rawdisk-check-blockdev "losetup failed (no loop devices here?)"
else
	MNT=$TMP/mnt; mkdir -p "$MNT"
	if ! mount "$LOOP" "$MNT" 2>/dev/null; then
		MNT=; skip $t "mount of $LOOP failed"
		skip rawdisk-check-blockdev "mount of $LOOP failed"
	else
		o1=$("$DUALVM" disk check "$TMP/d.img" --partition 1 2>&1); r1=$?
		o2=$("$DUALVM" disk check "$TMP/d.img" --partition 2 2>&1); r2=$?
		o3=$("$DUALVM" disk debug-write "$TMP/d.img" --partition 1 --data x 2>&1); r3=$?
		o4=$("$DUALVM" disk check "$TMP/d.img" 2>&1); r4=$?
		if [ $r1 = 0 ] || ! grep -q "partition 1 is mounted read-write" <<<"$o1"; then fail $t "p1 not refused: $o1"
		elif [ $r2 != 0 ]; then fail $t "p2 refused: $o2"
		elif [ $r3 = 0 ] || ! grep -q "refused" <<<"$o3"; then fail $t "run on mounted p1 allowed: $o3"
		elif [ $r4 = 0 ]; then fail $t "whole-disk access allowed: $o4"
		else pass $t; fi
		# the same disk seen as a block device (a loop over the image)
		t=rawdisk-check-blockdev
		if WL=$(losetup -f --show "$TMP/d.img" 2>/dev/null); then
			o1=$("$DUALVM" disk check "$WL" --partition 1 2>&1); r1=$?
			o2=$("$DUALVM" disk check "$WL" --partition 2 2>&1); r2=$?
			o3=$("$DUALVM" disk debug-write "$WL" --partition 2 --overlay-dir "$TMP" \
				--data BLK --offset $(( (p1s + p1n + 64) * 512 )) 2>&1); r3=$?
			losetup -d "$WL"
			if [ $r1 = 0 ] || ! grep -q "partition 1 is mounted" <<<"$o1"; then fail $t "p1 not refused: $o1"
			elif [ $r2 != 0 ]; then fail $t "p2 refused: $o2"
			elif [ $r3 != 0 ]; then fail $t "nonpersistent run on p2 failed: $o3"
			else pass $t; fi
		else
			skip $t "losetup failed"
		fi
		umount "$MNT"; MNT=
	fi
	losetup -d "$LOOP"; LOOP=
fi

# --- two concurrent runs
t=rawdisk-check-concurrent
"$DUALVM" disk debug-write "$TMP/d.img" --partition 2 --disk-mode nonpersistent \
	--overlay-dir "$TMP" --loop --data CONCURRENT --offset $(( (p1s + p1n + 64) * 512 )) \
	>"$TMP/first.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do	# until the first run holds the lock
	"$DUALVM" disk check "$TMP/d.img" >/dev/null 2>&1 || break
	sleep 0.1
done
if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
	fail $t "first run did not start: $(head -c 300 "$TMP/first.log")"
else
	out=$("$DUALVM" disk debug-write "$TMP/d.img" --partition 2 --disk-mode nonpersistent \
		--overlay-dir "$TMP" --data X 2>&1); rc=$?
	out2=$("$DUALVM" disk check "$TMP/d.img" 2>&1); rc2=$?
	if [ $rc = 0 ]; then fail $t "second run allowed"
	elif ! grep -q "in use" <<<"$out"; then fail $t "reason: $out"
	elif [ $rc2 = 0 ]; then fail $t "disk check did not see the lock: $out2"
	else pass $t; fi
fi
kill -9 "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null

# --- planted hazards in a copy (persistent refuses, overlay warns)
t=rawdisk-check-planted
cp --sparse=always "$DB" "$TMP/h.img"
p1=$((p1s * 512))
ok=1 why=
# ext journal needs recovery: set EXT3_FEATURE_INCOMPAT_RECOVER (0x4)
inc=$(od -An -tu4 -j $((p1 + 1024 + 96)) -N4 "$TMP/h.img" | tr -d ' ')
printf "$(printf '\\%03o' $(( (inc | 4) & 255 )))" |
	dd of="$TMP/h.img" bs=1 seek=$((p1 + 1024 + 96)) conv=notrunc status=none
o=$("$DUALVM" disk check "$TMP/h.img" --partition 1 --disk-mode persistent 2>&1) && { ok=0; why="ext recovery not refused"; }
grep -q "needs recovery" <<<"$o" || { ok=0; why="ext: $o"; }
o=$("$DUALVM" disk check "$TMP/h.img" --partition 1 --disk-mode undoable 2>&1) || { ok=0; why="ext overlay refused: $o"; }
# BitLocker signature in partition 1's boot sector
printf -- '-FVE-FS-' | dd of="$TMP/h.img" bs=1 seek=$((p1 + 3)) conv=notrunc status=none
o=$("$DUALVM" disk check "$TMP/h.img" --partition 1 --disk-mode undoable 2>&1) && { ok=0; why="bitlocker not refused"; }
grep -q "recovery key" <<<"$o" || { ok=0; why="bitlocker: $o"; }
# swap partition with a hibernation image
dd if=/dev/zero of="$TMP/h.img" bs=4096 seek=$((p1 / 4096)) count=1 conv=notrunc status=none
printf 'S1SUSPEND' | dd of="$TMP/h.img" bs=1 seek=$((p1 + 4096 - 10)) conv=notrunc status=none
o=$("$DUALVM" disk check "$TMP/h.img" --partition 1 --disk-mode persistent 2>&1) && { ok=0; why="swap hibernation not refused"; }
grep -q "hibernation image" <<<"$o" || { ok=0; why="swap: $o"; }
[ $ok = 1 ] && pass $t || fail $t "$why"
exit 0
