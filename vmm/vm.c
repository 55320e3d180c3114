// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm.c --- the run loop: one engine, one machine, timers, console, signals
 *
 * Single-threaded.  Each iteration fires due timers, runs the engine until
 * the next timer deadline (capped to a short slice so input and signals are
 * noticed), then services what the engine stopped for: halt (sleep in
 * poll() until the next deadline, input or a signal), reset, power-off,
 * errors.  SIGINT/SIGTERM/SIGHUP are blocked and read from a signalfd, so no
 * signal handler touches VM state and the terminal is always restored.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "board/board.h"
#include "vmm/console.h"
#include "vmm/display.h"
#include "vmm/engines.h"
#include "vmm/vmm.h"

#define VM_SLICE_NS	10000000ULL	/* max time in one engine run */
#define VM_IDLE_NS	100000000ULL	/* max sleep while halted */
#define VM_RESET_MAX	8		/* resets per second before giving up */
#define VM_DISP_POLL_NS	10000000ULL	/* display input poll period */

struct vm {
	struct vm_config	cfg;		/* copy */
	struct machine		*m;		/* the PC */
	const struct engine_ops	*eops;		/* chosen engine */
	struct engine		*eng;		/* its state */
	struct console		*con;		/* COM1 host side */
	int			sfd;		/* signalfd, -1 if none */
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

static void vm_debug_out(void *opaque, uint8_t byte)
{
	fputc(byte, stderr);
}

/* Pick the engine named in the config.  0, -ENOSYS or -errno. */
static int pick_engine(struct vm *vm, char *why, size_t len)
{
	const char *name = vm->cfg.engine ? vm->cfg.engine : "auto";
	char reason[256] = "";

	if (strcmp(name, "auto") != 0) {
		vm->eops = engine_find(name);
		if (!vm->eops) {
			snprintf(why, len, "engine '%s' is not implemented yet",
				 name);
			return -ENOSYS;
		}
		if (!vm->eops->available(why, len))
			return -ENODEV;
		return 0;
	}
	vm->eops = engine_find("kvm");
	if (vm->eops && engine_selftest(vm->eops, reason, sizeof(reason)))
		return 0;
	vm->eops = engine_find("interp");
	if (!vm->eops) {
		snprintf(why, len, "no working CPU engine: %s; the interpreter engine is not built yet",
			 reason[0] ? reason : "KVM is not built in");
		return -ENODEV;
	}
	fprintf(stderr, "dualvm: %s; using the interpreter\n", reason);
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *why,
	      size_t len)
{
	struct machine_cfg mc = { 0 };
	struct vm *vm;
	sigset_t set;
	unsigned int i;
	int err;

	*out = NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cfg = *cfg;
	vm->sfd = -1;
	/* from here on SIGINT/SIGTERM/SIGHUP are read, never delivered */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);	/* a closed stdout: EPIPE, not death */
	sigprocmask(SIG_BLOCK, &set, &vm->oldmask);
	sigdelset(&set, SIGPIPE);
	vm->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->sfd < 0) {
		err = -errno;
		snprintf(why, len, "signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &vm->oldmask, NULL);
		free(vm);
		return err;
	}
	err = console_create(cfg->serial, cfg->until_serial, &vm->con, why,
			     len);
	if (err)
		goto fail;
	mc.ram_bytes = cfg->ram_mib << 20;
	mc.bios_path = cfg->bios;
	mc.rtc_epoch = cfg->rtc_epoch;
	mc.vga = cfg->vga;
	mc.cdrom = cfg->cdrom;
	mc.boot_cdrom = cfg->boot_cdrom;
	for (i = 0; i < VM_MAX_DISKS && i < MACHINE_MAX_DISKS; i++)
		mc.disk[i] = cfg->disk[i];
	mc.serial_out = vm_serial_out;
	mc.debug_out = getenv("DUALVM_DEBUGCON") ? vm_debug_out : NULL;
	mc.out_opaque = vm;
	err = machine_create(&mc, &vm->m, why, len);
	if (err)
		goto fail;
	err = pick_engine(vm, why, len);
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
	});
	*out = vm;
	return 0;

fail:
	vm_destroy(vm);
	return err;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	console_destroy(vm->con);
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
	if (vm->eng) {
		machine_attach(vm->m, NULL);
		vm->eops->destroy(vm->eng);
	}
	machine_destroy(vm->m);
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
	struct pollfd p[2] = { { .fd = vm->sfd, .events = POLLIN },
			       { .fd = -1, .events = POLLIN } };
	struct signalfd_siginfo si;
	bool quit = false, eof = false;

	if (!vm->in_eof && vm->nin == 0)
		p[1].fd = console_input_fd(vm->con);
	console_flush(vm->con);
	if (ppoll(p, 2, &ts, NULL) <= 0)
		goto out;
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
			res = VM_STOPPED;
			break;
		}
		if (limit && mono_ns() - start >= limit) {
			snprintf(msg, len, "timeout after %u s",
				 vm->cfg.timeout_sec);
			res = VM_TIMEOUT;
			break;
		}
		if (machine_reset_requested(vm->m) && !do_reset(vm)) {
			snprintf(msg, len, "guest is in a reset loop (%d resets in under a second)",
				 VM_RESET_MAX);
			res = VM_ERROR;
			break;
		}
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
