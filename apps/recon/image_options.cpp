// Parsing of the shared image options (image_options.hpp).
#include "image_options.hpp"

#include "option_checks.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

void add_write_flags(CLI::App& cmd, ImageWriteFlags& flags) {
  cmd.add_option("--bits", flags.bits,
                 "sample type written: 8 or 16 (integers through --window), 32 (float), auto (8 for PNG, "
                 "float otherwise)")
      ->check(CLI::IsMember({"auto", "8", "16", "32"}))
      ->capture_default_str();
  cmd.add_option("--window", flags.window,
                 "for 8/16-bit output, the values mapped to 0 and the maximum: LO:HI, minmax, or pLO:pHI "
                 "percentiles (e.g. p1:p99); values outside are clipped")
      ->capture_default_str();
}

void add_read_flags(CLI::App& cmd, ImageReadFlags& flags) {
  cmd.add_option("--scaling", flags.scaling,
                 "input pixel scaling: auto (8/16-bit PNG/TIFF to [0,1], other formats as stored), unit "
                 "(every unsigned integer type to [0,1]) or stored")
      ->check(CLI::IsMember({"auto", "unit", "stored"}))
      ->capture_default_str();
}

io::WriteOptions write_options(const ImageWriteFlags& flags) {
  io::WriteOptions o;
  o.pixel = flags.bits == "8"    ? io::PixelType::UInt8
            : flags.bits == "16" ? io::PixelType::UInt16
            : flags.bits == "32" ? io::PixelType::Float32
                                 : io::PixelType::Auto;
  if (flags.window == "minmax") {
    o.window.kind = io::Window::Kind::MinMax;
    return o;
  }
  const auto colon = flags.window.find(':');
  if (colon == std::string::npos)
    usage_error("--window: '" + flags.window + "' is not LO:HI, minmax or pLO:pHI");
  std::string lo = flags.window.substr(0, colon), hi = flags.window.substr(colon + 1);
  if (!lo.empty() && lo[0] == 'p' && !hi.empty() && hi[0] == 'p') {
    o.window.kind = io::Window::Kind::Percentile;
    lo.erase(0, 1);
    hi.erase(0, 1);
  }
  const NumberRange range = o.window.kind == io::Window::Kind::Percentile ? between(0, 100) : any_finite();
  o.window.lo = parse_number(lo, "--window '" + flags.window + "'", range);
  o.window.hi = parse_number(hi, "--window '" + flags.window + "'", range);
  if (!(o.window.lo < o.window.hi)) usage_error("--window: '" + flags.window + "' needs LO < HI");
  return o;
}

io::ReadOptions read_options(const ImageReadFlags& flags) {
  io::ReadOptions o;
  o.scaling = flags.scaling == "unit"     ? io::PixelScaling::Unit
              : flags.scaling == "stored" ? io::PixelScaling::Stored
                                          : io::PixelScaling::Auto;
  return o;
}

bool ssim_defined(const Shape& s) {
  if (s.ndim() != 2 && s.ndim() != 3) return false;
  for (int a = 0; a < s.ndim(); ++a)
    if (s[a] < 11) return false;
  return true;
}

std::vector<index_t> shape_json(const Shape& s) {
  std::vector<index_t> v;
  for (int a = 0; a < s.ndim(); ++a) v.push_back(s[a]);
  return v;
}

}  // namespace recon::cli
