// SPDX-License-Identifier: GPL-2.0-only
/*
 * translate.c --- guest x86 (32-bit protected mode) to host x86-64 code
 *
 * A block is the run of instructions from its start to the first branch,
 * the first instruction this file does not translate, the end of the
 * page or BT_MAX_INSNS.  Guest and host are the same architecture, so
 * most instructions are re-encoded as themselves: the same opcode, the
 * guest registers renamed to their host registers (bt.h), a memory
 * operand rewritten to [R14 + R10] after an inline probe of the data TLB
 * (or shared with an earlier access's: groups), the guest's arithmetic
 * flags living in the host's.  Stack operations, branches, REP MOVS/STOS
 * and a few opcodes whose encodings mean something else in 64-bit mode
 * (INC/DEC r32, PUSH/POP, moffs) get short sequences of their own.  The
 * rest runs through the interpreter in line (K_HELPER, rt_helper).
 *
 * Flags.  Where the SDM leaves a flag undefined, the host may compute it
 * differently from the canonical CPU (canon.h): an instruction with such
 * flags is translated only when a later instruction of the same block
 * overwrites them before anything reads them (a backward liveness pass),
 * or, for the logic and shift AF, when bt.c's start-up probe found the
 * host choosing as the canonical CPU does.
 *
 * The probe, for an access of SIZE bytes at linear address R14D, touches
 * no flag (BMI2 RORX, MOVZX, LEA, JECXZ), so the guest's flags stay in the
 * host's across it, and a miss hands them on exact.  The TLB holds minus
 * each page's linear address (x86_ftlb_tag()), so one LEA gives the last
 * byte's offset from the page, which is below 4096 exactly on a hit:
 *
 *	rorx r11d, r14d, 12; movzx r11d, r11b	index: the first byte's page
 *	mov rcx, [r15 + r11*8 + ftlb_r or ftlb_w]
 *	lea rcx, [r14 + rcx + SIZE-1]		last byte - page address
 *	rorx rcx, rcx, 12; jecxz hit		bits 12-43 zero: a hit
 *	jmp miss				(to an out-of-line stub)
 * hit:	mov r10, [r15 + r11*8 + ftlb_add]	the operand is [r14 + r10]
 *
 * An access crossing a page misses (the entry indexed by the first byte's
 * page never holds the next page) and is interpreted.
 */
#include <stddef.h>
#include <string.h>

#include "vmm/bt/bt.h"
#include "vmm/bt/emit.h"

#define OFF(f)		((int32_t)offsetof(struct x86_cpu, f))
#define OFF_SPILL(i)	(OFF(bt_spill) + 8 * (i))

/* arithmetic flags */
#define F_CF	0x001u
#define F_PF	0x004u
#define F_AF	0x010u
#define F_ZF	0x040u
#define F_SF	0x080u
#define F_OF	0x800u
#define F_ALL	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_SZAPO	(F_SF | F_ZF | F_AF | F_PF | F_OF)

/* how an instruction is emitted */
enum kind {
	K_GENERIC,	/* ModRM form re-encoded: opcode, regs, [r14+r10], imm */
	K_ONEBYTE,	/* no operands to rename (CDQ, CLC, AL/eAX imm forms) */
	K_INCDEC,	/* 40+r / 48+r */
	K_MOV_RI,	/* B0+r / B8+r */
	K_XCHG_A,	/* 90+r */
	K_NOP,		/* 90, 0F 1F */
	K_LEA,
	K_BSWAP,
	K_SHIFT_CL,	/* D2/D3, 0F A5/AD: count in guest CL; CMPXCHG8B (ECX) */
	K_PUSH_R, K_PUSH_I, K_PUSH_M, K_POP_R, K_LEAVE,
	K_CALL, K_RET, K_JMP, K_JCC, K_JMP_M, K_CALL_M,
	K_HELPER,	/* the interpreter runs it, in line (rt_helper) */
	K_INVLPG,	/* 0F 01 /7 (rt_invlpg) */
	K_RDTSC,	/* RDTSC, RDTSCP (rt_rdtsc, rt_rdtscp) */
	K_SSE,		/* SSE2 integer and moves on XMM0-7 (the host's) */
	K_STRING,	/* LODS STOS MOVS SCAS CMPS without REP */
	K_REP,		/* REP MOVS, REP STOS upwards, flat segments */
};

struct tinsn {
	struct x86_insn	in;
	uint32_t	eip, next;	/* its EIP and the next one's */
	uint8_t		kind;		/* enum kind */
	uint8_t		mem;		/* memory operand: 1 read, 2 write, 3 both */
	uint8_t		msize;		/* its size */
	uint8_t		seg;		/* its segment */
	bool		byteop;		/* 8-bit operands */
	bool		regext;		/* ModRM.reg is an opcode extension */
	bool		ends;		/* a branch: the block ends after it */
	bool		imul_fix;	/* IMUL: canonical SF ZF AF PF after it */
	bool		align16;	/* K_SSE: a 16-byte operand must be aligned */
	uint8_t		immsz;		/* immediate bytes to re-emit */
	uint16_t	reads, writes, undef;	/* arithmetic flags */
	uint16_t	live_in, live_out;	/* liveness (pass 2) */
	uint8_t		opc[3];		/* host opcode bytes */
	uint8_t		nopc;
	/* groups (make_groups): accesses through one unchanged base share
	 * their leader's probe */
	int16_t		gl;		/* the leader's index, or -1 */
	int16_t		gdelta;		/* this access - the group's first byte */
	int32_t		gdmin;		/* leader: the group's lowest disp */
	uint16_t	gspan;		/* leader: bytes the group covers */
	bool		gwrite;		/* leader: some member writes */
	bool		galign;		/* leader: some member needs 16-byte
					 * alignment (all at gdelta % 16 == 0) */
};

/* guest register -> host register (bt.h) */
static const uint8_t host_of[8] = {
	H_RAX, H_R8, H_RDX, H_RBX, H_R9, H_RBP, H_RSI, H_RDI,
};

/*
 * guest byte register -> host byte register encoding: AL DL BL and the
 * high bytes AH DH BH (encodable only without REX) are themselves; CL is
 * R8B; CH (bits 8-15 of R8) has no encoding: H_NONE
 */
static const uint8_t host_byte[8] = {
	0, 8, 2, 3, 4, H_NONE, 6, 7,
};

/* the flags condition code @cc (Jcc/SETcc/CMOVcc) reads */
static uint16_t cc_reads(unsigned int cc)
{
	static const uint16_t r[8] = {
		F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF, F_SF | F_OF,
		F_ZF | F_SF | F_OF,
	};

	return r[(cc >> 1) & 7];
}

struct tctx {
	struct bt	*b;
	struct x86_cpu	*c;
	struct emit	e;
	uint32_t	key;
	bool		user;
	struct tinsn	*t;
	unsigned int	n;		/* instructions translated */
	/* out-of-line code, emitted after the body */
	struct stub {
		uint8_t		kind;	/* 0 miss, 1 exit, 2 chainable exit */
		uint8_t		*patch;	/* rel32 to point at the stub (RW) */
		uint8_t		*retry;	/* miss: where to go back (RX) */
		uint32_t	eip;	/* miss: the insn; exit: the target */
		uint32_t	info;	/* miss: size | write; exit: bt_exit */
		uint32_t	undone;	/* instructions not retired at it */
		uint8_t		imul;	/* pending IMUL fix-up: its size */
	}		stubs[BT_MAX_INSNS * 4 + 8];
	unsigned int	nstubs;
	unsigned int	pend_imul;	/* IMUL fix-up pending: operand size */
	struct eop	m;		/* the host memory operand (emit_probe) */
	uint32_t	block;		/* this block's index (group misses) */
	const struct bt_rt *rt;		/* the runtime routines of its mode */
};

static struct stub *add_stub(struct tctx *x)
{
	struct stub *s = &x->stubs[x->nstubs++];

	s->imul = (uint8_t)x->pend_imul;
	return s;
}

/* ---- classification */

/* a byte register @g usable with (@rex) or without a REX prefix? */
static bool byte_ok(unsigned int g, bool rex)
{
	unsigned int h = host_byte[g & 7];

	return h != H_NONE && !(rex && h >= 4 && h < 8);
}

static bool classify_mem(struct tinsn *t, uint32_t key, uint8_t mem,
			 unsigned int size)
{
	const struct x86_insn *in = &t->in;
	unsigned int s;

	if (!(in->flags & X86_IF_MEM)) {
		t->mem = 0;
		return true;
	}
	s = in->seg != X86_SEG_NONE ? in->seg : in->defseg;
	if (s == X86_CS || bt_key_seg(key, s) == BT_SEG_OTHER)
		return false;
	t->mem = mem;
	t->msize = (uint8_t)size;
	t->seg = (uint8_t)s;
	return true;
}

/* the stack segment must be usable for PUSH/POP/CALL/RET/LEAVE */
static bool stack_ok(struct tinsn *t, uint32_t key, unsigned int size)
{
	if (bt_key_seg(key, X86_SS) == BT_SEG_OTHER)
		return false;
	t->seg = X86_SS;
	t->msize = (uint8_t)size;
	return true;
}

static bool classify_sse(struct tinsn *t, uint32_t key);

/*
 * Can @t be translated, and how?  Fills kind, flags, memory operand,
 * host opcode; false: interpret it.
 */
static bool classify(const struct bt *b, struct tinsn *t, uint32_t key)
{
	struct x86_insn *in = &t->in;
	unsigned int op = in->op, sz = in->opsize, a, cnt;
	uint16_t logic_af = b->logic_af_ok ? 0 : F_AF;
	uint16_t imul_undef = b->imul_exact ? 0 : F_SF | F_ZF | F_AF | F_PF;
	bool rex;

	t->imul_fix = false;
	t->align16 = false;
	if (op == 0x16f || op == 0x17f || op == 0x16e || op == 0x17e ||
	    op == 0x170 || op == 0x1d7 || op == 0x1d4 || op == 0x1db ||
	    op == 0x1df || op == 0x1eb || op == 0x1ef ||
	    (op >= 0x1f8 && op <= 0x1fe) ||
	    (op >= 0x174 && op <= 0x176))
		return classify_sse(t, key);
	if (op == 0x90 && (in->flags & X86_IF_REP)) {
		t->kind = K_NOP;	/* PAUSE: one vCPU, nobody to wait for */
		t->reads = t->writes = t->undef = 0;
		t->mem = 0;
		t->ends = false;
		return true;
	}
	if ((in->flags & X86_IF_REP) && !(in->flags & X86_IF_REPNE) &&
	    (op == 0xa4 || op == 0xa5 || op == 0xaa || op == 0xab) &&
	    in->adsize == 4 && (sz == 2 || sz == 4) && !b->lockstep &&
	    !(key & BT_KEY_DF)) {
		unsigned int src = in->seg != X86_SEG_NONE ? in->seg : X86_DS;

		/* a page at a time by the host's REP (lockstep: the
		 * interpreter's, its store log holds 8 bytes a store) */
		t->kind = K_REP;
		t->byteop = !(op & 1);
		t->msize = t->byteop ? 1 : (uint8_t)sz;
		t->reads = t->writes = t->undef = 0;
		t->mem = 1;		/* probes: an exit point */
		t->seg = (uint8_t)src;
		t->ends = true;
		t->imul_fix = false;
		if (op <= 0xa5 && (src == X86_CS ||
				   bt_key_seg(key, src) != BT_SEG_FLAT))
			return false;
		return bt_key_seg(key, X86_ES) == BT_SEG_FLAT;
	}
	if (in->flags & (X86_IF_REP | X86_IF_REPNE))
		return false;
	if (in->adsize != 4 || (sz != 2 && sz != 4))
		return false;
	t->kind = K_GENERIC;
	t->imul_fix = false;
	t->reads = t->writes = t->undef = 0;
	t->byteop = false;
	t->regext = false;
	t->ends = false;
	t->immsz = 0;
	t->mem = 0;
	t->nopc = 1;
	t->opc[0] = (uint8_t)op;
	if (op >= 0x100) {
		t->nopc = 2;
		t->opc[0] = 0x0f;
		t->opc[1] = (uint8_t)op;
	}

	switch (op) {
	case 0x00 ... 0x3f:
		if ((op & 7) >= 6)
			return false;
		a = (op >> 3) & 7;
		t->reads = (a == 2 || a == 3) ? F_CF : 0;
		t->writes = F_ALL;
		t->undef = (a == 1 || a == 4 || a == 6) ? logic_af : 0;
		t->byteop = !(op & 1);
		if ((op & 7) >= 4) {
			t->kind = K_ONEBYTE;
			t->immsz = (op & 1) ? (uint8_t)sz : 1;
			return true;
		}
		return classify_mem(t, key, a == 7 || (op & 2) ? 1 : 3,
				    t->byteop ? 1 : sz);
	case 0x40 ... 0x4f:
		t->kind = K_INCDEC;
		t->writes = F_SZAPO;
		return true;
	case 0x50 ... 0x57:
		t->kind = K_PUSH_R;
		return stack_ok(t, key, sz);
	case 0x58 ... 0x5f:
		t->kind = K_POP_R;
		return stack_ok(t, key, sz);
	case 0x68: case 0x6a:
		t->kind = K_PUSH_I;
		return stack_ok(t, key, sz);
	case 0x69: case 0x6b:
		t->writes = b->imul_exact ? F_ALL : F_CF | F_OF;
		t->undef = imul_undef;
		t->immsz = op == 0x6b ? 1 : (uint8_t)sz;
		return classify_mem(t, key, 1, sz);
	case 0x70 ... 0x7f:		/* Jcc rel8 */
	case 0x180 ... 0x18f:		/* Jcc rel32 */
		if (sz != 4)
			return false;
		t->kind = K_JCC;
		t->reads = cc_reads(op & 15);
		t->ends = true;
		return true;
	case 0x80 ... 0x83:
		a = in->reg & 7;
		t->opc[0] = op == 0x82 ? 0x80 : (uint8_t)op;
		t->regext = true;
		t->byteop = op == 0x80 || op == 0x82;
		t->reads = (a == 2 || a == 3) ? F_CF : 0;
		t->writes = F_ALL;
		t->undef = (a == 1 || a == 4 || a == 6) ? logic_af : 0;
		t->immsz = op == 0x81 ? (uint8_t)sz : 1;
		return classify_mem(t, key, a == 7 ? 1 : 3, t->byteop ? 1 : sz);
	case 0x84: case 0x85:
		t->byteop = op == 0x84;
		t->writes = F_ALL;
		t->undef = logic_af;
		return classify_mem(t, key, 1, t->byteop ? 1 : sz);
	case 0x86: case 0x87:
		t->byteop = op == 0x86;
		return classify_mem(t, key, 3, t->byteop ? 1 : sz);
	case 0x88 ... 0x8b:
		t->byteop = !(op & 1);
		return classify_mem(t, key, (op & 2) ? 1 : 2, t->byteop ? 1 : sz);
	case 0x8d:
		t->kind = K_LEA;
		return true;
	case 0x90:
		t->kind = K_NOP;
		return true;
	case 0x91 ... 0x97:
		t->kind = K_XCHG_A;
		return true;
	case 0x98: case 0x99:
		t->kind = K_ONEBYTE;
		return true;
	case 0xa0 ... 0xa3:
		/* MOV AL/eAX <-> moffs: as 8A/8B/88/89 with [disp32] */
		t->byteop = !(op & 1);
		t->opc[0] = (uint8_t)((op & 2) ? 0x88 + (op & 1) : 0x8a + (op & 1));
		in->flags |= X86_IF_MEM;
		in->base = in->index = X86_REG_NONE;
		in->disp = (int32_t)(uint32_t)in->imm;
		in->reg = 0;
		in->defseg = X86_DS;
		return classify_mem(t, key, (op & 2) ? 2 : 1, t->byteop ? 1 : sz);
	case 0xa4 ... 0xa7: case 0xaa ... 0xaf: {
		unsigned int src = in->seg != X86_SEG_NONE ? in->seg : X86_DS;

		t->kind = K_STRING;
		t->byteop = !(op & 1);
		t->msize = t->byteop ? 1 : (uint8_t)sz;
		t->writes = (op >= 0xa6 && op <= 0xa7) || op >= 0xae ? F_ALL : 0;
		t->mem = 1;		/* probes: an exit point */
		t->seg = (uint8_t)src;
		if ((op <= 0xa7 || op == 0xac || op == 0xad) &&
		    (src == X86_CS || bt_key_seg(key, src) == BT_SEG_OTHER))
			return false;
		if (op != 0xac && op != 0xad &&
		    bt_key_seg(key, X86_ES) == BT_SEG_OTHER)
			return false;
		return true;
	}
	case 0xa8: case 0xa9:
		t->kind = K_ONEBYTE;
		t->writes = F_ALL;
		t->undef = logic_af;
		t->immsz = op == 0xa8 ? 1 : (uint8_t)sz;
		return true;
	case 0xb0 ... 0xbf:
		t->kind = K_MOV_RI;
		t->byteop = op < 0xb8;
		return !t->byteop || host_byte[in->rm & 7] != H_NONE;
	case 0xc0: case 0xc1: case 0xd0: case 0xd1:
		a = in->reg & 7;
		t->regext = true;
		t->byteop = !(op & 1);
		cnt = op <= 0xc1 ? (unsigned int)(in->imm & 31) : 1;
		t->immsz = op <= 0xc1 ? 1 : 0;
		if (cnt) {
			if (a < 2) {		/* ROL ROR */
				t->writes = F_CF | F_OF;
			} else if (a < 4) {	/* RCL RCR */
				t->reads = F_CF;
				t->writes = F_CF | F_OF;
			} else {
				t->writes = F_CF | F_SF | F_ZF | F_PF | F_OF | F_AF;
			}
			if (!(b->shift_exact >> (a == 6 ? 4 : a) & 1)) {
				/* OF past a count of 1, AF: the SDM's undefined */
				t->undef = (uint16_t)(F_AF | (cnt == 1 ? 0 : F_OF));
				t->writes &= (uint16_t)~t->undef;
				if (a < 4)
					t->undef &= (uint16_t)~F_AF;
			}
		}
		return classify_mem(t, key, 3, t->byteop ? 1 : sz);
	case 0xc2: case 0xc3:
		if (sz != 4)
			return false;
		t->kind = K_RET;
		t->ends = true;
		return stack_ok(t, key, 4);
	case 0xc6: case 0xc7:
		if (in->reg & 7)
			return false;
		t->regext = true;
		t->byteop = op == 0xc6;
		t->immsz = t->byteop ? 1 : (uint8_t)sz;
		return classify_mem(t, key, 2, t->byteop ? 1 : sz);
	case 0xc9:
		if (sz != 4)
			return false;
		t->kind = K_LEAVE;
		return stack_ok(t, key, 4);
	case 0xd2: case 0xd3:
		a = in->reg & 7;
		t->kind = K_SHIFT_CL;
		t->regext = true;
		t->byteop = op == 0xd2;
		t->reads = F_ALL;		/* a count of 0 keeps them */
		t->undef = (b->shift_exact >> (a == 6 ? 4 : a) & 1) ? 0 : F_ALL;
		return classify_mem(t, key, 3, t->byteop ? 1 : sz);
	case 0xe8:
		if (sz != 4)
			return false;
		t->kind = K_CALL;
		t->ends = true;
		return stack_ok(t, key, 4);
	case 0xe9: case 0xeb:
		if (sz != 4)
			return false;
		t->kind = K_JMP;
		t->ends = true;
		return true;
	case 0xf5:
		t->kind = K_ONEBYTE;
		t->reads = t->writes = F_CF;
		return true;
	case 0xf8: case 0xf9:
		t->kind = K_ONEBYTE;
		t->writes = F_CF;
		return true;
	case 0xf6: case 0xf7:
		a = in->reg & 7;
		t->regext = true;
		t->byteop = op == 0xf6;
		switch (a) {
		case 0: case 1:
			t->writes = F_ALL;
			t->undef = logic_af;
			t->immsz = t->byteop ? 1 : (uint8_t)sz;
			t->opc[0] = (uint8_t)op;
			in->reg = 0;
			return classify_mem(t, key, 1, t->byteop ? 1 : sz);
		case 2:
			return classify_mem(t, key, 3, t->byteop ? 1 : sz);
		case 3:
			t->writes = F_ALL;
			return classify_mem(t, key, 3, t->byteop ? 1 : sz);
		case 4: case 5:
			t->writes = F_CF | F_OF;
			t->undef = F_SF | F_ZF | F_AF | F_PF;
			return classify_mem(t, key, 1, t->byteop ? 1 : sz);
		default:
			return false;	/* DIV/IDIV: #DE is the interpreter's */
		}
	case 0xfe: case 0xff:
		a = in->reg & 7;
		t->regext = true;
		t->byteop = op == 0xfe;
		if (a < 2) {
			t->writes = F_SZAPO;
			return classify_mem(t, key, 3, t->byteop ? 1 : sz);
		}
		if (op == 0xfe || sz != 4)
			return false;
		if (a == 2 || a == 4) {
			t->kind = a == 2 ? K_CALL_M : K_JMP_M;
			t->ends = true;
			if (a == 2 && !stack_ok(t, key, 4))
				return false;
			return classify_mem(t, key, 1, 4);
		}
		if (a == 6) {
			t->kind = K_PUSH_M;
			if (bt_key_seg(key, X86_SS) == BT_SEG_OTHER)
				return false;
			return classify_mem(t, key, 1, 4);
		}
		return false;

	/* 0F map */
	case 0x131:
		t->kind = K_RDTSC;
		return true;
	case 0x101:
		if (in->modrm == 0xf9) {		/* RDTSCP */
			t->kind = K_RDTSC;
			return true;
		}
		if ((in->reg & 7) != 7 || !(in->flags & X86_IF_MEM))
			return false;
		t->kind = K_INVLPG;
		t->seg = in->seg != X86_SEG_NONE ? in->seg : in->defseg;
		return true;
	case 0x11f:
		t->kind = K_NOP;
		return true;
	case 0x140 ... 0x14f:
		t->reads = cc_reads(op & 15);
		return classify_mem(t, key, 1, sz);
	case 0x190 ... 0x19f:
		t->byteop = true;
		t->regext = true;
		t->reads = cc_reads(op & 15);
		return classify_mem(t, key, 2, 1);
	case 0x1a3: case 0x1ab: case 0x1b3: case 0x1bb:
		if (in->flags & X86_IF_MEM)
			return false;	/* the bit offset reaches past the operand */
		t->writes = F_CF;
		t->undef = b->bt_exact ? 0 : F_OF | F_SF | F_AF | F_PF;
		return true;
	case 0x1a4: case 0x1ac:
		cnt = (unsigned int)(in->imm & 31);
		if (sz == 2 && cnt > 16)
			return false;
		t->immsz = 1;
		if (cnt) {
			t->writes = F_CF | F_SF | F_ZF | F_PF |
				    (cnt == 1 ? F_OF : 0);
			t->undef = F_AF | (cnt == 1 ? 0 : F_OF);
		}
		return classify_mem(t, key, 3, sz);
	case 0x1a5: case 0x1ad:
		if (sz == 2)
			return false;
		t->kind = K_SHIFT_CL;
		t->reads = F_ALL;
		t->undef = F_ALL;
		return classify_mem(t, key, 3, sz);
	case 0x1af:
		t->writes = b->imul_exact ? F_ALL : F_CF | F_OF;
		t->undef = imul_undef;
		return classify_mem(t, key, 1, sz);
	case 0x1b0: case 0x1b1:
		t->byteop = op == 0x1b0;
		t->writes = F_ALL;
		return classify_mem(t, key, 3, t->byteop ? 1 : sz);
	case 0x1b6: case 0x1b7: case 0x1be: case 0x1bf:
		/* MOVZX/MOVSX: the source is 8 or 16 bits, the destination sz */
		if ((op & 1) == 0 && !(in->flags & X86_IF_MEM)) {
			rex = (host_of[in->reg & 7] & 8) != 0;
			if (!byte_ok(in->rm, rex))
				return false;
		}
		return classify_mem(t, key, 1, (op & 1) ? 2 : 1);
	case 0x1ba:
		a = in->reg & 7;
		if (a < 4)
			return false;
		t->regext = true;
		t->immsz = 1;
		t->writes = F_CF;
		t->undef = b->bt_exact ? 0 : F_OF | F_SF | F_AF | F_PF;
		return classify_mem(t, key, a == 4 ? 1 : 3, sz);
	case 0x1c0: case 0x1c1:
		t->byteop = op == 0x1c0;
		t->writes = F_ALL;
		return classify_mem(t, key, 3, t->byteop ? 1 : sz);
	case 0x1c7:		/* CMPXCHG8B m64: EDX:EAX, ECX:EBX; ZF */
		if ((in->reg & 7) != 1 || !(in->flags & X86_IF_MEM) || sz != 4)
			return false;
		t->kind = K_SHIFT_CL;	/* guest ECX in RCX around it */
		t->regext = true;
		t->writes = F_ZF;
		return classify_mem(t, key, 3, 8);
	case 0x1c8 ... 0x1cf:
		if (sz != 4)
			return false;
		t->kind = K_BSWAP;
		return true;
	default:
		return false;
	}
}

/*
 * SSE2 integer instructions and moves on XMM registers (66 prefix; MOVDQU
 * with F3): re-encoded as themselves on the host's XMM0-7, which hold the
 * guest's while blocks of this mode run (bt.h rt[1]; no MXCSR involved:
 * no floating point).  Only with SSE usable in this mode (BT_KEY_SSE).
 */
static bool classify_sse(struct tinsn *t, uint32_t key)
{
	struct x86_insn *in = &t->in;
	unsigned int op = in->op;
	bool f3 = in->flags & X86_IF_REP;

	if (!(key & BT_KEY_SSE) || (in->flags & (X86_IF_REPNE | X86_IF_LOCK)) ||
	    !(in->flags & X86_IF_OPSZ) == !f3 || in->adsize != 4)
		return false;
	if (f3 && op != 0x16f && op != 0x17f)
		return false;		/* F3: only MOVDQU */
	t->kind = K_SSE;
	t->reads = t->writes = t->undef = 0;
	t->ends = false;
	t->mem = 0;
	t->nopc = 2;
	t->opc[0] = 0x0f;
	t->opc[1] = (uint8_t)op;
	t->immsz = op == 0x170 ? 1 : 0;
	if (!(in->flags & X86_IF_MEM))
		return true;
	/* memory operands: MOVD 4 bytes, the rest 16 (aligned but MOVDQU) */
	if (op == 0x1d7)
		return false;		/* PMOVMSKB takes a register only */
	t->align16 = op != 0x16e && op != 0x17e && !f3;
	return classify_mem(t, key, op == 0x17f || op == 0x17e ? 2 : 1,
			    op == 0x16e || op == 0x17e ? 4 : 16);
}

/* byte registers of a K_GENERIC instruction encodable together? */
static bool generic_regs_ok(const struct tinsn *t)
{
	const struct x86_insn *in = &t->in;
	bool rex, movx = t->in.op == 0x1b6 || t->in.op == 0x1be;
	unsigned int hreg = H_NONE, hrm = H_NONE;

	if (t->kind != K_GENERIC && t->kind != K_SHIFT_CL)
		return true;
	if (!(in->flags & X86_IF_MODRM))
		return true;
	if (!t->byteop && !movx)
		return true;
	/* the register operands as host registers */
	if (!t->regext)
		hreg = movx ? host_of[in->reg & 7] : host_byte[in->reg & 7];
	if (!(in->flags & X86_IF_MEM))
		hrm = host_byte[in->rm & 7];
	else
		hrm = H_R14;
	if (hreg == H_NONE && !t->regext)
		return false;
	if (hrm == H_NONE)
		return false;
	if (t->kind == K_SHIFT_CL && !(in->flags & X86_IF_MEM) && (in->rm & 7) == 1)
		hrm = H_RCX;	/* guest CL is host CL inside the XCHG */
	rex = (hreg != H_NONE && (hreg & 8)) || (hrm & 8);
	if (rex && ((!movx && !t->regext && hreg >= 4 && hreg < 8) ||
		    (hrm >= 4 && hrm < 8)))
		return false;
	return true;
}

/* ---- flags liveness */

/*
 * A flag is live where something may read it: a later instruction, the
 * code after the block, or -- at every instruction that may leave the
 * block before it executes (a memory access whose probe misses: the
 * interpreter, an exception frame) -- the architectural state itself.
 */
static void liveness(struct tctx *x)
{
	uint16_t live = F_ALL;	/* whatever follows the block may read them */

	for (unsigned int i = x->n; i--;) {
		struct tinsn *t = &x->t[i];

		t->live_out = live;
		live = (uint16_t)(t->reads | (live & ~t->writes));
		/* a group member other than its leader cannot leave */
		if ((t->mem && (t->gl < 0 || t->gl == (int16_t)i)) ||
		    t->kind == K_HELPER || t->kind == K_INVLPG ||
		    t->kind == K_RDTSC ||
		    t->kind == K_PUSH_R || t->kind == K_PUSH_I ||
		    t->kind == K_PUSH_M || t->kind == K_POP_R ||
		    t->kind == K_LEAVE || t->kind == K_CALL ||
		    t->kind == K_RET || t->kind == K_CALL_M || t->kind == K_JMP_M)
			live = F_ALL;
		t->live_in = live;
	}
}

/* ---- groups */

/*
 * Memory operands of one block through the same base and index registers
 * and segment, with nothing between them writing those registers or
 * touching the probe's registers (R10, R14: any other access, a call out,
 * a branch), form a group: the first (the leader) probes the whole range
 * they cover, BT_GROUP_SPAN bytes at most, once; the others use its host
 * address with their displacement.  In `mov eax, [esi]; ...; mov
 * [esi+4], eax` the second probe goes.  A group miss fills for the leader
 * alone (its own #PF, exact); when the range does not fit the leader's
 * page with the rights it needs, the leader is interpreted and the next
 * block probes the others one by one (bt.c bt_fill).
 */

/* may @t write guest register @g?  (conservative) */
static bool may_write(const struct tinsn *t, unsigned int g)
{
	const struct x86_insn *in = &t->in;
	unsigned int op = in->op;

	switch (t->kind) {
	case K_NOP:
		return false;
	case K_INCDEC:
		return (op & 7) == g;
	case K_MOV_RI: case K_BSWAP:
		return (in->rm & 7) == g || (t->byteop && (in->rm & 3) == g);
	case K_LEA:
		return (in->reg & 7) == g;
	case K_XCHG_A:
		return g == X86_RAX || (in->rm & 7) == g;
	case K_ONEBYTE:
		return g == X86_RAX || g == X86_RDX;
	case K_SSE:
		if (op == 0x17e)
			return !(in->flags & X86_IF_MEM) && (in->rm & 7) == g;
		return op == 0x1d7 && (in->reg & 7) == g;
	case K_GENERIC: case K_SHIFT_CL:
		if (!t->regext && ((in->reg & 7) == g ||
				   (t->byteop && (in->reg & 3) == g)))
			return true;
		if (!(in->flags & X86_IF_MEM) &&
		    ((in->rm & 7) == g || (t->byteop && (in->rm & 3) == g)))
			return true;
		/* MUL, IMUL, DIV... (EAX, EDX); CMPXCHG (EAX) */
		return (g == X86_RAX || g == X86_RDX) &&
		       (op == 0xf6 || op == 0xf7 || op == 0x1b0 || op == 0x1b1 ||
			op == 0x1c7);
	default:
		return true;
	}
}

/* can @t be in a group? */
static bool groupable(const struct tinsn *t)
{
	return t->mem && (t->kind == K_GENERIC || t->kind == K_SHIFT_CL ||
			  t->kind == K_SSE);
}

/* does @t keep R10 and R14 (and emit no exit) between group members? */
static bool transparent(const struct tinsn *t)
{
	switch (t->kind) {
	case K_GENERIC: case K_SHIFT_CL: case K_SSE:
		return !t->mem;
	case K_ONEBYTE: case K_INCDEC: case K_MOV_RI: case K_NOP: case K_LEA:
	case K_XCHG_A: case K_BSWAP:
		return true;
	default:
		return false;
	}
}

static bool same_address(const struct tinsn *a, const struct tinsn *b)
{
	return a->seg == b->seg && a->in.base == b->in.base &&
	       a->in.index == b->in.index &&
	       (a->in.index == X86_REG_NONE || a->in.scale == b->in.scale);
}

static bool base_written(const struct tinsn *t, const struct tinsn *l)
{
	return (l->in.base != X86_REG_NONE && may_write(t, l->in.base)) ||
	       (l->in.index != X86_REG_NONE && may_write(t, l->in.index));
}

static void make_groups(struct tctx *x)
{
	struct tinsn *ts = x->t;
	unsigned int i, j, m;

	for (i = 0; i < x->n; i++)
		ts[i].gl = -1;
	for (i = 0; i < x->n; i++) {
		struct tinsn *l = &ts[i];
		int64_t lo = l->in.disp, hi = (int64_t)l->in.disp + l->msize;
		unsigned int members = 1;
		bool align = l->align16, write = l->mem & 2;

		if (ts[i].gl >= 0 || !groupable(l) || base_written(l, l))
			continue;
		for (j = i + 1; j < x->n; j++) {
			struct tinsn *t = &ts[j];

			if (groupable(t) && same_address(t, l)) {
				int64_t nlo = t->in.disp < lo ? t->in.disp : lo;
				int64_t nhi = (int64_t)t->in.disp + t->msize > hi ?
					      (int64_t)t->in.disp + t->msize : hi;
				bool ok = nhi - nlo <= BT_GROUP_SPAN;

				/* 16-byte alignment checked once, on the range */
				for (m = i; ok && m <= j; m++)
					if ((ts[m].gl == (int16_t)i || m == i || m == j) &&
					    ts[m].align16 && (ts[m].in.disp - nlo) % 16)
						ok = false;
				if (!ok)
					break;
				lo = nlo;
				hi = nhi;
				align |= t->align16;
				write |= t->mem & 2;
				t->gl = (int16_t)i;
				members++;
			} else if (!transparent(t)) {
				break;
			}
			if (base_written(t, l))
				break;
		}
		if (members < 2) {
			for (m = i + 1; m < x->n; m++)
				if (ts[m].gl == (int16_t)i)
					ts[m].gl = -1;
			continue;
		}
		l->gl = (int16_t)i;
		l->gdmin = (int32_t)lo;
		l->gspan = (uint16_t)(hi - lo);
		l->gwrite = write;
		l->galign = align;
		for (m = i; m < x->n; m++)
			if (ts[m].gl == (int16_t)i)
				ts[m].gdelta = (int16_t)(ts[m].in.disp - lo);
		x->b->n_groups++;
	}
}

/* ---- emission helpers */

/* the host register holding guest register @g (32/16-bit view) */
static unsigned int hreg_of(unsigned int g)
{
	return host_of[g & 7];
}

/* lea r14d, [the guest EA of @in, with displacement @disp] */
static void emit_ea(struct emit *e, const struct x86_insn *in, int32_t disp)
{
	unsigned int base = in->base == X86_REG_NONE ? H_NONE : hreg_of(in->base);
	unsigned int index = in->index == X86_REG_NONE ? H_NONE : hreg_of(in->index);

	if (base == H_NONE && index == H_NONE) {
		emov_imm32(e, H_R14, (uint32_t)disp);
		return;
	}
	elea(e, false, H_R14, omem_idx(base, index, in->scale, disp));
}

/* shlx dst, src, cnt (BMI2; no flags), 64-bit */
static void eshlx64(struct emit *e, unsigned int dst, unsigned int src,
		    unsigned int cnt)
{
	e8(e, 0xc4);
	e8(e, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((src & 8) ? 0 : 0x20) | 0x02));
	e8(e, (uint8_t)(0x80 | ((~cnt & 15) << 3) | 0x01));
	e8(e, 0xf7);
	e8(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
}

/* rorx dst, src, @n (BMI2; no flags); 64-bit with @w */
static void erorx(struct emit *e, bool w, unsigned int dst, unsigned int src,
		  uint8_t n)
{
	e8(e, 0xc4);
	e8(e, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((src & 8) ? 0 : 0x20) | 0x03));
	e8(e, (uint8_t)((w ? 0x80 : 0) | 0x7b));
	e8(e, 0xf0);
	e8(e, (uint8_t)(0xc0 | (dst & 7) << 3 | (src & 7)));
	e8(e, n);
}

/*
 * To guest EIP R11D (zero-extended) through the jump cache: the entry
 * indexed by its low 16 bits holds (EIP << 32 | generation + mode key)
 * and the block's code; a hit jumps there, anything else leaves with
 * BT_EXIT_JUMP for the run loop (which looks the block up, translates it
 * if need be, and fills the entry).  No flags touched.
 */
static void emit_jc_jump(struct tctx *x)
{
	struct emit *e = &x->e;
	static const uint8_t movzx16[] = { 0x0f, 0xb7 };

	einsn(e, 4, false, movzx16, 2, H_R13, oreg(H_R11), false);
	elea(e, true, H_R13, omem_idx(H_R13, H_R13, 0, 0));
	emov_load(e, true, H_R10, omem(H_R15, OFF(bt_jc)));
	elea(e, true, H_R13, omem_idx(H_R10, H_R13, 3, 0));	/* the entry */
	erorx(e, true, H_R14, H_R11, 32);			/* EIP << 32 */
	emov_load(e, true, H_R10, omem(H_R15, OFF(bt_jc_gen)));
	elea(e, true, H_R10, omem_idx(H_R14, H_R10, 0, (int32_t)x->key));
	emov_load(e, true, H_RCX, omem(H_R13, 0));
	eop1(e, 4, true, 0xf7, 2, oreg(H_RCX));			/* not rcx */
	elea(e, true, H_RCX, omem_idx(H_R10, H_RCX, 0, 1));	/* expected - tag */
	e8(e, 0xe3);						/* jrcxz hit */
	e8(e, 6 + 5);
	emov_imm32(e, H_R10, BT_EXIT_JUMP);			/* 6 bytes */
	ejmp(e, x->rt->exit);					/* 5 bytes */
	eop1(e, 4, false, 0xff, 4, omem(H_R13, 8));		/* jmp [r13+8] */
}

/* jmp to a new stub of @kind for insn @k (5 bytes); returns the stub */
static struct stub *emit_jmp_stub(struct tctx *x, unsigned int k, uint8_t kind)
{
	struct emit *e = &x->e;
	struct stub *s = add_stub(x);

	e8(e, 0xe9);
	s->patch = e->p;
	e32(e, 0);
	s->kind = kind;
	s->eip = x->t[k].eip;
	s->undone = x->n - k;
	return s;
}

/*
 * Go on when RCX (ECX with @ecx) is zero, else to a stub of @kind for
 * insn @k: jrcxz ok; jmp stub; ok:.  No flags.  Returns the stub.
 */
static struct stub *emit_unless_rcx(struct tctx *x, unsigned int k, bool ecx,
				    uint8_t kind)
{
	struct emit *e = &x->e;

	if (ecx)
		e8(e, 0x67);
	e8(e, 0xe3);
	e8(e, 5);
	return emit_jmp_stub(x, k, kind);
}

/*
 * The probe of an access of @size bytes at offset R14D in segment @seg
 * (a write with @write), for instruction @k (@align16: #GP unless
 * 16-byte aligned; @info for the miss stub, bt.h BT_FILL_*): sets x->m,
 * the host operand at @delta from R14D, [R14 + R10 + delta] (or [R14 +
 * delta] with R14 the host address, in lockstep).  No instruction in it
 * touches the flags (BMI2 RORX, LEA, MOVZX, JRCXZ), so the guest's flags
 * need no saving, and a miss leaves them exact for the interpreter or an
 * exception frame.
 */
static void emit_probe(struct tctx *x, unsigned int k, unsigned int seg,
		       unsigned int size, bool write, bool align16,
		       uint32_t info, int32_t delta)
{
	struct emit *e = &x->e;
	struct stub *s;
	int32_t u = x->user ? X86_TLB_SIZE * 8 : 0;
	int32_t tag = (write ? OFF(ftlb_w) : OFF(ftlb_r)) + u;
	uint8_t *retry;
	static const uint8_t movzx8[] = { 0x0f, 0xb6 };

	if (bt_key_seg(x->key, seg) == BT_SEG_BASED) {
		if (size > 1) {		/* the offset may not wrap at 4 GiB */
			elea(e, true, H_RCX, omem(H_R14, (int32_t)size - 1));
			erorx(e, true, H_RCX, H_RCX, 32);
			emit_unless_rcx(x, k, true, 3);
		}
		emov_load(e, false, H_R11, omem(H_R15, OFF(seg) +
			  (int32_t)(seg * sizeof(struct x86_seg)) +
			  (int32_t)offsetof(struct x86_seg, base)));
		elea(e, false, H_R14, omem_idx(H_R14, H_R11, 0, 0));
	}
	if (align16) {		/* #GP when misaligned: the interpreter's */
		emov_imm32(e, H_RCX, 60);
		eshlx64(e, H_RCX, H_R14, H_RCX);
		emit_unless_rcx(x, k, false, 3);
	}
	retry = erx(e);
	erorx(e, false, H_R11, H_R14, 12);
	einsn(e, 4, false, movzx8, 2, H_R11, oreg(H_R11), false);	/* index */
	emov_load(e, true, H_RCX, omem_idx(H_R15, H_R11, 3, tag));
	elea(e, true, H_RCX, omem_idx(H_R14, H_RCX, 0, (int32_t)size - 1));
	erorx(e, true, H_RCX, H_RCX, 12);	/* ECX: bits 12-43 of last - page */
	s = emit_unless_rcx(x, k, true, 0);
	s->retry = retry;
	s->info = info;
	emov_load(e, true, H_R10, omem_idx(H_R15, H_R11, 3, OFF(ftlb_add) + u));
	if (x->b->lockstep) {
		elea(e, true, H_R14, omem_idx(H_R14, H_R10, 0, 0));
		x->m = omem(H_R14, delta);
	} else {
		x->m = omem_idx(H_R14, H_R10, 0, delta);
	}
}

/* lockstep: log the @size bytes at [r14 + @delta] before a store (no
 * flags used) */
static void emit_log(struct tctx *x, unsigned int size, int32_t delta)
{
	struct emit *e = &x->e;
	static const uint8_t movzx8[] = { 0x0f, 0xb6 }, movzx16[] = { 0x0f, 0xb7 };

	if (!x->b->lockstep)
		return;
	if (size > 8) {		/* 16-byte stores: two entries */
		emit_log(x, 8, delta);
		emit_log(x, 8, delta + 8);
		return;
	}
	elea(e, true, H_R13, omem(H_R14, delta));
	emov_load(e, true, H_R10, omem(H_R15, OFF_SPILL(BT_SPILL_LOG)));
	emov_store(e, true, H_R13, omem(H_R10, 0));
	if (size == 1)
		einsn(e, 4, false, movzx8, 2, H_R11, omem(H_R13, 0), false);
	else if (size == 2)
		einsn(e, 4, false, movzx16, 2, H_R11, omem(H_R13, 0), false);
	else
		emov_load(e, size == 8, H_R11, omem(H_R13, 0));
	emov_store(e, true, H_R11, omem(H_R10, 8));
	eop1(e, 4, true, 0xc7, 0, omem(H_R10, 16));	/* mov qword [r10+16], size */
	e32(e, size);
	elea(e, true, H_R10, omem(H_R10, 24));
	emov_store(e, true, H_R10, omem(H_R15, OFF_SPILL(BT_SPILL_LOG)));
}

/* a memory operand of insn @k: EA, probe (its group's, for a leader; none
 * for another member), log; x->m the host operand */
static void emit_memop(struct tctx *x, unsigned int k, const struct tinsn *t)
{
	if (t->gl < 0) {
		emit_ea(&x->e, &t->in, t->in.disp);
		emit_probe(x, k, t->seg, t->msize, t->mem & 2, t->align16,
			   t->msize | ((t->mem & 2) ? BT_FILL_WRITE : 0), 0);
	} else if (t->gl == (int16_t)k) {
		emit_ea(&x->e, &t->in, t->gdmin);
		emit_probe(x, k, t->seg, t->gspan, t->gwrite, t->galign,
			   t->gspan | (t->gwrite ? BT_FILL_WRITE : 0) |
			   BT_FILL_GROUP | (uint32_t)t->msize << 11 |
			   ((t->mem & 2) ? BT_FILL_LWRITE : 0) |
			   (uint32_t)t->gdelta << 17, t->gdelta);
	} else {
		x->m = x->b->lockstep ? omem(H_R14, t->gdelta) :
			omem_idx(H_R14, H_R10, 0, t->gdelta);
	}
	if (t->mem & 2)
		emit_log(x, t->msize, t->gl < 0 ? 0 : t->gdelta);
}

/* a stack slot at ESP + @off (SS), probed for @write; R14 = host address */
static void emit_stack(struct tctx *x, unsigned int k, int32_t off,
		       unsigned int size, bool write)
{
	elea(&x->e, false, H_R14, omem(H_R9, off));
	emit_probe(x, k, X86_SS, size, write, false,
		   size | (write ? BT_FILL_WRITE : 0), 0);
	if (write)
		emit_log(x, size, 0);
}

/* an exit stub to guest @eip: chainable when in this block's page */
static void emit_exit_jump(struct tctx *x, uint8_t *patch, uint32_t eip)
{
	struct stub *s = add_stub(x);

	s->patch = patch;
	s->eip = eip;
	s->kind = ((eip ^ x->t[0].eip) & ~0xfffu) ? 1 : 2;
	s->info = s->kind == 2 ? BT_EXIT_CHAIN : BT_EXIT_JUMP;
	s->undone = 0;
}

/* the re-encoded ModRM instruction @t; @cl_in_rcx: guest ECX is host RCX */
static void emit_generic(struct tctx *x, const struct tinsn *t, bool cl_in_rcx)
{
	const struct x86_insn *in = &t->in;
	struct emit *e = &x->e;
	unsigned int reg, op = in->op;
	bool movx = op == 0x1b6 || op == 0x1be;
	struct eop rm;

	if (in->flags & X86_IF_LOCK)
		e8(e, 0xf0);
	if (t->regext)
		reg = in->reg & 7;
	else if (t->byteop && !movx)
		reg = host_byte[in->reg & 7];
	else
		reg = hreg_of(in->reg);
	if (!t->regext && cl_in_rcx && (in->reg & 7) == 1)
		reg = H_RCX;
	if (in->flags & X86_IF_MEM) {
		rm = x->m;
	} else {
		unsigned int r = (t->byteop || movx) && op != 0x1b7 && op != 0x1bf ?
				 host_byte[in->rm & 7] : hreg_of(in->rm);

		if (cl_in_rcx && (in->rm & 7) == 1)
			r = H_RCX;
		rm = oreg(r);
	}
	einsn(e, t->byteop ? 4 : in->opsize, false, t->opc, t->nopc, reg, rm, false);
	if (t->immsz)
		eimm(e, in->imm, t->immsz);
}

/*
 * After a host IMUL whose SF ZF AF PF the host leaves undefined
 * differently: the canonical CPU's SZP of the result (BT_SPILL_IMUL) and
 * AF clear, CF and OF as they are.  TEST gives SZP and AF 0 (logic_af_ok);
 * LAHF takes them, with CF put back; ADD remakes OF; SAHF sets the rest
 * without touching OF.  RAX is the guest's: kept in RCX meanwhile (R10
 * and R14 may hold a group's probe).  No POPFQ (slow).
 */
static void emit_imul_fix(struct emit *e, unsigned int sz)
{
	static const uint8_t seto[] = { 0x0f, 0x90 }, setc[] = { 0x0f, 0x92 };
	static const uint8_t movzx8[] = { 0x0f, 0xb6 };

	/* CF and OF as they are now (an instruction after the IMUL may have
	 * written them: RCR, BT, CLC...) */
	einsn(e, 4, false, seto, 2, 0, omem(H_R15, OFF_SPILL(BT_SPILL_OF)), false);
	emov_imm32(e, H_R11, 0);				/* no flags */
	einsn(e, 4, false, setc, 2, 0, oreg(H_R11), true);	/* setc r11b */
	eop1(e, 4, true, 0x89, H_RAX, oreg(H_RCX));		/* mov rcx, rax */
	emov_load(e, true, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_IMUL)));
	eop1(e, sz, false, 0x85, H_R13, oreg(H_R13));		/* test r13, r13 */
	e8(e, 0x9f);						/* lahf */
	eop1(e, 4, false, 0xc1, 4, oreg(H_R11));		/* shl r11d, 8 */
	e8(e, 8);
	eop1(e, 4, false, 0x09, H_R11, oreg(H_RAX));		/* or eax, r11d */
	einsn(e, 4, false, movzx8, 2, H_R11, omem(H_R15, OFF_SPILL(BT_SPILL_OF)), false);
	einsn(e, 4, false, (const uint8_t[]){ 0x80 }, 1, 0, oreg(H_R11), true);
	e8(e, 0x7f);						/* add r11b, 0x7f: OF */
	e8(e, 0x9e);						/* sahf */
	eop1(e, 4, true, 0x89, H_RCX, oreg(H_RAX));		/* mov rax, rcx */
}

/*
 * An IMUL whose undefined flags are live (imul_fix) leaves its result in
 * BT_SPILL_IMUL and a pending fix-up: the canonical flags are made only
 * where something can observe them -- a miss stub (the interpreter, an
 * exception frame), an instruction reading them, a call out, the end of
 * the block -- and never once an instruction overwrote all four.  In a
 * loop like `imul; mov [mem], r; add; jnz` no fix-up code runs at all.
 */
static void pending_before(struct tctx *x, const struct tinsn *t)
{
	const uint16_t u = F_SF | F_ZF | F_AF | F_PF;

	if (!x->pend_imul)
		return;
	if ((t->reads & u) || t->kind == K_HELPER || t->kind == K_INVLPG ||
	    t->kind == K_RDTSC ||
	    t->ends || ((t->writes & u) && (t->writes & u) != u)) {
		emit_imul_fix(&x->e, x->pend_imul);
		x->pend_imul = 0;
	}
}

static void pending_after(struct tctx *x, const struct tinsn *t)
{
	const uint16_t u = F_SF | F_ZF | F_AF | F_PF;

	if (x->pend_imul && (t->writes & u) == u)
		x->pend_imul = 0;
	if (t->imul_fix) {
		emov_store(&x->e, true, hreg_of(t->in.reg),
			   omem(H_R15, OFF_SPILL(BT_SPILL_IMUL)));
		x->pend_imul = t->in.opsize;
	}
}

/* xchg rcx, r8: guest ECX in RCX (or back); no flags */
static void emit_xchg_cx(struct emit *e)
{
	eop1(e, 4, true, 0x87, H_RCX, oreg(H_R8));
}

/* the flags to BT_SPILL_FLAGS (LAHF, SETO; RAX kept in R11) */
static void emit_flags_save(struct emit *e)
{
	static const uint8_t seto[] = { 0x0f, 0x90 };

	eop1(e, 4, true, 0x89, H_RAX, oreg(H_R11));		/* mov r11, rax */
	e8(e, 0x9f);						/* lahf */
	einsn(e, 4, false, seto, 2, 0, oreg(H_RAX), false);	/* seto al */
	emov_store(e, true, H_RAX, omem(H_R15, OFF_SPILL(BT_SPILL_FLAGS)));
	eop1(e, 4, true, 0x89, H_R11, oreg(H_RAX));		/* mov rax, r11 */
}

/* and back: ADD AL, 0x7F makes OF, SAHF the rest */
static void emit_flags_restore(struct emit *e)
{
	eop1(e, 4, true, 0x89, H_RAX, oreg(H_R11));		/* mov r11, rax */
	emov_load(e, true, H_RAX, omem(H_R15, OFF_SPILL(BT_SPILL_FLAGS)));
	e8(e, 0x04);						/* add al, 0x7f */
	e8(e, 0x7f);
	e8(e, 0x9e);						/* sahf */
	eop1(e, 4, true, 0x89, H_R11, oreg(H_RAX));		/* mov rax, r11 */
}

/* @dst = elements of 1 << @lg bytes from linear address R11D to the end
 * of its page (R11 clobbered; flags too) */
static void emit_page_room(struct emit *e, unsigned int dst, unsigned int lg)
{
	eop1(e, 4, false, 0x81, 4, oreg(H_R11));		/* and r11d, 0xfff */
	e32(e, 0xfff);
	emov_imm32(e, dst, 0x1000);
	eop1(e, 4, false, 0x29, H_R11, oreg(dst));		/* sub dst, r11d */
	if (lg) {
		eop1(e, 4, false, 0xc1, 5, oreg(dst));		/* shr dst, lg */
		e8(e, (uint8_t)lg);
	}
}

/*
 * REP MOVS / REP STOS upwards with flat segments, a page at a time: the
 * first element of each operand probed (its miss: the interpreter's fill
 * and #PF, with ECX, ESI, EDI as the iterations done left them), then
 * the host's REP MOVS/STOS over the elements that stay in both pages
 * (element by element in effect, as the interpreter's: an overlapping
 * copy repeats its pattern), then back to this instruction while ECX is
 * not 0.  An element straddling a page is the interpreter's.  Counted
 * once, when it completes (as the interpreter's, up to its 1024-element
 * batches).  The flags are kept aside around the arithmetic.
 */
static void emit_rep(struct tctx *x, unsigned int k)
{
	struct tinsn *t = &x->t[k];
	struct emit *e = &x->e;
	unsigned int op = t->in.op, size = t->msize;
	unsigned int lg = size == 1 ? 0 : size == 2 ? 1 : 2;
	bool movs = op <= 0xa5;
	uint8_t *p;

	/* ECX = 0: nothing (jrcxz done; jmp over; done: jmp next) */
	eop1(e, 4, false, 0x89, H_R8, oreg(H_RCX));		/* mov ecx, r8d */
	e8(e, 0xe3);
	e8(e, 2);
	e8(e, 0xeb);
	e8(e, 5);
	e8(e, 0xe9);
	p = e->p;
	e32(e, 0);
	emit_exit_jump(x, p, t->next);
	if (movs) {
		eop1(e, 4, false, 0x89, H_RSI, oreg(H_R14));	/* mov r14d, esi */
		emit_probe(x, k, t->seg, size, false, false, size, 0);
		emov_store(e, true, H_R14, omem(H_R15, OFF_SPILL(BT_SPILL_SRC)));
		elea(e, true, H_R13, omem_idx(H_R14, H_R10, 0, 0));
		emov_store(e, true, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
	}
	eop1(e, 4, false, 0x89, H_RDI, oreg(H_R14));		/* mov r14d, edi */
	emit_probe(x, k, X86_ES, size, true, false, size | BT_FILL_WRITE, 0);
	emit_flags_save(e);
	/* ECX = elements left in the destination's page */
	eop1(e, 4, false, 0x89, H_R14, oreg(H_R11));		/* mov r11d, r14d */
	emit_page_room(e, H_RCX, lg);
	if (movs) {		/* ... and in the source's */
		emov_load(e, false, H_R11, omem(H_R15, OFF_SPILL(BT_SPILL_SRC)));
		emit_page_room(e, H_R13, lg);
		eop1(e, 4, false, 0x39, H_R13, oreg(H_RCX));	/* cmp ecx, r13d */
		einsn(e, 4, false, (const uint8_t[]){ 0x0f, 0x47 }, 2, H_RCX,
		      oreg(H_R13), false);			/* cmova ecx, r13d */
	}
	eop1(e, 4, false, 0x39, H_R8, oreg(H_RCX));		/* cmp ecx, r8d */
	einsn(e, 4, false, (const uint8_t[]){ 0x0f, 0x47 }, 2, H_RCX,
	      oreg(H_R8), false);				/* cmova ecx, r8d */
	/* none fits (an element straddles a page): the interpreter's */
	eop1(e, 4, false, 0x85, H_RCX, oreg(H_RCX));		/* test ecx, ecx */
	e8(e, 0x75);						/* jnz go */
	p = e->p;
	e8(e, 0);
	emit_flags_restore(e);
	emit_jmp_stub(x, k, 3);
	*p = (uint8_t)(e->p - (p + 1));
	/* go: ECX -= n; host RDI (and RSI) at the operands; REP */
	eop1(e, 4, false, 0x29, H_RCX, oreg(H_R8));		/* sub r8d, ecx */
	eop1(e, 4, false, 0x89, H_RCX, oreg(H_R13));		/* mov r13d, ecx */
	if (lg) {
		eop1(e, 4, false, 0xc1, 4, oreg(H_R13));	/* shl r13d, lg */
		e8(e, (uint8_t)lg);
	}
	eop1(e, 4, true, 0x89, H_RDI, oreg(H_R11));		/* mov r11, rdi */
	elea(e, true, H_RDI, omem_idx(H_R14, H_R10, 0, 0));
	if (movs) {
		epush(e, H_RSI);
		emov_load(e, true, H_RSI, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
	}
	if (size == 2)
		e8(e, 0x66);
	e8(e, 0xf3);
	e8(e, (uint8_t)op);
	if (movs) {
		epop(e, H_RSI);
		eop1(e, 4, false, 0x01, H_R13, oreg(H_RSI));	/* add esi, r13d */
	}
	eop1(e, 4, true, 0x89, H_R11, oreg(H_RDI));		/* mov rdi, r11 */
	eop1(e, 4, false, 0x01, H_R13, oreg(H_RDI));		/* add edi, r13d */
	emit_flags_restore(e);
	/* done: the next instruction; else this one again, uncounted */
	eop1(e, 4, false, 0x89, H_R8, oreg(H_RCX));		/* mov ecx, r8d */
	e8(e, 0xe3);						/* jrcxz done */
	p = e->p;
	e8(e, 0);
	elea(e, true, H_R12, omem(H_R12, -1));
	e8(e, 0xe9);
	e32(e, 0);
	emit_exit_jump(x, e->p - 4, t->eip);
	*p = (uint8_t)(e->p - (p + 1));
	e8(e, 0xe9);
	p = e->p;
	e32(e, 0);
	emit_exit_jump(x, p, t->next);
}

/* one instruction (a branch ends the block with its exits) */
static void emit_insn(struct tctx *x, unsigned int k)
{
	struct tinsn *t = &x->t[k];
	struct x86_insn *in = &t->in;
	struct emit *e = &x->e;
	unsigned int sz = in->opsize, r, op = in->op;
	uint8_t *p;

	switch (t->kind) {
	case K_GENERIC:
		if (t->mem)
			emit_memop(x, k, t);
		emit_generic(x, t, false);
		break;
	case K_STRING: {
		int32_t d = (x->key & BT_KEY_DF) ? -(int32_t)t->msize : t->msize;
		unsigned int size = t->msize, osz = t->byteop ? 4 : sz;
		uint8_t ld = t->byteop ? 0x8a : 0x8b, st = t->byteop ? 0x88 : 0x89;
		uint8_t cmp = t->byteop ? 0x3a : 0x3b;
		bool src = op <= 0xa7 || op == 0xac || op == 0xad;
		bool dst = op != 0xac && op != 0xad;

		if (src) {
			eop1(e, 4, false, 0x89, H_RSI, oreg(H_R14));	/* mov r14d, esi */
			emit_probe(x, k, t->seg, size, false, false, size, 0);
		}
		if (op == 0xac || op == 0xad) {			/* LODS */
			eop1(e, osz, false, ld, H_RAX, x->m);
		} else if (src) {				/* MOVS CMPS */
			eop1(e, osz, false, ld, H_R13, x->m);
			emov_store(e, true, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
		}
		if (dst) {
			bool wr = op <= 0xa5 || op == 0xaa || op == 0xab;

			eop1(e, 4, false, 0x89, H_RDI, oreg(H_R14));	/* mov r14d, edi */
			emit_probe(x, k, X86_ES, size, wr, false,
				   size | (wr ? BT_FILL_WRITE : 0), 0);
			if (wr)
				emit_log(x, size, 0);
			if (src)
				emov_load(e, true, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
			if (op == 0xaa || op == 0xab)		/* STOS */
				eop1(e, osz, false, st, H_RAX, x->m);
			else if (op <= 0xa5)			/* MOVS */
				eop1(e, osz, false, st, H_R13, x->m);
			else if (op >= 0xae)			/* SCAS */
				eop1(e, osz, false, cmp, H_RAX, x->m);
			else					/* CMPS */
				eop1(e, osz, false, cmp, H_R13, x->m);
		}
		if (src)
			elea(e, false, H_RSI, omem(H_RSI, d));
		if (dst)
			elea(e, false, H_RDI, omem(H_RDI, d));
		break;
	}
	case K_REP:
		emit_rep(x, k);
		break;
	case K_SHIFT_CL:
		if (t->mem)
			emit_memop(x, k, t);
		emit_xchg_cx(e);
		emit_generic(x, t, true);
		emit_xchg_cx(e);
		break;
	case K_ONEBYTE:
		if (sz == 2)
			e8(e, 0x66);
		e8(e, (uint8_t)op);
		if (t->immsz)
			eimm(e, in->imm, t->immsz);
		break;
	case K_INCDEC:
		eop1(e, sz, false, 0xff, op >= 0x48 ? 1 : 0, oreg(hreg_of(op & 7)));
		break;
	case K_MOV_RI:
		if (t->byteop) {
			r = host_byte[in->rm & 7];
			if (r & 8)
				e8(e, 0x41);
			e8(e, (uint8_t)(0xb0 | (r & 7)));
			e8(e, (uint8_t)in->imm);
		} else {
			r = hreg_of(in->rm);
			if (sz == 2)
				e8(e, 0x66);
			if (r & 8)
				e8(e, 0x41);
			e8(e, (uint8_t)(0xb8 | (r & 7)));
			eimm(e, in->imm, sz);
		}
		break;
	case K_XCHG_A:
		eop1(e, sz, false, 0x87, H_RAX, oreg(hreg_of(in->rm)));
		break;
	case K_NOP:
		break;
	case K_LEA: {
		unsigned int base = in->base == X86_REG_NONE ? H_NONE : hreg_of(in->base);
		unsigned int index = in->index == X86_REG_NONE ? H_NONE : hreg_of(in->index);

		if (base == H_NONE && index == H_NONE) {
			if (sz == 2) {
				eop1(e, 2, false, 0xc7, 0, oreg(hreg_of(in->reg)));
				e16(e, (uint16_t)in->disp);
			} else {
				emov_imm32(e, hreg_of(in->reg), (uint32_t)in->disp);
			}
		} else {
			eop1(e, sz, false, 0x8d, hreg_of(in->reg),
			     omem_idx(base, index, in->scale, in->disp));
		}
		break;
	}
	case K_BSWAP:
		r = hreg_of(in->rm);
		if (r & 8)
			e8(e, 0x41);
		e8(e, 0x0f);
		e8(e, (uint8_t)(0xc8 | (r & 7)));
		break;
	case K_PUSH_R:
		emit_stack(x, k, -(int32_t)sz, sz, true);
		eop1(e, sz, false, 0x89, hreg_of(in->rm), x->m);
		elea(e, false, H_R9, omem(H_R9, -(int32_t)sz));
		break;
	case K_PUSH_I:
		emit_stack(x, k, -(int32_t)sz, sz, true);
		eop1(e, sz, false, 0xc7, 0, x->m);
		eimm(e, op == 0x6a ? (uint64_t)(int64_t)(int8_t)in->imm : in->imm, sz);
		elea(e, false, H_R9, omem(H_R9, -(int32_t)sz));
		break;
	case K_PUSH_M:		/* FF /6: memory or (FF F0+r) a register */
		if (in->flags & X86_IF_MEM) {
			emit_memop(x, k, t);
			emov_load(e, false, H_R13, x->m);
		} else {
			eop1(e, 4, false, 0x89, hreg_of(in->rm), oreg(H_R13));
		}
		emov_store(e, false, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
		emit_stack(x, k, -4, 4, true);
		emov_load(e, false, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
		emov_store(e, false, H_R13, x->m);
		elea(e, false, H_R9, omem(H_R9, -4));
		break;
	case K_POP_R:
		emit_stack(x, k, 0, sz, false);
		eop1(e, sz, false, 0x8b, H_R13, x->m);
		elea(e, false, H_R9, omem(H_R9, (int32_t)sz));
		eop1(e, sz, false, 0x89, H_R13, oreg(hreg_of(in->rm)));
		break;
	case K_LEAVE:
		elea(e, false, H_R14, omem(H_RBP, 0));
		emit_probe(x, k, X86_SS, 4, false, false, 4, 0);
		emov_load(e, false, H_R13, x->m);
		elea(e, false, H_R9, omem(H_RBP, 4));
		eop1(e, 4, false, 0x89, H_R13, oreg(H_RBP));
		break;
	case K_CALL:
		emit_stack(x, k, -4, 4, true);
		eop1(e, 4, false, 0xc7, 0, x->m);
		e32(e, t->next);
		elea(e, false, H_R9, omem(H_R9, -4));
		e8(e, 0xe9);
		p = e->p;
		e32(e, 0);
		emit_exit_jump(x, p, t->next + (uint32_t)in->imm);
		break;
	case K_JMP:
		e8(e, 0xe9);
		p = e->p;
		e32(e, 0);
		emit_exit_jump(x, p, t->next + (uint32_t)(op == 0xeb ?
				(uint64_t)(int64_t)(int8_t)in->imm : in->imm));
		break;
	case K_JCC:
		e8(e, 0x0f);
		e8(e, (uint8_t)(0x80 | (op & 15)));
		p = e->p;
		e32(e, 0);
		emit_exit_jump(x, p, t->next + (uint32_t)(op < 0x100 ?
				(uint64_t)(int64_t)(int8_t)in->imm : in->imm));
		e8(e, 0xe9);
		p = e->p;
		e32(e, 0);
		emit_exit_jump(x, p, t->next);
		break;
	case K_RET:
		emit_stack(x, k, 0, 4, false);
		emov_load(e, false, H_R11, x->m);
		elea(e, false, H_R9, omem(H_R9, 4 + (op == 0xc2 ? (int32_t)(uint16_t)in->imm : 0)));
		emit_jc_jump(x);
		break;
	case K_HELPER:
		elea(e, true, H_R12, omem(H_R12, -(int32_t)(x->n - k)));
		emov_imm32(e, H_R14, x->key);	/* the mode it must stay in */
		emov_imm32(e, H_R11, t->eip);
		emov_imm32(e, H_R10, t->next);
		ecall(e, x->rt->helper);
		if (x->n - k - 1)
			elea(e, true, H_R12, omem(H_R12, (int32_t)(x->n - k - 1)));
		break;
	case K_INVLPG:
		emit_ea(e, in, in->disp);
		emov_load(e, false, H_R11, omem(H_R15, OFF(seg) +
			  (int32_t)(t->seg * sizeof(struct x86_seg)) +
			  (int32_t)offsetof(struct x86_seg, base)));
		elea(e, false, H_R14, omem_idx(H_R14, H_R11, 0, 0));
		elea(e, true, H_R12, omem(H_R12, -(int32_t)(x->n - k)));
		emov_imm32(e, H_R11, t->eip);
		emov_imm32(e, H_R10, t->next);
		ecall(e, x->rt->invlpg);
		if (x->n - k - 1)
			elea(e, true, H_R12, omem(H_R12, (int32_t)(x->n - k - 1)));
		break;
	case K_SSE: {
		/* guest XMM0-7 are the host's (bt.h rt[1]); alignment was
		 * checked by the probe, so MOVDQA may be MOVDQU */
		struct eop src = oreg(in->rm & 7);
		static const uint8_t ld[] = { 0x0f, 0x6f }, st[] = { 0x0f, 0x7f };

		if (t->mem)
			emit_memop(x, k, t);
		if (t->mem)
			src = x->m;
		switch (op) {
		case 0x16e:		/* MOVD xmm, r/m32 */
		case 0x17e:		/* MOVD r/m32, xmm */
			einsn(e, 2, false, t->opc, 2, in->reg & 7,
			      t->mem ? src : oreg(hreg_of(in->rm)), false);
			break;
		case 0x1d7:		/* PMOVMSKB r32, xmm */
			einsn(e, 2, false, t->opc, 2, hreg_of(in->reg), src, false);
			break;
		case 0x16f:		/* MOVDQA/MOVDQU xmm, xmm/m128 */
		case 0x17f:		/* MOVDQA/MOVDQU xmm/m128, xmm */
			e8(e, 0xf3);
			einsn(e, 4, false, op == 0x16f ? ld : st, 2, in->reg & 7,
			      src, false);
			break;
		default:		/* op xmm, xmm/m128 (PSHUFD: , imm8) */
			einsn(e, 2, false, t->opc, 2, in->reg & 7, src, false);
			if (op == 0x170)
				e8(e, (uint8_t)in->imm);
			break;
		}
		break;
	}
	case K_RDTSC:
		elea(e, true, H_R12, omem(H_R12, -(int32_t)(x->n - k)));
		emov_imm32(e, H_R11, t->eip);
		emov_imm32(e, H_R10, t->next);
		ecall(e, op == 0x131 ? x->rt->rdtsc : x->rt->rdtscp);
		if (x->n - k - 1)
			elea(e, true, H_R12, omem(H_R12, (int32_t)(x->n - k - 1)));
		break;
	case K_JMP_M:
	case K_CALL_M:
		if (in->flags & X86_IF_MEM) {
			emit_memop(x, k, t);
			emov_load(e, false, H_R13, x->m);
		} else {
			eop1(e, 4, false, 0x89, hreg_of(in->rm), oreg(H_R13));
		}
		if (t->kind == K_CALL_M) {
			emov_store(e, false, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
			emit_stack(x, k, -4, 4, true);
			eop1(e, 4, false, 0xc7, 0, x->m);
			e32(e, t->next);
			elea(e, false, H_R9, omem(H_R9, -4));
			emov_load(e, false, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_TMP)));
		}
		eop1(e, 4, false, 0x89, H_R13, oreg(H_R11));
		emit_jc_jump(x);
		break;
	}
}

/* out-of-line code: misses and exits */
static void emit_stubs(struct tctx *x)
{
	struct emit *e = &x->e;

	for (unsigned int i = 0; i < x->nstubs; i++) {
		struct stub *s = &x->stubs[i];

		epatch32(s->patch, erx(e), s->patch + e->delta + 4);
		switch (s->kind) {
		case 0:		/* TLB miss: fill and retry, or interpret */
			if (s->imul)
				emit_imul_fix(e, s->imul);
			if (s->undone)
				elea(e, true, H_R12, omem(H_R12, -(int32_t)s->undone));
			emov_imm32(e, H_R11, s->eip);
			emov_imm32(e, H_R10, s->info);
			emov_imm32(e, H_R13, x->block);
			ecall(e, x->rt->fill);
			if (s->undone)
				elea(e, true, H_R12, omem(H_R12, (int32_t)s->undone));
			ejmp(e, s->retry);
			break;
		case 3:		/* interpret this instruction */
			if (s->imul)
				emit_imul_fix(e, s->imul);
			if (s->undone)
				elea(e, true, H_R12, omem(H_R12, -(int32_t)s->undone));
			emov_imm32(e, H_R11, s->eip);
			emov_imm32(e, H_R10, BT_EXIT_STEP);
			ejmp(e, x->rt->exit);
			break;
		default:	/* leave for guest EIP s->eip */
			if (s->kind == 2) {
				/* lea r13, [rip + disp32]: the jump to patch */
				e8(e, 0x4c);
				e8(e, 0x8d);
				e8(e, 0x2d);
				e32(e, (uint32_t)((s->patch + e->delta) - (erx(e) + 4)));
			}
			emov_imm32(e, H_R11, s->eip);
			if (s->kind == 1) {	/* another page: the jump cache */
				emit_jc_jump(x);
				break;
			}
			emov_imm32(e, H_R10, s->info);
			ejmp(e, x->rt->exit);
			break;
		}
	}
}

/* ---- a block */

static void make_helper(struct tinsn *t)
{
	t->kind = K_HELPER;
	t->imul_fix = false;
	t->reads = F_ALL;
	t->writes = t->undef = 0;
	t->mem = 0;
	t->ends = false;
}

struct bt_block *bt_translate(struct bt *b, struct x86_cpu *c, uint32_t eip,
			      uint64_t gpa, const uint8_t *page, uint32_t key)
{
	struct tinsn ts[BT_MAX_INSNS];
	struct tctx xs, *x = &xs;
	struct bt_block *k;
	unsigned int off = eip & 0xfff, i, n = 0;
	uint32_t end_eip;
	uint8_t *entry, *budget;
	bool stop_step = false;

	/* pass 1: decode and classify; what the generator does not handle
	 * goes to the interpreter in line */
	while (n < BT_MAX_INSNS && off < 0x1000) {
		struct tinsn *t = &ts[n];

		if (x86_decode(page + off, 0x1000 - off, X86_DMODE_CODE32,
			       &t->in) != X86_DEC_OK)
			break;			/* the interpreter says why */
		t->eip = eip + (off - (eip & 0xfff));
		t->next = t->eip + t->in.len;
		if (!classify(b, t, key) || !generic_regs_ok(t) ||
		    (b->lockstep && t->kind == K_RDTSC)) {
			if (b->lockstep) {
				/* lockstep reruns blocks: an I/O instruction
				 * (or a clock read) must run once, at the end
				 * of one */
				stop_step = true;
				break;
			}
			make_helper(t);
		}
		t->gl = -1;
		off += t->in.len;
		n++;
		if (t->ends)
			break;
	}

	/* pass 2: undefined flags must be dead; interpret those that are not */
	x->t = ts;
	x->n = n;
	for (;;) {
		liveness(x);
		for (i = 0; i < n; i++)
			if (ts[i].undef & ts[i].live_out)
				break;
		if (i == n)
			break;
		if (ts[i].kind == K_GENERIC && !b->imul_exact && b->logic_af_ok &&
		    (ts[i].in.op == 0x1af || ts[i].in.op == 0x69 ||
		     ts[i].in.op == 0x6b)) {
			ts[i].imul_fix = true;	/* canonical flags after it */
			ts[i].undef = 0;
			ts[i].writes = F_ALL;
			continue;
		}
		if (b->lockstep) {
			x->n = n = i;
			stop_step = true;
			continue;
		}
		make_helper(&ts[i]);
	}
	end_eip = n ? ts[n - 1].next : eip;
	x->b = b;
	if (b->grp_fail && (gpa >> 12) < c->code_pages_n &&
	    b->grp_fail[gpa >> 12] == 255)
		for (i = 0; i < n; i++)
			ts[i].gl = -1;
	else
		make_groups(x);
	/* group members cannot leave: an IMUL whose undefined flags only
	 * they could have seen needs no canonical flags after all */
	liveness(x);
	for (i = 0; i < n; i++)
		if (ts[i].imul_fix && !(ts[i].live_out &
					(F_SF | F_ZF | F_AF | F_PF))) {
			ts[i].imul_fix = false;
			ts[i].writes = F_CF | F_OF;
		}

	/* pass 3: code */
	k = &b->blocks[b->nblocks];
	memset(k, 0, sizeof(*k));
	k->gpa = gpa;
	k->eip = eip;
	k->key = key;
	k->ninsns = (uint16_t)n;
	if (!n) {
		k->step_only = true;
		b->nblocks++;
		return k;
	}
	x->c = c;
	x->block = b->nblocks;
	x->rt = bt_rt_of(b, key);
	x->key = key;
	x->user = key & BT_KEY_USER;
	x->nstubs = 0;
	x->e = (struct emit){ .p = b->rw + b->used,
			      .end = b->rw + b->used + BT_BLOCK_ROOM,
			      .delta = b->rx - b->rw };
	/* budget: out when R12 reaches 0 */
	budget = x->e.p;
	emov_imm32(&x->e, H_R11, eip);
	emov_imm32(&x->e, H_R10, BT_EXIT_BUDGET);
	ejmp(&x->e, x->rt->exit);
	entry = x->e.p;
	erorx(&x->e, true, H_RCX, H_R12, 32);	/* R12 >= 0: budget used up */
	e8(&x->e, 0x67);
	e8(&x->e, 0xe3);				/* jecxz budget */
	e8(&x->e, (uint8_t)(budget - (x->e.p + 1)));
	elea(&x->e, true, H_R12, omem(H_R12, (int32_t)n));
	x->pend_imul = 0;
	for (i = 0; i < n; i++) {
		pending_before(x, &ts[i]);
		emit_insn(x, i);
		pending_after(x, &ts[i]);
	}
	if (x->pend_imul)	/* the next block or the interpreter sees them */
		emit_imul_fix(&x->e, x->pend_imul);
	if (stop_step) {		/* lockstep: the interpreter's turn */
		emov_imm32(&x->e, H_R11, end_eip);
		emov_imm32(&x->e, H_R10, BT_EXIT_STEP);
		ejmp(&x->e, x->rt->exit);
	} else if (!ts[n - 1].ends) {	/* fell off the block: go on */
		uint8_t *p;

		e8(&x->e, 0xe9);
		p = x->e.p;
		e32(&x->e, 0);
		emit_exit_jump(x, p, end_eip);
	}
	emit_stubs(x);
	if (x->e.full)
		return NULL;
	k->code = entry + (b->rx - b->rw);
	b->used = (uint32_t)(((x->e.p - b->rw) + 15) & ~15u);
	b->nblocks++;
	return k;
}
