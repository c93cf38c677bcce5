#pragma once
// The serial backend: one host thread. Every primitive takes its generic
// (sequential) form; the results are the reference the other backends are
// tested against, and equal the OpenMP backend's bit for bit.

#include "clustr/core/space.hpp"

namespace clustr {

struct serial {
  using memory_space = host_space;
  static constexpr const char* name = "serial";
};

}  // namespace clustr
