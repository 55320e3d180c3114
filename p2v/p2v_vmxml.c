// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_vmxml.c --- reading the XML VM definitions: OVF and libvirt
 *
 *  - OVF (DMTF DSP0243 1.0/2.0): References/File (ovf:id, ovf:href, a
 *    relative URI), DiskSection/Disk (ovf:diskId, ovf:fileRef), and the
 *    first VirtualSystem's name (ovf:id or <Name>) and
 *    VirtualHardwareSection: CIM RASD items by ResourceType (3 CPUs,
 *    4 memory with AllocationUnits, 5 IDE / 6 SCSI / 20 other storage
 *    controllers, 17 disk drives with HostResource ovf:/disk/ID or
 *    ovf:/file/ID, Parent and AddressOnParent, 10 Ethernet), and VMware's
 *    <vmw:Config vmw:key="firmware" vmw:value="efi"/>;
 *  - libvirt domain XML (formatdomain.html): name, memory (unit, KiB by
 *    default), vcpu, os firmware="efi" or a pflash loader, devices/disk
 *    of device "disk" and type "file" (source file; target dev and bus
 *    give the order; <transient/> is the nonpersistent mode), interface.
 * Elements and attributes are matched by local name, whatever the
 * namespace prefix.  The parser is libxml2's with XML_PARSE_NONET and
 * without XML_PARSE_NOENT or XML_PARSE_DTDLOAD, and a document that holds
 * a <!DOCTYPE> is refused before parsing: no entity of ours is ever
 * declared or expanded, nothing is fetched.  Bounded: at most 1 MiB of
 * text, 16 files, 16 disk drives, 64 controllers and 256 hardware items
 * are looked at.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "p2v/p2v_esc.h"
#include "p2v/p2v_priv.h"

#define XML_REFS	16	/* OVF files / disks looked at */
#define XML_ITEMS	64	/* OVF controllers looked at */

/* ---------------------------------------------------------------- tree */

static bool is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

static xmlNode *next(xmlNode *n, const char *name)
{
	for (n = n ? n->next : NULL; n; n = n->next)
		if (is(n, name))
			return n;
	return NULL;
}

/* Copy @s into @out: 1, or -1 (with @x->err) when it does not fit. */
static int put(struct p2v_xvm *x, const char *what, const xmlChar *s, char *out,
	       size_t len)
{
	if (strlen((const char *)s) >= len) {
		snprintf(x->err, x->errlen, "%s: %s is too long", x->path, what);
		return -1;
	}
	snprintf(out, len, "%s", (const char *)s);
	return 1;
}

/* Attribute @name (local name, any namespace) of @n into @out: 1 found,
 * 0 absent, -1 too long (@x->err set). */
static int attr(struct p2v_xvm *x, const xmlNode *n, const char *name, char *out,
		size_t len)
{
	for (xmlAttr *a = n ? n->properties : NULL; a; a = a->next) {
		xmlChar *v;
		int r;

		if (strcmp((const char *)a->name, name))
			continue;
		v = xmlNodeListGetString(n->doc, a->children, 1);
		if (!v)
			return 0;
		r = put(x, name, v, out, len);
		xmlFree(v);
		return r;
	}
	out[0] = '\0';
	return 0;
}

/* The text of the child element @name of @n, trimmed, into @out: as
 * attr(). */
static int text(struct p2v_xvm *x, const xmlNode *n, const char *name, char *out,
		size_t len)
{
	xmlNode *c = child(n, name);
	xmlChar *v;
	char *s, *e;
	int r;

	out[0] = '\0';
	if (!c || !(v = xmlNodeGetContent(c)))
		return 0;
	r = put(x, name, v, out, len);
	xmlFree(v);
	if (r < 0)
		return r;
	for (s = out; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++)
		;
	memmove(out, s, strlen(s) + 1);
	e = out + strlen(out);
	while (e > out && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			   e[-1] == '\r'))
		*--e = '\0';
	return 1;
}

/* @x->err = "PATH: " + the formatted text; returns @e. */
int p2v_xml_bad(struct p2v_xvm *x, int e, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	snprintf(x->err, x->errlen, "%s: ", x->path);
	n = strlen(x->err);
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->errlen - n, fmt, ap);
	va_end(ap);
	return e;
}

/* A decimal number 1..@max from @s: 0, or -EINVAL with @x->err naming
 * @what. */
static int number(struct p2v_xvm *x, const char *what, const char *s,
		  unsigned long long max, unsigned long long *out)
{
	char *end;

	*out = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || !*out || *out > max) {
		snprintf(x->err, x->errlen, "%s: %s \"%.40s\": want a number 1..%llu",
			 x->path, what, s, max);
		return -EINVAL;
	}
	return 0;
}

static int add_disk(struct p2v_xvm *x, unsigned int key, const char *ref,
		    const char *mode)
{
	if (x->nd == P2V_XML_DISKS)
		return p2v_xml_bad(x, -E2BIG, "more than %d disk drives", P2V_XML_DISKS);
	x->disk[x->nd].key = key;
	snprintf(x->disk[x->nd].ref, sizeof(x->disk[0].ref), "%s", ref);
	snprintf(x->disk[x->nd].mode, sizeof(x->disk[0].mode), "%s", mode);
	x->nd++;
	return 0;
}

/* ---------------------------------------------------------------- OVF */

struct ovf_ref {
	char	id[64];
	char	val[PATH_MAX];		/* File: href; Disk: fileRef */
};

struct ovf {
	struct ovf_ref	file[XML_REFS], disk[XML_REFS];
	unsigned int	nfile, ndisk;
	struct {
		char		id[32];		/* InstanceID */
		unsigned int	type;		/* ResourceType */
		unsigned int	addr;		/* Address */
	} ctl[XML_ITEMS];
	unsigned int	nctl;
};

static int ovf_refs(struct p2v_xvm *x, xmlNode *env, struct ovf *o)
{
	xmlNode *n;

	for (n = child(child(env, "References"), "File"); n && o->nfile < XML_REFS;
	     n = next(n, "File")) {
		struct ovf_ref *r = &o->file[o->nfile];

		if (attr(x, n, "id", r->id, sizeof(r->id)) < 0 ||
		    attr(x, n, "href", r->val, sizeof(r->val)) < 0)
			return -EINVAL;
		o->nfile++;
	}
	for (n = child(child(env, "DiskSection"), "Disk"); n && o->ndisk < XML_REFS;
	     n = next(n, "Disk")) {
		struct ovf_ref *r = &o->disk[o->ndisk];

		if (attr(x, n, "diskId", r->id, sizeof(r->id)) < 0 ||
		    attr(x, n, "fileRef", r->val, sizeof(r->val)) < 0)
			return -EINVAL;
		o->ndisk++;
	}
	return 0;
}

static const char *ovf_find(const struct ovf_ref *r, unsigned int n,
			    const char *id)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(r[i].id, id))
			return r[i].val;
	return NULL;
}

/* Memory @q in @units (RASD AllocationUnits) as MiB, 0 if unknown. */
static unsigned long long ovf_mib(unsigned long long q, const char *units)
{
	char u[64];
	size_t n = 0;

	for (const char *s = units; *s && n < sizeof(u) - 1; s++)
		if (*s != ' ')
			u[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
	u[n] = '\0';
	if (!n || !strcmp(u, "byte*2^20") || !strcmp(u, "megabytes") ||
	    !strcmp(u, "mb"))
		return q;
	if (!strcmp(u, "byte*2^30") || !strcmp(u, "gigabytes") ||
	    !strcmp(u, "gb"))
		return q > (1ULL << 40) ? 0 : q * 1024;
	if (!strcmp(u, "byte*2^10") || !strcmp(u, "kilobytes") ||
	    !strcmp(u, "kb"))
		return q / 1024;
	if (!strcmp(u, "byte") || !strcmp(u, "bytes"))
		return q >> 20;
	return 0;
}

/* One RASD item (or OVF 2.0 StorageItem / EthernetPortItem). */
static int ovf_item(struct p2v_xvm *x, xmlNode *it, struct ovf *o)
{
	char type[16], q[32], units[64], hr[PATH_MAX], parent[32], aop[16];
	unsigned long long v, t;
	const char *ref, *file;
	unsigned int key = 0;

	if (text(x, it, "ResourceType", type, sizeof(type)) < 0 ||
	    text(x, it, "VirtualQuantity", q, sizeof(q)) < 0 ||
	    text(x, it, "AllocationUnits", units, sizeof(units)) < 0)
		return -EINVAL;
	t = strtoull(type, NULL, 10);
	switch (t) {
	case 3:
		if (number(x, "CPU VirtualQuantity", q, 64, &v))
			return -EINVAL;
		x->d->cpus = (unsigned int)v;
		return 0;
	case 4:
		if (number(x, "memory VirtualQuantity", q, 1ULL << 40, &v))
			return -EINVAL;
		v = ovf_mib(v, units);
		if (!v || v > 65536)
			return p2v_xml_bad(x, -EINVAL, "memory in \"%.64s\": want 1 MiB..64 GiB",
				   units);
		x->d->mem_mib = (unsigned int)v;
		return 0;
	case 5:
	case 6:
	case 20:
		if (o->nctl == XML_ITEMS)
			return 0;
		if (text(x, it, "InstanceID", o->ctl[o->nctl].id,
			 sizeof(o->ctl[0].id)) < 0 ||
		    text(x, it, "Address", q, sizeof(q)) < 0)
			return -EINVAL;
		o->ctl[o->nctl].type = (unsigned int)t;
		o->ctl[o->nctl].addr = (unsigned int)(strtoul(q, NULL, 10) & 15);
		o->nctl++;
		return 0;
	case 10:
		x->d->nic = true;
		return 0;
	case 17:
		break;
	default:
		return 0;
	}
	if (text(x, it, "HostResource", hr, sizeof(hr)) < 0 ||
	    text(x, it, "Parent", parent, sizeof(parent)) < 0 ||
	    text(x, it, "AddressOnParent", aop, sizeof(aop)) < 0)
		return -EINVAL;
	if (!strncmp(hr, "ovf:/disk/", 10) || !strncmp(hr, "/disk/", 6)) {
		ref = ovf_find(o->disk, o->ndisk, strrchr(hr, '/') + 1);
		file = ref ? ovf_find(o->file, o->nfile, ref) : NULL;
	} else if (!strncmp(hr, "ovf:/file/", 10) || !strncmp(hr, "/file/", 6)) {
		file = ovf_find(o->file, o->nfile, strrchr(hr, '/') + 1);
	} else {
		return p2v_xml_bad(x, -EINVAL, "a disk drive with HostResource \"%.200s\": want ovf:/disk/ID",
			   hr);
	}
	if (!file)
		return p2v_xml_bad(x, -EINVAL, "a disk drive names \"%.200s\", which References and DiskSection do not define",
			   hr);
	for (unsigned int i = 0; i < o->nctl; i++)
		if (!strcmp(o->ctl[i].id, parent))
			key = (o->ctl[i].type == 5 ? 0 : o->ctl[i].type == 20 ?
			       1 : 2) * 256 + o->ctl[i].addr * 16;
	key += (unsigned int)(strtoul(aop, NULL, 10) & 15);
	return add_disk(x, key, file, "");
}

static int ovf_parse(struct p2v_xvm *x, xmlNode *env)
{
	struct ovf *o = calloc(1, sizeof(*o));
	xmlNode *vs, *hw, *it, *c;
	char k[32], v[32];
	unsigned int n = 0;
	int e;

	if (!o)
		return -ENOMEM;
	snprintf(x->d->kind, sizeof(x->d->kind), "ovf");
	e = ovf_refs(x, env, o);
	if (e)
		goto out;
	vs = child(env, "VirtualSystem");
	if (!vs) {
		e = p2v_xml_bad(x, -EINVAL, "%s", child(env, "VirtualSystemCollection") ?
			"holds several virtual systems (VirtualSystemCollection): import one OVF per VM" :
			"no VirtualSystem");
		goto out;
	}
	if (text(x, vs, "Name", x->d->name, sizeof(x->d->name)) <= 0 &&
	    attr(x, vs, "id", x->d->name, sizeof(x->d->name)) < 0) {
		e = -EINVAL;
		goto out;
	}
	hw = child(vs, "VirtualHardwareSection");
	/* controllers first: disk drives name them as Parent */
	for (int pass = 0; pass < 2 && !e; pass++)
		for (it = hw ? hw->children : NULL, n = 0; it && !e; it = it->next) {
			bool item = is(it, "Item") || is(it, "StorageItem") ||
				    is(it, "EthernetPortItem");
			char t[16];

			if (!item || n++ >= 4 * XML_ITEMS)
				continue;
			if (text(x, it, "ResourceType", t, sizeof(t)) < 0) {
				e = -EINVAL;
				break;
			}
			if ((strtoul(t, NULL, 10) == 17) == (pass == 1))
				e = ovf_item(x, it, o);
		}
	for (c = child(hw, "Config"); c && !e; c = next(c, "Config"))
		if (attr(x, c, "key", k, sizeof(k)) > 0 && !strcmp(k, "firmware") &&
		    attr(x, c, "value", v, sizeof(v)) > 0)
			x->d->uefi = !strcasecmp(v, "efi");
out:
	free(o);
	return e;
}

/* ---------------------------------------------------------------- libvirt */

/* libvirt's memory units as a multiplier of bytes (0: unknown). */
static unsigned long long virt_unit(const char *u)
{
	static const struct {
		const char		*name;
		unsigned long long	mul;
	} t[] = {
		{ "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 },
		{ "KiB", 1024 }, { "MB", 1000000 }, { "M", 1 << 20 },
		{ "MiB", 1 << 20 }, { "GB", 1000000000 }, { "G", 1 << 30 },
		{ "GiB", 1 << 30 }, { "TB", 1000000000000ULL },
		{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
	};

	if (!*u)
		return 1024;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(u, t[i].name))
			return t[i].mul;
	return 0;
}

static int virt_disk(struct p2v_xvm *x, xmlNode *dn)
{
	static const char *const bus[] = { "ide", "sata", "scsi", "virtio" };
	char type[16], dev[16], src[PATH_MAX], tdev[32], tbus[16];
	unsigned int rank = 4, idx = 0;
	xmlNode *s = child(dn, "source"), *t = child(dn, "target");

	if (attr(x, dn, "type", type, sizeof(type)) < 0 ||
	    attr(x, dn, "device", dev, sizeof(dev)) < 0 ||
	    attr(x, t, "dev", tdev, sizeof(tdev)) < 0 ||
	    attr(x, t, "bus", tbus, sizeof(tbus)) < 0)
		return -EINVAL;
	if (dev[0] && strcmp(dev, "disk"))
		return 0;		/* cdrom, floppy, lun */
	if (!strcmp(type, "block"))
		return p2v_xml_bad(x, -EPERM, "a <disk type=\"block\"> (a host block device) is not imported: use `dualvm vm create --disk DEVICE`");
	if (strcmp(type, "file"))
		return p2v_xml_bad(x, -ENOTSUP, "a <disk type=\"%.32s\">: only file disks are imported",
			   type);
	if (attr(x, s, "file", src, sizeof(src)) <= 0)
		return p2v_xml_bad(x, -EINVAL, "a file disk without <source file=...>");
	for (unsigned int i = 0; i < 4; i++)
		if (!strcmp(tbus, bus[i]))
			rank = i;
	if (strlen(tdev) >= 3)
		idx = (unsigned int)(tdev[strlen(tdev) - 1] - 'a') & 255;
	return add_disk(x, rank * 256 + idx, src,
			child(dn, "transient") ? "nonpersistent" : "");
}

static int virt_parse(struct p2v_xvm *x, xmlNode *dom)
{
	char mem[32], unit[16], fw[16], lt[16];
	unsigned long long v, mul;
	xmlNode *n, *os = child(dom, "os");
	unsigned int count = 0;
	int e = 0;

	snprintf(x->d->kind, sizeof(x->d->kind), "libvirt");
	if (text(x, dom, "name", x->d->name, sizeof(x->d->name)) < 0 ||
	    text(x, dom, "memory", mem, sizeof(mem)) < 0 ||
	    attr(x, child(dom, "memory"), "unit", unit, sizeof(unit)) < 0 ||
	    attr(x, os, "firmware", fw, sizeof(fw)) < 0 ||
	    attr(x, child(os, "loader"), "type", lt, sizeof(lt)) < 0)
		return -EINVAL;
	if (mem[0]) {
		mul = virt_unit(unit);
		if (!mul)
			return p2v_xml_bad(x, -EINVAL, "memory unit \"%.16s\" unknown", unit);
		if (number(x, "memory", mem, (1ULL << 50) / mul, &v))
			return -EINVAL;
		v = v * mul >> 20;
		if (!v || v > 65536)
			return p2v_xml_bad(x, -EINVAL, "memory %s: want 1 MiB..64 GiB", mem);
		x->d->mem_mib = (unsigned int)v;
	}
	if (text(x, dom, "vcpu", mem, sizeof(mem)) < 0)
		return -EINVAL;
	if (mem[0]) {
		if (number(x, "vcpu", mem, 64, &v))
			return -EINVAL;
		x->d->cpus = (unsigned int)v;
	}
	x->d->uefi = !strcmp(fw, "efi") || !strcmp(lt, "pflash");
	for (n = child(child(dom, "devices"), "disk"); n && !e && count++ < 64;
	     n = next(n, "disk"))
		e = virt_disk(x, n);
	x->d->nic = child(child(dom, "devices"), "interface") != NULL;
	return e;
}

/* ---------------------------------------------------------------- common */

static int cmp_disk(const void *a, const void *b)
{
	const struct p2v_xdisk *p = a, *q = b;

	return (p->key > q->key) - (p->key < q->key);
}

/* SAX hooks for any DTD: stop the parser (the text was checked for
 * "<!DOCTYPE" already; this covers other encodings of it). */
static void no_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
		      const xmlChar *sys)
{
	xmlParserCtxtPtr c = ctx;

	c->_private = (void *)1;
	xmlStopParser(c);
}

static void no_entity(void *ctx, const xmlChar *name, int type,
		      const xmlChar *pub, const xmlChar *sys, xmlChar *content)
{
	no_subset(ctx, name, pub, sys);
}

/* Parse @text into @x (disks collected, not resolved). */
int p2v_xml_collect(struct p2v_xvm *x, const char *text, size_t len)
{
	xmlParserCtxtPtr ctx;
	xmlDocPtr doc;
	xmlNode *root;
	int e;

	if (len > P2V_VMXML_MAX_TEXT)
		return p2v_xml_bad(x, -EFBIG, "larger than 1 MiB: too large for a VM definition");
	if (memmem(text, len, "<!DOCTYPE", 9) || memmem(text, len, "<!ENTITY", 8) ||
	    memchr(text, '\0', len))
		return p2v_xml_bad(x, -EINVAL, "holds a <!DOCTYPE>, <!ENTITY> or NUL byte: refused (a VM definition is UTF-8 text without a DTD)");
	xmlInitParser();
	ctx = xmlNewParserCtxt();
	if (!ctx)
		return -ENOMEM;
	ctx->sax->internalSubset = no_subset;
	ctx->sax->externalSubset = no_subset;
	ctx->sax->entityDecl = no_entity;
	doc = xmlCtxtReadMemory(ctx, text, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc && ctx->_private) {
		xmlFreeParserCtxt(ctx);
		return p2v_xml_bad(x, -EINVAL, "holds a DTD: refused (a VM definition needs none)");
	}
	if (!doc) {
		const xmlError *xe = xmlCtxtGetLastError(ctx);
		char msg[160];

		snprintf(msg, sizeof(msg), "%s",
			 xe && xe->message ? xe->message : "malformed");
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(x->err, x->errlen, "%s:%d: not well-formed XML: %s",
			 x->path, xe ? xe->line : 0, msg);
		xmlFreeParserCtxt(ctx);
		return -EINVAL;
	}
	root = xmlDocGetRootElement(doc);
	if (is(root, "Envelope"))
		e = ovf_parse(x, root);
	else if (is(root, "domain"))
		e = virt_parse(x, root);
	else
		e = p2v_xml_bad(x, -EINVAL, "%s", "neither an OVF Envelope nor a libvirt domain");
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctx);
	if (e)
		return e;
	if (!x->nd)
		return p2v_xml_bad(x, -ENOENT, "%s", "names no disk");
	if (x->nd > P2V_VMDEF_DISKS)
		return p2v_xml_bad(x, -E2BIG, "more than %d disks", P2V_VMDEF_DISKS);
	qsort(x->disk, x->nd, sizeof(x->disk[0]), cmp_disk);
	if (!strcmp(x->d->kind, "ovf"))
		for (unsigned int i = 0; i < x->nd; i++) {
			char *r = x->disk[i].ref;

			if (p2v_unescape(P2V_ESC_URI, r, r, sizeof(x->disk[0].ref)) < 0)
				return p2v_xml_bad(x, -EINVAL, "a bad %%XX escape in the href \"%.200s\"",
					   r);
		}
	return 0;
}

int p2v_vmxml_parse(const char *path, const char *text, size_t len,
		    unsigned int flags, struct p2v_vmdef *d, char *err,
		    size_t errlen)
{
	struct p2v_xvm *x = calloc(1, sizeof(*x));
	int e;

	memset(d, 0, sizeof(*d));
	if (errlen)
		err[0] = '\0';
	if (!x)
		return p2v_err_line(-ENOMEM, err, errlen);
	*x = (struct p2v_xvm){ .path = path, .d = d, .err = err, .errlen = errlen };
	e = p2v_xml_collect(x, text, len);
	for (unsigned int i = 0; !e && i < x->nd; i++) {
		e = p2v_vmdef_disk(path, x->disk[i].ref, flags, d->disk[i].path,
				   err, errlen);
		snprintf(d->disk[i].mode, sizeof(d->disk[i].mode), "%s",
			 x->disk[i].mode);
	}
	if (!e)
		d->ndisks = x->nd;
	free(x);
	return p2v_err_line(e, err, errlen);
}
