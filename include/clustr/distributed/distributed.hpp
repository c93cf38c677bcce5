#pragma once
// clustr::distributed: k-means and exact kNN over MPI ranks (host buffers).
// For device buffers exchanged through NCCL, also include
// clustr/distributed/nccl_communicator.cuh (nvcc; link -lnccl).

#include "clustr/distributed/communicator.hpp"
#include "clustr/distributed/kmeans.hpp"
#include "clustr/distributed/knn.hpp"
