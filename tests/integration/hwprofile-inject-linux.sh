#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hwprofile-inject-linux.sh --- Linux driver injection on a "host-only"
# copy of linux-i386.img: its initramfs loads only the AHCI/NVMe stack
# (ata_piix, ata_generic, sd_mod and ext4 removed from conf/modules and
# from the archive) and its fstab names /dev/nvme0n1p1.  `dualvm inject`
# must put the IDE/SCSI-disk/ext4 modules (with their modules.dep closure)
# back into the initramfs load list and fstab must say UUID=; `--undo`
# must restore the host-only bytes exactly.  Then: the same injection
# through an overlay of dualboot-i386.img --partition 2 leaves the source
# untouched; and the boot proofs: the host-only image must end in its
# initramfs rescue and the injected one must reach DUALVM-GUEST-READY,
# under QEMU TCG (the oracle) and under `dualvm run --engine interp` and
# `--engine bt`.
# Every boot has a budget (tests/lib/common.sh); running out of it is a
# FAIL showing the end of the console.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
PATH=$PATH:/usr/sbin:/sbin
tmp=$TMP
src=$GUESTS/linux-i386.img
man=$GUESTS/manifest.json

fail_all() {
	for t in inject-linux-hostonly-built inject-linux-initramfs \
		 inject-linux-fstab inject-linux-idempotent inject-linux-undo \
		 inject-linux-overlay-source-untouched inject-linux-boot-proof-qemu \
		 inject-linux-boot-proof; do
		t_fail $t "$1"
	done
}
if [ ! -f "$src" ] || [ ! -f "$man" ]; then
	fail_all "$src not built (make guests)"; exit 0
fi
for t in debugfs cpio gzip python3 sha256sum qemu-img; do
	command -v $t >/dev/null || { fail_all "$t not installed (make deps)"; exit 0; }
done

kver=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"]["linux-i386.img"]["kernel"])' "$man")
uuid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"]["linux-i386.img"]["partitions"][0]["uuid"])' "$man")
start=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"]["linux-i386.img"]["partitions"][0]["start"]*512)' "$man")
img=$tmp/hostonly.img
fs="$img?offset=$start"
initrd=/boot/initrd.img-$kver

cp --sparse=always "$src" "$img"
dump() { debugfs -R "dump $1 $2" "$fs" >/dev/null 2>&1; }
put() {	# local-file guest-path
	debugfs -w -R "rm $2" "$fs" >/dev/null 2>&1
	debugfs -w -R "write $1 $2" "$fs" >/dev/null 2>&1
}
gsha() { dump "$1" "$tmp/sha.tmp" && sha256sum <"$tmp/sha.tmp" | cut -d' ' -f1; }

# ---- build the host-only variant
mkdir -p "$tmp/ir"
dump "$initrd" "$tmp/initrd.orig"
(cd "$tmp/ir" && gzip -dc <"$tmp/initrd.orig" | cpio -id --quiet) || { fail_all "cannot unpack the initramfs"; exit 0; }
keep='scsi_common|scsi_mod|libata|libahci|ahci|crc64|crc64-rocksoft|crct10dif_common|crc-t10dif|t10-pi|nvme-core|nvme'
grep -E "^#|/($keep)\.ko$" "$tmp/ir/conf/modules" >"$tmp/modules.new"
for m in ata_piix ata_generic sd_mod ext4 jbd2 mbcache crc16 crc32c_generic; do
	find "$tmp/ir/lib/modules" -name "$m.ko" -delete
done
mv "$tmp/modules.new" "$tmp/ir/conf/modules"
(cd "$tmp/ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$tmp/initrd.host"
printf '# /etc/fstab: static file system information.\n/dev/nvme0n1p1\t/\text4\terrors=remount-ro\t0\t1\n' >"$tmp/fstab.host"
# a short root wait so the failing boots end in seconds, not a minute
dump /boot/extlinux/extlinux.conf "$tmp/extlinux.conf"
sed -i 's/^\(  *APPEND .*\)$/\1 rootdelay=8/' "$tmp/extlinux.conf"
put "$tmp/initrd.host" "$initrd"
put "$tmp/fstab.host" /etc/fstab
put "$tmp/extlinux.conf" /boot/extlinux/extlinux.conf
h_initrd=$(gsha "$initrd"); h_fstab=$(gsha /etc/fstab)
if [ "$h_initrd" = "$(sha256sum <"$tmp/initrd.host" | cut -d' ' -f1)" ] &&
   [ "$h_fstab" = "$(sha256sum <"$tmp/fstab.host" | cut -d' ' -f1)" ] &&
   e2fsck -fn "$fs" >/dev/null 2>&1; then
	echo "PASS inject-linux-hostonly-built"
else
	fail_all "could not build the host-only variant with debugfs"; exit 0
fi
cp --sparse=always "$img" "$tmp/hostonly-pristine.img"

# ---- inject
if ! "$DUALVM" inject --json "$img" >"$tmp/rep.json" 2>"$tmp/err"; then
	echo "FAIL inject-linux-initramfs: dualvm inject failed: $(head -3 "$tmp/err" | tr '\n' ' ')"
	exit 0
fi
rm -rf "$tmp/ir2"; mkdir -p "$tmp/ir2"
dump "$initrd" "$tmp/initrd.new"
(cd "$tmp/ir2" && gzip -dc <"$tmp/initrd.new" | cpio -id --quiet 2>/dev/null)
ok=1 why=
for m in kernel/drivers/ata/ata_piix.ko kernel/drivers/ata/ata_generic.ko \
	 kernel/drivers/scsi/sd_mod.ko kernel/fs/ext4/ext4.ko kernel/fs/jbd2/jbd2.ko \
	 kernel/fs/mbcache.ko kernel/lib/crc16.ko kernel/crypto/crc32c_generic.ko; do
	f=lib/modules/$kver/$m
	[ -f "$tmp/ir2/$f" ] || { ok=0; why="$why missing:$m"; continue; }
	grep -qx "/$f" "$tmp/ir2/conf/modules" || { ok=0; why="$why not-loaded:$m"; }
done
# dependency order: libata before ata_piix, crc32c and jbd2 before ext4
order() { grep -n "/$1\.ko$" "$tmp/ir2/conf/modules" | head -1 | cut -d: -f1; }
for pair in libata:ata_piix scsi_mod:sd_mod jbd2:ext4 crc32c_generic:ext4 mbcache:ext4; do
	a=$(order "${pair%%:*}"); b=$(order "${pair##*:}")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || { ok=0; why="$why order:$pair"; }
done
if [ $ok = 1 ] && grep -q '"sha256_before"' "$tmp/rep.json" &&
   python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["os"]=="linux" and any(c["path"]==sys.argv[2] and c["sha256_before"]==sys.argv[3] for c in r["changes"])' \
	"$tmp/rep.json" "$initrd" "$h_initrd"; then
	echo "PASS inject-linux-initramfs"
else
	echo "FAIL inject-linux-initramfs:$why $(head -c 300 "$tmp/rep.json")"
fi
dump /etc/fstab "$tmp/fstab.new"
if grep -qP "^UUID=$uuid\t/\text4" "$tmp/fstab.new" && ! grep -q nvme "$tmp/fstab.new" &&
   e2fsck -fn "$fs" >/dev/null 2>&1; then
	echo "PASS inject-linux-fstab"
else
	echo "FAIL inject-linux-fstab: $(cat "$tmp/fstab.new" | tr '\n' ' ') / e2fsck: $(e2fsck -fn "$fs" 2>&1 | tail -2 | tr '\n' ' ')"
fi
a1=$(gsha "$initrd")
"$DUALVM" inject "$img" >"$tmp/out2" 2>&1
if [ "$(gsha "$initrd")" = "$a1" ] && grep -q "nothing to change" "$tmp/out2"; then
	echo "PASS inject-linux-idempotent"
else
	echo "FAIL inject-linux-idempotent: $(head -3 "$tmp/out2" | tr '\n' ' ')"
fi

# ---- undo
if "$DUALVM" inject --undo "$img" >"$tmp/undo.out" 2>&1 &&
   [ "$(gsha "$initrd")" = "$h_initrd" ] && [ "$(gsha /etc/fstab)" = "$h_fstab" ] &&
   ! debugfs -R "stat /var/lib/dualvm/inject-undo/manifest" "$fs" 2>&1 | grep -q "Inode:" &&
   e2fsck -fn "$fs" >/dev/null 2>&1; then
	echo "PASS inject-linux-undo"
else
	echo "FAIL inject-linux-undo: $(head -3 "$tmp/undo.out" | tr '\n' ' ')"
fi

# ---- through an overlay: dualboot-i386.img --partition 2, source untouched
db=$GUESTS/dualboot-i386.img
if [ -f "$db" ]; then
	before=$(sha256sum <"$db" | cut -d' ' -f1)
	mkdir -p "$tmp/ovl"
	"$DUALVM" inject --json --partition 2 --disk-mode undoable \
		--overlay-dir "$tmp/ovl" "$db" >"$tmp/ovl.json" 2>"$tmp/ovl.err"; rc1=$?
	"$DUALVM" inject --partition 2 --disk-mode undoable \
		--overlay-dir "$tmp/ovl" "$db" >"$tmp/ovl2.out" 2>&1; rc2=$?
	ovl=$(ls "$tmp"/ovl/*.qcow2 2>/dev/null | head -1)
	ok=0
	if [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ -n "$ovl" ] &&
	   grep -q "nothing to change" "$tmp/ovl2.out" &&
	   "$DUALVM" p2v --allow-path "$db" "$ovl" "$tmp/ovl.raw" --format raw >/dev/null 2>&1; then
		p2=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([p for p in m["images"]["dualboot-i386.img"]["partitions"] if p["number"]==2][0]["start"]*512)' "$man")
		k2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"]["dualboot-i386.img"]["kernel"])' "$man")
		debugfs -R "dump /boot/initrd.img-$k2 $tmp/ovl.initrd" "$tmp/ovl.raw?offset=$p2" >/dev/null 2>&1
		want=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([c for c in r["changes"] if "initrd" in c["path"]][0]["sha256_after"])' "$tmp/ovl.json" 2>/dev/null)
		[ -n "$want" ] && [ "$(sha256sum <"$tmp/ovl.initrd" | cut -d' ' -f1)" = "$want" ] && ok=1
	fi
	if [ $ok = 1 ] && [ "$(sha256sum <"$db" | cut -d' ' -f1)" = "$before" ]; then
		echo "PASS inject-linux-overlay-source-untouched"
	else
		echo "FAIL inject-linux-overlay-source-untouched: rc=$rc1/$rc2 $(head -2 "$tmp/ovl.err" | tr '\n' ' ')"
	fi
else
	t_fail inject-linux-overlay-source-untouched "$db not built (make guests)"
fi

# ---- boot proofs: the host-only image must end in the initramfs rescue
# (DUALVM-INITRAMFS-FAILED), the injected one must reach DUALVM-GUEST-READY.
# runboot LOG SECONDS CMD... -> 0 DUALVM-GUEST-READY, 1 a failure marker
# (initramfs rescue, kernel refuses the CPU, panic) or CMD exited, 2 the
# budget ran out
runboot() {
	local log=$1 secs=$2 pid rc
	shift 2
	: >"$log"
	"$@" </dev/null >"$log.out" 2>&1 &
	pid=$!
	wait_serial "$log" 'DUALVM-GUEST-READY|DUALVM-INITRAMFS-FAILED|Unable to boot|Kernel panic' "$pid" "$secs"
	rc=$?
	[ $rc = 0 ] && ! grep -qa DUALVM-GUEST-READY "$log" && rc=1
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	return $rc
}
# proof NAME BOOTFN: host-only copy, then the same copy after inject
proof() {
	local name=$1 boot=$2 r1 ri r2
	cp --sparse=always "$tmp/hostonly-pristine.img" "$tmp/p.img"
	$boot "$tmp/p.img" "$tmp/$name-1.log"; r1=$?
	"$DUALVM" inject "$tmp/p.img" >"$tmp/$name-inject.out" 2>&1; ri=$?
	$boot "$tmp/p.img" "$tmp/$name-2.log"; r2=$?
	if [ $r1 = 1 ] && grep -qa DUALVM-INITRAMFS-FAILED "$tmp/$name-1.log" && [ $ri = 0 ] && [ $r2 = 0 ]; then
		t_pass $name
	elif [ $r1 != 1 ]; then
		t_fail_log $name "host-only boot: $([ $r1 = 0 ] && echo "booted without injection" || echo "no initramfs rescue within the budget")" "$tmp/$name-1.log"
	elif ! grep -qa DUALVM-INITRAMFS-FAILED "$tmp/$name-1.log"; then
		t_fail_log $name "host-only boot ended without the initramfs rescue" "$tmp/$name-1.log"
	elif [ $ri != 0 ]; then
		t_fail $name "inject failed: $(tail -n 1 "$tmp/$name-inject.out")"
	else
		t_fail_log $name "injected boot: $([ $r2 = 2 ] && echo "no DUALVM-GUEST-READY within the budget" || echo "failed")" "$tmp/$name-2.log"
	fi
	rm -f "$tmp/p.img"
}
qboot() {	# image log
	runboot "$2" "$(budget 240)" qemu-system-i386 -accel tcg -m 256 -no-reboot \
		-display none -drive file="$1",format=raw,if=ide -snapshot \
		-serial file:"$2"
}
dboot() {	# image log
	runboot "$2" "$(budget 600)" "$DUALVM" run --engine interp \
		--disk-mode nonpersistent --serial "$2" "$1"
}
btboot() {	# image log
	runboot "$2" "$(budget 600)" "$DUALVM" run --engine bt \
		--disk-mode nonpersistent --serial "$2" "$1"
}
if command -v qemu-system-i386 >/dev/null; then
	proof inject-linux-boot-proof-qemu qboot
else
	t_fail inject-linux-boot-proof-qemu "qemu-system-i386 not installed (make deps)"
fi
proof inject-linux-boot-proof dboot
if [ "$HOST_BT" = 1 ]; then
	proof inject-linux-boot-proof-bt btboot
else
	t_skip inject-linux-boot-proof-bt "$HOST_BT_WHY"
fi
exit 0
