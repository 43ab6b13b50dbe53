// gtest's main for the distributed tests, with MPI started first when an MPI launcher ran this
// process; ranks other than 0 print only their failures.
#include <gtest/gtest.h>

#include "recon/kernels/communicator.hpp"

int main(int argc, char** argv) {
  recon::dist::Session session(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (!recon::dist::world()->is_root()) GTEST_FLAG_SET(brief, true);
  return RUN_ALL_TESTS();
}
