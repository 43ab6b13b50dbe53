// Streaming (non-temporal) stores for host passes whose output lies beyond the caches. A
// normal store first reads the line it writes (the read-for-ownership), so a pass writing k
// arrays moves 2k lines per pixel for them; streaming stores write the lines without reading
// them. Only where the output is far larger than the last-level cache: streamed lines are not
// in cache for whatever reads them next. Each thread that streamed must call stream_fence()
// before its pass ends (other threads read the output after it).
// Host-only; SSE2 (every x86-64 host), elsewhere plain stores.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) && !defined(__CUDA_ARCH__)
#include <xmmintrin.h>
#define RECON_STREAMING_STORES 1
#else
#define RECON_STREAMING_STORES 0
#endif

namespace recon {

// Whether a pass writing `bytes` to one array should stream its stores: from 64 MiB, twice the
// last-level cache that one core sees on the hosts measured (a CCD's 32 MiB; sysconf reports a
// VM's whole package, 320 MiB on one of them, which is no guide).
constexpr bool stream_stores_for(std::size_t bytes) {
  return RECON_STREAMING_STORES && bytes >= (std::size_t(64) << 20);
}

namespace detail {

constexpr int kStreamBlock = 64;  // floats per block: computed into L1 by a SIMD loop, then streamed

// out[0, kStreamBlock) = block[...] with streaming stores; out 16-byte aligned.
inline void stream_block(float* out, const float* block) {
#if RECON_STREAMING_STORES
  for (int j = 0; j < kStreamBlock; j += 4) _mm_stream_ps(out + j, _mm_load_ps(block + j));
#else
  for (int j = 0; j < kStreamBlock; ++j) out[j] = block[j];
#endif
}

// Orders this thread's streaming stores before whatever follows.
inline void stream_fence() {
#if RECON_STREAMING_STORES
  _mm_sfence();
#endif
}

// Elements before p reaches a 16-byte boundary.
inline std::ptrdiff_t to_stream_alignment(const float* p) {
  return static_cast<std::ptrdiff_t>((16 - reinterpret_cast<std::uintptr_t>(p) % 16) % 16 / sizeof(float));
}

}  // namespace detail
}  // namespace recon
