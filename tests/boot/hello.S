# SPDX-License-Identifier: GPL-2.0-only
# hello.S --- serial output from real mode: the smallest payload
	.include "boot.inc"
start:
	SETUP
	PUTS hello
	PASS
	COMMON_CODE
test_name:	.asciz "hello"
hello:		.asciz "hello from a dualvm boot payload\r\n"
	RESET_VECTOR
