#pragma once
// clustr::distributed::communicator: the MPI side of distributed clustr, on
// host buffers. A thin, typed wrapper over an MPI communicator (not owned):
// rank/size, barrier, allreduce (sum/min/max), an allreduce that adds in rank
// order (the same bits on every rank for any MPI algorithm), bcast,
// allgather(v), gatherv and alltoallv with 64-bit counts (messages above
// 2^31 elements are split). Every distributed algorithm also runs its
// argument-agreement checks through it (see detail/agreement.hpp).
//
// MPI must be initialised by the caller (MPI_Init, or the RAII
// clustr::distributed::environment below) before a communicator is used.

// Only MPI's C API is used: skip the C++ bindings (removed from MPI 3; they
// also warn under -Wextra and need libmpi_cxx).
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "clustr/core/config.hpp"
#include "clustr/core/errors.hpp"

namespace clustr::distributed {

/// An MPI call failed (MPI's own error string in the message).
class mpi_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reduction of allreduce().
enum class reduce_op { sum, min, max };

namespace detail {

inline void check_mpi(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw mpi_error(clustr::detail::concat("clustr: ", call, " failed: ", std::string(text, static_cast<std::size_t>(len))));
}

/// The MPI datatype of T (arithmetic types only).
template <class T>
MPI_Datatype mpi_type() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, long double>) return MPI_LONG_DOUBLE;
  else if constexpr (std::is_same_v<U, char>) return MPI_CHAR;
  else if constexpr (std::is_same_v<U, bool>) return MPI_CXX_BOOL;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 1) return MPI_INT8_T;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 2) return MPI_INT16_T;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 4) return MPI_INT32_T;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8) return MPI_INT64_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 1) return MPI_UINT8_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 2) return MPI_UINT16_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 4) return MPI_UINT32_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 8) return MPI_UINT64_T;
  else static_assert(sizeof(U) == 0, "clustr::distributed: no MPI datatype for this type");
}

inline MPI_Op mpi_op(reduce_op op) {
  switch (op) {
    case reduce_op::sum: return MPI_SUM;
    case reduce_op::min: return MPI_MIN;
    case reduce_op::max: return MPI_MAX;
  }
  return MPI_SUM;
}

/// Largest element count of one MPI call (MPI counts are int).
inline constexpr index_t max_mpi_count = index_t(1) << 30;

inline bool fits_int(const std::vector<index_t>& v) {
  index_t total = 0;
  for (const index_t x : v) total += x;
  return total <= index_t(INT_MAX);
}

inline std::vector<int> to_int(const std::vector<index_t>& v) { return std::vector<int>(v.begin(), v.end()); }

inline std::vector<index_t> exclusive_offsets(const std::vector<index_t>& counts) {
  std::vector<index_t> off(counts.size() + 1, 0);
  for (std::size_t r = 0; r < counts.size(); ++r) off[r + 1] = off[r] + counts[r];
  return off;
}

}  // namespace detail

/// MPI_Init_thread / MPI_Finalize for a program's lifetime (does nothing if
/// MPI is already initialised by someone else, and then does not finalise).
class environment {
 public:
  environment(int& argc, char**& argv) {
    int init = 0;
    MPI_Initialized(&init);
    if (!init) {
      int provided = 0;
      detail::check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      owns_ = true;
    }
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment() {
    int fin = 0;
    MPI_Finalized(&fin);
    if (owns_ && !fin) MPI_Finalize();
  }

 private:
  bool owns_ = false;
};

/// A typed view of an MPI communicator (default MPI_COMM_WORLD). Every member
/// is a collective over the communicator unless it says otherwise: every rank
/// must call it, in the same order.
class communicator {
 public:
  communicator() : comm_(MPI_COMM_WORLD) {}
  explicit communicator(MPI_Comm comm) : comm_(comm) {}

  MPI_Comm native() const { return comm_; }
  /// This process's rank (not collective).
  int rank() const {
    int r = 0;
    detail::check_mpi(MPI_Comm_rank(comm_, &r), "MPI_Comm_rank");
    return r;
  }
  /// Number of ranks (not collective).
  int size() const {
    int s = 0;
    detail::check_mpi(MPI_Comm_size(comm_, &s), "MPI_Comm_size");
    return s;
  }
  /// This rank's position among the ranks on its node: with one rank per
  /// GPU, its device is local_rank() % (GPUs per node).
  int local_rank() const {
    MPI_Comm node;
    detail::check_mpi(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
    int r = 0;
    MPI_Comm_rank(node, &r);
    MPI_Comm_free(&node);
    return r;
  }

  void barrier() const { detail::check_mpi(MPI_Barrier(comm_), "MPI_Barrier"); }

  /// In place: buf[i] = op over ranks of buf[i].
  template <class T>
  void allreduce(T* buf, index_t count, reduce_op op) const {
    for (index_t i = 0; i < count; i += detail::max_mpi_count) {
      const int c = static_cast<int>(std::min(detail::max_mpi_count, count - i));
      detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, buf + i, c, detail::mpi_type<T>(), detail::mpi_op(op), comm_),
                        "MPI_Allreduce");
    }
  }
  template <class T>
  T allreduce(T value, reduce_op op) const {
    allreduce(&value, 1, op);
    return value;
  }

  /// In place: buf[i] = sum over ranks of buf[i], added in rank order
  /// (rank 0's value first) on every rank. Unlike MPI_Allreduce, whose order
  /// depends on the MPI algorithm, the bits depend only on the values and the
  /// number of ranks. Costs an allgather (size x count values per chunk).
  template <class T>
  void allreduce_sum_ordered(T* buf, index_t count) const {
    const int p = size();
    if (p == 1 || count == 0) return;
    const index_t chunk = std::max<index_t>(1, (index_t(1) << 22) / p);
    std::vector<T> all(static_cast<std::size_t>(std::min(chunk, count) * p));
    for (index_t i0 = 0; i0 < count; i0 += chunk) {
      const index_t c = std::min(chunk, count - i0);
      allgather(buf + i0, c, all.data());
      for (index_t i = 0; i < c; ++i) {
        T s = all[static_cast<std::size_t>(i)];
        for (int r = 1; r < p; ++r) s += all[static_cast<std::size_t>(r * c + i)];
        buf[i0 + i] = s;
      }
    }
  }
  template <class T>
  T allreduce_sum_ordered(T value) const {
    allreduce_sum_ordered(&value, 1);
    return value;
  }

  /// buf (count elements) copied from `root` to every rank.
  template <class T>
  void bcast(T* buf, index_t count, int root) const {
    for (index_t i = 0; i < count; i += detail::max_mpi_count) {
      const int c = static_cast<int>(std::min(detail::max_mpi_count, count - i));
      detail::check_mpi(MPI_Bcast(buf + i, c, detail::mpi_type<T>(), root, comm_), "MPI_Bcast");
    }
  }
  template <class T>
  T bcast(T value, int root) const {
    bcast(&value, 1, root);
    return value;
  }
  /// A string from `root` to every rank.
  std::string bcast(const std::string& s, int root) const {
    index_t len = bcast(static_cast<index_t>(s.size()), root);
    std::string out = rank() == root ? s : std::string(static_cast<std::size_t>(len), '\0');
    bcast(out.data(), len, root);
    return out;
  }

  /// recv (size * count) = every rank's send (count each), in rank order.
  template <class T>
  void allgather(const T* send, index_t count, T* recv) const {
    allgatherv(send, count, recv, std::vector<index_t>(static_cast<std::size_t>(size()), count));
  }
  /// One value per rank, in rank order.
  template <class T>
  std::vector<T> allgather(T value) const {
    std::vector<T> out(static_cast<std::size_t>(size()));
    detail::check_mpi(MPI_Allgather(&value, 1, detail::mpi_type<T>(), out.data(), 1, detail::mpi_type<T>(), comm_),
                      "MPI_Allgather");
    return out;
  }

  /// recv = every rank's send concatenated in rank order; counts[r] is rank
  /// r's count (as from allgather(count)).
  template <class T>
  void allgatherv(const T* send, index_t count, T* recv, const std::vector<index_t>& counts) const {
    const auto off = detail::exclusive_offsets(counts);
    const int me = rank();
    if (detail::fits_int(counts)) {
      const auto c = detail::to_int(counts);
      std::vector<int> displs(c.size());
      for (std::size_t r = 0; r < c.size(); ++r) displs[r] = static_cast<int>(off[r]);
      const T none{};  // a valid address when this rank sends nothing
      detail::check_mpi(MPI_Allgatherv(count > 0 ? send : &none, static_cast<int>(count), detail::mpi_type<T>(), recv, c.data(), displs.data(),
                                       detail::mpi_type<T>(), comm_),
                        "MPI_Allgatherv");
      return;
    }
    // Above 2^31 elements: one (chunked) broadcast per rank.
    std::copy(send, send + count, recv + off[static_cast<std::size_t>(me)]);
    for (int r = 0; r < size(); ++r) bcast(recv + off[static_cast<std::size_t>(r)], counts[static_cast<std::size_t>(r)], r);
  }

  /// Every rank's `count` values gathered on `root` in rank order (an empty
  /// vector elsewhere): e.g. the labels of every rank's rows.
  template <class T>
  std::vector<T> gather(const T* send, index_t count, int root) const {
    const auto counts = allgather(count);
    index_t total = 0;
    for (const index_t c : counts) total += c;
    std::vector<T> out(rank() == root ? static_cast<std::size_t>(total) : 0);
    const T none{};
    gatherv(count > 0 ? send : &none, count, out.data(), counts, root);
    return out;
  }

  /// On `root`, recv = every rank's send in rank order (recv unused elsewhere).
  template <class T>
  void gatherv(const T* send, index_t count, T* recv, const std::vector<index_t>& counts, int root) const {
    const auto off = detail::exclusive_offsets(counts);
    const int me = rank();
    if (detail::fits_int(counts)) {
      const auto c = detail::to_int(counts);
      std::vector<int> displs(c.size());
      for (std::size_t r = 0; r < c.size(); ++r) displs[r] = static_cast<int>(off[r]);
      detail::check_mpi(MPI_Gatherv(send, static_cast<int>(count), detail::mpi_type<T>(), recv, c.data(), displs.data(),
                                    detail::mpi_type<T>(), root, comm_),
                        "MPI_Gatherv");
      return;
    }
    if (me == root) {
      std::copy(send, send + count, recv + off[static_cast<std::size_t>(me)]);
      for (int r = 0; r < size(); ++r)
        if (r != root) recv_chunked(recv + off[static_cast<std::size_t>(r)], counts[static_cast<std::size_t>(r)], r);
    } else {
      send_chunked(send, count, root);
    }
  }

  /// Personalised exchange: send holds, in rank order, send_counts[r]
  /// elements for rank r; recv gets, in rank order, recv_counts[r] elements
  /// from rank r.
  template <class T>
  void alltoallv(const T* send, const std::vector<index_t>& send_counts, T* recv,
                 const std::vector<index_t>& recv_counts) const {
    const auto soff = detail::exclusive_offsets(send_counts);
    const auto roff = detail::exclusive_offsets(recv_counts);
    const int p = size(), me = rank();
    if (detail::fits_int(send_counts) && detail::fits_int(recv_counts)) {
      const auto sc = detail::to_int(send_counts), rc = detail::to_int(recv_counts);
      std::vector<int> sd(sc.size()), rd(rc.size());
      for (std::size_t r = 0; r < sc.size(); ++r) {
        sd[r] = static_cast<int>(soff[r]);
        rd[r] = static_cast<int>(roff[r]);
      }
      detail::check_mpi(MPI_Alltoallv(send, sc.data(), sd.data(), detail::mpi_type<T>(), recv, rc.data(), rd.data(),
                                      detail::mpi_type<T>(), comm_),
                        "MPI_Alltoallv");
      return;
    }
    // Large messages: pairwise exchanges in chunks.
    for (int s = 0; s < p; ++s) {
      const int to = (me + s) % p, from = (me - s + p) % p;
      const T* sp = send + soff[static_cast<std::size_t>(to)];
      T* rp = recv + roff[static_cast<std::size_t>(from)];
      index_t ns = send_counts[static_cast<std::size_t>(to)], nr = recv_counts[static_cast<std::size_t>(from)];
      if (to == me) {
        std::copy(sp, sp + ns, rp);
        continue;
      }
      while (ns > 0 || nr > 0) {
        const int cs = static_cast<int>(std::min(detail::max_mpi_count, ns));
        const int cr = static_cast<int>(std::min(detail::max_mpi_count, nr));
        detail::check_mpi(MPI_Sendrecv(sp, cs, detail::mpi_type<T>(), to, 7, rp, cr, detail::mpi_type<T>(), from, 7, comm_,
                                       MPI_STATUS_IGNORE),
                          "MPI_Sendrecv");
        sp += cs;
        rp += cr;
        ns -= cs;
        nr -= cr;
      }
    }
  }

 private:
  template <class T>
  void send_chunked(const T* p, index_t n, int to) const {
    for (index_t i = 0; i < n; i += detail::max_mpi_count)
      detail::check_mpi(MPI_Send(p + i, static_cast<int>(std::min(detail::max_mpi_count, n - i)), detail::mpi_type<T>(), to,
                                 8, comm_),
                        "MPI_Send");
  }
  template <class T>
  void recv_chunked(T* p, index_t n, int from) const {
    for (index_t i = 0; i < n; i += detail::max_mpi_count)
      detail::check_mpi(MPI_Recv(p + i, static_cast<int>(std::min(detail::max_mpi_count, n - i)), detail::mpi_type<T>(),
                                 from, 8, comm_, MPI_STATUS_IGNORE),
                        "MPI_Recv");
  }

  MPI_Comm comm_;
};

/// The rows of an n-row data set that rank r reads when every rank takes an
/// even block: [n * r / size, n * (r + 1) / size). Not collective.
struct row_range {
  index_t first = 0;  ///< first global row of this rank
  index_t count = 0;  ///< rows of this rank
};
inline row_range even_block(const communicator& comm, index_t n) {
  const index_t p = comm.size(), r = comm.rank();
  return {n * r / p, n * (r + 1) / p - n * r / p};
}

}  // namespace clustr::distributed
