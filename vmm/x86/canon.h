/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * canon.h --- the one canonical CPU the interpreter presents
 *
 * Where Intel and AMD processors differ, or where the manuals leave a
 * result open, the interpreter behaves as one fixed CPU and this header is
 * the only place that says which way.  It is a P6-family GenuineIntel part
 * with the x86-64-v2 feature level (cpuid_msr.c has the one CPUID table):
 *
 *   - Identity (SDM vol. 2, CPUID): vendor "GenuineIntel", signature
 *     family 6 model 8 stepping 3 (also EDX after reset, SDM vol. 3,
 *     9.1.4), highest standard leaf 7, highest extended leaf 80000008H;
 *     a leaf above either reads as the highest standard leaf, as on Intel
 *     processors.  Leaf 7 is all zeros, so its "defeature" bits read as 0:
 *     CPUID.(EAX=7,ECX=0):EBX[6] FDP_EXCPTN_ONLY and EBX[13] ZERO_FCS_FDS
 *     are both clear.
 *   - Intel's IA-32e behaviour where AMD differs: SYSCALL/SYSRET only in
 *     64-bit mode (#UD elsewhere), SYSENTER/SYSEXIT also in IA-32e mode,
 *     66h ignored on near branches in 64-bit mode (operand size 64),
 *     64-bit far JMP/CALL through memory (m16:64 with REX.W), a null
 *     selector load clears the FS/GS base.
 *   - An xAPIC (CPUID.1:EDX.APIC = 1, version 0x14, six LVTs, no x2APIC,
 *     no TSC-deadline timer: lapic.c) at FEE00000H, enabled at reset;
 *     APIC ID 0 is the BSP.  A CPU built without a clock (unit tests) has
 *     none: CPUID.APIC = 0 and IA32_APIC_BASE.EN stays clear.
 *     IA32_MISC_ENABLE reads as fast strings enabled, BTS and PEBS
 *     unavailable.
 *   - x87 pointer registers (SDM vol. 1, 8.1.8 and 8.1.9; vol. 2 FXSAVE,
 *     FXRSTOR, FSTENV, FLDENV): FOP, FIP and FCS are set by every x87
 *     non-control instruction (the P6 "fopcode compatibility" behaviour),
 *     FDP and FDS by every x87 non-control instruction with a memory
 *     operand (FDP_EXCPTN_ONLY clear), which others leave as they are.
 *     FNINIT and FNSAVE clear all of them.  FXSAVE, FNSTENV and FNSAVE store
 *     them whatever FSW.ES is, FCS and FDS as the real selectors
 *     (ZERO_FCS_FDS clear); FXRSTOR, FLDENV and FRSTOR load them whatever
 *     FSW.ES is.  (AMD processors store them in an FXSAVE image only while
 *     FSW.ES = 1: AMD64 APM vol. 5, FXSAVE.)
 *   - MXCSR_MASK stored by FXSAVE: 0x0000ffff (DAZ supported; no AMD
 *     misaligned-exception mask bit 17).
 *   - Flags the SDM leaves undefined are produced by alu.c the way Intel
 *     processors produce them where software is known to depend on it;
 *     no guest may rely on the others.  The native differential tests mask
 *     every flag the SDM (and the APM) leave undefined for the instruction.
 *
 * The differential tests (tests/unit/x86/test_native_diff.c,
 * test_fpu_native.c) read these constants and mask exactly the differences
 * between them and the host processor's documented behaviour.
 */
#ifndef DUALVM_X86_CANON_H
#define DUALVM_X86_CANON_H

#define X86_CANON_VENDOR	"GenuineIntel"	/* CPUID.0: EBX, EDX, ECX */
#define X86_CANON_MAX_LEAF	7u		/* CPUID.0: EAX */
#define X86_CANON_MAX_XLEAF	0x80000008u	/* CPUID.80000000H: EAX */
#define X86_CANON_SIGNATURE	0x683u		/* CPUID.1: EAX; EDX at reset */
#define X86_CANON_CPUID7_EBX	0u		/* no defeature bits */
#define X86_CANON_APIC_BASE	0xfee00100ull	/* BSP, FEE00000H (EN: 0x800
						 * when the CPU has an APIC) */
#define X86_CANON_MISC_ENABLE	0x1801ull	/* fast strings, no BTS/PEBS */

#define X86_CPUID7_EBX_FDP_EXCPTN_ONLY	(1u << 6)	/* SDM vol. 1, 8.1.8 */
#define X86_CPUID7_EBX_ZERO_FCS_FDS	(1u << 13)	/* SDM vol. 1, 8.1.8 */

/* FDP/FDS updated only by instructions that raise an unmasked exception */
#define X86_CANON_FDP_EXCPTN_ONLY \
	((X86_CANON_CPUID7_EBX & X86_CPUID7_EBX_FDP_EXCPTN_ONLY) != 0)
/* FCS and FDS stored as 0000H */
#define X86_CANON_ZERO_FCS_FDS \
	((X86_CANON_CPUID7_EBX & X86_CPUID7_EBX_ZERO_FCS_FDS) != 0)
/* FOP updated by every x87 non-control instruction, not only by those
 * with an unmasked exception (SDM vol. 1, 8.1.9) */
#define X86_CANON_FOP_ALWAYS		1
/* FDP/FDS keep their value across x87 non-control instructions without a
 * memory operand (AMD64 APM vol. 1, 6.2.5; the SDM leaves FDP undefined
 * after them, vol. 1, 8.1.8) */
#define X86_CANON_FDP_KEPT		1
/* FXSAVE stores FOP, FIP/FCS and FDP/FDS whatever FSW.ES is */
#define X86_CANON_FXSAVE_PTRS_ALWAYS	1
/* FXRSTOR loads FOP, FIP/FCS and FDP/FDS whatever FSW.ES is */
#define X86_CANON_FXRSTOR_PTRS_ALWAYS	1

#define X86_CANON_MXCSR_MASK	0x0000ffffu	/* FXSAVE bytes 28-31 */

#endif
