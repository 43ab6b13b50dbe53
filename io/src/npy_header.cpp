// The .npy header dict (format_checks.hpp). NumPy writes it with repr(), so it is a Python
// dict literal with exactly three keys; this parser accepts that literal in any key order
// and spacing, with or without trailing commas, and nothing else. Every loop is bounded by
// the header's length and every number is overflow-checked, so any bytes give a result or
// one IoError line.
#include <cstdint>
#include <limits>

#include "format_checks.hpp"
#include "quote.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

class DictParser {
 public:
  DictParser(const std::string& path, std::string_view text) : path_(path), text_(text) {}

  NpyHeader parse() {
    bool have_descr = false, have_order = false, have_shape = false;
    NpyHeader h;
    skip_space();
    expect('{', "the header to start with '{'");
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal("a quoted key");
      skip_space();
      expect(':', "':' after the key " + excerpt(key));
      skip_space();
      if (key == "descr") {
        if (have_descr) fail("the key 'descr' appears twice");
        h.dtype = string_literal("a quoted dtype after 'descr'");
        have_descr = true;
      } else if (key == "fortran_order") {
        if (have_order) fail("the key 'fortran_order' appears twice");
        if (boolean_literal()) fail("Fortran-order arrays are not supported (save with C order)");
        have_order = true;
      } else if (key == "shape") {
        if (have_shape) fail("the key 'shape' appears twice");
        h.shape = shape_tuple();
        have_shape = true;
      } else {
        fail("unexpected key " + excerpt(key) +
             " in the header (expected 'descr', 'fortran_order' and 'shape')");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail_expected("',' or '}' after the value of " + excerpt(key));
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) fail_expected("nothing but padding after the header's '}'");
    if (!have_descr) fail("no 'descr' in header");
    if (!have_order) fail("no 'fortran_order' in header");
    if (!have_shape) fail("no 'shape' in header");
    if (npy_item_size(h.dtype) == 0)
      fail("dtype " + excerpt(h.dtype) +
           " is not supported (expected little-endian float32, float64, uint8, uint16, int16 or int32)");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw IoError("'" + path_ + "' is not a readable .npy file: " + what);
  }
  [[noreturn]] void fail_expected(const std::string& expected) const {
    if (pos_ >= text_.size()) fail("the header ends early (expected " + expected + ")");
    fail("unexpected " + excerpt(text_.substr(pos_), 12) + " at byte " + std::to_string(pos_) +
         " of the header (expected " + expected + ")");
  }

  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c, const std::string& expected) {
    if (peek() != c || pos_ >= text_.size()) fail_expected(expected);
    ++pos_;
  }

  // 'text' or "text" without escapes: NumPy's keys and dtype strings never need any.
  std::string string_literal(const std::string& expected) {
    const char q = peek();
    if (q != '\'' && q != '"') fail_expected(expected);
    const std::size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != q) {
      if (text_[pos_] == '\\' || text_[pos_] == '\n') fail_expected("a plain quoted string");
      ++pos_;
    }
    if (pos_ >= text_.size())
      fail("unterminated string " + excerpt(text_.substr(start - 1)) + " in the header");
    return std::string(text_.substr(start, pos_++ - start));
  }

  bool boolean_literal() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail_expected("True or False after 'fortran_order'");
  }

  // (), (n,), (n, m), ... with at most Shape::kMaxAxes non-negative integers.
  Shape shape_tuple() {
    expect('(', "a tuple such as (3, 4) after 'shape'");
    Shape shape;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      const index_t extent = integer();
      if (shape.ndim() == Shape::kMaxAxes)
        fail("the shape has more than " + std::to_string(Shape::kMaxAxes) + " axes (at most " +
             std::to_string(Shape::kMaxAxes) + " supported)");
      shape.push_back(extent);
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') fail_expected("',' or ')' in the shape tuple");
    }
    ++pos_;
    return shape;
  }

  index_t integer() {
    const std::size_t start = pos_;
    index_t v = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const index_t digit = text_[pos_] - '0';
      if (v > (std::numeric_limits<index_t>::max() - digit) / 10) {
        while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        fail("shape entry " + excerpt(text_.substr(start, pos_ - start)) +
             " is too large (at most 2^63 - 1)");
      }
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) fail_expected("a non-negative integer in the shape tuple");
    if (peek() == 'L') ++pos_;  // Python 2's long suffix, still found in old files
    return v;
  }

  const std::string& path_;
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::size_t npy_item_size(std::string_view dtype) {
  if (dtype == "<f4" || dtype == "<i4") return 4;
  if (dtype == "<f8") return 8;
  if (dtype == "|u1" || dtype == "<u1") return 1;
  if (dtype == "<u2" || dtype == "<i2") return 2;
  return 0;
}

NpyHeader parse_npy_header(const std::string& path, std::string_view header) {
  return DictParser(path, header).parse();
}

}  // namespace recon::io::detail
