// Typed reading of the JSON inputs (CT geometry, CS operator spec, LPG-Net parameters).
// nlohmann::json's own errors name no file and no key and print its internal tags
// ("[json.exception.type_error.302] type must be number, but is string"), and get<>() wraps
// or truncates silently (a seed of -1 read as 2^64 - 1, 3.7 read as an int 3). Every read
// goes through here instead: one InvalidArgument "<file>: <key path>: <found>; expected
// <what>".
// Tests: tests/ct/test_geometry.cpp (CtGeometry.JsonErrorsNameTheField,
// JsonNumbersAreTypedAndBounded), tests/lpgnet/test_lpgnet.cpp (LpgNetParamsJson).
#pragma once

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "recon/kernels/error.hpp"

namespace recon::json_input {

using nlohmann::json;

// The whole text of `path`; IoError "cannot open <what> '<path>'" when it cannot be read (a
// folder included, which std::ifstream opens without complaint).
inline std::string read_text(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IoError("cannot open " + what + " '" + path + "': it is a folder; expected a JSON file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + what + " '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + what + " '" + path + "': " + std::strerror(errno));
  return text.str();
}

// The text of a JSON file, InvalidArgument naming `where` when it does not parse (a number
// such as 1e400 that no double holds included).
inline json parse(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::string why = e.what();
    const std::size_t tag = why.find("] ");
    if (tag != std::string::npos) why.erase(0, tag + 2);
    if (why.size() > 200) why = why.substr(0, 200) + "...";
    throw InvalidArgument(where + ": not valid JSON (" + why + ")");
  } catch (const json::exception&) {
    throw InvalidArgument(
        where + ": holds a number too large for a double (beyond 1.8e308); expected finite numbers");
  }
}

// A short description of a value for messages: 'the string "abc"', '-1', 'an array of 3 items'.
inline std::string found(const json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    return "the string \"" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "\"";
  }
  if (j.is_array()) return "an array of " + std::to_string(j.size()) + (j.size() == 1 ? " item" : " items");
  if (j.is_object()) return "an object";
  if (j.is_null()) return "null";
  return j.dump();
}

struct Reader {
  std::string where;  // the file, first in every message

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InvalidArgument(where + ": " + field + ": " + what);
  }
  [[noreturn]] void wrong(const json& j, const std::string& field, const std::string& expected) const {
    fail(field, "found " + found(j) + "; expected " + expected);
  }
  void only_keys(const json& j, const std::string& field, const std::set<std::string>& allowed) const {
    if (!j.is_object()) wrong(j, field, "an object");
    for (auto it = j.begin(); it != j.end(); ++it)
      if (!allowed.count(it.key())) {
        std::string list;
        for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
        fail(field + "." + it.key(), "unknown key (expected one of " + list + ")");
      }
  }
  const json& at(const json& j, const std::string& parent, const std::string& key) const {
    if (!j.is_object()) wrong(j, parent, "an object");
    if (!j.contains(key)) fail(parent + "." + key, "missing");
    return j.at(key);
  }
  double number(const json& j, const std::string& field) const {
    if (!j.is_number()) wrong(j, field, "a number");
    return j.get<double>();
  }
  double number_or(const json& j, const std::string& parent, const std::string& key, double fallback) const {
    return j.contains(key) ? number(j.at(key), parent + "." + key) : fallback;
  }
  // An integer in [lo, hi]; 3.0 is accepted, 3.5 and 1e30 are not.
  long long integer(const json& j, const std::string& field, long long lo,
                    long long hi = std::numeric_limits<long long>::max(), std::string expected = "") const {
    if (expected.empty())
      expected = hi == std::numeric_limits<long long>::max()
                     ? "an integer >= " + std::to_string(lo)
                     : "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (j.is_number_unsigned()) {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(hi) || static_cast<long long>(u) < lo) wrong(j, field, expected);
      return static_cast<long long>(u);
    }
    if (j.is_number_integer()) {
      const long long v = j.get<long long>();
      if (v < lo || v > hi) wrong(j, field, expected);
      return v;
    }
    if (j.is_number_float()) {
      const double d = j.get<double>();
      if (d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
        wrong(j, field, expected);
      return static_cast<long long>(d);
    }
    wrong(j, field, expected);
  }
  // A seed: any unsigned 64-bit integer (a negative one must not wrap).
  std::uint64_t seed(const json& j, const std::string& field) const {
    if (j.is_number_unsigned()) return j.get<std::uint64_t>();
    return static_cast<std::uint64_t>(integer(j, field, 0));
  }
  std::string string(const json& j, const std::string& field) const {
    if (!j.is_string()) wrong(j, field, "a string");
    return j.get<std::string>();
  }
  std::vector<double> numbers(const json& j, const std::string& field, std::size_t n) const {
    if (!j.is_array() || (n && j.size() != n))
      wrong(j, field, "an array of " + (n ? std::to_string(n) + " " : std::string()) + "numbers");
    std::vector<double> v;
    v.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
      v.push_back(number(j[i], field + "[" + std::to_string(i) + "]"));
    return v;
  }
};

}  // namespace recon::json_input
