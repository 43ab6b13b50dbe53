// Internal to io/: running a third-party call in a forked child first, for libraries that abort
// the process on some damaged inputs in ways no structure check can foresee (GDCM's codecs
// assert on garbled compressed pixel data).
#pragma once

#include <functional>

namespace recon::io::detail {

// Runs f in a forked child (stderr silenced) and reports whether the child was killed by a
// crash signal (SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL). Exceptions in the child, a child that
// cannot be forked, or one that outlives `timeout_seconds` (killed then) count as no crash: the
// caller then makes the call itself and reports its errors as usual.
bool crashes_in_child(const std::function<void()>& f, int timeout_seconds = 120);

}  // namespace recon::io::detail
