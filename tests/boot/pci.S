# SPDX-License-Identifier: GPL-2.0-only
# pci.S --- PCI configuration mechanism #1: the i440FX at 00:00.0, the PIIX3
# at 00:01.0 and its IDE function at 00:01.1, the VGA at 00:02.0, the e1000
# (82540EM) at 00:03.0, nothing at 00:04.0; an unclaimed port reads as all
# ones.
	.include "boot.inc"
start:
	SETUP
	movl $0x80000000, %eax
	call cfgread
	cmpl $0x12378086, %eax
	je 1f
	FAIL no_nb
1:	movl $0x80000800, %eax
	call cfgread
	cmpl $0x70008086, %eax
	je 2f
	FAIL no_sb
2:	movl $0x80000900, %eax
	call cfgread
	cmpl $0x70108086, %eax
	je 3f
	FAIL no_ide
3:	movl $0x80001000, %eax
	call cfgread
	cmpl $0x11111234, %eax
	je 31f
	FAIL no_vga
31:	movl $0x80001800, %eax
	call cfgread
	cmpl $0x100e8086, %eax
	je 32f
	FAIL no_nic
32:	movl $0x80002000, %eax
	call cfgread
	cmpl $0xffffffff, %eax
	je 4f
	FAIL ghost
4:	movw $0x1234, %dx		# nobody decodes this port
	inw %dx, %ax
	cmpw $0xffff, %ax
	je 5f
	FAIL unclaimed
5:	PASS

# cfgread: %eax = config dword at address %eax
cfgread:
	movw $0xcf8, %dx
	outl %eax, %dx
	movw $0xcfc, %dx
	inl %dx, %eax
	ret

	COMMON_CODE
test_name:	.asciz "pci"
no_nb:		.asciz "00:00.0 is not 8086:1237"
no_sb:		.asciz "00:01.0 is not 8086:7000"
no_ide:		.asciz "00:01.1 is not 8086:7010"
no_vga:		.asciz "00:02.0 is not the 1234:1111 VGA"
no_nic:		.asciz "00:03.0 is not the 8086:100e e1000"
ghost:		.asciz "00:04.0 answers"
unclaimed:	.asciz "unclaimed port 0x1234 does not read 0xffff"
	RESET_VECTOR
