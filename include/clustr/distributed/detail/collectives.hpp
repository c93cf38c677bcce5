#pragma once
// Collectives on a backend's own memory, for the distributed algorithms:
// host backends hand their buffers to MPI; device backends use the
// communicator's device collectives when it has them (nccl_communicator:
// NCCL on device buffers), otherwise the data is staged through host memory
// and MPI. `Comm` is clustr::distributed::communicator or
// nccl_communicator; host_comm(comm) is its MPI side (small host values,
// agreement checks).

#include <type_traits>
#include <vector>

#include "clustr/core/space.hpp"
#include "clustr/core/view.hpp"
#include "clustr/distributed/communicator.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::distributed::detail {

inline const communicator& host_comm(const communicator& c) { return c; }
template <class Comm>
  requires requires(const Comm& c) { c.host(); }
const communicator& host_comm(const Comm& c) {
  return c.host();
}

/// A host copy of n elements of backend memory.
template <class Backend, class T>
std::vector<T> to_host_vector(const Backend& be, const T* p, index_t n) {
  std::vector<T> h(static_cast<std::size_t>(n));
  if (n > 0)
    copy(be, vector_view<T, host_space>(h.data(), n), vector_view<const T, memory_space_t<Backend>>(p, n));
  return h;
}
/// n host elements into backend memory.
template <class Backend, class T>
void from_host(const Backend& be, const T* h, index_t n, T* p) {
  if (n > 0)
    copy(be, vector_view<T, memory_space_t<Backend>>(p, n), vector_view<const T, host_space>(h, n));
}

/// recv (backend memory) = every rank's `send` (count elements of backend
/// memory) concatenated in rank order; counts[r] = rank r's count.
template <class Backend, class Comm, class T>
void allgatherv(const Backend& be, const Comm& comm, const T* send, index_t count, T* recv,
                const std::vector<index_t>& counts) {
  if constexpr (is_host_backend_v<Backend>) {
    host_comm(comm).allgatherv(send, count, recv, counts);
  } else if constexpr (requires { comm.device_allgatherv(be, send, count, recv, counts); }) {
    comm.device_allgatherv(be, send, count, recv, counts);
  } else {
    index_t total = 0;
    for (const index_t c : counts) total += c;
    const auto hs = to_host_vector(be, send, count);
    std::vector<T> hr(static_cast<std::size_t>(total));
    host_comm(comm).allgatherv(hs.data(), count, hr.data(), counts);
    from_host(be, hr.data(), total, recv);
  }
}

/// Personalised exchange of backend memory (see communicator::alltoallv).
template <class Backend, class Comm, class T>
void alltoallv(const Backend& be, const Comm& comm, const T* send, const std::vector<index_t>& send_counts, T* recv,
               const std::vector<index_t>& recv_counts) {
  if constexpr (is_host_backend_v<Backend>) {
    host_comm(comm).alltoallv(send, send_counts, recv, recv_counts);
  } else if constexpr (requires { comm.device_alltoallv(be, send, send_counts, recv, recv_counts); }) {
    comm.device_alltoallv(be, send, send_counts, recv, recv_counts);
  } else {
    index_t ns = 0, nr = 0;
    for (const index_t c : send_counts) ns += c;
    for (const index_t c : recv_counts) nr += c;
    const auto hs = to_host_vector(be, send, ns);
    std::vector<T> hr(static_cast<std::size_t>(nr));
    host_comm(comm).alltoallv(hs.data(), send_counts, hr.data(), recv_counts);
    from_host(be, hr.data(), nr, recv);
  }
}

/// In place on backend memory: buf[i] = sum over ranks, added in rank order
/// (identical bits on every rank; independent of the MPI/NCCL algorithm).
template <class Backend, class Comm, class T>
void allreduce_sum_ordered(const Backend& be, const Comm& comm, T* buf, index_t count) {
  const int p = host_comm(comm).size();
  if (p == 1 || count == 0) return;
  if constexpr (is_host_backend_v<Backend>) {
    host_comm(comm).allreduce_sum_ordered(buf, count);
  } else {
    const index_t chunk = std::max<index_t>(1, (index_t(1) << 22) / p);
    const index_t c0 = std::min(chunk, count);
    auto all = make_vector<T>(be, c0 * p);
    for (index_t i0 = 0; i0 < count; i0 += chunk) {
      const index_t c = std::min(chunk, count - i0);
      allgatherv(be, comm, buf + i0, c, all.data(), std::vector<index_t>(static_cast<std::size_t>(p), c));
      const T* a = all.data();
      T* out = buf + i0;
      for_each(be, c, CLUSTR_LAMBDA(index_t i) {
        T s = a[i];
        for (int r = 1; r < p; ++r) s += a[r * c + i];
        out[i] = s;
      });
    }
  }
}

/// Global row offsets: off[r] = rows held by ranks before r; off[size] = total.
inline std::vector<index_t> row_offsets(const communicator& comm, index_t n_local) {
  return exclusive_offsets(comm.allgather(n_local));
}

/// out(r, j) = X(rows[r], j) on the backend (rows in backend memory).
template <class Backend, class T, class S>
void gather_local_rows(const Backend& be, matrix_view<const T, S> X, const index_t* rows, index_t m, T* out) {
  const index_t d = X.cols();
  for_each_2d(be, m, d, CLUSTR_LAMBDA(index_t i, index_t j) { out[i * d + j] = X(rows[i], j); });
}

}  // namespace clustr::distributed::detail
