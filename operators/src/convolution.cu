// Convolution kernels (formulas in convolution.hpp): circular by FFT with a stored kernel
// spectrum, direct stencils with an explicit adjoint.
#include "recon/operators/convolution.hpp"

#include <string>

#include "fft.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon {

namespace detail {

// x_l = sum_j h_j sum over the mirror images p of l of y_{p - c + j} (in range).
template <class T>
struct StencilAdjoint {
  const T* h;
  const T* y;
  StencilGeometry g;
  // Candidate t (0..2) of the positions whose source is l: l itself, then its two mirrors.
  RECON_HD index_t image(index_t l, index_t n, int t) const {
    return t == 0 ? l : t == 1 ? -1 - l : 2 * n - 1 - l;
  }
  RECON_HD T operator()(index_t e) const {
    const index_t l[3] = {e / (g.n[1] * g.n[2]), (e / g.n[2]) % g.n[1], e % g.n[2]};
    const int images = g.neumann ? 3 : 1;
    T acc = T(0);
    for (int t0 = 0; t0 < images; ++t0)
      for (int t1 = 0; t1 < images; ++t1)
        for (int t2 = 0; t2 < images; ++t2) {
          const index_t p[3] = {image(l[0], g.n[0], t0), image(l[1], g.n[1], t1), image(l[2], g.n[2], t2)};
          for (index_t j0 = 0; j0 < g.k[0]; ++j0) {
            const index_t i0 = p[0] - g.c[0] + j0;
            if (i0 < 0 || i0 >= g.n[0]) continue;
            for (index_t j1 = 0; j1 < g.k[1]; ++j1) {
              const index_t i1 = p[1] - g.c[1] + j1;
              if (i1 < 0 || i1 >= g.n[1]) continue;
              for (index_t j2 = 0; j2 < g.k[2]; ++j2) {
                const index_t i2 = p[2] - g.c[2] + j2;
                if (i2 < 0 || i2 >= g.n[2]) continue;
                acc += h[(j0 * g.k[1] + j1) * g.k[2] + j2] * y[(i0 * g.n[1] + i1) * g.n[2] + i2];
              }
            }
          }
        }
    return acc;
  }
};

template <class T>
void stencil_apply(const Context& ctx, StencilEval<T> eval, index_t n, T* y) {
  parallel_for(ctx, n, [=] RECON_HD(index_t e) { y[e] = eval(e); });
}

template <class T>
void stencil_adjoint(const Context& ctx, StencilAdjoint<T> adj, index_t n, T* x) {
  parallel_for(ctx, n, [=] RECON_HD(index_t e) { x[e] = adj(e); });
}

// s_k *= G_k (or conj(G_k)) * scale, interleaved complex.
template <class T>
void spectrum_multiply(const Context& ctx, index_t bins, const T* G, bool conjugate, T scale, T* s) {
  parallel_for(ctx, bins, [=] RECON_HD(index_t k) {
    const T gr = G[2 * k], gi = conjugate ? -G[2 * k + 1] : G[2 * k + 1];
    const T sr = s[2 * k], si = s[2 * k + 1];
    s[2 * k] = (sr * gr - si * gi) * scale;
    s[2 * k + 1] = (sr * gi + si * gr) * scale;
  });
}

}  // namespace detail

namespace {

StencilGeometry geometry(const Shape& domain, const Shape& kernel_shape, ConvolutionBoundary b) {
  if (domain.ndim() > 3 || kernel_shape.ndim() != domain.ndim())
    throw ShapeMismatch("Convolution: the kernel " + kernel_shape.str() +
                        " must have as many axes as the domain " + domain.str() + " (at most 3)");
  StencilGeometry g{{1, 1, 1}, {1, 1, 1}, {0, 0, 0}, b == ConvolutionBoundary::Neumann};
  const int pad = 3 - domain.ndim();
  for (int a = 0; a < domain.ndim(); ++a) {
    g.n[pad + a] = domain[a];
    g.k[pad + a] = kernel_shape[a];
    g.c[pad + a] = kernel_shape[a] / 2;
    require(kernel_shape[a] >= 1, "Convolution", "the kernel " + kernel_shape.str() + " is empty");
    if (g.neumann && (g.c[pad + a] > domain[a] || kernel_shape[a] - 1 - g.c[pad + a] > domain[a]))
      throw InvalidArgument("Convolution: a Neumann kernel reaches at most n along each axis; kernel " +
                            kernel_shape.str() + " on domain " + domain.str());
  }
  return g;
}

// The kernel embedded on the domain at offsets (j - c) mod n (wrapping when larger).
template <class T>
std::vector<T> embedded(const StencilGeometry& g, const std::vector<T>& h) {
  std::vector<T> out(static_cast<std::size_t>(g.n[0] * g.n[1] * g.n[2]), T(0));
  auto wrap = [](index_t v, index_t n) { return ((v % n) + n) % n; };
  for (index_t j0 = 0; j0 < g.k[0]; ++j0)
    for (index_t j1 = 0; j1 < g.k[1]; ++j1)
      for (index_t j2 = 0; j2 < g.k[2]; ++j2) {
        const index_t d = (wrap(j0 - g.c[0], g.n[0]) * g.n[1] + wrap(j1 - g.c[1], g.n[1])) * g.n[2] +
                          wrap(j2 - g.c[2], g.n[2]);
        out[static_cast<std::size_t>(d)] += h[static_cast<std::size_t>((j0 * g.k[1] + j1) * g.k[2] + j2)];
      }
  return out;
}

template <class T>
Array<T> prepared_kernel(const Context& ctx, const Shape& domain, const Shape& kernel_shape,
                         const std::vector<T>& h, ConvolutionBoundary b) {
  const StencilGeometry g = geometry(domain, kernel_shape, b);
  if (static_cast<index_t>(h.size()) != kernel_shape.size())
    throw ShapeMismatch("Convolution: " + std::to_string(h.size()) + " kernel values for the kernel shape " +
                        kernel_shape.str());
  if (b != ConvolutionBoundary::Circular) return Array<T>::from_host(ctx, kernel_shape, h);
  const auto f = detail::fft_shape(domain, domain.ndim(), "Convolution");
  const auto g_dev = Array<T>::from_host(ctx, domain, embedded(g, h));
  Array<T> spectrum(ctx, Shape{f.half_size(), 2});
  detail::fft_r2c<T>(ctx, f, g_dev.data(), spectrum.data());
  ctx.synchronize();  // g_dev is freed on return
  return spectrum;
}

}  // namespace

template <class T>
ConvolutionOperator<T>::ConvolutionOperator(const Context& ctx, const Shape& domain,
                                            const Shape& kernel_shape, const std::vector<T>& kernel,
                                            ConvolutionBoundary boundary)
    : LinearOperator<T>("Convolution", domain, domain),
      boundary_(boundary),
      geometry_(geometry(domain, kernel_shape, boundary)),
      kernel_(prepared_kernel(ctx, domain, kernel_shape, kernel, boundary)) {}

template <class T>
StencilEval<T> ConvolutionOperator<T>::evaluator(const T* x) const {
  require(boundary_ != ConvolutionBoundary::Circular, "Convolution::evaluator",
          "circular convolution runs by FFT and has no per-element evaluator");
  return {kernel_.data(), x, geometry_};
}

template <class T>
void ConvolutionOperator<T>::circular(const Context& ctx, const T* in, T* out, bool conjugate) const {
  const auto f = detail::fft_shape(this->domain(), this->domain().ndim(), "Convolution");
  View<T> s = this->scratch(ctx, 1, kernel_.shape());
  detail::fft_r2c<T>(ctx, f, in, s.data());
  detail::spectrum_multiply(ctx, f.half_size(), kernel_.data(), conjugate,
                            static_cast<T>(1.0 / static_cast<double>(f.real_size())), s.data());
  detail::fft_c2r<T>(ctx, f, s.data(), out);
}

template <class T>
void ConvolutionOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  detail::check_data_device(ctx, this->name(), kernel_.device());
  if (boundary_ == ConvolutionBoundary::Circular) return circular(ctx, x.data(), y.data(), false);
  detail::stencil_apply(ctx, evaluator(x.data()), x.size(), y.data());
}

template <class T>
void ConvolutionOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  detail::check_data_device(ctx, this->name(), kernel_.device());
  if (boundary_ == ConvolutionBoundary::Circular) return circular(ctx, y.data(), x.data(), true);
  detail::stencil_adjoint(ctx, detail::StencilAdjoint<T>{kernel_.data(), y.data(), geometry_}, y.size(),
                          x.data());
}

template <class T>
Operator<T> convolution(const Context& ctx, const Shape& domain, const Shape& kernel_shape,
                        const std::vector<T>& kernel, ConvolutionBoundary boundary) {
  return Operator<T>(std::make_shared<ConvolutionOperator<T>>(ctx, domain, kernel_shape, kernel, boundary));
}

template class ConvolutionOperator<float>;
template class ConvolutionOperator<double>;
template Operator<float> convolution<float>(const Context&, const Shape&, const Shape&,
                                            const std::vector<float>&, ConvolutionBoundary);
template Operator<double> convolution<double>(const Context&, const Shape&, const Shape&,
                                              const std::vector<double>&, ConvolutionBoundary);

}  // namespace recon
