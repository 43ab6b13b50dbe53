"""Bad-input cases for the readers: corrupt .npy headers and shapes, raw+JSON sidecars, and the
ITK formats (PNG, DICOM, TIFF, NIfTI, MetaImage, NRRD) whose libraries would abort, allocate
what a damaged header asks for, or read garbage. Every file is built here from bytes, so each
case says exactly which field is broken."""
import os
import struct
import zlib

import numpy as np

from common import npy, npy_with_header, text, json_file
from driver import Case


# ---------------------------------------------------------------- writers of valid and broken files

def good_npy(folder):
    npy(folder, "good.npy", np.arange(64, dtype=np.float32).reshape(8, 8))


def png_chunk(kind, data, crc=None):
    kind = kind.encode("latin1") if isinstance(kind, str) else kind
    if crc is None:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ihdr(width=8, height=8, depth=8, color=0, interlace=0):
    return struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace)


def png_rows(width=8, height=8, filter_byte=0):
    return b"".join(bytes([filter_byte]) + bytes((x * 31 + y) & 255 for x in range(width)) for y in range(height))


def png_file(header=None, idat=None, extra=b"", end=True):
    header = ihdr() if header is None else header
    idat = zlib.compress(png_rows()) if idat is None else idat
    return (PNG_SIGNATURE + png_chunk("IHDR", header) + extra + png_chunk("IDAT", idat) +
            (png_chunk("IEND", b"") if end else b""))


def dicom_element(group, element, vr, value):
    if len(value) % 2:
        value += b"\0" if vr == b"UI" else b" "
    if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT"):
        return struct.pack("<HH", group, element) + vr + b"\0\0" + struct.pack("<I", len(value)) + value
    return struct.pack("<HH", group, element) + vr + struct.pack("<H", len(value)) + value


def dicom_meta(transfer_syntax=b"1.2.840.10008.1.2.1"):
    body = dicom_element(2, 0x0001, b"OB", b"\0\1") + dicom_element(2, 0x0010, b"UI", transfer_syntax)
    return dicom_element(2, 0x0000, b"UL", struct.pack("<I", len(body))) + body


def dicom_file(meta=None, dataset=None):
    meta = dicom_meta() if meta is None else meta
    if dataset is None:
        rows = cols = 8
        dataset = (dicom_element(0x0008, 0x0060, b"CS", b"OT") +
                   dicom_element(0x0028, 0x0002, b"US", struct.pack("<H", 1)) +
                   dicom_element(0x0028, 0x0004, b"CS", b"MONOCHROME2") +
                   dicom_element(0x0028, 0x0010, b"US", struct.pack("<H", rows)) +
                   dicom_element(0x0028, 0x0011, b"US", struct.pack("<H", cols)) +
                   dicom_element(0x0028, 0x0100, b"US", struct.pack("<H", 16)) +
                   dicom_element(0x0028, 0x0101, b"US", struct.pack("<H", 16)) +
                   dicom_element(0x0028, 0x0102, b"US", struct.pack("<H", 15)) +
                   dicom_element(0x0028, 0x0103, b"US", struct.pack("<H", 0)) +
                   dicom_element(0x7FE0, 0x0010, b"OW", bytes(2 * rows * cols)))
    return b"\0" * 128 + b"DICM" + meta + dataset


def tiff_file(width=8, height=8, bits=8, samples=1, data=None, strip_bytes=None, strip_offset=None):
    """A little-endian, uncompressed, one-strip grey TIFF."""
    data = bytes(width * height * samples * bits // 8) if data is None else data
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, bits), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, samples), (278, 4, 1, height),
               (279, 4, 1, len(data) if strip_bytes is None else strip_bytes)]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(entries) + 4
    out = b"II*\0" + struct.pack("<I", ifd_offset) + struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = (data_offset if strip_offset is None else strip_offset) if tag == 273 else value
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, count) + packed
    return out + struct.pack("<I", 0) + data


def nifti_file(dims=(2, 8, 8), bitpix=32, datatype=16, vox_offset=352.0, data=None):
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    dim = list(dims) + [1] * (8 - len(dims))
    struct.pack_into("<8h", header, 40, *dim)
    struct.pack_into("<hh", header, 70, datatype, bitpix)
    struct.pack_into("<8f", header, 76, *([1.0] * 8))
    struct.pack_into("<f", header, 108, vox_offset)
    header[344:348] = b"n+1\0"
    if data is None:
        count = 1
        for d in dims[1:1 + max(dims[0], 0)]:
            count *= max(d, 1) if abs(d) < 64 else 1
        data = bytes(count * max(bitpix, 8) // 8)
    return bytes(header) + b"\0" * 4 + data


def mha_text(ndims="2", dims="8 8", element_type="MET_FLOAT", data_file="LOCAL", extra=""):
    return (f"ObjectType = Image\nNDims = {ndims}\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
            f"{extra}DimSize = {dims}\nElementType = {element_type}\nElementDataFile = {data_file}\n")


def nrrd_text(dimension="2", sizes="8 8", kind="float", encoding="raw", extra=""):
    return (f"NRRD0004\ntype: {kind}\ndimension: {dimension}\nsizes: {sizes}\nendian: little\n"
            f"encoding: {encoding}\n{extra}\n")


def writes(name, content, *more):
    """A setup writing `name` (bytes or text) and any further (name, content) pairs."""
    def setup(folder):
        good_npy(folder)
        text(folder, name, content)
        for other, body in more:
            text(folder, other, body)
    return setup


def with_dir(name, inside=None):
    def setup(folder):
        good_npy(folder)
        os.makedirs(os.path.join(folder, name))
        for other, body in (inside or []):
            text(folder, os.path.join(name, other), body)
    return setup


def npy_setup(header, payload=b"", version=1):
    def setup(folder):
        good_npy(folder)
        npy_with_header(folder, "bad.npy", header, payload, version)
    return setup


def raw_setup(sidecar, raw=bytes(4 * 64), sidecar_is_text=False):
    def setup(folder):
        good_npy(folder)
        text(folder, "bad.raw", raw)
        if sidecar_is_text:
            text(folder, "bad.json", sidecar)
        else:
            json_file(folder, "bad.json", sidecar)
    return setup


def both(name, bad, expect, setup, **kw):
    """The same broken input through `convert` and as the second image of `metrics`."""
    out = "out.npy" if not bad.endswith(".npy") else "out.nii"
    return [Case(f"{name}-convert", ["convert", bad, out], expect, setup=setup, **kw),
            Case(f"{name}-metrics", ["metrics", "good.npy", bad], expect, setup=setup, **kw)]


# ---------------------------------------------------------------- cases

def npy_cases():
    f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }"
    big = "(4294967296, 4294967296)"
    cases = []
    # Shape products that overflow or exceed the file, before anything is allocated.
    cases += both("npy-shape-overflow", "bad.npy", r"bad\.npy.*(too large|truncated)", npy_setup(f4 % big, b"\0" * 16))
    cases += both("npy-shape-overflow-4d", "bad.npy", r"bad\.npy.*(too large|truncated)",
                  npy_setup(f4 % "(65536, 65536, 65536, 65536)", b"\0" * 16))
    cases += both("npy-shape-huge-no-overflow", "bad.npy", r"bad\.npy.*truncated data",
                  npy_setup(f4 % "(1000000, 1000000)", b"\0" * 64))
    cases += both("npy-shape-entry-too-big", "bad.npy", r"bad\.npy.*too large",
                  npy_setup(f4 % "(99999999999999999999999,)", b"\0" * 16))
    cases += both("npy-truncated-data", "bad.npy", r"bad\.npy.*truncated data", npy_setup(f4 % "(8, 8)", b"\0" * 100))
    # Empty arrays.
    cases += both("npy-empty-1d", "bad.npy", r"bad\.npy.*empty array, shape \(0,\)",
                  lambda d: (good_npy(d), npy(d, "bad.npy", np.zeros((0,), np.float32))))
    cases += both("npy-empty-2d", "bad.npy", r"bad\.npy.*empty array, shape \(3, 0\)",
                  lambda d: (good_npy(d), npy(d, "bad.npy", np.zeros((3, 0), np.float64))))
    # Header text: bounded dict parsing, clean one-line messages.
    cases += both("npy-huge-descr", "bad.npy", r"bad\.npy.*dtype '<+\.\.\.' is not supported",
                  npy_setup("{'descr': '" + "<" * 26000 + "', 'fortran_order': False, 'shape': (2,), }", b"\0" * 8))
    cases += both("npy-newline-in-descr", "bad.npy", r"bad\.npy.*(\\x0a|plain quoted string)",
                  npy_setup("{'descr': '<f\n4', 'fortran_order': False, 'shape': (2,), }", b"\0" * 8))
    cases += both("npy-garbage-header", "bad.npy", r"bad\.npy.*expected the header to start with",
                  npy_setup(b"\x01\x02\xff garbage \x00 bytes", b"\0" * 8))
    cases += both("npy-unknown-key", "bad.npy", r"bad\.npy.*unexpected key 'extra'",
                  npy_setup("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", b"\0" * 8))
    cases += both("npy-duplicate-key", "bad.npy", r"bad\.npy.*appears twice",
                  npy_setup("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", b"\0" * 16))
    cases += both("npy-negative-extent", "bad.npy", r"bad\.npy.*non-negative integer",
                  npy_setup(f4 % "(-3, 4)", b"\0" * 48))
    cases += both("npy-float-extent", "bad.npy", r"bad\.npy.*(',' or '\)'|non-negative integer)",
                  npy_setup(f4 % "(2.5,)", b"\0" * 16))
    cases += both("npy-five-axes", "bad.npy", r"bad\.npy.*more than 4 axes", npy_setup(f4 % "(1, 1, 1, 1, 2)", b"\0" * 8))
    cases += both("npy-unterminated", "bad.npy", r"bad\.npy.*(unterminated|ends early)",
                  npy_setup("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", b"\0" * 8))
    cases += both("npy-missing-shape", "bad.npy", r"bad\.npy.*no 'shape'",
                  npy_setup("{'descr': '<f4', 'fortran_order': False}", b"\0" * 8))
    cases += both("npy-trailing-junk", "bad.npy", r"bad\.npy.*nothing but padding",
                  npy_setup(f4 % "(2,)" + " junk", b"\0" * 8))
    cases += both("npy-header-len-past-end", "bad.npy", r"bad\.npy.*truncated header",
                  writes("bad.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr'"))
    cases += both("npy-header-len-v2-huge", "bad.npy", r"bad\.npy.*header length field",
                  writes("bad.npy", b"\x93NUMPY\x02\x00\xff\xff\xff\xff{'descr'"))
    cases += both("npy-bad-version", "bad.npy", r"bad\.npy.*unsupported format version 9",
                  writes("bad.npy", b"\x93NUMPY\x09\x00\x10\x00" + b" " * 16))
    cases += both("npy-only-magic", "bad.npy", r"bad\.npy.*truncated header", writes("bad.npy", b"\x93NUMPY"))
    cases += both("npy-is-directory", "bad.npy", r"bad\.npy", with_dir("bad.npy"))
    return cases


def raw_cases():
    ok = {"format": "recon-raw", "dtype": "float32", "byte_order": "little", "shape": [8, 8]}

    def side(**changes):
        d = dict(ok)
        for k, v in changes.items():
            if v is None:
                d.pop(k)
            else:
                d[k] = v
        return d

    cases = []
    cases += both("raw-number-overflow", "bad.raw", r"bad\.raw.*bad\.json.*out of range",
                  raw_setup('{"dtype": "float32", "byte_order": "little", "shape": [1e400, 8]}', sidecar_is_text=True))
    cases += both("raw-string-extent", "bad.raw", r"bad\.json.*\"shape\" entry 0 is a string",
                  raw_setup(side(shape=["8", 8])))
    cases += both("raw-negative-extent", "bad.raw", r"bad\.json.*\"shape\" entry 1 is -8",
                  raw_setup(side(shape=[8, -8])))
    cases += both("raw-fractional-extent", "bad.raw", r"bad\.json.*\"shape\" entry 0 is 8\.5",
                  raw_setup(side(shape=[8.5, 8])))
    cases += both("raw-zero-extent", "bad.raw", r"bad\.json.*\"shape\" entry 0 is 0.*empty",
                  raw_setup(side(shape=[0, 8])))
    cases += both("raw-huge-extent", "bad.raw", r"bad\.json.*entry 0 is 18446744073709551615",
                  raw_setup(side(shape=[18446744073709551615, 8])))
    cases += both("raw-shape-overflow", "bad.raw", r"bad\.raw.*more than 2\^63",
                  raw_setup(side(shape=[4294967296, 4294967296])))
    cases += both("raw-shape-string", "bad.raw", r"bad\.json.*\"shape\" is a string",
                  raw_setup(side(shape="8x8")))
    cases += both("raw-shape-five-axes", "bad.raw", r"bad\.json.*\"shape\" is an array of 5",
                  raw_setup(side(shape=[1, 1, 1, 8, 8])))
    cases += both("raw-missing-shape", "bad.raw", r"bad\.json.*no \"shape\"", raw_setup(side(shape=None)))
    cases += both("raw-missing-dtype", "bad.raw", r"bad\.json.*no \"dtype\"", raw_setup(side(dtype=None)))
    cases += both("raw-unknown-dtype", "bad.raw", r"bad\.json.*\"dtype\" is 'complex64'",
                  raw_setup(side(dtype="complex64")))
    cases += both("raw-dtype-number", "bad.raw", r"bad\.json.*\"dtype\" is a number", raw_setup(side(dtype=32)))
    cases += both("raw-big-endian", "bad.raw", r"bad\.json.*\"byte_order\" is 'big'", raw_setup(side(byte_order="big")))
    cases += both("raw-spacing-string", "bad.raw", r"bad\.json.*\"spacing\" entry 0 is a string",
                  raw_setup(side(spacing=["a", 1])))
    cases += both("raw-spacing-length", "bad.raw", r"bad\.json.*\"spacing\" is an array of 3",
                  raw_setup(side(spacing=[1, 1, 1])))
    cases += both("raw-spacing-negative", "bad.raw", r"bad\.json.*\"spacing\" entry 1 is -1",
                  raw_setup(side(spacing=[1, -1])))
    cases += both("raw-origin-object", "bad.raw", r"bad\.json.*\"origin\" is an object",
                  raw_setup(side(origin={"x": 1})))
    cases += both("raw-not-object", "bad.raw", r"bad\.json.*holds an array", raw_setup([8, 8]))
    cases += both("raw-not-json", "bad.raw", r"bad\.json.*not valid JSON",
                  raw_setup("{\"shape\": [8, 8", sidecar_is_text=True))
    cases += both("raw-binary-sidecar", "bad.raw", r"bad\.json.*not valid JSON",
                  raw_setup(b"\xff\xfe\x00garbage\n\x01", sidecar_is_text=True))
    cases += both("raw-sidecar-is-directory", "bad.raw", r"bad\.json.*directory",
                  lambda d: (good_npy(d), text(d, "bad.raw", bytes(256)), os.makedirs(os.path.join(d, "bad.json"))))
    cases += both("raw-sidecar-missing", "bad.raw", r"bad\.json.*no such file",
                  lambda d: (good_npy(d), text(d, "bad.raw", bytes(256))))
    cases += both("raw-size-mismatch", "bad.raw", r"bad\.raw.*holds 100 bytes.*needs 256",
                  raw_setup(ok, raw=bytes(100)))
    cases += both("raw-is-directory", "bad.raw", r"bad\.raw.*directory",
                  lambda d: (good_npy(d), os.makedirs(os.path.join(d, "bad.raw")), json_file(d, "bad.json", ok)))
    return cases


def png_cases():
    cases = []
    big = zlib.compress(png_rows())
    cases += both("png-signature-only", "bad.png", r"bad\.png.*PNG.*without an IEND", writes("bad.png", PNG_SIGNATURE))
    cases += both("png-bad-ihdr-crc", "bad.png", r"bad\.png.*'IHDR'.*bad CRC",
                  writes("bad.png", PNG_SIGNATURE + png_chunk("IHDR", ihdr(), crc=1234) + png_file()[8 + 25:]))
    cases += both("png-random-after-signature", "bad.png", r"bad\.png.*damaged PNG",
                  writes("bad.png", PNG_SIGNATURE + bytes((i * 197 + 11) & 255 for i in range(300))))
    cases += both("png-truncated-idat", "bad.png", r"bad\.png.*damaged PNG", writes("bad.png", png_file()[:-30]))
    cases += both("png-idat-short-stream", "bad.png", r"bad\.png.*truncated image data",
                  writes("bad.png", png_file(idat=big[:len(big) // 2])))
    cases += both("png-idat-garbled", "bad.png", r"bad\.png.*(zlib stream is damaged|truncated image data)",
                  writes("bad.png", png_file(idat=big[:2] + bytes(b ^ 0x5a for b in big[2:]))))
    cases += both("png-too-little-data", "bad.png", r"bad\.png.*truncated image data",
                  writes("bad.png", png_file(header=ihdr(8, 16))))
    cases += both("png-too-much-data", "bad.png", r"bad\.png.*more than",
                  writes("bad.png", png_file(header=ihdr(8, 4))))
    cases += both("png-bad-filter-byte", "bad.png", r"bad\.png.*filter type 9",
                  writes("bad.png", png_file(idat=zlib.compress(png_rows(filter_byte=9)))))
    cases += both("png-bad-chunk-length", "bad.png", r"bad\.png.*claims 4294967295 bytes",
                  writes("bad.png", PNG_SIGNATURE + b"\xff\xff\xff\xffIHDR" + bytes(30)))
    cases += both("png-zero-width", "bad.png", r"bad\.png.*0 x 8 pixels", writes("bad.png", png_file(header=ihdr(0, 8))))
    cases += both("png-huge-size", "bad.png", r"bad\.png.*1000000 per side",
                  writes("bad.png", png_file(header=ihdr(0x7fffffff, 0x7fffffff))))
    cases += both("png-bad-depth", "bad.png", r"bad\.png.*bit depth 7",
                  writes("bad.png", png_file(header=ihdr(depth=7))))
    cases += both("png-bad-color-type", "bad.png", r"bad\.png.*colour type is 5",
                  writes("bad.png", png_file(header=ihdr(color=5))))
    cases += both("png-palette-without-plte", "bad.png", r"bad\.png.*without a PLTE",
                  writes("bad.png", png_file(header=ihdr(color=3))))
    cases += both("png-no-idat", "bad.png", r"bad\.png.*no IDAT",
                  writes("bad.png", PNG_SIGNATURE + png_chunk("IHDR", ihdr()) + png_chunk("IEND", b"")))
    cases += both("png-no-iend", "bad.png", r"bad\.png.*without an IEND", writes("bad.png", png_file(end=False)))
    cases += both("png-unknown-critical-chunk", "bad.png", r"bad\.png.*unknown critical chunk 'ABCD'",
                  writes("bad.png", png_file(extra=png_chunk("ABCD", b"xyz"))))
    cases += both("png-first-chunk-not-ihdr", "bad.png", r"bad\.png.*expected IHDR",
                  writes("bad.png", PNG_SIGNATURE + png_chunk("tEXt", b"a\0b") + png_file()[8:]))
    cases += both("png-bad-chunk-type", "bad.png", r"bad\.png.*bad chunk type '\\x00",
                  writes("bad.png", png_file()[:8 + 25] + b"\0\0\0\0\0\x01\x02\x03" + png_file()[8 + 25:]))
    cases += both("png-empty-file", "bad.png", r"bad\.png.*signature", writes("bad.png", b""))
    return cases


def dicom_cases():
    cases = []
    cases += both("dcm-preamble-dicm-only", "bad.dcm", r"bad\.dcm.*DICOM.*no file meta",
                  writes("bad.dcm", b"\0" * 128 + b"DICM"))
    cases += both("dcm-short", "bad.dcm", r"bad\.dcm.*DICOM.*128-byte preamble", writes("bad.dcm", b"\0" * 60))
    cases += both("dcm-garbage", "bad.dcm", r"bad\.dcm.*DICOM",
                  writes("bad.dcm", bytes((i * 89 + 7) & 255 for i in range(1000))))
    cases += both("dcm-empty", "bad.dcm", r"bad\.dcm.*DICOM", writes("bad.dcm", b""))
    cases += both("dcm-meta-length-past-end", "bad.dcm", r"bad\.dcm.*claims",
                  writes("bad.dcm", b"\0" * 128 + b"DICM" + struct.pack("<HH", 2, 0x10) + b"UI" +
                         struct.pack("<H", 60000) + b"1.2"))
    cases += both("dcm-meta-truncated-header", "bad.dcm", r"bad\.dcm.*ends inside an element header",
                  writes("bad.dcm", b"\0" * 128 + b"DICM\x02\x00\x10"))
    cases += both("dcm-meta-bad-vr", "bad.dcm", r"bad\.dcm.*VR",
                  writes("bad.dcm", b"\0" * 128 + b"DICM" + struct.pack("<HH", 2, 0x10) + b"\x01\x02" +
                         struct.pack("<H", 4) + b"1.2\0" + bytes(16)))
    cases += both("dcm-no-transfer-syntax", "bad.dcm", r"bad\.dcm.*Transfer Syntax",
                  writes("bad.dcm", dicom_file(meta=dicom_element(2, 0x0001, b"OB", b"\0\1"))))
    cases += both("dcm-bad-transfer-syntax", "bad.dcm", r"bad\.dcm.*Transfer Syntax UID 'abc",
                  writes("bad.dcm", dicom_file(meta=dicom_meta(b"abc\ndef"))))
    cases += both("dcm-meta-only", "bad.dcm", r"bad\.dcm.*no data set", writes("bad.dcm", dicom_file(dataset=b"")))
    cases += both("dcm-dataset-length-past-end", "bad.dcm", r"bad\.dcm.*claims",
                  writes("bad.dcm", dicom_file(dataset=struct.pack("<HH", 8, 0x60) + b"CS" + struct.pack("<H", 5000))))
    cases += both("dcm-truncated-pixel-data", "bad.dcm", r"bad\.dcm.*claims", writes("bad.dcm", dicom_file()[:-40]))
    cases += both("dcm-truncated-mid-dataset", "bad.dcm", r"bad\.dcm.*(claims|ends inside)", writes("bad.dcm", dicom_file()[:230]))
    cases += both("dcm-undefined-length-not-sequence", "bad.dcm", r"bad\.dcm.*undefined length",
                  writes("bad.dcm", dicom_file(dataset=struct.pack("<HH", 8, 0x60) + b"OB\0\0" +
                                               struct.pack("<I", 0xFFFFFFFF) + bytes(16))))
    cases += both("dcm-sequence-without-delimiter", "bad.dcm", r"bad\.dcm.*(without its delimiter|ends inside)",
                  writes("bad.dcm", dicom_file(dataset=struct.pack("<HH", 8, 0x1140) + b"SQ\0\0" +
                                               struct.pack("<I", 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF) +
                                               dicom_element(0x0008, 0x1150, b"UI", b"1.2"))))
    cases += both("dcm-sequence-bad-item", "bad.dcm", r"bad\.dcm.*expected an item",
                  writes("bad.dcm", dicom_file(dataset=struct.pack("<HH", 8, 0x1140) + b"SQ\0\0" +
                                               struct.pack("<I", 12) + dicom_element(0x0008, 0x1150, b"UI", b"1.2"))))
    cases += both("dcm-item-length-past-sequence", "bad.dcm", r"bad\.dcm.*claims",
                  writes("bad.dcm", dicom_file(dataset=struct.pack("<HH", 8, 0x1140) + b"SQ\0\0" +
                                               struct.pack("<I", 8) + struct.pack("<HHI", 0xFFFE, 0xE000, 500) + bytes(40))))
    cases += both("dcm-undefined-meta-length", "bad.dcm", r"bad\.dcm.*undefined length",
                  writes("bad.dcm", b"\0" * 128 + b"DICM" + struct.pack("<HH", 2, 1) + b"OB\0\0" +
                         struct.pack("<I", 0xFFFFFFFF) + bytes(16)))
    return cases


def tiff_cases():
    cases = []
    cases += both("tif-huge-size", "bad.tif", r"bad\.tif", writes("bad.tif", tiff_file(width=0x7fffffff, height=0x7fffffff, data=bytes(64))))
    cases += both("tif-zero-width", "bad.tif", r"bad\.tif", writes("bad.tif", tiff_file(width=0, data=bytes(64))))
    cases += both("tif-truncated-strip", "bad.tif", r"bad\.tif", writes("bad.tif", tiff_file(data=bytes(64))[:-40]))
    cases += both("tif-strip-offset-past-end", "bad.tif", r"bad\.tif.*TIFF",
                  writes("bad.tif", tiff_file(data=bytes(64), strip_offset=1 << 30)))
    cases += both("tif-bad-bits", "bad.tif", r"bad\.tif", writes("bad.tif", tiff_file(bits=0, data=bytes(64))))
    cases += both("tif-many-samples", "bad.tif", r"bad\.tif",
                  writes("bad.tif", tiff_file(width=65535, height=65535, samples=4, data=bytes(64))))
    cases += both("tif-header-only", "bad.tif", r"bad\.tif.*TIFF", writes("bad.tif", b"II*\0"))
    cases += both("tif-ifd-past-end", "bad.tif", r"bad\.tif.*TIFF", writes("bad.tif", b"II*\0\xff\xff\xff\x7f" + bytes(32)))
    return cases


def nifti_cases():
    cases = []
    cases += both("nii-zero-ndim", "bad.nii", r"bad\.nii.*dim\[0\] is 0", writes("bad.nii", nifti_file(dims=(0, 8, 8), data=bytes(256))))
    cases += both("nii-ndim-too-many", "bad.nii", r"bad\.nii.*dim\[0\] is 9", writes("bad.nii", nifti_file(dims=(9, 8, 8), data=bytes(256))))
    cases += both("nii-negative-dim", "bad.nii", r"bad\.nii.*dim\[2\] is -8", writes("bad.nii", nifti_file(dims=(2, 8, -8), data=bytes(256))))
    cases += both("nii-zero-dim", "bad.nii", r"bad\.nii.*dim\[1\] is 0", writes("bad.nii", nifti_file(dims=(2, 0, 8), data=bytes(256))))
    cases += both("nii-dims-overflow", "bad.nii", r"bad\.nii.*more than 2\^31 samples",
                  writes("bad.nii", nifti_file(dims=(7, 32767, 32767, 32767, 32767, 32767, 32767, 32767), data=bytes(256))))
    cases += both("nii-bad-bitpix", "bad.nii", r"bad\.nii.*bitpix is -32", writes("bad.nii", nifti_file(bitpix=-32, data=bytes(256))))
    cases += both("nii-truncated", "bad.nii", r"bad\.nii.*truncated", writes("bad.nii", nifti_file(dims=(3, 64, 64, 64), data=bytes(256))))
    cases += both("nii-bad-vox-offset", "bad.nii", r"bad\.nii.*vox_offset", writes("bad.nii", nifti_file(vox_offset=-1e30, data=bytes(256))))
    return cases


def mha_cases():
    data = bytes(4 * 64)
    cases = []
    cases += both("mha-ndims-zero", "bad.mha", r"bad\.mha.*'NDims' is '0'", writes("bad.mha", mha_text(ndims="0").encode() + data))
    cases += both("mha-ndims-text", "bad.mha", r"bad\.mha.*'NDims' is 'two'", writes("bad.mha", mha_text(ndims="two").encode() + data))
    cases += both("mha-negative-dim", "bad.mha", r"bad\.mha.*'DimSize' holds '-8'", writes("bad.mha", mha_text(dims="8 -8").encode() + data))
    cases += both("mha-zero-dim", "bad.mha", r"bad\.mha.*'DimSize' holds '0'", writes("bad.mha", mha_text(dims="0 8").encode() + data))
    cases += both("mha-dim-count", "bad.mha", r"bad\.mha.*'DimSize' holds 3 extents, expected 2",
                  writes("bad.mha", mha_text(dims="8 8 8").encode() + data))
    cases += both("mha-dims-overflow", "bad.mha", r"bad\.mha.*(more than 2\^31|positive integer)",
                  writes("bad.mha", mha_text(dims="4294967296 4294967296").encode() + data))
    cases += both("mha-dims-absurd", "bad.mha", r"bad\.mha.*more than 2\^31 samples",
                  writes("bad.mha", mha_text(dims="100000 100000").encode() + data))
    cases += both("mha-truncated", "bad.mha", r"bad\.mha.*truncated", writes("bad.mha", mha_text().encode() + data[:100]))
    cases += both("mha-unknown-type", "bad.mha", r"bad\.mha.*'ElementType' is 'MET_FOO'",
                  writes("bad.mha", mha_text(element_type="MET_FOO").encode() + data))
    cases += both("mha-data-file-is-mha", "bad.mha", r"bad\.mha.*other\.mha.*MetaImage header",
                  writes("bad.mha", mha_text(data_file="other.mha"), ("other.mha", mha_text().encode() + data)))
    cases += both("mha-data-file-wrong-size", "bad.mha", r"bad\.mha.*data\.raw.*exactly 256",
                  writes("bad.mha", mha_text(data_file="data.raw"), ("data.raw", bytes(300))))
    cases += both("mha-data-file-missing", "bad.mha", r"bad\.mha.*missing\.raw.*missing",
                  writes("bad.mha", mha_text(data_file="missing.raw")))
    cases += both("mha-data-file-directory", "bad.mha", r"bad\.mha.*sub.*not a regular file",
                  lambda d: (good_npy(d), text(d, "bad.mha", mha_text(data_file="sub")), os.makedirs(os.path.join(d, "sub"))))
    cases += both("mha-data-list", "bad.mha", r"bad\.mha.*'ElementDataFile' is 'LIST'",
                  writes("bad.mha", mha_text(data_file="LIST") + "a.raw\nb.raw\n"))
    cases += both("mha-no-data-file", "bad.mha", r"bad\.mha.*ElementDataFile",
                  writes("bad.mha", "ObjectType = Image\nNDims = 2\nDimSize = 8 8\nElementType = MET_FLOAT\n"))
    cases += both("mha-compressed-truncated", "bad.mha", r"bad\.mha.*(inflates|damaged compressed|truncated)",
                  writes("bad.mha", mha_text(extra="CompressedData = True\n").encode() +
                         zlib.compress(bytes((i * 37) & 255 for i in range(256)))[:40]))
    cases += both("mha-compressed-size-past-end", "bad.mha", r"bad\.mha.*truncated",
                  writes("bad.mha", mha_text(extra="CompressedData = True\nCompressedDataSize = 99999\n").encode() +
                         zlib.compress(data)))
    cases += both("mha-compressed-garbage", "bad.mha", r"bad\.mha.*(damaged compressed|inflates)",
                  writes("bad.mha", mha_text(extra="CompressedData = True\n").encode() + b"\x78\x9c" + bytes(range(7, 200))))
    cases += both("mha-compressed-too-big", "bad.mha", r"bad\.mha.*inflates to more than 256",
                  writes("bad.mha", mha_text(extra="CompressedData = True\n").encode() + zlib.compress(data * 4)))
    cases += both("mha-garbage-line", "bad.mha", r"bad\.mha.*not 'Key = Value'",
                  writes("bad.mha", b"ObjectType = Image\n\x01\x02garbage\nNDims = 2\n" + data))
    return cases


def nrrd_cases():
    data = bytes(4 * 64)
    cases = []
    cases += both("nrrd-negative-size", "bad.nrrd", r"bad\.nrrd.*'sizes' holds '-8'", writes("bad.nrrd", nrrd_text(sizes="8 -8").encode() + data))
    cases += both("nrrd-size-count", "bad.nrrd", r"bad\.nrrd.*'sizes' holds 1 extents, expected 2", writes("bad.nrrd", nrrd_text(sizes="8").encode() + data))
    cases += both("nrrd-sizes-overflow", "bad.nrrd", r"bad\.nrrd.*more than 2\^31 samples",
                  writes("bad.nrrd", nrrd_text(sizes="4294967295 4294967295").encode() + data))
    cases += both("nrrd-dimension-zero", "bad.nrrd", r"bad\.nrrd.*'dimension' is '0'", writes("bad.nrrd", nrrd_text(dimension="0").encode() + data))
    cases += both("nrrd-truncated", "bad.nrrd", r"bad\.nrrd.*truncated", writes("bad.nrrd", nrrd_text().encode() + data[:50]))
    cases += both("nrrd-unknown-type", "bad.nrrd", r"bad\.nrrd.*'type' is 'quaternion'", writes("bad.nrrd", nrrd_text(kind="quaternion").encode() + data))
    cases += both("nrrd-ascii-absurd", "bad.nrrd", r"bad\.nrrd.*truncated",
                  writes("bad.nrrd", nrrd_text(sizes="40000 40000", encoding="ascii") + "1 2 3\n"))
    cases += both("nrrd-detached-missing", "bad.nhdr", r"bad\.nhdr.*missing",
                  writes("bad.nhdr", nrrd_text(extra="data file: nothing.raw\n")))
    cases += both("nrrd-detached-short", "bad.nhdr", r"bad\.nhdr.*truncated",
                  writes("bad.nhdr", nrrd_text(extra="data file: d.raw\n"), ("d.raw", bytes(10))))
    cases += both("nrrd-gzip-truncated", "bad.nrrd", r"bad\.nrrd.*(truncated|damaged compressed)",
                  writes("bad.nrrd", nrrd_text(encoding="gzip").encode() + zlib.compress(data)[:12]))
    return cases


def cases(work):
    return npy_cases() + raw_cases() + png_cases() + dicom_cases() + tiff_cases() + nifti_cases() + mha_cases() + nrrd_cases()
