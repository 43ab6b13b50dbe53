// The per-element kernels of every TV solver, fused so that each pass reads and writes
// each array once: D and D^T are evaluated on the fly from the forward-difference
// evaluators (no gradient array is materialised), and prox/update/residual work happens in
// the same pass. The per-iteration passes run through stencil_pass (difference_stencil.hpp):
// on the device the coordinate along each axis comes from the launch (recovering it from the
// flat index cost two integer divisions per component and pass), on the host the rows' interior
// runs are SIMD loops without boundary tests. The reductions of the check iterations keep the
// flat index.
// Only included by the solvers' .cu files.
#pragma once

#include <cmath>
#include <type_traits>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/kernels/reduce.hpp"
#include "recon/operators/difference_stencil.hpp"

namespace recon::tv {

// The geometry of D (k components over `size` pixels, range element c*size + i).
template <class T>
using Grad = GradientGeometry<T>;

// Calls body(i, coord) for every pixel i, coord = {z, y, x}, one pixel at a time (the L-BFGS
// passes; the others run through stencil_pass). A functor, not a lambda around the body:
// nvcc rejects extended lambdas inside lambdas.
template <class F>
struct PixelBody {
  F body;
  index_t ny, nx;
  RECON_HD void operator()(index_t z, index_t y, index_t x) const {
    const index_t coord[3] = {z, y, x};
    body((z * ny + y) * nx + x, coord);
  }
};

template <class T, class F>
void for_each_pixel(const Context& ctx, const Grad<T>& g, F body) {
  parallel_for(ctx, g.extent, PixelBody<F>{body, g.extent.ny, g.extent.nx});
}

// Scale factor of the group prox: prox_{t phi}(|v|)/|v| (0 at v = 0), MATH.md 1.2.
template <class T, class F>
RECON_HD T group_shrink(const F& f, T norm, T t) {
  return norm > T(0) ? f.prox(norm, t) / norm : T(0);
}

// z = prox_{t phi}(D x + w); w = D x + w - z. The scaled-ADMM z- and dual update in one pass.
template <class T, class F>
void admm_z_update(const Context& ctx, const Grad<T>& g, bool iso, const F& f, T t, const T* x, T* z, T* w) {
  const index_t n = g.size;
  if (iso) {
    stencil_pass(ctx, g, [=] RECON_HD(index_t i, const PixelStencil<T>& at) {
      T v[3];
      T nn = T(0);
      for (int c = 0; c < at.k; ++c) {
        v[c] = at.d(x, c) + w[c * n + i];
        nn += v[c] * v[c];
      }
      const T s = group_shrink(f, std::sqrt(nn), t);
      for (int c = 0; c < at.k; ++c) {
        z[c * n + i] = s * v[c];
        w[c * n + i] = v[c] - s * v[c];
      }
    });
  } else {
    stencil_pass(ctx, g, [=] RECON_HD(index_t i, const PixelStencil<T>& at) {
      for (int c = 0; c < at.k; ++c) {
        const index_t r = c * n + i;
        const T v = at.d(x, c) + w[r];
        const T zn = f.prox(v, t);
        z[r] = zn;
        w[r] = v - zn;
      }
    });
  }
}

// out = a*u + D^T y1 - D^T y2 (y1 or y2 may be null): the right-hand sides of the x-updates,
// and the primal point u - D^T p of a dual iterate.
template <class T>
void combine_adjoint(const Context& ctx, const Grad<T>& g, T a, const T* u, const T* y1, const T* y2,
                     T* out) {
  stencil_pass(ctx, g, [=] RECON_HD(index_t i, const PixelStencil<T>& at) {
    out[i] = a * u[i] + (y1 ? at.dt(y1) : T(0)) - (y2 ? at.dt(y2) : T(0));
  });
}

// The PDHG / dual-FISTA dual step at one pixel: p = prox_{s g*}(p + s D xbar) = v - s
// prox_{(lambda/s) phi}(v/s) by Moreau's identity, v = p + s D xbar. When `from` is not p,
// v = from + s D xbar instead and the result goes to p (FISTA's extrapolated point). For l1, g*
// is the indicator of the lambda-ball and the step its projection, written as selects: the
// generic prox's data-dependent branches made this pass 77% of a host PDHG iteration. Per pixel:
// xbar read, k components of from read and of p written (4 (2k + 1) bytes in float; p = from in
// PDHG, so the written lines are already cached). Isotropic (`Iso`): the prox of phi(|.|) over
// the k components.
template <class T, class F, bool Iso>
struct DualProxBody {
  F f;
  T lambda, s, t;
  index_t n;
  const T* xbar;
  const T* from;
  T* p;
  static constexpr bool ball = std::is_same_v<F, penalties::L1>;
  RECON_HD void operator()(index_t i, const PixelStencil<T>& at) const {
    if constexpr (Iso) {
      T v[3];
      T nn = T(0);
      for (int c = 0; c < at.k; ++c) {
        v[c] = from[c * n + i] + s * at.d(xbar, c);
        nn += v[c] * v[c];
      }
      const T norm = std::sqrt(nn);
      T keep;  // p = keep * v
      if constexpr (ball) {
        const T outer = norm > lambda ? norm : lambda;
        keep = outer > T(0) ? lambda / outer : T(0);
      } else {
        keep = T(1) - group_shrink(f, norm / s, t);  // prox of phi(|.|) at v/s, as a factor
      }
      for (int c = 0; c < at.k; ++c) p[c * n + i] = keep * v[c];
    } else {
      for (int c = 0; c < at.k; ++c) {
        const index_t r = c * n + i;
        const T v = from[r] + s * at.d(xbar, c);
        if constexpr (ball)
          p[r] = v > lambda ? lambda : (v < -lambda ? -lambda : v);
        else
          p[r] = v - s * f.prox(v / s, t);
      }
    }
  }
};

template <class T, class F, bool Iso>
DualProxBody<T, F, Iso> dual_prox_body(const Grad<T>& g, const F& f, T lambda, T s, const T* xbar,
                                       const T* from, T* p) {
  return {f, lambda, s, lambda / s, g.size, xbar, from, p};
}

template <class T, class F>
void dual_prox_step(const Context& ctx, const Grad<T>& g, bool iso, const F& f, T lambda, T s, const T* xbar,
                    const T* from, T* p) {
  if (iso)
    stencil_pass(ctx, g, dual_prox_body<T, F, true>(g, f, lambda, s, xbar, from, p));
  else
    stencil_pass(ctx, g, dual_prox_body<T, F, false>(g, f, lambda, s, xbar, from, p));
}

// The linearised ADMM x-step's passes: s = D x2 - z + w over the range, then
// x1 -= eta (rho D^T s + c (x2 - b)) and x = (1 - alpha) x + alpha x1 (x1 and x2 may alias x:
// each pixel reads its own x2, x1, x before writing them).
template <class T>
void shifted_residual(const Context& ctx, const Grad<T>& g, const T* x2, const T* z, const T* w, T* s) {
  const index_t n = g.size;
  stencil_pass(ctx, g, [=] RECON_HD(index_t i, const PixelStencil<T>& at) {
    for (int c = 0; c < at.k; ++c) {
      const index_t r = c * n + i;
      s[r] = at.d(x2, c) - z[r] + w[r];
    }
  });
}

template <class T>
void gradient_step(const Context& ctx, const Grad<T>& g, T eta, T rho, T alpha, T c, const T* b, const T* s,
                   const T* x2, T* x1, T* x) {
  stencil_pass(ctx, g, [=] RECON_HD(index_t i, const PixelStencil<T>& at) {
    const T x1n = x1[i] - eta * (rho * at.dt(s) + c * (x2[i] - b[i]));
    const T xi = x[i];
    x1[i] = x1n;
    x[i] = (1 - alpha) * xi + alpha * x1n;
  });
}

// PDHG's primal step for G = c/2 ||x - b||^2 at one pixel: x' = (x - tau D^T p + tau c b) /
// (1 + tau c), xbar = x' + theta (x' - x). Per pixel: k components of p, b and x read, x and
// xbar written: 4 (k + 4) bytes in float.
template <class T>
struct PrimalBody {
  T tau, theta, tc, inv;
  const T* b;
  const T* p;
  T* x;
  T* xbar;
  RECON_HD void operator()(index_t i, const PixelStencil<T>& at) const {
    const T xn = (x[i] - tau * at.dt(p) + tc * b[i]) * inv;
    xbar[i] = xn + theta * (xn - x[i]);
    x[i] = xn;
  }
};

template <class T>
PrimalBody<T> primal_body(T tau, T theta, T c, const T* b, const T* p, T* x, T* xbar) {
  return {tau, theta, tau * c, T(1) / (1 + tau * c), b, p, x, xbar};
}

// One PDHG iteration with G = c/2 ||x - b||^2: the dual step, then the primal step. On the
// host one sweep over the rows (stencil_pass_pair): each row's dual step, then its primal step
// while p's rows are in cache, so a 2D iteration moves 4 (2k + 5) = 36 bytes per pixel in float
// (xbar, p, x, b read; p, x, xbar written) instead of the two passes' 4 (3k + 5) = 44; this is
// the memory-traffic limit bench/bench_tv.cu counts. On the device, the two passes.
template <class T, class F>
void pdhg_iteration(const Context& ctx, const Grad<T>& g, bool iso, const F& f, T lambda, T sigma, T tau,
                    T theta, T c, const T* b, T* p, T* x, T* xbar) {
  const PrimalBody<T> primal = primal_body(tau, theta, c, b, p, x, xbar);
  if (iso)
    stencil_pass_pair(ctx, g, dual_prox_body<T, F, true>(g, f, lambda, sigma, xbar, p, p), primal);
  else
    stencil_pass_pair(ctx, g, dual_prox_body<T, F, false>(g, f, lambda, sigma, xbar, p, p), primal);
}

// sum (c (x - b) + D^T p)^2: PDHG's squared primal KKT residual.
template <class T>
double stationarity_sq(const Context& ctx, const Grad<T>& g, T c, const T* b, const T* p, const T* x) {
  return transform_sum(ctx, g.size, [=] RECON_HD(index_t i) {
    const double r = static_cast<double>(c) * (static_cast<double>(x[i]) - static_cast<double>(b[i])) +
                     static_cast<double>(g.dt(p, i));
    return r * r;
  });
}

// lambda * sum phi(D x): per component (anisotropic) or of the gradient magnitude (isotropic).
template <class T, class F>
double penalty_sum(const Context& ctx, const Grad<T>& g, bool iso, const F& f, const T* x) {
  if (iso)
    return transform_sum(ctx, g.size, [=] RECON_HD(index_t i) {
      double nn = 0;
      for (int c = 0; c < g.k; ++c) {
        const double d = g.d(x, c, i);
        nn += d * d;
      }
      return static_cast<double>(f.value(static_cast<T>(sqrt(nn))));
    });
  return transform_sum(ctx, g.size * g.k, [=] RECON_HD(index_t r) {
    const int c = static_cast<int>(r / g.size);
    return static_cast<double>(f.value(g.d(x, c, r - c * g.size)));
  });
}

// sum (D x - z)^2 over the range (z null: sum (D x)^2).
template <class T>
double residual_sq(const Context& ctx, const Grad<T>& g, const T* x, const T* z) {
  return transform_sum(ctx, g.size * g.k, [=] RECON_HD(index_t r) {
    const int c = static_cast<int>(r / g.size);
    const double d = static_cast<double>(g.d(x, c, r - c * g.size)) - (z ? static_cast<double>(z[r]) : 0.0);
    return d * d;
  });
}

// sum (D^T (y1 - y2))^2 over the pixels (y2 null: of D^T y1).
template <class T>
double adjoint_sq(const Context& ctx, const Grad<T>& g, const T* y1, const T* y2) {
  return transform_sum(ctx, g.size, [=] RECON_HD(index_t i) {
    const double d = static_cast<double>(g.dt(y1, i)) - (y2 ? static_cast<double>(g.dt(y2, i)) : 0.0);
    return d * d;
  });
}

}  // namespace recon::tv
