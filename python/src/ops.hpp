// recon._recon's linear operators (recon.ops): one class, _Operator, over any recon::Operator
// built by a factory per precision (float and double instances made on first use), on the
// device of its Context. python/recon/ops.py wraps it (shapes, out= checks, scipy, torch).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common.hpp"
#include "recon/operators/operator.hpp"

namespace recon::python {

class PyOperator {
 public:
  template <class T>
  using Factory = std::function<Operator<T>(const Context&)>;

  PyOperator(const Context& ctx, Factory<float> f32, Factory<double> f64)
      : state_(std::make_shared<State>(ctx, std::move(f32), std::move(f64))) {}

  // The operator in precision T, made on first use.
  template <class T>
  const Operator<T>& op() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto& slot = std::get<std::optional<Operator<T>>>(state_->ops);
    if (!slot) slot = std::get<Factory<T>>(state_->factories)(state_->ctx);
    return *slot;
  }

  const Context& context() const { return state_->ctx; }
  std::string device() const { return device_name(state_->ctx); }
  std::string name() const { return op<double>().name(); }
  std::vector<index_t> domain() const { return dims(op<double>().domain()); }
  std::vector<index_t> range() const { return dims(op<double>().range()); }

  // out = A x (or A^T x). One call at a time per operator: its work buffers are shared.
  template <class T>
  void apply(const In<T>& x, const Out<T>& out, bool adjoint) const {
    const Context& ctx = state_->ctx;
    Staged<T> in = stage_in(ctx, x);
    Staged<T> o = stage_out(ctx, out);
    nb::gil_scoped_release release;
    apply_views<T>(ctx, in.cview(), o.view(), adjoint);
    o.finish();
  }

  // The same on arrays already on ctx's device (ctx: this operator's context, or one on the
  // caller's stream for CUDA arrays, cuda_arrays.hpp). Called without the GIL.
  template <class T>
  void apply_views(const Context& ctx, View<const T> x, View<T> out, bool adjoint) const {
    const Operator<T>& a = op<T>();
    std::lock_guard<std::mutex> lock(state_->apply_mutex);
    if (adjoint)
      a.adjoint(ctx, x, out);
    else
      a.apply(ctx, x, out);
  }

  double norm(int iterations) const {
    require_at_least_one("norm", "iterations", iterations);
    const Operator<double>& a = op<double>();
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(state_->apply_mutex);
    return a.norm_estimate(state_->ctx, iterations);
  }

  static std::vector<index_t> dims(const Shape& s) {
    std::vector<index_t> out;
    for (int a = 0; a < s.ndim(); ++a) out.push_back(s[a]);
    return out;
  }

 private:
  struct State {
    State(const Context& c, Factory<float> f32, Factory<double> f64)
        : ctx(c), factories(std::move(f32), std::move(f64)) {}
    Context ctx;
    std::tuple<Factory<float>, Factory<double>> factories;
    std::tuple<std::optional<Operator<float>>, std::optional<Operator<double>>> ops;
    std::mutex mutex, apply_mutex;
  };
  std::shared_ptr<State> state_;
};

// recon._recon._Operator and its factories (ops.cpp).
void register_ops(nb::module_& m);
// recon._recon's compressive sensing: _Sensing, its operators, noise and recovery (cs.cpp).
void register_cs(nb::module_& m);

}  // namespace recon::python
