// One exception hierarchy for the whole library (DESIGN.md section 7). Messages say what
// went wrong, where, and what was expected; the CLI prints what() on one line.
#pragma once

#include <stdexcept>
#include <string>

namespace recon {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A parameter or option outside its domain.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// Arrays or operators whose shapes do not agree.
class ShapeMismatch : public Error {
 public:
  using Error::Error;
};

// Reading or writing a file failed, or its contents are not what was expected.
class IoError : public Error {
 public:
  using Error::Error;
};

// A device (CUDA) call failed, or a device was asked for that is not there.
class DeviceError : public Error {
 public:
  using Error::Error;
};

// An allocation on a device or on the host failed.
class OutOfMemory : public DeviceError {
 public:
  using DeviceError::DeviceError;
};

// Throws InvalidArgument("<where>: <what>") when cond is false; keeps the call sites short.
inline void require(bool cond, const std::string& where, const std::string& what) {
  if (!cond) throw InvalidArgument(where + ": " + what);
}

}  // namespace recon
