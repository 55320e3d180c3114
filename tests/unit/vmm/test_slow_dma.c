// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_slow_dma.c --- timer interrupts keep arriving while a slow disk
 * serves a long bus-master DMA read
 *
 * The whole VMM: vm_create() with the interpreter engine, the tests/boot
 * payload dma_slow.bin as firmware, and as primary master a pattern disk
 * behind rawdisk's fault back end with an artificial delay before every
 * read (two 128 KiB requests of DELAY_MS each).  The guest programs the
 * 8254 at 1 kHz, starts a 512-sector READ DMA EXT and counts the ticks
 * until the completion interrupt, then checks every sector.  With the disk
 * on the vCPU thread the DMA ran inside one port write and no tick could
 * arrive; off it, about a tick per millisecond of disk time does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "tests/unit/harness.h"
#include "vmm/vmm.h"

#define NSECT		1024		/* the payload reads the first 512 */
#define DELAY_MS	250ULL
#define MIN_TICKS	100		/* of about 2 * DELAY_MS at 1 kHz */

static void make_disk(const char *path)
{
	uint32_t s[128];
	FILE *fp = fopen(path, "wb");

	T_ASSERT(fp);
	for (uint32_t n = 0; n < NSECT; n++) {
		for (unsigned int i = 0; i < 128; i++)
			s[i] = n * 0x01000193u + i;
		s[0] = n;
		s[127] = ~n;
		T_ASSERT(fwrite(s, sizeof(s), 1, fp) == 1);
	}
	T_ASSERT(fclose(fp) == 0);
}

static void test_timer_during_slow_dma(void)
{
	struct rd_fault_cfg slow = { .delay_ns = DELAY_MS * 1000000ULL };
	const char *build = getenv("BUILD");
	char payload[1024], img[512], serial[512], out[4096], why[256];
	struct rd_disk *file, *disk;
	unsigned int ticks = 0, bsy = 0;
	struct vm_config cfg;
	enum vm_result res;
	struct vm *vm;
	char *p;
	int fd, status;
	ssize_t n;

	snprintf(payload, sizeof(payload), "%s/tests/boot/dma_slow.bin",
		 build ? build : "build");
	if (access(payload, R_OK)) {
		t_skip("%s not built (make unit-tests builds it with GNU as)",
		       payload);
		return;
	}
	snprintf(img, sizeof(img), "%s/disk.img", t_tmpdir());
	snprintf(serial, sizeof(serial), "%s/serial.out", t_tmpdir());
	make_disk(img);
	T_EQ(rd_file_open(img, RD_RDONLY, &file, why, sizeof(why)), 0);
	T_EQ(rd_fault_open(file, true, &slow, &disk), 0);
	cfg = (struct vm_config){
		.engine = "interp", .ram_mib = 16, .serial = serial,
		.bios = payload, .timeout_sec = 60, .disk = { disk },
		.rtc_epoch = 1700000000,
	};
	T_EQ(vm_create(&cfg, &vm, why, sizeof(why)), 0);
	res = vm_run(vm, why, sizeof(why));
	status = vm_exit_status(vm);
	vm_destroy(vm);
	rd_close(disk);
	fd = open(serial, O_RDONLY);
	T_ASSERT(fd >= 0);
	n = read(fd, out, sizeof(out) - 1);
	close(fd);
	out[n > 0 ? n : 0] = 0;
	for (p = out; *p; p++)			/* one log line, no "PASS" */
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	printf("# guest said: %s\n", out);
	T_EQ(res, VM_POWEROFF);
	T_EQ(status, 0);
	p = strstr(out, "ticks ");
	T_ASSERT(p && sscanf(p, "ticks %x bsy %x", &ticks, &bsy) == 2);
	T_ASSERT(strstr(out, "PASS dma_slow") != NULL);
	T_ASSERT(ticks >= MIN_TICKS);		/* the timer kept running */
	T_ASSERT(bsy >= 1);			/* the drive showed BSY */
}

static const struct t_case cases[] = {
	T_CASE(test_timer_during_slow_dma),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
