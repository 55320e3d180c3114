#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# p2v-hostile.sh --- sources as users have them and as an unlucky user
# has them (issue 12): an ext4 whose block bitmap was damaged consistently
# (a file's blocks marked free, the free counts and checksums adjusted to
# match, so only the inodes tell) must be copied whole with a warning and
# lose nothing (and the same for an NTFS whose $Bitmap marks a file's
# clusters free); a bad bitmap checksum is named in words; Ctrl-C stops p2v
# to qcow2 and raw within a second, exit 130, nothing left; a refused
# inject leaves no overlay; a bare NTFS is an NTFS; a .vmx names only a
# disk VMware opens.
. "$SRC/tests/lib/common.sh"
cd "$TMP" || exit 1

for tool in qemu-img mkfs.ext4 debugfs e2fsck mkntfs ntfscp ntfscat ntfsinfo sfdisk python3; do
	if ! command -v "$tool" >/dev/null; then
		t_fail p2v-hostile "$tool is not installed (make deps)"
		exit 0
	fi
done

now() { date +%s.%N; }
# json_note FILE: the notes of the result line of a --json run
json_note() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if "\"result\"" in l:
        print(" | ".join(a["note"] for a in json.loads(l)["areas"]))' "$1"; }

# ------------------------------------------------------------ ext4 with a
# consistently damaged block bitmap
mkdir tree && head -c $((16 << 20)) /dev/urandom >tree/big && echo hi >tree/small
mkfs.ext4 -q -F -E nodiscard -d tree fs.img 64M >/dev/null
ext=$(debugfs -R "stat /big" fs.img 2>/dev/null | sed -n 's/.*(\([0-9]*\)-[0-9]*):\([0-9]*\)-\([0-9]*\).*/\2 \3/p' | head -n 1)
read -r b0 b1 <<<"$ext"
grp=$(python3 -c "print($b0 // 8192)")
sb_free=$(debugfs -R stats fs.img 2>/dev/null | sed -n 's/^Free blocks: *//p')
g_free=$(debugfs -R stats fs.img 2>/dev/null |
	sed -n "/^ Group *$grp:/{n;s/^ *\([0-9]*\) free blocks.*/\1/p}")
n=$((b1 - b0 + 1))
if [ -z "$b0" ] || [ -z "$sb_free" ] || [ -z "$g_free" ] || [ "$n" -lt 256 ]; then
	t_fail p2v-bitmap-damaged "could not build the test file system (extent '$ext', free '$sb_free'/'$g_free')"
else
	# only whole-group ranges keep the arithmetic simple: stay in group $grp
	last=$(( (grp + 1) * 8192 - 1 ))
	[ "$b1" -gt "$last" ] && b1=$last && n=$((b1 - b0 + 1))
	printf 'freeb %s %s\nset_bg %s free_blocks_count %s\nset_bg %s checksum calc\nssv free_blocks_count %s\n' \
		"$b0" "$n" "$grp" $((g_free + n)) "$grp" $((sb_free + n)) >damage.cmd
	debugfs -w -f damage.cmd fs.img >/dev/null 2>&1
	if ! e2fsck -fn fs.img 2>&1 | grep -q 'Block bitmap differences'; then
		t_fail p2v-bitmap-damaged "debugfs did not damage the bitmap as planned: $(e2fsck -fn fs.img 2>&1 | tail -n 3 | tr '\n' ' ')"
	else
		"$DUALVM" p2v fs.img fs-out.raw --json >bm.json 2>bm.err
		rc=$?
		debugfs -R "dump /big big.out" fs-out.raw >/dev/null 2>&1
		if [ $rc != 0 ]; then
			t_fail p2v-bitmap-damaged "rc=$rc: $(cat bm.err)"
		elif ! cmp -s big.out tree/big; then
			t_fail p2v-bitmap-damaged "the converted file differs from the original (bitmap trusted): $(json_note bm.json)"
		elif ! grep -q 'warning:.*bitmap disagrees with the inodes' bm.err; then
			t_fail p2v-bitmap-damaged "no warning naming the bitmap: $(cat bm.err)"
		else
			t_pass p2v-bitmap-damaged "$(json_note bm.json)"
		fi
	fi
fi

# ------------------------------------------------------------ NTFS whose
# $Bitmap marks a file's clusters free ($MFT still maps them)
truncate -s 64M nt.img
mkntfs -q -F -Q nt.img >/dev/null 2>&1
head -c $((8 << 20)) /dev/urandom >big8
ntfscp -f nt.img big8 big8 >/dev/null 2>&1
run=$(ntfsinfo -F /big8 -v nt.img 2>/dev/null | awk '/Runlist:/ { getline; print $2, $3; exit }')
bmp=$(ntfsinfo -i 6 -v nt.img 2>/dev/null | awk '/Runlist:/ { getline; print $2; exit }')
cs=$(ntfsinfo -m nt.img 2>/dev/null | awk '/Cluster Size:/ { print $3; exit }')
if [ -z "$run" ] || [ -z "$bmp" ] || [ -z "$cs" ]; then
	t_fail p2v-ntfs-bitmap-damaged "ntfsinfo did not show the runs (file '$run', \$Bitmap '$bmp', cluster '$cs')"
else
	python3 - nt.img "$run" "$bmp" "$cs" <<'PY'
import sys
img, run, bmp, cs = sys.argv[1], sys.argv[2].split(), int(sys.argv[3], 0), int(sys.argv[4])
lcn, n = int(run[0], 0), int(run[1], 0)
with open(img, 'r+b') as f:
    for c in range(lcn, lcn + n):
        off = bmp * cs + c // 8
        f.seek(off); b = f.read(1)[0]
        f.seek(off); f.write(bytes([b & ~(1 << (c % 8)) & 0xff]))
PY
	"$DUALVM" p2v nt.img nt-out.raw --json >ntb.json 2>ntb.err
	rc=$?
	if [ $rc != 0 ]; then
		t_fail p2v-ntfs-bitmap-damaged "rc=$rc: $(cat ntb.err)"
	elif ! ntfscat nt-out.raw big8 2>/dev/null | cmp -s - big8; then
		t_fail p2v-ntfs-bitmap-damaged "the converted file differs from the original (\$Bitmap trusted): $(json_note ntb.json)"
	elif ! grep -q 'warning:.*\$Bitmap disagrees with \$MFT' ntb.err; then
		t_fail p2v-ntfs-bitmap-damaged "no warning naming \$Bitmap: $(cat ntb.err)"
	else
		t_pass p2v-ntfs-bitmap-damaged "$(json_note ntb.json)"
	fi
fi
rm -f nt.img nt-out.raw big8

# ------------------------------------------------------------ a block bitmap
# checksum that does not match: libext2fs' code in words
mkfs.ext4 -q -F -E nodiscard -d tree cs.img 64M >/dev/null
printf 'set_bg 1 block_bitmap_csum 0x1234\nset_bg 1 checksum calc\n' >cs.cmd
debugfs -w -n -f cs.cmd cs.img >/dev/null 2>&1
"$DUALVM" p2v cs.img cs-out.raw --json >cs.json 2>cs.err
note=$(json_note cs.json)
if grep -q 'Unknown code' cs.json cs.err; then
	t_fail p2v-ext2-error-words "a libext2fs code as a number: $note"
elif [[ $note != *"checksum does not match"* ]]; then
	t_fail p2v-ext2-error-words "note '$note', $(cat cs.err)"
else
	t_pass p2v-ext2-error-words "$note"
fi
rm -f cs.img cs-out.raw fs-out.raw big.out

# ------------------------------------------------------------ Ctrl-C
# The signal arrives late in the copy (3/4 of the output allocated, much of
# it still dirty in the page cache, which a close would flush);
# from then on p2v has a second (scaled for this machine) to remove it
# and exit 130.
head -c $((512 << 20)) /dev/urandom >big.raw
qemu-img convert -f raw -O qcow2 big.raw big.qcow2
limit=$(budget 1)
for fmt in qcow2 raw; do
	for src in big.raw big.qcow2; do
		name=p2v-sigint-$fmt-from-${src#big.}
		"$DUALVM" p2v "$src" "int.$fmt" --format "$fmt" >int.log 2>&1 &
		pid=$!
		t_bg $pid
		while kill -0 $pid 2>/dev/null; do
			part=$(ls int.$fmt.partial-* 2>/dev/null | head -n 1)
			[ -n "$part" ] && [ $(( $(stat -c %b "$part" 2>/dev/null || echo 0) * 512 )) -gt $((384 << 20)) ] && break
			sleep 0.01
		done
		kill -STOP $pid 2>/dev/null
		kill -INT $pid 2>/dev/null
		t0=$(now)
		kill -CONT $pid 2>/dev/null
		wait $pid
		rc=$?
		took=$(python3 -c "print(f'{$(now) - $t0:.2f}')")
		left=$(ls int.$fmt* 2>/dev/null | tr '\n' ' ')
		if [ $rc = 0 ]; then
			t_fail $name "SIGINT ignored: the conversion completed"
		elif [ $rc != 130 ] || [ -n "$left" ]; then
			t_fail $name "rc=$rc, left: '$left': $(cat int.log)"
		elif python3 -c "import sys; sys.exit(0 if $took <= $limit else 1)"; then
			t_pass $name "stopped in $took s"
		else
			t_fail $name "took $took s to stop (limit $limit s)"
		fi
		rm -f int.*
	done
done
rm -f big.raw big.qcow2

# ------------------------------------------------------------ inject refused
# for an unclean journal: no overlay left behind
truncate -s 80M inj.img
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q inj.img
mkdir -p root/etc root/boot
echo 'NAME=Debian' >root/etc/os-release
echo '/dev/sda1 / ext4 defaults 0 1' >root/etc/fstab
dd if=inj.img of=p1.img bs=512 skip=2048 status=none
mkfs.ext4 -q -F -d root p1.img
debugfs -w -R "feature needs_recovery" p1.img >/dev/null 2>&1
dd if=p1.img of=inj.img bs=512 seek=2048 conv=notrunc status=none
rm -f p1.img
"$DUALVM" inject inj.img --disk-mode undoable >inj.log 2>&1
rc=$?
left=$(ls inj.img.* 2>/dev/null | tr '\n' ' ')
if [ $rc = 0 ]; then
	t_fail inject-refused-no-overlay "inject accepted an unclean journal: $(cat inj.log)"
elif [ -n "$left" ]; then
	t_fail inject-refused-no-overlay "refused (rc=$rc) but left $left"
elif ! grep -q 'not shut down cleanly\|journal' inj.log; then
	t_fail inject-refused-no-overlay "refused for another reason: $(cat inj.log)"
else
	t_pass inject-refused-no-overlay
fi

# ------------------------------------------------------------ a bare NTFS
truncate -s 32M ntfs.img
mkntfs -q -F -Q ntfs.img >/dev/null 2>&1
"$DUALVM" p2v ntfs.img ntfs-out.raw --json >nt.json 2>nt.err
fs=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if "\"result\"" in l:
        a = json.loads(l)["areas"]
        print(len(a), a[0]["fs"], a[0]["method"])' nt.json)
if [ "$fs" = "1 ntfs bitmap" ] && "$DUALVM" inspect ntfs.img 2>&1 | grep -q 'no partition table'; then
	t_pass p2v-bare-ntfs
else
	t_fail p2v-bare-ntfs "areas: '$fs'; inspect: $("$DUALVM" inspect ntfs.img 2>&1 | head -n 1); $(cat nt.err)"
fi
rm -f ntfs-out.raw

# ------------------------------------------------------------ .vmx disks
for fmt in qcow2 raw vdi; do
	"$DUALVM" p2v fs.img "vm-$fmt.img" --format "$fmt" --vm vmx >vm.log 2>&1
	rc=$?
	disk=$(sed -n 's/^ide0:0.fileName = "\(.*\)"$/\1/p' "vm-$fmt.vmx" 2>/dev/null)
	info=$(qemu-img info "$disk" 2>/dev/null | sed -n 's/^file format: //p')
	if [ $rc != 0 ]; then
		t_fail p2v-vmx-$fmt "rc=$rc: $(cat vm.log)"
	elif [ "$info" != vmdk ]; then
		t_fail p2v-vmx-$fmt "the .vmx names '$disk' ($info), which VMware cannot open"
	elif ! qemu-img compare -q "$disk" fs.img; then
		t_fail p2v-vmx-$fmt "$disk does not hold the source disk"
	else
		t_pass p2v-vmx-$fmt "names $disk"
	fi
done
