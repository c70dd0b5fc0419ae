#pragma once
// Typed errors.  The library throws them with a message that names the place (file, row, key,
// parameter); only the command-line program prints them, and it exits with status 2.

#include <stdexcept>
#include <string>

namespace mixup {

// Base of every error that means "the input or the request is wrong" (exit status 2).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A parameter outside the domain where the mathematics is defined (a negative alpha, a rank
// larger than the dimension, ...).  The message names the parameter and the allowed range.
class DomainError : public Error {
 public:
  using Error::Error;
};

// Bad input data or files: the message starts with "file:row:" or "file: key:".
class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace mixup
