// Quality metrics on the device (metrics.hpp). SSIM filters the five moment images
// (x, y, x^2, y^2, xy) with the separable 11-tap Gaussian, one axis per pass, in double, and
// reduces the SSIM map over the interior with transform_sum.
#include "recon/engine/metrics.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/reduce.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace {

constexpr int kRadius = 5;  // int(3.5 * 1.5 + 0.5), scipy.ndimage.gaussian_filter's truncation
constexpr int kChannels = 5;

struct Gauss11 {
  double w[2 * kRadius + 1];
};

Gauss11 gaussian_window() {
  Gauss11 g{};
  double s = 0;
  for (int k = -kRadius; k <= kRadius; ++k) s += g.w[k + kRadius] = std::exp(-0.5 * k * k / (1.5 * 1.5));
  for (double& w : g.w) w /= s;
  return g;
}

// Extents, x fastest; nz = 1 for 2D.
struct Dims {
  index_t nz, ny, nx;
  bool volume;
  index_t size() const { return nz * ny * nx; }
};

// scipy's 'reflect' boundary (d c b a | a b c d | d c b a); valid while n >= kRadius.
RECON_HD inline index_t reflect(index_t j, index_t n) {
  return j < 0 ? -j - 1 : (j >= n ? 2 * n - j - 1 : j);
}

template <class T>
void check_pair(const Context& ctx, const char* where, View<const T> a, View<const T> b) {
  detail::check_operand(ctx, where, "reference", a, a.size());
  detail::check_operand(ctx, where, "test", b, a.size());
  if (a.shape() != b.shape())
    throw ShapeMismatch(std::string(where) + ": reference has shape " + a.shape().str() + ", test " +
                        b.shape().str());
  require(a.size() > 0, where, "empty images");
}

Dims ssim_dims(const char* where, const Shape& s, index_t min_extent) {
  require(s.ndim() == 2 || s.ndim() == 3, where, "needs a 2D image or 3D volume, got shape " + s.str());
  for (int a = 0; a < s.ndim(); ++a)
    require(s[a] >= min_extent, where,
            "every extent must be at least " + std::to_string(min_extent) + ", got shape " + s.str());
  return {s.back(2), s.back(1), s.back(0), s.ndim() == 3};
}

// First pass along x: moments of (a, b) filtered into m (channel-major, 5 x N).
template <class T>
void filter_moments_x(const Context& ctx, const T* a, const T* b, double* m, Dims d, Gauss11 g) {
  const index_t n = d.size(), nx = d.nx;
  parallel_for(ctx, n, [=] RECON_HD(index_t i) {
    const index_t x = i % nx;
    double s[kChannels] = {0, 0, 0, 0, 0};
    for (int k = -kRadius; k <= kRadius; ++k) {
      const index_t j = i + reflect(x + k, nx) - x;
      const double u = static_cast<double>(a[j]), v = static_cast<double>(b[j]), w = g.w[k + kRadius];
      s[0] += w * u;
      s[1] += w * v;
      s[2] += w * u * u;
      s[3] += w * v * v;
      s[4] += w * u * v;
    }
    for (int c = 0; c < kChannels; ++c) m[c * n + i] = s[c];
  });
}

// Later passes: filter every channel of `in` along an axis with the given extent and stride.
void filter_moments_axis(const Context& ctx, const double* in, double* out, Dims d, index_t extent,
                         index_t stride, Gauss11 g) {
  const index_t n = d.size();
  parallel_for(ctx, n, [=] RECON_HD(index_t i) {
    const index_t c0 = (i / stride) % extent;
    for (int c = 0; c < kChannels; ++c) {
      double s = 0;
      for (int k = -kRadius; k <= kRadius; ++k)
        s += g.w[k + kRadius] * in[c * n + i + (reflect(c0 + k, extent) - c0) * stride];
      out[c * n + i] = s;
    }
  });
}

struct SsimMeans {
  double ssim, cs;
};

// Mean SSIM and mean contrast-structure term over the interior, from the filtered moments.
SsimMeans interior_means(const Context& ctx, const double* m, Dims d, double data_range) {
  const double c1 = (0.01 * data_range) * (0.01 * data_range), c2 = (0.03 * data_range) * (0.03 * data_range);
  const index_t n = d.size();
  const index_t pz = d.volume ? kRadius : 0;
  const index_t iz = d.nz - 2 * pz, iy = d.ny - 2 * kRadius, ix = d.nx - 2 * kRadius;
  const index_t ny = d.ny, nx = d.nx, count = iz * iy * ix;
  const auto full_index = [=] RECON_HD(index_t k) {
    const index_t x = k % ix + kRadius, y = (k / ix) % iy + kRadius, z = k / (ix * iy) + pz;
    return (z * ny + y) * nx + x;
  };
  const double ssim_sum = transform_sum(ctx, count, [=] RECON_HD(index_t k) {
    const index_t i = full_index(k);
    const double ux = m[i], uy = m[n + i];
    const double vx = m[2 * n + i] - ux * ux, vy = m[3 * n + i] - uy * uy, vxy = m[4 * n + i] - ux * uy;
    return ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
  });
  const double cs_sum = transform_sum(ctx, count, [=] RECON_HD(index_t k) {
    const index_t i = full_index(k);
    const double ux = m[i], uy = m[n + i];
    const double vx = m[2 * n + i] - ux * ux, vy = m[3 * n + i] - uy * uy, vxy = m[4 * n + i] - ux * uy;
    return (2 * vxy + c2) / (vx + vy + c2);
  });
  return {ssim_sum / count, cs_sum / count};
}

template <class T>
SsimMeans ssim_means(const Context& ctx, const T* a, const T* b, Dims d, double data_range) {
  const Gauss11 g = gaussian_window();
  Array<double> m0(ctx, Shape{kChannels * d.size()}), m1(ctx, Shape{kChannels * d.size()});
  filter_moments_x(ctx, a, b, m0.data(), d, g);
  filter_moments_axis(ctx, m0.data(), m1.data(), d, d.ny, d.nx, g);
  const double* result = m1.data();
  if (d.volume) {
    filter_moments_axis(ctx, m1.data(), m0.data(), d, d.nz, d.ny * d.nx, g);
    result = m0.data();
  }
  return interior_means(ctx, result, d, data_range);
}

// Block means over 2x2 (2x2x2 for volumes); odd trailing samples are dropped.
template <class T>
Array<double> downsample(const Context& ctx, const T* in, Dims d, Dims& out_dims) {
  out_dims = {d.volume ? d.nz / 2 : 1, d.ny / 2, d.nx / 2, d.volume};
  Array<double> out(ctx, Shape{out_dims.size()});
  double* o = out.data();
  const index_t ny = d.ny, nx = d.nx, oy = out_dims.ny, ox = out_dims.nx;
  const bool volume = d.volume;
  parallel_for(ctx, out_dims.size(), [=] RECON_HD(index_t i) {
    const index_t x = i % ox, y = (i / ox) % oy, z = i / (ox * oy);
    const int dz = volume ? 2 : 1;
    double s = 0;
    for (int c = 0; c < dz; ++c)
      for (int r = 0; r < 2; ++r)
        for (int q = 0; q < 2; ++q)
          s += static_cast<double>(in[((dz * z + c) * ny + 2 * y + r) * nx + 2 * x + q]);
    o[i] = s / (4 * dz);
  });
  return out;
}

void require_range(const char* where, double data_range) {
  require(data_range > 0 && std::isfinite(data_range), where,
          "data range must be positive and finite, got " + std::to_string(data_range));
}

}  // namespace

template <class T>
double mse(const Context& ctx, View<const T> reference, View<const T> test) {
  check_pair(ctx, "mse", reference, test);
  const T* a = reference.data();
  const T* b = test.data();
  const double s = transform_sum(ctx, reference.size(), [=] RECON_HD(index_t i) {
    const double e = static_cast<double>(b[i]) - static_cast<double>(a[i]);
    return e * e;
  });
  return s / static_cast<double>(reference.size());
}

template <class T>
double rmse(const Context& ctx, View<const T> reference, View<const T> test) {
  return std::sqrt(mse(ctx, reference, test));
}

template <class T>
double mae(const Context& ctx, View<const T> reference, View<const T> test) {
  check_pair(ctx, "mae", reference, test);
  const T* a = reference.data();
  const T* b = test.data();
  const double s = transform_sum(ctx, reference.size(), [=] RECON_HD(index_t i) {
    return fabs(static_cast<double>(b[i]) - static_cast<double>(a[i]));
  });
  return s / static_cast<double>(reference.size());
}

template <class T>
double psnr(const Context& ctx, View<const T> reference, View<const T> test, double data_range) {
  require_range("psnr", data_range);
  const double e = mse(ctx, reference, test);
  return e == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(data_range * data_range / e);
}

template <class T>
double ssim(const Context& ctx, View<const T> reference, View<const T> test, double data_range) {
  check_pair(ctx, "ssim", reference, test);
  require_range("ssim", data_range);
  const Dims d = ssim_dims("ssim", reference.shape(), 2 * kRadius + 1);
  return ssim_means(ctx, reference.data(), test.data(), d, data_range).ssim;
}

template <class T>
double ms_ssim(const Context& ctx, View<const T> reference, View<const T> test, double data_range) {
  check_pair(ctx, "ms_ssim", reference, test);
  require_range("ms_ssim", data_range);
  Dims d = ssim_dims("ms_ssim", reference.shape(), kMsSsimMinExtent);
  const double weights[5] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
  double result = 1;
  Array<double> a, b;  // the current scale, once downsampled
  for (int level = 0; level < 5; ++level) {
    const SsimMeans s = level == 0 ? ssim_means(ctx, reference.data(), test.data(), d, data_range)
                                   : ssim_means(ctx, a.data(), b.data(), d, data_range);
    if (level == 4) {
      result *= std::pow(std::max(s.ssim, 0.0), weights[level]);
      break;
    }
    result *= std::pow(std::max(s.cs, 0.0), weights[level]);
    Dims next{};
    Array<double> na =
        level == 0 ? downsample(ctx, reference.data(), d, next) : downsample(ctx, a.data(), d, next);
    Array<double> nb =
        level == 0 ? downsample(ctx, test.data(), d, next) : downsample(ctx, b.data(), d, next);
    ctx.synchronize();  // the previous scale is freed on assignment
    a = std::move(na);
    b = std::move(nb);
    d = next;
  }
  return result;
}

template <class T>
double support_f1(const Context& ctx, View<const T> truth, View<const T> estimate, double threshold) {
  check_pair(ctx, "support_f1", truth, estimate);
  require(threshold >= 0, "support_f1", "threshold must be >= 0, got " + std::to_string(threshold));
  const T* t = truth.data();
  const T* e = estimate.data();
  const index_t n = truth.size();
  const double tp = transform_sum(ctx, n, [=] RECON_HD(index_t i) {
    return (fabs(static_cast<double>(t[i])) > threshold && fabs(static_cast<double>(e[i])) > threshold) ? 1.0
                                                                                                        : 0.0;
  });
  const double in_truth = transform_sum(
      ctx, n, [=] RECON_HD(index_t i) { return fabs(static_cast<double>(t[i])) > threshold ? 1.0 : 0.0; });
  const double in_estimate = transform_sum(
      ctx, n, [=] RECON_HD(index_t i) { return fabs(static_cast<double>(e[i])) > threshold ? 1.0 : 0.0; });
  const double denom = in_truth + in_estimate;  // = 2 TP + FP + FN
  return denom == 0 ? 1.0 : 2 * tp / denom;
}

#define RECON_INSTANTIATE(T)                                                        \
  template double mse<T>(const Context&, View<const T>, View<const T>);             \
  template double rmse<T>(const Context&, View<const T>, View<const T>);            \
  template double mae<T>(const Context&, View<const T>, View<const T>);             \
  template double psnr<T>(const Context&, View<const T>, View<const T>, double);    \
  template double ssim<T>(const Context&, View<const T>, View<const T>, double);    \
  template double ms_ssim<T>(const Context&, View<const T>, View<const T>, double); \
  template double support_f1<T>(const Context&, View<const T>, View<const T>, double);
RECON_INSTANTIATE(float)
RECON_INSTANTIATE(double)
#undef RECON_INSTANTIATE

}  // namespace recon
