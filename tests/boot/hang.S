# SPDX-License-Identifier: GPL-2.0-only
# hang.S --- a guest that stops forever (CLI; HLT): `--timeout` must end
# the run with exit status 124.
	.include "boot.inc"
start:
	SETUP
	PUTS waiting
1:	cli
	hlt
	jmp 1b
	COMMON_CODE
test_name:	.asciz "hang"
waiting:	.asciz "hang: halted with interrupts off\r\n"
	RESET_VECTOR
