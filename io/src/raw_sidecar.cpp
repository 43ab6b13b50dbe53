// The raw format's JSON sidecar (format_checks.hpp, raw.hpp). Every key is checked for its
// type and range here and reported by name; nlohmann's own exception text (type_error.302 and
// the like) never reaches a message.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "format_checks.hpp"
#include "quote.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

using Json = nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("its sidecar '" + path + "' is invalid: " + what);
}

const char* type_name(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_string()) return "a string";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  return "an object";
}

// A required string key that must hold `want`.
void require_string(const std::string& path, const Json& j, const char* key, const char* want) {
  const auto it = j.find(key);
  if (it == j.end())
    fail(path, std::string("no \"") + key + "\" key (expected \"" + key + "\": \"" + want + "\")");
  if (!it->is_string())
    fail(path,
         std::string("\"") + key + "\" is " + type_name(*it) + " (expected the string \"" + want + "\")");
  const auto& s = it->get_ref<const std::string&>();
  if (s != want)
    fail(path, std::string("\"") + key + "\" is " + excerpt(s) + " (expected \"" + want + "\"; only " + want +
                   " is supported)");
}

Shape shape_of(const std::string& path, const Json& j) {
  const auto it = j.find("shape");
  if (it == j.end()) fail(path, "no \"shape\" key (expected \"shape\": an array of 1 to 4 extents)");
  if (!it->is_array() || it->empty() || it->size() > static_cast<std::size_t>(Shape::kMaxAxes))
    fail(path,
         std::string("\"shape\" is ") +
             (it->is_array() ? "an array of " + std::to_string(it->size()) : std::string(type_name(*it))) +
             " (expected an array of 1 to 4 extents)");
  Shape shape;
  for (std::size_t a = 0; a < it->size(); ++a) {
    const Json& e = (*it)[a];
    const std::string where = "\"shape\" entry " + std::to_string(a);
    if (!e.is_number()) fail(path, where + " is " + type_name(e) + " (expected a positive integer)");
    if (e.is_number_float()) fail(path, where + " is " + e.dump() + " (expected a positive integer)");
    if (e.is_number_integer() && !e.is_number_unsigned() && e.get<std::int64_t>() < 0)
      fail(path, where + " is " + e.dump() + " (expected a positive integer)");
    const std::uint64_t v = e.get<std::uint64_t>();
    if (v == 0) fail(path, where + " is 0: the array would be empty (expected at least one element)");
    if (v > static_cast<std::uint64_t>(std::numeric_limits<index_t>::max()))
      fail(path, where + " is " + e.dump() + " (expected at most 2^63 - 1)");
    shape.push_back(static_cast<index_t>(v));
  }
  return shape;
}

std::vector<double> axis_values(const std::string& path, const Json& j, const char* key, int ndim,
                                bool positive) {
  const auto it = j.find(key);
  if (it == j.end()) return {};
  const std::string expected = std::string("expected an array of ") + std::to_string(ndim) + " finite" +
                               (positive ? " positive" : "") + " numbers, one per axis of the shape";
  if (!it->is_array() || static_cast<int>(it->size()) != ndim)
    fail(path,
         std::string("\"") + key + "\" is " +
             (it->is_array() ? "an array of " + std::to_string(it->size()) : std::string(type_name(*it))) +
             " (" + expected + ")");
  std::vector<double> out;
  for (std::size_t a = 0; a < it->size(); ++a) {
    const Json& e = (*it)[a];
    const double v = e.is_number() ? e.get<double>() : std::nan("");
    if (!std::isfinite(v) || (positive && !(v > 0)))
      fail(path, std::string("\"") + key + "\" entry " + std::to_string(a) + " is " +
                     (e.is_number() ? e.dump() : std::string(type_name(e))) + " (" + expected + ")");
    out.push_back(v);
  }
  return out;
}

}  // namespace

RawSidecar parse_raw_sidecar(const std::string& path, std::string_view text) {
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    fail(path, "not valid JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  } catch (const Json::out_of_range&) {
    fail(path, "not valid JSON (a number is out of range)");
  } catch (const Json::exception&) {
    fail(path, "not valid JSON");
  }
  if (!j.is_object())
    fail(path, std::string("it holds ") + type_name(j) +
                   " (expected a JSON object with \"dtype\", \"byte_order\" and \"shape\")");
  const auto format = j.find("format");
  if (format != j.end()) require_string(path, j, "format", "recon-raw");
  require_string(path, j, "dtype", "float32");
  require_string(path, j, "byte_order", "little");
  RawSidecar s;
  s.shape = shape_of(path, j);
  s.spacing = axis_values(path, j, "spacing", s.shape.ndim(), true);
  s.origin = axis_values(path, j, "origin", s.shape.ndim(), false);
  return s;
}

}  // namespace recon::io::detail
