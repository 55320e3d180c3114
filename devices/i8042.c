// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8042.c --- Intel 8042 keyboard controller (PC/AT + PS/2 aux port)
 *
 * Models the controller side of the IBM PC/AT keyboard interface (IBM PS/2
 * Hardware Interface Technical Reference, "Keyboard/Auxiliary Device
 * Controller"): status register, command byte (controller RAM byte 0),
 * controller commands 20-3F/60-7F RAM access, A7/A8/A9 aux disable/enable/
 * test, AA self-test (55), AB interface test, AD/AE keyboard disable/enable,
 * C0 input port, D0/D1 output port, D2/D3 write keyboard/aux output buffer,
 * D4 write to aux device, DD/DF A20 and F0-FF output-port pulses (FE resets
 * the CPU).  One output buffer is filled from controller responses, then the
 * keyboard, then the mouse; IRQ1/IRQ12 are asserted while it holds an
 * enabled byte.  Keyboard bytes are translated from set 2 to set 1 while
 * command byte bit 6 is set.  The devices themselves live in ps2.c.
 */
#include "devices/i8042.h"
#include "devices/ps2.h"

#define KBC_ST_OBF	0x01	/* output buffer full */
#define KBC_ST_SYS	0x04	/* system flag */
#define KBC_ST_A2	0x08	/* last write was to the command port */
#define KBC_ST_INH	0x10	/* 1 = keyboard not inhibited */
#define KBC_ST_AUXB	0x20	/* output buffer holds aux data */
#define KBC_CB_KBDINT	0x01	/* command byte: IRQ1 enabled */
#define KBC_CB_AUXINT	0x02	/* IRQ12 enabled */
#define KBC_CB_SYS	0x04
#define KBC_CB_KBDDIS	0x10	/* keyboard clock disabled */
#define KBC_CB_AUXDIS	0x20	/* aux clock disabled */
#define KBC_CB_XLATE	0x40	/* set 2 -> set 1 translation */
#define KBC_OP_RESET	0x01	/* output port: 0 = CPU reset asserted */
#define KBC_OP_A20	0x02
#define KBC_OP_KBDOBF	0x10
#define KBC_OP_AUXOBF	0x20
#define KBC_RAM_SIZE	32
#define KBC_CQ_SIZE	8
#define KBC_CQ_AUX	0x100	/* controller queue entry is aux data */

struct i8042 {
	struct ps2_kbd	kbd;
	struct ps2_mouse mouse;
	uint8_t		ram[KBC_RAM_SIZE];	/* [0] is the command byte */
	uint16_t	cq[KBC_CQ_SIZE];	/* controller responses */
	unsigned int	cq_head, cq_count;	/* ring position, <= KBC_CQ_SIZE */
	uint8_t		obuf;		/* output buffer (port 0x60) */
	bool		obf;		/* output buffer full */
	bool		obf_aux;	/* ... with aux data */
	bool		a2;		/* last write was a command */
	bool		xlate_break;	/* translation saw an F0 prefix */
	uint8_t		outport;	/* output port (A20, reset) */
	uint8_t		pending;	/* command awaiting a data byte, or 0 */
	bool		irq1_level, irq12_level;
	struct irq_line	irq1, irq12;
	const struct dev_host *host;	/* A20 and reset, or NULL */
};

static void kbc_update_irq(struct i8042 *k)
{
	bool l1 = k->obf && !k->obf_aux && (k->ram[0] & KBC_CB_KBDINT);
	bool l12 = k->obf && k->obf_aux && (k->ram[0] & KBC_CB_AUXINT);

	if (l1 != k->irq1_level) {
		k->irq1_level = l1;
		irq_set(&k->irq1, l1);
	}
	if (l12 != k->irq12_level) {
		k->irq12_level = l12;
		irq_set(&k->irq12, l12);
	}
}

static void kbc_respond(struct i8042 *k, uint16_t v)
{
	if (k->cq_count >= KBC_CQ_SIZE)
		return;
	k->cq[(k->cq_head + k->cq_count) % KBC_CQ_SIZE] = v;
	k->cq_count++;
}

/* Next translated keyboard byte, or false when none is ready. */
static bool kbc_kbd_byte(struct i8042 *k, uint8_t *b)
{
	while (ps2_queue_pop(&k->kbd.q, b)) {
		if (!(k->ram[0] & KBC_CB_XLATE))
			return true;
		if (*b == 0xf0) {
			k->xlate_break = true;
			continue;
		}
		*b = ps2_xlate(*b);
		if (k->xlate_break)
			*b |= 0x80;
		k->xlate_break = false;
		return true;
	}
	return false;
}

/* Move the next byte into an empty output buffer. */
static void kbc_refill(struct i8042 *k)
{
	uint8_t b;

	if (k->obf)
		return;
	if (k->cq_count) {
		uint16_t v = k->cq[k->cq_head];

		k->cq_head = (k->cq_head + 1) % KBC_CQ_SIZE;
		k->cq_count--;
		k->obuf = (uint8_t)v;
		k->obf_aux = v & KBC_CQ_AUX;
		k->obf = true;
	} else if (!(k->ram[0] & KBC_CB_KBDDIS) && kbc_kbd_byte(k, &b)) {
		k->obuf = b;
		k->obf_aux = false;
		k->obf = true;
	} else if (!(k->ram[0] & KBC_CB_AUXDIS) &&
		   ps2_queue_pop(&k->mouse.q, &b)) {
		k->obuf = b;
		k->obf_aux = true;
		k->obf = true;
	}
}

static void kbc_sync(struct i8042 *k)
{
	kbc_refill(k);
	kbc_update_irq(k);
}

static void kbc_set_outport(struct i8042 *k, uint8_t val)
{
	uint8_t old = k->outport;

	k->outport = val;
	if ((old ^ val) & KBC_OP_A20)
		dev_host_set_a20(k->host, val & KBC_OP_A20);
	if (!(val & KBC_OP_RESET)) {
		k->outport |= KBC_OP_RESET;	/* a pulse, not a latch */
		dev_host_reset(k->host, false);
	}
}

static uint8_t kbc_outport(const struct i8042 *k)
{
	uint8_t v = k->outport & ~(KBC_OP_KBDOBF | KBC_OP_AUXOBF);

	if (k->obf)
		v |= k->obf_aux ? KBC_OP_AUXOBF : KBC_OP_KBDOBF;
	return v;
}

static void kbc_command(struct i8042 *k, uint8_t cmd)
{
	if (cmd >= 0x20 && cmd < 0x40) {
		kbc_respond(k, k->ram[cmd & 0x1f]);
		return;
	}
	if ((cmd >= 0x60 && cmd < 0x80) || cmd == 0xd1 || cmd == 0xd2 ||
	    cmd == 0xd3 || cmd == 0xd4) {
		k->pending = cmd;
		return;
	}
	if (cmd >= 0xf0) {	/* pulse output bits whose mask bit is 0 */
		if (!(cmd & 1))
			kbc_set_outport(k, k->outport & ~KBC_OP_RESET);
		return;
	}
	switch (cmd) {
	case 0xa7:
		k->ram[0] |= KBC_CB_AUXDIS;
		break;
	case 0xa8:
		k->ram[0] &= ~KBC_CB_AUXDIS;
		break;
	case 0xa9:	/* aux interface test: no error */
	case 0xab:	/* keyboard interface test: no error */
		kbc_respond(k, 0x00);
		break;
	case 0xa4:	/* password installed? no */
		kbc_respond(k, 0xf1);
		break;
	case 0xaa:
		k->ram[0] |= KBC_CB_SYS;
		kbc_respond(k, 0x55);
		break;
	case 0xad:
		k->ram[0] |= KBC_CB_KBDDIS;
		break;
	case 0xae:
		k->ram[0] &= ~KBC_CB_KBDDIS;
		break;
	case 0xc0:	/* input port: keyboard not locked */
		kbc_respond(k, 0x80);
		break;
	case 0xd0:
		kbc_respond(k, kbc_outport(k));
		break;
	case 0xdd:
		kbc_set_outport(k, k->outport & ~KBC_OP_A20);
		break;
	case 0xdf:
		kbc_set_outport(k, k->outport | KBC_OP_A20);
		break;
	case 0xe0:	/* test inputs */
		kbc_respond(k, 0x00);
		break;
	default:	/* unknown: ignored, as most 8042 firmware does */
		break;
	}
}

static void kbc_data(struct i8042 *k, uint8_t val)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd >= 0x60 && cmd < 0x80) {
		k->ram[cmd & 0x1f] = val;
		return;
	}
	switch (cmd) {
	case 0xd1:
		kbc_set_outport(k, val);
		break;
	case 0xd2:
		kbc_respond(k, val);
		break;
	case 0xd3:
		kbc_respond(k, KBC_CQ_AUX | val);
		break;
	case 0xd4:
		k->ram[0] &= ~KBC_CB_AUXDIS;
		ps2_mouse_write(&k->mouse, val);
		break;
	default:	/* no pending command: to the keyboard */
		k->ram[0] &= ~KBC_CB_KBDDIS;
		ps2_kbd_write(&k->kbd, val);
		break;
	}
}

static uint64_t kbc_status_read(void *opaque, uint64_t off,
				unsigned int size)
{
	struct i8042 *k = opaque;
	uint8_t v = KBC_ST_INH;

	kbc_sync(k);
	if (k->obf)
		v |= KBC_ST_OBF | (k->obf_aux ? KBC_ST_AUXB : 0);
	if (k->ram[0] & KBC_CB_SYS)
		v |= KBC_ST_SYS;
	if (k->a2)
		v |= KBC_ST_A2;
	return v;
}

static void kbc_cmd_write(void *opaque, uint64_t off, uint64_t val,
			  unsigned int size)
{
	struct i8042 *k = opaque;

	k->a2 = true;
	k->pending = 0;
	kbc_command(k, (uint8_t)val);
	kbc_sync(k);
}

static uint64_t kbc_data_read(void *opaque, uint64_t off, unsigned int size)
{
	struct i8042 *k = opaque;
	uint8_t v = k->obuf;

	k->obf = false;
	kbc_update_irq(k);	/* lower first: the next byte is a new edge */
	kbc_sync(k);
	return v;
}

static void kbc_data_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned int size)
{
	struct i8042 *k = opaque;

	k->a2 = false;
	kbc_data(k, (uint8_t)val);
	kbc_sync(k);
}

static const struct io_ops kbc_data_ops = {
	.read = kbc_data_read, .write = kbc_data_write, .widths = IO_W8,
};

static const struct io_ops kbc_cmd_ops = {
	.read = kbc_status_read, .write = kbc_cmd_write, .widths = IO_W8,
};

/* two 1-byte ranges: 0x61-0x63 belong to port B and others */
static const struct io_range kbc_ranges[] = {
	{ I8042_DATA_PORT, 1, &kbc_data_ops },
	{ I8042_CMD_PORT, 1, &kbc_cmd_ops },
};

void i8042_key_event(void *kbd, unsigned int keycode, bool down)
{
	struct i8042 *k = kbd;

	ps2_kbd_key(&k->kbd, keycode, down);
	kbc_sync(k);
}

void i8042_mouse_event(void *kbd, int dx, int dy, int dz,
		       unsigned int buttons)
{
	struct i8042 *k = kbd;

	ps2_mouse_event(&k->mouse, dx, dy, dz, buttons);
	kbc_sync(k);
}

static const struct input_ops i8042_input_ops = {
	.key	= i8042_key_event,
	.mouse	= i8042_mouse_event,
};

bool i8042_a20(struct i8042 *k)
{
	return k->outport & KBC_OP_A20;
}

static void i8042_reset(void *dev)
{
	struct i8042 *k = dev;

	ps2_kbd_reset(&k->kbd);
	ps2_mouse_reset(&k->mouse);
	for (unsigned int i = 0; i < KBC_RAM_SIZE; i++)
		k->ram[i] = 0;
	k->ram[0] = KBC_CB_KBDINT | KBC_CB_AUXINT | KBC_CB_XLATE;
	k->cq_head = k->cq_count = 0;
	k->obf = false;
	k->obf_aux = false;
	k->a2 = false;
	k->xlate_break = false;
	k->pending = 0;
	k->outport = KBC_OP_RESET | KBC_OP_A20;
	kbc_sync(k);
}

static int i8042_init(void *dev, const struct dev_env *env,
		      const struct dev_cfg *cfg)
{
	struct i8042 *k = dev;

	k->irq1 = cfg->irq[0];
	k->irq12 = cfg->irq[1];
	k->host = cfg->host;
	return 0;
}

const struct dev_ops i8042_dev = {
	.name = "i8042", .size = sizeof(struct i8042),
	.init = i8042_init, .reset = i8042_reset,
	.ranges = kbc_ranges, .nranges = 2,
	.input = &i8042_input_ops,
};
