// The smallest real use of an installed clustr: the nearest of three centres
// for five points, by the fused distance + argmin primitive on OpenMP.
#include <clustr/backend/openmp.hpp>
#include <clustr/clustr.hpp>

#include <cstdio>
#include <vector>

int main() {
  const std::vector<float> points = {0.1f, 0.0f,   // near centre 0
                                     9.8f, 10.1f,  // near centre 2
                                     5.2f, 4.9f,   // near centre 1
                                     0.0f, -0.3f,  // near centre 0
                                     10.0f, 9.0f};  // near centre 2
  const std::vector<float> centres = {0.0f, 0.0f, 5.0f, 5.0f, 10.0f, 10.0f};
  const std::vector<int> expected = {0, 2, 1, 0, 2};
  const std::vector<float> expected_sq = {0.01f, 0.05f, 0.05f, 0.09f, 1.0f};

  const clustr::openmp be{.threads = 2};
  std::vector<int> index(5, -1);
  std::vector<float> dist(5, -1.0f);
  clustr::fused_distance_argmin(be, clustr::metric::sqeuclidean{}, clustr::matrix_view<const float>(points.data(), 5, 2),
                                clustr::matrix_view<const float>(centres.data(), 3, 2),
                                clustr::vector_view<int>(index.data(), 5), clustr::vector_view<float>(dist.data(), 5));

  int wrong = 0;
  for (int i = 0; i < 5; ++i) {
    const float err = dist[i] - expected_sq[i];
    const bool ok = index[i] == expected[i] && err < 1e-4f && err > -1e-4f;
    std::printf("point %d -> centre %d (squared distance %.4f)%s\n", i, index[i], dist[i], ok ? "" : "  WRONG");
    wrong += ok ? 0 : 1;
  }
  std::printf("%s: %d of 5 points assigned as expected\n", wrong == 0 ? "PASS" : "FAIL", 5 - wrong);
  return wrong == 0 ? 0 : 1;
}
