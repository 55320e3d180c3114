#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""hostile_images.py --- generate the hostile-image corpus for
tests/integration/hostile-images.sh.

usage: hostile_images.py OUTDIR

Writes one folder per case under OUTDIR (so "outside the image's folder"
means something) and OUTDIR/cases.tsv with lines "NAME<TAB>IMAGE<TAB>CLASS":
IMAGE relative to OUTDIR, CLASS "refuse" (disk info, inspect, p2v and run
must all fail with a one-line reason: the issue-12 cases) or "any" (corrupt
headers and tables: success or a one-line failure, never a crash or hang).
Valid base images come from qemu-img; corruptions are byte patches at the
fields of each format's header, plus seeded random patches.
"""
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import zlib

OUT = sys.argv[1]
MIB = 1 << 20
cases = []


def case_dir(name):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    return d


def add(name, image, cls="any"):
    cases.append((name, os.path.relpath(image, OUT), cls))


def write(path, data=b"", size=None):
    with open(path, "wb") as f:
        f.write(data)
        if size is not None and size > len(data):
            f.truncate(size)
    return path


def patch(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


def qimg(*args):
    subprocess.run(["qemu-img", *args], check=True, stdout=subprocess.DEVNULL)


def descriptor(extents, ctype="monolithicFlat", extra=""):
    return ("# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
            "parentCID=ffffffff\ncreateType=\"%s\"\n%s\n"
            "# Extent description\n%s\n" % (ctype, extra, extents)).encode()


def qcow2_backed(name, backing, fmt="raw", cls="refuse"):
    d = case_dir(name)
    img = os.path.join(d, "ov.qcow2")
    args = ["create", "-q", "-f", "qcow2", "-u", "-b", backing]
    if fmt:
        args += ["-F", fmt]
    qimg(*args, img, "1M")
    add(name, img, cls)
    return d


def vmdk_desc(name, extents, cls="refuse", ctype="monolithicFlat", extra=""):
    d = case_dir(name)
    img = write(os.path.join(d, "d.vmdk"), descriptor(extents, ctype, extra))
    add(name, img, cls)
    return d


# ---------------------------------------------------------------- why cases
d = vmdk_desc("why-vmdk-self-sparse", 'RW 2048 SPARSE "d.vmdk"')
d = vmdk_desc("why-vmdk-self-flat", 'RW 2048 FLAT "d.vmdk" 0')
d = vmdk_desc("why-vmdk-mutual", 'RW 2048 SPARSE "e.vmdk"')
write(os.path.join(d, "e.vmdk"), descriptor('RW 2048 SPARSE "d.vmdk"'))
d = vmdk_desc("why-vmdk-mutual-flat", 'RW 2048 FLAT "e.vmdk" 0\nRW 2048 SPARSE "e.vmdk"')
write(os.path.join(d, "e.vmdk"), descriptor('RW 2048 FLAT "d.vmdk" 0'))
d = vmdk_desc("why-vmdk-fifo", 'RW 2048 FLAT "fifo" 0')
os.mkfifo(os.path.join(d, "fifo"))
d = vmdk_desc("why-vmdk-fifo-sparse", 'RW 2048 SPARSE "fifo"')
os.mkfifo(os.path.join(d, "fifo"))
d = vmdk_desc("why-vmdk-socket", 'RW 2048 FLAT "sock" 0')
s = socket.socket(socket.AF_UNIX)
s.bind(os.path.join(d, "sock"))
s.close()
vmdk_desc("why-vmdk-chardev", 'RW 2048 FLAT "/dev/zero" 0')
vmdk_desc("why-vmdk-shadow", 'RW 1 FLAT "/etc/shadow" 0')
vmdk_desc("why-vmdk-passwd", 'RW 1 FLAT "/etc/passwd" 0')
vmdk_desc("why-vmdk-dotdot", 'RW 1 FLAT "../../../../../../../../../etc/passwd" 0')
vmdk_desc("why-vmdk-proc", 'RW 1 FLAT "/proc/self/environ" 0')
vmdk_desc("why-vmdk-proc-mem", 'RW 1 FLAT "/proc/self/mem" 0')
vmdk_desc("why-vmdk-sys", 'RW 1 FLAT "/sys/kernel/notes" 0')
d = vmdk_desc("why-vmdk-symlink-out", 'RW 1 FLAT "link" 0')
os.symlink("/etc/passwd", os.path.join(d, "link"))
d = vmdk_desc("why-vmdk-dir", 'RW 1 FLAT "sub" 0')
os.mkdir(os.path.join(d, "sub"))
vmdk_desc("why-vmdk-missing", 'RW 2048 FLAT "nothere.img" 0')
vmdk_desc("why-vmdk-rawdesc-passwd", 'RW 1 FLAT "/etc/passwd" 0',
          ctype="fullDevice")
vmdk_desc("why-vmdk-rawdesc-chardev", 'RW 2048 FLAT "/dev/zero" 0',
          ctype="partitionedDevice")
d = vmdk_desc("why-vmdk-sibling", 'RW 2048 FLAT "../why-vmdk-sibling-data/x.img" 0')
write(os.path.join(case_dir("why-vmdk-sibling-data"), "x.img"), b"", MIB)

qcow2_backed("why-qcow2-shadow", "/etc/shadow")
qcow2_backed("why-qcow2-passwd", "/etc/passwd")
qcow2_backed("why-qcow2-dotdot", "../../../../../../../../../etc/passwd")
qcow2_backed("why-qcow2-proc-environ", "/proc/self/environ")
qcow2_backed("why-qcow2-sys", "/sys/kernel/notes")
qcow2_backed("why-qcow2-chardev", "/dev/zero")
qcow2_backed("why-qcow2-nbd", "nbd://127.0.0.1:10809/x")
qcow2_backed("why-qcow2-json", 'json:{"file.filename":"/etc/passwd"}')
qcow2_backed("why-qcow2-missing", "nothere.raw")
d = qcow2_backed("why-qcow2-fifo", "fifo")
os.mkfifo(os.path.join(d, "fifo"))
d = qcow2_backed("why-qcow2-symlink-out", "link")
os.symlink("/etc/passwd", os.path.join(d, "link"))
d = qcow2_backed("why-qcow2-self", "ov.qcow2", "qcow2")
d = qcow2_backed("why-qcow2-mutual", "b.qcow2", "qcow2")
qimg("create", "-q", "-f", "qcow2", "-u", "-b", "ov.qcow2", "-F", "qcow2",
     os.path.join(d, "b.qcow2"), "1M")
d = case_dir("why-qcow2-deep")
write(os.path.join(d, "c0.img"), b"", MIB)
for i in range(1, 18):
    qimg("create", "-q", "-f", "qcow2", "-u", "-b", "c%d.%s" % (i - 1, "img" if i == 1 else "qcow2"),
         "-F", "raw" if i == 1 else "qcow2", os.path.join(d, "c%d.qcow2" % i), "1M")
add("why-qcow2-deep", os.path.join(d, "c17.qcow2"), "refuse")
d = qcow2_backed("why-qcow2-vmdk-passwd", "d.vmdk", "vmdk")
write(os.path.join(d, "d.vmdk"), descriptor('RW 1 FLAT "/etc/passwd" 0'))
d = qcow2_backed("why-qcow2-sibling", "../why-vmdk-sibling-data/x.img")
# side files of an overlay that are not regular files
d = qcow2_backed("sidecar-fifo", "base.raw", cls="any")
write(os.path.join(d, "base.raw"), b"", MIB)
os.mkfifo(os.path.join(d, "ov.qcow2.dualvm"))
os.mkfifo(os.path.join(d, "ov.qcow2.commit"))
d = qcow2_backed("sidecar-symlink", "base.raw", cls="any")
write(os.path.join(d, "base.raw"), b"", MIB)
os.symlink("/etc/passwd", os.path.join(d, "ov.qcow2.dualvm"))

# VM definitions and other files that are not disks (run refuses them;
# disk info and p2v may read them as raw bytes: class "any")
d = case_dir("notdisk")
for n, text in [
        ("vm.vmx", '.encoding = "UTF-8"\nconfig.version = "8"\nvirtualHW.version = "4"\nide0:0.fileName = "disk.vmdk"\n'),
        ("vm.ovf", '<?xml version="1.0"?>\n<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><DiskSection/></Envelope>\n'),
        ("vm.xml", "<domain type='kvm'><name>x</name><devices><disk type='file'/></devices></domain>\n"),
        ("vm.dualvm", "# dualvm VM configuration (written by dualvm p2v)\nname = x\nmachine = pc-i440fx\ndisk0 = disk.img\n"),
        ("notes.txt", "just some text\n" * 100)]:
    add("notdisk-" + n.replace(".", "-"), write(os.path.join(d, n), text.encode()))
ova = bytearray(2048)
ova[0:6] = b"vm.ovf"
ova[257:262] = b"ustar"
add("notdisk-vm-ova", write(os.path.join(d, "vm.ova"), bytes(ova)))
add("notdisk-gzip", write(os.path.join(d, "x.gz"), b"\x1f\x8b\x08\x00" + bytes(508)))
add("notdisk-elf", write(os.path.join(d, "x.elf"), b"\x7fELF" + bytes(1020)))
add("notdisk-odd-size", write(os.path.join(d, "odd.bin"), bytes(range(256)) * 3))
add("notdisk-empty", write(os.path.join(d, "empty.img")))
add("notdisk-one-byte", write(os.path.join(d, "one.img"), b"\x01"))

# ---------------------------------------------------------------- formats
src = os.path.join(OUT, "base-src.raw")
with open(src, "wb") as f:
    f.truncate(2 * MIB)
    for off in range(0, 2 * MIB, 256 * 1024):
        f.seek(off)
        f.write(b"DATA%08d" % off * 32)

bases = {}
for fmt, ext, opts in [("qcow2", "qcow2", []), ("vmdk", "vmdk", []),
                       ("vmdk", "s.vmdk", ["-o", "subformat=streamOptimized"]),
                       ("vpc", "vhd", []), ("vpc", "f.vhd", ["-o", "subformat=fixed"]),
                       ("vhdx", "vhdx", []), ("vdi", "vdi", [])]:
    p = os.path.join(OUT, "base." + ext)
    qimg("convert", "-q", "-f", "raw", "-O", fmt, *opts, src, p)
    bases[ext] = p


def variant(name, base, patches, fix=None):
    d = case_dir(name)
    p = os.path.join(d, os.path.basename(base).replace("base", "img"))
    shutil.copyfile(base, p)
    for off, data in patches:
        if off < 0:
            off += os.path.getsize(p)
        patch(p, off, data)
    if fix:
        fix(p)
    add(name, p)


be32 = lambda v: struct.pack(">I", v & 0xffffffff)
be64 = lambda v: struct.pack(">Q", v & 0xffffffffffffffff)
le16 = lambda v: struct.pack("<H", v & 0xffff)
le32 = lambda v: struct.pack("<I", v & 0xffffffff)
le64 = lambda v: struct.pack("<Q", v & 0xffffffffffffffff)

Q = bases["qcow2"]
for n, p in [("version-1", [(4, be32(1))]), ("version-99", [(4, be32(99))]),
             ("cluster-bits-0", [(20, be32(0))]), ("cluster-bits-8", [(20, be32(8))]),
             ("cluster-bits-31", [(20, be32(31))]), ("cluster-bits-63", [(20, be32(63))]),
             ("size-huge", [(24, be64(1 << 62))]), ("size-odd", [(24, be64(1000001))]),
             ("crypt", [(32, be32(1))]), ("l1-size-huge", [(36, be32(0xffffffff))]),
             ("l1-size-0", [(36, be32(0))]), ("l1-off-eof", [(40, be64(1 << 40))]),
             ("l1-off-misaligned", [(40, be64(0x10001))]),
             ("rt-off-eof", [(48, be64(1 << 40))]), ("rt-clusters-huge", [(56, be32(0xffffff))]),
             ("snapshots-huge", [(60, be32(0xffffffff)), (64, be64(1 << 40))]),
             ("incompat-unknown", [(72, be64(1 << 40))]), ("incompat-dirty", [(72, be64(1))]),
             ("refcount-order-7", [(96, be32(7))]), ("header-len-huge", [(100, be32(0xffffff))]),
             ("backing-off-eof", [(8, be64(1 << 40)), (16, be32(100))]),
             ("backing-len-huge", [(8, be64(200)), (16, be32(0xffffffff))]),
             ("backing-in-header", [(8, be64(104)), (16, be32(20))])]:
    variant("qcow2-" + n, Q, p)


def qcow2_l1(p):
    with open(p, "rb") as f:
        h = f.read(64)
    return struct.unpack(">Q", h[40:48])[0], 1 << struct.unpack(">I", h[20:24])[0]


def l1_bad(p):
    l1, cs = qcow2_l1(p)
    patch(p, l1, be64((1 << 63) | (1 << 45)))


def l2_bad(p, val):
    l1, cs = qcow2_l1(p)
    with open(p, "rb") as f:
        f.seek(l1)
        l2 = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
    patch(p, l2, be64(val))


variant("qcow2-l1-entry-eof", Q, [], l1_bad)
variant("qcow2-l2-entry-eof", Q, [], lambda p: l2_bad(p, (1 << 63) | (1 << 44)))
variant("qcow2-l2-entry-misaligned", Q, [], lambda p: l2_bad(p, (1 << 63) | 0x10200))
variant("qcow2-l2-compressed", Q, [], lambda p: l2_bad(p, (1 << 62) | 0x30000))
variant("qcow2-l2-points-at-header", Q, [], lambda p: l2_bad(p, (1 << 63) | 0))
variant("qcow2-truncated", Q, [], lambda p: os.truncate(p, 300))

V = bases["vmdk"]
for n, p in [("magic-only", []), ("version-9", [(4, le32(9))]),
             ("capacity-huge", [(12, le64(1 << 60))]), ("capacity-0", [(12, le64(0))]),
             ("grain-0", [(20, le64(0))]), ("grain-3", [(20, le64(3))]),
             ("grain-huge", [(20, le64(1 << 40))]), ("desc-off-eof", [(28, le64(1 << 40)), (36, le64(20))]),
             ("desc-size-huge", [(36, le64(1 << 40))]), ("gtes-0", [(44, le32(0))]),
             ("gtes-huge", [(44, le32(0xffffffff))]), ("gd-eof", [(56, le64(1 << 40))]),
             ("rgd-eof", [(48, le64(1 << 40)), (8, le32(3))]), ("compress-7", [(77, le16(7)), (8, le32(0x10000))]),
             ("flags-markers", [(8, le32(0x30000))])]:
    if n == "magic-only":
        d = case_dir("vmdk-" + n)
        add("vmdk-" + n, write(os.path.join(d, "x.vmdk"), b"KDMV"))
        continue
    variant("vmdk-" + n, V, p)


def vmdk_gd(p):
    with open(p, "rb") as f:
        h = f.read(80)
    return struct.unpack("<Q", h[56:64])[0] * 512


variant("vmdk-gd-entry-eof", V, [], lambda p: patch(p, vmdk_gd(p), le32(0x7fffffff)))
variant("vmdk-gt-entry-eof", V, [], lambda p: patch(
    p, struct.unpack("<I", open(p, "rb").read()[vmdk_gd(p):vmdk_gd(p) + 4])[0] * 512, le32(0x7ffffff0)))
S = bases["s.vmdk"]
variant("vmdk-stream-footer-garbage", S, [(-1024, b"\xff" * 512)])
variant("vmdk-stream-grain-len-huge", S, [(65536 + 8, le32(0xffffffff))])
variant("vmdk-stream-truncated", S, [], lambda p: os.truncate(p, 70000))

vmdk_desc("desc-no-extents", "", "any")
vmdk_desc("desc-zero-sectors", 'RW 0 FLAT "x.img" 0', "any")
vmdk_desc("desc-huge-sectors", 'RW 99999999999999 ZERO', "any")
vmdk_desc("desc-bad-type", 'RW 2048 VMFSRDM "x.img"', "any")
vmdk_desc("desc-parent", 'RW 2048 SPARSE "x.vmdk"', "any", extra='parentFileNameHint="/etc/passwd"')
d = vmdk_desc("desc-offset-eof", 'RW 2048 FLAT "x.img" 99999999', "any")
write(os.path.join(d, "x.img"), b"", MIB)
d = vmdk_desc("desc-many-extents", "\n".join('RW 1 FLAT "x.img" %d' % i for i in range(1100)), "any")
write(os.path.join(d, "x.img"), b"", MIB)
d = vmdk_desc("desc-same-extent-many", "\n".join('RW 2048 FLAT "x.img" 0' for i in range(200)), "any")
write(os.path.join(d, "x.img"), b"", MIB)
d = case_dir("desc-huge")
add("desc-huge", write(os.path.join(d, "d.vmdk"), descriptor("# " + "x" * 70000)))
d = case_dir("desc-nul")
add("desc-nul", write(os.path.join(d, "d.vmdk"), descriptor('RW 2048 ZERO') + b"\0" * 100 + b'RW 1 FLAT "/etc/passwd" 0\n'))
d = vmdk_desc("desc-sparse-is-raw", 'RW 2048 SPARSE "x.img"', "any")
write(os.path.join(d, "x.img"), b"", MIB)


def vhd_sum(b):
    return (~sum(b)) & 0xffffffff


def vhd_fix(p):
    """Recompute the footer (both copies) and dynamic header checksums."""
    with open(p, "r+b") as f:
        data = bytearray(f.read())
        for off in (0, len(data) - 512):
            if data[off:off + 8] == b"conectix":
                foot = bytearray(data[off:off + 512])
                foot[64:68] = b"\0\0\0\0"
                foot[64:68] = be32(vhd_sum(foot))
                data[off:off + 512] = foot
        if data[512:520] == b"cxsparse":
            dh = bytearray(data[512:1536])
            dh[36:40] = b"\0\0\0\0"
            dh[36:40] = be32(vhd_sum(dh))
            data[512:1536] = dh
        f.seek(0)
        f.write(data)


H = bases["vhd"]
variant("vhd-footer-checksum", H, [(-512 + 64, be32(1))])
variant("vhd-header-checksum", H, [(512 + 36, be32(1))])
for n, p in [("data-off-eof", [(16, be64(1 << 40)), (-512 + 16, be64(1 << 40))]),
             ("table-off-eof", [(512 + 16, be64(1 << 40))]),
             ("entries-huge", [(512 + 28, be32(0xffffffff))]),
             ("entries-0", [(512 + 28, be32(0))]),
             ("block-0", [(512 + 32, be32(0))]), ("block-3", [(512 + 32, be32(3))]),
             ("size-huge", [(48, be64(1 << 62)), (-512 + 48, be64(1 << 62))]),
             ("differencing", [(60, be32(4)), (-512 + 60, be32(4))]),
             ("disk-type-9", [(60, be32(9)), (-512 + 60, be32(9))])]:
    variant("vhd-" + n, H, p, vhd_fix)


def vhd_bat(p):
    with open(p, "rb") as f:
        f.seek(512 + 16)
        return struct.unpack(">Q", f.read(8))[0]


variant("vhd-bat-entry-eof", H, [], lambda p: patch(p, vhd_bat(p), be32(0x7ffffff0)))
F = bases["f.vhd"]
variant("vhd-fixed-size-huge", F, [(-512 + 48, be64(1 << 50))], vhd_fix)
variant("vhd-fixed-checksum", F, [(-512 + 64, be32(1))])

X = bases["vhdx"]
for n, p in [("signature", [(0, b"vhdxfilX")]),
             ("headers-zero", [(64 * 1024, bytes(8192)), (128 * 1024, bytes(8192))]),
             ("header1-crc", [(64 * 1024 + 4, be32(1))]),
             ("regions-zero", [(192 * 1024, bytes(4096)), (256 * 1024, bytes(4096))]),
             ("region-crc", [(192 * 1024 + 4, be32(1)), (256 * 1024 + 4, be32(1))]),
             ("truncated", [])]:
    variant("vhdx-" + n, X, p, (lambda q: os.truncate(q, 300 * 1024)) if n == "truncated" else None)

I = bases["vdi"]
for n, p in [("signature", [(0x40, le32(0))]), ("version", [(0x44, le32(0x00090009))]),
             ("header-size", [(0x48, le32(0xffffffff))]), ("type-9", [(0x4c, le32(9))]),
             ("bmap-off-eof", [(0x154, le32(0xfffffff0))]), ("data-off-eof", [(0x158, le32(0xfffffff0))]),
             ("size-huge", [(0x170, le64(1 << 62))]), ("block-0", [(0x178, le32(0))]),
             ("block-3", [(0x178, le32(3))]), ("blocks-huge", [(0x180, le32(0xffffffff))]),
             ("allocated-huge", [(0x184, le32(0xffffffff))])]:
    variant("vdi-" + n, I, p)


def vdi_map(p, val):
    with open(p, "rb") as f:
        f.seek(0x154)
        bm = struct.unpack("<I", f.read(4))[0]
    patch(p, bm, le32(val))


variant("vdi-map-entry-eof", I, [], lambda p: vdi_map(p, 0x7ffffff0))
variant("vdi-map-entry-dup", I, [], lambda p: (vdi_map(p, 1)))

# seeded random patches of every format's first 64 KiB
rnd = random.Random(12)
for ext in ["qcow2", "vmdk", "s.vmdk", "vhd", "vhdx", "vdi"]:
    size = os.path.getsize(bases[ext])
    for k in range(4):
        ps = []
        for _ in range(6):
            off = rnd.randrange(0, min(size, 65536) - 8)
            ps.append((off, bytes(rnd.randrange(256) for _ in range(rnd.choice([1, 4, 8])))))
        variant("random-%s-%d" % (ext.replace(".", "-"), k), bases[ext], ps)

# ---------------------------------------------------------------- partition tables
SECT = 512


def mbr_entry(boot, ptype, start, count):
    return struct.pack("<B3sB3sII", boot, b"\0\0\0", ptype, b"\0\0\0", start, count)


def mbr(entries, sig=0x12345678):
    m = bytearray(512)
    m[440:444] = le32(sig)
    for i, e in enumerate(entries):
        m[446 + 16 * i:462 + 16 * i] = e
    m[510:512] = b"\x55\xaa"
    return bytes(m)


def raw_disk(name, sectors, writes):
    d = case_dir(name)
    p = os.path.join(d, "disk.img")
    write(p, b"", sectors * SECT)
    for lba, data in writes:
        patch(p, lba * SECT, data)
    add(name, p)


N = 8192   # 4 MiB disks
raw_disk("mbr-ebr-self-loop", N, [(0, mbr([mbr_entry(0, 5, 2048, 4096)])),
                                   (2048, mbr([mbr_entry(0, 0x83, 1, 100), mbr_entry(0, 5, 0, 4096)]))])
raw_disk("mbr-ebr-two-loop", N, [(0, mbr([mbr_entry(0, 5, 2048, 4096)])),
                                  (2048, mbr([mbr_entry(0, 0x83, 1, 100), mbr_entry(0, 5, 1000, 200)])),
                                  (3048, mbr([mbr_entry(0, 0x83, 1, 100), mbr_entry(0, 5, 0, 200)]))])
raw_disk("mbr-ebr-long-chain", N, [(0, mbr([mbr_entry(0, 5, 100, 8000)]))] +
         [(100 + 60 * i, mbr([mbr_entry(0, 0x83, 1, 10), mbr_entry(0, 5, 60 * (i + 1), 60)]))
          for i in range(130)])
raw_disk("mbr-ebr-beyond", N, [(0, mbr([mbr_entry(0, 5, 2048, 4096)])),
                                (2048, mbr([mbr_entry(0, 0x83, 1, 100), mbr_entry(0, 5, 0x7fffffff, 4096)]))])
raw_disk("mbr-overlap", N, [(0, mbr([mbr_entry(0x80, 0x83, 2048, 4096), mbr_entry(0, 0x83, 3000, 4096)]))])
raw_disk("mbr-beyond-end", N, [(0, mbr([mbr_entry(0x80, 0x83, 2048, 0xffffff00)]))])
raw_disk("mbr-start-0", N, [(0, mbr([mbr_entry(0x80, 0x83, 0, 4096)]))])
raw_disk("mbr-wrap", N, [(0, mbr([mbr_entry(0x80, 0x83, 0xffffff00, 0x1000)]))])
raw_disk("mbr-four-extended", N, [(0, mbr([mbr_entry(0, 5, 100 + 1000 * i, 900) for i in range(4)]))])
raw_disk("mbr-ext-inside-ext", N, [(0, mbr([mbr_entry(0, 5, 2048, 4096)])),
                                    (2048, mbr([mbr_entry(0, 5, 1, 100), mbr_entry(0, 5, 0, 4096)]))])
raw_disk("mbr-bad-boot-flag", N, [(0, mbr([mbr_entry(0x33, 0x83, 2048, 2048)]))])


def gpt_disk(name, entries, nentries=128, esize=128, hdr_patch=None, bad_crc=False,
             backup=True, my_lba=1):
    arr = bytearray(nentries * esize if nentries * esize < 1 << 20 else 16384)
    for i, (first, last, ptype) in enumerate(entries):
        e = bytearray(esize if esize >= 128 else 128)
        e[0:16] = ptype
        e[16:32] = bytes(range(16))
        e[32:40] = le64(first)
        e[40:48] = le64(last)
        arr[i * esize:i * esize + 128] = e[:128]
    acrc = zlib.crc32(bytes(arr[:nentries * esize])) if nentries * esize <= len(arr) else 0

    def header(mine, alt, arr_lba):
        h = bytearray(92)
        h[0:8] = b"EFI PART"
        h[8:12] = le32(0x10000)
        h[12:16] = le32(92)
        h[24:32] = le64(mine)
        h[32:40] = le64(alt)
        h[40:48] = le64(34)
        h[48:56] = le64(N - 34)
        h[56:72] = bytes(range(16, 32))
        h[72:80] = le64(arr_lba)
        h[80:84] = le32(nentries)
        h[84:88] = le32(esize)
        h[88:92] = le32(acrc)
        if hdr_patch:
            for off, data in hdr_patch:
                h[off:off + len(data)] = data
        h[16:20] = le32(1 if bad_crc else zlib.crc32(bytes(h)))
        return bytes(h)
    writes = [(0, mbr([mbr_entry(0, 0xee, 1, N - 1)])),
              (1, header(my_lba, N - 1, 2)), (2, bytes(arr))]
    if backup:
        writes += [(N - 33, bytes(arr[:32 * 512])), (N - 1, header(N - 1, my_lba, N - 33))]
    raw_disk(name, N, writes)


LINUX = bytes.fromhex("af3dc60f838472478e793d69d8477de4")
gpt_disk("gpt-overlap", [(2048, 6000, LINUX), (4000, 8000, LINUX)])
gpt_disk("gpt-end-before-start", [(6000, 2048, LINUX)])
gpt_disk("gpt-beyond-end", [(2048, 1 << 40, LINUX)])
gpt_disk("gpt-entries-huge", [(2048, 4000, LINUX)], nentries=0xffffffff)
gpt_disk("gpt-entry-size-0", [(2048, 4000, LINUX)], esize=0)
gpt_disk("gpt-entry-size-huge", [(2048, 4000, LINUX)], esize=1 << 20)
gpt_disk("gpt-bad-crc-both", [(2048, 4000, LINUX)], bad_crc=True)
gpt_disk("gpt-bad-crc-no-backup", [(2048, 4000, LINUX)], bad_crc=True, backup=False)
gpt_disk("gpt-header-size-huge", [(2048, 4000, LINUX)], hdr_patch=[(12, le32(0xffffffff))])
gpt_disk("gpt-array-lba-eof", [(2048, 4000, LINUX)], hdr_patch=[(72, le64(1 << 50))])
gpt_disk("gpt-array-lba-0", [(2048, 4000, LINUX)], hdr_patch=[(72, le64(0))])
gpt_disk("gpt-my-lba-wrong", [(2048, 4000, LINUX)], my_lba=7)
gpt_disk("gpt-first-usable-0", [(0, 100, LINUX)], hdr_patch=[(40, le64(0))])
gpt_disk("gpt-128-partitions", [(40 + i * 60, 40 + i * 60 + 50, LINUX) for i in range(128)])

with open(os.path.join(OUT, "cases.tsv"), "w") as f:
    for c in cases:
        f.write("\t".join(c) + "\n")
print(len(cases))
