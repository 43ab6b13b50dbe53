"""Images and volumes in and out, by the CLI's readers and writers (io/include/recon/io/image.hpp):
the format is the file name's extension, as for every ``recon`` command.

* ``.npy`` (NumPy), ``.raw`` (little-endian float32 with its JSON sidecar ``.raw.json``);
* ``.png``, ``.tif``/``.tiff`` (TIFF also multi-page stacks: 3D volumes), ``.nii``/``.nii.gz``,
  ``.mha``/``.mhd``, ``.nrrd``/``.nhdr``, and for reading DICOM (``.dcm`` or a series
  directory): through ITK, in builds with ``RECON_ITK=ON`` (:func:`itk_available`).

Arrays are NumPy order (z, y, x). Writes are atomic: the file appears complete under its name or
not at all (a failed write leaves nothing behind and an existing file as it was). Errors are
:class:`recon.IoError` (an ``OSError``: a missing, unreadable or corrupt file) or
:class:`recon.InvalidArgument` (a ``ValueError``: an option out of its domain).
"""
import os

import numpy as np

from . import _recon
from ._arrays import as_input
from ._recon import InvalidArgument

__all__ = ["read", "write", "itk_available"]

_READERS = {np.dtype(np.float32): _recon.read_float32, np.dtype(np.float64): _recon.read_float64}


def itk_available():
    """Whether this build reads and writes the ITK formats (all but .npy and .raw)."""
    return bool(_recon.itk_available())


def read(path, dtype=np.float32, scaling="auto", return_metadata=False):
    """The image or volume in ``path`` as a float32 (or ``dtype=np.float64``) array, like the
    CLI's inputs. scaling: ``'auto'`` (8/16-bit PNG and TIFF pixels divided by 255 / 65535, every
    other format as stored), ``'unit'`` (every unsigned integer type to [0, 1]) or ``'stored'``,
    the CLI's ``--scaling``; RGB becomes gray. With ``return_metadata``, returns
    (array, {"spacing": [...], "origin": [...]}) in NumPy axis order (empty lists where the
    format keeps none)."""
    reader = _READERS.get(np.dtype(dtype))
    if reader is None:
        raise InvalidArgument("read: dtype %s is not float32 or float64" % np.dtype(dtype).name)
    array, spacing, origin = reader(os.fspath(path), str(scaling))
    return (array, {"spacing": list(spacing), "origin": list(origin)}) if return_metadata else array


def _window(window):
    """(kind, lo, hi) of the CLI's ``--window``: ``(lo, hi)``, ``'LO:HI'``, ``'minmax'`` or
    ``'pLO:pHI'`` (percentiles of the data)."""
    if isinstance(window, str):
        if window == "minmax":
            return "minmax", 0.0, 1.0
        lo, sep, hi = window.partition(":")
        percentile = lo.startswith("p") and hi.startswith("p")
        if percentile:
            lo, hi = lo[1:], hi[1:]
        try:
            bounds = (float(lo), float(hi)) if sep else None
        except ValueError:
            bounds = None
        if bounds is None:
            raise InvalidArgument("write: window '%s' is not LO:HI, minmax or pLO:pHI" % window)
        kind = "percentile" if percentile else "range"
    else:
        try:
            bounds = tuple(float(v) for v in window)
        except (TypeError, ValueError):
            bounds = ()
        if len(bounds) != 2:
            raise InvalidArgument("write: window must be (lo, hi), 'LO:HI', 'minmax' or 'pLO:pHI', got %r"
                                  % (window,))
        kind = "range"
    if not bounds[0] < bounds[1]:
        raise InvalidArgument("write: window %r needs lo < hi" % (window,))
    return (kind,) + bounds


def write(path, array, bits="auto", window=(0.0, 1.0), spacing=None, origin=None):
    """Writes a float array (1D-4D; other dtypes are converted to float64) to ``path``, the
    format by extension. bits: ``8`` or ``16`` (unsigned integers through ``window``), ``32``
    (float) or ``'auto'`` (8 for PNG, float otherwise), the CLI's ``--bits``; ``.npy`` and
    ``.raw`` store floats only. window: the values mapped to 0 and the integer maximum,
    clipped outside: ``(lo, hi)``, ``'LO:HI'``, ``'minmax'`` or percentiles ``'p1:p99'`` (the
    CLI's ``--window``; the default (0, 1) inverts ``read``'s auto scaling). spacing, origin:
    one value per axis (NumPy order) for the formats that keep them (NIfTI, MetaImage, NRRD).
    Atomic: on failure no file is left and an existing one is unchanged."""
    x = as_input(array, name="array")
    bits = 0 if bits in ("auto", None) else bits
    if isinstance(bits, str) or int(bits) != bits:
        raise InvalidArgument("write: bits must be 8, 16, 32 or 'auto', got %r" % (bits,))
    kind, lo, hi = _window(window)
    spacing = [] if spacing is None else [float(v) for v in np.atleast_1d(spacing)]
    origin = [] if origin is None else [float(v) for v in np.atleast_1d(origin)]
    _recon.write(os.fspath(path), x, int(bits), kind, lo, hi, spacing, origin)
