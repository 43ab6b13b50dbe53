// JSON the commands print or write (summaries, logs). File names are bytes, not always UTF-8:
// nlohmann::json throws on an invalid byte when it dumps, which would turn a finished command
// into an error after its outputs were written. Such bytes are written as U+FFFD instead.
#pragma once

#include <nlohmann/json.hpp>

namespace recon::cli {

constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;

}  // namespace recon::cli
