/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86.h --- dualvm's x86 reference interpreter: decoder and CPU core
 *
 * The public face of vmm/x86/: the instruction decoder (table driven, the
 * one-byte, 0F, 0F 38 and 0F 3A opcodes of the canonical x86-64-v2 CPU,
 * 16/32/64-bit operand and address sizes, REX prefixes and RIP-relative
 * addressing, Intel SDM vol. 2 ch. 2 "Instruction Format"), and the
 * interpreter CPU object that executes guest code over a struct machine_bus.
 * The engine_ops wrapper ("interp") is built on the x86_cpu_* calls below;
 * tests drive the CPU directly, with exception intercepts, to compare it
 * against the host CPU.
 */
#ifndef DUALVM_X86_H
#define DUALVM_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/engine.h"
#include "vmm/x86_state.h"

/* ---------------------------------------------------------------- decoder */

#define X86_MAX_INSN_LEN	15

/* Decoder mode bits */
#define X86_DMODE_CODE32	0x1	/* CS.D = 1: 32-bit default sizes */
#define X86_DMODE_LONG64	0x2	/* 64-bit mode (CS.L = 1, EFER.LMA) */

/* x86_decode() results */
#define X86_DEC_OK		0	/* instruction decoded */
#define X86_DEC_UD		1	/* invalid opcode: raise #UD */
#define X86_DEC_GP		2	/* longer than 15 bytes: raise #GP(0) */
#define X86_DEC_MORE		3	/* needs more bytes than given */

#define X86_REG_NONE		0xff	/* no base / index register */
#define X86_SEG_NONE		0xff	/* no segment override */

/* Decoded-instruction flags */
#define X86_IF_MODRM		0x01	/* has a ModRM byte */
#define X86_IF_MEM		0x02	/* ModRM names memory (mod != 3) */
#define X86_IF_LOCK		0x04	/* LOCK prefix */
#define X86_IF_REP		0x08	/* F3 prefix (REP/REPE) is the last rep */
#define X86_IF_REPNE		0x10	/* F2 prefix (REPNE) is the last rep */
#define X86_IF_OPSZ		0x20	/* 66 prefix seen */
#define X86_IF_ADSZ		0x40	/* 67 prefix seen */

#define X86_REG_RIP_BASE	16	/* struct x86_insn.base: RIP-relative */

/* REX prefix bits (struct x86_insn.rex) */
#define X86_REX_B		0x1
#define X86_REX_X		0x2
#define X86_REX_R		0x4
#define X86_REX_W		0x8

/*
 * One decoded instruction; plain data, cacheable by (physical address,
 * mode).  Register numbers include the REX extension bits (0-15); ModRM.reg
 * of an opcode group (an opcode extension, "/digit") stays 0-7.  The
 * register of the one-byte opcodes that encode it in the opcode (50+r, 58+r,
 * 90+r, B0+r, B8+r, 0F C8+r) is in rm.
 */
struct x86_insn {
	uint16_t	op;		/* 00-FF; 1xx 0F xx; 2xx 0F 38 xx; 3xx 0F 3A xx */
	uint8_t		len;		/* total length in bytes, 1..15 */
	uint8_t		flags;		/* X86_IF_* */
	uint8_t		opsize;		/* operand size in bytes: 2, 4 or 8 */
	uint8_t		adsize;		/* address size in bytes: 2, 4 or 8 */
	uint8_t		seg;		/* segment override (enum x86_sreg) or X86_SEG_NONE */
	uint8_t		modrm;		/* raw ModRM byte (0 if none) */
	uint8_t		reg;		/* ModRM.reg (+REX.R), 0-15 */
	uint8_t		rm;		/* register operand (ModRM.rm +REX.B), 0-15 */
	uint8_t		base;		/* base reg, X86_REG_RIP_BASE, X86_REG_NONE */
	uint8_t		index;		/* memory index register or X86_REG_NONE */
	uint8_t		scale;		/* index scale shift, 0-3 */
	uint8_t		defseg;		/* default segment of the memory operand */
	uint8_t		rex;		/* REX prefix (64-bit mode only), else 0 */
	uint8_t		pad;		/* reserved, 0 */
	int32_t		disp;		/* displacement (sign extended) */
	uint32_t	imm2;		/* second immediate (far ptr selector, ENTER level) */
	uint64_t	imm;		/* first immediate: zero extended as encoded;
					 * sign extended to 64 bits for 64-bit
					 * operands (imm32) */
};

/*
 * Decode one instruction from @avail bytes at @p in decoder mode @mode
 * (X86_DMODE_*).  Returns X86_DEC_OK with @out filled, X86_DEC_UD for an
 * invalid encoding, X86_DEC_GP when the instruction would exceed 15 bytes,
 * or X86_DEC_MORE when @avail (< 15) bytes do not hold the whole
 * instruction.  Pure function; any thread.
 */
int x86_decode(const uint8_t *p, size_t avail, unsigned int mode,
	       struct x86_insn *out) __attribute__((warn_unused_result));

/* ---------------------------------------------------------------- CPUID */

/*
 * The canonical CPU's CPUID leaf @leaf, subleaf @subleaf into @out (EAX,
 * EBX, ECX, EDX), exactly as the interpreter reports it (vmm/x86/canon.h,
 * cpuid_msr.c).  Pure; any thread.
 */
void x86_canon_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/*
 * Filter one host CPUID entry (@host: EAX..EDX of leaf @leaf, subleaf
 * @subleaf) through the canonical CPU, for an engine that runs guest code
 * on the host processor (KVM): identity, cache and address-size leaves
 * become the canonical values, feature-flag registers keep only the host
 * bits the canonical CPU also has.  Returns false for a leaf the canonical
 * CPU does not have (the engine drops it).  Pure; any thread.
 */
bool x86_cpuid_filter(uint32_t leaf, uint32_t subleaf, const uint32_t host[4],
		      uint32_t out[4]);

/* ---------------------------------------------------------------- CPU */

struct x86_cpu;

/* Why x86_cpu_exec() stopped. */
enum x86_stop_reason {
	X86_STOP_LIMIT,		/* instruction budget or deadline reached */
	X86_STOP_HLT,		/* HLT with nothing pending */
	X86_STOP_EXCEPTION,	/* an intercepted exception (state at the fault) */
	X86_STOP_RESET,		/* triple fault: reset requested on the bus */
	X86_STOP_ERROR,		/* internal limitation: see msg */
};

struct x86_stop {
	enum x86_stop_reason	reason;	/* X86_STOP_* */
	uint8_t		vector;		/* exception vector for X86_STOP_EXCEPTION */
	bool		has_error;	/* an error code was pushed / would be */
	uint32_t	error_code;	/* the error code */
	uint64_t	insns;		/* instructions retired in this call */
	char		msg[160];	/* one line, for X86_STOP_ERROR */
	bool		yielded;	/* X86_STOP_LIMIT at a PAUSE (SMP) */
};

/*
 * Create a CPU in its power-on state over @bus (not copied: it must outlive
 * the CPU).  0 or -ENOMEM.  The CPU is owned by the caller
 * (x86_cpu_destroy()).  vCPU thread only, like every x86_cpu_* call except
 * x86_cpu_kick().
 */
int x86_cpu_create(const struct machine_bus *bus, struct x86_cpu **out)
	__attribute__((warn_unused_result));
/*
 * The same with local APIC ID @apic_id: a bus with a clock gives the CPU a
 * local APIC (ID 0 is the bootstrap processor; any other ID is an AP that
 * starts in wait-for-SIPI).  x86_cpu_create() is this with ID 0.
 */
int x86_cpu_create_apic(const struct machine_bus *bus, uint8_t apic_id,
			struct x86_cpu **out)
	__attribute__((warn_unused_result));
void x86_cpu_destroy(struct x86_cpu *cpu);
/* Power-on / RESET state (CS:IP = F000:FFF0, real mode). */
void x86_cpu_reset(struct x86_cpu *cpu);
/* Copy the architectural state out / in.  set_state: 0 or -EINVAL. */
void x86_cpu_get_state(const struct x86_cpu *cpu, struct x86_cpu_state *st);
int x86_cpu_set_state(struct x86_cpu *cpu, const struct x86_cpu_state *st)
	__attribute__((warn_unused_result));
/*
 * Exceptions whose vector bit is set in @mask are not delivered: exec stops
 * with X86_STOP_EXCEPTION and the state of the faulting instruction (as a
 * VMX exception bitmap does).  Used by tests and debugging.
 */
void x86_cpu_set_intercepts(struct x86_cpu *cpu, uint32_t mask);
/*
 * Execute until @max_insns instructions retired, virtual time @deadline_ns
 * (bus now_ns) passed, HLT, an intercepted exception, a triple fault or an
 * internal error.  Always fills @stop.
 */
void x86_cpu_exec(struct x86_cpu *cpu, uint64_t max_insns,
		  uint64_t deadline_ns, struct x86_stop *stop);
/* Make x86_cpu_exec() return soon.  Any thread, async-signal-safe. */
void x86_cpu_kick(struct x86_cpu *cpu);
/* Guest-physical memory [gpa, gpa+len) changed behind the CPU. */
void x86_cpu_mem_written(struct x86_cpu *cpu, uint64_t gpa, uint64_t len);
/* The memory map changed: drop page pointers and decoded instructions. */
void x86_cpu_map_changed(struct x86_cpu *cpu);

/* The "interp" engine (vmm/x86/engine_ops.c), listed in engine_registry[]. */
extern const struct engine_ops x86_interp_engine_ops;
/* The "bt" engine: the interpreter's CPU with the binary translator
 * (vmm/bt) running its guest code. */
extern const struct engine_ops x86_bt_engine_ops;

#endif
