"""Shared helpers for the bad-input case modules (cases_*.py): small writers of valid and
deliberately broken inputs, so each case builds its files from a few lines."""
import json
import os
import struct

import numpy as np


def npy(folder, name, array):
    """A valid .npy file holding `array`; returns its name."""
    np.save(os.path.join(folder, name), array)
    return name


def npy_with_header(folder, name, header, payload=b"", version=1):
    """A .npy whose header text is `header` verbatim (padded as NumPy pads)."""
    text = header.encode("latin1") if isinstance(header, str) else header
    lead = 10 if version == 1 else 12
    text += b" " * ((64 - (lead + len(text) + 1) % 64) % 64) + b"\n"
    size = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    with open(os.path.join(folder, name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, 0]) + size + text + payload)
    return name


def text(folder, name, content):
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(os.path.join(folder, name), mode) as f:
        f.write(content)
    return name


def json_file(folder, name, obj):
    with open(os.path.join(folder, name), "w") as f:
        json.dump(obj, f)
    return name


def parallel_geometry(n=16, views=20, det=24):
    """A small valid parallel-beam geometry (as a dict, to be broken by the case)."""
    return {"volume": {"shape": [n, n]},
            "projection": {"type": "parallel2d", "detector_shape": [det],
                           "angles": {"start": 0, "stop": 3.141592653589793, "count": views}}}
