#pragma once
// clustr::stats: cluster-quality scores (silhouette, Davies-Bouldin,
// Calinski-Harabasz, DBCV), partition comparisons (ARI, AMI, NMI,
// homogeneity / completeness / V-measure) and embedding quality
// (trustworthiness). See docs/stats.md.

#include "clustr/stats/calinski_harabasz.hpp"
#include "clustr/stats/davies_bouldin.hpp"
#include "clustr/stats/dbcv.hpp"
#include "clustr/stats/partition.hpp"
#include "clustr/stats/silhouette.hpp"
#include "clustr/stats/stats_types.hpp"
#include "clustr/stats/trustworthiness.hpp"
