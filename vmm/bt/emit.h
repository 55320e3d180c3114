/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * emit.h --- a small x86-64 instruction encoder for the binary translator
 *
 * Just what vmm/bt needs: legacy prefixes, REX, one- and two-byte opcodes,
 * ModRM/SIB with a register or a [base + index*scale + disp] operand, and
 * immediates (Intel SDM vol. 2, ch. 2: instruction format, 2.2.1 REX).
 * Host registers are numbered 0-15 (RAX..R15).  A buffer that fills up
 * sets @full and keeps accepting bytes into a scratch tail, so callers
 * check once per block.
 */
#ifndef DUALVM_BT_EMIT_H
#define DUALVM_BT_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum {
	H_RAX, H_RCX, H_RDX, H_RBX, H_RSP, H_RBP, H_RSI, H_RDI,
	H_R8, H_R9, H_R10, H_R11, H_R12, H_R13, H_R14, H_R15,
};

#define H_NONE		0xff

struct emit {
	uint8_t		*p;		/* next byte (in the RW view) */
	uint8_t		*end;		/* end of the space */
	bool		full;		/* ran out of space */
	intptr_t	delta;		/* RX view address - RW view address */
	uint8_t		spill[64];	/* where bytes go once full */
};

static inline void e8(struct emit *e, uint8_t b)
{
	if (e->p >= e->end) {
		e->full = true;
		e->p = e->spill;
		e->end = e->spill + sizeof(e->spill);
	}
	*e->p++ = b;
}

static inline void e16(struct emit *e, uint16_t v)
{
	e8(e, (uint8_t)v);
	e8(e, (uint8_t)(v >> 8));
}

static inline void e32(struct emit *e, uint32_t v)
{
	e16(e, (uint16_t)v);
	e16(e, (uint16_t)(v >> 16));
}

static inline void e64(struct emit *e, uint64_t v)
{
	e32(e, (uint32_t)v);
	e32(e, (uint32_t)(v >> 32));
}

/* an immediate of @size bytes (1, 2 or 4; 8 only for MOV r64, imm64) */
static inline void eimm(struct emit *e, uint64_t v, unsigned int size)
{
	switch (size) {
	case 1: e8(e, (uint8_t)v); break;
	case 2: e16(e, (uint16_t)v); break;
	case 4: e32(e, (uint32_t)v); break;
	default: e64(e, v); break;
	}
}

/*
 * An operand for ModRM.rm: a register (base = reg, mem = false) or memory
 * [base + index << scale + disp] (base H_NONE: disp32 alone).
 */
struct eop {
	bool		mem;
	uint8_t		base, index, scale;
	int32_t		disp;
};

static inline struct eop oreg(unsigned int r)
{
	return (struct eop){ .mem = false, .base = (uint8_t)r, .index = H_NONE };
}

static inline struct eop omem(unsigned int base, int32_t disp)
{
	return (struct eop){ .mem = true, .base = (uint8_t)base,
			     .index = H_NONE, .disp = disp };
}

static inline struct eop omem_idx(unsigned int base, unsigned int index,
				  unsigned int scale, int32_t disp)
{
	return (struct eop){ .mem = true, .base = (uint8_t)base,
			     .index = (uint8_t)index, .scale = (uint8_t)scale,
			     .disp = disp };
}

/* the REX bits @reg/@op need, with REX.W for @w */
static inline uint8_t rex_of(bool w, unsigned int reg, const struct eop *op)
{
	uint8_t rex = w ? 8 : 0;

	if (reg != H_NONE && (reg & 8))
		rex |= 4;
	if (op->base != H_NONE && (op->base & 8))
		rex |= 1;
	if (op->mem && op->index != H_NONE && (op->index & 8))
		rex |= 2;
	return rex;
}

/*
 * The ModRM (+SIB, displacement) for register field @reg (0-15; or an
 * opcode extension) and operand @op.
 */
static inline void emodrm(struct emit *e, unsigned int reg, const struct eop *op)
{
	unsigned int r = reg & 7, b = op->base & 7, mod;

	if (!op->mem) {
		e8(e, (uint8_t)(0xc0 | r << 3 | b));
		return;
	}
	if (op->base == H_NONE) {	/* [disp32]: SIB with no base, no index */
		if (op->index == H_NONE) {
			e8(e, (uint8_t)(r << 3 | 4));
			e8(e, 0x25);
		} else {
			e8(e, (uint8_t)(r << 3 | 4));
			e8(e, (uint8_t)(op->scale << 6 | (op->index & 7) << 3 | 5));
		}
		e32(e, (uint32_t)op->disp);
		return;
	}
	if (op->disp == 0 && b != 5)
		mod = 0;
	else if (op->disp >= -128 && op->disp <= 127)
		mod = 1;
	else
		mod = 2;
	if (op->index != H_NONE || b == 4) {
		unsigned int x = op->index == H_NONE ? 4 : (op->index & 7);

		e8(e, (uint8_t)(mod << 6 | r << 3 | 4));
		e8(e, (uint8_t)(op->scale << 6 | x << 3 | b));
	} else {
		e8(e, (uint8_t)(mod << 6 | r << 3 | b));
	}
	if (mod == 1)
		e8(e, (uint8_t)op->disp);
	else if (mod == 2)
		e32(e, (uint32_t)op->disp);
}

/*
 * A whole instruction: [66] [REX] opcode bytes (@opc, @nopc: 1-3, the 0F
 * escapes included) ModRM.  @opsz 2 adds the operand-size prefix; @w sets
 * REX.W; @force_rex emits a REX prefix even with no bits set.
 */
static inline void einsn(struct emit *e, unsigned int opsz, bool w,
			 const uint8_t *opc, unsigned int nopc, unsigned int reg,
			 struct eop op, bool force_rex)
{
	uint8_t rex = rex_of(w, reg, &op);

	if (opsz == 2)
		e8(e, 0x66);
	if (rex || force_rex)
		e8(e, 0x40 | rex);
	for (unsigned int i = 0; i < nopc; i++)
		e8(e, opc[i]);
	emodrm(e, reg, &op);
}

/* one-byte opcode shorthand */
static inline void eop1(struct emit *e, unsigned int opsz, bool w, uint8_t opc,
			unsigned int reg, struct eop op)
{
	einsn(e, opsz, w, &opc, 1, reg, op, false);
}

/* mov r64/r32, [mem] and back; lea */
static inline void emov_load(struct emit *e, bool w, unsigned int reg,
			     struct eop op)
{
	eop1(e, 4, w, 0x8b, reg, op);
}

static inline void emov_store(struct emit *e, bool w, unsigned int reg,
			      struct eop op)
{
	eop1(e, 4, w, 0x89, reg, op);
}

static inline void elea(struct emit *e, bool w, unsigned int reg, struct eop op)
{
	eop1(e, 4, w, 0x8d, reg, op);
}

/* mov r32, imm32 (zero extends) */
static inline void emov_imm32(struct emit *e, unsigned int reg, uint32_t v)
{
	if (reg & 8)
		e8(e, 0x41);
	e8(e, (uint8_t)(0xb8 | (reg & 7)));
	e32(e, v);
}

/* mov r64, imm64 */
static inline void emov_imm64(struct emit *e, unsigned int reg, uint64_t v)
{
	e8(e, (uint8_t)(0x48 | ((reg & 8) ? 1 : 0)));
	e8(e, (uint8_t)(0xb8 | (reg & 7)));
	e64(e, v);
}

static inline void epush(struct emit *e, unsigned int reg)
{
	if (reg & 8)
		e8(e, 0x41);
	e8(e, (uint8_t)(0x50 | (reg & 7)));
}

static inline void epop(struct emit *e, unsigned int reg)
{
	if (reg & 8)
		e8(e, 0x41);
	e8(e, (uint8_t)(0x58 | (reg & 7)));
}

static inline void epushfq(struct emit *e) { e8(e, 0x9c); }
static inline void epopfq(struct emit *e) { e8(e, 0x9d); }
static inline void eret(struct emit *e) { e8(e, 0xc3); }

/* where the next byte will run (RX view) */
static inline uint8_t *erx(const struct emit *e)
{
	return e->p + e->delta;
}

/* rel32 to @target_rx from the end of a 4-byte field about to be emitted;
 * returns the field's address (RW view) */
static inline uint8_t *erel32(struct emit *e, const uint8_t *target_rx)
{
	uint8_t *at = e->p;

	e32(e, (uint32_t)(target_rx - (erx(e) + 4)));
	return at;
}

/* jmp rel32 */
static inline uint8_t *ejmp(struct emit *e, const uint8_t *target_rx)
{
	e8(e, 0xe9);
	return erel32(e, target_rx);
}

/* call rel32 */
static inline void ecall(struct emit *e, const uint8_t *target_rx)
{
	e8(e, 0xe8);
	erel32(e, target_rx);
}

/* jcc rel32 (cc 0-15) */
static inline uint8_t *ejcc(struct emit *e, unsigned int cc,
			    const uint8_t *target_rx)
{
	e8(e, 0x0f);
	e8(e, (uint8_t)(0x80 | cc));
	return erel32(e, target_rx);
}

/* patch a rel32 at @at (RW view) whose instruction ends at @next_rx */
static inline void epatch32(uint8_t *at, const uint8_t *target_rx,
			    const uint8_t *next_rx)
{
	int32_t d = (int32_t)(target_rx - next_rx);

	memcpy(at, &d, 4);
}

#endif
