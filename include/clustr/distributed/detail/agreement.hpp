#pragma once
// Collective argument checks: every rank learns of a bad argument on any
// rank and throws the same clustr::invalid_argument, so no rank is left
// waiting in a collective that the others never enter.
//   check_agreement(comm, {{"X.cols()", d}, {"params.k", k}, ...}): values
//     that must be equal on every rank (one allreduce).
//   collective_check(comm, [&] { local checks that may throw }): one
//     allreduce; if any rank threw, every rank throws the first one's error.

#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "clustr/core/errors.hpp"
#include "clustr/distributed/communicator.hpp"

namespace clustr::distributed::detail {

/// A named value that must agree across ranks.
struct agreed_value {
  const char* name;
  std::int64_t value;
};

/// The bits of a double, to compare it exactly across ranks.
inline std::int64_t bits_of(double x) {
  std::int64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

/// FNV-1a of a byte range (to compare e.g. initial centroids across ranks).
inline std::int64_t hash_bytes(const void* data, std::size_t bytes, std::uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

/// Throws clustr::invalid_argument on every rank, naming the first value
/// that differs between ranks. Collective.
inline void check_agreement(const communicator& comm, std::initializer_list<agreed_value> values) {
  // min of v and min of ~v (= -max - 1) in one allreduce.
  std::vector<std::int64_t> buf;
  buf.reserve(2 * values.size());
  for (const auto& v : values) buf.push_back(v.value);
  for (const auto& v : values) buf.push_back(~v.value);
  comm.allreduce(buf.data(), static_cast<index_t>(buf.size()), reduce_op::min);
  std::size_t i = 0;
  for (const auto& v : values) {
    const std::int64_t lo = buf[i], hi = ~buf[values.size() + i];
    if (lo != hi)
      clustr::detail::throw_invalid(v.name, clustr::detail::concat("[", lo, " .. ", hi, "] across ", comm.size(), " ranks"),
                                    "every rank must pass the same value");
    ++i;
  }
}

/// Runs `local` (argument checks that may throw) on every rank; if it threw
/// on any rank, every rank throws: the first failing rank its own
/// exception, the others a copy (clustr::invalid_argument with the same
/// argument, or std::runtime_error) whose message names that rank.
/// Collective.
template <class F>
void collective_check(const communicator& comm, F&& local) {
  int failed = 0, invalid = 0;
  std::string argument, message;
  std::exception_ptr ep;
  try {
    local();
  } catch (const clustr::invalid_argument& e) {
    failed = invalid = 1;
    argument = e.argument();
    message = e.what();
    ep = std::current_exception();
  } catch (const std::exception& e) {
    failed = 1;
    message = e.what();
    ep = std::current_exception();
  }
  const int me = comm.rank();
  const int first = comm.allreduce(failed ? me : INT_MAX, reduce_op::min);
  if (first == INT_MAX) return;
  invalid = comm.bcast(invalid, first);
  argument = comm.bcast(argument, first);
  message = comm.bcast(message, first);
  if (me == first) std::rethrow_exception(ep);
  message = clustr::detail::concat(message, " (on rank ", first, " of ", comm.size(), ")");
  if (invalid) throw clustr::invalid_argument(argument, message);
  throw std::runtime_error(message);
}

}  // namespace clustr::distributed::detail
