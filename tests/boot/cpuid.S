# SPDX-License-Identifier: GPL-2.0-only
# cpuid.S --- every engine shows dualvm's canonical CPU (vmm/x86/canon.h,
# cpuid_msr.c): vendor GenuineIntel and maximum leaf 7, signature 0x683,
# CPUID.1 feature flags within the canonical set (the KVM engine shows the
# host's flags filtered through it, never more), extended leaves up to
# 0x80000008 and dualvm's brand string.  Under KVM on an AMD host this
# fails unless the engine filters the host's CPUID.  Prints CPUID.1 ECX and
# EDX first (run-kvm.sh: a KVM that ignores KVM_SET_CPUID2 shows the APIC
# bit this engine clears).
	.include "boot.inc"
start:
	SETUP
	xorl %eax, %eax
	cpuid
	cmpl $7, %eax
	jne bad0
	cmpl $0x756e6547, %ebx		# "Genu"
	jne bad0
	cmpl $0x49656e69, %edx		# "ineI"
	jne bad0
	cmpl $0x6c65746e, %ecx		# "ntel"
	jne bad0
	movl $1, %eax
	cpuid
	pushl %eax
	PUTS ecx_is			# "cpuid.1 ecx=XXXXXXXX edx=XXXXXXXX"
	movl %ecx, %eax
	call puthex32
	PUTS edx_is
	movl %edx, %eax
	call puthex32
	PUTS crlf
	popl %eax
	cmpl $0x683, %eax
	jne bad1
	testl $~0x01982201, %ecx	# SSE3 .. POPCNT, TSC-deadline
	jnz bad1
	testl $~0x0789bb7d, %edx	# FPU .. SSE2
	jnz bad1
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000008, %eax
	jne badx
	movl $0x80000002, %eax
	cpuid
	cmpl $0x6c617564, %eax		# "dual"
	jne badx
	PASS
bad0:	FAIL msg0
bad1:	FAIL msg1
badx:	FAIL msgx
# puthex32: print %eax as 8 hex digits
puthex32:
	rorl $16, %eax
	call puthex
	rorl $16, %eax
	jmp puthex
	COMMON_CODE
ecx_is:	.asciz "cpuid.1 ecx="
edx_is:	.asciz " edx="
test_name:	.asciz "cpuid"
msg0:	.asciz "CPUID.0 is not the canonical vendor/maximum leaf"
msg1:	.asciz "CPUID.1 signature or flags outside the canonical CPU"
msgx:	.asciz "extended leaves are not the canonical CPU's"
	RESET_VECTOR
