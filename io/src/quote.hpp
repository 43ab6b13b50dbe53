// Internal to io/: quoting text taken from a file inside an error message. The CLI prints a
// message on one line, so whatever a damaged file holds (newlines, control bytes, kilobytes of
// garbage) is escaped and shortened before it is quoted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace recon::io::detail {

// `text` in single quotes, bytes outside printable ASCII as \xNN, a quote as \', and cut to
// `max_chars` characters of the original followed by "..." when longer.
inline std::string excerpt(std::string_view text, std::size_t max_chars = 40) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (text.size() > max_chars) out += "...";
  return out + "'";
}

}  // namespace recon::io::detail
