// What every libFuzzer harness in fuzz/ shares (docs/FUZZING.md). A parser given bad bytes may
// only throw a recon::Error subclass; the harness catches that and nothing else, so any other
// exception escapes to std::terminate and libFuzzer records the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace recon::fuzz {

// Writes the bytes to `name` inside this process's scratch directory (under $TMPDIR, else
// /dev/shm, removed at exit) and returns the full path, for parsers reachable only by path.
std::string write_scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size);

// The scratch path of `name`, without writing it.
std::string scratch_path(const std::string& name);

// Runs f; a recon::Error is the expected answer to bad input and is swallowed.
template <class F>
void expect_only_recon_errors(F&& f);

}  // namespace recon::fuzz

#include "recon/kernels/error.hpp"

template <class F>
void recon::fuzz::expect_only_recon_errors(F&& f) {
  try {
    f();
  } catch (const recon::Error&) {
  }
}
