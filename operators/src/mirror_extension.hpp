// Half-sample symmetric (mirrored) extension of batched arrays of at most 3 axes, shared by the
// spectral Neumann Laplacian solve (laplacian_solve.cu) and the DCT-II operator (dct.cu): the
// DCT-II of x is, up to a phase and a factor 2 per axis, the DFT of its extension to length 2n
// (Makhoul, "A fast cosine transform in one and multiple dimensions", 1980), so both run on
// the FFT layer with one code path for FFTW and cuFFT.
#pragma once

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/shape.hpp"

namespace recon::detail {

// The 3 fastest axes of an array, padded in front with extent 1.
struct Dims3 {
  index_t n[3];
};
inline Dims3 dims3(const Shape& s) { return Dims3{{s.back(2), s.back(1), s.back(0)}}; }

// Mirror index of the half-sample symmetric extension: j for j < n, 2n - 1 - j after.
RECON_HD inline index_t mirror(index_t j, index_t n) { return j < n ? j : 2 * n - 1 - j; }

inline namespace RECON_LAUNCH_NS {

// ext(i, z, y, x) = b(i, mirror(z), mirror(y), mirror(x)) for `batch` contiguous arrays of
// extents n extended to extents m (each m.n[a] is n.n[a] or 2 n.n[a]). Defined once, in
// mirror_extension.cu: nvcc's host wrappers of an extended lambda instantiated in two
// translation units crash host runs of a shared-library CUDA build.
template <class T>
void mirror_extend(const Context& ctx, Dims3 n, Dims3 m, const T* b, T* ext, index_t batch = 1);

// x = the first n entries along each axis of ext, for `batch` contiguous arrays.
template <class T>
void restrict_to_domain(const Context& ctx, Dims3 n, Dims3 m, const T* ext, T* x, index_t batch = 1);

}  // namespace RECON_LAUNCH_NS
}  // namespace recon::detail
