"""The recon.Error hierarchy carries the engine's messages; devices and the version."""
import numpy as np
import pytest

import recon
from recon.ct import Geometry, Projector


def test_hierarchy():
    assert issubclass(recon.InvalidArgument, recon.Error) and issubclass(recon.InvalidArgument, ValueError)
    assert issubclass(recon.ShapeMismatch, recon.Error) and issubclass(recon.ShapeMismatch, ValueError)
    assert issubclass(recon.OutOfMemory, recon.DeviceError) and issubclass(recon.OutOfMemory, MemoryError)
    assert issubclass(recon.IoError, OSError) and issubclass(recon.DeviceError, recon.Error)
    assert not issubclass(recon.DeviceError, ValueError)


def test_engine_messages():
    with pytest.raises(recon.InvalidArgument, match="source_origin"):  # the engine's validation
        Geometry.fan2d((64, 64), 10, 80, 20.0, 10.0)
    g = Geometry.parallel2d((16, 16), 10, 24)
    with pytest.raises(recon.ShapeMismatch):
        Projector(g, device="cpu")(np.zeros((16, 15)))
    with pytest.raises(recon.InvalidArgument, match="solver"):
        recon.denoise_tv(np.zeros((8, 8)), 0.1, solver="nosuch")
    with pytest.raises(recon.InvalidArgument, match="filter"):
        recon.ct.fbp(np.zeros(g.projection_shape), g, filter="nosuch")
    with pytest.raises(recon.InvalidArgument, match="lambda"):
        recon.denoise_tv(np.zeros((8, 8)), -1.0)


def test_devices():
    d = recon.devices()
    assert d[0] == "cpu" and all(n.startswith("cuda:") for n in d[1:])
    g = Geometry.parallel2d((16, 16), 10, 24)
    assert Projector(g, device="cpu").device == "cpu"
    assert Projector(g, device="auto").device == ("cuda:0" if len(d) > 1 else "cpu")
    with pytest.raises(recon.InvalidArgument, match="device"):
        Projector(g, device="gpu")
    if len(d) == 1:
        with pytest.raises(recon.DeviceError):
            Projector(g, device="cuda:0")


def test_version():
    assert recon.__version__.count(".") == 2
    for name in ["Geometry", "Projector", "fbp", "fdk", "sirt", "cgls"]:
        assert getattr(recon.ct, name).__doc__
    for f in [recon.denoise_tv, recon.prox, recon.devices, recon.penalty.mcp, Projector.forward,
              Projector.adjoint, Geometry.to_astra, Geometry.from_astra, Geometry.to_json, recon.ct.reconstruct,
              recon.io.read, recon.io.write, recon.io.itk_available]:
        assert f.__doc__, f
