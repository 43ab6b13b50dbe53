// DICOM file-meta check (format_checks.hpp). GDCM asserts (and so aborts the process) on some
// malformed files, e.g. a 128-byte preamble and "DICM" with nothing after. This checks the
// DICOM Part 10 layout (PS3.10 section 7.1): preamble, "DICM", then group 0002 in explicit-VR
// little endian with a Transfer Syntax UID, then the whole data set (PS3.5 section 7): every
// element's length inside the file, sequences and encapsulated pixel data item by item.
#include <cstdint>
#include <cstring>

#include "format_checks.hpp"
#include "quote.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("cannot read '" + path + "': not a readable DICOM file (" + what + ")");
}

std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const unsigned char* p) {
  return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
         (std::uint32_t(p[3]) << 24);
}

// VRs whose explicit-VR header has two reserved bytes and a 32-bit length (PS3.5 7.1.2).
bool long_vr(std::string_view vr) {
  for (const char* v : {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"})
    if (vr == v) return true;
  return false;
}

std::string tag_name(std::uint16_t group, std::uint16_t element) {
  static const char hex[] = "0123456789ABCDEF";
  std::string s = "(";
  for (int shift = 12; shift >= 0; shift -= 4) s += hex[(group >> shift) & 15];
  s += ',';
  for (int shift = 12; shift >= 0; shift -= 4) s += hex[(element >> shift) & 15];
  return s + ")";
}

struct Element {
  std::uint16_t group = 0, element = 0;
  std::uint32_t length = 0;  // 0xFFFFFFFF: undefined
  std::size_t value = 0;     // offset of the value
};

// One element header at `pos`, explicit or implicit VR, little endian; IoError when it
// cannot be one or its defined length runs past the end of the file.
Element element_at(const std::string& path, std::string_view bytes, std::size_t pos, bool explicit_vr) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  if (size - pos < 8) fail(path, "the file ends inside an element header at byte " + std::to_string(pos));
  Element e;
  e.group = le16(p + pos);
  e.element = le16(p + pos + 2);
  const bool delimiter = e.group == 0xFFFE;  // items and delimiters carry no VR
  if (explicit_vr && !delimiter) {
    const std::string_view vr = bytes.substr(pos + 4, 2);
    if (!(vr[0] >= 'A' && vr[0] <= 'Z' && vr[1] >= 'A' && vr[1] <= 'Z'))
      fail(path, "element " + tag_name(e.group, e.element) + " at byte " + std::to_string(pos) + " has VR " +
                     excerpt(vr) + ", expected two upper-case letters");
    if (long_vr(vr)) {
      if (size - pos < 12)
        fail(path, "the file ends inside an element header at byte " + std::to_string(pos));
      e.length = le32(p + pos + 8);
      e.value = pos + 12;
    } else {
      e.length = le16(p + pos + 6);
      e.value = pos + 8;
    }
  } else {
    e.length = le32(p + pos + 4);
    e.value = pos + 8;
  }
  if (e.length != 0xFFFFFFFFu && e.length > size - e.value)
    fail(path, "element " + tag_name(e.group, e.element) + " at byte " + std::to_string(pos) + " claims " +
                   std::to_string(e.length) + " bytes, the file has " + std::to_string(size - e.value) +
                   " left");
  return e;
}

// Walks a data set from `pos`: every element's header and defined length inside [pos, end),
// sequences item by item, undefined lengths up to their delimiters. Returns the position after
// the data set, or after the item delimiter when `in_item` and one is found. GDCM reads the whole
// file this way and asserts where this throws.
class DataSetWalker {
 public:
  DataSetWalker(const std::string& path, std::string_view bytes, bool explicit_vr)
      : path_(path), bytes_(bytes), explicit_(explicit_vr) {}

  std::size_t walk(std::size_t pos, std::size_t end, int depth, bool in_item) {
    if (depth > kMaxDepth) fail(path_, "sequences nested more than " + std::to_string(kMaxDepth) + " deep");
    while (pos < end) {
      const Element e = element_at(path_, bytes_.substr(0, end), pos, explicit_);
      if (e.group == 0xFFFE) {
        if (in_item && e.element == 0xE00D) return e.value;
        fail(path_, "an unexpected item or delimiter " + tag_name(e.group, e.element) + " at byte " +
                        std::to_string(pos));
      }
      const bool sequence = is_sequence(pos, e);
      if (e.length == 0xFFFFFFFFu) {
        if (!sequence && !(e.group == 0x7FE0 && e.element == 0x0010))
          fail(path_,
               "element " + tag_name(e.group, e.element) + " at byte " + std::to_string(pos) +
                   " has an undefined length, expected one only for sequences and encapsulated pixel data");
        pos = items(e.value, end, depth, sequence, true);
      } else {
        if (sequence) items(e.value, e.value + e.length, depth, true, false);
        pos = e.value + e.length;
      }
    }
    if (in_item) fail(path_, "the file ends inside an item without its delimiter");
    return pos;
  }

 private:
  static constexpr int kMaxDepth = 32;

  bool is_sequence(std::size_t pos, const Element& e) const {
    if (explicit_)
      return bytes_.substr(pos + 4, 2) == "SQ" ||
             (e.length == 0xFFFFFFFFu && bytes_.substr(pos + 4, 2) == "UN");
    return e.length == 0xFFFFFFFFu && !(e.group == 0x7FE0 && e.element == 0x0010);
  }

  // Items (FFFE,E000) from `pos`: nested data sets when `nested`, else pixel data fragments;
  // up to the sequence delimiter when `undefined`, else to `end`.
  std::size_t items(std::size_t pos, std::size_t end, int depth, bool nested, bool undefined) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data());
    while (pos < end) {
      if (end - pos < 8) fail(path_, "the file ends inside an item header at byte " + std::to_string(pos));
      const std::uint16_t group = le16(p + pos), element = le16(p + pos + 2);
      const std::uint32_t length = le32(p + pos + 4);
      if (group != 0xFFFE || (element != 0xE000 && element != 0xE0DD))
        fail(path_,
             "expected an item at byte " + std::to_string(pos) + ", found " + tag_name(group, element));
      pos += 8;
      if (element == 0xE0DD) {
        if (!undefined) fail(path_, "a sequence delimiter inside a sequence of defined length");
        return pos;
      }
      if (length == 0xFFFFFFFFu) {
        if (!nested)
          fail(path_, "a pixel data fragment of undefined length at byte " + std::to_string(pos - 8));
        pos = walk(pos, end, depth + 1, true);
      } else {
        if (length > end - pos)
          fail(path_, "an item at byte " + std::to_string(pos - 8) + " claims " + std::to_string(length) +
                          " bytes, " + std::to_string(end - pos) + " are left");
        if (nested) walk(pos, pos + length, depth + 1, false);
        pos += length;
      }
    }
    if (undefined) fail(path_, "the file ends inside a sequence without its delimiter");
    return pos;
  }

  const std::string& path_;
  std::string_view bytes_;
  bool explicit_;
};

}  // namespace

void validate_dicom_bytes(const std::string& path, std::string_view bytes) {
  if (bytes.size() < 132 || bytes.substr(128, 4) != "DICM")
    fail(path, "expected a 128-byte preamble followed by \"DICM\"");
  std::size_t pos = 132;
  std::string transfer_syntax;
  bool any_meta = false;
  while (bytes.size() - pos >= 2 &&
         le16(reinterpret_cast<const unsigned char*>(bytes.data()) + pos) == 0x0002) {
    const Element e = element_at(path, bytes, pos, true);
    if (e.length == 0xFFFFFFFFu)
      fail(path, "file meta element " + tag_name(e.group, e.element) + " has an undefined length");
    if (e.element == 0x0010) {
      transfer_syntax.assign(bytes.substr(e.value, e.length));
      while (!transfer_syntax.empty() && (transfer_syntax.back() == '\0' || transfer_syntax.back() == ' '))
        transfer_syntax.pop_back();
    }
    any_meta = true;
    pos = e.value + e.length;
  }
  if (!any_meta) fail(path, "no file meta information (group 0002) after \"DICM\"");
  if (transfer_syntax.empty()) fail(path, "no Transfer Syntax UID (0002,0010) in the file meta information");
  for (char c : transfer_syntax)
    if (!((c >= '0' && c <= '9') || c == '.'))
      fail(path, "the Transfer Syntax UID " + excerpt(transfer_syntax) + " is not a UID (digits and dots)");
  if (pos >= bytes.size()) fail(path, "no data set after the file meta information");
  // Implicit VR little endian is the one syntax without VRs; deflated and big-endian data
  // sets are left to GDCM.
  if (transfer_syntax == "1.2.840.10008.1.2.1.99" || transfer_syntax == "1.2.840.10008.1.2.2") return;
  const bool explicit_vr = transfer_syntax != "1.2.840.10008.1.2";
  const Element first = element_at(path, bytes, pos, explicit_vr);
  if (first.group < 0x0008 && first.group != 0x0002)
    fail(path, "the data set starts with element " + tag_name(first.group, first.element) +
                   ", expected group 0008 or later");
  DataSetWalker(path, bytes, explicit_vr).walk(pos, bytes.size(), 0, false);
}

void validate_dicom(const std::string& path) {
  validate_dicom_bytes(path, read_small_file(path, std::uint64_t(1) << 32, "the DICOM file"));
}

}  // namespace recon::io::detail
