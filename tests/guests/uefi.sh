# SPDX-License-Identifier: GPL-2.0-only
# uefi.sh --- EFI system partitions and the UEFI dual-boot disk of
# build-guests.sh (UEFI 2.x §13.3: FAT32 ESP, removable-media fallback
# \EFI\BOOT\BOOTX64.EFI).
#
# Sourced by build-guests.sh after its helpers.  The ESP is made without a
# mount (no vfat driver here): mkfs.fat --offset into the disk image, then
# mtools' `img@@offset`.  The loaders of dualboot-uefi-amd64.img are GRUB
# EFI applications from Debian's grub-efi-amd64-bin on the build host,
# made with grub-mkstandalone: the modules they need are built in and their
# grub.cfg sits in the image's memdisk, so each boots its own partition
# (found by file system UUID) and reads nothing else from the ESP.
GPT_ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
GPT_LINUX=0FC63DAF-8483-4772-8E79-3D69D8477DE4
GPT_MSDATA=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
GRUB_EFI_MODS=(part_gpt part_msdos fat ext2 search search_fs_uuid normal
	configfile linux echo test gzio efi_gop)

# mkesp IMG START SECTORS LABEL VOLID STAGE: a FAT32 file system with
# volume id VOLID (8 hex digits) at sector START of IMG, holding STAGE.
mkesp() {
	local img=$1 start=$2 sectors=$3 f
	find "$6" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	# one sector a cluster: FAT32 wants >= 65525 clusters (32 MiB)
	mkfs.fat -F 32 -s 1 -n "$4" -i "$5" -h "$start" --offset "$start" \
		"$img" $((sectors / 2)) >"$WORK/mkfs.fat.log" 2>&1 ||
		die "mkfs.fat $4 failed: $(tail -n 2 "$WORK/mkfs.fat.log" | paste -sd' ')"
	for f in "$6"/*; do
		MTOOLS_SKIP_CHECK=1 mcopy -s -m -Q -i "$img@@$((start * 512))" "$f" ::/ ||
			die "mcopy to the ESP failed"
	done
}

# grub_efi_app OUT CFG: a standalone GRUB EFI application running CFG.
grub_efi_app() {
	grub-mkstandalone -O x86_64-efi -o "$1" --locales= --fonts= --themes= \
		--modules="${GRUB_EFI_MODS[*]}" --install-modules="${GRUB_EFI_MODS[*]}" \
		"boot/grub/grub.cfg=$2" || die "grub-mkstandalone failed"
}

# efi_boot_cfg TITLE UUID KERNEL INITRD APPEND: a grub.cfg that boots the
# kernel of the file system UUID at once.  Output goes to the firmware's
# console, which OVMF also copies to the serial port.
efi_boot_cfg() {
	cat <<-EOF
	# embedded grub.cfg of a dualvm test loader (build-guests.sh)
	set default=0
	set timeout=0
	menuentry '$1' {
	 	search --no-floppy --fs-uuid --set=root $2
	 	linux $3 $5
	 	initrd $4
	}
	EOF
}

# build_dualboot_uefi: dualboot-uefi-amd64.img, GPT: ESP, HOST, LINUX
# (busybox root), WINDOWS (NTFS, XP-like tree); the ESP's fallback loader
# boots HOST.
build_dualboot_uefi() {
	local name=dualboot-uefi-amd64 img=$WORK/dualboot-uefi-amd64.img k=$KVER_amd64
	local es=2048 en=204800 hs=206848 hn=131072 ls=337920 ln=524288 ws=862208
	local wn huuid luuid guid volid i e=$WORK/esp-stage
	wn=$((640 * 2048 - 34 - ws))
	huuid=$(uuid_for "$name-host") luuid=$(uuid_for "$name-linux")
	guid=$(uuid_for "$name-disk") volid=$(hex_for "$name-esp" 8)
	new_disk "$img" 640
	sfdisk -q "$img" <<-EOF
	label: gpt
	label-id: $guid
	unit: sectors
	first-lba: 2048
	start=$es, size=$en, type=$GPT_ESP, uuid=$(uuid_for "$name-p1"), name="EFI System Partition"
	start=$hs, size=$hn, type=$GPT_LINUX, uuid=$(uuid_for "$name-p2"), name="HOST"
	start=$ls, size=$ln, type=$GPT_LINUX, uuid=$(uuid_for "$name-p3"), name="LINUX"
	start=$ws, size=$wn, type=$GPT_MSDATA, uuid=$(uuid_for "$name-p4"), name="WINDOWS"
	EOF
	stage_host amd64 "$huuid"
	mkext4 "$img" $hs $hn HOST "$huuid" "$WORK/host-stage" /boot/syslinux
	stage_linux amd64 "$luuid" "dualboot-linux"
	mkext4 "$img" $ls $ln LINUX "$luuid" "$WORK/amd64/linux-root" /boot/extlinux
	mounted_devices_gpt "$(uuid_for "$name-p4")" >"$WORK/md.txt"
	rm -rf "$WORK/win-stage"
	stage_windows "$WORK/win-stage" 4 "$WORK/md.txt"
	mkntfs_part "$img" $ws "$wn" WINDOWS "$(hex_for "$name-windows" 16)" "$WORK/win-stage"

	rm -rf "$e"
	mkdir -p "$e/EFI/BOOT" "$e/EFI/host" "$e/EFI/debian" "$e/EFI/Microsoft/Boot"
	efi_boot_cfg "dualvm HOST" "$huuid" "/boot/vmlinuz-$k" "/boot/initrd.img-$k" \
		"$APPEND_COMMON quiet" >"$WORK/host.cfg"
	grub_efi_app "$e/EFI/host/grubx64.efi" "$WORK/host.cfg"
	cp "$e/EFI/host/grubx64.efi" "$e/EFI/BOOT/BOOTX64.EFI"
	efi_boot_cfg "Debian GNU/Linux (dualvm LINUX)" "$luuid" "/boot/vmlinuz-$k" \
		"/boot/initrd.img-$k" "root=UUID=$luuid ro $APPEND_COMMON" >"$WORK/linux.cfg"
	grub_efi_app "$e/EFI/debian/grubx64.efi" "$WORK/linux.cfg"
	placeholder bootmgfw.efi >"$e/EFI/Microsoft/Boot/bootmgfw.efi"
	mkesp "$img" $es $en ESP "$volid" "$e"

	{
		printf '    "%s.img": {\n      "arch": "amd64", "kernel": "%s", "size": %d, "label": "gpt", "disk_id": "%s", "boot_code": "none", "firmware": "uefi",\n      "partitions": [\n' \
			"$name" "$k" $((640 << 20)) "$guid"
		part_json "$img" 1 $es $en esp $GPT_ESP \
			", \"partuuid\": \"$(uuid_for "$name-p1")\", \"name\": \"EFI System Partition\"" \
			", \"loaders\": [{\"path\": \"/EFI/BOOT/BOOTX64.EFI\", \"boots\": \"host\", \"uuid\": \"$huuid\"}, {\"path\": \"/EFI/host/grubx64.efi\", \"boots\": \"host\", \"uuid\": \"$huuid\"}, {\"path\": \"/EFI/debian/grubx64.efi\", \"boots\": \"linux\", \"uuid\": \"$luuid\"}, {\"path\": \"/EFI/Microsoft/Boot/bootmgfw.efi\", \"boots\": \"windows\", \"placeholder\": true}]"
		printf ',\n'
		part_json "$img" 2 $hs $hn host $GPT_LINUX \
			", \"partuuid\": \"$(uuid_for "$name-p2")\", \"name\": \"HOST\"" \
			', "boots_to": "HOST-OS-BOOTED", "bootloader": "/EFI/host/grubx64.efi"' \
			"$(linux_json "$k")"
		printf ',\n'
		part_json "$img" 3 $ls $ln linux $GPT_LINUX \
			", \"partuuid\": \"$(uuid_for "$name-p3")\", \"name\": \"LINUX\"" \
			', "boots_to": "DUALVM-GUEST-READY", "bootloader": "/EFI/debian/grubx64.efi", "os": "Debian GNU/Linux 12 (bookworm)"' \
			"$(linux_json "$k" 1)"
		printf ',\n'
		i=", \"partuuid\": \"$(uuid_for "$name-p4")\", \"name\": \"WINDOWS\""
		part_json "$img" 4 $ws "$wn" windows $GPT_MSDATA "$i" \
			', "os": "Microsoft Windows XP", "windows_version": "5.1", "system_root": "/Windows", "hives": {"SYSTEM": "/Windows/System32/config/SYSTEM", "SOFTWARE": "/Windows/System32/config/SOFTWARE"}'
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}
