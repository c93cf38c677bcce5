#pragma once
// report.html: one self-contained page (inline CSS and SVG, no scripts, no
// external resources) with the run's parameters, scores, tables and plots,
// plus the plot functions every subcommand shares.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "svg.hpp"

namespace clustr_cli {

class report {
 public:
  explicit report(std::string title);

  void heading(const std::string& text);
  void paragraph(const std::string& text);
  /// A two-column table of names and values.
  void key_values(const std::vector<std::pair<std::string, std::string>>& rows);
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  /// An SVG figure (from svg:: or the plot functions below) with a caption.
  void figure(const std::string& svg, const std::string& caption = "");

  /// The whole page.
  std::string html() const;

 private:
  std::string title_;
  std::string body_;
};

// ---- the plots of the issue (one function each) ----

/// The data (first two columns) or a 2-d embedding, coloured by cluster
/// (noise, -1, in grey). x and y are the two coordinates.
std::string plot_clusters_2d(const std::vector<double>& x, const std::vector<double>& y,
                             const std::vector<std::int64_t>& labels, const std::string& title,
                             const std::string& x_label = "column 0", const std::string& y_label = "column 1");

/// Points per cluster (noise as its own grey bar).
std::string plot_cluster_sizes(const std::vector<std::int64_t>& labels);

/// The gap between each point's two largest membership probabilities: row i
/// of the n x n_clusters matrix `membership` (row-major). Points labelled -1
/// are left out. (The uncertainty plot of HDBSCAN soft clustering.)
std::vector<double> top_two_gaps(const std::vector<double>& membership, std::int64_t n, std::int64_t n_clusters,
                                 const std::vector<std::int64_t>& labels);
/// Histogram of those gaps over [0, 1].
std::string plot_gap_histogram(const std::vector<double>& gaps);
/// Cumulative distribution of those gaps.
std::string plot_gap_cdf(const std::vector<double>& gaps);

/// The sorted k-distance curve with the chosen (or suggested) eps marked.
std::string plot_k_distance(const std::vector<double>& sorted_distances, int k, double eps, const std::string& eps_label);

/// Inertia against k, and silhouette against k (two charts).
std::string plot_inertia_vs_k(const std::vector<double>& ks, const std::vector<double>& inertia);
std::string plot_scores_vs_k(const std::vector<double>& ks, const std::vector<double>& silhouette,
                             const std::vector<double>& davies_bouldin);

/// Seconds per backend.
std::string plot_times(const std::vector<std::string>& names, const std::vector<double>& seconds, const std::string& title);

/// A number for tables: 4 significant digits, "n/a" for NaN.
std::string fmt(double v, int digits = 4);

}  // namespace clustr_cli
