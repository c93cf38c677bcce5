#pragma once
// Options and summary pieces that several command files share.

#include <string>

#include "clustr/cluster/kmeans_types.hpp"
#include "json.hpp"
#include "scores.hpp"

namespace CLI {
class App;
}

namespace clustr_cli {

/// --init, --n-init, --max-iter, --tol.
void add_kmeans_options(CLI::App* sub, clustr::kmeans::params& p, std::string& init);
clustr::kmeans::init_method parse_init(const std::string& s);
json kmeans_params_json(const clustr::kmeans::params& p, const std::string& init);
json scores_json(const cluster_scores& s);

}  // namespace clustr_cli
