#pragma once
// clustr::knn: exact kNN search, kNN graphs, radius search, k-distance curves.

#include "clustr/neighbors/k_distance.hpp"
#include "clustr/neighbors/knn_types.hpp"
#include "clustr/neighbors/nn_descent.hpp"
#include "clustr/neighbors/radius.hpp"
#include "clustr/neighbors/search.hpp"
