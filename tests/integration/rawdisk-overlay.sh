#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# rawdisk-overlay.sh --- overlays over copies of dualboot-i386.img treated
# as a physical disk, with guest writes simulated by the hidden
# `dualvm disk debug-write` (opens the disk exactly like `dualvm run`):
#   - partition view: writes outside the chosen partition are refused;
#   - undoable + commit: the source gets the data, its MBR stays, e2fsck -fn
#     passes, qemu-img check passes on the overlay (alone) before;
#   - commit failing midway (fault injection) then rerun == clean commit;
#   - discard leaves the source sha256 untouched;
#   - nonpersistent: source sha256 unchanged after 20 SIGKILLs at random
#     points, no overlay left behind after the next run;
#   - whole-disk undoable overlay: qemu-img compare against a copy written
#     with the same data agrees;
#   - create-raw: dualvm reads the partitionedDevice descriptor with the
#     private table; qemu-img reads the monolithicFlat one;
#   - the view behind a partition overlay is read-only (RDONLY extents of a
#     partitionedDevice descriptor): qemu-img refuses it, dualvm commits.
# Env: GUESTS, DUALVM.
set -u
GUESTS=${GUESTS:-${BUILD:?}/guests}
DUALVM=${DUALVM:-${BUILD:?}/bin/dualvm}
DB=$GUESTS/dualboot-i386.img
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dualvm-rdovl.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
missing() { echo "FAIL $1: $2"; }	# a tool or guest `make deps` / `make guests` provides

TESTS="rawdisk-view-refuses-other-partitions rawdisk-undoable-commit
rawdisk-commit-resume rawdisk-discard rawdisk-nonpersistent-sigkill
rawdisk-whole-disk-compare rawdisk-create-raw rawdisk-view-tables
rawdisk-qemu-img-refused"
if [ ! -e "$DB" ]; then
	for t in $TESTS; do missing "$t" "$DB missing (make guests)"; done
	exit 0
fi
have_qemu_img=0; command -v qemu-img >/dev/null && have_qemu_img=1

read -r p2s p2n < <(/usr/sbin/sfdisk -d "$DB" | sed -n 's/.*2 : start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')
P2=$((p2s * 512))
# free blocks at the end of the LINUX file system (4 KiB blocks): writes
# there keep it consistent for e2fsck
OFFS="$((P2 + 37000 * 4096)) $((P2 + 52000 * 4096)) $((P2 + 65000 * 4096 + 100))"
# same A B: byte-identical (what equal sha256 sums would show, faster)
same() { cmp -s "$1" "$2"; }
fresh() { cp --sparse=always "$DB" "$TMP/$1"; }

# write DISK MODE DATA OFFSET [extra args]: one simulated guest write
gwrite() {
	local disk=$1 mode=$2 data=$3 off=$4; shift 4
	"$DUALVM" disk debug-write "$disk" --disk-mode "$mode" --data "$data" \
		--offset "$off" "$@" 2>&1
}

# --- view refuses writes to other partitions
t=rawdisk-view-refuses-other-partitions
fresh v.img
o=$(gwrite "$TMP/v.img" nonpersistent X $((2048 * 512 + 4096)) --partition 2); r=$?
if [ $r = 0 ] || ! grep -q "outside the chosen partitions" <<<"$o"; then fail $t "rc=$r: $o"
elif ! same "$TMP/v.img" "$DB"; then fail $t "source changed"
else pass $t; fi

# --- undoable, then commit
t=rawdisk-undoable-commit
fresh u.img
ovl=$TMP/u.img-p2.undo.qcow2
ok=1 why=
for o in $OFFS; do
	out=$(gwrite "$TMP/u.img" undoable "DUALVM-COMMIT-$o" "$o" --partition 2 --on-exit keep) ||
		{ ok=0; why="write: $out"; }
done
same "$TMP/u.img" "$DB" || { ok=0; why="source changed before commit"; }
[ -e "$ovl" ] && [ -e "$ovl.dualvm" ] || { ok=0; why="overlay or sidecar missing"; }
if [ $ok = 1 ] && [ $have_qemu_img = 1 ]; then
	# the overlay alone: its backing (the view) is for dualvm only
	qemu-img check -q "json:{\"driver\":\"qcow2\",\"backing\":null,\"file\":{\"driver\":\"file\",\"filename\":\"$ovl\"}}" >/dev/null 2>&1 ||
		{ ok=0; why="qemu-img check failed on the overlay"; }
fi
mbr0=$(head -c 512 "$TMP/u.img" | sha256sum)
out=$("$DUALVM" disk commit "$ovl" 2>&1) || { ok=0; why="commit: $out"; }
for o in $OFFS; do
	[ "$(dd if="$TMP/u.img" bs=1 skip="$o" count=$((14 + ${#o})) status=none)" = "DUALVM-COMMIT-$o" ] ||
		{ ok=0; why="data at $o missing after commit"; }
done
[ "$(head -c 512 "$TMP/u.img" | sha256sum)" = "$mbr0" ] || { ok=0; why="MBR overwritten by commit"; }
[ -e "$ovl" ] && { ok=0; why="overlay not removed after commit"; }
e2fsck -fn "$TMP/u.img?offset=$P2" >"$TMP/fsck.log" 2>&1 || { ok=0; why="e2fsck -fn failed: $(tail -n 2 "$TMP/fsck.log" | paste -sd' ')"; }
[ $ok = 1 ] && pass $t || fail $t "$why"

# --- commit killed midway (fault injection), rerun
t=rawdisk-commit-resume
fresh c.img
ovl=$TMP/c.img-p2.undo.qcow2
ok=1 why=
for o in $OFFS; do
	gwrite "$TMP/c.img" undoable "DUALVM-COMMIT-$o" "$o" --partition 2 --on-exit keep >/dev/null ||
		{ ok=0; why="write failed"; }
done
out=$(DUALVM_TEST_COMMIT_FAIL_WRITE=2 "$DUALVM" disk commit "$ovl" 2>&1) &&
	{ ok=0; why="injected failure did not fail the commit"; }
grep -q "injected write error" <<<"$out" || { ok=0; why="no injected error: $out"; }
[ -e "$ovl" ] || { ok=0; why="overlay deleted after a failed commit"; }
out=$("$DUALVM" disk commit "$ovl" 2>&1) || { ok=0; why="rerun: $out"; }
same "$TMP/c.img" "$TMP/u.img" || { ok=0; why="resumed commit differs from a clean one"; }
[ $ok = 1 ] && pass $t || fail $t "$why"

# --- discard
t=rawdisk-discard
fresh x.img
ovl=$TMP/x.img-p2.undo.qcow2
gwrite "$TMP/x.img" undoable DISCARDME $((P2 + 37000 * 4096)) --partition 2 >/dev/null
out=$("$DUALVM" disk discard "$ovl" 2>&1); r=$?
if [ $r != 0 ]; then fail $t "$out"
elif [ -e "$ovl" ] || [ -e "$ovl.dualvm" ]; then fail $t "overlay left"
elif ! same "$TMP/x.img" "$DB"; then fail $t "source changed"
else pass $t; fi

# --- nonpersistent, SIGKILL at random points
t=rawdisk-nonpersistent-sigkill
fresh n.img
mkdir -p "$TMP/np"
ok=1 why=
for i in $(seq 1 20); do
	"$DUALVM" disk debug-write "$TMP/n.img" --partition 2 --overlay-dir "$TMP/np" \
		--loop --data "KILLED-$i" --offset $((P2 + 37000 * 4096)) >/dev/null 2>&1 &
	p=$!
	sleep "0.$(( RANDOM % 6 ))$(( RANDOM % 10 ))"
	kill -9 $p 2>/dev/null; wait $p 2>/dev/null
done
gwrite "$TMP/n.img" nonpersistent LAST $((P2 + 37000 * 4096)) --partition 2 --overlay-dir "$TMP/np" >/dev/null ||
	{ ok=0; why="run after the kills failed"; }
left=$(ls "$TMP/np" | wc -l)
[ "$left" = 0 ] || { ok=0; why="$left overlay files left in the overlay dir"; }
same "$TMP/n.img" "$DB" || { ok=0; why="source changed by a killed or finished nonpersistent run"; }
[ $ok = 1 ] && pass $t || fail $t "$why"

# --- whole-disk undoable overlay vs a copy written the same way
t=rawdisk-whole-disk-compare
if [ $have_qemu_img = 0 ]; then
	missing $t "qemu-img not installed"
else
	fresh w.img; fresh wref.img
	ok=1 why=
	for o in 4096 $OFFS; do
		gwrite "$TMP/w.img" undoable "SAME-$o" "$o" >/dev/null || { ok=0; why="write"; }
		printf 'SAME-%s' "$o" | dd of="$TMP/wref.img" bs=1 seek="$o" conv=notrunc status=none
	done
	qemu-img check -q "$TMP/w.img.undo.qcow2" >/dev/null 2>&1 || { ok=0; why="qemu-img check"; }
	qemu-img compare -q "$TMP/w.img.undo.qcow2" "$TMP/wref.img" >/dev/null 2>&1 ||
		{ ok=0; why="qemu-img compare: overlay+source differs from the reference copy"; }
	same "$TMP/w.img" "$DB" || { ok=0; why="source changed"; }
	[ $ok = 1 ] && pass $t || fail $t "$why"
fi

# --- create-raw round trip
t=rawdisk-create-raw
fresh r.img
ok=1 why=
out=$("$DUALVM" disk create-raw --device "$TMP/r.img" --partitions 2 -o "$TMP/r.vmdk" 2>&1) || { ok=0; why="$out"; }
grep -q 'createType="partitionedDevice"' "$TMP/r.vmdk" || { ok=0; why="no partitionedDevice"; }
[ -e "$TMP/r-pt.vmdk" ] || { ok=0; why="no -pt.vmdk side file"; }
info=$("$DUALVM" disk info --json "$TMP/r.vmdk" 2>&1) || { ok=0; why="info: $info"; }
grep -q '"number": 2, "start": '"$P2"', "size": [0-9]*, "type": "0x83", "bootable": true' <<<"$info" ||
	{ ok=0; why="descriptor does not show partition 2 as the boot partition: $info"; }
out=$(gwrite "$TMP/r.vmdk" nonpersistent VMDKRUN $((P2 + 37000 * 4096))) || { ok=0; why="run through descriptor: $out"; }
out=$("$DUALVM" disk create-raw --device "$TMP/r.img" -o "$TMP/f.vmdk" 2>&1) || { ok=0; why="$out"; }
if [ $have_qemu_img = 1 ]; then
	qemu-img info "$TMP/f.vmdk" >/dev/null 2>&1 || { ok=0; why="qemu-img info rejects monolithicFlat"; }
	qemu-img compare -q "$TMP/f.vmdk" "$TMP/r.img" >/dev/null 2>&1 || { ok=0; why="monolithicFlat content differs"; }
fi
same "$TMP/r.img" "$DB" || { ok=0; why="device changed"; }
[ $ok = 1 ] && pass $t || fail $t "$why"
# --- the private tables the guest sees (MBR and GPT), checked by sfdisk
t=rawdisk-view-tables
GP=$GUESTS/dualboot-gpt-amd64.img
if [ $have_qemu_img = 0 ] || [ ! -e "$GP" ]; then
	missing $t "needs qemu-img and $GP"
else
	ok=1 why=
	for img in "$DB" "$GP"; do
		b=$(basename "$img" .img)
		cp --sparse=always "$img" "$TMP/$b.img"
		gwrite "$TMP/$b.img" undoable X $((P2 + 4096)) --partition 2 >/dev/null ||
			{ ok=0; why="$b: write"; continue; }
		"$DUALVM" p2v "$TMP/$b.img-p2.undo.qcow2" "$TMP/$b.view" --format raw >/dev/null 2>&1 ||
			{ ok=0; why="$b: dualvm p2v of the overlay"; continue; }
		d=$(/usr/sbin/sfdisk -d "$TMP/$b.view" 2>&1)
		o=$(/usr/sbin/sfdisk -d "$img" 2>&1)
		# same entries (offsets, types, GUIDs, disk id), boot flag moved to 2
		strip() { sed -e 's/, *bootable//' -e 's/, *attrs="LegacyBIOSBootable"//' \
			-e 's|^[^ ]*\([0-9]\) :|\1 :|' -e '/^device:/d'; }
		[ "$(strip <<<"$d")" = "$(strip <<<"$o")" ] || { ok=0; why="$b: entries differ"; }
		[ "$(grep -cE 'bootable|LegacyBIOSBootable' <<<"$d")" = 1 ] &&
			grep -E 'bootable|LegacyBIOSBootable' <<<"$d" | grep -q '2 : ' ||
			{ ok=0; why="$b: boot flag not only on partition 2: $d"; }
		/usr/sbin/sfdisk -V "$TMP/$b.view" >/dev/null 2>&1 || { ok=0; why="$b: sfdisk -V: $(/usr/sbin/sfdisk -V "$TMP/$b.view" 2>&1 | head -n 2)"; }
		code=/usr/lib/syslinux/mbr/mbr.bin
		grep -q gpt <<<"$d" && code=/usr/lib/syslinux/mbr/gptmbr.bin
		cmp -s -n 440 "$TMP/$b.view" "$code" || { ok=0; why="$b: boot code is not $(basename $code)"; }
		cmp -s -n 1048576 -i $((P2)):$((P2)) "$TMP/$b.view" "$img" &&
			{ ok=0; why="$b: the guest write did not reach the view"; }
		same "$TMP/$b.img" "$img" || { ok=0; why="$b: source changed"; }
	done
	[ $ok = 1 ] && pass $t || fail $t "$why"
fi
# --- the view behind a partition overlay is read-only for every reader:
# a partitionedDevice descriptor with RDONLY extents, which QEMU refuses to
# open (before: RW extents, so `qemu-img commit` wrote into the source
# without dualvm's safety checks); `dualvm disk commit` is the way
t=rawdisk-qemu-img-refused
if [ $have_qemu_img = 0 ]; then
	missing $t "qemu-img not installed"
else
	fresh q.img
	ok=1 why=
	gwrite "$TMP/q.img" undoable QEMUCOMMIT $((P2 + 37000 * 4096)) --partition 2 >/dev/null || { ok=0; why="write"; }
	v=$TMP/q.img-p2.undo.qcow2.view.vmdk
	grep -q '^createType="partitionedDevice"' "$v" || { ok=0; why="view is not partitionedDevice"; }
	grep -q '^RW ' "$v" && { ok=0; why="view declares an RW extent"; }
	grep -q "^RDONLY .* FLAT \"$TMP/q.img\"" "$v" || { ok=0; why="view does not name the source read-only"; }
	out=$(qemu-img commit "$TMP/q.img-p2.undo.qcow2" 2>&1) && { ok=0; why="qemu-img commit succeeded"; }
	grep -q partitionedDevice <<<"$out" || { ok=0; why="qemu-img commit: $out"; }
	out=$(qemu-img convert -O raw "$TMP/q.img-p2.undo.qcow2" "$TMP/q.raw" 2>&1) && { ok=0; why="qemu-img read the view (zeros?)"; }
	same "$TMP/q.img" "$DB" || { ok=0; why="source changed"; }
	out=$("$DUALVM" disk commit "$TMP/q.img-p2.undo.qcow2" 2>&1) || { ok=0; why="dualvm disk commit: $out"; }
	[ "$(dd if="$TMP/q.img" bs=1 skip=$((P2 + 37000 * 4096)) count=10 status=none)" = QEMUCOMMIT ] ||
		{ ok=0; why="partition 2 did not get the data"; }
	left=$(ls "$TMP" | grep -c '^q\.img-p2')
	[ "$left" = 0 ] || { ok=0; why="$left overlay side files left after commit"; }
	[ $ok = 1 ] && pass $t || fail $t "$why"
fi
exit 0
