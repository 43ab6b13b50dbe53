#include "roofline.hpp"

#include <memory>

#include "recon/kernels/bandwidth.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::bench {

namespace {
std::unique_ptr<Session>& instance() {
  static std::unique_ptr<Session> s;
  return s;
}
}  // namespace

const Session& session() { return *instance(); }

void init_session(const std::string& device_choice, int threads) {
  auto s = std::make_unique<Session>();
  s->ctx = device_choice == "cpu" ? Context::host(threads) : Context::from_choice(device_choice);
  s->device_name = s->ctx.info().name;
  // Far beyond the last-level cache on both a CPU and a GPU (50 MB L2 on an H100).
  const std::size_t bytes = s->ctx.is_cuda() ? (1024u << 20) : (256u << 20);
  const index_t n = static_cast<index_t>(bytes / sizeof(float));
  s->copy_from = Array<float>(s->ctx, Shape{n});
  s->copy_to = Array<float>(s->ctx, Shape{n});
  fill(s->ctx, s->copy_from.view(), 0.5f);
  measure_copy_bandwidth(s->ctx, s->copy_from.cview(), s->copy_to.view(), 1);  // first touch
  s->copy_gbps = measure_copy_bandwidth(s->ctx, s->copy_from.cview(), s->copy_to.view(), 10).gbytes_per_s;
  instance() = std::move(s);
}

double Session::copy_gbps_now() const {
  return measure_copy_bandwidth(ctx, copy_from.cview(), copy_to.view(), 3).gbytes_per_s;
}

}  // namespace recon::bench
