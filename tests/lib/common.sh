# SPDX-License-Identifier: GPL-2.0-only
# common.sh --- what every integration script shares.
#
# Source it first thing:   . "$SRC/tests/lib/common.sh"
#
#  - paths: BUILD, SRC, GUESTS, DUALVM (from tests/run-tests.sh);
#  - the host's capabilities, probed once per `make check` by
#    build/tests/hostcaps (tests/unit/hostcaps.c, shared with the C tests):
#    HOST_KVM (the KVM API answers and runs a tiny guest), HOST_KVM_API (the
#    API answers; a nested KVM may still fail on some instructions: such a
#    case SKIPs naming the instruction), their _WHY, HOST_NATIVE32, HOST_NATIVE32_WHY,
#    HOST_CPU_VENDOR, HOST_CPU_FAMILY, HOST_CPU_MODEL.  A SKIP is only ever
#    for a missing host capability or tool, never for slowness;
#  - time budgets: `budget N` scales N seconds (what a step needs on the
#    reference machine, with a wide margin) by DUALVM_TEST_SCALE >= 1, the
#    slowness of this machine measured once at the start of `make check`
#    (tests/lib/calibrate.sh).  Running out of a budget is a FAIL that shows
#    the end of the guest's serial output (t_fail_log);
#  - a private temporary folder $TMP under TMPDIR (run-tests.sh points
#    TMPDIR into build/, so nothing is left in /tmp or /var/tmp), removed on
#    exit together with any background process registered with t_bg.
set -u
BUILD=${BUILD:?BUILD must be set (tests/run-tests.sh sets it)}
SRC=${SRC:?SRC must be set (tests/run-tests.sh sets it)}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
T_NAME=$(basename "$0" .sh)

# ---------------------------------------------------------------- results
t_pass() { echo "PASS $1${2:+ ($2)}"; }
t_fail() { echo "FAIL $1: $2"; }
t_skip() { echo "SKIP $1: $2"; }

# serial_tail LOG [N]: the last N (default 20) non-empty lines of a console
# log, control characters removed.
serial_tail() {
	[ -f "$1" ] || { echo "(no output file)"; return; }
	tr -d '\r\0' <"$1" | tr -c '[:print:]\n\t' ' ' | grep -v '^ *$' |
		tail -n "${2:-20}"
}

# t_fail_log NAME WHY LOG: a FAIL line, then the end of LOG indented (the
# runner counts only the FAIL line).
t_fail_log() {
	echo "FAIL $1: $2"
	echo "    last lines of $(basename "$3"):"
	serial_tail "$3" 20 | sed 's/^/    | /'
}

# ---------------------------------------------------------------- capabilities
caps_load() {
	local env=$BUILD/test-logs/hostcaps.env
	if [ -f "$env" ]; then
		. "$env"
	elif [ -x "$BUILD/tests/hostcaps" ]; then
		eval "$("$BUILD/tests/hostcaps")"
	else
		echo "FAIL $T_NAME: $BUILD/tests/hostcaps not built (make check builds it)"
		exit 1
	fi
	# the environment overrides apply even to a cached probe
	if [ "${DUALVM_TEST_NO_KVM:-0}" = 1 ]; then
		HOST_KVM=0 HOST_KVM_WHY="DUALVM_TEST_NO_KVM=1"
		HOST_KVM_API=0 HOST_KVM_API_WHY="DUALVM_TEST_NO_KVM=1"
	fi
	if [ "${DUALVM_TEST_NO_NATIVE32:-0}" = 1 ]; then
		HOST_NATIVE32=0 HOST_NATIVE32_WHY="DUALVM_TEST_NO_NATIVE32=1"
	fi
}
caps_load

# ---------------------------------------------------------------- budgets
DUALVM_TEST_SCALE=${DUALVM_TEST_SCALE:-}
if [ -z "$DUALVM_TEST_SCALE" ] && [ -f "$BUILD/test-logs/calibration.env" ]; then
	. "$BUILD/test-logs/calibration.env"
fi
DUALVM_TEST_SCALE=${DUALVM_TEST_SCALE:-1}

# budget N: N seconds scaled for this machine (an integer, at least N).
budget() {
	awk -v n="$1" -v s="$DUALVM_TEST_SCALE" \
		'BEGIN { if (s < 1) s = 1; v = n * s; printf "%d\n", (v == int(v)) ? v : int(v) + 1 }'
}

# ---------------------------------------------------------------- temp + cleanup
T_BG_PIDS=()
t_cleanup() {
	local p
	for p in "${T_BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${T_BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dualvm-$T_NAME.XXXXXX") || {
	echo "FAIL $T_NAME: cannot create a temporary folder"; exit 1; }
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# t_bg PID: kill and reap PID when the script exits.
t_bg() { T_BG_PIDS+=("$1"); }

# ---------------------------------------------------------------- guests
# wait_serial LOG PATTERN PID SECONDS: 0 once the extended regex PATTERN
# is in LOG, 1 when PID exited without it, 2 when SECONDS ran out.
wait_serial() {
	local log=$1 pat=$2 pid=$3 end=$((SECONDS + $4))
	while :; do
		grep -aqE -- "$pat" "$log" 2>/dev/null && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			grep -aqE -- "$pat" "$log" 2>/dev/null && return 0
			return 1
		fi
		[ $SECONDS -ge $end ] && return 2
		sleep 0.5
	done
}

# dualvm_boot LOG SECONDS MARKER [dualvm run options...] DISK...: run the
# guest with its serial port in LOG until MARKER appears (dualvm exits 0),
# the guest stops, or SECONDS (already scaled) run out (dualvm exits 124).
# Returns dualvm's exit code; its stdout+stderr are in LOG.out.  A KILL
# guard 60 s past the budget catches a dualvm that would not stop.
dualvm_boot() {
	local log=$1 secs=$2 marker=$3
	shift 3
	timeout -s KILL $((secs + 60)) "$DUALVM" run --serial "$log" \
		--timeout "$secs" --until-serial "$marker" "$@" \
		</dev/null >"$log.out" 2>&1
}

# boot_why RC LOG: one line saying why a dualvm_boot did not reach its marker.
boot_why() {
	local rc=$1 log=$2 last
	last=$(grep -v 'unclaimed' "$log.out" 2>/dev/null | tail -n 1 | cut -c1-200)
	case $rc in
	124) echo "timeout: no marker within the budget (scale $DUALVM_TEST_SCALE); ${last}" ;;
	137) echo "killed by the guard after the budget; ${last}" ;;
	*) echo "dualvm exited $rc: ${last}" ;;
	esac
}
