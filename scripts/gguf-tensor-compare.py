#!/usr/bin/env python3
"""Compares the tensors of two GGUF files byte for byte (names, types, data).

Usage: gguf-tensor-compare.py A.gguf B.gguf
Prints "N/N" when every tensor of A exists in B with the same type and bytes, else
"K/N" and the first differences on stderr. Exit code 0 when all are identical, 1 when
some differ, 2 on a file it cannot read. Standard library only.
"""
import struct
import sys

# ggml type id -> (values per block, bytes per block)
TYPE_SIZES = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176),
    14: (256, 210), 15: (256, 292), 20: (32, 18), 24: (1, 1), 25: (1, 2), 26: (1, 4),
    27: (1, 8), 28: (1, 8), 30: (1, 2),
}
SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "B", 10: "Q", 11: "q", 12: "d"}


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, fmt):
        value = struct.unpack_from("<" + fmt, self.data, self.at)[0]
        self.at += struct.calcsize("<" + fmt)
        return value

    def string(self):
        n = self.take("Q")
        value = self.data[self.at:self.at + n].decode("utf-8", "replace")
        self.at += n
        return value

    def value(self, kind):
        if kind in SCALARS:
            return self.take(SCALARS[kind])
        if kind == 8:
            return self.string()
        if kind == 9:
            item, n = self.take("I"), self.take("Q")
            return [self.value(item) for _ in range(n)]
        raise ValueError(f"unknown metadata type {kind}")


def tensors(path):
    with open(path, "rb") as f:
        data = f.read()
    r = Reader(data)
    if data[:4] != b"GGUF":
        raise ValueError("not a GGUF file")
    r.at = 4
    r.take("I")
    count, kv_count = r.take("Q"), r.take("Q")
    metadata = {}
    for _ in range(kv_count):
        key = r.string()
        metadata[key] = r.value(r.take("I"))
    infos = []
    for _ in range(count):
        name = r.string()
        dims = [r.take("Q") for _ in range(r.take("I"))]
        infos.append((name, dims, r.take("I"), r.take("Q")))
    alignment = metadata.get("general.alignment", 32)
    start = (r.at + alignment - 1) // alignment * alignment
    out = {}
    for name, dims, kind, offset in infos:
        values = 1
        for d in dims:
            values *= d
        block, size = TYPE_SIZES[kind]
        out[name] = (kind, data[start + offset:start + offset + values // block * size])
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
    except (OSError, ValueError, KeyError, struct.error) as e:
        print(f"gguf-tensor-compare: {e}", file=sys.stderr)
        return 2
    same = 0
    for name, (kind, data) in a.items():
        other = b.get(name)
        if other is None:
            print(f"{name}: missing from {sys.argv[2]}", file=sys.stderr)
        elif other[0] != kind:
            print(f"{name}: type {kind} vs {other[0]}", file=sys.stderr)
        elif other[1] != data:
            print(f"{name}: bytes differ", file=sys.stderr)
        else:
            same += 1
    print(f"{same}/{len(a)}")
    return 0 if same == len(a) else 1


if __name__ == "__main__":
    sys.exit(main())
