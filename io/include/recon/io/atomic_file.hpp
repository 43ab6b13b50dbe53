// Writing a file so that readers never see half of it (DESIGN.md section 7): the bytes go
// to a temporary file in the target's directory, which is renamed over the target only
// after a successful write, flush, close and fsync; inside an output transaction
// (output_set.hpp) the rename waits for commit_outputs(). A signal handled by
// install_cleanup_on_signals() removes the temporary.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace recon::io {

// Calls write(stream) on a temporary file next to `path`, then renames it to `path`. If
// write throws or the stream fails, the temporary is removed and IoError names `path`;
// IoError also when `path` is a file the command read (output_set.hpp: note_input).
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// For writers that create their files themselves (ITK, a header plus a data file): calls
// write(tmp) where tmp has the file name of `path` inside a fresh hidden directory next to
// `path`; afterwards every file write left there is renamed into path's directory (the one
// named like `path` last, so a header never points at missing data) and the directory is
// removed. If write throws, nothing is left behind and the error propagates.
void write_files_atomically(const std::string& path,
                            const std::function<void(const std::string& tmp)>& write);

}  // namespace recon::io
