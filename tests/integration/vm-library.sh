#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm-library.sh --- `dualvm vm create|list|show|delete|import` and
# `dualvm run NAME`, with the library in $TMP (XDG_DATA_HOME and HOME point
# there, so nothing is made outside it):
#  - create/list/show/delete round trip, --json parsed by python3, every
#    argument checked before anything is written;
#  - import of what `p2v --vm dualvm,vmx,ovf,ova,libvirt` writes for
#    linux-i386.img; the imported .vmx boots to DUALVM-GUEST-READY under
#    the interpreter by name; the OVF, libvirt XML and OVA ones start
#    SeaBIOS; an undoable library VM keeps its overlay in its folder and
#    delete refuses until it is committed or discarded;
#  - (root, loop devices) a VM of partition 2 of a block device holding
#    dualboot-i386.img reaches its boot loader by name; a persistent VM of
#    its partition 1, mounted on the host, is refused at create;
#  - hostile inputs (OVA members with ../ or absolute names or referenced
#    so, a DTD with an external entity, billion laughs, a missing disk, a
#    duplicate name): one line, nonzero exit, no VM folder, nothing
#    written outside.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/linux-i386.img
if [ ! -f "$img" ]; then
	t_fail vm-library "$img is missing (make guests)"; exit 0
fi
cd "$TMP" || exit 1
export XDG_DATA_HOME=$TMP/xdg HOME=$TMP/home
mkdir -p "$HOME"
lib=$XDG_DATA_HOME/dualvm/vms
cp --sparse=always "$img" disk.img
disk=$(realpath disk.img)
sum=$(sha256sum <disk.img)

# one_line NAME RC PATTERN CMD...: CMD exits RC with one line on stderr
# matching PATTERN, and the library holds the same folders as before
one_line() {
	local name=$1 want=$2 pat=$3 before rc
	shift 3
	before=$(ls "$lib" 2>/dev/null)
	"$@" </dev/null >o.out 2>o.err
	rc=$?
	if [ $rc = "$want" ] && [ "$(wc -l <o.err)" = 1 ] && grep -q -- "$pat" o.err &&
	   [ "$(ls "$lib" 2>/dev/null)" = "$before" ]; then
		t_pass "$name"
	else
		t_fail "$name" "exit $rc (want $want): $(head -n 2 o.err | tr '\n' ' ')"
	fi
}

# jq_py FILE EXPR: evaluate the python expression EXPR on the JSON j
jq_py() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- create, list, show, delete
t=vm-library-create
if "$DUALVM" vm create demo --disk disk.img --partition 1 --disk-mode undoable \
	--memory 128 --cpus 2 --nic none >c.out 2>c.err &&
   [ -f "$lib/demo/vm.dualvm" ] && grep -q "created" c.out; then
	t_pass $t
else
	t_fail $t "$(head -n 1 c.err)"
fi

t=vm-library-list-json
"$DUALVM" vm list --json >l.json 2>l.err
want="['demo', 128, 2, 'none', 'bios', '$disk', '1', 'undoable', True]"
got=$(jq_py l.json "[j['vms'][0][k] for k in ('name', 'memory_mib', 'cpus', 'nic', 'firmware')] + [j['vms'][0]['disks'][0][k] for k in ('path', 'partitions', 'mode', 'present')]" 2>&1)
[ "$got" = "$want" ] && [ "$(jq_py l.json "len(j['vms'])")" = 1 ] &&
	t_pass $t || t_fail $t "got $got"

t=vm-library-show-json
"$DUALVM" vm show demo --json >s.json 2>s.err
got=$(jq_py s.json "[j['name'], j['folder'], j['definition'], j['disks'][0]['undoable_overlay']]" 2>&1)
[ "$got" = "['demo', '$lib/demo', '$lib/demo/vm.dualvm', None]" ] &&
	t_pass $t || t_fail $t "got $got"

t=vm-library-text
if "$DUALVM" vm list | grep -q "^demo .*128 MiB.*$disk partition 1" &&
   "$DUALVM" vm show demo | grep -q "mode undoable"; then
	t_pass $t
else
	t_fail $t "$("$DUALVM" vm list 2>&1 | tail -n 1)"
fi

one_line vm-library-create-duplicate 1 "exists already" \
	"$DUALVM" vm create demo --disk disk.img
one_line vm-library-create-missing-disk 1 "nothere.img" \
	"$DUALVM" vm create x1 --disk nothere.img
one_line vm-library-create-bad-partition 1 "partition" \
	"$DUALVM" vm create x2 --disk disk.img --partition 7
one_line vm-library-create-bad-name 2 "not a VM name" \
	"$DUALVM" vm create ../x3 --disk disk.img
one_line vm-library-create-order 2 "give --disk first" \
	"$DUALVM" vm create x4 --partition 1 --disk disk.img
printf 'machine = pc-i440fx\ndisk0 = disk.img\n' >def.dualvm
one_line vm-library-create-not-a-disk 1 "not a disk" \
	"$DUALVM" vm create x5 --disk def.dualvm
one_line vm-library-run-unknown 1 "no VM of that name" \
	"$DUALVM" run --engine interp --timeout 5 nosuchvm

t=vm-library-delete
if "$DUALVM" vm delete demo >d.out 2>d.err && [ ! -e "$lib/demo" ] &&
   grep -q "removed $lib/demo/vm.dualvm" d.out && [ -f disk.img ] &&
   [ "$(sha256sum <disk.img)" = "$sum" ] &&
   "$DUALVM" vm list --json >l2.json && [ "$(jq_py l2.json "j['vms']")" = "[]" ]; then
	t_pass $t
else
	t_fail $t "$(head -n 1 d.err) $(cat d.out | tr '\n' ' ')"
fi
one_line vm-library-delete-unknown 1 "no VM named" "$DUALVM" vm delete demo

# ---- an undoable library VM: its overlay lives in its folder
t=vm-library-undoable-overlay
"$DUALVM" vm create undo --disk disk.img --disk-mode undoable >/dev/null 2>u.err
"$DUALVM" run --engine interp --timeout 3 --on-exit keep --serial u.serial undo \
	</dev/null >/dev/null 2>>u.err
ovl=$lib/undo/disk.img.undo.qcow2
if [ -f "$ovl" ] && [ ! -e "$TMP/disk.img.undo.qcow2" ] && grep -aq SeaBIOS u.serial &&
   [ "$(sha256sum <disk.img)" = "$sum" ]; then
	t_pass $t
else
	t_fail $t "no $ovl: $(head -n 2 u.err | tr '\n' ' ')"
fi
one_line vm-library-delete-refuses-overlay 1 "not committed" \
	"$DUALVM" vm delete undo
t=vm-library-delete-after-discard
if [ -f "$ovl" ] && "$DUALVM" disk discard "$ovl" >/dev/null 2>dd.err &&
   "$DUALVM" vm delete undo >/dev/null 2>>dd.err && [ ! -e "$lib/undo" ] &&
   [ "$(sha256sum <disk.img)" = "$sum" ]; then
	t_pass $t
else
	t_fail $t "$(head -n 1 dd.err)"
fi

# ---- a partition of a block device (the dual-boot case): the library
# follows the device the user named; a mounted partition is refused
t=vm-library-blockdev
db=$GUESTS/dualboot-i386.img
if [ ! -f "$db" ]; then
	t_fail $t "$db is missing (make guests)"
elif [ "$(id -u)" != 0 ]; then
	t_skip $t "needs root (losetup)"
elif ! cp --sparse=always "$db" db.img || ! LOOP=$(losetup -f --show db.img 2>/dev/null); then
	t_skip $t "losetup failed (no loop devices here?)"
else
	dbsum=$(sha256sum <db.img)
	ok=1 why=
	"$DUALVM" vm create dual --disk "$LOOP" --partition 2 --memory 128 >/dev/null 2>b.err ||
		{ ok=0 why="create: $(head -n 1 b.err)"; }
	dualvm_boot "$TMP/b.serial" "$(budget 300)" SYSLINUX --engine interp dual
	rc=$?
	[ $rc = 0 ] || { ok=0 why="${why:-$(boot_why $rc "$TMP/b.serial")}"; }
	grep -aq HOST-OS-BOOTED b.serial && { ok=0 why="the host OS booted"; }
	# partition 1 mounted on the host (read-only, through a loop device
	# of its own): refused for a persistent VM
	read -r p1s p1n < <(/usr/sbin/sfdisk -d db.img |
		sed -n 's/.*1 : start= *\([0-9]*\), size= *\([0-9]*\).*/\1 \2/p')
	mkdir -p mnt
	if ML=$(losetup -f --show -r -o $((p1s * 512)) --sizelimit $((p1n * 512)) db.img 2>/dev/null) &&
	   mount -o ro "$ML" mnt 2>/dev/null; then
		"$DUALVM" vm create dual1 --disk "$LOOP" --partition 1 --disk-mode persistent \
			>/dev/null 2>b1.err && { ok=0 why="a mounted partition was accepted"; }
		grep -q "mounted" b1.err && [ "$(wc -l <b1.err)" = 1 ] ||
			{ ok=0 why="mounted partition: $(head -n 2 b1.err | tr '\n' ' ')"; }
		[ -e "$lib/dual1" ] && { ok=0 why="a refused create left $lib/dual1"; }
		umount mnt
	else
		ok=0 why="cannot mount partition 1 of the copy"
	fi
	[ -n "${ML:-}" ] && losetup -d "$ML"
	losetup -d "$LOOP"
	[ "$(sha256sum <db.img)" = "$dbsum" ] || { ok=0 why="the disk changed"; }
	"$DUALVM" vm delete dual >/dev/null 2>&1
	[ $ok = 1 ] && t_pass $t || t_fail $t "$why"
fi

# ---- import what p2v writes
if ! "$DUALVM" p2v disk.img lin.qcow2 --vm dualvm,vmx,ovf,ova,libvirt >p2v.log 2>&1; then
	t_fail vm-library-import "p2v failed: $(tail -n 1 p2v.log)"; exit 0
fi
ok=1 why=
for k in dualvm vmx ovf ova xml; do
	if ! "$DUALVM" vm import "lin.$k" --name "imp-$k" >i.out 2>i.err; then
		ok=0 why="lin.$k: $(head -n 1 i.err)"; continue
	fi
	"$DUALVM" vm show "imp-$k" --json >i.json
	p=$(jq_py i.json "j['disks'][0]['path']")
	case $k in
	vmx) w=$TMP/lin-vmware.vmdk ;;
	ova) w=$lib/imp-ova/lin-disk1.vmdk ;;
	*) w=$TMP/lin.qcow2 ;;
	esac
	[ "$p" = "$w" ] && [ "$(jq_py i.json "(j['memory_mib'], j['nic'])")" = "(1024, 'e1000')" ] ||
		{ ok=0 why="imp-$k: disk $p (want $w), $(jq_py i.json "(j['memory_mib'], j['nic'])")"; }
done
# the name from the definition itself
"$DUALVM" vm import lin.dualvm >/dev/null 2>i.err && [ -f "$lib/lin/vm.dualvm" ] ||
	{ ok=0 why="import without --name: $(head -n 1 i.err)"; }
[ $ok = 1 ] && t_pass vm-library-import || t_fail vm-library-import "$why"
one_line vm-library-import-duplicate 1 "exists already" \
	"$DUALVM" vm import lin.vmx --name imp-vmx
one_line vm-library-create-mode-format 1 "runs only nonpersistent" \
	"$DUALVM" vm create x6 --disk lin-vmware.vmdk --disk-mode undoable

# the imported .vmx boots by name (the issue's acceptance)
t=vm-library-run-imported-vmx
dualvm_boot "$TMP/vmx.serial" "$(budget 600)" DUALVM-GUEST-READY \
	--engine interp imp-vmx
rc=$?
if [ $rc = 0 ] && grep -aq DUALVM-GUEST-READY "$TMP/vmx.serial"; then
	t_pass $t
else
	t_fail_log $t "$(boot_why $rc "$TMP/vmx.serial")" "$TMP/vmx.serial"
fi

# the others start the machine: by name, and OVF / libvirt files directly
for v in imp-ova imp-xml lin.ovf lin.xml; do
	t=vm-library-run-$v
	"$DUALVM" run --engine interp --timeout 3 --serial "$v.serial" "$v" \
		</dev/null >/dev/null 2>"$v.err"
	rc=$?
	if [ $rc = 124 ] && grep -aq SeaBIOS "$v.serial"; then
		t_pass $t
	else
		t_fail $t "exit $rc: $(grep -v unclaimed "$v.err" | head -n 1)"
	fi
done
one_line vm-library-run-ova-refused 2 "dualvm vm import" \
	"$DUALVM" run --engine interp --timeout 5 lin.ova

# ---- hostile inputs
mkdir -p h && cd h || exit 1
python3 - "$TMP" <<'EOF'
import io, sys, tarfile
tmp = sys.argv[1]
ovf = open(tmp + "/lin.ovf").read()
def ova(name, members):
    with tarfile.open(name, "w", format=tarfile.USTAR_FORMAT) as t:
        for n, data in members:
            i = tarfile.TarInfo(n); i.size = len(data)
            t.addfile(i, io.BytesIO(data))
disk = open(tmp + "/lin.qcow2", "rb").read(65536)
# a member outside the archive's folder, next to a valid descriptor
ova("dotdot.ova", [("vm.ovf", ovf.replace("lin.qcow2", "d.qcow2").encode()),
                   ("d.qcow2", disk), ("../evil-dotdot", b"x")])
ova("abs.ova", [("vm.ovf", ovf.replace("lin.qcow2", "d.qcow2").encode()),
                ("d.qcow2", disk), (tmp + "/evil-abs", b"x")])
# the descriptor references a file outside the archive
ova("ref.ova", [("vm.ovf", ovf.replace('href="lin.qcow2"', 'href="../evil-ref"').encode()),
                ("d.qcow2", disk)])
# a referenced file that is a symbolic link
with tarfile.open("link.ova", "w", format=tarfile.USTAR_FORMAT) as t:
    d = ovf.replace("lin.qcow2", "d.qcow2").encode()
    i = tarfile.TarInfo("vm.ovf"); i.size = len(d); t.addfile(i, io.BytesIO(d))
    i = tarfile.TarInfo("d.qcow2"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"
    t.addfile(i)
# external entity, billion laughs
xml = open(tmp + "/lin.xml").read()
open("xxe.xml", "w").write('<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
                           + xml.replace("<name>lin</name>", "<name>&x;</name>"))
lol = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i else "&lol;") * 10) for i in range(10)) + ']>\n'
open("lol.ovf", "w").write(lol + ovf[ovf.index("<Envelope"):].replace("<Info>Virtual disks</Info>", "<Info>&lol9;</Info>"))
EOF
sed 's/lin-vmware.vmdk/nothere.vmdk/' "$TMP/lin.vmx" >missing.vmx
one_line vm-library-hostile-ova-dotdot 1 "outside the archive" "$DUALVM" vm import dotdot.ova
one_line vm-library-hostile-ova-absolute 1 "outside the archive" "$DUALVM" vm import abs.ova
one_line vm-library-hostile-ova-reference 1 "not a plain file name" "$DUALVM" vm import ref.ova
one_line vm-library-hostile-ova-symlink 1 "not a regular file" "$DUALVM" vm import link.ova
one_line vm-library-hostile-xxe 1 "DOCTYPE" "$DUALVM" vm import xxe.xml
one_line vm-library-hostile-billion-laughs 1 "DOCTYPE" "$DUALVM" vm import lol.ovf
one_line vm-library-hostile-missing-disk 1 "nothere.vmdk" "$DUALVM" vm import missing.vmx
one_line vm-library-hostile-run-xxe 1 "DOCTYPE" \
	"$DUALVM" run --engine interp --timeout 5 xxe.xml
t=vm-library-hostile-nothing-outside
left=$(ls -d "$TMP"/evil-* "$TMP"/../evil-* "$lib"/dotdot "$lib"/abs "$lib"/ref "$lib"/link \
	"$lib"/*/evil-* 2>/dev/null)
[ -z "$left" ] && [ -z "$(ls -A "$HOME")" ] && t_pass $t || t_fail $t "written: $left $(ls -A "$HOME")"
exit 0
