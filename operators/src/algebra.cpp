// The operator algebra: composition, sum, scaling, adjoint, block column and Gram operators.
// Built from apply/adjoint of the parts and the compiled vector operations, so this file
// serves both backends without launching anything itself.
#include <cmath>
#include <random>

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/operator.hpp"
#include "recon/operators/power_start.hpp"

namespace recon {

namespace detail {

void check_view(const Context& ctx, const std::string& where, const char* name, const Shape& shape,
                Device device, const void* data, const Shape& expected) {
  if (shape != expected)
    throw ShapeMismatch(where + ": " + name + " has shape " + shape.str() + ", expected " + expected.str());
  if (device != ctx.device())
    throw InvalidArgument(where + ": " + name + " lives on " + to_string(device) +
                          ", expected the context's device " + to_string(ctx.device()));
  if (data == nullptr && expected.size() > 0) throw InvalidArgument(where + ": " + name + " has no storage");
}

void check_no_overlap(const std::string& where, const void* a, std::size_t na, const void* b,
                      std::size_t nb) {
  const auto pa = reinterpret_cast<std::uintptr_t>(a), pb = reinterpret_cast<std::uintptr_t>(b);
  if (pa < pb + nb && pb < pa + na)
    throw InvalidArgument(where + ": input and output overlap; in-place use is not supported");
}

}  // namespace detail

namespace {

template <class T>
View<T> block(View<T> v, index_t offset, const Shape& shape) {
  return View<T>(v.data() + offset, shape, v.device());
}

// Splits over ranks (LinearOperator::range_split, domain_split) through the algebra, so that a
// solver given a composite of a split projector still sums its inner products over the ranks.
// An operator with no split at all is taken to act on each rank's share as it is (weights,
// masks, scalings), so a composite takes its split parts' split. One space split two ways
// (communicators of different sizes or ranks) is refused: the sums over it need one.
const dist::Communicator* joint_split(const std::string& where, const char* space,
                                      const dist::Communicator* a, const dist::Communicator* b) {
  if (a == nullptr || b == nullptr || a == b) return a != nullptr ? a : b;
  if (a->size() != b->size() || a->rank() != b->rank())
    throw InvalidArgument(where + ": the " + space + " is split over " + std::to_string(a->size()) +
                          " ranks in one part and " + std::to_string(b->size()) +
                          " in the other; split both parts over the same ranks");
  return a;
}

template <class T>
bool has_split(const Operator<T>& a) {
  return a.get().range_split() != nullptr || a.get().domain_split() != nullptr;
}

// Two blocks of a vstack split alike: a range split over the ranks in one block and whole on every
// rank in another is refused, since the solvers' sum over the stacked range cannot both be
// all-reduced and not.
inline void require_same_split(const std::string& where, const char* space, const dist::Communicator* a,
                               const dist::Communicator* b) {
  if ((a == nullptr) != (b == nullptr))
    throw InvalidArgument(where + ": the " + space +
                          " is split over the ranks in one block and whole on every rank in another; "
                          "stack blocks split alike (e.g. a slab projector with a slab gradient)");
  joint_split(where, space, a, b);
}

template <class T>
class Composed final : public LinearOperator<T> {
 public:
  Composed(Operator<T> outer, Operator<T> inner)
      : LinearOperator<T>("(" + outer.name() + " o " + inner.name() + ")", inner.domain(), outer.range(),
                          typename LinearOperator<T>::PartsChecked{}),
        outer_(std::move(outer)),
        inner_(std::move(inner)) {}
  bool has_normal_inverse() const override { return inner_.is_orthogonal() && outer_.has_normal_inverse(); }
  bool is_orthogonal() const override { return inner_.is_orthogonal() && outer_.is_orthogonal(); }
  // The space between the two parts is split as either part has it; an unsplit part takes it.
  const dist::Communicator* domain_split() const override {
    const dist::Communicator* d = inner_.get().domain_split();
    return d != nullptr || has_split(inner_) ? d : middle_split();
  }
  const dist::Communicator* range_split() const override {
    const dist::Communicator* r = outer_.get().range_split();
    return r != nullptr || has_split(outer_) ? r : middle_split();
  }
  const dist::Communicator* middle_split() const {
    return joint_split("compose", "space between the operators", inner_.get().range_split(),
                       outer_.get().domain_split());
  }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override {
    View<T> mid = this->scratch(ctx, 1, inner_.range());
    inner_.apply(ctx, x, mid);
    outer_.apply(ctx, mid, y);
  }
  // (Q^T B^T B Q + l I)^-1 = Q^T (B^T B + l I)^-1 Q for orthogonal Q (partial Fourier,
  // subsampled Hadamard).
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override {
    View<T> qb = this->scratch(ctx, 1, inner_.range()), solved = this->scratch(ctx, 2, inner_.range());
    inner_.apply(ctx, b, qb);
    outer_.normal_inverse(ctx, lambda, qb, solved);
    inner_.adjoint(ctx, solved, x);
  }
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override {
    View<T> mid = this->scratch(ctx, 1, inner_.range());
    outer_.adjoint(ctx, y, mid);
    inner_.adjoint(ctx, mid, x);
  }

 private:
  Operator<T> outer_, inner_;
};

template <class T>
class Summed final : public LinearOperator<T> {
 public:
  Summed(Operator<T> a, Operator<T> b, T sign)
      : LinearOperator<T>("(" + a.name() + (sign > 0 ? " + " : " - ") + b.name() + ")", a.domain(), a.range(),
                          typename LinearOperator<T>::PartsChecked{}),
        a_(std::move(a)),
        b_(std::move(b)),
        sign_(sign) {}
  const dist::Communicator* domain_split() const override {
    return joint_split(this->name(), "domain", a_.get().domain_split(), b_.get().domain_split());
  }
  const dist::Communicator* range_split() const override {
    return joint_split(this->name(), "range", a_.get().range_split(), b_.get().range_split());
  }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override {
    View<T> tmp = this->scratch(ctx, 1, this->range());
    a_.apply(ctx, x, y);
    b_.apply(ctx, x, tmp);
    axpby<T>(ctx, sign_, tmp, T(1), y);
  }
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override {
    View<T> tmp = this->scratch(ctx, 1, this->domain());
    a_.adjoint(ctx, y, x);
    b_.adjoint(ctx, y, tmp);
    axpby<T>(ctx, sign_, tmp, T(1), x);
  }

 private:
  Operator<T> a_, b_;
  T sign_;
};

template <class T>
class Scaled final : public LinearOperator<T> {
 public:
  Scaled(T s, Operator<T> a)
      : LinearOperator<T>(std::to_string(s) + "*" + a.name(), a.domain(), a.range(),
                          typename LinearOperator<T>::PartsChecked{}),
        s_(s),
        a_(std::move(a)) {}
  // (s^2 A^T A + lambda I)^{-1} b = s^-2 (A^T A + lambda s^-2 I)^{-1} b
  bool has_normal_inverse() const override { return s_ != T(0) && a_.has_normal_inverse(); }
  const dist::Communicator* domain_split() const override { return a_.get().domain_split(); }
  const dist::Communicator* range_split() const override { return a_.get().range_split(); }
  bool range_groups_local() const override { return a_.get().range_groups_local(); }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override {
    a_.apply(ctx, x, y);
    scale<T>(ctx, s_, y, y);
  }
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override {
    a_.adjoint(ctx, y, x);
    scale<T>(ctx, s_, x, x);
  }
  void do_normal(const Context& ctx, View<const T> x, View<T> y) const override {
    a_.normal(ctx, x, y);
    scale<T>(ctx, s_ * s_, y, y);
  }
  void do_normal_inverse(const Context& ctx, T lambda, View<const T> b, View<T> x) const override {
    const T inv = T(1) / (s_ * s_);
    a_.normal_inverse(ctx, lambda * inv, b, x);
    scale<T>(ctx, inv, x, x);
  }

 private:
  T s_;
  Operator<T> a_;
};

template <class T>
class Adjoint final : public LinearOperator<T> {
 public:
  explicit Adjoint(Operator<T> a)
      : LinearOperator<T>(a.name() + "^T", a.range(), a.domain(), typename LinearOperator<T>::PartsChecked{}),
        a_(std::move(a)) {}
  const Operator<T>& original() const { return a_; }
  bool is_orthogonal() const override { return a_.is_orthogonal(); }
  const dist::Communicator* domain_split() const override { return a_.get().range_split(); }
  const dist::Communicator* range_split() const override { return a_.get().domain_split(); }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override { a_.adjoint(ctx, x, y); }
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override { a_.apply(ctx, y, x); }

 private:
  Operator<T> a_;
};

template <class T>
Shape stacked_range(const std::vector<Operator<T>>& blocks) {
  const Shape& first = blocks.front().range();
  bool same = first.ndim() < Shape::kMaxAxes;
  index_t total = 0;
  for (const auto& b : blocks) {
    same = same && b.range() == first;
    total += b.range().size();
  }
  if (!same) return Shape{total};
  Shape s{static_cast<index_t>(blocks.size())};
  for (int a = 0; a < first.ndim(); ++a) s.push_back(first[a]);
  return s;
}

template <class T>
class Stacked final : public LinearOperator<T> {
 public:
  explicit Stacked(std::vector<Operator<T>> blocks)
      : LinearOperator<T>("vstack", blocks.front().domain(), stacked_range(blocks),
                          typename LinearOperator<T>::PartsChecked{}),
        blocks_(std::move(blocks)) {
    for (const auto& b : blocks_) {
      require_same_split("vstack", "range", b.get().range_split(), blocks_.front().get().range_split());
      domain_split_ = joint_split("vstack", "domain", domain_split_, b.get().domain_split());
    }
  }
  const dist::Communicator* domain_split() const override { return domain_split_; }
  const dist::Communicator* range_split() const override { return blocks_.front().get().range_split(); }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override {
    index_t offset = 0;
    for (const auto& b : blocks_) {
      b.apply(ctx, x, block(y, offset, b.range()));
      offset += b.range().size();
    }
  }
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override {
    View<T> tmp = this->scratch(ctx, 1, this->domain());
    index_t offset = 0;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const auto& b = blocks_[k];
      View<const T> yk = block(y, offset, b.range());
      offset += b.range().size();
      if (k == 0) {
        b.adjoint(ctx, yk, x);
      } else {
        b.adjoint(ctx, yk, tmp);
        axpby<T>(ctx, T(1), tmp, T(1), x);
      }
    }
  }

 private:
  std::vector<Operator<T>> blocks_;
  const dist::Communicator* domain_split_ = nullptr;
};

template <class T>
class Gram final : public LinearOperator<T> {
 public:
  explicit Gram(Operator<T> a)
      : LinearOperator<T>(a.name() + "^T " + a.name(), a.domain(), a.domain(),
                          typename LinearOperator<T>::PartsChecked{}),
        a_(std::move(a)) {}
  const dist::Communicator* domain_split() const override { return a_.get().domain_split(); }
  const dist::Communicator* range_split() const override { return a_.get().domain_split(); }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override { a_.normal(ctx, x, y); }
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override { a_.normal(ctx, y, x); }

 private:
  Operator<T> a_;
};

template <class T>
void require_handle(const Operator<T>& a, const char* where) {
  if (!a) throw InvalidArgument(std::string(where) + ": empty Operator handle");
}

}  // namespace

template <class Real>
Operator<Real>::Operator(std::shared_ptr<const LinearOperator<Real>> op) : op_(std::move(op)) {
  require_handle(*this, "Operator");
}

template <class Real>
const LinearOperator<Real>& Operator<Real>::get() const {
  require_handle(*this, "Operator");
  return *op_;
}

template <class Real>
Operator<Real> Operator<Real>::T() const {
  if (auto adj = std::dynamic_pointer_cast<const Adjoint<Real>>(ptr())) return adj->original();
  return Operator<Real>(std::make_shared<Adjoint<Real>>(*this));
}

template <class Real>
double Operator<Real>::norm_estimate(const Context& ctx, int iterations, unsigned seed) const {
  require(iterations > 0, "norm_estimate", "iterations must be positive");
  // With the domain split into blocks over ranks (z-slabs) the norms run over every rank's
  // block, so that all ranks hold the same estimate.
  const dist::Communicator* split = get().domain_split();
  Array<Real> x = Array<Real>::from_host(ctx, domain(), power_start<Real>(domain().size(), seed, split)),
              ax(ctx, range()), z(ctx, domain());
  const auto domain_norm = [&](View<const Real> v) {
    const double n = norm2<Real>(ctx, v);
    return split ? std::sqrt(split->all_reduce(n * n, dist::ReduceOp::Sum)) : n;
  };
  double sigma2 = 0;
  for (int it = 0; it < iterations; ++it) {
    const double nx = domain_norm(x);
    if (nx == 0) return 0;
    scale<Real>(ctx, static_cast<Real>(1 / nx), x, x);
    apply(ctx, x, ax);
    adjoint(ctx, ax, z);
    sigma2 = domain_norm(z);
    std::swap(x, z);
  }
  return std::sqrt(sigma2);
}

template <class T>
Operator<T> compose(const Operator<T>& outer, const Operator<T>& inner) {
  require_handle(outer, "compose");
  require_handle(inner, "compose");
  if (inner.range() != outer.domain())
    throw ShapeMismatch("compose: " + outer.name() + " has domain " + outer.domain().str() + " but " +
                        inner.name() + " has range " + inner.range().str());
  const auto composed = std::make_shared<Composed<T>>(outer, inner);
  composed->middle_split();  // refuses a space split two ways now, not in a solver later
  return Operator<T>(composed);
}

template <class T>
Operator<T> summed(const Operator<T>& a, const Operator<T>& b, T sign, const char* where) {
  require_handle(a, where);
  require_handle(b, where);
  if (a.domain() != b.domain() || a.range() != b.range())
    throw ShapeMismatch(std::string(where) + ": " + a.name() + " maps " + a.domain().str() + " -> " +
                        a.range().str() + " but " + b.name() + " maps " + b.domain().str() + " -> " +
                        b.range().str());
  const auto sum = std::make_shared<Summed<T>>(a, b, sign);
  sum->domain_split();  // refuses a space split two ways now, not in a solver later
  sum->range_split();
  return Operator<T>(sum);
}

template <class T>
Operator<T> operator+(const Operator<T>& a, const Operator<T>& b) {
  return summed(a, b, T(1), "operator+");
}

template <class T>
Operator<T> operator-(const Operator<T>& a, const Operator<T>& b) {
  return summed(a, b, T(-1), "operator-");
}

template <class T>
Operator<T> scaled(typename Operator<T>::value_type s, const Operator<T>& a) {
  require_handle(a, "scaled");
  require(std::isfinite(static_cast<double>(s)), "scaled", "the factor must be finite");
  return Operator<T>(std::make_shared<Scaled<T>>(s, a));
}

template <class T>
Operator<T> vstack(const std::vector<Operator<T>>& blocks) {
  require(!blocks.empty(), "vstack", "needs at least one block");
  for (const auto& b : blocks) {
    require_handle(b, "vstack");
    if (b.domain() != blocks.front().domain())
      throw ShapeMismatch("vstack: block " + b.name() + " has domain " + b.domain().str() + ", expected " +
                          blocks.front().domain().str() + " like the first block");
  }
  return Operator<T>(std::make_shared<Stacked<T>>(blocks));
}

template <class T>
Operator<T> gram(const Operator<T>& a) {
  require_handle(a, "gram");
  return Operator<T>(std::make_shared<Gram<T>>(a));
}

#define RECON_INSTANTIATE_ALGEBRA(T)                                                 \
  template class Operator<T>;                                                        \
  template Operator<T> compose(const Operator<T>&, const Operator<T>&);              \
  template Operator<T> operator+(const Operator<T>&, const Operator<T>&);            \
  template Operator<T> operator-(const Operator<T>&, const Operator<T>&);            \
  template Operator<T> scaled(typename Operator<T>::value_type, const Operator<T>&); \
  template Operator<T> vstack(const std::vector<Operator<T>>&);                      \
  template Operator<T> gram(const Operator<T>&);
RECON_INSTANTIATE_ALGEBRA(float)
RECON_INSTANTIATE_ALGEBRA(double)

}  // namespace recon
