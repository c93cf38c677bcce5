// dbscan_eps: DBSCAN with eps chosen from the data (the knee of the
// k-distance curve), then predict for new points. Three 2-d blobs and a
// sprinkle of uniform noise; fails (non-zero exit) if the blobs are not found.
#include <cstdio>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/dbscan.hpp"
#include "clustr/core/rng.hpp"

int main() {
  using clustr::index_t;
  const index_t n_blob = 3000, n_noise = 100, n = 3 * n_blob + n_noise, d = 2;
  const double centres[3][2] = {{0, 0}, {6, 0}, {3, 5}};
  const clustr::rng::random_stream rs{7, 0};
  std::vector<float> X(static_cast<std::size_t>(n * d));
  for (index_t i = 0; i < n; ++i)
    for (index_t j = 0; j < d; ++j) {
      const auto e = static_cast<std::uint64_t>(i * d + j);
      X[static_cast<std::size_t>(i * d + j)] =
          i < 3 * n_blob ? static_cast<float>(centres[i / n_blob][j] + 0.5 * rs.normal<double>(e))
                         : rs.uniform<float>(e, -4.0f, 10.0f);
    }
  const clustr::openmp be{};

  // eps from the 10-distance knee (min_samples = 10, the point itself counted).
  clustr::dbscan::params<> p;
  p.eps_auto = true;
  p.min_samples = 10;
  const auto model = clustr::dbscan::fit(be, p, clustr::make_matrix_view(X.data(), n, d));
  index_t noise = 0;
  for (index_t i = 0; i < n; ++i) noise += model.labels[i] < 0;
  std::printf("eps from the k-distance knee: %.4f; %ld clusters, %ld core points, %ld noise points\n",
              static_cast<double>(model.eps), static_cast<long>(model.n_clusters),
              static_cast<long>(model.core_sample_indices.size()), static_cast<long>(noise));

  // New points: the three centres and one far away.
  const std::vector<float> Y{0, 0, 6, 0, 3, 5, 50, 50};
  const auto pred = clustr::dbscan::predict(be, model, clustr::make_matrix_view(Y.data(), 4, d));
  std::printf("predict: centres -> %d %d %d, far point -> %d\n", pred[0], pred[1], pred[2], pred[3]);

  const bool ok = model.n_clusters == 3 && pred[0] >= 0 && pred[1] >= 0 && pred[2] >= 0 && pred[0] != pred[1] &&
                  pred[1] != pred[2] && pred[0] != pred[2] && pred[3] == -1 &&
                  pred[0] == model.labels[0] && pred[1] == model.labels[n_blob] && pred[2] == model.labels[2 * n_blob];
  if (!ok) std::printf("unexpected result\n");
  return ok ? 0 : 1;
}
