#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-net.sh --- guest-to-host TCP throughput over user networking:
# `dualvm run --engine interp --net user` against `qemu-system-i386 -accel
# tcg -netdev user -device e1000` (same disk, a private copy each; same
# memory; the same e1000 model).  In each guest: DHCP, then busybox
# `dd if=/dev/zero bs=64k count=N | nc 10.0.2.2 PORT` to a busybox nc
# listening on the host's 127.0.0.1, timed by the guest's `time`; prints
# both rates and the dualvm/QEMU ratio.
# Env: BUILD, DUALVM, GUESTS; BOOT_SECS (default 1200); MIB (default 8).
set -u
BUILD=${BUILD:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
BOOT_SECS=${BOOT_SECS:-1200}
MIB=${MIB:-8}
img=$GUESTS/linux-i386.img
BB=$(command -v busybox)
[ -f "$img" ] || { echo "SKIP bench-net: $img missing (make guests)"; exit 0; }
command -v qemu-system-i386 >/dev/null ||
	{ echo "SKIP bench-net: qemu-system-i386 not installed"; exit 0; }
[ -n "$BB" ] || { echo "SKIP bench-net: busybox not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

# wait_for LOG REGEX PID SECS
wait_for() {
	local end=$((SECONDS + $4))
	while [ $SECONDS -lt $end ]; do
		grep -aqE -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# measure NAME CMD...: boot with CMD (serial on stdin/stdout), send MIB MiB
# from the guest; prints the guest's seconds or nothing.  Runs in a
# command substitution: it stops what it started itself.
measure() {
	local name=$1 port out=$tmp/$1.out secs
	shift
	port=$(free_port)
	"$BB" nc -l -p "$port" -s 127.0.0.1 >/dev/null 2>&1 &
	local nc=$!
	mkfifo "$tmp/$name.in"
	"$@" <"$tmp/$name.in" >"$out" 2>"$tmp/$name.err" &
	local vm=$!
	exec 4>"$tmp/$name.in"
	if wait_for "$out" DUALVM-GUEST-READY $vm "$BOOT_SECS"; then
		sleep 2
		printf '%s\n' 'ip link set eth0 up; echo "#!/bin/sh" >/tmp/dh; echo "[ \$1 = bound ] && ifconfig \$interface \$ip netmask \$subnet && route add default gw \$router" >>/tmp/dh; chmod +x /tmp/dh; udhcpc -i eth0 -n -q -f -t 10 -T 5 -s /tmp/dh; echo BENCH-DHCP-$?' >&4
		wait_for "$out" 'BENCH-DHCP-[0-9]' $vm 600
		printf 'time sh -c "dd if=/dev/zero bs=65536 count=%d 2>/dev/null | nc 10.0.2.2 %s"; echo BENCH-SENT-$?\n' \
			$((MIB * 16)) "$port" >&4
		if wait_for "$out" 'BENCH-SENT-[0-9]' $vm 1800; then
			secs=$(tr -d '\r' <"$out" | grep -aoE '^real[[:space:]]+[0-9]+m ?[0-9.]+s' |
				tail -1 | sed -E 's/^real[[:space:]]+//; s/[ s]//g' |
				awk '{ split($0, a, "m"); print a[1] * 60 + a[2] }')
		fi
	fi
	printf '\npoweroff -f\n' >&4 2>/dev/null
	exec 4>&-
	sleep 5
	kill $vm $nc 2>/dev/null
	wait $vm $nc 2>/dev/null
	echo "${secs:-}"
}

cp --sparse=always "$img" "$tmp/d.img"
d=$(measure dualvm "$DUALVM" run --engine interp --memory 256 --serial stdio \
	--timeout $((BOOT_SECS + 2400)) --net user "$tmp/d.img")
cp --sparse=always "$img" "$tmp/q.img"
q=$(measure qemu qemu-system-i386 -accel tcg -m 256 -display none -no-reboot \
	-drive file="$tmp/q.img",format=raw,if=ide -serial stdio \
	-netdev user,id=n0 -device e1000,netdev=n0)
if [ -z "$d" ] || [ -z "$q" ] || [ "$d" = 0 ] || [ "$q" = 0 ]; then
	echo "bench-net: a guest did not send its $MIB MiB (dualvm: ${d:-none} s, qemu: ${q:-none} s)"
	exit 0
fi
awk -v d="$d" -v q="$q" -v m="$MIB" 'BEGIN {
	printf "bench-net: guest->host TCP over user networking, %d MiB: dualvm interp %.2f MiB/s, qemu-system-i386 TCG %.2f MiB/s, ratio %.2f (dualvm/QEMU throughput)\n",
	       m, m / d, m / q, (m / d) / (m / q) }'
