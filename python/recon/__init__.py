"""recon: sparse-regularised image reconstruction (CT projectors, FBP/FDK, SIRT/CGLS,
TV-regularised CT reconstruction, TV denoising, the penalty and loss library, the CLI's file
formats) from Python.

Arrays are C-contiguous float32 or float64 NumPy arrays on the host; they cross into the C++
engine without a copy (inputs of another dtype or layout are converted once on the way in; an
``out=`` array must already match, or the call raises). The GIL is released while the engine
runs. Errors raised by the engine are :class:`recon.Error` subclasses carrying its message;
:class:`InvalidArgument` and :class:`ShapeMismatch` are also :class:`ValueError`.

Modules: :mod:`recon.ops` (linear operators: Gradient, Hadamard, Fourier, DCT, Wavelet,
Matrix, ...; every operator, the CT projector included, has ``to_scipy``, ``to_pylops`` and
``to_torch``), :mod:`recon.ct` (geometry, projector, fbp/fdk, sirt/cgls, reconstruct: ``recon ct
recon``), :mod:`recon.cs` (compressive sensing: ``recon cs`` and ``recon cs recover``),
:mod:`recon.penalty` (penalties and losses), :mod:`recon.io` (read/write every format
the CLI reads and writes, atomically), :mod:`recon.dist` (MPI ranks through mpi4py: ``comm=`` on
the projector, the solvers and denoise_tv); functions :func:`denoise_tv`, :func:`prox`,
:func:`devices`.
"""
from . import _recon
from ._recon import (DeviceError, Error, InvalidArgument, IoError, OutOfMemory,  # noqa: F401
                     ShapeMismatch)

__version__ = _recon.__version__


def devices():
    """The devices this process can use, as the names ``device=`` takes: ``'cpu'`` first, then
    ``'cuda:0'``, ``'cuda:1'``, ... (none in a build without CUDA or on a machine without a GPU)."""
    return list(_recon.devices())


from ._deps import MissingDependency  # noqa: E402
from . import penalty  # noqa: E402
from . import ops  # noqa: E402
from . import ct  # noqa: E402
from . import io  # noqa: E402
from . import cs  # noqa: E402
from . import dist  # noqa: E402
from .penalty import prox  # noqa: E402
from ._tv import denoise_tv  # noqa: E402

__all__ = ["__version__", "devices", "ops", "ct", "cs", "dist", "io", "penalty", "prox", "denoise_tv", "Error", "InvalidArgument",
           "ShapeMismatch", "IoError", "DeviceError", "OutOfMemory",
           "MissingDependency"]
