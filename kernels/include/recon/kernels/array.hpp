// View<T>: a non-owning typed span with a shape and a device. Array<T>: owns a buffer on
// one device. Shapes follow NumPy (slowest axis first, C order).
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory.hpp"
#include "recon/kernels/shape.hpp"

namespace recon {

template <class T>
class View {
 public:
  View() = default;
  View(T* data, Shape shape, Device device) : data_(data), shape_(shape), device_(device) {}
  // A View<T> converts to View<const T>.
  template <class U, class = std::enable_if_t<std::is_same_v<const U, T> && !std::is_same_v<U, T>>>
  View(const View<U>& o) : data_(o.data()), shape_(o.shape()), device_(o.device()) {}

  T* data() const { return data_; }
  const Shape& shape() const { return shape_; }
  Device device() const { return device_; }
  index_t size() const { return shape_.size(); }
  bool empty() const { return size() == 0; }
  // Same memory seen with another shape of the same size.
  View reshaped(const Shape& s) const {
    if (s.size() != size())
      throw ShapeMismatch("View::reshaped: cannot view " + shape_.str() + " as " + s.str());
    return View(data_, s, device_);
  }

 private:
  T* data_ = nullptr;
  Shape shape_;
  Device device_ = Device::Host;
};

template <class T>
class Array {
  static_assert(std::is_trivially_copyable_v<T>, "Array holds trivially copyable elements");

 public:
  Array() = default;
  // Uninitialised storage for `shape` on ctx's device.
  Array(const Context& ctx, const Shape& shape) : ctx_(ctx), shape_(shape) {
    if (shape_.size() > 0) data_ = static_cast<T*>(detail::allocate_bytes(ctx, sizeof(T) * shape_.size()));
  }
  ~Array() { release(); }

  Array(const Array&) = delete;
  Array& operator=(const Array&) = delete;
  Array(Array&& o) noexcept : ctx_(std::move(o.ctx_)), shape_(o.shape_), data_(o.data_) {
    o.data_ = nullptr;
    o.shape_ = Shape{0};
  }
  Array& operator=(Array&& o) noexcept {
    if (this != &o) {
      release();
      ctx_ = std::move(o.ctx_);
      shape_ = o.shape_;
      data_ = o.data_;
      o.data_ = nullptr;
      o.shape_ = Shape{0};
    }
    return *this;
  }

  // Host values copied onto ctx's device; values.size() must equal shape.size().
  static Array from_host(const Context& ctx, const Shape& shape, const std::vector<T>& values) {
    if (static_cast<index_t>(values.size()) != shape.size())
      throw ShapeMismatch("Array::from_host: " + std::to_string(values.size()) + " values for shape " +
                          shape.str());
    Array a(ctx, shape);
    detail::copy_bytes(ctx, a.data_, ctx.device(), values.data(), Device::Host, sizeof(T) * values.size());
    return a;
  }

  // The values copied to a host vector (waits for the device).
  std::vector<T> to_host_vector() const {
    std::vector<T> out(static_cast<size_t>(size()));
    if (!out.empty())
      detail::copy_bytes(*ctx_, out.data(), Device::Host, data_, device(), sizeof(T) * out.size());
    return out;
  }

  // A copy of this array on another context's device.
  Array to(const Context& target) const {
    Array out(target, shape_);
    if (size() > 0) {
      const Context& via = target.is_cuda() ? target : *ctx_;
      detail::copy_bytes(via, out.data_, target.device(), data_, device(), sizeof(T) * size());
    }
    return out;
  }

  const Context& context() const { return *ctx_; }
  Device device() const { return ctx_ ? ctx_->device() : Device::Host; }
  const Shape& shape() const { return shape_; }
  index_t size() const { return shape_.size(); }
  T* data() { return data_; }
  const T* data() const { return data_; }

  View<T> view() { return View<T>(data_, shape_, device()); }
  View<const T> view() const { return View<const T>(data_, shape_, device()); }
  View<const T> cview() const { return view(); }
  operator View<T>() { return view(); }
  operator View<const T>() const { return view(); }

 private:
  void release() noexcept {
    if (data_) detail::free_bytes(*ctx_, data_, sizeof(T) * static_cast<std::size_t>(shape_.size()));
    data_ = nullptr;
  }
  // Optional only so that a default-constructed Array needs no device.
  std::optional<Context> ctx_;
  Shape shape_{0};  // empty, not a 0-d scalar (which would have one element)
  T* data_ = nullptr;
};

}  // namespace recon
