#pragma once
// Convenience header: the core, metrics and primitives (no backend; include
// clustr/backend/serial.hpp, openmp.hpp, kokkos.hpp or cuda.cuh for that).

#include "clustr/core/array.hpp"
#include "clustr/core/errors.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/core/view.hpp"
#include "clustr/metric/metric.hpp"
#include "clustr/primitives/primitives.hpp"
