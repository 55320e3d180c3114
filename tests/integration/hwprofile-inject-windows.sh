#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hwprofile-inject-windows.sh --- Windows storage-driver injection:
#  - on copies of the XP-, 7- and 10-style SYSTEM hives the registry
#    difference (hivexml before/after) is exactly tests/hwprofile/
#    hive-system-<gen>.diff, and a second run changes nothing;
#  - a truncated hive (cut inside an hbin) is refused, nothing written;
#  - on a copy of dualboot-i386.img partition 3 the hive inside NTFS gets
#    the same edits (read back with ntfscat), the volume stays clean, and
#    --undo restores the original hive bytes;
#  - the hibernated volume of windows-hibernated.img is refused, untouched.
set -u
: "${BUILD:?}" "${SRC:?}" "${GUESTS:=$BUILD/guests}" "${DUALVM:=$BUILD/bin/dualvm}"
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gold=$SRC/tests/hwprofile

for t in hivexml python3 sha256sum; do
	if ! command -v $t >/dev/null; then
		for n in xp 7 10; do echo "FAIL inject-hive-$n: $t not installed"; done
		exit 0
	fi
done
sha() { sha256sum <"$1" | cut -d' ' -f1; }

for g in xp 7 10; do
	h=$GUESTS/hives/system-$g.hive
	if [ ! -f "$h" ]; then
		echo "FAIL inject-hive-$g: $h not built (make guests)"; continue
	fi
	cp "$h" "$tmp/before.hive"; cp "$h" "$tmp/after.hive"
	if ! "$DUALVM" inject --json --hive "$tmp/after.hive" >"$tmp/rep.json" 2>"$tmp/err"; then
		echo "FAIL inject-hive-$g: $(head -1 "$tmp/err")"; continue
	fi
	python3 "$gold/hivediff.py" "$tmp/before.hive" "$tmp/after.hive" >"$tmp/got.diff"
	if ! diff -u "$gold/hive-system-$g.diff" "$tmp/got.diff" >"$tmp/d"; then
		echo "FAIL inject-hive-$g: $(head -c 500 "$tmp/d" | tr '\n' ' ')"; continue
	fi
	if ! python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); c=r["changes"][0]; assert c["sha256_before"]==sys.argv[2] and c["sha256_after"]==sys.argv[3]' \
		"$tmp/rep.json" "$(sha "$tmp/before.hive")" "$(sha "$tmp/after.hive")"; then
		echo "FAIL inject-hive-$g: report hashes do not match the files"; continue
	fi
	a=$(sha "$tmp/after.hive")
	"$DUALVM" inject --hive "$tmp/after.hive" >"$tmp/out2" 2>&1
	if [ "$(sha "$tmp/after.hive")" = "$a" ] && grep -q "nothing to change" "$tmp/out2"; then
		echo "PASS inject-hive-$g"
	else
		echo "FAIL inject-hive-$g: second run changed the hive"
	fi
done

# corrupt hive: cut inside the first hbin
h=$GUESTS/hives/system-xp.hive
if [ -f "$h" ]; then
	cp "$h" "$tmp/trunc.hive"; truncate -s 6000 "$tmp/trunc.hive"
	b=$(sha "$tmp/trunc.hive")
	"$DUALVM" inject --hive "$tmp/trunc.hive" >/dev/null 2>"$tmp/err"; rc=$?
	if [ $rc = 1 ] && grep -q "corrupt" "$tmp/err" && [ "$(sha "$tmp/trunc.hive")" = "$b" ]; then
		echo "PASS inject-hive-corrupt-refused"
	else
		echo "FAIL inject-hive-corrupt-refused: rc=$rc $(head -1 "$tmp/err")"
	fi
else
	echo "FAIL inject-hive-corrupt-refused: $h not built"
fi

# through NTFS on a disk image
img=$GUESTS/dualboot-i386.img
if [ -f "$img" ] && command -v ntfscat >/dev/null; then
	start=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([p for p in m["images"]["dualboot-i386.img"]["partitions"] if p["number"]==3][0]["start"])' "$GUESTS/manifest.json")
	cnt=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([p for p in m["images"]["dualboot-i386.img"]["partitions"] if p["number"]==3][0]["size"])' "$GUESTS/manifest.json")
	cp --sparse=always "$img" "$tmp/db.img"
	dd if="$tmp/db.img" of="$tmp/p3.fs" bs=512 skip="$start" count="$cnt" 2>/dev/null
	ntfscat "$tmp/p3.fs" /Windows/System32/config/SYSTEM >"$tmp/disk-before.hive" 2>/dev/null
	if "$DUALVM" inject --json --partition 3 "$tmp/db.img" >"$tmp/rep.json" 2>"$tmp/err"; then
		dd if="$tmp/db.img" of="$tmp/p3.fs" bs=512 skip="$start" count="$cnt" 2>/dev/null
		ntfscat "$tmp/p3.fs" /Windows/System32/config/SYSTEM >"$tmp/disk-after.hive" 2>/dev/null
		python3 "$gold/hivediff.py" "$tmp/disk-before.hive" "$tmp/disk-after.hive" >"$tmp/got.diff"
		"$DUALVM" inspect --json --partition 3 "$tmp/db.img" >"$tmp/insp.json"
		if diff -q "$gold/hive-system-xp.diff" "$tmp/got.diff" >/dev/null &&
		   ntfsfix -n "$tmp/p3.fs" >/dev/null 2>&1 &&
		   python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s={x["name"]:x for x in r["partitions"][0]["os"]["storage_services"]}; assert all(s[n]["start"]==0 and s[n]["driver_present"] for n in ("atapi","intelide","pciide"))' "$tmp/insp.json"; then
			if "$DUALVM" inject --undo --partition 3 "$tmp/db.img" >/dev/null 2>"$tmp/err" &&
			   dd if="$tmp/db.img" of="$tmp/p3.fs" bs=512 skip="$start" count="$cnt" 2>/dev/null &&
			   ntfscat "$tmp/p3.fs" /Windows/System32/config/SYSTEM >"$tmp/disk-undo.hive" 2>/dev/null &&
			   cmp -s "$tmp/disk-before.hive" "$tmp/disk-undo.hive" &&
			   ! ntfscat "$tmp/p3.fs" /Windows/System32/config/SYSTEM.dualvm-orig >/dev/null 2>&1 &&
			   ntfsfix -n "$tmp/p3.fs" >/dev/null 2>&1; then
				echo "PASS inject-windows-disk"
			else
				echo "FAIL inject-windows-disk: --undo did not restore the hive: $(head -1 "$tmp/err")"
			fi
		else
			echo "FAIL inject-windows-disk: $(head -c 400 "$tmp/got.diff" | tr '\n' ' ')"
		fi
	else
		echo "FAIL inject-windows-disk: $(head -1 "$tmp/err")"
	fi
else
	echo "FAIL inject-windows-disk: $img not built or ntfscat missing"
fi

# hibernated: refused in every disk mode, image untouched
img=$GUESTS/windows-hibernated.img
if [ -f "$img" ]; then
	cp --sparse=always "$img" "$tmp/hib.img"
	b=$(sha "$tmp/hib.img") ok=1
	for m in persistent undoable; do
		"$DUALVM" inject --disk-mode $m --overlay-dir "$tmp" "$tmp/hib.img" >/dev/null 2>"$tmp/err"
		rc=$?
		[ $rc = 1 ] && grep -qi "hibernat" "$tmp/err" || ok=0
	done
	if [ $ok = 1 ] && [ "$(sha "$tmp/hib.img")" = "$b" ]; then
		echo "PASS inject-windows-hibernated-refused"
	else
		echo "FAIL inject-windows-hibernated-refused: $(head -1 "$tmp/err")"
	fi
else
	echo "FAIL inject-windows-hibernated-refused: $img not built"
fi
