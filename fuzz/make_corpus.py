#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora, fuzz/corpus/<target>/: a few tiny valid inputs of each
format and a few slightly broken ones (truncated, a wrong field, a bad checksum), from which
libFuzzer's mutations start; and fuzz/regressions/<target>/known-*: one input per crash class
that the readers and option parsers had before they were made safe on bad input (scripts/fuzz
replays them every run). Deterministic; run it again after changing it and check in the
result (docs/FUZZING.md). Reproducers of later findings are added to fuzz/regressions/ by hand
and are never removed here."""
import gzip
import io
import json
import pathlib
import shutil
import struct
import zlib

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"
REGRESSIONS = pathlib.Path(__file__).resolve().parent / "regressions"


def write(target, name, data, root=ROOT):
    d = root / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data.encode() if isinstance(data, str) else data)


def npy_bytes(descr, shape, payload, version=1, fortran=False):
    """A .npy file written as NumPy writes it: header padded with spaces to a 64-byte boundary."""
    shape_text = "(" + "".join(f"{n}, " for n in shape).rstrip(" ") + ")" if len(shape) != 1 else f"({shape[0]},)"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode("latin1") + payload


def values(fmt, xs):
    return struct.pack("<" + fmt * len(xs), *xs)


def npy_corpus():
    t = "npy_reader"
    write(t, "f4_2x3.npy", npy_bytes("<f4", (2, 3), values("f", range(6))))
    write(t, "f8_vector.npy", npy_bytes("<f8", (5,), values("d", [0, 0.25, 0.5, 0.75, 1])))
    write(t, "u1_4d.npy", npy_bytes("|u1", (1, 2, 1, 2), bytes([1, 2, 3, 4])))
    write(t, "i2_v2.npy", npy_bytes("<i2", (1, 2), values("h", [-1, 2]), version=2))
    write(t, "u2_v3.npy", npy_bytes("<u2", (3,), values("H", [7, 8, 9]), version=3))
    write(t, "i4_scalar.npy", npy_bytes("<i4", (), values("i", [3])))
    write(t, "empty.npy", npy_bytes("<f4", (0, 3), b""))
    good = npy_bytes("<f4", (4,), values("f", range(4)))
    write(t, "truncated_data.npy", good[:-3])
    write(t, "truncated_header.npy", good[:20])
    write(t, "fortran.npy", npy_bytes("<f4", (2, 2), values("f", range(4)), fortran=True))
    write(t, "big_endian.npy", npy_bytes(">f4", (2,), struct.pack(">ff", 1, 2)))
    write(t, "complex.npy", npy_bytes("<c8", (2,), values("f", range(4))))
    write(t, "huge_shape.npy", npy_bytes("<f4", (99999999999, 99999999999), b""))


def raw_corpus():
    t = "raw_sidecar"

    def raw(sidecar, samples):
        text = sidecar if isinstance(sidecar, str) else json.dumps(sidecar)
        return text.encode() + b"\0" + struct.pack(f"<{len(samples)}f", *samples)

    base = {"format": "recon-raw", "dtype": "float32", "byte_order": "little"}
    write(t, "2x3.bin", raw({**base, "shape": [2, 3]}, list(range(6))))
    write(t, "spacing_origin.bin", raw({**base, "shape": [2, 2], "spacing": [0.5, 1], "origin": [-1, 2]}, [1] * 4))
    write(t, "4d.bin", raw({**base, "shape": [1, 2, 1, 2]}, [0] * 4))
    write(t, "short_data.bin", raw({**base, "shape": [3, 3]}, [0] * 4))
    write(t, "float64.bin", raw({**base, "dtype": "float64", "shape": [2]}, [0] * 4))
    write(t, "negative_shape.bin", raw({**base, "shape": [-2, 2]}, [0] * 4))
    write(t, "huge_shape.bin", raw({**base, "shape": [4294967296, 4294967296, 4294967296]}, [0]))
    write(t, "spacing_length.bin", raw({**base, "shape": [2], "spacing": [1, 2, 3]}, [0] * 2))
    write(t, "not_json.bin", raw('{"dtype": "float32", "shape": [2', [0] * 2))


def geometry_corpus():
    t = "ct_geometry"
    par2 = {"volume": {"shape": [4, 4]},
            "projection": {"type": "parallel2d", "detector_shape": [6], "angles": {"start": 0, "stop": 3.14159, "count": 4}}}
    fan2 = {"volume": {"shape": [4, 4], "voxel_size": 0.5, "origin": [0.1, 0]},
            "projection": {"type": "fan2d", "detector_shape": [8], "pixel_size": 1.5, "offset_u": 0.25,
                           "angles": [0, 1, 2], "source_origin": 20, "origin_detector": 10}}
    cone = {"volume": {"shape": [2, 4, 4], "voxel_size": [1, 1, 2]},
            "projection": {"type": "cone", "detector_shape": [3, 5], "pixel_size": [1, 2], "offset_v": 0.5,
                           "angles": {"start": 0, "stop": 6.283185307179586, "count": 3},
                           "source_origin": 30, "origin_detector": 5}}
    par3 = {"volume": {"shape": [2, 2, 2]},
            "projection": {"type": "parallel3d", "detector_shape": [2, 3], "angles": [0.5]}}
    vec2 = {"volume": {"shape": [4, 4]},
            "projection": {"type": "fan2d_vec", "detector_shape": [4],
                           "vectors": [[0, -20, 0, 10, 1, 0], [20, 0, -10, 0, 0, 1]]}}
    vec3 = {"volume": {"shape": [2, 2, 2]},
            "projection": {"type": "parallel3d_vec", "detector_shape": [2, 2],
                           "vectors": [[0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]]}}
    for name, g in [("parallel2d", par2), ("fan2d", fan2), ("cone", cone), ("parallel3d", par3),
                    ("fan2d_vec", vec2), ("parallel3d_vec", vec3)]:
        write(t, name + ".json", json.dumps(g))
    write(t, "unknown_key.json", json.dumps({**par2, "volumes": {}}))
    write(t, "source_inside.json", json.dumps({**fan2, "projection": {**fan2["projection"], "source_origin": 1}}))
    write(t, "huge_count.json", json.dumps({**par2, "projection": {**par2["projection"],
                                            "angles": {"start": 0, "stop": 1, "count": 10**15}}}))
    write(t, "dimension_mismatch.json", json.dumps({**par3, "volume": {"shape": [4, 4]}}))
    write(t, "truncated.json", json.dumps(cone)[:60])


def penalty_corpus():
    t = "penalty_params"
    for i, text in enumerate(["l1", "sq-l2", "mcp\nmu=0.5,theta=3", "scad\nmu=1,a=3.7,weight=2", "lp\np=0.5",
                              "log\np=1,eps=0.1", "capped-log\np=1,eps=0.1,theta=2", "barron\nalpha=1,c=0.5",
                              "box\nlo=-1,hi=1", "l2-ball\nr=2", "huber\ndelta=1e-3", "weep\na=1,b=2",
                              "tukey\nc=inf", "mcp\nmu=0.5", "mcp\nmu=0.5,mu=1", "cauchy\ndelta=nan",
                              "welsch\ndelta", "l1\n=3", "nosuch\nx=1", "mcp\nmu=0.5\ntheta=3",
                              "huber\ndelta=1,,", "scad\nmu=1e400,a=0x10"]):
        write(t, f"{i:02d}.txt", text)


def cs_corpus():
    t = "cs_spec"
    specs = {
        "hadamard": {"sensing": "hadamard", "shape": [8], "measurements": 4, "seed": 1, "basis": "none",
                     "indices": [0, 2, 5, 7]},
        "hadamard_2d_basis": {"sensing": "hadamard", "shape": [4, 4], "measurements": 2, "seed": 3,
                              "basis": "hadamard", "indices": [1, 9]},
        "gaussian": {"sensing": "gaussian", "shape": [16], "measurements": 4, "seed": 7},
        "fourier": {"sensing": "fourier", "shape": [8], "measurements": 3, "seed": 2, "indices": [0, 1, 4]},
        "unsorted_indices": {"sensing": "hadamard", "shape": [8], "measurements": 2, "seed": 1, "indices": [5, 2]},
        "index_outside": {"sensing": "hadamard", "shape": [8], "measurements": 1, "seed": 1, "indices": [8]},
        "not_power_of_two": {"sensing": "hadamard", "shape": [6], "measurements": 1, "seed": 1, "indices": [0]},
        "huge_gaussian": {"sensing": "gaussian", "shape": [1 << 20, 1 << 20], "measurements": 1 << 20, "seed": 1},
        "negative_seed": {"sensing": "gaussian", "shape": [4], "measurements": 1, "seed": -1},
        "missing_keys": {"sensing": "fourier", "shape": [8]},
    }
    for name, s in specs.items():
        write(t, name + ".json", json.dumps(s))
    write(t, "not_json.json", '{"sensing": "hadamard", "shape": [8')


# image_validators: the first byte picks the extension, in the harness's order.
EXT = {"png": 0, "tif": 1, "nii": 2, "nii.gz": 3, "mha": 4, "nrrd": 5, "dcm": 6}


def png_chunk(kind, payload, crc=None):
    crc = zlib.crc32(kind + payload) if crc is None else crc
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_bytes(bad_crc=False):
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)  # 2x2, 8-bit grey
    idat = zlib.compress(b"\0\x10\x20\0\x30\x40")  # filter byte + 2 samples per row
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr, 0 if bad_crc else None) + png_chunk(b"IDAT", idat) +
            png_chunk(b"IEND", b""))


def tiff_bytes():
    entries = [(256, 3, 1, 2), (257, 3, 1, 2), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, 2), (279, 4, 1, 4)]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(entries) + 4
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        value = data_offset if tag == 273 else value
        ifd += struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value))
    return b"II*\0" + struct.pack("<I", ifd_offset) + ifd + b"\0\0\0\0" + bytes([1, 2, 3, 4])


def nifti_bytes():
    h = bytearray(348)
    struct.pack_into("<i", h, 0, 348)
    struct.pack_into("<8h", h, 40, 2, 2, 2, 1, 1, 1, 1, 1)
    struct.pack_into("<hh", h, 70, 2, 8)  # uint8, 8 bits
    struct.pack_into("<8f", h, 76, 1, 1, 1, 1, 1, 1, 1, 1)
    struct.pack_into("<f", h, 108, 352.0)
    h[344:348] = b"n+1\0"
    return bytes(h) + b"\0\0\0\0" + bytes([1, 2, 3, 4])


def dicom_bytes():
    def el(group, elem, vr, value):
        if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT"):
            return struct.pack("<HH", group, elem) + vr + b"\0\0" + struct.pack("<I", len(value)) + value
        return struct.pack("<HH", group, elem) + vr + struct.pack("<H", len(value)) + value

    meta = el(2, 0x0001, b"OB", b"\0\1") + el(2, 0x0002, b"UI", b"1.2.840.10008.5.1.4.1.1.7\0") + \
        el(2, 0x0003, b"UI", b"1.2.3.4\0") + el(2, 0x0010, b"UI", b"1.2.840.10008.1.2.1\0")
    meta = el(2, 0x0000, b"UL", struct.pack("<I", len(meta))) + meta
    data = el(0x28, 0x0002, b"US", struct.pack("<H", 1)) + el(0x28, 0x0004, b"CS", b"MONOCHROME2 ") + \
        el(0x28, 0x0010, b"US", struct.pack("<H", 2)) + el(0x28, 0x0011, b"US", struct.pack("<H", 2)) + \
        el(0x28, 0x0100, b"US", struct.pack("<H", 8)) + el(0x28, 0x0101, b"US", struct.pack("<H", 8)) + \
        el(0x28, 0x0102, b"US", struct.pack("<H", 7)) + el(0x28, 0x0103, b"US", struct.pack("<H", 0)) + \
        el(0x7FE0, 0x0010, b"OB", bytes([1, 2, 3, 4]))
    return b"\0" * 128 + b"DICM" + meta + data


def image_corpus():
    t = "image_validators"

    def img(name, ext, data):
        write(t, name, bytes([EXT[ext]]) + data)

    img("ok.png", "png", png_bytes())
    img("bad_crc.png", "png", png_bytes(bad_crc=True))
    img("truncated.png", "png", png_bytes()[:40])
    img("ok.tif", "tif", tiff_bytes())
    img("truncated.tif", "tif", tiff_bytes()[:-3])
    img("ok.nii", "nii", nifti_bytes())
    img("truncated.nii", "nii", nifti_bytes()[:-2])
    img("ok.nii.gz", "nii.gz", gzip.compress(nifti_bytes(), mtime=0))
    img("truncated.nii.gz", "nii.gz", gzip.compress(nifti_bytes(), mtime=0)[:-12])
    mha = "ObjectType = Image\nNDims = 2\nDimSize = 2 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n"
    img("ok.mha", "mha", mha.encode() + bytes([1, 2, 3, 4]))
    img("truncated.mha", "mha", mha.encode() + bytes([1]))
    img("compressed.mha", "mha", mha.replace("ElementType", "CompressedData = True\nCompressedDataSize = 12\nElementType")
        .encode() + zlib.compress(bytes(4)))
    nrrd = "NRRD0004\ntype: uint8\ndimension: 2\nsizes: 2 2\nencoding: {}\n\n"
    img("ok.nrrd", "nrrd", nrrd.format("raw").encode() + bytes([1, 2, 3, 4]))
    img("truncated.nrrd", "nrrd", nrrd.format("raw").encode() + bytes([1]))
    img("gzip.nrrd", "nrrd", nrrd.format("gzip").encode() + gzip.compress(bytes(4), mtime=0))
    img("ok.dcm", "dcm", dicom_bytes())
    img("truncated.dcm", "dcm", dicom_bytes()[:150])
    img("no_magic.dcm", "dcm", b"\0" * 132 + dicom_bytes()[132:])


def known_crash_classes():
    """Inputs that escaped the old parsers as something other than recon::Error, or crashed them."""
    def known(target, name, data):
        write(target, "known-" + name, data, REGRESSIONS)

    # .npy: std::regex recursed once per header character (stack overflow on a long header);
    # std::stoll threw std::out_of_range on a 20-digit extent; extents whose product overflows.
    long_descr = "{'descr': '" + "f" * 45000 + "', 'fortran_order': False, 'shape': (1,), }\n"
    known("npy_reader", "regex_stack.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", len(long_descr)) +
          long_descr.encode())
    known("npy_reader", "stoll_range.npy", npy_bytes("<f4", (123456789012345678901,), b""))
    known("npy_reader", "size_overflow.npy", npy_bytes("<u1", (4294967296, 4294967296, 4294967296), b""))
    # Sidecars: nlohmann's type_error from j.value() on a non-string, extents whose product overflows.
    known("raw_sidecar", "dtype_number.bin", b'{"dtype": 4, "byte_order": "little", "shape": [1]}\0\0\0\0\0')
    known("raw_sidecar", "size_overflow.bin",
          b'{"dtype": "float32", "byte_order": "little", "shape": [4294967296, 4294967296, 4294967296]}\0')
    # Geometry: an angle count that allocates terabytes (std::bad_alloc).
    known("ct_geometry", "angle_count.json", json.dumps({"volume": {"shape": [4, 4]}, "projection": {
        "type": "parallel2d", "detector_shape": [4], "angles": {"start": 0, "stop": 1, "count": 10**15}}}))
    # --param: strtod accepted "nan" and "1e400" (inf) as parameters.
    known("penalty_params", "nan_param.txt", "mcp\nmu=nan,theta=1e400")
    # CS spec: a seed of -1 and a fractional extent (nlohmann conversions), a huge gaussian.
    known("cs_spec", "negative_seed.json", '{"sensing": "gaussian", "shape": [4.5], "measurements": 1, "seed": -1}')
    known("cs_spec", "huge_shape.json", json.dumps({"sensing": "fourier", "shape": [2**40, 2**40], "measurements": 1,
                                                    "seed": 0, "indices": [0]}))
    # Validators: std::stoull out of range in a MetaImage header; a PNG with a bad IHDR CRC
    # (libpng aborts the process under ITK); a DICOM meta group longer than the file (GDCM asserts).
    known("image_validators", "metaimage_stoull.mha", bytes([EXT["mha"]]) + b"NDims = 1\nCompressedData = True\n"
          b"CompressedDataSize = 999999999999999999999999\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n")
    known("image_validators", "png_bad_crc.png", bytes([EXT["png"]]) + png_bytes(bad_crc=True))
    known("image_validators", "dicom_meta_length.dcm", bytes([EXT["dcm"]]) + b"\0" * 128 + b"DICM" +
          struct.pack("<HH", 2, 0) + b"UL" + struct.pack("<H", 4) + struct.pack("<I", 0xFFFFFFF0))


if __name__ == "__main__":
    shutil.rmtree(ROOT, ignore_errors=True)
    for make in (npy_corpus, raw_corpus, geometry_corpus, penalty_corpus, cs_corpus, image_corpus):
        make()
    known_crash_classes()
    for d in sorted(ROOT.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} files, {sum(f.stat().st_size for f in d.iterdir())} bytes")
