#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# p2v-convert.sh --- dualvm p2v end to end on a disk built here: an MBR
# with an ext4, an NTFS and a swap partition whose free space holds stale
# random data (random bytes first, then mkfs without discard).  Checks every
# output format with qemu-img check/compare, that the output is smaller than
# qemu-img convert's, that every file is identical (debugfs rdump, ntfscat),
# the corrupt-bitmap fallback, --verify/--check catching a corrupted output,
# refusals, SIGINT cleanup, VM definitions (also for names full of XML, URI
# and VMware special characters), and the acceptance command on the
# dualboot guest.
set -u
BUILD=${BUILD:?} SRC=${SRC:-.}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
T=$(mktemp -d "${TMPDIR:-/tmp}/p2v-it.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }	# a missing host capability only
missing() { echo "FAIL $1: $2"; }	# a tool or guest make deps / make guests provides

for tool in qemu-img sfdisk mkfs.ext4 mkntfs ntfscp ntfscat ntfsls debugfs mkswap; do
	if ! command -v "$tool" >/dev/null; then
		missing p2v-convert "$tool is not installed (make deps)"
		exit 0
	fi
done

P1=2048 P1S=204800 P2=206848 P2S=122880 P3=329728
build_disk() {
	head -c $((180 << 20)) /dev/urandom >disk.raw
	truncate -s 200M disk.raw
	printf 'label: dos\nstart=%s, size=%s, type=83\nstart=%s, size=%s, type=7\nstart=%s, type=82\n' \
		$P1 $P1S $P2 $P2S $P3 | sfdisk -q disk.raw || return 1
	mkdir -p tree/sub
	for i in $(seq 1 24); do head -c $((i * 41000 + 7)) /dev/urandom >tree/f$i; done
	echo hello >tree/sub/hello.txt
	dd if=disk.raw of=p1.img bs=512 skip=$P1 count=$P1S status=none
	mkfs.ext4 -q -F -E nodiscard -d tree p1.img || return 1
	dd if=disk.raw of=p2.img bs=512 skip=$P2 count=$P2S status=none
	mkntfs -q -F -Q -s 512 -p $P2 -H 255 -S 63 p2.img >/dev/null 2>&1 || return 1
	for i in 1 2 3 4 5; do ntfscp -f p2.img tree/f$i f$i >/dev/null 2>&1 || return 1; done
	ntfscp -f p2.img tree/sub/hello.txt hello.txt >/dev/null 2>&1 || return 1
	truncate -s $(( (409600 - P3) * 512 )) p3.img
	mkswap -q p3.img >/dev/null || return 1
	dd if=p1.img of=disk.raw bs=512 seek=$P1 conv=notrunc status=none
	dd if=p2.img of=disk.raw bs=512 seek=$P2 conv=notrunc status=none
	dd if=p3.img of=disk.raw bs=512 seek=$P3 conv=notrunc status=none
}
if ! build_disk >build.log 2>&1; then
	fail p2v-convert "could not build the test disk: $(tail -n 1 build.log)"
	exit 0
fi

alloc() { du -B1 -s "$1" | cut -f1; }

# 1. every format: convert with --verify, qemu-img check and compare
"$DUALVM" p2v disk.raw ref.img --format raw --verify >ref.log 2>&1 ||
	fail p2v-raw "$(tail -n 2 ref.log)"
for f in vmdk:vmdk:vmdk vmdk-stream:vmdk:vmdk qcow2:qcow2:qcow2 vhd:vhd:vpc \
	 vhd-fixed:vhd:vpc vhdx:vhdx:vhdx vdi:vdi:vdi; do
	IFS=: read -r fmt ext q <<<"$f"
	out=out-$fmt.$ext
	if ! "$DUALVM" p2v disk.raw "$out" --format "$fmt" --verify >"$fmt.log" 2>&1; then
		fail "p2v-format-$fmt" "conversion failed: $(tail -n 2 "$fmt.log")"
		continue
	fi
	if [ "$q" != vpc ] && ! qemu-img check -q -f "$q" "$out" >"$fmt.check" 2>&1; then
		fail "p2v-format-$fmt" "qemu-img check: $(tail -n 2 "$fmt.check")"
		continue
	fi
	if ! qemu-img compare -q -f "$q" -F raw "$out" ref.img; then
		fail "p2v-format-$fmt" "qemu-img compare against the raw conversion differs"
		continue
	fi
	pass "p2v-format-$fmt"
done

# 1b. an image as the source: VMDK in, VHDX out, file systems still read
if "$DUALVM" p2v out-vmdk.vmdk from-vmdk.vhdx --verify --json >fromimg.json 2>fromimg.err &&
   grep '"event":"result"' fromimg.json | grep -q '"fs":"ext4","method":"bitmap"' &&
   grep '"event":"result"' fromimg.json | grep -q '"fs":"ntfs","method":"bitmap"' &&
   qemu-img compare -q -f vhdx -F raw from-vmdk.vhdx ref.img; then
	pass p2v-image-source
else
	fail p2v-image-source "$(cat fromimg.err)"
fi

# 2. used data identical; stale free blocks not copied: smaller than qemu-img
ok=1
for f in vmdk:vmdk qcow2:qcow2 vpc:vhd; do
	IFS=: read -r q ext <<<"$f"
	qemu-img convert -f raw -O "$q" disk.raw "qemu.$ext"
	ours=$(alloc "out-${q/vpc/vhd}.$ext") theirs=$(alloc "qemu.$ext")
	if [ "$ours" -ge $((theirs / 2)) ]; then
		fail p2v-smaller-than-qemu "$q: ours $ours bytes, qemu-img $theirs"
		ok=0
	fi
done
qemu-img convert -f raw -O vmdk -o subformat=streamOptimized disk.raw qemu-s.vmdk
if [ "$(alloc out-vmdk-stream.vmdk)" -ge "$(alloc qemu-s.vmdk)" ]; then
	fail p2v-smaller-than-qemu "streamOptimized not smaller"
	ok=0
fi
[ $ok = 1 ] && pass p2v-smaller-than-qemu

ok=1
dd if=ref.img of=o1.img bs=512 skip=$P1 count=$P1S status=none
dd if=ref.img of=o2.img bs=512 skip=$P2 count=$P2S status=none
mkdir -p src-files out-files
debugfs -R "rdump / src-files" p1.img >/dev/null 2>&1
debugfs -R "rdump / out-files" o1.img >/dev/null 2>&1
if [ ! -f src-files/f24 ] || ! diff -r src-files out-files >/dev/null; then
	fail p2v-files-ext4 "files differ between source and output (debugfs rdump)"
	ok=0
fi
[ $ok = 1 ] && pass p2v-files-ext4
ok=1
names=$(ntfsls p2.img 2>/dev/null | grep -v '^\$')
[ -n "$names" ] || { fail p2v-files-ntfs "ntfsls lists nothing"; ok=0; }
for n in $names; do
	ntfscat p2.img "$n" >a.bin 2>/dev/null
	ntfscat o2.img "$n" >b.bin 2>/dev/null
	if ! cmp -s a.bin b.bin || [ ! -s a.bin ]; then
		fail p2v-files-ntfs "$n differs (ntfscat)"
		ok=0
	fi
done
[ $ok = 1 ] && pass p2v-files-ntfs

# 3. the converted swap keeps its header only; JSON report totals
if "$DUALVM" p2v disk.raw j.vmdk --json >j.json 2>j.err &&
   grep -q '"event":"progress"' j.json &&
   grep '"event":"result"' j.json | grep -q '"fs":"swap","method":"header","used":4096' &&
   grep '"event":"result"' j.json | grep -q '"fs":"ext4","method":"bitmap"' &&
   grep '"event":"result"' j.json | grep -q '"fs":"ntfs","method":"bitmap"'; then
	pass p2v-json-report
else
	fail p2v-json-report "$(head -c 300 j.json) $(cat j.err)"
fi

# 4. corrupt ext4 block bitmap -> full copy of that partition, with a warning
cp --sparse=always disk.raw bad.raw
bb=$(dumpe2fs p1.img 2>/dev/null | sed -n 's/.*Block bitmap at \([0-9]*\).*/\1/p' | head -n 1)
bs=$(dumpe2fs -h p1.img 2>/dev/null | sed -n 's/^Block size: *//p')
if [ -z "$bb" ] || [ -z "$bs" ]; then
	fail p2v-corrupt-bitmap "dumpe2fs gave no bitmap location"
else
	dd if=/dev/zero of=bad.raw bs=1 count=$((bs / 2)) seek=$((P1 * 512 + bb * bs)) conv=notrunc status=none
	if "$DUALVM" p2v bad.raw bad.vmdk --verify --json >bad.json 2>bad.err &&
	   grep -q 'warning: partition 1 (ext4): full copy (fallback)' bad.err &&
	   grep '"event":"result"' bad.json | grep -q '"partition":1,[^}]*"method":"full"'; then
		# the whole partition, stale blocks included, is in the output
		dd if=bad.raw of=b1.src bs=512 skip=$P1 count=$P1S status=none
		qemu-img convert -f vmdk -O raw bad.vmdk bad-out.raw
		dd if=bad-out.raw of=b1.out bs=512 skip=$P1 count=$P1S status=none
		if cmp -s b1.src b1.out; then
			pass p2v-corrupt-bitmap
		else
			fail p2v-corrupt-bitmap "fallback output differs from the partition"
		fi
	else
		fail p2v-corrupt-bitmap "no full-copy fallback: $(cat bad.err) $(grep result bad.json | head -c 400)"
	fi
fi

# 4b. not cleanly unmounted ext4 -> full copy of it, with a warning
cp --sparse=always p1.img unclean.img
debugfs -w -R "ssv state 0" unclean.img >/dev/null 2>&1
cp --sparse=always disk.raw unclean.raw
dd if=unclean.img of=unclean.raw bs=512 seek=$P1 conv=notrunc status=none
if "$DUALVM" p2v unclean.raw unclean.vmdk --verify >unclean.log 2>unclean.err &&
   grep -q "partition 1 (ext4): full copy (fallback): file system was not cleanly unmounted" unclean.err; then
	pass p2v-unclean-ext4-full-copy
else
	fail p2v-unclean-ext4-full-copy "$(cat unclean.err)"
fi
rm -f unclean.img unclean.raw unclean.vmdk

# 5. --check (and --verify's comparison) catches a corrupted output
blk=$(debugfs -R "bmap /f7 0" p1.img 2>/dev/null)
bs=$(dumpe2fs -h p1.img 2>/dev/null | sed -n 's/^Block size: *//p')
off=$((P1 * 512 + blk * bs + 100))
cp --sparse=always ref.img corrupt.img
printf '\x5a' | dd of=corrupt.img bs=1 seek=$off conv=notrunc status=none
cmp -s <(dd if=ref.img bs=1 skip=$off count=1 status=none) <(printf '\x5a') &&
	printf '\xa5' | dd of=corrupt.img bs=1 seek=$off conv=notrunc status=none
"$DUALVM" p2v disk.raw ref.img --check >chk-good.log 2>&1
good=$?
"$DUALVM" p2v disk.raw corrupt.img --check >chk-bad.log 2>&1
bad=$?
if [ $good = 0 ] && [ $bad != 0 ] && grep -q "differs from the source at byte $off" chk-bad.log; then
	pass p2v-verify-catches-corruption
else
	fail p2v-verify-catches-corruption "good=$good bad=$bad: $(cat chk-bad.log)"
fi
# the same through a VMDK: flip a byte inside the grain that holds $off
host=$(qemu-img map --output=json -f vmdk out-vmdk.vmdk | python3 -c "
import json,sys
off=$off
for m in json.load(sys.stdin):
    if m['start'] <= off < m['start']+m['length'] and m.get('offset') is not None:
        print(m['offset'] + off - m['start'])")
if [ -n "$host" ]; then
	cp out-vmdk.vmdk corrupt.vmdk
	printf '\x00\x01\x02' | dd of=corrupt.vmdk bs=1 seek="$host" conv=notrunc status=none
	if ! "$DUALVM" p2v disk.raw corrupt.vmdk --check >chk-vmdk.log 2>&1 &&
	   grep -q "differs" chk-vmdk.log; then
		pass p2v-verify-catches-corruption-vmdk
	else
		fail p2v-verify-catches-corruption-vmdk "$(cat chk-vmdk.log)"
	fi
else
	fail p2v-verify-catches-corruption-vmdk "qemu-img map gave no host offset for byte $off"
fi

# 5b. a partition selection: only NTFS (and the tables) are copied
if "$DUALVM" p2v disk.raw sel.vmdk --partition 2 --verify >sel.log 2>&1 &&
   qemu-img convert -f vmdk -O raw sel.vmdk sel.raw &&
   cmp -s <(dd if=sel.raw bs=512 skip=$P2 count=$P2S status=none) o2.img &&
   cmp -s <(dd if=sel.raw bs=512 count=1 status=none) <(dd if=disk.raw bs=512 count=1 status=none) &&
   cmp -s <(dd if=sel.raw bs=512 skip=$P1 count=$P1S status=none) <(head -c $((P1S * 512)) /dev/zero); then
	pass p2v-partition-selection
else
	fail p2v-partition-selection "$(tail -n 3 sel.log)"
fi
"$DUALVM" p2v disk.raw sel7.vmdk --partitions 7 >sel7.log 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "no partition '7'" sel7.log; then pass p2v-partition-selection-unknown
else fail p2v-partition-selection-unknown "rc=$rc $(cat sel7.log)"; fi

# 6. refusals and errors
"$DUALVM" p2v disk.raw ref.img >exists.log 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "already exists" exists.log; then
	pass p2v-refuses-existing-output
else
	fail p2v-refuses-existing-output "rc=$rc $(cat exists.log)"
fi
"$DUALVM" p2v disk.raw out.foo >fmt.log 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "format" fmt.log; then pass p2v-unknown-format
else fail p2v-unknown-format "rc=$rc $(cat fmt.log)"; fi
"$DUALVM" p2v /nonexistent/disk.img x.vmdk >ne.log 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "No such file" ne.log; then pass p2v-missing-source
else fail p2v-missing-source "rc=$rc $(cat ne.log)"; fi

# 6b. out of space: an 8 MiB tmpfs in a private mount namespace
mkdir -p small
if unshare -m true 2>/dev/null; then
	unshare -m bash -c "mount -t tmpfs -o size=8m tmpfs small &&
		'$DUALVM' p2v disk.raw small/o.vmdk >full.log 2>&1; echo \$? >full.rc;
		ls small >full.ls"
	rc=$(cat full.rc 2>/dev/null)
	if [ "$rc" = 1 ] && grep -q "full" full.log && [ ! -s full.ls ]; then
		pass p2v-out-of-space
	else
		fail p2v-out-of-space "rc=$rc $(cat full.log) left: $(cat full.ls 2>/dev/null)"
	fi
else
	skip p2v-out-of-space "no private mount namespace (unshare -m) here"
fi

# 6c. a mounted source is refused unless --allow-live (loop mount in a
# private mount namespace; the loop device goes away with the mount)
truncate -s 32M live.img && mkfs.ext4 -q -F live.img && mkdir -p livedir
if unshare -m true 2>/dev/null; then
	unshare -m bash -c "mount -o loop live.img livedir 2>/dev/null || exit 99
		'$DUALVM' p2v live.img live1.vmdk >live1.log 2>&1; echo \$? >live1.rc
		'$DUALVM' p2v live.img live2.vmdk --allow-live >live2.log 2>&1; echo \$? >live2.rc
		umount livedir"
	if [ $? = 99 ]; then
		skip p2v-refuses-mounted "cannot loop-mount here"
	elif [ "$(cat live1.rc)" = 1 ] && grep -q "mounted" live1.log && [ ! -e live1.vmdk ] &&
	     [ "$(cat live2.rc)" = 0 ] && grep -q "may be inconsistent" live2.log && [ -s live2.vmdk ]; then
		pass p2v-refuses-mounted
	else
		fail p2v-refuses-mounted "$(cat live1.log live2.log)"
	fi
else
	skip p2v-refuses-mounted "no private mount namespace (unshare -m) here"
fi

# 7. SIGINT: no output file, no partial file left.  The signal arrives
# while the copy is known to be running: once the partial output exists the
# converter is stopped (SIGSTOP), gets SIGINT, and is continued, so no
# machine is too fast for the test.
head -c $((256 << 20)) /dev/urandom >big.raw 2>/dev/null
"$DUALVM" p2v big.raw int.vmdk --format vmdk-stream >int.log 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null && ! ls int.vmdk.partial-* >/dev/null 2>&1 && [ ! -e int.vmdk ]; do
	sleep 0.02
done
kill -STOP $pid 2>/dev/null
kill -INT $pid 2>/dev/null
kill -CONT $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc = 0 ]; then
	fail p2v-sigint-cleanup "the conversion ignored SIGINT and completed"
elif [ $rc = 130 ] && [ ! -e int.vmdk ] && ! ls int.vmdk.partial-* >/dev/null 2>&1; then
	pass p2v-sigint-cleanup
else
	fail p2v-sigint-cleanup "rc=$rc, files: $(ls int.vmdk* 2>&1) $(cat int.log)"
fi
rm -f big.raw

# 8. VM definitions: vmx, ovf, ova (with manifest), libvirt, dualvm
if "$DUALVM" p2v disk.raw vm.vmdk --vm vmx,ovf,ova,libvirt,dualvm >vm.log 2>&1 &&
   grep -q 'ide0:0.fileName = "vm.vmdk"' vm.vmx && grep -q '^virtualHW.version' vm.vmx &&
   grep -q '^guestOS' vm.vmx && grep -q '^disk0 = vm.vmdk' vm.dualvm &&
   [ "$(tar tf vm.ova | head -n 1)" = vm.ovf ] && [ "$(tar tf vm.ova | tail -n 1)" = vm.mf ]; then
	mkdir ova && tar xf vm.ova -C ova
	ok=1
	(cd ova && sed 's/^SHA256(\(.*\))= \(.*\)$/\2  \1/' vm.mf | sha256sum -c --quiet) || ok=0
	qemu-img check -q -f vmdk ova/vm-disk1.vmdk || ok=0
	qemu-img compare -q -f vmdk -F raw ova/vm-disk1.vmdk ref.img || ok=0
	grep -q 'streamOptimized' ova/vm.ovf || ok=0
	for x in ova/vm.ovf vm.ovf vm.xml; do
		if command -v xmllint >/dev/null; then xmllint --noout "$x" || ok=0; fi
	done
	if command -v virt-xml-validate >/dev/null; then virt-xml-validate vm.xml domain >/dev/null || ok=0; fi
	[ $ok = 1 ] && pass p2v-vm-definitions || fail p2v-vm-definitions "manifest, disk or XML check failed"
else
	fail p2v-vm-definitions "$(cat vm.log)"
fi

# 8b. names and paths with & < > " ' | # % \ and spaces: each definition is
# well-formed for its own reader and names the same files.  The XML is
# judged by virt-xml-validate and xmllint; the .vmx (VMware's |XX), the
# .dualvm (tests/p2v/README.md) and the OVF href (RFC 3986) are decoded by
# the small readers below, written from those rules, not from p2v_esc.c.
vm_read_back() {	# STEM HREF OVA_HREF: prints the first problem
	python3 - "$@" <<'PY'
import re, sys
stem, href, ova_href = (a.encode() for a in sys.argv[1:4])
def fail(msg):
    print(msg)
    sys.exit(1)
def unhex(v, lead, what):
    out, i = b'', 0
    while i < len(v):
        if v.startswith(lead, i):
            h = v[i + len(lead):i + len(lead) + 2]
            if not re.fullmatch(rb'[0-9A-Fa-f]{2}', h):
                fail('%s: bad escape in %r' % (what, v))
            out += bytes([int(h, 16)])
            i += len(lead) + 2
        elif lead == b'\\x' and v.startswith(b'\\\\', i):
            out += b'\\'
            i += 2
        elif lead == b'\\x' and v[i:i + 1] == b'\\':
            fail('%s: lone backslash in %r' % (what, v))
        else:
            out += v[i:i + 1]
            i += 1
    return out
vmx = {}
for line in open(stem + b'.vmx', 'rb'):
    m = re.fullmatch(rb'([A-Za-z0-9_.:]+) = "([^"]*)"\n', line)
    if not m:
        fail('vmx: not key = "value": %r' % line)
    vmx[m[1]] = unhex(m[2], b'|', 'vmx')
dv = {}
for line in open(stem + b'.dualvm', 'rb'):
    if line.startswith(b'#'):
        continue
    # a reader may trim blanks around the value: edge spaces are \x20
    k, sep, v = line.rstrip(b'\n').partition(b' = ')
    if not sep:
        fail('dualvm: not key = value: %r' % line)
    dv[k] = unhex(v.strip(b' \t'), b'\\x', 'dualvm')
want = {
    'vmx displayName': (vmx.get(b'displayName'), stem),
    'vmx ide0:0.fileName': (vmx.get(b'ide0:0.fileName'), stem + b'.vmdk'),
    'dualvm name': (dv.get(b'name'), stem),
    'dualvm disk0': (dv.get(b'disk0'), stem + b'.vmdk'),
    'ovf href': (unhex(href, b'%', 'href'), stem + b'.vmdk'),
    'ova ovf href': (unhex(ova_href, b'%', 'href'), stem + b'-disk1.vmdk'),
}
for what, (got, exp) in want.items():
    if got != exp:
        fail('%s reads back as %r, expected %r' % (what, got, exp))
# RFC 3986 relative-path reference: pchar only, no ':' (path-noscheme)
for h in (href, ova_href):
    if not re.fullmatch(rb"(?:[A-Za-z0-9._~!$&'()*+,;=@/-]|%[0-9A-F]{2})+", h):
        fail('ovf href %r is not a relative URI path' % h)
PY
}
vm_names_check() {	# STEM, in its directory: prints the first problem
	local s=$1 x href ova_href members mf
	local href_xp="string(//*[local-name()='File']/@*[local-name()='href'])"
	if ! x=$(virt-xml-validate "$s.xml" domain 2>&1); then
		echo "virt-xml-validate: $x"; return 1
	fi
	x=$(xmllint --xpath 'string(/domain/name)' "$s.xml")
	[ "$x" = "$s" ] || { echo "libvirt <name> reads '$x'"; return 1; }
	x=$(xmllint --xpath 'string(/domain/devices/disk/source/@file)' "$s.xml")
	if [ "$x" != "$(pwd -P)/$s.vmdk" ] || [ ! -f "$x" ]; then
		echo "libvirt <source file> reads '$x'"; return 1
	fi
	xmllint --noout "$s.ovf" 2>&1 || { echo "xmllint rejects $s.ovf"; return 1; }
	href=$(xmllint --xpath "$href_xp" "$s.ovf")
	# the OVA: .ovf, disk, .mf; the manifest lists the other two by name
	mkdir "$s.ova.d" && tar -xf "$s.ova" -C "$s.ova.d" || { echo "tar xf $s.ova"; return 1; }
	members=$(tar --quoting-style=literal -tf "$s.ova")
	if [ "$members" != "$(printf '%s\n' "$s.ovf" "$s-disk1.vmdk" "$s.mf")" ]; then
		echo "OVA members: $members"; return 1
	fi
	mf=$(sed -n 's/^SHA256(\(.*\))= [0-9a-f]\{64\}$/\1/p' "$s.ova.d/$s.mf")
	if [ "$mf" != "$(printf '%s\n' "$s.ovf" "$s-disk1.vmdk")" ] ||
	   [ "$(wc -l <"$s.ova.d/$s.mf")" != 2 ]; then
		echo "manifest names: $mf"; return 1
	fi
	(cd "$s.ova.d" && sed 's/^SHA256(\(.*\))= \(.*\)$/\2  \1/' "$s.mf" | sha256sum -c --quiet) ||
		{ echo "OVA manifest sums"; return 1; }
	xmllint --noout "$s.ova.d/$s.ovf" 2>&1 || { echo "xmllint rejects the OVA's .ovf"; return 1; }
	ova_href=$(xmllint --xpath "$href_xp" "$s.ova.d/$s.ovf")
	vm_read_back "$s" "$href" "$ova_href"
}
g=$GUESTS/linux-i386.img
if [ ! -f "$g" ]; then
	missing p2v-vm-definitions-special-names "$g is missing (make guests)"
elif ! command -v virt-xml-validate >/dev/null || ! command -v xmllint >/dev/null ||
     ! command -v python3 >/dev/null; then
	missing p2v-vm-definitions-special-names "virt-xml-validate, xmllint or python3 is missing (make deps)"
else
	ok=1
	d="$T/vm dir & <x> \"q\" 'a' |p| #1 %2"
	mkdir -p "$d"
	for s in 'a&b <c>' "v \"q\" |p| 'a' #1 %2 \\w "; do
		if ! (cd "$d" && "$DUALVM" p2v "$g" "$s.vmdk" \
			--vm libvirt,ovf,vmx,ova,dualvm) >sn.log 2>&1; then
			fail p2v-vm-definitions-special-names "'$s': $(tail -n 2 sn.log)"
			ok=0
		elif ! why=$(cd "$d" && vm_names_check "$s"); then
			fail p2v-vm-definitions-special-names "'$s': $why"
			ok=0
		fi
	done
	[ $ok = 1 ] && pass p2v-vm-definitions-special-names
	rm -rf "$d"
fi

# 8b. options as qemu-img users type them; mistakes caught before any copy
if "$DUALVM" p2v disk.raw o.img -O qcow2 >o.log 2>&1 && qemu-img info o.img | grep -q "file format: qcow2"; then
	pass p2v-cli-O-format
else
	fail p2v-cli-O-format "$(tail -n 1 o.log)"
fi
rm -f o.img
"$DUALVM" p2v disk.raw k.vmdk --vm vmx,foo >k.log 2>&1; rc=$?
if [ $rc = 2 ] && [ ! -e k.vmdk ] && [ ! -e k.vmx ] && [ "$(wc -l <k.log)" = 1 ] &&
   grep -q "unknown --vm kind 'foo'" k.log; then
	pass p2v-cli-vm-kind-checked-first
else
	fail p2v-cli-vm-kind-checked-first "rc=$rc $(ls k.* | tr '\n' ' ')$(head -c 200 k.log)"
fi
"$DUALVM" p2v -Z disk.raw k.vmdk >k.log 2>&1; rc=$?
if [ $rc = 2 ] && [ "$(wc -l <k.log)" = 1 ] && grep -q "unknown option '-Z'" k.log; then
	pass p2v-cli-bad-option-one-line
else
	fail p2v-cli-bad-option-one-line "rc=$rc, $(wc -l <k.log) lines"
fi
if "$DUALVM" inspect --partition=2 disk.raw >k.log 2>&1 && grep -q "partition 2" k.log; then
	pass inspect-cli-option-equals
else
	fail inspect-cli-option-equals "$(tail -n 1 k.log)"
fi

# 9. acceptance: the dualboot guest disk
g=$GUESTS/dualboot-amd64.img
if [ ! -f "$g" ]; then
	missing p2v-dualboot-vmdk "$g is missing (make guests)"
else
	if "$DUALVM" p2v "$g" x.vmdk --vm vmx,ovf >x.log 2>&1 &&
	   qemu-img check -q x.vmdk && qemu-img compare -q -f raw -F vmdk "$g" x.vmdk &&
	   grep -q 'ide0:0.fileName = "x.vmdk"' x.vmx && [ -s x.ovf ]; then
		pass p2v-dualboot-vmdk
	else
		fail p2v-dualboot-vmdk "$(tail -n 3 x.log)"
	fi
fi
g=$GUESTS/windows-hibernated.img
if [ ! -f "$g" ]; then
	missing p2v-hibernated-full-copy "$g is missing (make guests)"
elif "$DUALVM" p2v "$g" h.vmdk --json >h.json 2>h.err &&
     grep '"event":"result"' h.json | grep -q '"fs":"ntfs","method":"full"[^}]*hibernated' &&
     qemu-img compare -q -f raw -F vmdk "$g" h.vmdk; then
	pass p2v-hibernated-full-copy
else
	fail p2v-hibernated-full-copy "$(cat h.err) $(grep result h.json | head -c 300)"
fi
exit 0
