// Array shapes: NumPy axis order (slowest first), C-contiguous, at most 4 axes.
#pragma once

#include <array>
#include <initializer_list>
#include <limits>
#include <string>

#include "recon/kernels/error.hpp"
#include "recon/kernels/macros.hpp"

namespace recon {

class Shape {
 public:
  static constexpr int kMaxAxes = 4;

  Shape() = default;
  Shape(std::initializer_list<index_t> dims) {
    if (dims.size() > kMaxAxes)
      throw InvalidArgument("Shape: " + std::to_string(dims.size()) + " axes given, at most 4 supported");
    for (index_t d : dims) push_back(d);
  }

  void push_back(index_t d) {
    if (ndim_ == kMaxAxes) throw InvalidArgument("Shape: more than 4 axes");
    if (d < 0) throw InvalidArgument("Shape: negative extent " + std::to_string(d));
    dims_[ndim_++] = d;
  }

  int ndim() const { return ndim_; }
  index_t operator[](int axis) const { return dims_.at(static_cast<size_t>(axis)); }
  // Number of elements. The product is checked: a shape read from a corrupt header, such as
  // (2^32, 2^32), is an InvalidArgument, not a wrapped count that later under-allocates.
  index_t size() const { return checked_product(1, "elements"); }
  // Bytes that the elements take at `item_bytes` each, checked in the same way.
  index_t bytes(index_t item_bytes) const { return checked_product(item_bytes, "bytes"); }
  // Extent of an axis counted from the fastest one: back(0) is x.
  index_t back(int k) const { return k < ndim_ ? dims_[ndim_ - 1 - k] : 1; }

  bool operator==(const Shape& o) const {
    if (ndim_ != o.ndim_) return false;
    for (int a = 0; a < ndim_; ++a)
      if (dims_[a] != o.dims_[a]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }

  // NumPy-style text, e.g. "(3, 4, 5)", for error messages.
  std::string str() const {
    std::string s = "(";
    for (int a = 0; a < ndim_; ++a) s += (a ? ", " : "") + std::to_string(dims_[a]);
    return s + (ndim_ == 1 ? ",)" : ")");
  }

 private:
  index_t checked_product(index_t n, const char* unit) const {
    constexpr index_t kMax = std::numeric_limits<index_t>::max();
    for (int a = 0; a < ndim_; ++a)
      if (dims_[a] == 0) return 0;
    for (int a = 0; a < ndim_; ++a) {
      if (n > kMax / dims_[a]) throw InvalidArgument("shape " + str() + " has more than 2^63 " + unit);
      n *= dims_[a];
    }
    return n;
  }

  int ndim_ = 0;
  std::array<index_t, kMaxAxes> dims_{};
};

}  // namespace recon
