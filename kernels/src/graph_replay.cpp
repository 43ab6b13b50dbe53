// GraphReplay's CUDA runtime calls (graph_replay.hpp).
#include "recon/kernels/graph_replay.hpp"

#if RECON_WITH_CUDA
#include <cuda_runtime.h>

#include "recon/kernels/cuda_check.hpp"
#endif

namespace recon {

#if RECON_WITH_CUDA
namespace {
cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.stream()); }
}  // namespace

GraphReplay::~GraphReplay() {
  if (graph_) cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph_));
}

bool GraphReplay::begin_capture() {
  if (stream_of(ctx_) == nullptr) return false;  // the legacy default stream cannot be captured
  if (cudaStreamBeginCapture(stream_of(ctx_), cudaStreamCaptureModeThreadLocal) == cudaSuccess) return true;
  cudaGetLastError();
  return false;
}

bool GraphReplay::end_capture(bool keep) {
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream_of(ctx_), &graph);
  cudaGraphExec_t exec = nullptr;
  const bool ok =
      ended == cudaSuccess && keep && graph && cudaGraphInstantiateWithFlags(&exec, graph, 0) == cudaSuccess;
  if (graph) cudaGraphDestroy(graph);
  if (!ok) {
    cudaGetLastError();  // a failed capture's error is not the caller's
    return false;
  }
  graph_ = exec;
  return true;
}

void GraphReplay::launch() {
  RECON_CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph_), stream_of(ctx_)));
}
#else
GraphReplay::~GraphReplay() = default;
bool GraphReplay::begin_capture() { return false; }
bool GraphReplay::end_capture(bool) { return false; }
void GraphReplay::launch() {}
#endif

}  // namespace recon
