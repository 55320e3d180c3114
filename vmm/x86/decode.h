/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode.h --- private opcode-table format of the x86 decoder
 *
 * One entry per one-byte opcode and per 0F opcode describes how long the
 * instruction is (ModRM, immediates) and which encodings are invalid (#UD)
 * or may take a LOCK prefix (Intel SDM vol. 2, appendix A opcode maps).
 */
#ifndef DUALVM_X86_DECODE_H
#define DUALVM_X86_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* x86_optab.flags */
#define OT_MODRM	0x01	/* has a ModRM byte */
#define OT_PREFIX	0x02	/* legacy prefix (one-byte map only) */
#define OT_UD		0x04	/* invalid opcode */
#define OT_REGONLY	0x08	/* ModRM always a register (MOV CRn/DRn) */
#define OT_GRP3		0x10	/* F6/F7: immediate only for /0 and /1 */
#define OT_ESC		0x20	/* 0F escape */
#define OT_NP		0x40	/* no 66/F2/F3 prefix allowed ("NP" in the SDM) */
#define OT_SSE		0x80	/* MMX/SSE/SSE2 row: prefix/form check (simd_decode.c) */

/* x86_optab.imm */
enum x86_imm_kind {
	IMM_NONE,
	IMM_B,		/* 8-bit */
	IMM_W,		/* 16-bit */
	IMM_Z,		/* 16 or 32 bits by operand size */
	IMM_FAR,	/* ptr16:16 / ptr16:32 */
	IMM_ENTER,	/* imm16, imm8 */
	IMM_MOFFS,	/* address-size offset */
};

struct x86_optab {
	uint8_t	flags;		/* OT_* */
	uint8_t	imm;		/* enum x86_imm_kind */
	uint8_t	ud_mem;		/* ModRM.reg values invalid with a memory operand */
	uint8_t	ud_reg;		/* ModRM.reg values invalid with a register operand */
	uint8_t	lock;		/* ModRM.reg values that accept LOCK (memory form) */
};

/* 512 entries: one-byte map, then the 0F map. */
extern const struct x86_optab x86_optab[512];

struct x86_insn;
/* simd_decode.c: mandatory-prefix class of @in (0 none, 1 66, 2 F3, 3 F2)
 * and whether an OT_SSE opcode exists in that form. */
unsigned int x86_simd_prefix(const struct x86_insn *in);
bool x86_simd_form_ok(const struct x86_insn *in);

#endif
