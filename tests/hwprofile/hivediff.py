#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# hivediff.py --- the difference between two registry hives as sorted
# lines, from `hivexml` output (libhivex-bin), for golden-file tests:
#   +key PATH            key added
#   -key PATH            key removed
#   +val PATH\NAME = TYPE:VALUE
#   -val PATH\NAME = TYPE:VALUE
#   ~val PATH\NAME = TYPE:OLD -> TYPE:NEW
#   hivediff.py BEFORE.hive AFTER.hive
import subprocess, sys
import xml.etree.ElementTree as ET

def load(path):
    xml = subprocess.run(["hivexml", path], check=True, capture_output=True).stdout
    root = ET.fromstring(xml)
    keys = {}
    def walk(node, path):
        vals = {}
        for v in node.findall("value"):
            name = v.get("key", "@")
            vals[name.lower()] = (name, "%s:%s" % (v.get("type"), v.get("value", v.text or "")))
        keys[path.lower()] = (path, vals)
        for c in node.findall("node"):
            walk(c, path + "\\" + c.get("name") if path else c.get("name"))
    top = root.find("node")
    walk(top, "")
    return keys

def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    out = []
    for k in sorted(set(a) | set(b)):
        if k not in a:
            out.append("+key " + b[k][0])
        elif k not in b:
            out.append("-key " + a[k][0])
        va = a[k][1] if k in a else {}
        vb = b[k][1] if k in b else {}
        path = (b.get(k) or a.get(k))[0]
        for n in sorted(set(va) | set(vb)):
            if n not in va:
                out.append("+val %s\\%s = %s" % (path, vb[n][0], vb[n][1]))
            elif n not in vb:
                out.append("-val %s\\%s = %s" % (path, va[n][0], va[n][1]))
            elif va[n][1] != vb[n][1]:
                out.append("~val %s\\%s = %s -> %s" % (path, va[n][0], va[n][1], vb[n][1]))
    print("\n".join(out))

main()
