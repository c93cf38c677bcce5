#pragma once
// The exceptions clustr throws. Bad input is clustr::invalid_argument with a
// message that names the argument and its value; device failures are
// clustr::cuda_error; allocation failures are clustr::out_of_memory with the
// size asked for and the batch parameter that bounds it.

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace clustr {

/// Bad parameters, shape mismatches, non-finite input, empty input.
class invalid_argument : public std::invalid_argument {
 public:
  invalid_argument(std::string argument, const std::string& message)
      : std::invalid_argument(message), argument_(std::move(argument)) {}
  /// The name of the offending argument or parameter, e.g. "params.k".
  const std::string& argument() const noexcept { return argument_; }

 private:
  std::string argument_;
};

/// A CUDA runtime, cuBLAS or kernel-launch failure: names the call and the
/// CUDA message.
class cuda_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An allocation could not be satisfied: says how many bytes were asked for
/// and how to bound memory (the batch parameters of the params struct).
class out_of_memory : public std::runtime_error {
 public:
  out_of_memory(std::size_t bytes, const std::string& message)
      : std::runtime_error(message), bytes_(bytes) {}
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  std::size_t bytes_;
};

namespace detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream s;
  (s << ... << parts);
  return s.str();
}

/// Throws clustr::invalid_argument: "clustr: <argument> = <value>: <reason>".
template <class Value>
[[noreturn]] void throw_invalid(const std::string& argument, const Value& value,
                                const std::string& reason) {
  throw clustr::invalid_argument(
      argument, concat("clustr: ", argument, " = ", value, ": ", reason));
}

/// Throws clustr::invalid_argument naming only the argument (no single value).
[[noreturn]] inline void throw_invalid(const std::string& argument,
                                       const std::string& reason) {
  throw clustr::invalid_argument(argument, concat("clustr: ", argument, ": ", reason));
}

/// Throws clustr::out_of_memory for a failed allocation of `bytes`.
[[noreturn]] inline void throw_out_of_memory(std::size_t bytes, const std::string& where,
                                             const std::string& detail_message) {
  throw clustr::out_of_memory(
      bytes, concat("clustr: out of memory allocating ", bytes, " bytes (",
                    static_cast<double>(bytes) / (1024.0 * 1024.0), " MiB) in ", where,
                    ": ", detail_message,
                    ". Bound memory with the batch parameters of the params struct "
                    "(e.g. params.batch_rows)."));
}

}  // namespace detail
}  // namespace clustr
