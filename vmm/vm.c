// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm.c --- the run loop: one engine, one machine, disks, timers, console,
 * signals
 *
 * The machine and the engine live on this thread (the vCPU thread); each
 * disk has an I/O thread (blk_rd.c) that only runs disk requests.  Each
 * iteration runs the done() of finished disk requests, fires due timers,
 * runs the engine until the next timer deadline (capped to a short slice
 * so input and signals are noticed), then services what the engine stopped
 * for: halt (sleep in ppoll() until the next deadline, a disk completion,
 * input or a signal), reset, power-off, errors.  An I/O thread that
 * finishes a request writes an eventfd and kicks the engine, so neither a
 * halted nor a running guest waits a slice for its disk.  SIGINT/SIGTERM/
 * SIGHUP are blocked and read from a signalfd, so no signal handler
 * touches VM state and the terminal is always restored.
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "board/board.h"
#include "vmm/blk_rd.h"
#include "vmm/console.h"
#include "vmm/display.h"
#include "vmm/engines.h"
#include "vmm/net.h"
#include "vmm/vmm.h"

#define VM_SLICE_NS	10000000ULL	/* max time in one engine run */
#define VM_IDLE_NS	100000000ULL	/* max sleep while halted */
#define VM_RESET_MAX	8		/* resets per second before giving up */
#define VM_DISP_POLL_NS	10000000ULL	/* display input poll period */
#define VM_NBLK		(VM_MAX_DISKS + 1)	/* disks + the CD-ROM */

struct vm {
	struct vm_config	cfg;		/* copy */
	struct efi_boot_target	efi_boot;	/* machine_cfg.efi_boot */
	struct machine		*m;		/* the PC */
	const struct engine_ops	*eops;		/* chosen engine */
	struct engine		*eng;		/* its state */
	struct console		*con;		/* COM1 host side */
	int			sfd;		/* signalfd, -1 if none */
	int			efd;		/* eventfd: I/O completed */
	struct blk_rd		*blk[VM_NBLK];	/* disks, then the CD */
	struct net_be		*net;		/* the NIC's back end or NULL */
	sigset_t		oldmask;	/* restored at destroy */
	uint8_t			in[64];		/* input not yet accepted */
	size_t			nin;		/* bytes in in[] */
	bool			in_eof;		/* stdin closed */
	bool			quit;		/* stop requested */
	uint64_t		resets[VM_RESET_MAX];	/* recent reset times */
	unsigned int		nresets;	/* resets so far */
	void			*disp;		/* open display, or NULL */
	uint64_t		disp_poll;	/* next input poll (host ns) */
	uint64_t		disp_draw;	/* next refresh (host ns) */
	FILE			*dbgcon;	/* --debugcon file, or NULL */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void vm_serial_out(void *opaque, unsigned int com, uint8_t byte)
{
	struct vm *vm = opaque;

	if (com == 0 && vm->con)
		console_put(vm->con, byte);
}

/* The firmware debug console: the --debugcon file, or stderr when only
 * DUALVM_DEBUGCON is set. */
static void vm_debug_out(void *opaque, uint8_t byte)
{
	struct vm *vm = opaque;

	fputc(byte, vm->dbgcon ? vm->dbgcon : stderr);
}

/* --post-codes: one line per POST code (the terminal may be raw: CR LF) */
static void vm_post_out(void *opaque, uint8_t code)
{
	fprintf(stderr, "dualvm: POST %02x\r\n", code);
}

/* --log-unclaimed: accesses no device claims, one line each */
static void vm_io_log(void *opaque, const char *line)
{
	fprintf(stderr, "dualvm: %s\r\n", line);
}

/* Pick the engine named in the config.  0, -ENOSYS or -errno. */
static int pick_engine(struct vm *vm, char *why, size_t len)
{
	const char *name = vm->cfg.engine ? vm->cfg.engine : "auto";
	char reason[256] = "", bt_why[128] = "";

	if (strcmp(name, "auto") != 0) {
		vm->eops = engine_find(name);
		if (!vm->eops) {
			snprintf(why, len, "engine '%s' is not implemented yet",
				 name);
			return -ENOSYS;
		}
		if (!vm->eops->available(why, len))
			return -ENODEV;
		if (vm->cfg.cpus > 1 && !vm->eops->apic_msg) {
			snprintf(why, len, "engine '%s' runs one vCPU only (--cpus %u needs --engine interp)",
				 name, vm->cfg.cpus);
			return -ENOSYS;
		}
		return 0;
	}
	vm->eops = engine_find("kvm");
	if (vm->cfg.cpus > 1 && vm->eops && !vm->eops->apic_msg)
		snprintf(reason, sizeof(reason), "KVM runs one vCPU only");
	else if (vm->eops && engine_selftest(vm->eops, reason, sizeof(reason)))
		return 0;
	/* then the binary translator (one vCPU, a BMI2 host), else the
	 * interpreter */
	vm->eops = engine_find("bt");
	if (vm->eops && vm->cfg.cpus <= 1 &&
	    vm->eops->available(bt_why, sizeof(bt_why))) {
		fprintf(stderr, "dualvm: %s; using the binary translator\n", reason);
		return 0;
	}
	vm->eops = engine_find("interp");
	if (!vm->eops) {
		snprintf(why, len, "no working CPU engine: %s; the interpreter engine is not built yet",
			 reason[0] ? reason : "KVM is not built in");
		return -ENODEV;
	}
	fprintf(stderr, "dualvm: %s; using the interpreter%s%s%s\n", reason,
		bt_why[0] ? " (" : "", bt_why, bt_why[0] ? ")" : "");
	return 0;
}

/*
 * The I/O threads' completion signal (vmm/blk_rd.h): wake the loop's
 * ppoll() and make a running engine return, so the completions run soon.
 * Runs on an I/O thread: only an eventfd write and an async-signal-safe
 * kick.  The engine outlives every I/O thread (vm_destroy).
 */
static void vm_io_notify(void *opaque)
{
	struct vm *vm = opaque;
	uint64_t one = 1;

	/* a full counter (EAGAIN) is a pending wake-up already */
	(void)!write(vm->efd, &one, sizeof(one));
	if (vm->eng)
		vm->eops->kick(vm->eng);
}

/* Run the done() of every finished disk request (run-loop thread). */
static void vm_io_complete(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < VM_NBLK; i++)
		if (vm->blk[i])
			blk_rd_complete(vm->blk[i]);
	if (vm->net)
		net_be_complete(vm->net);
}

/* The NIC's back end (--net user/tap), on its own I/O thread. */
static int vm_net(struct vm *vm, struct machine_cfg *mc, char *why,
		  size_t len)
{
	int err;

	if (vm->cfg.net.kind == VM_NET_NONE)
		return 0;
	err = net_be_create(&vm->cfg.net, vm_io_notify, vm, &vm->net, why,
			    len);
	if (err)
		return err;
	mc->nic = true;
	mc->net = net_be_netdev(vm->net);
	memcpy(mc->mac, vm->cfg.net.mac, sizeof(mc->mac));
	mc->nic_rom = vm->cfg.net.rom;
	mc->boot_net = vm->cfg.boot_net;
	return 0;
}

/* Serve the configured disks (and the CD, read-only) by I/O threads. */
static int vm_disks(struct vm *vm, struct machine_cfg *mc, char *why,
		    size_t len)
{
	struct rd_disk *d;
	unsigned int i;
	int err;

	for (i = 0; i < VM_NBLK; i++) {
		d = i < VM_MAX_DISKS ? vm->cfg.disk[i] : vm->cfg.cdrom;
		if (!d)
			continue;
		err = blk_rd_create(d, i == VM_MAX_DISKS, vm_io_notify, vm,
				    &vm->blk[i]);
		if (err) {
			snprintf(why, len, "disk I/O thread: %s", strerror(-err));
			return err;
		}
		if (i < VM_MAX_DISKS && i < MACHINE_MAX_DISKS)
			mc->disk[i] = blk_rd_blk(vm->blk[i]);
		else
			mc->cdrom = blk_rd_blk(vm->blk[i]);
	}
	return 0;
}

/* SIGINT/SIGTERM/SIGHUP are read from a signalfd from now on, never
 * delivered; SIGPIPE is blocked (a closed stdout: EPIPE, not death). */
static int vm_signals(struct vm *vm, char *why, size_t len)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &vm->oldmask);
	sigdelset(&set, SIGPIPE);
	vm->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->sfd < 0) {
		snprintf(why, len, "signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
		return -errno;
	}
	return 0;
}

static void vm_machine_cfg(struct vm *vm, struct machine_cfg *mc)
{
	const struct vm_config *cfg = &vm->cfg;

	mc->ram_bytes = cfg->ram_mib << 20;
	mc->bios_path = cfg->uefi ? NULL : cfg->bios;
	mc->uefi = cfg->uefi;
	mc->uefi_code = cfg->uefi ? cfg->bios : NULL;
	mc->nvram_path = cfg->nvram;
	if (cfg->uefi && cfg->efi_loader) {
		vm->efi_boot = (struct efi_boot_target){
			.part = cfg->efi_part, .start = cfg->efi_start,
			.sectors = cfg->efi_sectors, .path = cfg->efi_loader,
			.title = "dualvm: chosen loader" };
		memcpy(vm->efi_boot.guid, cfg->efi_guid, 16);
		mc->efi_boot = &vm->efi_boot;
	}
	mc->rtc_epoch = cfg->rtc_epoch;
	mc->vga = cfg->vga;
	mc->boot_cdrom = cfg->boot_cdrom;
	mc->cpus = cfg->cpus;
	mc->apic = vm->eops->apic_msg != NULL;
	mc->serial_out = vm_serial_out;
	mc->debug_out = vm->dbgcon || getenv("DUALVM_DEBUGCON") ?
			 vm_debug_out : NULL;
	mc->post_out = cfg->post_codes ? vm_post_out : NULL;
	mc->io_log = cfg->log_unclaimed ? vm_io_log : NULL;
	mc->out_opaque = vm;
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *why,
	      size_t len)
{
	struct machine_cfg mc = { 0 };
	struct vm *vm;
	int err;

	*out = NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cfg = *cfg;
	vm->efd = -1;
	err = vm_signals(vm, why, len);
	if (err) {
		free(vm);
		return err;
	}
	vm->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->efd < 0) {
		err = -errno;
		snprintf(why, len, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if (cfg->debugcon) {
		vm->dbgcon = fopen(cfg->debugcon, "w");
		if (!vm->dbgcon) {
			err = -errno;
			snprintf(why, len, "--debugcon %s: %s", cfg->debugcon,
				 strerror(errno));
			goto fail;
		}
		setvbuf(vm->dbgcon, NULL, _IOLBF, 0);	/* whole lines */
	}
	err = console_create(cfg->serial, cfg->until_serial, &vm->con, why,
			     len);
	if (!err)
		err = vm_disks(vm, &mc, why, len);
	if (!err)
		err = vm_net(vm, &mc, why, len);
	if (err)
		goto fail;
	/* the engine first: the machine has APICs only if it models them */
	err = pick_engine(vm, why, len);
	if (err)
		goto fail;
	vm_machine_cfg(vm, &mc);
	err = machine_create(&mc, &vm->m, why, len);
	if (err)
		goto fail;
	err = vm->eops->create(machine_bus(vm->m), &vm->eng, why, len);
	if (err)
		goto fail;
	machine_attach(vm->m, &(struct machine_cpu){
		.eng = vm->eng,
		.kick = vm->eops->kick,
		.mem_written = vm->eops->mem_written,
		.map_changed = vm->eops->map_changed,
		.set_a20 = vm->eops->set_a20,
		.irq_raised = vm->eops->irq_raised,
		.apic_msg = vm->eops->apic_msg,
	});
	*out = vm;
	return 0;

fail:
	vm_destroy(vm);
	return err;
}

/*
 * Teardown order: the machine first (engine hooks detached; each disk
 * controller drains its requests), then the I/O threads of the disks and
 * the NIC (so no notify can reach the engine), then the engine, the
 * console and the signal mask.
 */
void vm_destroy(struct vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	if (vm->m)
		machine_attach(vm->m, NULL);
	machine_destroy(vm->m);
	for (i = 0; i < VM_NBLK; i++)
		blk_rd_destroy(vm->blk[i]);
	net_be_destroy(vm->net);
	if (vm->eng)
		vm->eops->destroy(vm->eng);
	console_destroy(vm->con);
	if (vm->dbgcon)
		fclose(vm->dbgcon);
	if (vm->efd >= 0)
		close(vm->efd);
	if (vm->sfd >= 0) {
		struct timespec zero = { 0 };
		sigset_t pipe;

		/* drop a SIGPIPE left pending by a closed stdout */
		sigemptyset(&pipe);
		sigaddset(&pipe, SIGPIPE);
		while (sigtimedwait(&pipe, NULL, &zero) > 0)
			;
		close(vm->sfd);
		sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
	}
	free(vm);
}

int vm_exit_status(const struct vm *vm)
{
	int status = 0;

	machine_powered_off(vm->m, &status);
	return status;
}

/* Move pending host input into COM1 as far as its FIFO accepts. */
static void feed_input(struct vm *vm)
{
	int n;

	if (!vm->nin)
		return;
	n = machine_serial_input(vm->m, 0, vm->in, vm->nin);
	if (n > 0) {
		memmove(vm->in, vm->in + n, vm->nin - (size_t)n);
		vm->nin -= (size_t)n;
	}
}

/* Wait up to @ns for input or a signal, then consume them. */
static void poll_host(struct vm *vm, uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC_PER_SEC),
			       .tv_nsec = (long)(ns % NSEC_PER_SEC) };
	struct pollfd p[3] = { { .fd = vm->sfd, .events = POLLIN },
			       { .fd = -1, .events = POLLIN },
			       { .fd = vm->efd, .events = POLLIN } };
	struct signalfd_siginfo si;
	bool quit = false, eof = false;
	uint64_t n;

	if (!vm->in_eof && vm->nin == 0)
		p[1].fd = console_input_fd(vm->con);
	console_flush(vm->con);
	if (ppoll(p, 3, &ts, NULL) <= 0)
		goto out;
	if (p[2].revents & POLLIN)	/* completions run at the loop's top */
		(void)!read(vm->efd, &n, sizeof(n));
	if (p[0].revents & POLLIN)
		while (read(vm->sfd, &si, sizeof(si)) == sizeof(si))
			vm->quit = true;
	if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
		vm->nin = console_read(vm->con, vm->in, sizeof(vm->in), &quit,
				       &eof);
		vm->quit |= quit;
		vm->in_eof = eof;
	}
out:
	feed_input(vm);
}

/* Guest or engine reset: devices and CPU back to power-on.  false when
 * resets come too fast (a reset loop). */
static bool do_reset(struct vm *vm)
{
	uint64_t now = mono_ns();

	if (vm->nresets >= VM_RESET_MAX &&
	    now - vm->resets[vm->nresets % VM_RESET_MAX] < NSEC_PER_SEC)
		return false;
	vm->resets[vm->nresets++ % VM_RESET_MAX] = now;
	machine_reset(vm->m);
	vm->eops->reset(vm->eng);
	return true;
}

/* What the engine stopped for; returns true when the loop must end. */
static bool handle_exit(struct vm *vm, const struct engine_exit *ex,
			enum vm_result *res, char *msg, size_t len)
{
	uint64_t now, next;
	uint64_t ns;

	switch (ex->reason) {
	case ENGINE_EXIT_DEADLINE:
		return false;
	case ENGINE_EXIT_HLT:
		now = vclock_now(machine_clock(vm->m));
		next = vclock_next_deadline(machine_clock(vm->m));
		ns = next == VCLOCK_NEVER ? VM_IDLE_NS :
		     next <= now ? 0 : next - now;
		if (ns > VM_IDLE_NS)
			ns = VM_IDLE_NS;
		if (vm->disp && ns > VM_DISP_POLL_NS)
			ns = VM_DISP_POLL_NS;
		poll_host(vm, ns);
		return false;
	case ENGINE_EXIT_RESET:
		if (ex->msg[0])
			fprintf(stderr, "\r\ndualvm: guest reset: %s\r\n", ex->msg);
		machine_request_reset(vm->m);
		return false;
	case ENGINE_EXIT_SHUTDOWN:
		machine_power_off(vm->m, 0);
		return false;
	case ENGINE_EXIT_ERROR:
	default:
		snprintf(msg, len, "%s: %s", vm->eops->name,
			 ex->msg[0] ? ex->msg : "engine error");
		*res = VM_ERROR;
		return true;
	}
}

/*
 * Where the guest was when the run was cut short (timeout, Ctrl-C): one
 * parenthesised clause for the exit line, e.g. "(vCPU 0 halted at
 * 0010:c10a2b3c, interrupts on)", so a hung guest tells where it hangs.
 */
static void guest_where(struct vm *vm, char *msg, size_t len)
{
	struct x86_cpu_state st;
	size_t n = strlen(msg);

	if (!vm->eops->get_state || n + 1 >= len ||
	    vm->eops->get_state(vm->eng, &st))
		return;
	snprintf(msg + n, len - n, " (vCPU 0 %s at %04x:%08llx, interrupts %s)",
		 st.halted ? "halted" : "running", st.seg[X86_CS].sel,
		 (unsigned long long)st.rip,
		 (st.rflags & 0x200) ? "on" : "off");
}

/* Display service: input every VM_DISP_POLL_NS, redraw at ~30 Hz. */
static void display_service(struct vm *vm)
{
	const struct display_ops *ops = vm->cfg.display;
	struct input_sink in = machine_input(vm->m);
	struct fb_source fb = machine_fb(vm->m);
	uint64_t t = mono_ns();

	if (t < vm->disp_poll)
		return;
	vm->disp_poll = t + VM_DISP_POLL_NS;
	if (ops->poll(vm->disp, &in))
		vm->quit = true;
	if (t >= vm->disp_draw) {
		vm->disp_draw = t + DISPLAY_REFRESH_NS;
		ops->refresh(vm->disp, &fb);
	}
}

enum vm_result vm_run(struct vm *vm, char *msg, size_t len)
{
	uint64_t start = mono_ns(), now, next;
	uint64_t limit = vm->cfg.timeout_sec * NSEC_PER_SEC;
	enum vm_result res = VM_ERROR;
	struct engine_exit ex;

	assert(vm->m && vm->eops && vm->eng);	/* vm_create() succeeded */
	msg[0] = 0;
	if (vm->cfg.display) {
		struct display_cfg dc = {
			.title = vm->cfg.display_title,
			.serial_stdio = !vm->cfg.serial ||
					!strcmp(vm->cfg.serial, "stdio"),
		};

		if (vm->cfg.display->open(&dc, &vm->disp, msg, len) ||
		    !vm->disp) {
			if (!msg[0])
				snprintf(msg, len, "cannot open the display");
			return VM_ERROR;
		}
	}
	for (;;) {
		if (vm->disp)
			display_service(vm);
		if (console_matched(vm->con)) {
			res = VM_UNTIL;
			break;
		}
		if (machine_powered_off(vm->m, NULL)) {
			res = VM_POWEROFF;
			break;
		}
		if (vm->quit) {
			snprintf(msg, len, "stopped");
			guest_where(vm, msg, len);
			res = VM_STOPPED;
			break;
		}
		if (limit && mono_ns() - start >= limit) {
			snprintf(msg, len, "timeout after %u s",
				 vm->cfg.timeout_sec);
			guest_where(vm, msg, len);
			res = VM_TIMEOUT;
			break;
		}
		if (machine_reset_requested(vm->m) && !do_reset(vm)) {
			snprintf(msg, len, "guest is in a reset loop (%d resets in under a second)",
				 VM_RESET_MAX);
			res = VM_ERROR;
			break;
		}
		vm_io_complete(vm);
		vclock_run_timers(machine_clock(vm->m));
		now = vclock_now(machine_clock(vm->m));
		next = vclock_next_deadline(machine_clock(vm->m));
		if (next > now + VM_SLICE_NS)
			next = now + VM_SLICE_NS;
		ex.msg[0] = 0;
		ex.reason = ENGINE_EXIT_ERROR;
		if (vm->eops->run(vm->eng, next, &ex) && !ex.msg[0])
			snprintf(ex.msg, sizeof(ex.msg), "engine failed");
		if (handle_exit(vm, &ex, &res, msg, len))
			break;
		if (ex.reason == ENGINE_EXIT_DEADLINE)
			poll_host(vm, 0);
	}
	if (vm->disp) {
		struct fb_source fb = machine_fb(vm->m);

		vm->cfg.display->refresh(vm->disp, &fb);
		vm->cfg.display->close(vm->disp);
		vm->disp = NULL;
	}
	console_flush(vm->con);
	return res;
}
