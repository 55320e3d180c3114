// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_report.c --- render inspection and injection reports as text for
 * people and as JSON for programs (schema: README.md, "dualvm inspect
 * --json schema").  JSON goes through lib/'s writer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hwprofile/hwp_priv.h"

static void json_safety(struct lib_json *j, const struct hwp_safety *s)
{
	lib_json_begin(j, "safety", '{');
	lib_json_bool(j, "hibernated", s->hibernated);
	lib_json_bool(j, "fast_startup", s->fast_startup);
	lib_json_bool(j, "unclean", s->unclean);
	lib_json_bool(j, "dirty", s->dirty);
	lib_json_bool(j, "bitlocker", s->bitlocker);
	lib_json_end(j, '}');
}

static void json_kernel(struct lib_json *j, const struct hwp_kernel *k)
{
	lib_json_begin(j, NULL, '{');
	lib_json_str(j, "version", k->version);
	lib_json_str(j, "vmlinuz", k->vmlinuz);
	lib_json_str(j, "initrd", k->initrd);
	lib_json_str(j, "initrd_format", k->initrd_format);
	lib_json_bool(j, "early_microcode", k->early_cpio);
	lib_json_str(j, "load_list", k->load_list);
	lib_json_bool(j, "modules_tree", k->modules_tree);
	lib_json_begin(j, "modules", '[');
	for (unsigned int i = 0; i < k->n_mods; i++) {
		const struct hwp_modcheck *m = &k->mods[i];

		lib_json_begin(j, NULL, '{');
		lib_json_str(j, "name", m->name);
		lib_json_bool(j, "in_tree", m->in_tree);
		lib_json_bool(j, "builtin", m->builtin);
		lib_json_bool(j, "in_initrd", m->in_initrd);
		lib_json_end(j, '}');
	}
	lib_json_end(j, ']');
	lib_json_end(j, '}');
}

static void json_linux(struct lib_json *j, const struct hwp_linux *lx)
{
	lib_json_begin(j, "os", '{');
	lib_json_str(j, "type", "linux");
	lib_json_str(j, "distribution", lx->distro);
	lib_json_str(j, "id", lx->id);
	lib_json_str(j, "version_id", lx->version_id);
	lib_json_str(j, "root_device", lx->root_device);
	lib_json_begin(j, "fstab", '[');
	for (unsigned int i = 0; i < lx->n_fstab; i++) {
		const struct hwp_fstab_ent *e = &lx->fstab[i];

		lib_json_begin(j, NULL, '{');
		lib_json_str(j, "spec", e->spec);
		lib_json_str(j, "file", e->file);
		lib_json_str(j, "vfstype", e->type);
		lib_json_str(j, "options", e->opts);
		lib_json_end(j, '}');
	}
	lib_json_end(j, ']');
	if (lx->bootloader[0]) {
		lib_json_begin(j, "bootloader", '{');
		lib_json_str(j, "type", lx->bootloader);
		lib_json_str(j, "config", lx->boot_config);
		lib_json_str(j, "root", lx->boot_root);
		lib_json_end(j, '}');
	} else {
		lib_json_null(j, "bootloader");
	}
	lib_json_bool(j, "persistent_net_rules", lx->persistent_net);
	lib_json_begin(j, "kernels", '[');
	for (unsigned int i = 0; i < lx->n_kernels; i++)
		json_kernel(j, &lx->kernels[i]);
	lib_json_end(j, ']');
	lib_json_end(j, '}');
}

static void json_windows(struct lib_json *j, const struct hwp_windows *w)
{
	lib_json_begin(j, "os", '{');
	lib_json_str(j, "type", "windows");
	lib_json_str(j, "product_name", w->product_name);
	lib_json_str(j, "version", w->version);
	lib_json_str(j, "build", w->build);
	lib_json_str(j, "edition", w->edition);
	lib_json_str(j, "service_pack", w->csd);
	lib_json_str(j, "architecture", w->arch);
	lib_json_str(j, "system_root", w->system_root);
	lib_json_str(j, "system_dir", w->system_dir);
	lib_json_str(j, "current_control_set", w->control_set);
	lib_json_str(j, "generation", hwp_win_gen_name(w->gen));
	lib_json_begin(j, "storage_services", '[');
	for (unsigned int i = 0; i < w->n_services; i++) {
		const struct hwp_service *s = &w->services[i];

		if (!s->exists)
			continue;
		lib_json_begin(j, NULL, '{');
		lib_json_str(j, "name", s->name);
		if (s->has_start)
			lib_json_u64(j, "start", s->start);
		else
			lib_json_null(j, "start");
		lib_json_bool(j, "start_override", s->start_override);
		if (s->driver_checked)
			lib_json_bool(j, "driver_present", s->driver_present);
		else
			lib_json_null(j, "driver_present");
		lib_json_end(j, '}');
	}
	lib_json_end(j, ']');
	lib_json_end(j, '}');
}

void hwp_report_print_json(const struct hwp_report *r, FILE *f)
{
	struct lib_json j;

	lib_json_init(&j, f, false);
	lib_json_begin(&j, NULL, '{');
	lib_json_str(&j, "disk", r->disk);
	lib_json_u64(&j, "size", r->size);
	lib_json_str(&j, "partition_table", r->label);
	lib_json_str(&j, "disk_id", r->disk_id);
	lib_json_begin_lines(&j, "partitions");
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_part *p = &r->part[i];

		lib_json_begin(&j, NULL, '{');
		lib_json_u64(&j, "number", p->number);
		lib_json_u64(&j, "start", p->start);
		lib_json_u64(&j, "size", p->size);
		lib_json_str(&j, "type", p->type);
		lib_json_str(&j, "filesystem", p->fs);
		lib_json_str(&j, "label", p->label);
		lib_json_str(&j, "uuid", p->uuid);
		json_safety(&j, &p->safety);
		lib_json_bool(&j, "efi_system_partition", p->esp);
		if (p->efi_loader[0]) {
			lib_json_begin(&j, "efi_loader", '{');
			lib_json_u64(&j, "esp", p->efi_esp);
			lib_json_str(&j, "path", p->efi_loader);
			lib_json_end(&j, '}');
		} else {
			lib_json_null(&j, "efi_loader");
		}
		if (p->os == HWP_OS_LINUX)
			json_linux(&j, &p->lx);
		else if (p->os == HWP_OS_WINDOWS)
			json_windows(&j, &p->win);
		else
			lib_json_null(&j, "os");
		if (p->error[0])
			lib_json_str(&j, "error", p->error);
		lib_json_end(&j, '}');
	}
	lib_json_end(&j, ']');
	lib_json_finish(&j, '}');
}

static void text_safety(FILE *f, const struct hwp_safety *s)
{
	if (!(s->hibernated || s->fast_startup || s->unclean || s->dirty ||
	      s->bitlocker))
		return;
	fprintf(f, "    WARNING:%s%s%s%s%s\n",
		s->hibernated ? " hibernated" : "",
		s->fast_startup ? " fast-startup" : "",
		s->unclean ? " unclean-journal" : "",
		s->dirty ? " dirty" : "",
		s->bitlocker ? " bitlocker" : "");
}

static void text_linux(FILE *f, const struct hwp_linux *lx)
{
	fprintf(f, "    Linux: %s\n", lx->distro[0] ? lx->distro : "(unknown)");
	fprintf(f, "    root: %s\n", lx->root_device[0] ? lx->root_device :
		"(not in fstab)");
	for (unsigned int i = 0; i < lx->n_fstab; i++)
		fprintf(f, "    fstab: %s %s %s %s\n", lx->fstab[i].spec,
			lx->fstab[i].file, lx->fstab[i].type,
			lx->fstab[i].opts);
	if (lx->bootloader[0])
		fprintf(f, "    bootloader: %s %s root=%s\n", lx->bootloader,
			lx->boot_config, lx->boot_root);
	if (lx->persistent_net)
		fprintf(f, "    persistent NIC naming rules present\n");
	for (unsigned int i = 0; i < lx->n_kernels; i++) {
		const struct hwp_kernel *k = &lx->kernels[i];

		fprintf(f, "    kernel %s: initrd %s (%s%s%s%s)%s\n", k->version,
			k->initrd[0] ? k->initrd : "none", k->initrd_format,
			k->early_cpio ? ", early microcode" : "",
			k->load_list[0] ? ", load list " : "", k->load_list,
			k->modules_tree ? "" : " [no module tree]");
		fputs("      modules:", f);
		for (unsigned int j = 0; j < k->n_mods; j++)
			fprintf(f, " %s%s", k->mods[j].name,
				!k->mods[j].in_tree ? "(missing)" :
				k->mods[j].in_initrd ? "(initrd)" :
				"(tree only)");
		fputc('\n', f);
	}
}

static void text_windows(FILE *f, const struct hwp_windows *w)
{
	fprintf(f, "    Windows: %s %s build %s %s %s\n", w->product_name,
		w->version, w->build, w->edition, w->csd);
	fprintf(f, "    arch %s, system root %s (%s), %s, generation %s\n",
		w->arch, w->system_root, w->system_dir, w->control_set,
		hwp_win_gen_name(w->gen));
	for (unsigned int i = 0; i < w->n_services; i++) {
		const struct hwp_service *s = &w->services[i];

		if (!s->exists)
			continue;
		fprintf(f, "      service %-9s Start=%s%s%s\n", s->name,
			!s->has_start ? "-" : s->start == 0 ? "0 (boot)" :
			s->start == 1 ? "1 (system)" : s->start == 2 ?
			"2 (auto)" : s->start == 3 ? "3 (demand)" :
			"4 (disabled)",
			s->start_override ? " StartOverride" : "",
			s->driver_checked && !s->driver_present ?
			" [driver file missing]" : "");
	}
}

void hwp_report_print_text(const struct hwp_report *r, FILE *f)
{
	fprintf(f, "%s: %" PRIu64 " bytes, %s%s%s\n", r->disk, r->size,
		r->label[0] ? r->label : "no partition table",
		r->disk_id[0] ? " " : "", r->disk_id);
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_part *p = &r->part[i];

		fprintf(f, "  partition %u: start %" PRIu64 " size %" PRIu64
			" type %s fs %s label \"%s\" uuid %s\n", p->number,
			p->start, p->size, p->type[0] ? p->type : "-",
			p->fs[0] ? p->fs : "unknown", p->label,
			p->uuid[0] ? p->uuid : "-");
		text_safety(f, &p->safety);
		if (p->esp)
			fprintf(f, "    EFI system partition\n");
		if (p->efi_loader[0])
			fprintf(f, "    UEFI loader: %s on partition %u\n",
				p->efi_loader, p->efi_esp);
		if (p->os == HWP_OS_LINUX)
			text_linux(f, &p->lx);
		else if (p->os == HWP_OS_WINDOWS)
			text_windows(f, &p->win);
		if (p->error[0])
			fprintf(f, "    error: %s\n", p->error);
	}
}

void hwp_inject_report_print_json(const struct hwp_inject_report *r,
				  FILE *f)
{
	const char *n = r->notes;
	struct lib_json j;

	lib_json_init(&j, f, false);
	lib_json_begin(&j, NULL, '{');
	lib_json_u64(&j, "partition", r->partition);
	lib_json_str(&j, "os", r->os == HWP_OS_LINUX ? "linux" :
		     r->os == HWP_OS_WINDOWS ? "windows" : "none");
	lib_json_begin_lines(&j, "changes");
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_change *c = &r->ch[i];

		lib_json_begin(&j, NULL, '{');
		lib_json_str(&j, "path", c->path);
		lib_json_str(&j, "what", c->what);
		lib_json_str(&j, "sha256_before", c->sha256_before);
		lib_json_str(&j, "sha256_after", c->sha256_after);
		lib_json_end(&j, '}');
	}
	lib_json_end(&j, ']');
	lib_json_begin(&j, "notes", '[');
	while (*n) {
		size_t len = strcspn(n, "\n");
		char line[512];

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, n, len);
		line[len] = '\0';
		lib_json_str(&j, NULL, line);
		n += strcspn(n, "\n");
		if (*n)
			n++;
	}
	lib_json_end(&j, ']');
	lib_json_finish(&j, '}');
}

void hwp_inject_report_print_text(const struct hwp_inject_report *r,
				  FILE *f)
{
	if (!r->n)
		fprintf(f, "partition %u: nothing to change\n", r->partition);
	for (unsigned int i = 0; i < r->n; i++)
		fprintf(f, "partition %u: %s: %s\n", r->partition,
			r->ch[i].path, r->ch[i].what);
	if (r->notes[0])
		fputs(r->notes, f);
}
