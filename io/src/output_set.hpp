// Internal to io/: how atomic_file.cpp hands a finished temporary to the output set
// (recon/io/output_set.hpp).
#pragma once

#include <string>

namespace recon::io::detail {

// A complete temporary: a file to rename to `target`, or a directory whose files all move into
// target's directory (the one named like target last, so a header never points at missing data).
struct FinishedTemporary {
  std::string target;
  std::string temporary;
  bool directory = false;
  int slot = -1;  // live_temporaries.hpp
};

// IoError "output 'OUTPUT' would overwrite 'WRITTEN', an input of this command" when `written`
// (OUTPUT itself, its sidecar or a data file) is a file the command read.
void refuse_input_overwrite(const std::string& output, const std::string& written);

// Renames it into place now, or stages it when a transaction is open. On error the temporary
// is removed and IoError names the target.
void finish_output(FinishedTemporary t);

// Removes a temporary (file or directory with its files) and forgets it.
void discard_temporary(const FinishedTemporary& t) noexcept;

}  // namespace recon::io::detail
