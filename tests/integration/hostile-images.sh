#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hostile-images.sh --- issue 12: hostile and unusual image files.
#
# tests/lib/hostile_images.py writes a corpus (one folder per case, well
# over 100 files): VMDK descriptors naming themselves, each other, FIFOs,
# sockets, character devices, /etc/shadow, /proc, ../ paths and symbolic
# links out of their folder; qcow2 backing files doing the same, cycles and
# chains deeper than 16; VM definitions and non-disk files; corrupt headers
# and tables of qcow2, VMDK (sparse, stream, descriptor), VHD (dynamic,
# fixed), VHDX and VDI; MBR/GPT tables with loops, overlaps and entries
# beyond the disk.  Every file goes through `dualvm disk info`, `inspect`,
# `p2v` and `run --timeout 5` under strace, and each run must:
#   - not crash (exit status below 128) and finish within 10 s;
#   - when it fails, say why in one line on stderr ("dualvm: ...");
#   - open no path outside the test folder but the libraries, locale,
#     firmware and host-state files dualvm itself needs (ALLOW below);
#   - for the issue's cases (class "refuse"), fail: nothing they name
#     outside their folder is ever read.
# Then the issue's data cases: p2v of a qcow2 over a raw backing copies the
# data; disk commit refuses an overlay whose .dualvm side file names
# another file than its backing reference; run refuses VM definitions;
# disk info shows a whole chain; --allow-path gives consent.  The checker
# itself is tested: a consented read of /etc/passwd must be reported.
. "$SRC/tests/lib/common.sh"

for tool in strace qemu-img python3; do
	command -v $tool >/dev/null || { t_fail hostile-images "$tool not installed (make deps)"; exit 0; }
done

H=$TMP/h
RES=$TMP/res
OUTD=$TMP/out
mkdir -p "$H" "$RES" "$OUTD" "$TMP/tmpdir"
# nonpersistent overlays of `run` go to $TMPDIR: inside the test folder
export TMPDIR=$TMP/tmpdir
n=$(python3 "$SRC/tests/lib/hostile_images.py" "$H" 2>"$TMP/gen.err") || {
	t_fail hostile-images "corpus generator failed: $(tail -n 1 "$TMP/gen.err")"; exit 0; }
if [ "$n" -ge 100 ]; then
	t_pass hostile-corpus "$n files"
else
	t_fail hostile-corpus "only $n files (want at least 100)"
fi

# one_run CASE IMAGE CMD: run one command on one image under strace and
# timeout, leaving RES/CASE.CMD.{rc,ms,err,st}.
one_run() {
	local c=$1 img=$2 cmd=$3 r=$RES/$1.$3 t0 t1 rc args
	case $cmd in
	info) args=(disk info "$H/$img") ;;
	inspect) args=(inspect "$H/$img") ;;
	p2v) args=(p2v "$H/$img" "$OUTD/$c.raw") ;;
	run) args=(run --engine interp --timeout 5 --serial "$r.serial" --memory 16 "$H/$img") ;;
	esac
	t0=${EPOCHREALTIME/./}
	(cd "$(dirname "$H/$img")" &&
	 timeout -s KILL 40 strace -f --seccomp-bpf -qq -e trace=open,openat,openat2 \
		-o "$r.st" timeout -s KILL 20 "$DUALVM" "${args[@]}" \
		</dev/null >"$r.out" 2>"$r.err")
	rc=$?
	t1=${EPOCHREALTIME/./}
	echo $rc >"$r.rc"
	echo $(((t1 - t0) / 1000)) >"$r.ms"
	rm -f "$OUTD/$c.raw"
}
export -f one_run
export RES OUTD H DUALVM

# every case x command, 6 at a time (the runs that boot wait their 5 s
# mostly idle: SeaBIOS halts when it finds nothing to boot)
while IFS=$'\t' read -r c img cls; do
	for cmd in info inspect p2v run; do
		printf '%s\t%s\t%s\n' "$c" "$img" "$cmd"
	done
done <"$H/cases.tsv" >"$TMP/jobs"
start=$SECONDS
xargs -P 6 -L 1 -d '\n' bash -c 'IFS=$'"'"'\t'"'"' read -r c img cmd <<<"$0"; one_run "$c" "$img" "$cmd"' \
	<"$TMP/jobs"
echo "# $(wc -l <"$TMP/jobs") runs in $((SECONDS - start)) s"

# The checks, one pass over the results (python: path normalisation).
python3 - "$H" "$RES" "$TMP" <<'EOF' >"$TMP/verdict" 2>&1
import os, re, sys
H, RES, TMP = sys.argv[1:4]
TMPR = os.path.realpath(TMP)
# what dualvm itself opens: shared libraries, locale, firmware, and the
# host state its safety checks read (mounts, block-device sysfs)
ALLOW_PREFIX = ("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/",
                "/lib64/", "/usr/lib/locale/", "/usr/share/locale/",
                "/usr/share/seabios/", "/usr/lib/syslinux/",
                "/usr/share/syslinux/", "/sys/devices/", "/sys/dev/block/",
                "/sys/block/", "/sys/class/block/", "/usr/share/zoneinfo/")
ALLOW_EXACT = {"/etc/ld.so.cache", "/etc/localtime", "/proc/filesystems",
               "/proc/self/mountinfo", "/proc/mounts", "/proc/self/mounts",
               "/proc/swaps", "/etc/blkid.conf", "/run/blkid/blkid.tab",
               "/etc/mtab", "/dev/null", "/dev/urandom",
               "/sys/devices/system/cpu/online"}
OPEN = re.compile(r'open(?:at2?)?\((?:(AT_FDCWD|\d+), )?"((?:[^"\\]|\\.)*)"')

def allowed(p):
    return (p == TMPR or p.startswith(TMPR + "/") or p in ALLOW_EXACT or
            p.startswith(ALLOW_PREFIX))

cls = {}
imgs = {}
for line in open(os.path.join(H, "cases.tsv")):
    c, img, k = line.rstrip("\n").split("\t")
    cls[c] = k
    imgs[c] = os.path.join(H, img)
fails = {"info": [], "inspect": [], "p2v": [], "run": []}
counts = {k: 0 for k in fails}
for c in sorted(cls):
    for cmd in fails:
        r = os.path.join(RES, "%s.%s" % (c, cmd))
        counts[cmd] += 1
        try:
            rc = int(open(r + ".rc").read())
            ms = int(open(r + ".ms").read())
        except (OSError, ValueError):
            fails[cmd].append("%s: no result" % c)
            continue
        err = [l for l in open(r + ".err", errors="replace").read().splitlines()
               if l.strip() and not re.match(r"dualvm: (pio|mmio): unclaimed", l)
               and ": warning: " not in l]
        cwd = os.path.dirname(imgs[c])
        bad = set()
        for l in open(r + ".st", errors="replace"):
            m = OPEN.search(l)
            if not m:
                continue
            p = m.group(2)
            if not p.startswith("/"):
                p = os.path.join(cwd, p)
            p = os.path.normpath(p)
            if not allowed(p) and not allowed(os.path.realpath(p)):
                bad.add(p)
        why = []
        if rc >= 128:
            why.append("exit %d (crash or killed)" % rc)
        if ms > 10000:
            why.append("took %d ms" % ms)
        if bad:
            why.append("opened %s" % ", ".join(sorted(bad)[:3]))
        ok_rcs = (0, 124) if cmd == "run" else (0,)
        if rc not in ok_rcs and rc < 128:
            if len(err) != 1 or not err[0].startswith("dualvm: "):
                why.append("exit %d without a one-line reason: %r" % (rc, err[:3]))
        if cls[c] == "refuse" and rc in (0, 124):
            why.append("accepted (exit %d), should refuse" % rc)
        if why:
            fails[cmd].append("%s: %s" % (c, "; ".join(why)))
for cmd in fails:
    name = "hostile-" + ("disk-info" if cmd == "info" else cmd)
    if fails[cmd]:
        print("FAIL %s: %d of %d files: %s" % (name, len(fails[cmd]), counts[cmd],
                                                " | ".join(fails[cmd][:4])))
        for f in fails[cmd]:
            print("    " + f)
    else:
        print("PASS %s (%d files: no crash, none over 10 s, one-line errors, "
              "no open outside the test folder, issue cases refused)" % (name, counts[cmd]))
EOF
cat "$TMP/verdict"

# ---- the checker sees a read outside the folder (consent given here)
t=hostile-checker-selftest
c=why-qcow2-passwd
(cd "$H/$c" && strace -f --seccomp-bpf -qq -e trace=open,openat,openat2 -o "$TMP/self.st" \
	"$DUALVM" --allow-path /etc/passwd disk info ov.qcow2 >"$TMP/self.out" 2>&1)
if grep -q '"/etc/passwd"' "$TMP/self.st" && grep -q "raw /etc/passwd" "$TMP/self.out"; then
	t_pass $t "a consented backing /etc/passwd is read and seen by strace"
else
	t_fail $t "consented read not seen: $(head -n 2 "$TMP/self.out")"
fi

# ---- p2v of a qcow2 over a raw backing file copies the data (was: zeros)
t=hostile-p2v-raw-backing
mkdir -p "$TMP/rb"
python3 -c "
import sys
with open(sys.argv[1], 'wb') as f:
    f.truncate(4 << 20)
    for o in range(0, 4 << 20, 512 << 10):
        f.seek(o); f.write(b'BACKING-DATA-%d' % o)
" "$TMP/rb/base.raw"
qemu-img create -q -f qcow2 -b base.raw -F raw "$TMP/rb/ov.qcow2"
if (cd "$TMP" && "$DUALVM" p2v rb/ov.qcow2 "$TMP/rb/out.raw" >"$TMP/rb/log" 2>&1) &&
   cmp -s "$TMP/rb/out.raw" "$TMP/rb/base.raw"; then
	t_pass $t
else
	t_fail $t "output differs from the backing file: $(tail -n 1 "$TMP/rb/log")"
fi

# ---- the chain is resolved beside the image, not in the current folder
t=hostile-backing-relative
mkdir -p "$TMP/rel/img" "$TMP/rel/cwd"
printf 'INSIDE' | dd of="$TMP/rel/img/base.raw" bs=1M seek=0 conv=notrunc status=none
truncate -s 1M "$TMP/rel/img/base.raw"
printf 'OUTSIDE' >"$TMP/rel/cwd/base.raw"; truncate -s 1M "$TMP/rel/cwd/base.raw"
qemu-img create -q -f qcow2 -b base.raw -F raw -u "$TMP/rel/img/ov.qcow2" 1M
if (cd "$TMP/rel/cwd" && "$DUALVM" p2v ../img/ov.qcow2 "$TMP/rel/o.raw" >/dev/null 2>&1) &&
   [ "$(head -c 6 "$TMP/rel/o.raw")" = INSIDE ]; then
	t_pass $t
else
	t_fail $t "backing not read from the image's folder"
fi

# ---- disk info shows the whole chain
t=hostile-info-chain
qemu-img create -q -f qcow2 -b ov.qcow2 -F qcow2 "$TMP/rb/top.qcow2"
out=$("$DUALVM" disk info "$TMP/rb/top.qcow2" 2>&1)
if grep -q "reads 3 files" <<<"$out" && grep -q "qcow2 $TMP/rb/ov.qcow2" <<<"$out" &&
   grep -q "raw $TMP/rb/base.raw" <<<"$out"; then
	t_pass $t
else
	t_fail $t "chain not shown: $(tr '\n' '|' <<<"$out")"
fi

# ---- --allow-path consent for a file outside the folder
t=hostile-allow-path
mkdir -p "$TMP/ap/a" "$TMP/ap/b"
truncate -s 1M "$TMP/ap/b/base.raw"
qemu-img create -q -f qcow2 -b "$TMP/ap/b/base.raw" -F raw -u "$TMP/ap/a/ov.qcow2" 1M
if ! "$DUALVM" disk info "$TMP/ap/a/ov.qcow2" >/dev/null 2>"$TMP/ap/e1" &&
   grep -q -- "--allow-path" "$TMP/ap/e1" &&
   "$DUALVM" --allow-path "$TMP/ap/b" disk info "$TMP/ap/a/ov.qcow2" >/dev/null 2>&1 &&
   "$DUALVM" inspect "$TMP/ap/a/ov.qcow2" --allow-path "$TMP/ap/b/base.raw" >/dev/null 2>&1; then
	t_pass $t
else
	t_fail $t "refusal or consent wrong: $(head -n 1 "$TMP/ap/e1")"
fi

# ---- commit writes only where the overlay points
t=hostile-commit-sidecar
mkdir -p "$TMP/cm"
truncate -s 1M "$TMP/cm/a.raw" "$TMP/cm/b.raw"
qemu-img create -q -f qcow2 -b a.raw -F raw "$TMP/cm/ov.qcow2"
qemu-io -c 'write -P 0x41 0 4k' "$TMP/cm/ov.qcow2" >/dev/null
printf 'dualvm-overlay 1\nsource=%s\npartitions=\nmode=undoable\nextents=\n' "$TMP/cm/b.raw" >"$TMP/cm/ov.qcow2.dualvm"
ok=1 why=
if "$DUALVM" disk commit "$TMP/cm/ov.qcow2" >/dev/null 2>"$TMP/cm/e"; then
	ok=0 why="commit into the side file's target accepted"
fi
cmp -s "$TMP/cm/b.raw" <(head -c 1048576 /dev/zero) || { ok=0; why="b.raw (the side file's target) was written"; }
[ "$(wc -l <"$TMP/cm/e")" = 1 ] || { ok=0; why="refusal not one line: $(cat "$TMP/cm/e")"; }
printf 'dualvm-overlay 1\nsource=%s\npartitions=\nmode=undoable\nextents=\n' "$TMP/cm/a.raw" >"$TMP/cm/ov.qcow2.dualvm"
"$DUALVM" disk commit "$TMP/cm/ov.qcow2" >/dev/null 2>&1 || { ok=0; why="matching commit refused"; }
[ "$(head -c 4 "$TMP/cm/a.raw")" = AAAA ] || { ok=0; why="matching commit did not write a.raw"; }
[ $ok = 1 ] && t_pass $t || t_fail $t "$why"

# ---- run knows what it was given: VM definitions and non-disk files
t=hostile-run-definitions
ok=1 why=
# an OVA is refused (exit 2: import it first); dualvm's own, .vmx, OVF
# and libvirt XML are read as definitions: these name no usable disk
# (exit 1, one line); never opened as a disk, never changed
for f in vm.vmx vm.ovf vm.xml vm.ova vm.dualvm; do
	p=$H/notdisk/$f
	sum=$(sha256sum <"$p")
	"$DUALVM" run --engine interp --timeout 5 "$p" </dev/null >/dev/null 2>"$TMP/rd.err"
	rc=$?
	case $f in
	vm.vmx) want="1 names no disk" ;;
	vm.dualvm) want="1 disk.img" ;;
	vm.ovf) want="1 no VirtualSystem" ;;
	vm.xml) want="1 without <source file" ;;
	*) want="2 dualvm vm import" ;;
	esac
	{ [ $rc = "${want%% *}" ] && [ "$(wc -l <"$TMP/rd.err")" = 1 ] &&
	  grep -q "${want#* }" "$TMP/rd.err"; } || { ok=0; why="$f: exit $rc: $(head -n 1 "$TMP/rd.err")"; }
	[ "$(sha256sum <"$p")" = "$sum" ] || { ok=0; why="$f was modified"; }
done
for f in notes.txt x.gz x.elf odd.bin empty.img; do
	"$DUALVM" run --engine interp --timeout 5 "$H/notdisk/$f" </dev/null >/dev/null 2>"$TMP/rd.err"
	rc=$?
	{ [ $rc = 1 ] && grep -q "not a disk image" "$TMP/rd.err"; } || { ok=0; why="$f: exit $rc: $(head -n 1 "$TMP/rd.err")"; }
done
[ $ok = 1 ] && t_pass $t || t_fail $t "$why"
exit 0
