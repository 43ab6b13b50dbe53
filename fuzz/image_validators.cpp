// libFuzzer harness: the integrity checks run before an ITK reader (io/src/itk_validate.cpp),
// never ITK's readers themselves. The first input byte picks the file extension (so the format
// that io's format_of sees), the remaining bytes are the file.
#include <array>

#include "harness.hpp"
#include "itk_validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::array<const char*, 7> names = {"input.png", "input.tif",  "input.nii", "input.nii.gz",
                                                   "input.mha", "input.nrrd", "input.dcm"};
  if (size == 0) return 0;
  const std::string path = recon::fuzz::write_scratch_file(names[data[0] % names.size()], data + 1, size - 1);
  recon::fuzz::expect_only_recon_errors(
      [&] { recon::io::detail::check_before_itk(path, recon::io::detail::format_of(path)); });
  return 0;
}
