#pragma once
// Atomic operations callable from primitives' bodies on every backend: CUDA
// atomics in device code, std::atomic_ref on the host (serial, OpenMP, Kokkos
// host spaces).

#include <atomic>
#include <type_traits>

#include "clustr/core/config.hpp"

namespace clustr {

/// *addr += value; returns the old value.
template <class T>
CLUSTR_HD inline T atomic_add(T* addr, T value) {
#if CLUSTR_IN_DEVICE_CODE
  if constexpr (sizeof(T) == 8 && std::is_integral_v<T>) {
    return static_cast<T>(atomicAdd(reinterpret_cast<unsigned long long*>(addr),
                                    static_cast<unsigned long long>(value)));
  } else {
    return atomicAdd(addr, value);
  }
#else
  return std::atomic_ref<T>(*addr).fetch_add(value, std::memory_order_relaxed);
#endif
}

/// If *addr == expected, *addr = desired. Returns the old value.
template <class T>
CLUSTR_HD inline T atomic_cas(T* addr, T expected, T desired) {
  static_assert(std::is_integral_v<T>, "atomic_cas is for integers");
#if CLUSTR_IN_DEVICE_CODE
  if constexpr (sizeof(T) == 8) {
    return static_cast<T>(atomicCAS(reinterpret_cast<unsigned long long*>(addr),
                                    static_cast<unsigned long long>(expected),
                                    static_cast<unsigned long long>(desired)));
  } else {
    return static_cast<T>(atomicCAS(reinterpret_cast<unsigned int*>(addr),
                                    static_cast<unsigned int>(expected),
                                    static_cast<unsigned int>(desired)));
  }
#else
  std::atomic_ref<T>(*addr).compare_exchange_strong(expected, desired, std::memory_order_acq_rel);
  return expected;
#endif
}

/// *addr = min(*addr, value); returns the old value. Integers only (floats:
/// compare as ordered integer keys).
template <class T>
CLUSTR_HD inline T atomic_min(T* addr, T value) {
  static_assert(std::is_integral_v<T>, "atomic_min is for integers");
#if CLUSTR_IN_DEVICE_CODE
  if constexpr (sizeof(T) == 8) {
    return static_cast<T>(atomicMin(reinterpret_cast<long long*>(addr), static_cast<long long>(value)));
  } else {
    return static_cast<T>(atomicMin(reinterpret_cast<int*>(addr), static_cast<int>(value)));
  }
#else
  std::atomic_ref<T> ref(*addr);
  T old = ref.load(std::memory_order_relaxed);
  while (value < old && !ref.compare_exchange_weak(old, value, std::memory_order_relaxed)) {
  }
  return old;
#endif
}

/// *addr = max(*addr, value); returns the old value. Integers only.
template <class T>
CLUSTR_HD inline T atomic_max(T* addr, T value) {
  static_assert(std::is_integral_v<T>, "atomic_max is for integers");
#if CLUSTR_IN_DEVICE_CODE
  if constexpr (sizeof(T) == 8) {
    return static_cast<T>(atomicMax(reinterpret_cast<long long*>(addr), static_cast<long long>(value)));
  } else {
    return static_cast<T>(atomicMax(reinterpret_cast<int*>(addr), static_cast<int>(value)));
  }
#else
  std::atomic_ref<T> ref(*addr);
  T old = ref.load(std::memory_order_relaxed);
  while (value > old && !ref.compare_exchange_weak(old, value, std::memory_order_relaxed)) {
  }
  return old;
#endif
}

/// A relaxed atomic load (for lock-free union-find and similar).
template <class T>
CLUSTR_HD inline T atomic_load(const T* addr) {
#if CLUSTR_IN_DEVICE_CODE
  return *static_cast<const volatile T*>(addr);
#else
  return std::atomic_ref<T>(*const_cast<T*>(addr)).load(std::memory_order_relaxed);
#endif
}

}  // namespace clustr

namespace clustr {

/// A relaxed atomic store.
template <class T>
CLUSTR_HD inline void atomic_store(T* addr, T value) {
#if CLUSTR_IN_DEVICE_CODE
  *static_cast<volatile T*>(addr) = value;
#else
  std::atomic_ref<T>(*addr).store(value, std::memory_order_relaxed);
#endif
}

}  // namespace clustr
