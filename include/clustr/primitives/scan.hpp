#pragma once
// Inclusive and exclusive prefix scans (in place allowed). The generic form
// is a two-pass chunked scan over for_each with a fixed chunk size, so serial
// and OpenMP give the same bits. Device backends provide members
// inclusive_scan(in, out, op) and exclusive_scan(in, out, init, op) -> total.

#include <vector>

#include "clustr/core/errors.hpp"
#include "clustr/core/view.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/reduce.hpp"

namespace clustr {

namespace detail {

template <class Backend, class T, class Space>
void check_scan_args(const char* name, vector_view<const T, Space> in, vector_view<T, Space> out) {
  static_assert(can_access_v<Backend, Space>, "clustr scan: the backend cannot reach this memory");
  if (out.size() != in.size())
    throw_invalid(concat(name, ": out.size()"), out.size(), concat("must equal in.size() = ", in.size()));
}

/// Per-chunk totals of in (pass 1 of the host scans).
template <class Backend, class T, class Op>
std::vector<T> host_chunk_totals(const Backend& be, const T* in, index_t n, Op op) {
  const index_t chunks = (n + host_chunk - 1) / host_chunk;
  std::vector<T> totals(static_cast<std::size_t>(chunks));
  T* t = totals.data();
  for_each(be, chunks, [=](index_t c) {
    const index_t begin = c * host_chunk;
    const index_t end = begin + host_chunk < n ? begin + host_chunk : n;
    T acc = in[begin];
    for (index_t i = begin + 1; i < end; ++i) acc = op(acc, in[i]);
    t[c] = acc;
  });
  return totals;
}

}  // namespace detail

/// out[i] = in[0] op in[1] op ... op in[i].
template <class Backend, class T, class Space, class Op = plus>
void inclusive_scan(const Backend& be, vector_view<const T, Space> in, vector_view<T, Space> out, Op op = {}) {
  detail::check_scan_args<Backend>("inclusive_scan", in, out);
  const index_t n = in.size();
  if (n == 0) return;
  if constexpr (requires { be.inclusive_scan(in, out, op); }) {
    be.inclusive_scan(in, out, op);
  } else {
    detail::require_host_fallback<Backend>();
    std::vector<T> offset = detail::host_chunk_totals(be, in.data(), n, op);
    // offset[c] becomes the inclusive total of chunks [0, c); chunk 0 has none.
    for (std::size_t c = 1; c < offset.size(); ++c) offset[c] = op(offset[c - 1], offset[c]);
    const T* src = in.data();
    T* dst = out.data();
    const T* off = offset.data();
    for_each(be, static_cast<index_t>(offset.size()), [=](index_t c) {
      const index_t begin = c * detail::host_chunk;
      const index_t end = begin + detail::host_chunk < n ? begin + detail::host_chunk : n;
      T acc = c == 0 ? src[begin] : op(off[c - 1], src[begin]);
      dst[begin] = acc;
      for (index_t i = begin + 1; i < end; ++i) {
        acc = op(acc, src[i]);
        dst[i] = acc;
      }
    });
  }
}

/// out[i] = init op in[0] op ... op in[i-1]; returns the grand total
/// init op in[0] op ... op in[n-1] (e.g. the size for CSR offsets).
template <class Backend, class T, class Space, class Op = plus>
T exclusive_scan(const Backend& be, vector_view<const T, Space> in, vector_view<T, Space> out, T init = T(0),
                 Op op = {}) {
  detail::check_scan_args<Backend>("exclusive_scan", in, out);
  const index_t n = in.size();
  if (n == 0) return init;
  if constexpr (requires { be.exclusive_scan(in, out, init, op); }) {
    return be.exclusive_scan(in, out, init, op);
  } else {
    detail::require_host_fallback<Backend>();
    std::vector<T> totals = detail::host_chunk_totals(be, in.data(), n, op);
    // start[c] = init op totals[0] op ... op totals[c-1].
    std::vector<T> start(totals.size());
    T acc = init;
    for (std::size_t c = 0; c < totals.size(); ++c) {
      start[c] = acc;
      acc = op(acc, totals[c]);
    }
    const T* src = in.data();
    T* dst = out.data();
    const T* st = start.data();
    for_each(be, static_cast<index_t>(start.size()), [=](index_t c) {
      const index_t begin = c * detail::host_chunk;
      const index_t end = begin + detail::host_chunk < n ? begin + detail::host_chunk : n;
      T running = st[c];
      for (index_t i = begin; i < end; ++i) {
        const T v = src[i];  // read before write: in == out is allowed
        dst[i] = running;
        running = op(running, v);
      }
    });
    return acc;
  }
}

template <class Backend, class T, class Space, class Op = plus>
void inclusive_scan(const Backend& be, vector_view<T, Space> in, vector_view<T, Space> out, Op op = {}) {
  inclusive_scan(be, vector_view<const T, Space>(in), out, op);
}
template <class Backend, class T, class Space, class Op = plus>
T exclusive_scan(const Backend& be, vector_view<T, Space> in, vector_view<T, Space> out, T init = T(0), Op op = {}) {
  return exclusive_scan(be, vector_view<const T, Space>(in), out, init, op);
}

}  // namespace clustr
