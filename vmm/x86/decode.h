/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * decode.h --- private opcode-table format of the x86 decoder
 *
 * One entry per opcode of the one-byte, 0F, 0F 38 and 0F 3A maps describes
 * how long the instruction is (ModRM, immediates), which encodings are
 * invalid (#UD) or may take a LOCK prefix, and how 64-bit mode treats it
 * (Intel SDM vol. 2, appendix A opcode maps: the "i64", "o64", "d64" and
 * "f64" superscripts).
 */
#ifndef DUALVM_X86_DECODE_H
#define DUALVM_X86_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* x86_optab.flags */
#define OT_MODRM	0x0001	/* has a ModRM byte */
#define OT_PREFIX	0x0002	/* legacy prefix (one-byte map only) */
#define OT_UD		0x0004	/* invalid opcode */
#define OT_REGONLY	0x0008	/* ModRM always a register (MOV CRn/DRn) */
#define OT_GRP3		0x0010	/* F6/F7: immediate only for /0 and /1 */
#define OT_ESC		0x0020	/* 0F, 0F 38, 0F 3A escape */
#define OT_NP		0x0040	/* no 66/F2/F3 prefix allowed ("NP" in the SDM) */
#define OT_SSE		0x0080	/* SIMD row: prefix/form check (simd_decode.c) */
#define OT_I64		0x0100	/* invalid in 64-bit mode */
#define OT_O64		0x0200	/* valid only in 64-bit mode */
#define OT_D64		0x0400	/* 64-bit mode: default operand size 64 */
#define OT_F64		0x0800	/* 64-bit mode: operand size 64, 66 ignored */
#define OT_GRP		0x1000	/* ModRM.reg is an opcode extension (no REX.R) */

/* x86_optab.imm */
enum x86_imm_kind {
	IMM_NONE,
	IMM_B,		/* 8-bit */
	IMM_W,		/* 16-bit */
	IMM_Z,		/* 16 or 32 bits by operand size (sign extended to 64) */
	IMM_FAR,	/* ptr16:16 / ptr16:32 */
	IMM_ENTER,	/* imm16, imm8 */
	IMM_MOFFS,	/* address-size offset (8 bytes in 64-bit mode) */
	IMM_V,		/* 16, 32 or 64 bits by operand size (MOV r, imm) */
};

struct x86_optab {
	uint16_t flags;		/* OT_* */
	uint8_t	imm;		/* enum x86_imm_kind */
	uint8_t	ud_mem;		/* ModRM.reg values invalid with a memory operand */
	uint8_t	ud_reg;		/* ModRM.reg values invalid with a register operand */
	uint8_t	lock;		/* ModRM.reg values that accept LOCK (memory form) */
};

/* 1024 entries: one-byte map, then the 0F, 0F 38 and 0F 3A maps. */
extern const struct x86_optab x86_optab[1024];

struct x86_insn;
/* simd_decode.c: mandatory-prefix class of @in (0 none, 1 66, 2 F3, 3 F2)
 * and whether an OT_SSE opcode exists in that form. */
unsigned int x86_simd_prefix(const struct x86_insn *in);
bool x86_simd_form_ok(const struct x86_insn *in);

#endif
