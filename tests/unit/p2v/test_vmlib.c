// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmlib.c --- the VM library's pieces in p2v: VM names, the
 * definition written and read back (modes, partitions, firmware, NIC),
 * the OVF reader (disks in controller order whatever the item order,
 * memory units, VMware's firmware key, a collection refused) and the
 * libvirt reader (memory units, target order, <transient/>, block disks
 * refused), DTDs refused, and removing a VM folder (its own files only,
 * an undoable overlay refusing it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p2v/p2v.h"
#include "tests/unit/harness.h"

static struct p2v_vmdef d;
static char err[1024];

static void touch(const char *dir, const char *name)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	T_ASSERT(fd >= 0);
	T_EQ(write(fd, "0123456789abcdef", 16), 16);
	close(fd);
}

/* Parse @xml as the file "x.xml" of the test folder (disks beside it). */
static int parse(const char *xml)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/x.xml", t_tmpdir());
	err[0] = '\0';
	return p2v_vmxml_parse(p, xml, strlen(xml), 0, &d, err, sizeof(err));
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static void test_names(void)
{
	T_ASSERT(p2v_lib_name_ok("win10"));
	T_ASSERT(p2v_lib_name_ok("Debian_12.1+x-y"));
	T_ASSERT(!p2v_lib_name_ok(""));
	T_ASSERT(!p2v_lib_name_ok(".hidden"));
	T_ASSERT(!p2v_lib_name_ok("-x"));
	T_ASSERT(!p2v_lib_name_ok("a/b"));
	T_ASSERT(!p2v_lib_name_ok(".."));
	T_ASSERT(!p2v_lib_name_ok("a b"));
	T_ASSERT(p2v_lib_name_ok("0123456789012345678901234567890123456789012345678901234567890123"));
	T_ASSERT(!p2v_lib_name_ok("01234567890123456789012345678901234567890123456789012345678901234"));
}

static void test_write_read_back(void)
{
	struct p2v_vmdef w = { .mem_mib = 512, .cpus = 2, .uefi = true,
			       .nic = false, .ndisks = 2 };
	char p[PATH_MAX];

	snprintf(w.name, sizeof(w.name), "a \\ b\n");
	snprintf(w.disk[0].path, sizeof(w.disk[0].path), "/dev/sda");
	snprintf(w.disk[0].partitions, sizeof(w.disk[0].partitions), "2,3");
	snprintf(w.disk[0].mode, sizeof(w.disk[0].mode), "undoable");
	snprintf(w.disk[1].path, sizeof(w.disk[1].path), "/data/x y.img");
	snprintf(p, sizeof(p), "%s/vm.dualvm", t_tmpdir());
	T_EQ(p2v_vmdef_write(&w, p, err, sizeof(err)), 0);
	T_EQ(p2v_vmdef_write(&w, p, err, sizeof(err)), -EEXIST);
	T_EQ(p2v_vmdef_load(p, P2V_VMDEF_NOCHECK, &d, err, sizeof(err)), 0);
	T_ASSERT(!strcmp(d.kind, "dualvm"));
	T_ASSERT(!strcmp(d.name, w.name));
	T_EQ(d.mem_mib, 512);
	T_EQ(d.cpus, 2);
	T_ASSERT(d.uefi && !d.nic);
	T_EQ(d.ndisks, 2);
	T_ASSERT(!strcmp(d.disk[0].path, "/dev/sda"));
	T_ASSERT(!strcmp(d.disk[0].partitions, "2,3"));
	T_ASSERT(!strcmp(d.disk[0].mode, "undoable"));
	T_ASSERT(!strcmp(d.disk[1].path, "/data/x y.img"));
	T_ASSERT(!d.disk[1].mode[0] && !d.disk[1].partitions[0]);
}

static void test_bad_partitions(void)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/bad.dualvm", t_tmpdir());
	f = fopen(p, "w");
	T_ASSERT(f);
	fprintf(f, "machine = pc-i440fx\ndisk0 = /dev/sda\ndisk0.partitions = 2,,3\n");
	fclose(f);
	T_EQ(p2v_vmdef_load(p, P2V_VMDEF_NOCHECK, &d, err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "disk0.partitions"));
}

#define OVF_HEAD "<?xml version=\"1.0\"?>\n" \
	"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" " \
	"xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" " \
	"xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\" " \
	"xmlns:vmw=\"http://www.vmware.com/schema/ovf\">\n" \
	"<References><File ovf:id=\"f1\" ovf:href=\"a%20b.vmdk\"/>" \
	"<File ovf:id=\"f2\" ovf:href=\"c.vmdk\"/></References>\n" \
	"<DiskSection><Disk ovf:diskId=\"d1\" ovf:fileRef=\"f1\"/>" \
	"<Disk ovf:diskId=\"d2\" ovf:fileRef=\"f2\"/></DiskSection>\n"

static void test_ovf(void)
{
	static const char xml[] = OVF_HEAD
		"<VirtualSystem ovf:id=\"vm1\"><Name>My VM</Name>\n"
		"<VirtualHardwareSection>\n"
		/* the SCSI disk first, its controller after it */
		"<Item><rasd:ResourceType>17</rasd:ResourceType>"
		"<rasd:HostResource>ovf:/disk/d1</rasd:HostResource>"
		"<rasd:Parent>7</rasd:Parent><rasd:AddressOnParent>0</rasd:AddressOnParent></Item>\n"
		"<Item><rasd:ResourceType>17</rasd:ResourceType>"
		"<rasd:HostResource>ovf:/disk/d2</rasd:HostResource>"
		"<rasd:Parent>3</rasd:Parent><rasd:AddressOnParent>1</rasd:AddressOnParent></Item>\n"
		"<Item><rasd:InstanceID>7</rasd:InstanceID><rasd:ResourceType>6</rasd:ResourceType></Item>\n"
		"<Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>5</rasd:ResourceType>"
		"<rasd:Address>0</rasd:Address></Item>\n"
		"<Item><rasd:ResourceType>4</rasd:ResourceType>"
		"<rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits>"
		"<rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>\n"
		"<Item><rasd:ResourceType>3</rasd:ResourceType>"
		"<rasd:VirtualQuantity>4</rasd:VirtualQuantity></Item>\n"
		"<Item><rasd:ResourceType>10</rasd:ResourceType></Item>\n"
		"<vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>\n"
		"</VirtualHardwareSection></VirtualSystem></Envelope>\n";

	touch(t_tmpdir(), "a b.vmdk");
	touch(t_tmpdir(), "c.vmdk");
	T_EQ(parse(xml), 0);
	T_ASSERT(!strcmp(d.kind, "ovf"));
	T_ASSERT(!strcmp(d.name, "My VM"));
	T_EQ(d.mem_mib, 2048);
	T_EQ(d.cpus, 4);
	T_ASSERT(d.uefi && d.nic);
	T_EQ(d.ndisks, 2);
	T_ASSERT(ends(d.disk[0].path, "/c.vmdk"));	/* IDE before SCSI */
	T_ASSERT(ends(d.disk[1].path, "/a b.vmdk"));	/* %20 decoded */
}

static void test_ovf_refusals(void)
{
	T_EQ(parse(OVF_HEAD "<VirtualSystemCollection/></Envelope>"), -EINVAL);
	T_ASSERT(strstr(err, "VirtualSystemCollection"));
	T_EQ(parse(OVF_HEAD "<VirtualSystem><VirtualHardwareSection>"
		   "<Item><rasd:ResourceType>17</rasd:ResourceType>"
		   "<rasd:HostResource>ovf:/disk/d9</rasd:HostResource></Item>"
		   "</VirtualHardwareSection></VirtualSystem></Envelope>"), -EINVAL);
	T_ASSERT(strstr(err, "d9"));
	T_EQ(parse(OVF_HEAD "<VirtualSystem/></Envelope>"), -ENOENT);
	T_ASSERT(strstr(err, "names no disk"));
	/* an href out of the folder: the path policy */
	T_EQ(parse("<Envelope><References><File id=\"f\" href=\"/etc/passwd\"/>"
		   "</References><DiskSection><Disk diskId=\"d\" fileRef=\"f\"/></DiskSection>"
		   "<VirtualSystem><VirtualHardwareSection><Item><ResourceType>17</ResourceType>"
		   "<HostResource>ovf:/disk/d</HostResource></Item></VirtualHardwareSection>"
		   "</VirtualSystem></Envelope>"), -EPERM);
	T_ASSERT(strstr(err, "outside"));
}

static void test_libvirt(void)
{
	char xml[2048];

	touch(t_tmpdir(), "a.img");
	touch(t_tmpdir(), "b.img");
	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>lv</name><memory>524288</memory>"
		 "<vcpu placement='static'>3</vcpu><os><type>hvm</type></os><devices>"
		 "<disk type='file' device='cdrom'><source file='/x.iso'/><target dev='hdc' bus='ide'/></disk>"
		 "<disk type='file' device='disk'><source file='%s/b.img'/><target dev='hdb' bus='ide'/><transient/></disk>"
		 "<disk type='file' device='disk'><source file='a.img'/><target dev='hda' bus='ide'/></disk>"
		 "</devices></domain>", t_tmpdir());
	T_EQ(parse(xml), 0);
	T_ASSERT(!strcmp(d.kind, "libvirt") && !strcmp(d.name, "lv"));
	T_EQ(d.mem_mib, 512);		/* KiB by default */
	T_EQ(d.cpus, 3);
	T_ASSERT(!d.uefi && !d.nic);
	T_EQ(d.ndisks, 2);
	T_ASSERT(ends(d.disk[0].path, "/a.img") && !d.disk[0].mode[0]);
	T_ASSERT(ends(d.disk[1].path, "/b.img"));
	T_ASSERT(!strcmp(d.disk[1].mode, "nonpersistent"));

	T_EQ(parse("<domain type='kvm'><memory unit='GiB'>1</memory><os firmware='efi'/>"
		   "<devices><disk type='file'><source file='a.img'/></disk><interface type='user'/>"
		   "</devices></domain>"), 0);
	T_EQ(d.mem_mib, 1024);
	T_ASSERT(d.uefi && d.nic);
	T_EQ(parse("<domain type='kvm'><devices><disk type='block' device='disk'>"
		   "<source dev='/dev/sda'/></disk></devices></domain>"), -EPERM);
	T_ASSERT(strstr(err, "vm create"));
	T_EQ(parse("<domain type='kvm'><memory unit='parsec'>1</memory></domain>"), -EINVAL);
}

static void test_dtd_refused(void)
{
	T_EQ(parse("<?xml version='1.0'?><!DOCTYPE d [<!ENTITY e 'x'>]><domain type='kvm'/>"),
	     -EINVAL);
	T_ASSERT(strstr(err, "DOCTYPE"));
	T_EQ(parse("<domain type='kvm'><name>&e;</name></domain>"), -EINVAL);
	T_ASSERT(strstr(err, "not well-formed"));
	T_ASSERT(!strchr(err, '\n'));
	T_EQ(parse("<domain type='kvm'><name>a&#10;b</name><devices><disk type='file'>"
		   "<source file='no&#10;such'/></disk></devices></domain>"), -ENOENT);
	T_ASSERT(!strchr(err, '\n'));		/* one line, always */
}

static int nremoved, nkept;

static void on_removed(void *ctx, const char *p)
{
	nremoved++;
}

static void on_kept(void *ctx, const char *p)
{
	T_ASSERT(ends(p, "/mine.txt"));
	nkept++;
}

static void test_remove(void)
{
	struct p2v_vmdef w = { .ndisks = 2 };
	char dir[1024], p[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/vm", t_tmpdir());
	T_EQ(mkdir(dir, 0700), 0);
	touch(t_tmpdir(), "outside.img");
	touch(dir, "inside.vmdk");
	snprintf(w.disk[0].path, sizeof(w.disk[0].path), "%.1000s/inside.vmdk", dir);
	snprintf(w.disk[1].path, sizeof(w.disk[1].path), "%s/outside.img", t_tmpdir());
	snprintf(p, sizeof(p), "%s/%s", dir, P2V_LIB_DEF);
	T_EQ(p2v_vmdef_write(&w, p, err, sizeof(err)), 0);
	touch(dir, "outside.img.undo.qcow2");
	touch(dir, "mine.txt");
	/* an overlay with changes: nothing removed */
	T_EQ(p2v_lib_remove(dir, on_removed, on_kept, NULL, err, sizeof(err)), -EBUSY);
	T_EQ(nremoved + nkept, 0);
	T_ASSERT(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%.1000s/outside.img.undo.qcow2", dir);
	T_EQ(unlink(p), 0);
	T_EQ(p2v_lib_remove(dir, on_removed, on_kept, NULL, err, sizeof(err)), 0);
	T_EQ(nremoved, 2);		/* the definition, the inside disk */
	T_EQ(nkept, 1);			/* mine.txt, and so the folder */
	snprintf(p, sizeof(p), "%s/outside.img", t_tmpdir());
	T_ASSERT(access(p, F_OK) == 0);
	T_ASSERT(access(dir, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/mine.txt", dir);
	T_EQ(unlink(p), 0);
	nremoved = nkept = 0;
	T_EQ(p2v_lib_remove(dir, on_removed, on_kept, NULL, err, sizeof(err)), 0);
	T_EQ(nremoved, 1);		/* the folder itself */
	T_ASSERT(access(dir, F_OK) != 0);
}

static const struct t_case cases[] = {
	T_CASE(test_names),
	T_CASE(test_write_read_back),
	T_CASE(test_bad_partitions),
	T_CASE(test_ovf),
	T_CASE(test_ovf_refusals),
	T_CASE(test_libvirt),
	T_CASE(test_dtd_refused),
	T_CASE(test_remove),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
