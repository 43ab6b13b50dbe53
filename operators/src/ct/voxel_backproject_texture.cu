// Voxel-driven back-projection with the texture units' interpolation (VoxelInterpolation::
// Texture, fbp.hpp): the projections are copied into a layered CUDA array (one layer per view,
// up to the device's layer limit per pass) whose texture fetches interpolate bilinearly and give
// 0 outside the detector (border addressing), as the exact path's interp_row does. The voxel's
// detector position and weight are the exact path's (voxel_sample.hpp).
#include <algorithm>
#include <type_traits>

#include "recon/kernels/memory_budget.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "voxel_backproject.hpp"
#include "voxel_sample.hpp"

#if defined(__CUDACC__)
#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon::ct::detail {

#if defined(__CUDACC__)

// vol = weight * sum over views [view0, view0 + views) (add: vol += that) of the voxel's samples.
template <VoxelBeam B, bool Planar>
struct TextureGather {
  VoxelGeometry<float> p;
  DetectorMap<float> m;
  const float* trig;
  cudaTextureObject_t texture;
  index_t view0, views;
  float weight;
  float* vol;
  bool add;
  RECON_HD void operator()(index_t z, index_t y, index_t x) const {
#if defined(__CUDA_ARCH__)
    const float X = p.ox + (static_cast<float>(x) - 0.5f * static_cast<float>(p.nx - 1)) * p.vx;
    const float Y = p.oy + (static_cast<float>(y) - 0.5f * static_cast<float>(p.ny - 1)) * p.vy;
    const float Z = p.oz + (static_cast<float>(z) - 0.5f * static_cast<float>(p.nz - 1)) * p.vz;
    float acc = 0;
    for (index_t v = 0; v < views; ++v) {
      const float c = trig[2 * (view0 + v)], s = trig[2 * (view0 + v) + 1];
      const DetectorSample<float> d = detector_sample<B, Planar>(p, m, X, Y, Z, c, s);
      // Texel k is centred at k + 0.5.
      acc +=
          d.w * tex2DLayered<float>(texture, d.col + 0.5f, Planar ? 0.5f : d.row + 0.5f, static_cast<int>(v));
    }
    const index_t i = (z * p.ny + y) * p.nx + x;
    vol[i] = add ? vol[i] + weight * acc : weight * acc;
#else
    (void)z, (void)y, (void)x;  // launched on Cuda contexts only
#endif
  }
};

// A layered CUDA array of `layers` views and its texture object, released on the way out.
class ViewTexture {
 public:
  ViewTexture(index_t rows, index_t cols, index_t layers) {
    const cudaChannelFormatDesc format = cudaCreateChannelDesc<float>();
    RECON_CUDA_CHECK(cudaMalloc3DArray(
        &array_, &format,
        make_cudaExtent(static_cast<size_t>(cols), static_cast<size_t>(rows), static_cast<size_t>(layers)),
        cudaArrayLayered));
    cudaResourceDesc resource{};
    resource.resType = cudaResourceTypeArray;
    resource.res.array.array = array_;
    cudaTextureDesc desc{};
    for (int a = 0; a < 3; ++a) desc.addressMode[a] = cudaAddressModeBorder;  // 0 outside the detector
    desc.filterMode = cudaFilterModeLinear;
    desc.readMode = cudaReadModeElementType;
    desc.normalizedCoords = 0;
    const cudaError_t made = cudaCreateTextureObject(&texture_, &resource, &desc, nullptr);
    if (made != cudaSuccess) cudaFreeArray(array_);
    RECON_CUDA_CHECK(made);
  }
  ~ViewTexture() {
    cudaDestroyTextureObject(texture_);
    cudaFreeArray(array_);
  }
  ViewTexture(const ViewTexture&) = delete;
  ViewTexture& operator=(const ViewTexture&) = delete;

  // Layers [0, layers) = the views (rows, cols) at q, on ctx's stream.
  void load(const Context& ctx, const float* q, index_t rows, index_t cols, index_t layers) const {
    cudaMemcpy3DParms copy{};
    copy.srcPtr = make_cudaPitchedPtr(const_cast<float*>(q), static_cast<size_t>(cols) * sizeof(float),
                                      static_cast<size_t>(cols), static_cast<size_t>(rows));
    copy.dstArray = array_;
    copy.extent =
        make_cudaExtent(static_cast<size_t>(cols), static_cast<size_t>(rows), static_cast<size_t>(layers));
    copy.kind = cudaMemcpyDeviceToDevice;
    RECON_CUDA_CHECK(cudaMemcpy3DAsync(&copy, static_cast<cudaStream_t>(ctx.stream())));
  }
  cudaTextureObject_t texture() const { return texture_; }

 private:
  cudaArray_t array_ = nullptr;
  cudaTextureObject_t texture_ = 0;
};

template <VoxelBeam B, bool Planar>
void texture_passes(const Context& ctx, const VoxelGeometry<float>& p, const float* trig, const float* q,
                    float weight, float* vol, index_t layers) {
  const ViewTexture views(p.rows, p.cols, layers);
  const DetectorMap<float> m = detector_map(p);
  for (index_t v0 = 0; v0 < p.views; v0 += layers) {
    const index_t n = std::min(layers, p.views - v0);
    views.load(ctx, q + v0 * p.rows * p.cols, p.rows, p.cols, n);
    parallel_for(ctx, Extent3{p.nz, p.ny, p.nx},
                 TextureGather<B, Planar>{p, m, trig, views.texture(), v0, n, weight, vol, v0 > 0}, n);
  }
  ctx.synchronize();  // the array goes only after the last pass has read it
}

template <VoxelBeam B>
void texture_layout(const Context& ctx, const VoxelGeometry<float>& p, const float* trig, const float* q,
                    float weight, float* vol, index_t layers) {
  if (p.planar)
    texture_passes<B, true>(ctx, p, trig, q, weight, vol, layers);
  else
    texture_passes<B, false>(ctx, p, trig, q, weight, vol, layers);
}

// Views per pass: the device's layer limit, and what its free memory holds (a copy of them).
index_t texture_layers(const Context& ctx, const VoxelGeometry<float>& p) {
  int width = 0, height = 0, layers = 0;
  RECON_CUDA_CHECK(cudaDeviceGetAttribute(&width, cudaDevAttrMaxTexture2DLayeredWidth, ctx.ordinal()));
  RECON_CUDA_CHECK(cudaDeviceGetAttribute(&height, cudaDevAttrMaxTexture2DLayeredHeight, ctx.ordinal()));
  RECON_CUDA_CHECK(cudaDeviceGetAttribute(&layers, cudaDevAttrMaxTexture2DLayeredLayers, ctx.ordinal()));
  if (p.cols > width || p.rows > height) return 0;
  const double view_bytes = static_cast<double>(p.rows * p.cols) * sizeof(float);
  const index_t fit = static_cast<index_t>(0.5 * static_cast<double>(available_bytes(ctx)) / view_bytes);
  return std::min<index_t>({fit, layers, p.views});
}

#endif

template <class T>
bool backproject_voxels_texture(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                                T weight, T* vol) {
#if defined(__CUDACC__)
  if constexpr (std::is_same_v<T, float>) {
    if (!ctx.is_cuda()) return false;
    const index_t layers = texture_layers(ctx, p);
    if (layers < 1) return false;  // too wide a detector, or no room: the exact path
    if (!p.divergent)
      texture_layout<VoxelBeam::Parallel>(ctx, p, trig, q, weight, vol, layers);
    else if (p.weighting == VoxelWeight::FbpDistance)
      texture_layout<VoxelBeam::DivergentFbp>(ctx, p, trig, q, weight, vol, layers);
    else
      texture_layout<VoxelBeam::DivergentDensity>(ctx, p, trig, q, weight, vol, layers);
    return true;
  }
#endif
  (void)ctx, (void)p, (void)trig, (void)q, (void)weight, (void)vol;
  return false;
}

template bool backproject_voxels_texture<float>(const Context&, const VoxelGeometry<float>&, const float*,
                                                const float*, float, float*);
template bool backproject_voxels_texture<double>(const Context&, const VoxelGeometry<double>&, const double*,
                                                 const double*, double, double*);

}  // namespace recon::ct::detail
