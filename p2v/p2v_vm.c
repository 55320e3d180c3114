// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_vm.c --- VM definitions for a converted disk
 *
 * All describe dualvm's canonical machine: i440FX/PIIX3 chipset, the disk
 * on the primary IDE master, one e1000 (or PCnet) NIC, memory and vCPUs.
 *  - VMware .vmx (config.version 8, virtualHW.version 4 = Workstation 4/5
 *    era: i440BX/PIIX4 on VMware's side, IDE ide0:0, e1000 or vlance),
 *    naming only a disk VMware opens (a sparse VMDK, or a monolithicFlat
 *    descriptor over raw data);
 *  - OVF 1.0 envelope (DMTF DSP0243 1.0): References, DiskSection,
 *    NetworkSection, VirtualSystem with an OperatingSystemSection and a
 *    VirtualHardwareSection of CIM RASD items (CPU 3, memory 4, IDE
 *    controller 5, Ethernet 10, disk 17);
 *  - libvirt domain XML (machine pc-i440fx, disk on bus ide, a user-mode
 *    (NAT) interface of model e1000 / pcnet: what `dualvm run` gives);
 *  - each with the firmware: BIOS, or UEFI (p2v_vm.uefi: .vmx firmware
 *    "efi" at hardware version 11, OVF vmx-11 and VMware's vmw:Config
 *    firmware item, libvirt <os firmware="efi">, dualvm firmware = uefi);
 *  - dualvm's own config: `key = value` lines (documented in
 *    tests/p2v/README.md).
 * Every name or path goes through the escaping rule of its format
 * (p2v_esc.h): XML entities, the OVF href percent-encoded first, VMware's
 * `|XX`, dualvm's `\xHH`.
 * The OVA is a ustar archive: the .ovf first, then the disk, then the .mf
 * manifest with SHA256 sums (OVF 1.0 section 5.1 ordering).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p2v/p2v.h"
#include "p2v/p2v_esc.h"
#include "lib/lib.h"

static const char *vmx_guest(const char *g)
{
	return !strcmp(g, "windows") ? "winxppro" :
	       !strcmp(g, "linux") ? "otherlinux" : "other";
}

/* One `key = value` line, the value escaped by rule @kind: quoted for
 * VMware's .vmx, bare for dualvm's own files. */
static int kv_line(FILE *f, enum p2v_esc kind, const char *key,
		   const char *val)
{
	const char *q = kind == P2V_ESC_VMX ? "\"" : "";
	char *e;
	int rc = p2v_escape_dup(kind, val, &e);

	if (rc)
		return rc;
	fprintf(f, "%s = %s%s%s\n", key, q, e, q);
	free(e);
	return 0;
}

enum p2v_vmx_disk p2v_vmx_disk_kind(const char *format)
{
	if (!strcmp(format, "vmdk") || !strcmp(format, "vmdk-2gb"))
		return P2V_VMX_DIRECT;
	if (!strcmp(format, "raw") || !strcmp(format, "vhd-fixed"))
		return P2V_VMX_FLAT;
	return P2V_VMX_CONVERT;
}

int p2v_vmdk_flat_write(const char *path, const char *extent, uint64_t size,
			char *err, size_t errlen)
{
	uint64_t sectors = size / 512, cyl = sectors / (16 * 63);
	FILE *f;
	int rc = 0;

	if (size % 512 || !size) {
		snprintf(err, errlen, "%s: %llu bytes is not a whole number of sectors",
			 path, (unsigned long long)size);
		return -EINVAL;
	}
	for (const char *c = extent; *c; c++)
		if (*c == '"' || (unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(err, errlen, "%s: a VMDK descriptor cannot name the file '%s'",
				 path, extent);
			return -EINVAL;
		}
	f = fopen(path, "wx");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fprintf(f, "# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\n"
		    "CID=fffffffe\nparentCID=ffffffff\n"
		    "createType=\"monolithicFlat\"\n\n"
		    "# Extent description\nRW %llu FLAT \"%s\" 0\n\n"
		    "# The Disk Data Base\n#DDB\n\n"
		    "ddb.virtualHWVersion = \"4\"\n"
		    "ddb.geometry.cylinders = \"%llu\"\n"
		    "ddb.geometry.heads = \"16\"\n"
		    "ddb.geometry.sectors = \"63\"\n"
		    "ddb.adapterType = \"ide\"\n",
		    (unsigned long long)sectors, extent,
		    (unsigned long long)(cyl > 16383 ? 16383 : cyl)) < 0)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(EIO));
		unlink(path);
	}
	return rc;
}

static int write_vmx(FILE *f, const struct p2v_vm *vm)
{
	char mem[16], cpus[16];
	const char *const kv[][2] = {
		{ ".encoding", "UTF-8" },
		{ "config.version", "8" },
		/* EFI firmware: Workstation 11 (hardware version 11) on */
		{ "virtualHW.version", vm->uefi ? "11" : "4" },
		{ "displayName", vm->name },
		{ "guestOS", vmx_guest(vm->guest) },
		{ "memsize", mem },
		{ "numvcpus", cpus },
		{ "ide0:0.present", "TRUE" },
		{ "ide0:0.deviceType", "disk" },
		{ "ide0:0.fileName", vm->disk },
		{ "ide1:0.present", "FALSE" },
		{ "ethernet0.present", "TRUE" },
		{ "ethernet0.virtualDev",
		  !strcmp(vm->nic, "pcnet") ? "vlance" : "e1000" },
		{ "ethernet0.connectionType", "nat" },
		{ "ethernet0.addressType", "generated" },
	};
	int rc = 0;

	snprintf(mem, sizeof(mem), "%u", vm->mem_mib);
	snprintf(cpus, sizeof(cpus), "%u", vm->cpus);
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]) && !rc; i++)
		rc = kv_line(f, P2V_ESC_VMX, kv[i][0], kv[i][1]);
	if (!rc && vm->uefi)
		rc = kv_line(f, P2V_ESC_VMX, "firmware", "efi");
	return rc;
}

static const char *ovf_disk_format(const char *fmt)
{
	return !strcmp(fmt, "vmdk-stream") ?
	       "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized" :
	       !strcmp(fmt, "vmdk") ?
	       "http://www.vmware.com/interfaces/specifications/vmdk.html#sparse" :
	       !strcmp(fmt, "vhd") || !strcmp(fmt, "vhd-fixed") ?
	       "http://technet.microsoft.com/en-us/library/bb676673.aspx" :
	       !strcmp(fmt, "qcow2") ? "http://www.gnome.org/~markmc/qcow-image-format.html" :
	       "http://dualvm.invalid/disk-format/raw";
}

static void rasd(FILE *f, const char *name, unsigned int id,
		 unsigned int type, const char *extra)
{
	fprintf(f, "      <Item>\n"
		"        <rasd:ElementName>%s</rasd:ElementName>\n"
		"        <rasd:InstanceID>%u</rasd:InstanceID>\n"
		"        <rasd:ResourceType>%u</rasd:ResourceType>\n%s"
		"      </Item>\n", name, id, type, extra);
}

/*
 * The OVF's ovf:href: the disk file name as a relative URI (percent-
 * encoded), then XML-escaped for the attribute.  0 or -errno.
 */
static int ovf_href(const char *disk, char **out)
{
	char *uri;
	int rc = p2v_escape_dup(P2V_ESC_URI, disk, &uri);

	if (rc)
		return rc;
	rc = p2v_escape_dup(P2V_ESC_XML, uri, out);
	free(uri);
	return rc;
}

static int write_ovf(FILE *f, const struct p2v_vm *vm, uint64_t disk_bytes)
{
	char buf[512], *href = NULL, *name = NULL;
	bool win = !strcmp(vm->guest, "windows");
	int rc;

	rc = ovf_href(vm->disk, &href);
	if (!rc)
		rc = p2v_escape_dup(P2V_ESC_XML, vm->name, &name);
	if (rc)
		goto out;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
		"    xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"\n"
		"    xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData\"\n"
		"    xmlns:vssd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData\"\n"
		"    xmlns:vmw=\"http://www.vmware.com/schema/ovf\">\n"
		"  <References>\n"
		"    <File ovf:href=\"%s\" ovf:id=\"file1\" ovf:size=\"%llu\"/>\n"
		"  </References>\n"
		"  <DiskSection>\n"
		"    <Info>Virtual disks</Info>\n"
		"    <Disk ovf:capacity=\"%llu\" ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\"\n"
		"        ovf:format=\"%s\"/>\n"
		"  </DiskSection>\n"
		"  <NetworkSection>\n"
		"    <Info>Networks</Info>\n"
		"    <Network ovf:name=\"nat\"><Description>NAT</Description></Network>\n"
		"  </NetworkSection>\n"
		"  <VirtualSystem ovf:id=\"%s\">\n"
		"    <Info>A virtual machine converted by dualvm p2v</Info>\n"
		"    <OperatingSystemSection ovf:id=\"%d\">\n"
		"      <Info>Guest operating system</Info>\n"
		"    </OperatingSystemSection>\n"
		"    <VirtualHardwareSection>\n"
		"      <Info>i440FX/PIIX3, IDE disk, %s NIC</Info>\n"
		"      <System>\n"
		"        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\n"
		"        <vssd:InstanceID>0</vssd:InstanceID>\n"
		"        <vssd:VirtualSystemIdentifier>%s</vssd:VirtualSystemIdentifier>\n"
		"        <vssd:VirtualSystemType>vmx-%s</vssd:VirtualSystemType>\n"
		"      </System>\n",
		href, (unsigned long long)disk_bytes,
		(unsigned long long)vm->disk_size, ovf_disk_format(vm->disk_format),
		name, win ? 67 : !strcmp(vm->guest, "linux") ? 36 : 1,
		!strcmp(vm->nic, "pcnet") ? "pcnet" : "e1000", name,
		vm->uefi ? "11" : "04");
	snprintf(buf, sizeof(buf),
		 "        <rasd:VirtualQuantity>%u</rasd:VirtualQuantity>\n",
		 vm->cpus);
	rasd(f, "CPUs", 1, 3, buf);
	snprintf(buf, sizeof(buf),
		 "        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n"
		 "        <rasd:VirtualQuantity>%u</rasd:VirtualQuantity>\n",
		 vm->mem_mib);
	rasd(f, "Memory", 2, 4, buf);
	rasd(f, "IDE controller 0", 3, 5,
	     "        <rasd:Address>0</rasd:Address>\n"
	     "        <rasd:ResourceSubType>PIIX3</rasd:ResourceSubType>\n");
	rasd(f, "Hard disk 1", 4, 17,
	     "        <rasd:AddressOnParent>0</rasd:AddressOnParent>\n"
	     "        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>\n"
	     "        <rasd:Parent>3</rasd:Parent>\n");
	snprintf(buf, sizeof(buf),
		 "        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>\n"
		 "        <rasd:Connection>nat</rasd:Connection>\n"
		 "        <rasd:ResourceSubType>%s</rasd:ResourceSubType>\n",
		 !strcmp(vm->nic, "pcnet") ? "PCNet32" : "E1000");
	rasd(f, "Ethernet 1", 5, 10, buf);
	/* VMware's spelling, which VirtualBox and virt-v2v read too */
	if (vm->uefi)
		fprintf(f, "      <vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>\n");
	fprintf(f, "    </VirtualHardwareSection>\n"
		"  </VirtualSystem>\n"
		"</Envelope>\n");
out:
	free(href);
	free(name);
	return rc;
}

/*
 * libvirt domain XML (libvirt's domain.rng).  The disk source is the
 * absolute path @abs_disk: domaincommon.rng types <source file> as
 * absFilePath, and a relative one fails validation (virt-xml-validate
 * reports it as "Extra element devices in interleave").  type "kvm": the
 * converted machine is meant to run at hardware speed, which is what
 * virt-install and virt-manager choose on a host with KVM; on a host
 * without /dev/kvm libvirt refuses it and the user changes it to "qemu"
 * (TCG), which we do not pick silently because it is many times slower.
 */
static int write_libvirt(FILE *f, const struct p2v_vm *vm,
			 const char *abs_disk)
{
	const char *drv = !strcmp(vm->disk_format, "qcow2") ? "qcow2" :
			  !strncmp(vm->disk_format, "vmdk", 4) ? "vmdk" :
			  !strncmp(vm->disk_format, "vhd", 3) &&
			  strcmp(vm->disk_format, "vhdx") ? "vpc" :
			  !strcmp(vm->disk_format, "vhdx") ? "vhdx" :
			  !strcmp(vm->disk_format, "vdi") ? "vdi" : "raw";
	char *name = NULL, *src = NULL;
	int rc;

	rc = p2v_escape_dup(P2V_ESC_XML, vm->name, &name);
	if (!rc)
		rc = p2v_escape_dup(P2V_ESC_XML, abs_disk, &src);
	if (rc)
		goto out;
	fprintf(f, "<domain type=\"kvm\">\n"
		"  <name>%s</name>\n"
		"  <memory unit=\"MiB\">%u</memory>\n"
		"  <vcpu>%u</vcpu>\n"
		"  <os%s>\n"
		"    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n"
		"    <boot dev=\"hd\"/>\n"
		"  </os>\n"
		"  <features><acpi/><apic/></features>\n"
		"  <devices>\n"
		"    <disk type=\"file\" device=\"disk\">\n"
		"      <driver name=\"qemu\" type=\"%s\"/>\n"
		"      <source file=\"%s\"/>\n"
		"      <target dev=\"hda\" bus=\"ide\"/>\n"
		"    </disk>\n"
		"    <controller type=\"ide\" index=\"0\"/>\n"
		"    <interface type=\"user\">\n"
		"      <model type=\"%s\"/>\n"
		"    </interface>\n"
		"    <graphics type=\"vnc\"/>\n"
		"    <video><model type=\"vga\"/></video>\n"
		"  </devices>\n"
		"</domain>\n",
		name, vm->mem_mib, vm->cpus,
		vm->uefi ? " firmware=\"efi\"" : "", drv, src,
		!strcmp(vm->nic, "pcnet") ? "pcnet" : "e1000");
out:
	free(name);
	free(src);
	return rc;
}

static int write_dualvm(FILE *f, const struct p2v_vm *vm)
{
	char mem[16], cpus[16], size[24];
	const char *const kv[][2] = {
		{ "name", vm->name },
		{ "machine", "pc-i440fx" },
		{ "memory_mib", mem },
		{ "cpus", cpus },
		{ "firmware", vm->uefi ? "uefi" : "bios" },
		{ "disk0", vm->disk },
		{ "disk0.format", vm->disk_format },
		{ "disk0.bus", "ide" },
		{ "disk0.size", size },
		{ "nic0", vm->nic },
		{ "guest", vm->guest },
	};
	int rc = 0;

	snprintf(mem, sizeof(mem), "%u", vm->mem_mib);
	snprintf(cpus, sizeof(cpus), "%u", vm->cpus);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)vm->disk_size);
	fprintf(f, "# dualvm VM configuration (written by dualvm p2v)\n"
		"# key = value; '#' starts a comment; paths relative to this file\n"
		"# values: \\\\ is a backslash, \\xHH a byte (controls, edge spaces)\n");
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]) && !rc; i++)
		rc = kv_line(f, P2V_ESC_DUALVM, kv[i][0], kv[i][1]);
	return rc;
}

/* Absolute path of @disk, relative to the directory @dir ("" = cwd). */
static int abs_path(const char *dir, const char *disk, char **out)
{
	char *d = realpath(*dir ? dir : ".", NULL);
	int rc = 0;

	*out = NULL;
	if (!d)
		return -errno;
	if (asprintf(out, "%s%s%s", d, strcmp(d, "/") ? "/" : "", disk) < 0) {
		*out = NULL;
		rc = -ENOMEM;
	}
	free(d);
	return rc;
}

static int write_kind(FILE *f, const char *kind, const struct p2v_vm *vm,
		      const char *dir, uint64_t disk_bytes)
{
	char *abs = NULL;
	int rc;

	if (!strcmp(kind, "vmx"))
		return write_vmx(f, vm);
	if (!strcmp(kind, "ovf"))
		return write_ovf(f, vm, disk_bytes);
	if (strcmp(kind, "libvirt"))
		return write_dualvm(f, vm);
	rc = abs_path(dir, vm->disk, &abs);
	if (!rc)
		rc = write_libvirt(f, vm, abs);
	free(abs);
	return rc;
}

int p2v_vm_write(const char *kind, const struct p2v_vm *vm, const char *path,
		 char *err, size_t errlen)
{
	char dir[4096], disk[4200];
	const char *slash = strrchr(path, '/');
	struct stat st;
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path + 1) : 0,
		 path);
	snprintf(disk, sizeof(disk), "%s%s", dir, vm->disk);
	if (stat(disk, &st))
		st.st_size = 0;
	f = fopen(path, "wx");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!strcmp(kind, "vmx") &&
	    p2v_vmx_disk_kind(vm->disk_format) != P2V_VMX_DIRECT)
		rc = -ENOTSUP;
	else
		rc = write_kind(f, kind, vm, dir, (uint64_t)st.st_size);
	if (rc == -ENOTSUP)
		snprintf(err, errlen, "%s: VMware cannot open %s disks; name a VMDK",
			 path, vm->disk_format);
	else if (rc == -EILSEQ || rc == -EINVAL)
		snprintf(err, errlen, "%s: the VM name or disk path %s, which XML cannot carry",
			 path, rc == -EILSEQ ? "is not UTF-8" :
			 "holds control characters");
	else if (rc)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	if (fclose(f) && !rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -EIO;
	}
	if (rc)
		unlink(path);
	return rc;
}

/* Append file @path to the archive as @name, hashing what it writes into
 * @h (may be NULL).  0, -EIO or -EINTR (@stop set; may be NULL). */
static int tar_add(struct archive *a, const char *path, const char *name,
		   struct lib_sha256 *h, const atomic_int *stop, char *err,
		   size_t errlen)
{
	static const size_t bufsz = 1 << 20;
	struct archive_entry *e = archive_entry_new();
	char *buf = malloc(bufsz);
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || !e || !buf || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -EIO;
		goto out;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, st.st_mtime, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto out_arch;
	while ((n = read(fd, buf, bufsz)) > 0) {
		if (stop && atomic_load(stop)) {
			snprintf(err, errlen, "interrupted");
			rc = -EINTR;
			goto out;
		}
		if (h)
			lib_sha256_update(h, buf, (size_t)n);
		if (archive_write_data(a, buf, (size_t)n) != n)
			goto out_arch;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -EIO;
	}
	goto out;
out_arch:
	snprintf(err, errlen, "OVA: %s", archive_error_string(a));
	rc = -EIO;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (e)
		archive_entry_free(e);
	return rc;
}

static const char *leaf(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* true if @s holds a control character (one manifest line per file) */
static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int p2v_ova_write(const char *path, const char *ovf_path,
		  const char *disk_path, const atomic_int *stop, char *err,
		  size_t errlen)
{
	char h1[LIB_SHA256_HEX], h2[LIB_SHA256_HEX], mf[4200], ovfname[512];
	char mfname[520];
	struct lib_sha256 s1, s2;
	struct archive *a;
	FILE *f;
	int rc;

	/* inside the OVA the descriptor is <stem>.ovf */
	snprintf(ovfname, sizeof(ovfname), "%s", leaf(path));
	if (strlen(ovfname) > 4)
		strcpy(ovfname + strlen(ovfname) - 4, ".ovf");
	if (has_ctl(ovfname) || has_ctl(leaf(disk_path))) {
		snprintf(err, errlen,
			 "OVA: %s: a file name with control characters cannot be listed in the manifest",
			 path);
		return -EINVAL;
	}
	snprintf(mf, sizeof(mf), "%s.mf-tmp", path);
	snprintf(mfname, sizeof(mfname), "%.*s.mf", (int)(strlen(ovfname) - 4),
		 ovfname);
	a = archive_write_new();
	if (!a || archive_write_set_format_ustar(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 a ? archive_error_string(a) : "out of memory");
		rc = -EIO;
		goto out;
	}
	/* the manifest comes last, so the members are hashed as they are
	 * archived: one read of the disk, and Ctrl-C stops it */
	lib_sha256_init(&s1);
	lib_sha256_init(&s2);
	rc = tar_add(a, ovf_path, ovfname, &s1, stop, err, errlen);
	if (!rc)
		rc = tar_add(a, disk_path, leaf(disk_path), &s2, stop, err,
			     errlen);
	if (!rc) {
		lib_sha256_hex(&s1, h1);
		lib_sha256_hex(&s2, h2);
		f = fopen(mf, "w");
		if (!f) {
			snprintf(err, errlen, "%s: %s", mf, strerror(errno));
			rc = -EIO;
		} else {
			fprintf(f, "SHA256(%s)= %s\nSHA256(%s)= %s\n", ovfname,
				h1, leaf(disk_path), h2);
			if (fclose(f)) {
				snprintf(err, errlen, "%s: %s", mf,
					 strerror(errno));
				rc = -EIO;
			}
		}
	}
	if (!rc)
		rc = tar_add(a, mf, mfname, NULL, stop, err, errlen);
	if (archive_write_close(a) != ARCHIVE_OK && !rc) {
		snprintf(err, errlen, "%s: %s", path, archive_error_string(a));
		rc = -EIO;
	}
out:
	if (a)
		archive_write_free(a);
	unlink(mf);
	if (rc)
		unlink(path);
	return rc;
}
