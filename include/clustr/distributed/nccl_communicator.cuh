#pragma once
// clustr::distributed::nccl_communicator: NCCL between GPUs for device
// buffers, bootstrapped over MPI (rank 0 makes the NCCL unique id, MPI
// broadcasts it). One rank per GPU: by default a rank uses device
// local_rank % (GPUs on its node). Pass it instead of a communicator to the
// distributed algorithms with the CUDA backend: their device buffers (query
// batches, per-cluster sums, neighbour lists) then go GPU to GPU; small host
// values and the argument-agreement checks still go through MPI (host()).
// Device collectives are enqueued on the backend's stream (clustr::cuda's
// `stream`; other device backends are fenced and use the default stream).
// Needs nvcc and -lnccl (CMake: cmake/clustrNccl.cmake, target clustr::nccl).
// On machines with NVLink multicast that is not usable (the lent H200s),
// run with NCCL_NVLS_ENABLE=0.

#include <cuda_runtime.h>
#include <nccl.h>

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "clustr/backend/cuda.cuh"
#include "clustr/backend/detail/cuda/error.cuh"
#include "clustr/core/errors.hpp"
#include "clustr/distributed/communicator.hpp"
#include "clustr/primitives/memory.hpp"

namespace clustr::distributed {

namespace detail {

inline void check_nccl(ncclResult_t r, const char* call) {
  if (r == ncclSuccess) return;
  throw clustr::cuda_error(clustr::detail::concat("clustr: ", call, " failed: ", ncclGetErrorString(r),
                                                  " (NCCL_DEBUG=WARN tells more; on the lent H200s set NCCL_NVLS_ENABLE=0)"));
}

template <class T>
ncclDataType_t nccl_type() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>) return ncclFloat32;
  else if constexpr (std::is_same_v<U, double>) return ncclFloat64;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 4) return ncclInt32;
  else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8) return ncclInt64;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 4) return ncclUint32;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 8) return ncclUint64;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 1) return ncclUint8;
  else static_assert(sizeof(U) == 0, "clustr::distributed: no NCCL datatype for this type");
}

inline ncclRedOp_t nccl_op(reduce_op op) {
  switch (op) {
    case reduce_op::sum: return ncclSum;
    case reduce_op::min: return ncclMin;
    case reduce_op::max: return ncclMax;
  }
  return ncclSum;
}

}  // namespace detail

class nccl_communicator {
 public:
  /// Collective over `mpi`: every rank joins one NCCL communicator on
  /// `device` (-1: mpi.local_rank() % number of visible GPUs).
  explicit nccl_communicator(const communicator& mpi, int device = -1) : mpi_(mpi) {
    int count = 0;
    CLUSTR_CUDA_CHECK(cudaGetDeviceCount(&count));
    device_ = device >= 0 ? device : mpi.local_rank() % (count > 0 ? count : 1);
    ncclUniqueId id{};
    if (mpi.rank() == 0) detail::check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    mpi.bcast(reinterpret_cast<char*>(&id), static_cast<index_t>(sizeof id), 0);
    clustr::detail::cuda::device_guard g(device_);
    detail::check_nccl(ncclCommInitRank(&comm_, mpi.size(), id, mpi.rank()), "ncclCommInitRank");
  }
  nccl_communicator(const nccl_communicator&) = delete;
  nccl_communicator& operator=(const nccl_communicator&) = delete;
  nccl_communicator(nccl_communicator&& o) noexcept
      : mpi_(o.mpi_), comm_(std::exchange(o.comm_, nullptr)), device_(o.device_) {}
  ~nccl_communicator() {
    if (comm_) ncclCommDestroy(comm_);
  }

  /// The MPI side (host buffers, agreement checks).
  const communicator& host() const { return mpi_; }
  int rank() const { return mpi_.rank(); }
  int size() const { return mpi_.size(); }
  /// This rank's GPU.
  int device() const { return device_; }
  ncclComm_t native() const { return comm_; }
  /// A CUDA backend on this rank's GPU.
  clustr::cuda backend(cudaStream_t stream = nullptr) const {
    clustr::cuda be;
    be.stream = stream;
    be.device = device_;
    return be;
  }

  /// In place on device memory: buf[i] = op over ranks (NCCL's order).
  template <class Backend, class T>
  void allreduce(const Backend& be, T* buf, index_t count, reduce_op op) const {
    run(be, [&](cudaStream_t s) {
      detail::check_nccl(ncclAllReduce(buf, buf, static_cast<std::size_t>(count), detail::nccl_type<T>(), detail::nccl_op(op),
                                       comm_, s),
                         "ncclAllReduce");
    });
  }
  /// Device buffer from `root` to every rank.
  template <class Backend, class T>
  void bcast(const Backend& be, T* buf, index_t count, int root) const {
    run(be, [&](cudaStream_t s) {
      detail::check_nccl(ncclBroadcast(buf, buf, bytes<T>(count), ncclUint8, root, comm_, s), "ncclBroadcast");
    });
  }
  /// recv = every rank's send, in rank order (device memory); counts[r] =
  /// rank r's element count (the same vector on every rank).
  template <class Backend, class T>
  void device_allgatherv(const Backend& be, const T* send, index_t count, T* recv, const std::vector<index_t>& counts) const {
    bool equal = true;
    for (const index_t c : counts) equal = equal && c == counts.front();
    run(be, [&](cudaStream_t s) {
      if (equal) {
        if (count > 0)
          detail::check_nccl(ncclAllGather(send, recv, bytes<T>(count), ncclUint8, comm_, s), "ncclAllGather");
        return;
      }
      const int me = rank();
      index_t off = 0;
      detail::check_nccl(ncclGroupStart(), "ncclGroupStart");
      for (std::size_t r = 0; r < counts.size(); ++r) {
        if (counts[r] > 0) {
          const void* src = static_cast<int>(r) == me ? static_cast<const void*>(send) : static_cast<const void*>(recv + off);
          detail::check_nccl(ncclBroadcast(src, recv + off, bytes<T>(counts[r]), ncclUint8, static_cast<int>(r), comm_, s),
                             "ncclBroadcast");
        }
        off += counts[r];
      }
      detail::check_nccl(ncclGroupEnd(), "ncclGroupEnd");
    });
  }
  /// Personalised exchange of device memory (grouped send/recv).
  template <class Backend, class T>
  void device_alltoallv(const Backend& be, const T* send, const std::vector<index_t>& send_counts, T* recv,
                        const std::vector<index_t>& recv_counts) const {
    run(be, [&](cudaStream_t s) {
      index_t so = 0, ro = 0;
      detail::check_nccl(ncclGroupStart(), "ncclGroupStart");
      for (std::size_t r = 0; r < send_counts.size(); ++r) {
        if (send_counts[r] > 0)
          detail::check_nccl(ncclSend(send + so, bytes<T>(send_counts[r]), ncclUint8, static_cast<int>(r), comm_, s), "ncclSend");
        if (recv_counts[r] > 0)
          detail::check_nccl(ncclRecv(recv + ro, bytes<T>(recv_counts[r]), ncclUint8, static_cast<int>(r), comm_, s), "ncclRecv");
        so += send_counts[r];
        ro += recv_counts[r];
      }
      detail::check_nccl(ncclGroupEnd(), "ncclGroupEnd");
    });
  }

 private:
  template <class T>
  static std::size_t bytes(index_t count) {
    return static_cast<std::size_t>(count) * sizeof(T);
  }
  // Enqueues f(stream) on the backend's stream (clustr::cuda), or fences the
  // backend and runs on the default stream, synchronising after.
  template <class Backend, class F>
  void run(const Backend& be, F&& f) const {
    clustr::detail::cuda::device_guard g(device_);
    if constexpr (std::is_same_v<Backend, clustr::cuda>) {
      if (be.device != device_)
        clustr::detail::throw_invalid("backend.device", be.device,
                                      clustr::detail::concat("must be the NCCL communicator's device ", device_,
                                                             " (use nccl_communicator::backend())"));
      f(be.stream);
    } else {
      fence(be);
      f(cudaStream_t{});
      CLUSTR_CUDA_CHECK(cudaStreamSynchronize(cudaStream_t{}));
    }
  }

  communicator mpi_;
  ncclComm_t comm_ = nullptr;
  int device_ = 0;
};

}  // namespace clustr::distributed
