// Internal to io/: what an ITK exception may contribute to a reader's error line. ITK's
// descriptions are sometimes one useful sentence ("Unsupported NIfTI data type"), sometimes
// several lines with object addresses, source locations or hidden temporary paths; only the
// first kind is kept.
#pragma once

#include <string>

namespace recon::io::detail {

inline std::string readable_itk_description(std::string description, const std::string& format_label) {
  while (!description.empty() &&
         (description.back() == '\n' || description.back() == '\r' || description.back() == ' '))
    description.pop_back();
  // "ITK ERROR: TIFFImageIO(0x55fc75784e50): Unable to read ..." keeps what follows the object.
  if (description.rfind("ITK ERROR: ", 0) == 0) {
    const auto object_end = description.find("): ");
    if (object_end != std::string::npos) description.erase(0, object_end + 3);
  }
  bool plain = !description.empty() && description.size() <= 160;
  for (char c : description)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) plain = false;
  for (const char* leak : {"0x", "/tmp/", "/.", "itk::", ".cxx", ".cpp", ".h:"})
    if (description.find(leak) != std::string::npos) plain = false;
  if (!plain) return "the " + format_label + " reader rejected it (damaged or unsupported file)";
  return "the " + format_label + " reader rejected it (" + description + ")";
}

}  // namespace recon::io::detail
