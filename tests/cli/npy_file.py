"""Face embeddings as NumPy .npy files for the CLI tests, written without
NumPy: version 1.0 header, little-endian float32, one dimension."""
import struct


def write_npy(path, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % len(values)
    header += " " * (118 - len(header)) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
                + struct.pack("<%df" % len(values), *values))
