// The memory checks made before allocating (kernels/memory_budget.hpp): a request that cannot
// fit fails at once with OutOfMemory saying the bytes needed and available, never after the
// pages were touched (Linux overcommits) and never as std::bad_alloc.
#include <gtest/gtest.h>

#include <string>

#include "recon/kernels/array.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"

namespace recon {
namespace {

TEST(MemoryBudget, HostHasSomeMemoryAvailable) { EXPECT_GT(available_host_bytes(), std::size_t{1} << 20); }

TEST(MemoryBudget, FormatsBytesForPeople) {
  EXPECT_EQ(format_bytes(512), "512 bytes");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(3.0 * (1 << 30)), "3.00 GiB");
}

TEST(MemoryBudget, RequireMemorySaysNeededAndAvailable) {
  EXPECT_NO_THROW(require_memory(Context::host(), 1024, "a small array"));
  try {
    require_memory(Context::host(), 1e30, "the sinogram (1e12, 1e6)");
    ADD_FAILURE() << "no error for 1e30 bytes";
  } catch (const OutOfMemory& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("the sinogram (1e12, 1e6) needs"), std::string::npos) << msg;
    EXPECT_NE(msg.find("available on the host"), std::string::npos) << msg;
  }
}

// 2^52 bytes: the allocator refuses it before malloc, which overcommit might have granted.
TEST(MemoryBudget, AllocatorRefusesWhatCannotFit) {
  try {
    Array<float> a(Context::host(), Shape{index_t{1} << 20, index_t{1} << 20, index_t{1} << 10});
    ADD_FAILURE() << "a 4 PiB array was allocated";
  } catch (const OutOfMemory& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("an array needs 4.00 PiB"), std::string::npos) << msg;
    EXPECT_NE(msg.find("available"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace recon
