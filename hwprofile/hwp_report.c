// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_report.c --- render inspection and injection reports as text for
 * people and as JSON for programs (schema: README.md, "dualvm inspect
 * --json schema").
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hwprofile/hwp_priv.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *jb(bool b)
{
	return b ? "true" : "false";
}

static void json_kv(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "\"%s\": ", k);
	json_str(f, v);
	if (comma)
		fputs(", ", f);
}

static void json_safety(FILE *f, const struct hwp_safety *s)
{
	fprintf(f, "\"safety\": {\"hibernated\": %s, \"fast_startup\": %s, "
		"\"unclean\": %s, \"dirty\": %s, \"bitlocker\": %s}",
		jb(s->hibernated), jb(s->fast_startup), jb(s->unclean),
		jb(s->dirty), jb(s->bitlocker));
}

static void json_kernel(FILE *f, const struct hwp_kernel *k)
{
	fputs("{", f);
	json_kv(f, "version", k->version, true);
	json_kv(f, "vmlinuz", k->vmlinuz, true);
	json_kv(f, "initrd", k->initrd, true);
	json_kv(f, "initrd_format", k->initrd_format, true);
	fprintf(f, "\"early_microcode\": %s, ", jb(k->early_cpio));
	json_kv(f, "load_list", k->load_list, true);
	fprintf(f, "\"modules_tree\": %s, \"modules\": [", jb(k->modules_tree));
	for (unsigned int i = 0; i < k->n_mods; i++) {
		const struct hwp_modcheck *m = &k->mods[i];

		fprintf(f, "%s{", i ? ", " : "");
		json_kv(f, "name", m->name, true);
		fprintf(f, "\"in_tree\": %s, \"builtin\": %s, "
			"\"in_initrd\": %s}", jb(m->in_tree), jb(m->builtin),
			jb(m->in_initrd));
	}
	fputs("]}", f);
}

static void json_linux(FILE *f, const struct hwp_linux *lx)
{
	fputs("{\"type\": \"linux\", ", f);
	json_kv(f, "distribution", lx->distro, true);
	json_kv(f, "id", lx->id, true);
	json_kv(f, "version_id", lx->version_id, true);
	json_kv(f, "root_device", lx->root_device, true);
	fputs("\"fstab\": [", f);
	for (unsigned int i = 0; i < lx->n_fstab; i++) {
		const struct hwp_fstab_ent *e = &lx->fstab[i];

		fprintf(f, "%s{", i ? ", " : "");
		json_kv(f, "spec", e->spec, true);
		json_kv(f, "file", e->file, true);
		json_kv(f, "vfstype", e->type, true);
		json_kv(f, "options", e->opts, false);
		fputs("}", f);
	}
	fputs("], \"bootloader\": ", f);
	if (lx->bootloader[0]) {
		fputs("{", f);
		json_kv(f, "type", lx->bootloader, true);
		json_kv(f, "config", lx->boot_config, true);
		json_kv(f, "root", lx->boot_root, false);
		fputs("}", f);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"persistent_net_rules\": %s, \"kernels\": [",
		jb(lx->persistent_net));
	for (unsigned int i = 0; i < lx->n_kernels; i++) {
		if (i)
			fputs(", ", f);
		json_kernel(f, &lx->kernels[i]);
	}
	fputs("]}", f);
}

static void json_windows(FILE *f, const struct hwp_windows *w)
{
	fputs("{\"type\": \"windows\", ", f);
	json_kv(f, "product_name", w->product_name, true);
	json_kv(f, "version", w->version, true);
	json_kv(f, "build", w->build, true);
	json_kv(f, "edition", w->edition, true);
	json_kv(f, "service_pack", w->csd, true);
	json_kv(f, "architecture", w->arch, true);
	json_kv(f, "system_root", w->system_root, true);
	json_kv(f, "system_dir", w->system_dir, true);
	json_kv(f, "current_control_set", w->control_set, true);
	json_kv(f, "generation", hwp_win_gen_name(w->gen), true);
	fputs("\"storage_services\": [", f);
	for (unsigned int i = 0, n = 0; i < w->n_services; i++) {
		const struct hwp_service *s = &w->services[i];

		if (!s->exists)
			continue;
		fprintf(f, "%s{", n++ ? ", " : "");
		json_kv(f, "name", s->name, true);
		if (s->has_start)
			fprintf(f, "\"start\": %" PRIu32 ", ", s->start);
		else
			fputs("\"start\": null, ", f);
		fprintf(f, "\"start_override\": %s, \"driver_present\": %s}",
			jb(s->start_override),
			s->driver_checked ? jb(s->driver_present) : "null");
	}
	fputs("]}", f);
}

void hwp_report_print_json(const struct hwp_report *r, FILE *f)
{
	fputs("{", f);
	json_kv(f, "disk", r->disk, true);
	fprintf(f, "\"size\": %" PRIu64 ", ", r->size);
	json_kv(f, "partition_table", r->label, true);
	json_kv(f, "disk_id", r->disk_id, true);
	fputs("\"partitions\": [\n", f);
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_part *p = &r->part[i];

		fprintf(f, "  {\"number\": %u, \"start\": %" PRIu64
			", \"size\": %" PRIu64 ", ", p->number, p->start,
			p->size);
		json_kv(f, "type", p->type, true);
		json_kv(f, "filesystem", p->fs, true);
		json_kv(f, "label", p->label, true);
		json_kv(f, "uuid", p->uuid, true);
		json_safety(f, &p->safety);
		fputs(", \"os\": ", f);
		if (p->os == HWP_OS_LINUX)
			json_linux(f, &p->lx);
		else if (p->os == HWP_OS_WINDOWS)
			json_windows(f, &p->win);
		else
			fputs("null", f);
		if (p->error[0]) {
			fputs(", ", f);
			json_kv(f, "error", p->error, false);
		}
		fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
	}
	fputs("]}\n", f);
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

	fprintf(f, "{\"partition\": %u, \"os\": \"%s\", \"changes\": [\n",
		r->partition, r->os == HWP_OS_LINUX ? "linux" :
		r->os == HWP_OS_WINDOWS ? "windows" : "none");
	for (unsigned int i = 0; i < r->n; i++) {
		const struct hwp_change *c = &r->ch[i];

		fputs("  {", f);
		json_kv(f, "path", c->path, true);
		json_kv(f, "what", c->what, true);
		json_kv(f, "sha256_before", c->sha256_before, true);
		json_kv(f, "sha256_after", c->sha256_after, false);
		fprintf(f, "}%s\n", i + 1 < r->n ? "," : "");
	}
	fputs("], \"notes\": [", f);
	for (int k = 0; *n; k++) {
		size_t len = strcspn(n, "\n");
		char line[512];

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, n, len);
		line[len] = '\0';
		fputs(k ? ", " : "", f);
		json_str(f, line);
		n += strcspn(n, "\n");
		if (*n)
			n++;
	}
	fputs("]}\n", f);
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
