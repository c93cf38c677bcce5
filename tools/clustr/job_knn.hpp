#pragma once
// The kNN job: the kNN graph of the input (each point's k nearest other
// points, or itself first with include_self), on any backend. Exact graphs are
// searched in query chunks so that a progress callback sees the work; the
// chunked result equals knn::graph's (top k+1 by (distance, index), minus the
// point itself, is the top k among the others).

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "clustr/metric/metric.hpp"
#include "clustr/neighbors/knn.hpp"
#include "common.hpp"

namespace clustr_cli {

struct knn_request {
  std::int64_t k = 15;
  std::string metric = "euclidean";
  double p = 2.0;                 ///< Minkowski's exponent
  std::string algorithm = "exact";  ///< exact | nn_descent | auto
  bool include_self = false;
  std::int64_t batch_size = 16384;
  std::uint64_t seed = 0;
  std::function<void(double)> progress;  ///< fraction of queries done
};

struct knn_result {
  std::vector<std::int64_t> indices;  ///< n x k
  any_matrix distances;               ///< n x k, the input's dtype
  std::int64_t k = 0;
  bool exact = true;
};

struct knn_job {
  using request = knn_request;
  using result = knn_result;
  static constexpr const char* name = "knn";

  static clustr::knn::algorithm algorithm_of(const std::string& a) {
    if (a == "nn_descent" || a == "nn-descent") return clustr::knn::algorithm::nn_descent;
    if (a == "auto" || a == "automatic") return clustr::knn::algorithm::automatic;
    return clustr::knn::algorithm::exact;
  }

  template <class Backend, class T, class Metric>
  static void run_typed(const Backend& be, const T* data, const dataset& d, const request& r, Metric metric, result& out) {
    using namespace clustr;
    const index_t n = d.X.rows, k = r.k;
    const matrix_view<const T, host_space> X(data, n, d.X.cols);
    knn::params<Metric> p;
    p.k = k;
    p.metric = metric;
    p.algo = algorithm_of(r.algorithm);
    p.include_self = r.include_self;
    p.batch_size = r.batch_size;
    p.nn_descent.seed = r.seed;
    out.k = k;
    out.indices.resize(static_cast<std::size_t>(n * k));
    std::vector<T> dist(static_cast<std::size_t>(n * k));
    const bool exact = p.algo == knn::algorithm::exact ||
                       (p.algo == knn::algorithm::automatic &&
                        (!std::is_same_v<memory_space_t<Backend>, host_space> || n <= knn::automatic_nn_descent_threshold));
    if (exact) {
      // Chunks of queries against the whole data set, k + 1 wide unless the
      // point counts as its own neighbour.
      const index_t kk = r.include_self ? k : k + 1;
      const index_t chunk = std::min<index_t>(std::max<index_t>(r.batch_size, 1), std::max<index_t>(1024, (n + 99) / 100));
      knn::params<Metric> q = p;
      q.k = kk;
      for (index_t start = 0; start < n; start += chunk) {
        const index_t cnt = std::min(chunk, n - start);
        const auto res = knn::search(be, q, X, X.row_block(start, cnt));
        const auto I = res.indices.to_host();
        const auto D = res.distances.to_host();
        for (index_t i = 0; i < cnt; ++i) {
          const index_t self = start + i;
          index_t w = 0;
          bool dropped = r.include_self;
          for (index_t j = 0; j < kk && w < k; ++j) {
            if (!dropped && I(i, j) == self) {
              dropped = true;
              continue;
            }
            out.indices[static_cast<std::size_t>(self * k + w)] = I(i, j);
            dist[static_cast<std::size_t>(self * k + w)] = D(i, j);
            ++w;
          }
        }
        if (r.progress) r.progress(static_cast<double>(start + cnt) / static_cast<double>(n));
      }
      out.exact = true;
    } else {
      const auto g = knn::graph(be, p, X);
      const auto I = g.indices.to_host();
      const auto D = g.distances.to_host();
      std::copy(I.data(), I.data() + I.size(), out.indices.begin());
      std::copy(D.data(), D.data() + D.size(), dist.begin());
      out.exact = g.exact;
      if (r.progress) r.progress(1.0);
    }
    out.distances = any_matrix::of(std::move(dist), n, k);
  }

  template <class Backend>
  static result run(const Backend& be, const dataset& d, const request& r) {
    result out;
    const auto kind = clustr::metric::parse_kind(r.metric);
    d.X.visit([&](const auto* data) {
      clustr::metric::visit(kind, r.p, [&](auto m) { run_typed(be, data, d, r, m, out); });
    });
    return out;
  }
};

}  // namespace clustr_cli
