#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# json-schema.sh --- every `--json` output of dualvm against its JSON
# Schema in doc/json/ (README "JSON output"), with python3's jsonschema
# (draft 2020-12; every object has additionalProperties false, so a key
# the schema does not document fails):
#  - disk check (an ok disk, a refused one, a partition in a mode), disk
#    info (MBR, GPT, a bare qcow2 overlay, a dualvm undoable overlay);
#  - p2v --verify and p2v --check: every line on its own (JSON Lines), the
#    line kinds in their order (progress..., result, progress..., verified);
#  - inspect on each test disk; inject, inject --undo on a copy of
#    dualboot-i386.img partition 3, inject --hive on a hive copy;
#  - vm list (empty and with a VM) and vm show, library in $TMP;
#  - the validator itself: a document with an extra key, with a missing
#    key and with a wrong type each fail, and a JSON Lines stream with one
#    bad line fails.
# Read-only uses open the test disks in place; anything that writes works
# on a copy in $TMP.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
schemas=$SRC/doc/json
names="disk-check disk-info p2v inspect inject vm-list vm-show"

# Debian's python3 and python3-jsonschema (make deps), not whatever other
# python3 comes first in PATH
py=/usr/bin/python3
if ! $py -c 'import jsonschema' 2>/dev/null; then
	for n in $names validator; do
		t_fail json-$n "python3-jsonschema is not installed (make deps)"
	done
	exit 0
fi
for f in linux-i386.img dualboot-i386.img dualboot-gpt-amd64.img \
	 dualboot-uefi-amd64.img windows-hibernated.img hives/system-7.hive; do
	if [ ! -f "$GUESTS/$f" ]; then
		for n in $names; do t_fail json-$n "$GUESTS/$f is missing (make guests)"; done
		exit 0
	fi
done
cd "$TMP" || exit 1
export XDG_DATA_HOME=$TMP/xdg HOME=$TMP/home
mkdir -p "$HOME"

# validate SCHEMA doc|lines FILE: 0 when FILE is one valid document (doc)
# or every line is (lines); the first problem on stdout.
cat >validate.py <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
text = open(sys.argv[3]).read()
if sys.argv[2] == "doc":
    docs = [text]
else:
    docs = text.splitlines()
if not docs or not text.endswith("\n"):
    print("empty output or no final newline"); sys.exit(1)
for i, d in enumerate(docs, 1):
    try:
        obj = json.loads(d)
    except ValueError as e:
        print(f"item {i}: not JSON: {e}"); sys.exit(1)
    err = jsonschema.exceptions.best_match(v.iter_errors(obj))
    if err is not None:
        print(f"item {i}: {'/'.join(map(str, err.absolute_path))}: {err.message[:300]}")
        sys.exit(1)
print(len(docs))
EOF
val() { $py validate.py "$schemas/$1.schema.json" "$2" "$3"; }

# run NAME SCHEMA doc|lines EXPECTED-RC CMD...: run CMD, check its exit
# status and validate its stdout; failures collected in $bad.
run() {
	local name=$1 schema=$2 kind=$3 want=$4 rc why
	shift 4
	"$@" >"$name.out" 2>"$name.err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		bad+="$name: exit $rc, not $want: $(head -c 300 "$name.err"); "
		return 1
	fi
	if ! why=$(val "$schema" "$kind" "$name.out"); then
		bad+="$name: $why; "
		return 1
	fi
	return 0
}
report() {	# NAME WHAT
	if [ -z "$bad" ]; then t_pass "json-$1" "$2"; else t_fail "json-$1" "$bad"; fi
	bad=
}
bad=
G=$GUESTS

# ---- disk check
run check-ok disk-check doc 0 "$DUALVM" disk check "$G/dualboot-i386.img" --json
run check-refused disk-check doc 1 "$DUALVM" disk check "$G/windows-hibernated.img" --json &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["ok"] and d["hazards"][0]["level"]=="refuse"' \
		check-refused.out || bad+="check-refused: ok or no refusal; "
run check-part disk-check doc 0 "$DUALVM" disk check "$G/dualboot-i386.img" \
	--partition 2 --disk-mode nonpersistent --json
report disk-check "ok, refused, partition in nonpersistent mode"

# ---- inject (a copy), --undo, --hive (a copy), an undoable overlay
cp --sparse=always "$G/dualboot-i386.img" dual.img
run inject inject doc 0 "$DUALVM" inject dual.img --partition 3 --json &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["os"]=="windows" and d["changes"]' \
		inject.out || bad+="inject: no change reported for partition 3; "
run inject-undo inject doc 0 "$DUALVM" inject dual.img --partition 3 --undo --json
cp "$G/hives/system-7.hive" system.hive
run inject-hive inject doc 0 "$DUALVM" inject --hive system.hive --json
mkdir -p ovl
cp --sparse=always "$G/linux-i386.img" ovl/lin.img
run inject-undoable inject doc 0 "$DUALVM" inject "$TMP/ovl/lin.img" --disk-mode undoable \
	--overlay-dir "$TMP/ovl" --json
report inject "partition 3 of a copy, --undo, --hive, undoable overlay"

# ---- disk info (the dualvm overlay is the one inject just made)
run info-mbr disk-info doc 0 "$DUALVM" disk info "$G/dualboot-i386.img" --json
run info-gpt disk-info doc 0 "$DUALVM" disk info "$G/dualboot-gpt-amd64.img" --json
cp --sparse=always "$G/linux-i386.img" lin.img
if qemu-img create -q -f qcow2 -b lin.img -F raw bare.qcow2 >/dev/null 2>&1; then
	run info-qcow2 disk-info doc 0 "$DUALVM" disk info bare.qcow2 --json &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mode"]=="" and len(d["files"])==2 and not d["chain_error"]' \
			info-qcow2.out || bad+="info-qcow2: not a bare overlay with 2 files; "
else
	bad+="qemu-img create failed; "
fi

ovl=$(ls ovl/*.qcow2 2>/dev/null | head -1)
if [ -n "$ovl" ]; then
	run info-overlay disk-info doc 0 "$DUALVM" disk info "$ovl" --json &&
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mode"]=="undoable" and len(d["files"])==2' \
			info-overlay.out || bad+="info-overlay: not an undoable overlay with its 2 files; "
else
	bad+="inject --disk-mode undoable left no overlay in $TMP/ovl; "
fi
report disk-info "MBR, GPT, bare qcow2, dualvm overlay"

# ---- p2v: JSON Lines, every line validated, kinds in order
kinds() { python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1])))' "$1" |
	tr ' ' '\n' | uniq | tr '\n' ' '; }
if run p2v-verify p2v lines 0 "$DUALVM" p2v "$G/linux-i386.img" out.qcow2 --verify --json; then
	k=$(kinds p2v-verify.out)
	[ "$k" = "progress result progress verified " ] || bad+="p2v-verify: line kinds '$k'; "
fi
if run p2v-check p2v lines 0 "$DUALVM" p2v "$G/linux-i386.img" out.qcow2 --check --json; then
	k=$(kinds p2v-check.out)
	[ "$k" = "progress verified " ] || bad+="p2v-check: line kinds '$k'; "
fi
report p2v "--verify and --check, $(wc -l <p2v-verify.out 2>/dev/null) + $(wc -l <p2v-check.out 2>/dev/null) lines"

# ---- inspect, every test disk
for f in linux-i386 dualboot-i386 dualboot-gpt-amd64 dualboot-uefi-amd64 windows-hibernated; do
	run inspect-$f inspect doc 0 "$DUALVM" inspect "$G/$f.img" --json
done
run inspect-part inspect doc 0 "$DUALVM" inspect "$G/dualboot-i386.img" --partition 3 --json
# the outputs reach the schema's branches: each kind of "os", an ESP with a
# loader, a boot loader object
$py - inspect-*.out >inspect-kinds.txt <<'PY' || bad+="inspect branches: $(cat inspect-kinds.txt); "
import json, sys
os_kinds, loader, boot = set(), False, False
for f in sys.argv[1:]:
    for p in json.load(open(f))["partitions"]:
        os_kinds.add(p["os"]["type"] if p["os"] else None)
        loader |= p["efi_loader"] is not None
        boot |= bool(p["os"] and p["os"].get("bootloader"))
miss = [k for k, ok in (("linux", "linux" in os_kinds), ("windows", "windows" in os_kinds),
                        ("no os", None in os_kinds), ("efi_loader", loader),
                        ("bootloader", boot)) if not ok]
print("not seen: " + ", ".join(miss) if miss else "all seen")
sys.exit(1 if miss else 0)
PY
report inspect "5 disks and one partition; linux, windows, no OS, efi_loader, bootloader seen"

# ---- vm list / show
run vm-list-empty vm-list doc 0 "$DUALVM" vm list --json &&
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))=={"vms": []}' vm-list-empty.out ||
	bad+="vm list of an empty library is not {\"vms\": []}; "
cp --sparse=always "$G/linux-i386.img" vmdisk.img
if "$DUALVM" vm create demo --disk "$TMP/vmdisk.img" --partition 1 --disk-mode undoable >vmc.out 2>&1 &&
   "$DUALVM" vm create plain --disk "$TMP/vmdisk.img" >>vmc.out 2>&1; then
	run vm-list vm-list doc 0 "$DUALVM" vm list --json &&
		python3 -c 'import json,sys; assert [v["name"] for v in json.load(open(sys.argv[1]))["vms"]]==["demo","plain"]' \
			vm-list.out || bad+="vm list does not list demo, plain; "
	run vm-show vm-show doc 0 "$DUALVM" vm show demo --json
	# a VM whose definition cannot be read: the entry with "error"
	if "$DUALVM" vm create broken --disk "$TMP/vmdisk.img" >>vmc.out 2>&1 &&
	   truncate -s 256M "$XDG_DATA_HOME/dualvm/vms/broken/vm.dualvm"; then
		run vm-list-error vm-list doc 0 "$DUALVM" vm list --json &&
			python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["vms"][0]; assert v["name"]=="broken" and "error" in v' \
				vm-list-error.out || bad+="vm list does not show broken's error; "
		run vm-show-error vm-show doc 1 "$DUALVM" vm show broken --json
	else
		bad+="vm create broken: $(tail -c 300 vmc.out); "
	fi
else
	bad+="vm create: $(head -c 300 vmc.out); "
fi
report vm "list (empty, two VMs, an unreadable one), show (ok, unreadable)"

# ---- the validator fails what it must
cp check-refused.out good.json
python3 - good.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
e = dict(d); e["undocumented"] = 1
m = dict(d); del m["mode"]
t = dict(d); t["ok"] = "yes"
h = json.loads(json.dumps(d)); h["hazards"][0]["extra"] = ""
for n, x in (("extra", e), ("missing", m), ("type", t), ("nested", h)):
    open(f"broken-{n}.json", "w").write(json.dumps(x) + "\n")
EOF
val disk-check doc good.json >/dev/null || bad+="the unchanged document fails; "
for n in extra missing type nested; do
	if val disk-check doc broken-$n.json >/dev/null; then bad+="a document with a $n key passes; "; fi
done
if [ -s p2v-verify.out ]; then
	{ head -1 p2v-verify.out; echo '{"event":"progress","phase":"copy"}'; } >broken.jsonl
	if val p2v lines broken.jsonl >/dev/null; then bad+="a JSON Lines stream with a bad line passes; "; fi
fi
report validator "extra, missing, mistyped and nested keys, a bad JSON line fail"
exit 0
