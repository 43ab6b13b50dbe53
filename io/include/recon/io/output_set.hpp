// A command's outputs as one unit (DESIGN.md section 7: outputs are written atomically). Between
// begin_outputs() and commit_outputs() every atomic write (atomic_file.hpp) stays in its hidden
// temporary; commit_outputs() renames them all into place, abort_outputs() removes them, so a
// command that fails after writing one output leaves none. Outside a transaction (library use)
// each write is renamed into place when it completes. A second write to the same path within one
// transaction replaces the first.
#pragma once

#include <string>

namespace recon::io {

void begin_outputs();

// Renames every staged output into place, in the order written; IoError when one cannot be
// (the ones not yet renamed are removed).
void commit_outputs();

// Removes every staged output; the transaction ends.
void abort_outputs() noexcept;

// Records a file the command reads (read_image calls it; the CLI for its JSON inputs): while
// the transaction is open, an output whose path, sidecar or data file is this file (or its .raw
// sidecar, or a MetaImage/NRRD header's data file) is refused with IoError. Outside a
// transaction nothing is recorded.
void note_input(const std::string& path);

// An output the command will write (the CLI calls it while parsing): refused at once, before
// any work, when it or its .raw sidecar is an input noted so far or later, or is written by
// another output named before. Outside a transaction nothing is recorded.
void note_output(const std::string& path);

// SIGINT, SIGTERM and SIGHUP remove every temporary and staged output, then exit with
// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). SIGXFSZ and SIGPIPE are
// ignored: past a file size limit a write fails with EFBIG (an error, and nothing is left).
void install_cleanup_on_signals();

// begin_outputs() on construction; abort_outputs() on destruction unless commit_outputs() ran.
class OutputTransaction {
 public:
  OutputTransaction() { begin_outputs(); }
  ~OutputTransaction() { abort_outputs(); }
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;
};

}  // namespace recon::io
