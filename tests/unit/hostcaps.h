/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcaps.h --- what this test host can do: KVM, 32-bit code, CPU vendor
 *
 * One probe shared by the C unit tests (linked next to harness.o) and the
 * shell tests (build/tests/hostcaps prints the same answers as
 * shell-sourceable lines, see hostcaps_shell()).  A test SKIPs only for a
 * capability missing here, naming the reason this probe gives.
 *
 *   - KVM: /dev/kvm is a character device, answers KVM_GET_API_VERSION with
 *     12 (hostcaps_kvm_api), and the engine self-test guest
 *     (vmm/selftest.c) runs to its HLT on the KVM engine (hostcaps_kvm).
 *     Never decided by a short timeout.
 *   - native32: a forked child really executes 32-bit code, far-jumping
 *     from 64-bit code to the kernel's __USER32_CS (0x23, the GDT route)
 *     or, where that faults, to a 32-bit code segment installed in the
 *     process' LDT with modify_ldt(2) (the LDT route).  Decided by the
 *     child's signal handlers; a 60 s alarm only guards against a hang.
 *   - CPU: vendor, family, model and the CPUID bits the differential tests
 *     need, from CPUID executed directly (SDM vol. 2 / AMD64 APM vol. 3,
 *     CPUID).
 *
 * Environment overrides force the negative answers, so that every SKIP
 * path can be exercised on a capable machine: DUALVM_TEST_NO_KVM=1 and
 * DUALVM_TEST_NO_NATIVE32=1 (any value but empty or "0").
 * DUALVM_TEST_NATIVE32_ROUTE=ldt skips the GDT route, to exercise the LDT
 * route where __USER32_CS works.
 */
#ifndef DUALVM_TESTS_HOSTCAPS_H
#define DUALVM_TESTS_HOSTCAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The host processor, from CPUID. */
struct hostcaps_cpu {
	char		vendor[13];	/* CPUID.0 EBX EDX ECX, NUL-terminated */
	uint32_t	max_leaf;	/* CPUID.0 EAX */
	unsigned int	family;		/* CPUID.1 display family: base + ext */
	unsigned int	model;		/* display model (ext model folded in) */
	unsigned int	stepping;	/* CPUID.1 EAX[3:0] */
	uint32_t	leaf7_ebx;	/* CPUID.(7,0).EBX; 0 if max_leaf < 7 */
	uint32_t	ext1_ecx;	/* CPUID.80000001H.ECX; 0 if absent */
	uint32_t	ext8_ebx;	/* CPUID.80000008H.EBX; 0 if absent */
};

#define HOSTCAPS_EXT1_ECX_LAHF	(1u << 0)	/* LAHF/SAHF in 64-bit mode */
/* AMD RstrFpErrPtrs (Linux "xsaveerptr"): FXRSTOR/XRSTOR always load the
 * x87 error pointers (AMD64 APM vol. 3, CPUID Fn8000_0008_EBX[2]) */
#define HOSTCAPS_EXT8_EBX_RSTR_FP_ERR_PTRS	(1u << 2)

/* Fill @out from CPUID.  Any thread; never fails on x86-64. */
void hostcaps_cpu(struct hostcaps_cpu *out);

/* AuthenticAMD or HygonGenuine (AMD64 APM semantics). */
bool hostcaps_cpu_is_amd(const struct hostcaps_cpu *c);
/* GenuineIntel (SDM semantics). */
bool hostcaps_cpu_is_intel(const struct hostcaps_cpu *c);

/*
 * Is the KVM API there?  /dev/kvm is a character device that answers
 * KVM_GET_API_VERSION with 12.  true with what was verified in @why, else
 * false with the reason.  Honours DUALVM_TEST_NO_KVM.  /dev/kvm is never
 * created: it is stat()ed, then opened without O_CREAT, read-only (enough
 * for KVM_GET_API_VERSION), read-write only if the read-only open is
 * refused.  Enough for tests of the KVM engine's ioctl plumbing.
 */
bool hostcaps_kvm_api(char *why, size_t len);

/* hostcaps_kvm_api() for the node @path (the unit test of the probe). */
bool hostcaps_kvm_dev(const char *path, char *why, size_t len);

/*
 * Can tests run guests on KVM here (HOST_KVM)?  hostcaps_kvm_api() and the
 * engine self-test guest (vmm/selftest.c: real mode, INT/IRET, switch to
 * protected mode, INT/IRET there) runs to its HLT through the KVM engine,
 * which opens /dev/kvm read-write as a VM does.  KVM here may be a
 * software layer that fails on some instructions: then false, with the
 * engine's one-line error.  Runs a guest on the calling thread.
 */
bool hostcaps_kvm(char *why, size_t len);

/* How a 64-bit process runs 32-bit code on this host. */
enum hostcaps_n32_route {
	HOSTCAPS_N32_NONE,	/* it cannot */
	HOSTCAPS_N32_GDT,	/* far jump to __USER32_CS, selector 0x23 */
	HOSTCAPS_N32_LDT,	/* far jump to an LDT code segment (modify_ldt) */
};

#define HOSTCAPS_USER32_CS	0x23	/* Linux x86-64 GDT entry 4, RPL 3 */
#define HOSTCAPS_LDT32_CS	0x07	/* LDT entry 0, TI = 1, RPL 3 */

/*
 * Probe 32-bit execution in forked children (GDT route first, then LDT).
 * Returns the route that works, with what was verified in @why, or
 * HOSTCAPS_N32_NONE with the reasons both routes failed.  Honours
 * DUALVM_TEST_NO_NATIVE32.  Never hangs: the children decide by their
 * signal handlers; each has a 60 s alarm as a hang guard only.
 */
enum hostcaps_n32_route hostcaps_native32_route(char *why, size_t len);

/* Probe only @route (no overrides): true if 32-bit code ran through it. */
bool hostcaps_native32_try(enum hostcaps_n32_route route, char *why,
			   size_t len);

/* The probe with the raw code selector @cs (its own unit test: 0x2b, a
 * data segment, and 0x33, 64-bit code, must both fail). */
bool hostcaps_native32_try_cs(uint16_t cs, char *why, size_t len);

/* hostcaps_native32_route() != HOSTCAPS_N32_NONE */
bool hostcaps_native32(char *why, size_t len);

/*
 * Prepare the calling process to far-jump to 32-bit code by @route:
 * returns the code selector to use (installing the LDT descriptor first
 * for HOSTCAPS_N32_LDT; a fork inherits it), or -errno.
 */
int hostcaps_native32_cs(enum hostcaps_n32_route route);

/* "gdt", "ldt" or "none" */
const char *hostcaps_route_name(enum hostcaps_n32_route route);

/*
 * Write @s to @out as one shell word: unchanged when it only has
 * [A-Za-z0-9_.,:/+-] characters and is not empty, else single-quoted with
 * each ' written as '\''.  Returns false when @len is too small.
 */
bool hostcaps_shell_quote(const char *s, char *out, size_t len);

/*
 * Run every probe and print the answers to @f as shell assignments, one a
 * line: HOST_KVM, HOST_KVM_WHY, HOST_NATIVE32, HOST_NATIVE32_WHY,
 * HOST_CPU_VENDOR, HOST_CPU_FAMILY, HOST_CPU_MODEL, then
 * HOST_NATIVE32_ROUTE (gdt, ldt or none).  The values are safe to eval.
 */
void hostcaps_shell(FILE *f);

#endif
