// Element-wise prox, value sum and gradient of every penalty and loss: the variant is
// visited once here, on the host, and each struct gets its own kernel. Value sums write the
// values to a temporary and reduce it with sum<T>: a reduction per function would
// instantiate CUB's kernels (with the function inlined many times over) for every struct.
#include <memory>
#include <string>
#include <type_traits>

#include "launch.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/penalties/fast_prox.hpp"
#include "recon/kernels/penalties/prox_fallbacks.hpp"
#include "recon/kernels/penalties/prox_table_cache.hpp"

namespace recon::penalties {

namespace {

// Returns how many elements the host's certified fast path (float, scalar gamma only) left to
// the exact routine, or -1 where it was not used.
template <class T, class F, class W>
index_t prox_kernel(const Context& ctx, F f, W w, const T* in, T* out, index_t n, detail::FastPath) {
  detail::elementwise_for(ctx, n, [=] RECON_HD(index_t i) { out[i] = f.prox(in[i], w(i)); });
  return -1;
}

template <class T, class F>
index_t prox_kernel(const Context& ctx, F f, detail::ScalarWeight<T> w, const T* in, T* out, index_t n,
                    detail::FastPath path) {
  index_t fallbacks = -1;
  const T t = w.gamma;
  if (!ctx.is_cuda() && t > T(0)) {
    fast::with_fast_prox(f, t, [&](auto fast) {
      // automatic: the cached table (prox_table_cache.hpp); table: one built for this call.
      std::shared_ptr<const fast::ProxTable> table;
      if constexpr (std::is_same_v<T, float>) {
        if (path == detail::FastPath::automatic)
          table = fast::prox_table_cache().find(f, t, in, n, ctx.host_threads());
        else if (path == detail::FastPath::table)
          table = std::make_shared<const fast::ProxTable>(
              fast::build_prox_table(f, t, in, n, ctx.host_threads()));
      }
      // The exact routine in double: see fast_prox.hpp on its float form's rounding error.
      const auto exact = [&](T z) { return T(f.prox(double(z), double(t))); };
      fallbacks = detail::certified_for(ctx, n, fast, exact, in, out,
                                        table && table->count > 0 ? table.get() : nullptr);
    });
  }
  if (fallbacks < 0)
    detail::elementwise_for(ctx, n, [=] RECON_HD(index_t i) { out[i] = f.prox(in[i], w(i)); });
  return fallbacks;
}

template <class T, class F, class W>
double value_kernel(const Context& ctx, F f, W w, const T* x, index_t n) {
  Array<T> values(ctx, Shape{n});
  T* v = values.data();
  parallel_for(ctx, n, [=] RECON_HD(index_t i) {
    const T wi = w(i);
    v[i] = wi == T(0) ? T(0) : wi * f.value(x[i]);
  });
  return sum<T>(ctx, values);
}

template <class T, class F>
void gradient_kernel(const Context& ctx, F f, const T* x, T* g, index_t n) {
  parallel_for(ctx, n, [=] RECON_HD(index_t i) { g[i] = f.grad(x[i]); });
}

template <class T, class W>
index_t prox_any(const Context& ctx, const Function& fn, W w, View<const T> in, View<T> out,
                 detail::FastPath path = detail::FastPath::automatic) {
  validate(fn);
  recon::detail::check_operand(ctx, "prox", "in", in, in.size());
  recon::detail::check_operand(ctx, "prox", "out", out, in.size());
  return std::visit(
      [&](const auto& f) { return prox_kernel<T>(ctx, f, w, in.data(), out.data(), in.size(), path); }, fn);
}

template <class T, class W>
double value_any(const Context& ctx, const Function& fn, W w, View<const T> x) {
  validate(fn);
  recon::detail::check_operand(ctx, "value_sum", "x", x, x.size());
  return std::visit([&](const auto& f) { return value_kernel<T>(ctx, f, w, x.data(), x.size()); }, fn);
}

}  // namespace

template <class T>
void prox(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out) {
  prox_any<T>(ctx, fn, detail::scalar_weight("prox", gamma), in, out);
}

template <class T>
void prox(const Context& ctx, const Function& fn, View<const T> gamma, View<const T> in, View<T> out) {
  prox_any<T>(ctx, fn, detail::array_weight(ctx, "prox", gamma, in.size()), in, out);
}

namespace detail {
template <class T>
index_t prox_fallbacks(const Context& ctx, const Function& fn, T gamma, View<const T> in, View<T> out,
                       FastPath path) {
  return prox_any<T>(ctx, fn, scalar_weight("prox", gamma), in, out, path);
}
}  // namespace detail

template <class T>
double value_sum(const Context& ctx, const Function& fn, View<const T> x) {
  return value_any<T>(ctx, fn, detail::ScalarWeight<T>{T(1)}, x);
}

template <class T>
double value_sum(const Context& ctx, const Function& fn, View<const T> w, View<const T> x) {
  return value_any<T>(ctx, fn, detail::array_weight(ctx, "value_sum", w, x.size()), x);
}

template <class T>
void gradient(const Context& ctx, const Function& fn, View<const T> x, View<T> g) {
  validate(fn);
  recon::detail::check_operand(ctx, "gradient", "x", x, x.size());
  recon::detail::check_operand(ctx, "gradient", "g", g, x.size());
  std::visit(
      [&](const auto& f) {
        using F = std::decay_t<decltype(f)>;
        if constexpr (F::has_grad)
          gradient_kernel<T>(ctx, f, x.data(), g.data(), x.size());
        else
          throw InvalidArgument(std::string("gradient: ") + F::name + " has no gradient");
      },
      fn);
}

#define RECON_INSTANTIATE_PENALTY_ELEMENTWISE(T)                                                         \
  template void prox<T>(const Context&, const Function&, T, View<const T>, View<T>);                     \
  template void prox<T>(const Context&, const Function&, View<const T>, View<const T>, View<T>);         \
  template double value_sum<T>(const Context&, const Function&, View<const T>);                          \
  template double value_sum<T>(const Context&, const Function&, View<const T>, View<const T>);           \
  template void gradient<T>(const Context&, const Function&, View<const T>, View<T>);                    \
  template index_t detail::prox_fallbacks<T>(const Context&, const Function&, T, View<const T>, View<T>, \
                                             detail::FastPath);

RECON_INSTANTIATE_PENALTY_ELEMENTWISE(float)
RECON_INSTANTIATE_PENALTY_ELEMENTWISE(double)

}  // namespace recon::penalties
