# SPDX-License-Identifier: GPL-2.0-only
# debian.sh --- the real Debian 12 (bookworm) amd64 disks of build-guests.sh.
#
# Sourced by build-guests.sh after its helpers (log, die, uuid_for, hex_for,
# new_disk, part_json, stage_host, mkext4, stage_windows, mkntfs_part,
# mounted_devices_mbr) and after uefi.sh (mkesp).
#
# Debian is installed once with `debootstrap --variant=minbase` from
# Debian's archive (DEBIAN_MIRROR) into ${DUALVM_CACHE}/debian/ (the .debs
# stay in ${DUALVM_CACHE}/debootstrap): systemd, Debian's kernel and its
# initramfs-tools initramfs (MODULES=list: ata_piix, sd_mod, ext4 and the
# other usual root disk drivers, files/debian/initramfs-modules).  Each
# image's ext4 is made from an overlay on that tree that adds its host
# name, machine id, fstab, root UUID and boot loader, a root login without
# password and a getty on ttyS0, and dualvm-guest-ready.service printing
# DUALVM-GUEST-READY on ttyS0 once multi-user.target is reached.
#
# The boot loader is Debian's own GRUB 2.06 (grub-pc or grub-efi-amd64 is
# installed in the guest), set up the way grub-install does it, without
# block devices (grub-install needs partition device nodes, which loop
# devices here do not get): the guest's grub-mkimage builds a core image
# with biosdisk/part_msdos/ext2 (BIOS) or part_gpt/ext2 (UEFI) and a
# load.cfg that finds the root file system by UUID (search.fs_uuid) and
# sets prefix=($root)/boot/grub; the modules are copied to
# /boot/grub/<platform>/, and /boot/grub/grub.cfg is what update-grub
# writes for the /etc/default/grub we ship (GRUB_TIMEOUT=0, serial console).
# Then:
#  - MBR (debian-amd64.img): boot.img in the MBR's first 440 bytes, core.img
#    in the gap after it (sectors 1..2047), as grub-install /dev/sda.
#  - Partition boot sector (partition 2 of dualboot-debian-amd64.img), as
#    `grub-install --force /dev/sda2` does with blocklists: boot.img in the
#    partition's first sector (ext4 leaves 1 KiB free there), core.img a
#    file of the ext4 (/boot/grub/i386-pc/core.img) whose absolute sector
#    numbers are written into boot.img (first sector) and into the block
#    list at the end of core.img's first sector (diskboot.img: the rest).
#    Any MBR code that chain-loads the active partition's boot sector
#    (syslinux mbr.bin, as dualvm's partition view writes) then boots it.
#    Moving core.img's blocks (defrag, rewrite) breaks it, as on real disks.
#  - UEFI (debian-uefi-amd64.img): the core image as \EFI\debian\grubx64.efi
#    and as the removable-media fallback \EFI\BOOT\BOOTX64.EFI on the ESP
#    (grub-install --removable plus the usual copy), mounted at /boot/efi.
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What minbase lacks for a bootable system, plus cheap tools for later
# network and firmware tests (busybox: udhcpc, wget; iproute2; efibootmgr).
DEBIAN_PKGS=(systemd-sysv linux-image-amd64 initramfs-tools zstd udev kmod
	dbus procps ucf grub-common grub2-common grub-pc-bin grub-efi-amd64-bin
	busybox iproute2 efibootmgr)
DEBIAN_APPEND="console=tty0 console=ttyS0,115200"
DEBIAN_OS="Debian GNU/Linux 12 (bookworm)"
GRUB_BIOS_LIST_MAX=14	# block list entries diskboot.img has room for, less the end

# in_chroot DIR CMD...: run CMD in the Debian tree DIR with a clean
# environment (no /proc, /sys or /dev mounts: nothing here needs them).
in_chroot() {
	local d=$1
	shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root \
		DEBIAN_FRONTEND=noninteractive chroot "$d" "$@"
}

# rm_tree DIR: remove a Debian tree, first unmounting what an interrupted
# debootstrap may have left mounted in it (proc, sys), never crossing into
# another file system.
rm_tree() {
	local m
	[ -e "$1" ] || return 0
	for m in $(findmnt -rn -o TARGET | grep -F "$1/" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf --one-file-system "$1"
}

# debian_key: what names the cached tree: a hash of everything that
# shapes it (this function's and debian_tree's code included).
debian_key() {
	{
		printf '%s\n' "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "${DEBIAN_PKGS[@]}"
		debootstrap --version
		declare -f debian_key debian_tree
		cat "$HERE/files/debian/initramfs.conf" "$HERE/files/debian/initramfs-modules"
	} | md5sum | cut -c1-12
}

# debian_tree: set DEBIAN_TREE to the cached debootstrap result (made if
# missing or REFRESH=1; call with the cache lock held).  DEBIAN_TREE/root
# is the tree, DEBIAN_TREE/platform holds the grub-pc and grub-efi-amd64
# .debs (they conflict, so each image installs one).  Trees with another
# key (debian_key) that no checkout used for a day are removed.
debian_tree() {
	local key base=$CACHE/debian new d
	key=$(debian_key)
	DEBIAN_TREE=$base/$DEBIAN_SUITE-amd64-$key
	if [ ! -f "$DEBIAN_TREE/done" ] || [ "${REFRESH:-0}" = 1 ]; then
		new=$base/.new-$key
		rm_tree "$new"
		mkdir -p "$new/platform" "$CACHE/debootstrap"
		log "debootstrap $DEBIAN_SUITE (minbase + ${#DEBIAN_PKGS[@]} packages) into $DEBIAN_TREE"
		debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap" \
			--include="$(IFS=,; echo "${DEBIAN_PKGS[*]}")" \
			"$DEBIAN_SUITE" "$new/root" "$DEBIAN_MIRROR" >"$new/debootstrap.log" 2>&1 ||
			die "debootstrap failed: $(tail -n 3 "$new/debootstrap.log" | paste -sd' ')"
		# the boot loader packages, from the tree's own apt sources
		in_chroot "$new/root" sh -c 'cd /tmp && apt-get download -q grub-pc grub-efi-amd64' \
			>>"$new/debootstrap.log" 2>&1 || die "cannot download grub-pc/grub-efi-amd64"
		mv "$new/root/tmp/"*.deb "$new/platform/"
		# a smaller initramfs (see files/debian/initramfs-modules)
		install -m 0644 "$HERE/files/debian/initramfs.conf" \
			"$new/root/etc/initramfs-tools/conf.d/dualvm.conf"
		install -m 0644 "$HERE/files/debian/initramfs-modules" \
			"$new/root/etc/initramfs-tools/modules"
		in_chroot "$new/root" update-initramfs -u -k all >>"$new/debootstrap.log" 2>&1 ||
			die "update-initramfs failed"
		# what an image does not need: fetched .debs, package lists
		rm -rf "$new/root/var/cache/apt/archives/"*.deb \
			"$new/root/var/cache/apt/"*.bin "$new/root/var/lib/apt/lists/"*_*
		touch "$new/done"
		rm_tree "$DEBIAN_TREE"
		mv "$new" "$DEBIAN_TREE"
	fi
	touch "$DEBIAN_TREE/done"		# last used
	for d in "$base"/*-amd64-* "$base"/.new-*; do
		[ -e "$d" ] && [ "$d" != "$DEBIAN_TREE" ] || continue
		# .new-*: left by an interrupted run (the lock is ours)
		if [[ $d == */.new-* ]] || [ -z "$(find "$d/done" -mmin -1440 2>/dev/null)" ]; then
			log "removing the stale Debian tree $d"
			rm_tree "$d"
		fi
	done
	DEBIAN_KVER=$(ls "$DEBIAN_TREE/root/lib/modules")
	[ -f "$DEBIAN_TREE/root/boot/vmlinuz-$DEBIAN_KVER" ] &&
		[ -f "$DEBIAN_TREE/root/boot/initrd.img-$DEBIAN_KVER" ] ||
		die "no kernel/initramfs in $DEBIAN_TREE"
}

# debian_version PKG: version of PKG installed in the tree.
debian_version() {
	dpkg-query --admindir="$DEBIAN_TREE/root/var/lib/dpkg" -W -f '${Version}' "$1"
}

# default_grub TERMINAL: the guest's /etc/default/grub.
default_grub() {
	cat <<-EOF
	# /etc/default/grub of a dualvm test image: update-grub in the guest
	# writes a grub.cfg equivalent to the one the image was built with.
	GRUB_DEFAULT=0
	GRUB_TIMEOUT=0
	GRUB_DISTRIBUTOR=\`lsb_release -i -s 2> /dev/null || echo Debian\`
	GRUB_CMDLINE_LINUX_DEFAULT="quiet"
	GRUB_CMDLINE_LINUX="$DEBIAN_APPEND"
	GRUB_TERMINAL="$1"
	GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
	GRUB_DISABLE_OS_PROBER=true
	EOF
}

# grub_cfg UUID PARTMOD TERMINAL: /boot/grub/grub.cfg, what update-grub
# writes for default_grub (less themes, fonts, os-prober and recovery).
grub_cfg() {
	local uuid=$1 pm=$2 term=$3 k=$DEBIAN_KVER
	cat <<-EOF
	# /boot/grub/grub.cfg of a dualvm test image (build-guests.sh): what
	# update-grub writes for /etc/default/grub, without themes and menus.
	insmod $pm
	insmod ext2
	search --no-floppy --fs-uuid --set=root $uuid
	EOF
	# BIOS: also on the serial port; UEFI: a video mode for the kernel
	case $term in
	*serial*) echo 'serial --unit=0 --speed=115200' ;;
	*) echo 'insmod all_video' ;;
	esac
	cat <<-EOF
	terminal_input $term
	terminal_output $term
	set default=0
	set timeout=0
	menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os --id 'gnulinux-simple-$uuid' {
	 	insmod gzio
	 	insmod $pm
	 	insmod ext2
	 	search --no-floppy --fs-uuid --set=root $uuid
	 	echo 'Loading Linux $k ...'
	 	linux /boot/vmlinuz-$k root=UUID=$uuid ro $DEBIAN_APPEND quiet
	 	echo 'Loading initial ramdisk ...'
	 	initrd /boot/initrd.img-$k
	}
	EOF
}

# grub_core STAGE PLATFORM UUID FILE MODULES...: GRUB's modules in
# STAGE/boot/grub/PLATFORM and the core image FILE (a path in STAGE) with
# MODULES and a load.cfg that finds the file system UUID, as grub-install.
grub_core() {
	local s=$1 plat=$2 uuid=$3 file=$4 d=$1/boot/grub/$2
	shift 4
	mkdir -p "$d"
	cp "$s/usr/lib/grub/$plat/"*.mod "$s/usr/lib/grub/$plat/"*.lst "$d/"
	[ "$plat" = i386-pc ] && cp "$s/usr/lib/grub/$plat/boot.img" "$d/"
	printf 'search.fs_uuid %s root\nset prefix=($root)'"'"'/boot/grub'"'"'\n' \
		"$uuid" >"$d/load.cfg"
	in_chroot "$s" grub-mkimage -O "$plat" -d "/usr/lib/grub/$plat" \
		-c "/boot/grub/$plat/load.cfg" -p /boot/grub -o "$file" "$@" ||
		die "grub-mkimage $plat failed"
}

# debian_stage FW NAME UUID [ESP_UUID]: $WORK/debian-stage, the Debian tree
# set up as image NAME with root file system UUID; FW is bios (grub-pc,
# core.img in /boot/grub/i386-pc) or efi (grub-efi-amd64, ESP at /boot/efi,
# $WORK/grubx64.efi).  The stage is an overlay mount on the cached tree:
# no copy, and the cache stays as debootstrap left it.
debian_stage() {
	local fw=$1 name=$2 uuid=$3 esp=${4:-} s=$WORK/debian-stage o=$WORK/debian-ovl pkg
	mkdir -p "$s" "$o/upper" "$o/work"
	mount -t overlay overlay \
		-o "lowerdir=$DEBIAN_TREE/root,upperdir=$o/upper,workdir=$o/work" "$s" ||
		die "cannot mount an overlay on $DEBIAN_TREE/root"
	MNTS+=("$s")
	if [ "$fw" = bios ]; then pkg=grub-pc; else pkg=grub-efi-amd64; fi
	cp "$DEBIAN_TREE/platform/${pkg}_"*.deb "$s/tmp/$pkg.deb"
	in_chroot "$s" dpkg -i "/tmp/$pkg.deb" >"$WORK/dpkg.log" 2>&1 ||
		die "dpkg -i $pkg in the guest failed: $(tail -n 3 "$WORK/dpkg.log" | paste -sd' ')"
	rm -f "$s/tmp/$pkg.deb"

	echo "$name" >"$s/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
		"$name" >"$s/etc/hosts"
	: >"$s/etc/resolv.conf"		# debootstrap copied the build host's
	uuid_for "$name-machine-id" | tr -d - >"$s/etc/machine-id"
	ln -sf /etc/machine-id "$s/var/lib/dbus/machine-id"
	{
		echo "# /etc/fstab: static file system information."
		printf 'UUID=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$uuid"
		[ -z "$esp" ] || printf 'UUID=%s\t/boot/efi\tvfat\tumask=0077\t0\t1\n' "$esp"
	} >"$s/etc/fstab"
	[ -z "$esp" ] || mkdir -p "$s/boot/efi"
	# root logs in on the serial console without a password (test image)
	sed -i 's/^root:[^:]*:/root::/' "$s/etc/shadow"
	install -m 0644 "$HERE/files/debian/dualvm-guest-ready.service" "$s/etc/systemd/system/"
	install -D -m 0755 "$HERE/files/debian/guest-ready" "$s/usr/local/lib/dualvm/guest-ready"
	# a getty on ttyS0 even without console=ttyS0; nothing at boot that a
	# test guest does not need (e2scrub_reap: 20 s under TCG; apt timers)
	in_chroot "$s" systemctl -q enable serial-getty@ttyS0.service \
		dualvm-guest-ready.service || die "systemctl enable failed"
	in_chroot "$s" systemctl -q disable e2scrub_reap.service apt-daily.timer \
		apt-daily-upgrade.timer || die "systemctl disable failed"

	if [ "$fw" = bios ]; then
		default_grub "console serial" >"$s/etc/default/grub"
		grub_cfg "$uuid" part_msdos "console serial" >"$s/boot/grub/grub.cfg"
		grub_core "$s" i386-pc "$uuid" /boot/grub/i386-pc/core.img \
			biosdisk part_msdos ext2 search_fs_uuid
	else
		# OVMF already copies its console to the serial port
		default_grub console >"$s/etc/default/grub"
		grub_cfg "$uuid" part_gpt console >"$s/boot/grub/grub.cfg"
		grub_core "$s" x86_64-efi "$uuid" /boot/grub/x86_64-efi/core.efi \
			part_gpt ext2 search_fs_uuid
		cp "$s/boot/grub/x86_64-efi/core.efi" "$WORK/grubx64.efi"
	fi
	in_chroot "$s" grub-editenv /boot/grub/grubenv create
}

# mkext4_debian IMG START SECTORS LABEL UUID: the staged Debian tree as an
# ext4 file system (Debian's mke2fs defaults) at sector START of IMG.
mkext4_debian() {
	local img=$1 start=$2 sectors=$3
	mkfs.ext4 -q -F -L "$4" -U "$5" \
		-E "offset=$((start * 512)),hash_seed=$(uuid_for "$4-$5-hash")" \
		-d "$WORK/debian-stage" "$img" "$((sectors / 2))k" ||
		die "mkfs.ext4 $4 failed"
	e2fsck -fn "$img?offset=$((start * 512))" >/dev/null 2>&1 ||
		die "e2fsck found errors on $4"
	umount "$WORK/debian-stage" || die "cannot unmount the Debian stage"
	rm -rf "$WORK/debian-stage" "$WORK/debian-ovl"
}

# put_le IMG BYTE N VALUE: write VALUE as N little-endian bytes at BYTE.
put_le() {
	local i b=""
	for ((i = 0; i < $3; i++)); do
		b+=$(printf '\\x%02x' $(( ($4 >> (8 * i)) & 255 )))
	done
	# shellcheck disable=SC2059
	printf "$b" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# grub_bios_mbr IMG START: GRUB in the MBR and the gap after it
# (grub-install /dev/sda), from the guest's files on the ext4 at START:
# boot.img's code (440 bytes: disk id and partition table stay) loads
# sector 1, the first of core.img, whose block list (grub-mkimage's
# default: sectors 2.., contiguous) loads the rest.
grub_bios_mbr() {
	local img=$1 fs="$1?offset=$(($2 * 512))" d=$WORK/grub-mbr gap
	mkdir -p "$d"
	debugfs -R "dump /boot/grub/i386-pc/core.img $d/core.img" "$fs" >/dev/null 2>&1
	debugfs -R "dump /boot/grub/i386-pc/boot.img $d/boot.img" "$fs" >/dev/null 2>&1
	gap=$(sfdisk -d "$img" | sed -n 's/.*start= *\([0-9]*\),.*/\1/p' | sort -n | head -n 1)
	[ -s "$d/core.img" ] && [ "$(stat -c %s "$d/core.img")" -le $(((gap - 1) * 512)) ] ||
		die "core.img missing or larger than the gap after the MBR"
	[ "$(stat -c %s "$d/boot.img" 2>/dev/null)" = 512 ] || die "no boot.img in the guest"
	dd if="$d/boot.img" of="$img" bs=440 count=1 conv=notrunc status=none
	dd if="$d/core.img" of="$img" bs=512 seek=1 conv=notrunc status=none
}

# grub_list_entry IMG BYTE START COUNT SEGMENT: one diskboot.img block list
# entry (u64 first sector, u16 sector count, u16 load segment).
grub_list_entry() {
	put_le "$1" "$2" 8 "$3"
	put_le "$1" $(($2 + 8)) 2 "$4"
	put_le "$1" $(($2 + 10)) 2 "$5"
}

# grub_bios_vbr IMG START: GRUB in the boot sector of the ext4 partition
# at START, with block lists (grub-install --force /dev/sdaN): boot.img
# (all 512 bytes; ext4 has no BPB to keep) gets the absolute sector of
# core.img's first sector at offset 0x5c; the rest of core.img is listed
# in diskboot.img (core.img's first sector): entries of 12 bytes growing
# down from its end, load segments from 0x820 on, a zero count ends it.
grub_bios_vbr() {
	local img=$1 start=$2 fs="$1?offset=$(($2 * 512))" bs size n
	local sec=() b i rs run seg=$((0x820)) ent=0 first
	bs=$(dumpe2fs -h "$fs" 2>/dev/null | awk '/^Block size:/ { print $3 }')
	size=$(debugfs -R "stat /boot/grub/i386-pc/core.img" "$fs" 2>/dev/null |
		sed -n 's/.*[^a-zA-Z]Size: *\([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$bs" ] && [ -n "$size" ] || die "no core.img on the partition at $start"
	n=$(( (size + 511) / 512 ))
	for b in $(debugfs -R "blocks /boot/grub/i386-pc/core.img" "$fs" 2>/dev/null); do
		for ((i = 0; i < bs / 512 && ${#sec[@]} < n; i++)); do
			sec+=($((start + b * bs / 512 + i)))
		done
	done
	[ ${#sec[@]} = "$n" ] && [ "$n" -ge 2 ] || die "core.img: ${#sec[@]} of $n sectors mapped"
	first=${sec[0]}
	debugfs -R "dump /boot/grub/i386-pc/boot.img $WORK/vbr.img" "$fs" >/dev/null 2>&1
	[ "$(stat -c %s "$WORK/vbr.img" 2>/dev/null)" = 512 ] || die "no boot.img in the guest"
	dd if="$WORK/vbr.img" of="$img" bs=512 seek="$start" conv=notrunc status=none
	put_le "$img" $((start * 512 + 0x5c)) 8 "$first"
	rs=${sec[1]} run=1
	for ((i = 2; i <= n; i++)); do
		if [ $i -lt "$n" ] && [ "${sec[i]}" = $((rs + run)) ]; then
			run=$((run + 1))
			continue
		fi
		[ $ent -lt $GRUB_BIOS_LIST_MAX ] || die "core.img too fragmented"
		grub_list_entry "$img" $((first * 512 + 500 - 12 * ent)) "$rs" "$run" "$seg"
		seg=$((seg + run * 32)) ent=$((ent + 1))
		[ $i -lt "$n" ] && rs=${sec[i]} run=1
	done
	grub_list_entry "$img" $((first * 512 + 500 - 12 * ent)) 0 0 0
}

# debian_json UUID INSTALL: manifest fields of a Debian root partition
# whose GRUB is installed as INSTALL (mbr, partition-boot-sector, efi).
debian_json() {
	local core=/boot/grub/i386-pc/core.img
	[ "$2" = efi ] && core=/boot/grub/x86_64-efi/core.efi
	printf ', "boots_to": "DUALVM-GUEST-READY", "os": "%s", "init": "systemd", "bootloader": "grub", "grub_install": "%s", "grub_core": "%s", "config": "/boot/grub/grub.cfg", "kernel_image": "/boot/vmlinuz-%s", "initrd": "/boot/initrd.img-%s", "cmdline": "root=UUID=%s ro %s quiet", "login": {"console": "ttyS0", "user": "root", "password": ""}' \
		"$DEBIAN_OS" "$2" "$core" "$DEBIAN_KVER" "$DEBIAN_KVER" "$1" "$DEBIAN_APPEND"
}

# disk_json NAME LABEL DISKID BOOTCODE FIRMWARE: the head of an image's
# manifest entry (the partitions follow).
disk_json() {
	printf '    "%s.img": {\n      "arch": "amd64", "kernel": "%s", "size": %d, "label": "%s", "disk_id": "%s", "boot_code": "%s", "firmware": "%s",\n      "partitions": [\n' \
		"$1" "$DEBIAN_KVER" "$(stat -c %s "$WORK/$1.img")" "$2" "$3" "$4" "$5"
}

# build_debian: debian-amd64.img, Debian alone on an MBR disk, GRUB in the
# MBR and the gap after it.
build_debian() {
	local name=debian-amd64 img=$WORK/debian-amd64.img s=2048 n uuid sig
	n=$((1280 * 2048 - s))
	uuid=$(uuid_for "$name-linux") sig=$(hex_for "$name-disk" 8)
	new_disk "$img" 1280
	sfdisk -q "$img" <<-EOF
	label: dos
	label-id: 0x$sig
	unit: sectors
	start=$s, size=$n, type=83, bootable
	EOF
	debian_stage bios "$name" "$uuid"
	mkext4_debian "$img" $s $n LINUX "$uuid"
	grub_bios_mbr "$img" $s
	{
		disk_json $name dos "0x$(echo "$sig" | tr A-F a-f)" grub bios
		part_json "$img" 1 $s $n linux 83 ', "bootable": true' "$(debian_json "$uuid" mbr)"
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}

# build_dualboot_debian: dualboot-debian-amd64.img, HOST (active, syslinux
# mbr.bin boots its extlinux), Debian with GRUB in its partition boot
# sector (block lists), Windows XP-like NTFS.
build_dualboot_debian() {
	local name=dualboot-debian-amd64 img=$WORK/dualboot-debian-amd64.img
	local hs=2048 hn=131072 ls=133120 ln=2490368 ws=2623488 wn
	local huuid luuid sig
	wn=$((1536 * 2048 - ws))
	huuid=$(uuid_for "$name-host") luuid=$(uuid_for "$name-linux")
	sig=$(hex_for "$name-disk" 8)
	new_disk "$img" 1536
	sfdisk -q "$img" <<-EOF
	label: dos
	label-id: 0x$sig
	unit: sectors
	start=$hs, size=$hn, type=83, bootable
	start=$ls, size=$ln, type=83
	start=$ws, size=$wn, type=7
	EOF
	dd if=$SYSLINUX_MBR/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
	stage_host amd64 "$huuid"
	mkext4 "$img" $hs $hn HOST "$huuid" "$WORK/host-stage" /boot/syslinux
	debian_stage bios "$name" "$luuid"
	mkext4_debian "$img" $ls $ln LINUX "$luuid"
	grub_bios_vbr "$img" $ls
	mounted_devices_mbr "$sig" "$ws" >"$WORK/md.txt"
	rm -rf "$WORK/win-stage"
	stage_windows "$WORK/win-stage" 3 "$WORK/md.txt"
	mkntfs_part "$img" $ws "$wn" WINDOWS "$(hex_for "$name-windows" 16)" "$WORK/win-stage"
	{
		disk_json $name dos "0x$(echo "$sig" | tr A-F a-f)" mbr.bin bios
		part_json "$img" 1 $hs $hn host 83 ', "bootable": true' \
			', "boots_to": "HOST-OS-BOOTED", "bootloader": "extlinux", "config": "/boot/syslinux/syslinux.cfg"' \
			"$(linux_json "$KVER_amd64")"
		printf ',\n'
		part_json "$img" 2 $ls $ln linux 83 ', "bootable": false' \
			"$(debian_json "$luuid" partition-boot-sector)"
		printf ',\n'
		part_json "$img" 3 $ws "$wn" windows 07 ', "bootable": false' \
			', "os": "Microsoft Windows XP", "windows_version": "5.1", "system_root": "/Windows", "hives": {"SYSTEM": "/Windows/System32/config/SYSTEM", "SOFTWARE": "/Windows/System32/config/SOFTWARE"}'
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}

# build_debian_uefi: debian-uefi-amd64.img, GPT with an ESP holding
# Debian's GRUB (\EFI\debian\grubx64.efi and the fallback
# \EFI\BOOT\BOOTX64.EFI) and the Debian root.
build_debian_uefi() {
	local name=debian-uefi-amd64 img=$WORK/debian-uefi-amd64.img
	local es=2048 en=204800 rs=206848 rn guid uuid volid e=$WORK/esp-stage
	rn=$((1408 * 2048 - 34 - rs))
	guid=$(uuid_for "$name-disk") uuid=$(uuid_for "$name-linux")
	volid=$(hex_for "$name-esp" 8)
	new_disk "$img" 1408
	sfdisk -q "$img" <<-EOF
	label: gpt
	label-id: $guid
	unit: sectors
	first-lba: 2048
	start=$es, size=$en, type=$GPT_ESP, uuid=$(uuid_for "$name-p1"), name="EFI System Partition"
	start=$rs, size=$rn, type=$GPT_LINUX, uuid=$(uuid_for "$name-p2"), name="LINUX"
	EOF
	debian_stage efi "$name" "$uuid" "${volid:0:4}-${volid:4:4}"
	mkext4_debian "$img" $rs $rn LINUX "$uuid"
	rm -rf "$e"
	mkdir -p "$e/EFI/BOOT" "$e/EFI/debian"
	cp "$WORK/grubx64.efi" "$e/EFI/debian/grubx64.efi"
	cp "$WORK/grubx64.efi" "$e/EFI/BOOT/BOOTX64.EFI"
	mkesp "$img" $es $en ESP "$volid" "$e"
	{
		disk_json $name gpt "$guid" none uefi
		part_json "$img" 1 $es $en esp $GPT_ESP \
			", \"partuuid\": \"$(uuid_for "$name-p1")\", \"name\": \"EFI System Partition\"" \
			", \"loaders\": [{\"path\": \"/EFI/BOOT/BOOTX64.EFI\", \"boots\": \"linux\", \"uuid\": \"$uuid\"}, {\"path\": \"/EFI/debian/grubx64.efi\", \"boots\": \"linux\", \"uuid\": \"$uuid\"}]"
		printf ',\n'
		part_json "$img" 2 $rs $rn linux $GPT_LINUX \
			", \"partuuid\": \"$(uuid_for "$name-p2")\", \"name\": \"LINUX\"" \
			', "mounts": {"/boot/efi": 1}' "$(debian_json "$uuid" efi)"
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}
