"""Small geometries of every family, off-centre and with detector offsets (shared by the tests)."""
import numpy as np

from recon.ct import Geometry


def circular(offsets=True):
    o = 1.0 if offsets else 0.0
    return {
        "parallel2d": Geometry.parallel2d((24, 20), 30, 36, pixel=1.25, offset_u=0.75 * o, voxel_size=(1.0, 0.75),
                                          origin=(1.5, -2.0)),
        "fan2d": Geometry.fan2d((24, 20), 36, 40, 60.0, 30.0, pixel=1.5, offset_u=0.5 * o, origin=(1.0, -0.5)),
        "parallel3d": Geometry.parallel3d((6, 16, 14), 20, (8, 24), pixel=(1.0, 1.25), offset_u=0.5 * o,
                                          offset_v=-0.25 * o, origin=(0.5, -1.0, 0.25)),
        "cone": Geometry.cone((8, 16, 14), 24, (14, 28), 48.0, 24.0, pixel=1.5, offset_u=-0.75 * o,
                              offset_v=0.5 * o, voxel_size=(1.0, 1.0, 0.75), origin=(1.0, 0.5, -0.5)),
    }


def vector_forms():
    """Vector geometries: the circular ones with each view's detector tilted a little."""
    out = {}
    for name, g in circular().items():
        v = np.array(g.vectors)
        k = np.arange(len(v))
        nd = g.ndim
        v[:, 2 * nd] += 0.01 * np.cos(k)  # u's x component: a tilted, slightly stretched detector
        v[:, nd] += 0.1 * np.sin(k)  # detector centre moves
        out[name + "_vec"] = Geometry.from_vectors(g.volume_shape, v, g.detector_shape, g.divergent,
                                                   voxel_size=g.voxel_size, origin=g.origin)
    return out


def every_family():
    d = circular()
    d.update(vector_forms())
    return d


def smooth_volume(shape, seed=0, dtype=np.float64):
    """An asymmetric test object: blocks plus noise (any flip or transpose shows)."""
    rng = np.random.default_rng(seed)
    x = rng.random(shape) * 0.1
    sl = tuple(slice(n // 5, n // 2) for n in shape)
    x[sl] += 1.0
    sl = tuple(slice(n // 2, (4 * n) // 5 + 1) for n in shape[:-1]) + (slice(shape[-1] // 3, shape[-1] // 2),)
    x[sl] += 0.5
    return x.astype(dtype)
