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

// Context::set_memory_limit: arrays beyond the cap fail with OutOfMemory naming it, freed
// arrays give their bytes back, copies of the context share the cap, and available_bytes()
// reports what is left under it.
TEST(MemoryBudget, MemoryLimitCapsTheArraysOfAContext) {
  const Context ctx = Context::host();
  ctx.set_memory_limit(64 << 10);
  EXPECT_EQ(available_bytes(ctx), std::size_t{64} << 10);
  {
    Array<float> a(ctx, Shape{8 << 10});  // 32 KiB
    EXPECT_EQ(ctx.memory_in_use(), std::size_t{32} << 10);
    EXPECT_EQ(available_bytes(ctx), std::size_t{32} << 10);
    const Context copy = ctx;
    try {
      Array<float> b(copy, Shape{(8 << 10) + 1});
      ADD_FAILURE() << "an array beyond the limit was allocated";
    } catch (const OutOfMemory& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("limit of 64.0 KiB"), std::string::npos) << msg;
      EXPECT_NE(msg.find("32.0 KiB in use"), std::string::npos) << msg;
    }
    EXPECT_EQ(ctx.memory_in_use(), std::size_t{32} << 10);  // the failed request counts nothing
    Array<float> c(copy, Shape{8 << 10});                   // exactly up to the limit
    EXPECT_EQ(available_bytes(ctx), std::size_t{0});
  }
  EXPECT_EQ(ctx.memory_in_use(), std::size_t{0});
  EXPECT_THROW(require_memory(ctx, 65 << 10, "a slab"), OutOfMemory);
  ctx.set_memory_limit(0);  // no cap
  EXPECT_NO_THROW(Array<float>(ctx, Shape{1 << 20}));
  EXPECT_EQ(Context::host().memory_limit(), std::size_t{0});  // another context: its own (none)
}

TEST(MemoryBudget, ParsesMemorySizes) {
  EXPECT_EQ(parse_memory_size("4GiB", "--x"), std::size_t{4} << 30);
  EXPECT_EQ(parse_memory_size("64KiB", "--x"), std::size_t{64} << 10);
  EXPECT_EQ(parse_memory_size("1.5 gib", "--x"), std::size_t{3} << 29);
  EXPECT_EQ(parse_memory_size("512M", "--x"), std::size_t{512} << 20);
  EXPECT_EQ(parse_memory_size("2GB", "--x"), std::size_t{2000000000});
  EXPECT_EQ(parse_memory_size("4096", "--x"), std::size_t{4096});
  EXPECT_EQ(parse_memory_size("0", "--x"), std::size_t{0});
  for (const char* bad : {"", "GiB", "4 lightyears", "-1GiB", "nan", "inf", "1e30", "4GiBs"}) try {
      parse_memory_size(bad, "--device-memory-limit");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("--device-memory-limit: '"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace recon
