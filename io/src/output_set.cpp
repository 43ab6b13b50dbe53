// The output transaction and the record of a command's inputs (recon/io/output_set.hpp).
#include "recon/io/output_set.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "live_temporaries.hpp"
#include "output_set.hpp"
#include "recon/io/raw.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

namespace fs = std::filesystem;

namespace {

struct State {
  std::mutex mutex;
  bool open = false;
  std::vector<detail::FinishedTemporary> staged;
  std::vector<std::pair<std::string, std::string>> inputs;  // canonical path, as given
  std::vector<std::string> planned;                         // outputs named on the command line
};

State& state() {
  static State s;
  return s;
}

std::string canonical(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path, ec).lexically_normal().string() : p.string();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

// The data file a MetaImage (.mhd: "ElementDataFile = x.raw") or detached NRRD header (.nhdr:
// "data file: x.raw.gz") names, next to the header; empty when the data is inline, a list or a
// numbered pattern.
std::string header_data_file(const std::string& header) {
  const std::string name = lower(header);
  const bool mhd = ends_with(name, ".mhd") || ends_with(name, ".mha");
  if (!mhd && !ends_with(name, ".nhdr")) return {};
  // Headers are text of a few hundred bytes; a damaged one may be binary without a newline.
  std::string head(64 * 1024, '\0');
  std::ifstream file(header, std::ios::binary);
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(file.gcount()));
  std::istringstream in(head);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t sep = line.find(mhd ? '=' : ':');
    if (sep == std::string::npos) continue;
    const std::string key = lower(trim(line.substr(0, sep)));
    if (key != (mhd ? "elementdatafile" : "data file") && key != "datafile") continue;
    const std::string value = trim(line.substr(sep + 1));
    if (value.empty() || value == "LOCAL" || value == "LIST" || value.find('%') != std::string::npos ||
        value.find(' ') != std::string::npos)
      return {};
    const fs::path p(value);
    return p.is_absolute() ? value : (fs::path(header).parent_path() / p).string();
  }
  return {};
}

// The canonical paths an output named on the command line writes: itself, and a .raw's sidecar.
std::vector<std::string> files_written(const std::string& output) {
  std::vector<std::string> files{canonical(output)};
  if (ends_with(lower(output), ".raw")) files.push_back(canonical(raw_sidecar_path(output)));
  return files;
}

[[noreturn]] void throw_clash(const std::string& output, const std::string& input) {
  throw IoError("output '" + output + "' would overwrite '" + input +
                "', an input of this command (choose another output name)");
}

// An output named on the command line against one input: its path, or a .raw output's sidecar.
void refuse_clash(const std::string& output, const std::pair<std::string, std::string>& input) {
  if (canonical(output) == input.first) throw_clash(output, input.second);
  if (ends_with(lower(output), ".raw") && canonical(raw_sidecar_path(output)) == input.first)
    throw_clash(output, input.second);
}

void remove_now(const detail::FinishedTemporary& t) noexcept {
  std::error_code ec;
  fs::remove_all(t.temporary, ec);
  detail::forget_temporary(t.slot);
}

// Renames a complete temporary into place; throws IoError naming the target.
void place(const detail::FinishedTemporary& t) {
  const fs::path target(t.target);
  std::error_code ec;
  if (!t.directory) {
    if (std::rename(t.temporary.c_str(), t.target.c_str()) != 0)
      throw IoError("cannot write '" + t.target + "': cannot rename the temporary into place (" +
                    std::strerror(errno) + ")");
    detail::forget_temporary(t.slot);
    return;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const fs::path name = target.filename();
  for (const fs::directory_entry& e : fs::directory_iterator(t.temporary, ec)) {
    if (e.path().filename() == name) continue;
    fs::rename(e.path(), dir / e.path().filename(), ec);
    if (ec)
      throw IoError("cannot write '" + t.target + "': cannot rename '" + e.path().filename().string() +
                    "' into place (" + ec.message() + ")");
  }
  fs::rename(fs::path(t.temporary) / name, target, ec);
  if (ec)
    throw IoError("cannot write '" + t.target + "': cannot rename the temporary into place (" + ec.message() +
                  ")");
  fs::remove_all(t.temporary, ec);
  detail::forget_temporary(t.slot);
}

}  // namespace

void begin_outputs() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.open = true;
}

void commit_outputs() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  detail::RenamePhase renaming;
  std::size_t done = 0;
  try {
    for (; done < s.staged.size(); ++done) place(s.staged[done]);
  } catch (...) {
    for (std::size_t i = done; i < s.staged.size(); ++i) remove_now(s.staged[i]);
    s.staged.clear();
    s.inputs.clear();
    s.planned.clear();
    s.open = false;
    throw;
  }
  s.staged.clear();
  s.inputs.clear();
  s.planned.clear();
  s.open = false;
}

void abort_outputs() noexcept {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (const detail::FinishedTemporary& t : s.staged) remove_now(t);
  s.staged.clear();
  s.inputs.clear();
  s.planned.clear();
  s.open = false;
}

void note_input(const std::string& path) {
  if (path.empty()) return;
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.open) return;  // a library caller may well rewrite what it read
  const std::size_t first = s.inputs.size();
  s.inputs.emplace_back(canonical(path), path);
  if (ends_with(lower(path), ".raw"))
    s.inputs.emplace_back(canonical(raw_sidecar_path(path)), raw_sidecar_path(path));
  const std::string data = header_data_file(path);
  if (!data.empty()) s.inputs.emplace_back(canonical(data), data);
  for (std::size_t i = first; i < s.inputs.size(); ++i)
    for (const std::string& output : s.planned) refuse_clash(output, s.inputs[i]);
}

void note_output(const std::string& path) {
  if (path.empty()) return;
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.open) return;
  for (const auto& input : s.inputs) refuse_clash(path, input);
  for (const std::string& other : s.planned)
    for (const std::string& a : files_written(path))
      for (const std::string& b : files_written(other))
        if (a == b)
          throw IoError("outputs '" + other + "' and '" + path +
                        "' would overwrite each other (both write '" + b + "'); expected different names");
  s.planned.push_back(path);
}

void install_cleanup_on_signals() { detail::install_cleanup_on_signals(); }

namespace detail {

void refuse_input_overwrite(const std::string& output, const std::string& written) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.inputs.empty()) return;
  const std::string c = canonical(written);
  for (const auto& [path, given] : s.inputs)
    if (path == c) throw_clash(output, given);
}

void discard_temporary(const FinishedTemporary& t) noexcept { remove_now(t); }

void finish_output(FinishedTemporary t) {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mutex);
  if (!s.open) {
    lock.unlock();
    RenamePhase renaming;
    try {
      place(t);
    } catch (...) {
      remove_now(t);
      throw;
    }
    return;
  }
  const std::string key = canonical(t.target);
  for (FinishedTemporary& old : s.staged)
    if (canonical(old.target) == key) {
      remove_now(old);
      old = std::move(t);
      return;
    }
  s.staged.push_back(std::move(t));
}

}  // namespace detail

}  // namespace recon::io
