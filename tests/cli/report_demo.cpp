// Renders every plot of report.hpp on synthetic data, including the ones
// whose subcommands are still to come (2-d embedding with noise, the top-two
// membership gap histogram and CDF, the k-distance curve with a chosen eps):
//   cli_report_demo OUT_DIR   -> OUT_DIR/report.html
// ctest checks the page's structure; look at it in a browser to judge it.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "report.hpp"

int main(int argc, char** argv) {
  using namespace clustr_cli;
  if (argc != 2) {
    std::fprintf(stderr, "usage: cli_report_demo OUT_DIR\n");
    return 2;
  }
  // Three clusters on a ring plus uniform noise, with soft memberships that
  // fall off with the distance to each centre.
  const int n = 3000, C = 3;
  std::vector<double> x, y, member;
  std::vector<std::int64_t> labels;
  std::uint64_t s = 7;
  auto uni = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(s >> 11) + 0.5) / 9007199254740992.0;
  };
  const double cx[C] = {0, 6, 3}, cy[C] = {0, 0, 5};
  for (int i = 0; i < n; ++i) {
    double px, py;
    std::int64_t l;
    if (i % 10 == 9) {
      px = uni() * 12 - 3, py = uni() * 11 - 3, l = -1;
    } else {
      l = i % C;
      const double r = std::sqrt(-2 * std::log(uni())), a = 6.283185307179586 * uni();
      px = cx[l] + r * std::cos(a), py = cy[l] + r * std::sin(a);
    }
    x.push_back(px);
    y.push_back(py);
    labels.push_back(l);
    double tot = 0;
    std::vector<double> w(C);
    for (int c = 0; c < C; ++c) tot += w[static_cast<std::size_t>(c)] = std::exp(-((px - cx[c]) * (px - cx[c]) + (py - cy[c]) * (py - cy[c])) / 4);
    for (int c = 0; c < C; ++c) member.push_back(tot > 0 ? w[static_cast<std::size_t>(c)] / tot : 1.0 / C);
  }
  const auto gaps = top_two_gaps(member, n, C, labels);
  std::vector<double> kd;
  for (int i = 0; i < n; ++i) kd.push_back(0.2 + 0.3 * i / n + (i > n * 0.9 ? std::pow((i - n * 0.9) / (n * 0.1), 3) * 2 : 0));

  report rep("clustr report demo (synthetic data)");
  rep.key_values({{"points", std::to_string(n)}, {"clusters", "3 + noise"}, {"non-noise gaps", std::to_string(gaps.size())}});
  rep.heading("Embedding");
  rep.figure(plot_clusters_2d(x, y, labels, "Embedding coloured by cluster", "umap 0", "umap 1"), "Noise in grey.");
  rep.figure(plot_cluster_sizes(labels));
  rep.heading("Soft clustering");
  rep.figure(plot_gap_histogram(gaps), "Small gaps: points shared between clusters.");
  rep.figure(plot_gap_cdf(gaps));
  rep.heading("DBSCAN eps");
  rep.figure(plot_k_distance(kd, 4, kd[static_cast<std::size_t>(n * 0.9)], "eps"));
  rep.heading("Sweep");
  rep.figure(plot_inertia_vs_k({2, 3, 4, 5}, {900, 300, 250, 220}));
  rep.figure(plot_scores_vs_k({2, 3, 4, 5}, {0.5, 0.7, 0.55, std::nan("")}, {0.9, 0.4, 0.8, 1.0}));
  rep.table({"backend", "seconds"}, {{"serial", "1.5"}, {"openmp", "0.8"}});
  rep.figure(plot_times({"serial", "openmp"}, {1.5, 0.8}, "seconds per backend"));

  // Checks that would fail if the helpers were wrong.
  if (gaps.size() != static_cast<std::size_t>(n - n / 10)) return std::fprintf(stderr, "wrong gap count\n"), 1;
  for (double g : gaps)
    if (!(g >= 0 && g <= 1)) return std::fprintf(stderr, "gap out of [0, 1]\n"), 1;
  const auto one = top_two_gaps({0.7, 0.2, 0.1}, 1, 3, {});
  if (one.size() != 1 || std::fabs(one[0] - 0.5) > 1e-12) return std::fprintf(stderr, "top_two_gaps wrong\n"), 1;

  std::filesystem::create_directories(argv[1]);
  std::ofstream(std::string(argv[1]) + "/report.html") << rep.html();
  return 0;
}
