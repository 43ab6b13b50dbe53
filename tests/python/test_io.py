"""recon.io: round trips through every format of the build (shape and dtype kept), the CLI's
files, 8/16-bit windows, recon errors for missing and corrupt files, and atomic writes (a failed
write leaves no file behind and an existing one unchanged)."""
import os

import numpy as np
import pytest

import recon
from recon import io as rio

ITK = rio.itk_available()
needs_itk = pytest.mark.skipif(not ITK, reason="this build has no ITK formats (RECON_ITK=OFF)")


def image(shape=(12, 17), seed=0):
    return np.random.default_rng(seed).uniform(0, 1, shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(9,), (12, 17), (3, 5, 7), (2, 3, 4, 5)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_npy_round_trip(tmp_path, shape, dtype):
    x = image(shape).astype(dtype)
    p = tmp_path / "x.npy"
    rio.write(p, x)
    assert np.array_equal(np.load(p), x) and np.load(p).dtype == dtype  # a plain NumPy file
    back = rio.read(p, dtype=dtype)
    assert back.dtype == dtype and back.shape == shape and np.array_equal(back, x)
    assert rio.read(str(p)).dtype == np.float32


@pytest.mark.parametrize("name", ["x.raw"] + (["x.tif", "x.nii", "x.nii.gz", "x.mha", "x.nrrd"] if ITK else []))
@pytest.mark.parametrize("shape", [(12, 17), (4, 6, 5)])
def test_float_formats_round_trip(tmp_path, name, shape):
    x = image(shape) * 100 - 30
    rio.write(tmp_path / name, x)
    back = rio.read(tmp_path / name)
    assert back.dtype == np.float32 and back.shape == shape and np.array_equal(back, x)


@needs_itk
def test_spacing_and_origin(tmp_path):
    x = image((4, 6, 5))
    rio.write(tmp_path / "v.nii.gz", x, spacing=(2.0, 0.5, 0.75), origin=(1.0, -2.0, 3.0))
    back, meta = rio.read(tmp_path / "v.nii.gz", return_metadata=True)
    assert np.array_equal(back, x)
    assert np.allclose(meta["spacing"], [2.0, 0.5, 0.75]) and np.allclose(meta["origin"], [1.0, -2.0, 3.0])
    with pytest.raises(recon.InvalidArgument, match="spacing"):
        rio.write(tmp_path / "w.nii", x, spacing=(1.0, 2.0))


@needs_itk
@pytest.mark.parametrize("name,bits,step", [("x.png", "auto", 255), ("x.png", 16, 65535), ("x.tif", 8, 255),
                                            ("x.tif", 16, 65535)])
def test_integer_pixels_round_trip_to_their_step(tmp_path, name, bits, step):
    x = image()
    rio.write(tmp_path / name, x, bits=bits)
    back = rio.read(tmp_path / name)
    assert back.shape == x.shape and np.abs(back - x).max() <= 0.5 / step + 1e-7
    assert rio.read(tmp_path / name, scaling="stored").max() == pytest.approx(np.round(x.max() * step))


@needs_itk
def test_windows(tmp_path):
    x = 2 + 3 * image()
    lo, hi = float(x.min()), float(x.max())
    for window in ["minmax", (lo, hi), "%r:%r" % (lo, hi)]:
        rio.write(tmp_path / "w.png", x, window=window)
        back = rio.read(tmp_path / "w.png")
        assert np.abs(back - (x - lo) / (hi - lo)).max() <= 0.5 / 255 + 1e-6, window
    rio.write(tmp_path / "p.png", x, window="p0:p100")
    assert np.array_equal(rio.read(tmp_path / "p.png"), back)
    for bad in ["1:0", "nope", (1,), "p-5:p50"]:
        with pytest.raises(recon.InvalidArgument):
            rio.write(tmp_path / "bad.png", x, window=bad)
    assert not (tmp_path / "bad.png").exists()


@needs_itk
def test_the_clis_files(cli):
    x = image((20, 24))
    cli.run("convert", cli.save("x.npy", x), cli.path("cli.png"))
    rio.write(cli.path("py.png"), x)
    with open(cli.path("cli.png"), "rb") as a, open(cli.path("py.png"), "rb") as b:
        assert a.read() == b.read()  # the same writer, byte for byte
    cli.run("convert", cli.path("py.png"), cli.path("back.npy"))
    assert np.array_equal(np.load(cli.path("back.npy")), rio.read(cli.path("py.png")))


def test_missing_and_corrupt_files_raise_recon_errors(tmp_path):
    with pytest.raises(recon.IoError, match="no such file") as e:
        rio.read(tmp_path / "none.npy")
    assert isinstance(e.value, OSError)
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY\x01\x00garbage")
    names = ["bad.npy"]
    good = tmp_path / "good.npy"
    np.save(good, image((30, 30)))
    (tmp_path / "cut.npy").write_bytes(good.read_bytes()[:200])
    names.append("cut.npy")
    if ITK:
        for name in ["bad.png", "bad.tif", "bad.nii", "bad.mha"]:
            (tmp_path / name).write_bytes(b"not an image at all" * 10)
            names.append(name)
    for name in names:
        with pytest.raises(recon.IoError):
            rio.read(tmp_path / name)
    with pytest.raises(recon.IoError, match="unknown image format"):
        rio.read(good.rename(tmp_path / "x.jpg"))


def test_bad_options(tmp_path):
    x = image()
    for kwargs, message in [({"bits": 12}, "bits"), ({"bits": "8"}, "bits"), ({"bits": 8}, "8/16-bit")]:
        with pytest.raises(recon.InvalidArgument, match=message):
            rio.write(tmp_path / "x.npy", x, **kwargs)
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        rio.read(tmp_path / "x.npy", dtype=np.int16)
    with pytest.raises(recon.InvalidArgument, match="scaling"):
        rio.read(tmp_path / "x.npy", scaling="raw")
    with pytest.raises(recon.InvalidArgument):
        rio.write(tmp_path / "x.npy", np.zeros((2,) * 5))
    assert os.listdir(tmp_path) == []


def test_failed_writes_leave_no_file(tmp_path):
    x = image()
    old = tmp_path / "old.npy"
    rio.write(old, x)
    before = old.read_bytes()
    with pytest.raises(recon.InvalidArgument):
        rio.write(old, 2 * x, bits=16)
    assert old.read_bytes() == before
    (tmp_path / "dir.npy").mkdir()  # the rename into place fails after the data is written
    with pytest.raises(recon.IoError):
        rio.write(tmp_path / "dir.npy", x)
    with pytest.raises(recon.IoError):
        rio.write(tmp_path / "missing" / "x.npy", x)
    if ITK:
        with pytest.raises(recon.Error):
            rio.write(tmp_path / "v.png", np.zeros((2, 3, 4, 5), np.float32))  # PNG holds no 4D volume
    assert sorted(os.listdir(tmp_path)) == ["dir.npy", "old.npy"]  # no temporaries either
    assert os.listdir(tmp_path / "dir.npy") == []
