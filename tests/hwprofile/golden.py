#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# golden.py --- compare `dualvm inspect --json` output with a golden file
# whose per-build values are @PLACEHOLDERS@ filled from the test-disk
# builder's manifest.json, and cross-check the report against the manifest.
#
#   golden.py MANIFEST IMAGE-NAME GOLDEN|- ACTUAL-JSON [--write]
# (GOLDEN "-": manifest cross-check only)
# Exit 0 when they match; prints a unified diff otherwise.
import difflib, json, sys

def placeholders(man, name):
    img = man["images"][name]
    subs = {"@DISK_ID@": img["disk_id"], "@KERNEL@": img["kernel"] or ""}
    for p in img["partitions"]:
        subs["@P%d_UUID@" % p["number"]] = p["uuid"]
    return subs

def crosscheck(man, name, rep):
    img = man["images"][name]
    errs = []
    parts = {p["number"]: p for p in rep["partitions"]}
    if rep["partition_table"] != img["label"]:
        errs.append("partition_table %s != %s" % (rep["partition_table"], img["label"]))
    for mp in img["partitions"]:
        rp = parts.get(mp["number"])
        if not rp:
            errs.append("partition %d missing" % mp["number"]); continue
        if rp["start"] != mp["start"] * 512 or rp["size"] != mp["size"] * 512:
            errs.append("p%d geometry" % mp["number"])
        for k, rk in (("fs", "filesystem"), ("label", "label")):
            if rp[rk] != mp[k]:
                errs.append("p%d %s %r != %r" % (mp["number"], rk, rp[rk], mp[k]))
        if rp["uuid"].lower() != mp["uuid"].lower():
            errs.append("p%d uuid" % mp["number"])
        os_ = rp["os"]
        if mp["role"] == "windows":
            if not os_ or os_["type"] != "windows" or os_["product_name"] != mp["os"] \
               or os_["version"] != mp["windows_version"] or os_["system_dir"] != mp["system_root"]:
                errs.append("p%d windows mismatch" % mp["number"])
            if rp["safety"]["hibernated"] != bool(mp.get("hibernated")):
                errs.append("p%d hibernated flag" % mp["number"])
        elif mp["role"] == "linux":
            if not os_ or os_["type"] != "linux" or os_["distribution"] != mp["os"]:
                errs.append("p%d linux mismatch" % mp["number"])
            elif [k["version"] for k in os_["kernels"]] != [img["kernel"]] \
                 or os_["bootloader"]["config"] != mp["config"]:
                errs.append("p%d kernel/bootloader mismatch" % mp["number"])
    return errs

def main():
    man = json.load(open(sys.argv[1]))
    name, golden, actual = sys.argv[2], sys.argv[3], sys.argv[4]
    text = open(actual).read()
    rep = json.loads(text)
    rep["disk"] = "@DISK@"
    subs = placeholders(man, name)
    got = json.dumps(rep, indent=1, sort_keys=True) + "\n"
    if "--write" in sys.argv:
        out = got
        for k, v in sorted(subs.items(), key=lambda kv: -len(kv[1])):
            if v:
                out = out.replace(v, k)
        open(golden, "w").write(out)
        return 0
    if golden == "-":
        errs = crosscheck(man, name, rep)
        for e in errs:
            print("manifest: " + e)
        return 1 if errs else 0
    want = open(golden).read()
    for k, v in subs.items():
        want = want.replace(k, v)
    errs = crosscheck(man, name, rep)
    for e in errs:
        print("manifest: " + e)
    if want != got:
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "golden", "actual"))
        return 1
    return 1 if errs else 0

sys.exit(main())
