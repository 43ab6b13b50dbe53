// Array-level vector operations and reductions the solvers need, compiled once for float
// and double (so g++-compiled callers can run them on a Cuda context too). All arguments
// must live on ctx's device and have equal sizes (shapes may differ: they are flat here).
// Reductions accumulate in double.
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"

namespace recon {

template <class T>
void fill(const Context& ctx, View<T> y, T value);
template <class T>
void copy(const Context& ctx, View<const T> x, View<T> y);
// y = a*x
template <class T>
void scale(const Context& ctx, T a, View<const T> x, View<T> y);
// y = a*x + b*y
template <class T>
void axpby(const Context& ctx, T a, View<const T> x, T b, View<T> y);
// z = a*x + b*y + c*z; with c = 0, z is not read (as BLAS's beta = 0), so it may hold anything
template <class T>
void axpbypcz(const Context& ctx, T a, View<const T> x, T b, View<const T> y, T c, View<T> z);
// z = x .* y
template <class T>
void multiply(const Context& ctx, View<const T> x, View<const T> y, View<T> z);

template <class T>
double sum(const Context& ctx, View<const T> x);
template <class T>
double dot(const Context& ctx, View<const T> x, View<const T> y);
template <class T>
double norm2(const Context& ctx, View<const T> x);
template <class T>
double max_abs(const Context& ctx, View<const T> x);
// ||x - y||_2, without a temporary.
template <class T>
double distance2(const Context& ctx, View<const T> x, View<const T> y);

namespace detail {
// Throws InvalidArgument / ShapeMismatch naming `where` if v is not on ctx's device or its
// size differs from n.
template <class T>
void check_operand(const Context& ctx, const char* where, const char* name, const View<T>& v, index_t n);
}  // namespace detail

}  // namespace recon
