// Strict parsing of option values. CLI11 alone accepts "nan", "1e400" (as inf), a seed of -1
// (wrapped to 2^64 - 1), hexadecimal, and drops empty items of a list ("1,,2" is two values);
// its range messages print DBL_MAX in full. These checks refuse all of that with one short
// line: "--lambda: -1 is out of range; expected a finite value >= 0".
#pragma once

#include <CLI/CLI.hpp>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace recon::cli {

// What a numeric option accepts: an interval (each end open or closed) of reals or integers.
struct NumberRange {
  double lo = -HUGE_VAL, hi = HUGE_VAL;
  bool lo_open = false, hi_open = false, integer = false;
  // A bound for sanity rather than meaning (1e12 for a weight): stated only to a value beyond it.
  bool quiet_hi = false;

  std::string describe(bool show_quiet = false) const {
    const auto num = [](double v) {
      char text[32];
      std::snprintf(text, sizeof text, "%.12g", v);
      return std::string(text);
    };
    const std::string kind = integer ? "an integer" : "a finite value";
    const bool has_lo = std::isfinite(lo) && !(show_quiet && quiet_hi),
               has_hi = std::isfinite(hi) && !(integer && hi >= double(INT_MAX)) && (!quiet_hi || show_quiet);
    if (has_lo && has_hi)
      return kind + " in " + (lo_open ? "(" : "[") + num(lo) + ", " + num(hi) + (hi_open ? ")" : "]");
    if (has_lo) return kind + (lo_open ? " > " : " >= ") + num(lo);
    if (has_hi) return kind + (hi_open ? " < " : " <= ") + num(hi);
    return kind;
  }
  bool contains(double v) const { return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi); }
};

inline NumberRange at_least(double lo) { return {lo, HUGE_VAL, false, false, false}; }
inline NumberRange above(double lo) { return {lo, HUGE_VAL, true, false, false}; }
inline NumberRange any_finite() { return {}; }
// A weight (--lambda) or a penalty parameter (--rho): beyond 1e12 the solvers' float32
// arithmetic overflows and fails in some internal function instead.
inline NumberRange weight_range() { return {0, 1e12, false, false, false, true}; }
inline NumberRange rho_range() { return {1e-12, 1e12, false, false, false, true}; }
inline NumberRange between(double lo, double hi, bool lo_open = false, bool hi_open = false) {
  return {lo, hi, lo_open, hi_open, false};
}
// Integers for an `int` option (INT_MAX at most, so that the conversion never fails later).
inline NumberRange int_at_least(long long lo) { return {double(lo), double(INT_MAX), false, false, true}; }
// Integers for an index_t option (sizes and counts), which the memory checks bound later.
inline NumberRange count_at_least(long long lo) { return {double(lo), 9.2e18, false, false, true}; }
// A random seed (std::uint64_t): a negative one must not wrap to 2^64 - 1.
inline NumberRange seed_range() { return {0, 18446744073709551615.0, false, false, true}; }

// The value of `text` when it is a plain decimal number (no hex, nan, inf, spaces); nullopt
// otherwise. `overflow` is set when it is a number too large for a double.
inline std::optional<double> parse_decimal(const std::string& text, bool integer, bool* overflow = nullptr) {
  if (overflow) *overflow = false;
  if (text.empty() ||
      text.find_first_not_of(integer ? "+-0123456789" : "+-.0123456789eE") != std::string::npos)
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || end == text.c_str()) return std::nullopt;
  if (errno == ERANGE && std::fabs(v) > 1) {
    if (overflow) *overflow = true;
    return std::nullopt;
  }
  return v;
}

// The message of a value outside `range`, or "" when it is fine.
inline std::string number_problem(const std::string& text, const NumberRange& range) {
  bool overflow = false;
  const std::optional<double> v = parse_decimal(text, range.integer, &overflow);
  const std::string expected = "expected " + range.describe();
  if (overflow) return text + " is out of range; " + expected;
  if (!v) {
    const bool real = parse_decimal(text, false).has_value();
    return "'" + text + "' is not " + (range.integer && real ? "an integer" : "a number") + "; " + expected;
  }
  if (!range.contains(*v)) {
    const bool above_quiet = range.quiet_hi && (range.hi_open ? *v >= range.hi : *v > range.hi);
    return text + " is out of range; " + (above_quiet ? "expected " + range.describe(true) : expected);
  }
  return "";
}

// A CLI11 check with the short message; CLI11 prefixes the option's name.
inline CLI::Validator number_check(const NumberRange& range) {
  return CLI::Validator([range](std::string& text) { return number_problem(text, range); }, range.describe());
}

// A bad option value found after CLI11's parse (a list, a key=value, a size): a usage error
// like CLI11's own, so that every bad command line exits with 2.
[[noreturn]] inline void usage_error(const std::string& message) { throw CLI::ValidationError(message); }

// The same checks for values parsed outside CLI11: a usage error "<where>: <problem>".
inline double parse_number(const std::string& text, const std::string& where, const NumberRange& range = {}) {
  const std::string problem = number_problem(text, range);
  if (!problem.empty()) usage_error(where + ": " + problem);
  return *parse_decimal(text, range.integer);
}

// Items of a `sep`-separated list; an empty list or an empty item is an error (CLI11 would
// silently drop it).
inline std::vector<std::string> split_list(const std::string& text, char sep, const std::string& where) {
  if (text.empty()) usage_error(where + ": the list is empty; expected at least one value");
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    const std::string item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (item.empty())
      usage_error(where + ": '" + text + "' has an empty item; expected values separated by '" +
                  std::string(1, sep) + "'");
    items.push_back(item);
    if (end == std::string::npos) return items;
    start = end + 1;
  }
}

inline std::vector<double> parse_number_list(const std::string& text, char sep, const std::string& where,
                                             const NumberRange& range = {}) {
  std::vector<double> values;
  for (const std::string& item : split_list(text, sep, where))
    values.push_back(parse_number(item, where, range));
  return values;
}

}  // namespace recon::cli
