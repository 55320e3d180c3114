// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_vmread.c --- reading VM definitions: dualvm's own and VMware .vmx
 * (the XML kinds are in p2v_vmxml.c)
 *
 * The two `key = value` formats p2v_vm.c writes, read back so that `dualvm
 * run` can start what `p2v --vm dualvm,vmx` (or VMware Workstation) wrote:
 *  - dualvm: `key = value`, '#' comments, values escaped with \\ and \xHH
 *    (p2v_esc.h); keys name, memory_mib, cpus, firmware (bios|uefi),
 *    diskN (a path), diskN.mode (nonpersistent|undoable|persistent),
 *    diskN.partitions (N[,M...]), nicN; others are ignored (diskN.format: the file says what it is).
 *  - .vmx: `key = "value"`, keys case-insensitive as VMware treats them,
 *    values escaped |XX; memsize, numvcpus, displayName, firmware ("efi"),
 *    ideC:U / sataC:U / scsiC:U .present/.fileName/.deviceType/.mode (disk
 *    devices only, in that order: they all become dualvm's IDE disks),
 *    ethernet0.present.
 * Every disk name goes through the image path policy (rd_path_check()):
 * resolved beside the definition, inside its folder unless the user
 * consented, a regular file, never /proc or /sys.  Bounded: at most
 * 64 KiB of text, lines of at most 4 KiB, P2V_VMDEF_DISKS disks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p2v/p2v_esc.h"
#include "p2v/p2v_priv.h"

#define VMDEF_MAX_TEXT	(64 * 1024)	/* the key = value kinds */

/* A disk slot as found: its order key, name and mode. */
struct slot {
	unsigned int	key;		/* bus * 256 + controller * 16 + unit */
	bool		present;	/* .present TRUE (vmx) or named */
	bool		is_disk;	/* not a CD or floppy */
	char		name[PATH_MAX];	/* as written, unescaped */
	char		mode[16];	/* "", nonpersistent, undoable, persistent */
	char		partitions[64];	/* dualvm's diskN.partitions, or "" */
};

struct reader {
	const char		*path;		/* the definition */
	bool			vmx;		/* else dualvm */
	unsigned int		flags;		/* P2V_VMDEF_* */
	struct slot		slot[32];	/* disks seen, any order */
	unsigned int		nslot;
	struct p2v_vmdef	*d;
	char			*err;
	size_t			errlen;
};

static struct slot *slot_get(struct reader *r, unsigned int key)
{
	for (unsigned int i = 0; i < r->nslot; i++)
		if (r->slot[i].key == key)
			return &r->slot[i];
	if (r->nslot == sizeof(r->slot) / sizeof(r->slot[0]))
		return NULL;
	r->slot[r->nslot] = (struct slot){ .key = key, .is_disk = true };
	return &r->slot[r->nslot++];
}

static bool truthy(const char *v)
{
	return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1");
}

static int number(struct reader *r, const char *key, const char *v,
		  unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || !n || n > max) {
		snprintf(r->err, r->errlen, "%s: %s = \"%s\": want a number 1..%lu",
			 r->path, key, v, max);
		return -EINVAL;
	}
	*out = (unsigned int)n;
	return 0;
}

/* A disk's mode: dualvm's words, VMware's (its "persistent" is the
 * default, so it leaves dualvm's default).  0, or -EINVAL with @err set. */
static int set_mode(struct reader *r, struct slot *s, const char *k,
		    const char *v)
{
	const char *m = NULL;

	if (!strcmp(v, "nonpersistent") || !strcmp(v, "independent-nonpersistent"))
		m = "nonpersistent";
	else if (!strcmp(v, "undoable"))
		m = "undoable";
	else if (!strcmp(v, "persistent") || !strcmp(v, "independent-persistent"))
		m = r->vmx ? "" : "persistent";
	if (!m) {
		snprintf(r->err, r->errlen, "%s: %s = \"%s\": want nonpersistent, undoable or persistent",
			 r->path, k, v);
		return -EINVAL;
	}
	snprintf(s->mode, sizeof(s->mode), "%s", m);
	return 0;
}

/* diskN.partitions: "N[,M...]", partition numbers 1..128.  0, or -EINVAL
 * with @err set. */
static int set_partitions(struct reader *r, struct slot *s, const char *k,
			  const char *v)
{
	const char *p = v;
	char *end;

	while (*p) {
		unsigned long n = strtoul(p, &end, 10);

		if (end == p || !n || n > 128 || (*end && *end != ',') ||
		    (*end == ',' && !end[1]))
			break;
		p = *end ? end + 1 : end;
	}
	if (*p || !*v || strlen(v) >= sizeof(s->partitions)) {
		snprintf(r->err, r->errlen, "%s: %s = \"%s\": want partition numbers N[,M...]",
			 r->path, k, v);
		return -EINVAL;
	}
	snprintf(s->partitions, sizeof(s->partitions), "%s", v);
	return 0;
}

/* "ide1:0.fileName" -> key, field; false when not a disk-slot key */
static bool slot_key(const char *k, unsigned int *key, const char **field)
{
	static const char *const bus[] = { "ide", "sata", "scsi" };
	unsigned int c, u;
	int n = 0;

	for (unsigned int b = 0; b < 3; b++) {
		size_t l = strlen(bus[b]);

		if (strncasecmp(k, bus[b], l))
			continue;
		if (sscanf(k + l, "%u:%u.%n", &c, &u, &n) != 2 || !n ||
		    c > 15 || u > 15)
			return false;
		*key = b * 256 + c * 16 + u;
		*field = k + l + n;
		return true;
	}
	return false;
}

static int vmx_pair(struct reader *r, const char *k, const char *v)
{
	struct p2v_vmdef *d = r->d;
	const char *field;
	unsigned int key;
	struct slot *s;

	if (!strcasecmp(k, "memsize"))
		return number(r, k, v, 65536, &d->mem_mib);
	if (!strcasecmp(k, "numvcpus"))
		return number(r, k, v, 64, &d->cpus);
	if (!strcasecmp(k, "displayName"))
		snprintf(d->name, sizeof(d->name), "%.127s", v);
	else if (!strcasecmp(k, "firmware"))
		d->uefi = !strcasecmp(v, "efi");
	else if (!strcasecmp(k, "ethernet0.present"))
		d->nic = truthy(v);
	else if (slot_key(k, &key, &field)) {
		s = slot_get(r, key);
		if (!s)
			return 0;
		if (!strcasecmp(field, "present"))
			s->present = truthy(v);
		else if (!strcasecmp(field, "fileName"))
			snprintf(s->name, sizeof(s->name), "%s", v);
		else if (!strcasecmp(field, "deviceType"))
			s->is_disk = !strcasecmp(v, "disk") ||
				     !strcasecmp(v, "plainDisk") ||
				     !strcasecmp(v, "scsi-hardDisk") ||
				     !strcasecmp(v, "ata-hardDisk");
		else if (!strcasecmp(field, "mode"))
			return set_mode(r, s, k, v);
	}
	return 0;
}

static int dualvm_pair(struct reader *r, const char *k, const char *v)
{
	struct p2v_vmdef *d = r->d;
	unsigned int n;
	int off = 0;
	struct slot *s;

	if (!strcmp(k, "name"))
		snprintf(d->name, sizeof(d->name), "%.127s", v);
	else if (!strcmp(k, "memory_mib"))
		return number(r, k, v, 65536, &d->mem_mib);
	else if (!strcmp(k, "cpus"))
		return number(r, k, v, 64, &d->cpus);
	else if (!strcmp(k, "firmware")) {
		if (strcmp(v, "bios") && strcmp(v, "uefi")) {
			snprintf(r->err, r->errlen, "%s: firmware = %s: want bios or uefi",
				 r->path, v);
			return -EINVAL;
		}
		d->uefi = !strcmp(v, "uefi");
	} else if (!strcmp(k, "machine")) {
		if (strcmp(v, "pc-i440fx")) {
			snprintf(r->err, r->errlen, "%s: machine = %s: dualvm has pc-i440fx only",
				 r->path, v);
			return -EINVAL;
		}
	} else if (sscanf(k, "nic%u%n", &n, &off) == 1 && !k[off]) {
		d->nic = strcmp(v, "none") != 0;
	} else if (sscanf(k, "disk%u%n", &n, &off) == 1 && n < 16) {
		s = slot_get(r, n);
		if (!s)
			return 0;
		if (!k[off]) {
			snprintf(s->name, sizeof(s->name), "%s", v);
			s->present = true;
		} else if (!strcmp(k + off, ".mode")) {
			return set_mode(r, s, k, v);
		} else if (!strcmp(k + off, ".partitions")) {
			return set_partitions(r, s, k, v);
		}
	}
	return 0;
}

/* One line: comments, blank lines, `key = value`. */
static int parse_line(struct reader *r, char *line, unsigned int lineno)
{
	char *eq, *k, *v, *e;
	char val[PATH_MAX];
	size_t n;

	while (*line == ' ' || *line == '\t')
		line++;
	n = strlen(line);
	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		snprintf(r->err, r->errlen, "%s:%u: not a `key = value` line",
			 r->path, lineno);
		return -EINVAL;
	}
	k = line;
	for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = '\0';
	v = eq + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (r->vmx) {
		n = strlen(v);
		if (n < 2 || v[0] != '"' || v[n - 1] != '"') {
			snprintf(r->err, r->errlen, "%s:%u: the value of %s is not quoted",
				 r->path, lineno, k);
			return -EINVAL;
		}
		v[n - 1] = '\0';
		v++;
	}
	if (p2v_unescape(r->vmx ? P2V_ESC_VMX : P2V_ESC_DUALVM, v, val,
			 sizeof(val)) < 0) {
		snprintf(r->err, r->errlen, "%s:%u: a bad escape in the value of %s",
			 r->path, lineno, k);
		return -EINVAL;
	}
	return r->vmx ? vmx_pair(r, k, val) : dualvm_pair(r, k, val);
}

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* The disks in slot order, each through the path policy. */
static int finish(struct reader *r)
{
	struct p2v_vmdef *d = r->d;
	int e;

	qsort(r->slot, r->nslot, sizeof(r->slot[0]), cmp_slot);
	for (unsigned int i = 0; i < r->nslot; i++) {
		struct slot *s = &r->slot[i];

		if (!s->present || !s->is_disk || !s->name[0])
			continue;
		if (d->ndisks == P2V_VMDEF_DISKS) {
			snprintf(r->err, r->errlen, "%s: more than %d disks",
				 r->path, P2V_VMDEF_DISKS);
			return -E2BIG;
		}
		e = p2v_vmdef_disk(r->path, s->name, r->flags,
				   d->disk[d->ndisks].path, r->err, r->errlen);
		if (e)
			return e;
		snprintf(d->disk[d->ndisks].mode, sizeof(d->disk[0].mode),
			 "%s", s->mode);
		snprintf(d->disk[d->ndisks].partitions,
			 sizeof(d->disk[0].partitions), "%s", s->partitions);
		d->ndisks++;
	}
	if (!d->ndisks) {
		snprintf(r->err, r->errlen, "%s: names no disk", r->path);
		return -ENOENT;
	}
	return 0;
}

int p2v_vmdef_disk(const char *def, const char *ref, unsigned int flags,
		   char *real, char *err, size_t errlen)
{
	const char *slash = strrchr(def, '/');
	int e;

	if (flags & P2V_VMDEF_NOCHECK) {
		if (ref[0] == '/' || !slash)
			snprintf(real, PATH_MAX, "%s", ref);
		else
			snprintf(real, PATH_MAX, "%.*s/%s", (int)(slash - def),
				 def, ref);
		return 0;
	}
	if (!(flags & P2V_VMDEF_LIBRARY) || ref[0] != '/')
		return rd_path_check(def, ref, false, real, err, errlen);
	/* the user named this file or device: followed where it is, if it
	 * is still what was recorded (canonical: no link swapped in) */
	e = rd_path_check(ref, ref, true, real, err, errlen);
	if (!e && strcmp(real, ref)) {
		snprintf(err, errlen, "%s names %.300s, which now leads to %.300s: refused (create the VM again)",
			 def, ref, real);
		e = -EPERM;
	}
	return e;
}

int p2v_read_text(const char *path, size_t max, char **text, size_t *len,
		  char *err, size_t errlen)
{
	struct stat st;
	size_t n = 0;
	char *t = NULL;
	int fd, e = 0;

	*text = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		e = fd < 0 ? -errno : -EINVAL;
		snprintf(err, errlen, "%s: %s", path,
			 e == -EINVAL ? "not a regular file" : strerror(-e));
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: %lld bytes: too large for a VM definition",
			 path, (long long)st.st_size);
		e = -EFBIG;
		goto out;
	}
	t = malloc((size_t)st.st_size + 1);
	if (!t) {
		e = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (n < (size_t)st.st_size) {
		ssize_t m = read(fd, t + n, (size_t)st.st_size - n);

		if (m <= 0) {
			e = m < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: %s", path, strerror(-e));
			goto out;
		}
		n += (size_t)m;
	}
	t[n] = '\0';
	*text = t;
	*len = n;
	t = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(t);
	return e;
}

/* The `key = value` kinds from @text (NUL-terminated, @n bytes). */
static int kv_parse(struct reader *r, char *text, size_t n)
{
	char *line, *nl;
	unsigned int lineno = 0;
	int e = 0;

	if (strlen(text) != n) {
		snprintf(r->err, r->errlen, "%s: not a text file", r->path);
		return -EINVAL;
	}
	snprintf(r->d->kind, sizeof(r->d->kind), "%s", r->vmx ? "vmx" : "dualvm");
	for (line = text; line && *line && !e; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (strlen(line) > 4096) {
			snprintf(r->err, r->errlen, "%s:%u: line too long",
				 r->path, lineno + 1);
			return -EINVAL;
		}
		e = parse_line(r, line, ++lineno);
	}
	return e ? e : finish(r);
}

int p2v_err_line(int e, char *err, size_t errlen)
{
	if (!e || !errlen)
		return e;
	if (!err[0])
		snprintf(err, errlen, "%s", strerror(e < 0 ? -e : e));
	for (char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return e;
}

int p2v_vmdef_read(const char *path, struct p2v_vmdef *d, char *err,
		   size_t errlen)
{
	return p2v_vmdef_load(path, 0, d, err, errlen);
}

int p2v_vmdef_load(const char *path, unsigned int flags, struct p2v_vmdef *d,
		   char *err, size_t errlen)
{
	struct reader *r = calloc(1, sizeof(*r));
	char *text = NULL;
	size_t n = 0;
	int e;

	memset(d, 0, sizeof(*d));
	if (errlen)
		err[0] = '\0';
	if (!r)
		return p2v_err_line(-ENOMEM, err, errlen);
	*r = (struct reader){ .path = path, .d = d, .err = err,
			      .errlen = errlen, .flags = flags };
	e = p2v_read_text(path, P2V_VMXML_MAX_TEXT, &text, &n, err, errlen);
	if (e)
		goto out;
	switch (rd_vmdef_kind(text)) {
	case RD_VMDEF_VMX:
		r->vmx = true;
		/* fall through */
	case RD_VMDEF_DUALVM:
		if (n > VMDEF_MAX_TEXT) {
			snprintf(err, errlen, "%s: %zu bytes: too large for a VM definition",
				 path, n);
			e = -EFBIG;
			break;
		}
		if ((flags & P2V_VMDEF_LIBRARY) && r->vmx)
			r->flags &= ~P2V_VMDEF_LIBRARY;
		e = kv_parse(r, text, n);
		break;
	case RD_VMDEF_OVF:
	case RD_VMDEF_LIBVIRT:
		e = p2v_vmxml_parse(path, text, n, flags & ~P2V_VMDEF_LIBRARY,
				    d, err, errlen);
		break;
	default:
		snprintf(err, errlen, "%s: not a VM definition dualvm reads (dualvm, .vmx, OVF, libvirt XML)",
			 path);
		e = -EINVAL;
	}
out:
	free(text);
	free(r);
	return p2v_err_line(e, err, errlen);
}
