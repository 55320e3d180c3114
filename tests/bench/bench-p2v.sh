#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-p2v.sh --- dualvm p2v against qemu-img convert on a generated disk
# (default 4 GiB, BENCH_P2V_GIB to change): an MBR with a 30 %-used ext4 and
# a 30 %-used NTFS, both formatted over stale random data.  Prints time
# ratios for vmdk, qcow2, vhd (target <= 0.5), the streamOptimized
# throughput ratio (target >= 3) and the copy rate on allocated data against
# `cat SOURCE > /dev/null` (target >= 80 %).  The page cache is warm for
# every run (the disk fits in memory), so all tools read at the same speed;
# qemu-img runs with -t writeback so that it, like dualvm, flushes its output.
set -u
BUILD=${BUILD:?} DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GIB=${BENCH_P2V_GIB:-4}
for tool in qemu-img sfdisk mkfs.ext4 mkntfs ntfscp python3; do
	command -v "$tool" >/dev/null || { echo "SKIP bench-p2v: $tool is not installed"; exit 0; }
done
T=$(mktemp -d /var/tmp/p2v-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

half=$((GIB * 1024 / 2))			# MiB per partition
used=$((half * 30 / 100))			# MiB of files per partition
echo "building a ${GIB} GiB disk: ext4 ${half} MiB and NTFS ${half} MiB, ${used} MiB used each"
head -c $((64 << 20)) /dev/urandom >rand.bin
for i in $(seq 1 $((GIB * 16))); do cat rand.bin; done >disk.raw
printf 'label: dos\nstart=2048, size=%sM, type=83\nsize=%sM, type=7\n' $((half - 1)) $((half - 1)) |
	sfdisk -q disk.raw || { echo "SKIP bench-p2v: sfdisk failed"; exit 0; }
p2=$(sfdisk -d disk.raw | sed -n 's/.*disk.raw2 : start= *\([0-9]*\).*/\1/p')
mkdir tree
for i in $(seq 1 $((used / 64))); do
	# distinct contents per file: rotate the random block
	tail -c +$((i * 4096)) rand.bin >tree/f$i; head -c $((i * 4096)) rand.bin >>tree/f$i
done
dd if=disk.raw of=p1.img bs=1M skip=1 count=$((half - 1)) status=none
mkfs.ext4 -q -F -E nodiscard -d tree p1.img
dd if=p1.img of=disk.raw bs=1M seek=1 conv=notrunc status=none
rm p1.img
dd if=disk.raw of=p2.img bs=512 skip="$p2" count=$(((half - 1) * 2048)) status=none
mkntfs -q -F -Q -s 512 -p "$p2" -H 255 -S 63 p2.img >/dev/null 2>&1
for f in tree/*; do ntfscp -f p2.img "$f" "${f#tree/}" >/dev/null 2>&1; done
dd if=p2.img of=disk.raw bs=512 seek="$p2" conv=notrunc status=none
rm -rf p2.img tree rand.bin

cat disk.raw >/dev/null				# warm the cache
t0=$(now); cat disk.raw >/dev/null; t1=$(now)
cat_s=$(secs "$t0" "$t1")
cat_rate=$(python3 -c "print($(stat -c %s disk.raw) / ($t1 - $t0))")

for f in vmdk:vmdk:vmdk qcow2:qcow2:qcow2 vpc:vhd:vhd; do
	IFS=: read -r q ext fmt <<<"$f"
	sync; t0=$(now); qemu-img convert -t writeback -f raw -O "$q" disk.raw "q.$ext"; t1=$(now)
	qs=$(secs "$t0" "$t1")
	sync; t0=$(now); "$DUALVM" p2v disk.raw "d.$ext" --format "$fmt" --json >"d-$fmt.json"; t1=$(now)
	ds=$(secs "$t0" "$t1")
	echo "p2v $fmt: dualvm ${ds} s ($(du -B1M -s "d.$ext" | cut -f1) MiB), qemu-img ${qs} s ($(du -B1M -s "q.$ext" | cut -f1) MiB): time ratio $(ratio "$ds" "$qs") (target <= 0.5)"
	rm -f "q.$ext" "d.$ext"
done

sync; t0=$(now); qemu-img convert -t writeback -f raw -O vmdk -o subformat=streamOptimized disk.raw qs.vmdk; t1=$(now)
qs=$(secs "$t0" "$t1")
sync; t0=$(now); "$DUALVM" p2v disk.raw ds.vmdk --format vmdk-stream --json >ds.json; t1=$(now)
ds=$(secs "$t0" "$t1")
echo "p2v vmdk-stream: dualvm ${ds} s ($(du -B1M -s ds.vmdk | cut -f1) MiB), qemu-img ${qs} s ($(du -B1M -s qs.vmdk | cut -f1) MiB): throughput ratio $(ratio "$qs" "$ds") (target >= 3)"

# copy rate over the allocated (planned) bytes vs the source read rate
python3 - "$cat_rate" d-vmdk.json <<'EOF'
import json, sys
cat_rate = float(sys.argv[1])
r = [json.loads(l) for l in open(sys.argv[2]) if '"result"' in l][0]
rate = r["read"] / r["seconds"] if r["seconds"] else 0
print(f"p2v copy rate: {rate / 2**20:.0f} MiB/s over {r['read'] / 2**20:.0f} MiB planned "
      f"of {r['disk_size'] / 2**20:.0f} MiB; cat {cat_rate / 2**20:.0f} MiB/s: "
      f"rate ratio {rate / cat_rate:.2f} (target >= 0.80)")
EOF
exit 0
