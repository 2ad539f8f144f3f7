#pragma once
/// \file Exception hierarchy of rareshock. The library throws, never exits; the CLI maps
/// InputError to exit status 2 and every other Error to exit status 1.
#include <stdexcept>
#include <string>

namespace rareshock {

/// Base of every exception rareshock throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Invalid input (files, options, overrides). Message is a fully formatted diagnostic report.
class InputError : public Error {
 public:
  using Error::Error;
};

/// Failure while running a valid input (I/O, numerical trouble). Says when and where.
class RuntimeError : public Error {
 public:
  using Error::Error;
};

}  // namespace rareshock
