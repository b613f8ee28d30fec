import struct, random, sys
def blank_tiff(path, width=2480, height=3508, dpi=300, specks=40, seed=1):
    """A bilevel uncompressed TIFF: white paper with a few specks of scanner dust."""
    row = (width + 7) // 8
    data = bytearray(row * height)            # WhiteIsZero: 0 is white
    rnd = random.Random(seed)
    for _ in range(specks):
        x, y = rnd.randrange(width), rnd.randrange(height)
        for dy in range(2):
            for dx in range(2):
                xx, yy = min(x + dx, width - 1), min(y + dy, height - 1)
                data[yy * row + xx // 8] |= 0x80 >> (xx % 8)
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 1), (259, 3, 1, 1),
               (262, 3, 1, 0), (273, 4, 1, 0), (277, 3, 1, 1), (278, 4, 1, height),
               (279, 4, 1, len(data)), (282, 5, 1, 0), (283, 5, 1, 0), (296, 3, 1, 2)]
    ifd_offset = 8
    n = len(entries)
    ifd_size = 2 + n * 12 + 4
    res_offset = ifd_offset + ifd_size
    data_offset = res_offset + 16
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", n)
    for tag, typ, count, value in entries:
        if tag == 273: value = data_offset
        if tag == 282: value = res_offset
        if tag == 283: value = res_offset + 8
        if typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    out += struct.pack("<I", 0)
    out += struct.pack("<IIII", dpi, 1, dpi, 1)
    out += data
    open(path, "wb").write(out)
if __name__ == "__main__":
    blank_tiff(sys.argv[1])
