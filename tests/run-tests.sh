#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-tests.sh --- run every unit test binary, fuzz replay driver and
# integration script, count the PASS/FAIL/SKIP lines they print, end with
# "N passed, N failed, N skipped".
#
# Before the tests it probes the host's capabilities once
# (build/tests/hostcaps -> test-logs/hostcaps.env) and, when integration
# scripts run, measures how fast this machine runs guests
# (tests/lib/calibrate.sh -> test-logs/calibration.env); every script reads
# both through tests/lib/common.sh.  TMPDIR points into build/ for the
# whole run; afterwards the suite checks that it left nothing behind
# (TMPDIR, /tmp, /var/tmp), did not create /dev/kvm and did not touch the
# source tree.  It ends with each program's duration, slowest first.
#
# Env: BUILD (absolute build dir), SRC (repo root).  Optional: TESTS (a regex
# on test names such as unit/x86/test_native_diff or
# integration/rawdisk-boot.sh), QUICK=1 (unit tests and fuzz replay only),
# JOBS (integration scripts in parallel, default 2).
set -u
BUILD=${BUILD:?}
SRC=${SRC:-$(pwd)}
export BUILD SRC GUESTS=${GUESTS:-$BUILD/guests} DUALVM=${DUALVM:-$BUILD/bin/dualvm}
filter=${TESTS:-.}
log=$BUILD/test-logs
rm -rf "$log"; mkdir -p "$log"
export TMPDIR=$BUILD/test-tmp
rm -rf "$TMPDIR"; mkdir -p "$TMPDIR"
t0=$(date +%s)

# ------------------------------------------------------------ before
tmp_before=$(ls -A /tmp /var/tmp 2>/dev/null | sort)
if [ -e /dev/kvm ]; then kvm_before=$(stat -c %F /dev/kvm); else kvm_before=absent; fi
git_before=$(git -C "$SRC" status --porcelain 2>/dev/null)

# run_one NAME CMD...: run a test program; count its result lines; a program
# that exits nonzero without printing any FAIL line counts as one failure.
run_one() {
	local name=$1; shift
	local out=$log/$(echo "$name" | tr '/' '_').log
	local s=$(date +%s)
	"$@" >"$out" 2>"$out.stderr" </dev/null
	local rc=$?
	local p f k d
	p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); k=$(grep -c '^SKIP ' "$out")
	grep -E '^(PASS|FAIL|SKIP) |^    ' "$out" | sed "s|^|[$name] |"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $name: exited $rc without a FAIL line (see $out.stderr)" >>"$out"
		echo "[$name] FAIL $name: exited $rc without a FAIL line (see $out.stderr)"
		f=1
	fi
	if [ "$f" != 0 ]; then tail -n 5 "$out.stderr" | sed 's/^/    stderr: /'; fi
	d=$(( $(date +%s) - s ))
	echo "$p $f $k" >"$out.count"
	echo "$d $name" >"$out.time"
	echo "  ($name: ${d}s)"
}

# suite_case NAME OK WHY: one result line of the suite's own checks.
suite_case() {
	if [ "$2" = 1 ]; then echo "PASS $1"; else echo "FAIL $1: $3"; fi >>"$log/suite.log"
}

# ------------------------------------------------------------ host
if ! "$BUILD/tests/hostcaps" >"$log/hostcaps.env" 2>"$log/hostcaps.err"; then
	suite_case suite-hostcaps 0 "build/tests/hostcaps failed: $(head -n 1 "$log/hostcaps.err")"
fi
(
	. "$log/hostcaps.env" 2>/dev/null
	[ "${DUALVM_TEST_NO_KVM:-0}" = 1 ] && HOST_KVM=0 HOST_KVM_API=0 HOST_KVM_WHY="DUALVM_TEST_NO_KVM=1"
	[ "${DUALVM_TEST_NO_NATIVE32:-0}" = 1 ] && HOST_NATIVE32=0 HOST_NATIVE32_WHY="DUALVM_TEST_NO_NATIVE32=1"
	echo "host: ${HOST_CPU_VENDOR:-?} family ${HOST_CPU_FAMILY:-?} model ${HOST_CPU_MODEL:-?}; $(nproc) CPUs"
	echo "host: KVM ${HOST_KVM:-?} (${HOST_KVM_WHY:-}); KVM API ${HOST_KVM_API:-?}; 32-bit code ${HOST_NATIVE32:-?} (${HOST_NATIVE32_WHY:-})"
)

# ------------------------------------------------------------ programs
units=() fuzz=() scripts=()
while IFS= read -r b; do
	rel=${b#$BUILD/tests/}
	[[ $rel =~ $filter ]] && units+=("$b")
done < <(find "$BUILD/tests/unit" -type f -perm -u+x 2>/dev/null | sort)
while IFS= read -r b; do
	rel=${b#$BUILD/tests/}
	[[ $rel =~ $filter ]] && fuzz+=("$b")
done < <(find "$BUILD/tests/fuzz" -type f -perm -u+x 2>/dev/null | sort)
if [ "${QUICK:-0}" != 1 ]; then
	for s in $(ls "$SRC"/tests/integration/*.sh 2>/dev/null | sort); do
		rel=integration/$(basename "$s")
		[[ $rel =~ $filter ]] && scripts+=("$s")
	done
fi

# One calibration for all guest budgets (tests/lib/common.sh `budget`).
if [ ${#scripts[@]} -gt 0 ]; then
	if BUILD=$BUILD SRC=$SRC "$SRC/tests/lib/calibrate.sh" "$log/calibration.env" \
		2>"$log/calibration.err"; then
		suite_case suite-calibration 1
	else
		suite_case suite-calibration 0 "$(head -n 1 "$log/calibration.err")"
	fi
fi

# Every program runs JOBS at a time (default 2: most integration scripts
# are single-threaded guest boots): the slowest integration scripts first,
# then the others, then the unit tests and fuzz corpus replays, which fill
# the gaps at the end; each program's result block is printed whole when
# it finishes.
# Slowest first, in this order (measured on a quiet 2-core machine).
slow=(uefi-boot rawdisk-boot interp-debian interp-dualboot-debian fixtures
      hwprofile-inject-linux net interp-amd64 fuzz-libfuzzer vm-library run-vmdef
      p2v-boot platform-acpi gui-app hostile-images p2v-uefi)
ordered=()
for p in "${slow[@]}"; do
	for s in "${scripts[@]}"; do
		[ "$(basename "$s" .sh)" = "$p" ] && ordered+=("$s")
	done
done
for s in "${scripts[@]}"; do
	[[ " ${slow[*]} " == *" $(basename "$s" .sh) "* ]] || ordered+=("$s")
done
for b in "${units[@]}" "${fuzz[@]}"; do
	ordered+=("$b")
done
jobs_max=${JOBS:-2}
running=0
for s in "${ordered[@]}"; do
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
	case $s in
	"$BUILD"/tests/fuzz/*)
		rel=${s#$BUILD/tests/}
		set -- "$s" -runs=0 "$SRC/tests/fuzz/corpus/$(basename "$s")" ;;
	"$BUILD"/tests/*)
		rel=${s#$BUILD/tests/}
		set -- "$s" ;;
	*)
		rel=integration/$(basename "$s")
		set -- bash "$s" ;;
	esac
	blk=$log/$(echo "$rel" | tr '/' '_').block
	( run_one "$rel" "$@" >"$blk"; cat "$blk" ) &
	running=$((running + 1))
done
wait

# ------------------------------------------------------------ after
left=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 2>/dev/null | head -n 5 | tr '\n' ' ')
suite_case suite-no-leftovers-tmpdir "$([ -z "$left" ] && echo 1)" "left in TMPDIR: $left"
new=$(comm -13 <(echo "$tmp_before") <(ls -A /tmp /var/tmp 2>/dev/null | sort) |
	grep -v '^$' | grep -iE '^tmp\.|dualvm|qemu|p2v|hwp|^dbus-|^\.X[0-9]+-lock|\.img|\.qcow2|\.vmdk|\.vhdx?|\.vdi' | head -n 5 | tr '\n' ' ')
suite_case suite-no-leftovers-tmp "$([ -z "$new" ] && echo 1)" "new in /tmp or /var/tmp: $new"
rm -rf "$TMPDIR"
if [ -e /dev/kvm ]; then kvm_after=$(stat -c %F /dev/kvm); else kvm_after=absent; fi
suite_case suite-dev-kvm-untouched "$([ "$kvm_before" = "$kvm_after" ] && echo 1)" \
	"/dev/kvm was '$kvm_before' before the tests and is '$kvm_after' now"
git_after=$(git -C "$SRC" status --porcelain 2>/dev/null)
suite_case suite-source-tree-unchanged "$([ "$git_before" = "$git_after" ] && echo 1)" \
	"git status changed: $(diff <(echo "$git_before") <(echo "$git_after") | grep '^[<>]' | head -n 3 | tr '\n' ' ')"
grep -E '^(PASS|FAIL|SKIP) ' "$log/suite.log" | sed 's/^/[suite] /'
echo "$(grep -c '^PASS ' "$log/suite.log") $(grep -c '^FAIL ' "$log/suite.log") 0" >"$log/suite.log.count"

pass=0 fail=0 skip=0
for c in "$log"/*.count; do
	[ -e "$c" ] || continue
	read -r p f k <"$c"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
done
echo "durations (slowest first):"
cat "$log"/*.time 2>/dev/null | sort -rn | head -n 25 | awk '{ printf "  %5ds  %s\n", $1, $2 }'
echo "test logs: $log ($(( $(date +%s) - t0 ))s in all, budgets x$(sed -n 's/^DUALVM_TEST_SCALE=//p' "$log/calibration.env" 2>/dev/null || echo 1))"
if [ "$skip" != 0 ]; then
	echo "skipped (missing host capabilities):"
	cat "$log"/*.log | grep '^SKIP ' | sed 's/^/  /'
fi
if [ "$fail" != 0 ]; then
	echo "failures:"
	cat "$log"/*.log | grep '^FAIL ' | sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
