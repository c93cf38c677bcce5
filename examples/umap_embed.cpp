// umap_embed: UMAP of generated blobs (50-d -> 2-d) with the OpenMP backend,
// then k-means on the embedding, trustworthiness, and transform() of new
// points. Returns non-zero if the blobs are not separated.
#include <chrono>
#include <cstdio>
#include <map>
#include <vector>

#include "clustr/backend/openmp.hpp"
#include "clustr/cluster/kmeans.hpp"
#include "clustr/core/rng.hpp"
#include "clustr/manifold/umap.hpp"
#include "clustr/stats/trustworthiness.hpp"

int main() {
  using clustr::index_t;
  const index_t n = 1500, n_new = 200, d = 50, centres = 6;
  const clustr::rng::random_stream rs{7, 0};
  std::vector<float> X(static_cast<std::size_t>((n + n_new) * d));
  std::vector<int> truth(static_cast<std::size_t>(n + n_new));
  for (index_t i = 0; i < n + n_new; ++i) {
    const int c = static_cast<int>(i % centres);
    truth[static_cast<std::size_t>(i)] = c;
    for (index_t j = 0; j < d; ++j)
      X[static_cast<std::size_t>(i * d + j)] = 4.0f * rs.uniform<float>(static_cast<std::uint64_t>(c * d + j), -1.0f, 1.0f) +
                                               rs.normal<float>(static_cast<std::uint64_t>(1000000 + i * d + j));
  }
  const auto train = clustr::make_matrix_view(static_cast<const float*>(X.data()), n, d);
  const auto fresh = clustr::make_matrix_view(static_cast<const float*>(X.data()) + n * d, n_new, d);
  const clustr::openmp be{};

  const auto t0 = std::chrono::steady_clock::now();
  clustr::umap::params<> p{.n_neighbors = 15, .n_components = 2, .min_dist = 0.1, .n_epochs = 200, .seed = 42};
  const auto model = clustr::umap::fit(be, p, train);
  const auto t1 = std::chrono::steady_clock::now();
  std::printf("umap: %ld x %ld -> %ld x %ld in %.2f s (%ld epochs, a = %.4f, b = %.4f, init: %s; graph %ld edges)\n",
              static_cast<long>(n), static_cast<long>(d), static_cast<long>(model.embedding.rows()),
              static_cast<long>(model.embedding.cols()), std::chrono::duration<double>(t1 - t0).count(),
              static_cast<long>(model.n_epochs), model.a, model.b, model.init_message.c_str(),
              static_cast<long>(model.graph.nnz()));

  const double tw = clustr::stats::trustworthiness(be, train, model.embedding,
                                                   clustr::stats::trustworthiness_params<>{.n_neighbors = 15});
  std::printf("trustworthiness (k = 15): %.4f\n", tw);

  // k-means on the embedding must recover the blobs exactly.
  const auto km = clustr::kmeans::fit(be, {.n_clusters = centres, .n_init = 5, .seed = 1}, model.embedding);
  std::map<int, std::int32_t> blob_label;
  bool separated = true;
  for (index_t i = 0; i < n; ++i) {
    const auto [it, inserted] = blob_label.emplace(truth[static_cast<std::size_t>(i)], km.labels[i]);
    if (it->second != km.labels[i]) separated = false;
  }
  separated = separated && static_cast<index_t>(blob_label.size()) == centres;
  std::printf("k-means on the embedding separates the %ld blobs: %s\n", static_cast<long>(centres),
              separated ? "yes" : "NO");

  // New points: embedded into the fitted map, they land in their blob.
  const auto Z = clustr::umap::transform(be, model, fresh);
  const auto zl = clustr::kmeans::predict(be, km, Z);
  index_t right = 0;
  for (index_t i = 0; i < n_new; ++i)
    right += zl[i] == blob_label[truth[static_cast<std::size_t>(n + i)]] ? 1 : 0;
  std::printf("transform: %ld / %ld new points land in their blob\n", static_cast<long>(right), static_cast<long>(n_new));

  return separated && tw > 0.9 && right == n_new ? 0 : 1;
}
