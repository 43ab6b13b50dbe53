// Memory a request may take, checked before anything is allocated. Linux overcommits, so a
// huge malloc can succeed and the process be killed minutes later while the pages are touched;
// a request that cannot fit must instead fail at once, saying how much it needs and how much
// there is.
#pragma once

#include <cstddef>
#include <string>

#include "recon/kernels/context.hpp"

namespace recon {

// Bytes the host can still give this process: MemAvailable of /proc/meminfo (available pages
// from sysconf where that is missing), lowered by a cgroup memory.max or an RLIMIT_AS.
std::size_t available_host_bytes();

// Free memory on ctx's device (cudaMemGetInfo), or available_host_bytes() for a host context.
std::size_t available_bytes(const Context& ctx);

// A size as people write it: "4GiB", "64KiB", "1.5 GiB", "512MB", "4096" (bytes). Binary units
// KiB MiB GiB TiB (also K M G T), decimal KB MB GB TB, B; case-insensitive; rounded down to
// whole bytes. InvalidArgument "<where>: ..." naming the text and the expected form otherwise.
std::size_t parse_memory_size(const std::string& text, const std::string& where);
// "512 bytes", "12.0 MiB", "3.50 GiB" for messages.
std::string format_bytes(double bytes);

// Throws OutOfMemory "<what> needs <N>, but only <M> is available on <device>" when `bytes`
// (a double, so that a product of huge extents neither wraps nor overflows) does not fit.
void require_memory(const Context& ctx, double bytes, const std::string& what);

}  // namespace recon
