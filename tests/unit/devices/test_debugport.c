// SPDX-License-Identifier: GPL-2.0-only
/* test_debugport.c --- POST code port 0x80 and debug console 0x402 */
#include "devices/debugport.h"
#include "tests/unit/devices/dev_fixture.h"

struct con_rec {
	char		buf[32];
	unsigned int	n;
};

static void con_cb(void *opaque, unsigned int unit, uint8_t b)
{
	struct con_rec *r = opaque;

	if (r->n < sizeof(r->buf) - 1)
		r->buf[r->n++] = (char)b;
}

static void test_debugport_post(void)
{
	struct fx f;
	struct debugport *d;
	uint8_t hist[DEBUGPORT_HISTORY];

	fx_init(&f);
	d = fx_dev(&f, &debugport_dev, &(struct dev_cfg){
		.priv = &(struct debugport_cfg){ .console = true } });
	T_EQ(debugport_post_code(d), 0);
	T_EQ(debugport_post_history(d, hist, 4), 0);
	for (unsigned int i = 1; i <= 20; i++)
		outb(&f, 0x80, (uint8_t)i);
	T_EQ(debugport_post_code(d), 20);
	T_EQ(inb(&f, 0x80), 20);
	T_EQ(debugport_post_history(d, hist, 3), 3);
	T_EQ(hist[0], 18);
	T_EQ(hist[2], 20);
	T_EQ(debugport_post_history(d, hist, 100), DEBUGPORT_HISTORY);
	T_EQ(hist[0], 20 - DEBUGPORT_HISTORY + 1);
	/* no callback: console stays off, reads 0xff */
	T_EQ(inb(&f, 0x402), 0xff);
	outb(&f, 0x402, 'x');
	dev_reset(d);
	T_EQ(inb(&f, 0x80), 0);
	dev_destroy(d);
	T_ASSERT(!iospace_claimed(f.pio, 0x80));
	T_ASSERT(!iospace_claimed(f.pio, 0x402));
	fx_fini(&f);
}

static void test_debugport_console(void)
{
	struct fx f;
	struct debugport *d;
	struct con_rec r = { { 0 }, 0 };
	struct dev_host host = { .tx = con_cb, .opaque = &r };

	fx_init(&f);
	d = fx_dev(&f, &debugport_dev, &(struct dev_cfg){ .host = &host });
	T_EQ(inb(&f, 0x402), 0xff);		/* off by default */
	outb(&f, 0x402, 'n');
	T_EQ(r.n, 0);
	debugport_set_console(d, true);
	T_EQ(inb(&f, 0x402), 0xe9);
	outb(&f, 0x402, 'o');
	outb(&f, 0x402, 'k');
	T_EQ(r.n, 2);
	T_ASSERT(r.buf[0] == 'o' && r.buf[1] == 'k');
	T_ASSERT(dev_create(&debugport_dev, &f.env, &(struct dev_cfg){ 0 },
			    &(void *){ NULL }) == -EEXIST);
	dev_destroy(d);
	fx_fini(&f);
}

static const struct t_case cases[] = {
	T_CASE(test_debugport_post),
	T_CASE(test_debugport_console),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
