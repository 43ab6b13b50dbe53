// The per-element kernels of every TV solver, fused so that each pass reads and writes
// each array once: D and D^T are evaluated on the fly from the forward-difference
// evaluators (no gradient array is materialised), and prox/update/residual work happens in
// the same pass. The per-iteration passes run over the pixels as (z, y, x) (for_each_pixel),
// so the coordinate along each axis comes from the launch: recovering it from the flat index
// cost two integer divisions per component and pass, which dominated the host iteration
// (bench/skimage_tv.py). The reductions of the check iterations keep the flat index.
// Only included by the solvers' .cu files.
#pragma once

#include <cmath>
#include <type_traits>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/kernels/reduce.hpp"
#include "recon/operators/finite_difference.hpp"

namespace recon::tv {

// The geometry of D: k components over `size` pixels; range element c*size + i.
template <class T>
struct Grad {
  GradientEval<T> eval;  // eval.axis[c] describes the difference along component c
  int k = 1;
  index_t size = 0;

  // (D x)_c at pixel i.
  RECON_HD T d(const T* x, int c, index_t i) const {
    DifferenceEval<T> e = eval.axis[c];
    e.x = x;
    return e(i);
  }
  // (D^T y)(i) for y in the range.
  RECON_HD T dt(const T* y, index_t i) const {
    T s = T(0);
    for (int c = 0; c < k; ++c) {
      const DifferenceEval<T>& a = eval.axis[c];
      s += DifferenceAdjointEval<T>{y + c * size, a.n, a.inner, a.periodic}(i);
    }
    return s;
  }

  // The pixels as (z, y, x): the shape padded to 3 axes; component c differences along
  // padded axis axis3[c]. With coord = {z, y, x} of pixel i, d_at and dt_at are d and dt
  // without the divisions.
  Extent3 extent{1, 1, 1};
  int axis3[3] = {0, 0, 0};
  RECON_HD T d_at(const T* x, int c, index_t i, const index_t* coord) const {
    DifferenceEval<T> e = eval.axis[c];
    e.x = x;
    return e.at(i, coord[axis3[c]]);
  }
  RECON_HD T dt_at(const T* y, index_t i, const index_t* coord) const {
    T s = T(0);
    for (int c = 0; c < k; ++c) {
      const DifferenceEval<T>& a = eval.axis[c];
      s += DifferenceAdjointEval<T>{y + c * size, a.n, a.inner, a.periodic}.at(i, coord[axis3[c]]);
    }
    return s;
  }
};

// Calls body(i, coord) for every pixel i, coord = {z, y, x} (a functor, not a lambda around
// the body: nvcc rejects extended lambdas inside lambdas).
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
  if (iso) {
    for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
      T v[3];
      T nn = T(0);
      for (int c = 0; c < g.k; ++c) {
        v[c] = g.d_at(x, c, i, q) + w[c * g.size + i];
        nn += v[c] * v[c];
      }
      const T s = group_shrink(f, static_cast<T>(sqrt(nn)), t);
      for (int c = 0; c < g.k; ++c) {
        z[c * g.size + i] = s * v[c];
        w[c * g.size + i] = v[c] - s * v[c];
      }
    });
  } else {
    for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
      for (int c = 0; c < g.k; ++c) {
        const index_t r = c * g.size + i;
        const T v = g.d_at(x, c, i, q) + w[r];
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
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    out[i] = a * u[i] + (y1 ? g.dt_at(y1, i, q) : T(0)) - (y2 ? g.dt_at(y2, i, q) : T(0));
  });
}

// The PDHG / dual-FISTA dual step: p = prox_{s g*}(p + s D xbar) = v - s prox_{(lambda/s) phi}(v/s)
// by Moreau's identity, v = p + s D xbar. When `from` is given, v = from + s D xbar instead and
// the result goes to p (FISTA's extrapolated point). For l1, g* is the indicator of the
// lambda-ball and the step its projection, written as selects: the generic prox's
// data-dependent branches made this pass 77% of a host PDHG iteration.
template <class T, class F>
void dual_prox_step(const Context& ctx, const Grad<T>& g, bool iso, const F& f, T lambda, T s, const T* xbar,
                    const T* from, T* p) {
  // A plain `if` on the constant: nvcc's extended lambdas cannot first-capture variables inside
  // `if constexpr`, and both branches compile for every F.
  constexpr bool ball = std::is_same_v<F, penalties::L1>;
  const T t = lambda / s;
  if (iso) {
    for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
      T v[3];
      T nn = T(0);
      for (int c = 0; c < g.k; ++c) {
        v[c] = from[c * g.size + i] + s * g.d_at(xbar, c, i, q);
        nn += v[c] * v[c];
      }
      const T norm = static_cast<T>(sqrt(nn));
      T keep;  // p = keep * v
      if (ball) {
        const T outer = norm > lambda ? norm : lambda;
        keep = outer > T(0) ? lambda / outer : T(0);
      } else {
        keep = T(1) - group_shrink(f, norm / s, t);  // prox of phi(|.|) at v/s, as a factor
      }
      for (int c = 0; c < g.k; ++c) p[c * g.size + i] = keep * v[c];
    });
  } else {
    for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
      for (int c = 0; c < g.k; ++c) {
        const index_t r = c * g.size + i;
        const T v = from[r] + s * g.d_at(xbar, c, i, q);
        if (ball) {
          p[r] = v > lambda ? lambda : (v < -lambda ? -lambda : v);
        } else {
          p[r] = v - s * f.prox(v / s, t);
        }
      }
    });
  }
}

// The linearised ADMM x-step's passes: s = D x2 - z + w over the range, then
// x1 -= eta (rho D^T s + c (x2 - b)) and x = (1 - alpha) x + alpha x1 (x1 and x2 may alias x:
// each pixel reads its own x2, x1, x before writing them).
template <class T>
void shifted_residual(const Context& ctx, const Grad<T>& g, const T* x2, const T* z, const T* w, T* s) {
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    for (int c = 0; c < g.k; ++c) {
      const index_t r = c * g.size + i;
      s[r] = g.d_at(x2, c, i, q) - z[r] + w[r];
    }
  });
}

template <class T>
void gradient_step(const Context& ctx, const Grad<T>& g, T eta, T rho, T alpha, T c, const T* b, const T* s,
                   const T* x2, T* x1, T* x) {
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    const T x1n = x1[i] - eta * (rho * g.dt_at(s, i, q) + c * (x2[i] - b[i]));
    const T xi = x[i];
    x1[i] = x1n;
    x[i] = (1 - alpha) * xi + alpha * x1n;
  });
}

// PDHG's primal step for G = c/2 ||x - b||^2: x' = (x - tau D^T p + tau c b) / (1 + tau c),
// xbar = x' + theta (x' - x).
template <class T>
void primal_step(const Context& ctx, const Grad<T>& g, T tau, T theta, T c, const T* b, const T* p, T* x,
                 T* xbar) {
  const T tc = tau * c;
  const T inv = T(1) / (1 + tc);
  for_each_pixel(ctx, g, [=] RECON_HD(index_t i, const index_t* q) {
    const T xn = (x[i] - tau * g.dt_at(p, i, q) + tc * b[i]) * inv;
    xbar[i] = xn + theta * (xn - x[i]);
    x[i] = xn;
  });
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
