#!/usr/bin/env python3
"""Builds tests/data/hwdata-subset/ from the full recorded tensor-core data sets.

Usage: scripts/make-hwdata-subset.py HWDATA_DIR [ROWS]

HWDATA_DIR holds one folder per GPU and input format (GPU_FMT/a.npy, b.npy, c.npy, d_fp32.npy and,
where recorded, d_fp16.npy: the instruction run with fp16 C and D), as
converted from Khattak & Mikaitis's MATLAB-tensor-core repository (see
tests/data/hwdata-subset/README.md). The first ROWS (default 500) cases of every folder are copied
unchanged (same dtype, same fp32 bit patterns), d_fp16.npy too where the folder has it.
Plain Python, no NumPy: .npy version 1.0 headers are read and written directly.
"""
import ast
import os
import shutil
import struct
import sys

FILES = ("a.npy", "b.npy", "c.npy", "d_fp32.npy")
OPTIONAL_FILES = ("d_fp16.npy",)  # only some GPU x format sets were recorded with fp16 C and D


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        (hlen,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (hlen,) = struct.unpack("<I", data[8:12])
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header["fortran_order"]:
        raise SystemExit(f"{path}: Fortran order not supported")
    return header, data[start + hlen:]


def write_npy(path, descr, shape, payload):
    shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    src = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "hwdata-subset")
    os.makedirs(dst, exist_ok=True)
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for folder in folders:
        os.makedirs(os.path.join(dst, folder), exist_ok=True)
        present = [n for n in OPTIONAL_FILES if os.path.isfile(os.path.join(src, folder, n))]
        for name in FILES + tuple(present):
            header, payload = read_npy(os.path.join(src, folder, name))
            shape = header["shape"]
            itemsize = int(header["descr"][2:])
            per_row = itemsize * (shape[1] if len(shape) > 1 else 1)
            n = min(rows, shape[0])
            write_npy(os.path.join(dst, folder, name), header["descr"], (n,) + tuple(shape[1:]),
                      payload[:n * per_row])
    shutil.copyfile(os.path.join(src, "LICENCE"), os.path.join(dst, "LICENCE"))
    print(f"{len(folders)} folders, {rows} rows each, into {os.path.normpath(dst)}")


if __name__ == "__main__":
    main()
