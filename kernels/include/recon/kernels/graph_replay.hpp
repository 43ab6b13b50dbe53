// Replays a fixed piece of device work through a CUDA graph. Solver iterations at small sizes
// are launch-bound on a GPU: a 512^2 TV iteration is two kernels of a few microseconds each,
// and each launch costs about as much again; a graph launches them as one. The first run()
// captures body() from the context's stream into a graph (capture mode thread-local), later
// runs launch that graph on the same stream. On the host, or where capture fails (the legacy
// default stream, a call inside body that cannot be captured), body() runs directly every time.
// body must queue the same device work on every call -- the same kernels with the same
// arguments -- and nothing on the host that must happen each time (no communication).
// Tests: tests/kernels/test_context.cu (GraphReplay); on a GPU through the TV parity tests.
#pragma once

#include "recon/kernels/context.hpp"

namespace recon {

class GraphReplay {
 public:
  explicit GraphReplay(const Context& ctx) : ctx_(ctx) {}
  GraphReplay(const GraphReplay&) = delete;
  GraphReplay& operator=(const GraphReplay&) = delete;
  ~GraphReplay();

  template <class Body>
  void run(Body&& body) {
    if (mode_ == Mode::replay) return launch();
    if (mode_ == Mode::direct || !ctx_.is_cuda() || !begin_capture()) {
      mode_ = Mode::direct;
      return body();
    }
    bool queued = true;
    try {
      body();
    } catch (...) {
      queued = false;  // what body did before it threw is discarded with the capture
    }
    if (!end_capture(queued)) {
      mode_ = Mode::direct;
      return body();
    }
    mode_ = Mode::replay;
    launch();
  }

  // Whether runs launch a captured graph (false: body runs directly).
  bool replaying() const { return mode_ == Mode::replay; }

 private:
  enum class Mode { first, replay, direct };
  bool begin_capture();
  bool end_capture(bool keep);  // false: nothing to replay (capture failed or discarded)
  void launch();

  Context ctx_;
  Mode mode_ = Mode::first;
  void* graph_ = nullptr;  // cudaGraphExec_t
};

}  // namespace recon
