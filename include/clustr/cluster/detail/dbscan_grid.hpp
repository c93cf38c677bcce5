#pragma once
// The grid behind DBSCAN in low dimension (the FDBSCAN / DenseBox idea of
// ArborX, on a sorted grid instead of a BVH). Points are sorted by the key
// of their cell (sort_by_key), the cells are the runs of equal keys, and a
// point's eps-neighbours lie in the cells at most r cells away in every
// coordinate. Cells are found by binary search of the sorted cell keys, one
// search per row of cells along the last coordinate.
//
// Cells have side s = 0.9999 * eps_coordinate / diameter(unit cube) in d <= 3,
// so every two points of a cell are within eps: a cell holding at least
// min_samples points is "dense", all its points are core and one cluster
// without a single distance computed, and a dense neighbour cell is joined by
// its first point found within eps. Above 3 dimensions (or when the key would
// overflow) cells are a little wider than eps, r = 1, and no cell is dense.

#include <cmath>
#include <cstdint>
#include <limits>

#include "clustr/cluster/dbscan_types.hpp"
#include "clustr/cluster/detail/dbscan_common.hpp"
#include "clustr/primitives/primitives.hpp"

namespace clustr::dbscan::detail {

using cell_key = std::int64_t;

/// Geometry and sorted arrays of a grid, by value in primitives' bodies.
template <class T>
struct grid_view {
  const T* xs = nullptr;               ///< the points in cell order, n x d packed
  const index_t* perm = nullptr;       ///< sorted position -> row of the input
  const index_t* cell_of = nullptr;    ///< sorted position -> cell
  const index_t* cell_begin = nullptr; ///< n_cells + 1 positions
  const cell_key* cell_keys = nullptr; ///< ascending
  index_t n = 0, d = 0, n_cells = 0;
  int r = 1;
  bool dense = false;  ///< cells have diameter below eps
  double side = 1;
  double origin[grid_dim_limit] = {};
  cell_key m[grid_dim_limit] = {};       ///< cells per coordinate
  cell_key stride[grid_dim_limit] = {};  ///< key = sum c_j * stride_j

  CLUSTR_HD index_t cell_size(index_t c) const { return cell_begin[c + 1] - cell_begin[c]; }
  CLUSTR_HD const T* point(index_t p) const { return xs + p * d; }
  /// Cell coordinates of a cell of the grid.
  CLUSTR_HD void coords_of_cell(index_t c, cell_key* out) const {
    const cell_key key = cell_keys[c];
    for (index_t j = 0; j < d; ++j) out[j] = (key / stride[j]) % m[j];
  }
  /// Cell coordinates of any point (possibly outside the grid: clamped a few
  /// cells beyond it, where no cell of the grid is within reach).
  CLUSTR_HD void coords_of_point(const T* x, cell_key* out) const {
    for (index_t j = 0; j < d; ++j) {
      double u = (static_cast<double>(x[j]) - origin[j]) / side;
      const double lo = -static_cast<double>(r + 2), hi = static_cast<double>(m[j] + r + 2);
      u = u < lo ? lo : (u > hi ? hi : u);
      cell_key c = static_cast<cell_key>(u);
      if (static_cast<double>(c) > u) --c;  // floor for negative u
      out[j] = c;
    }
  }
};

/// How a cell lies relative to a point: entirely beyond eps, entirely
/// within eps, or partly. Computed in double on the cell's box widened by a
/// relative 1e-6 and compared with a 1e-5 margin, so that rounding of the
/// points' distances in T never makes a pruned pair count.
enum class cell_reach { none, all, some };

template <class Metric, class T>
CLUSTR_HD cell_reach reach_of_cell(const grid_view<T>& g, const Metric& metric, const T* x, const cell_key* c,
                                   double eps_r) {
  double near[grid_dim_limit], far[grid_dim_limit], xd[grid_dim_limit];
  const double pad = g.side * 1e-6;
  for (index_t j = 0; j < g.d; ++j) {
    const double v = static_cast<double>(x[j]);
    const double lo = g.origin[j] + static_cast<double>(c[j]) * g.side - pad, hi = lo + g.side + 2 * pad;
    xd[j] = v;
    near[j] = v < lo ? lo : (v > hi ? hi : v);
    far[j] = v - lo > hi - v ? lo : hi;
  }
  if (metric::reduced_distance(metric, xd, near, g.d) > eps_r * (1 + 1e-5)) return cell_reach::none;
  if (metric::reduced_distance(metric, xd, far, g.d) * (1 + 1e-5) < eps_r) return cell_reach::all;
  return cell_reach::some;
}

/// Visits the cells of the grid at most r cells away from cell coordinates
/// `base` in every coordinate, in increasing key order.
struct cell_walker {
  cell_key base[grid_dim_limit];
  int off[grid_dim_limit];
  index_t cur = 0;
  cell_key row_end = -1;
  bool active = false;
  bool done = false;

  template <class T>
  CLUSTR_HD void start(const grid_view<T>& g, const cell_key* c) {
    for (index_t j = 0; j < g.d; ++j) {
      base[j] = c[j];
      off[j] = -g.r;
    }
    cur = 0;
    active = false;
    done = false;
  }

  template <class T>
  CLUSTR_HD void advance(const grid_view<T>& g) {
    index_t j = g.d - 2;
    for (; j >= 0; --j) {
      if (++off[j] <= g.r) break;
      off[j] = -g.r;
    }
    if (j < 0) done = true;
  }

  /// The next cell, or false when all were visited.
  template <class T>
  CLUSTR_HD bool next(const grid_view<T>& g, index_t& cell) {
    while (!done) {
      if (active) {
        if (cur < g.n_cells && g.cell_keys[cur] <= row_end) {
          cell = cur++;
          return true;
        }
        active = false;
        advance(g);
        continue;
      }
      // A new row of cells along the last coordinate.
      cell_key prefix = 0;
      bool inside = true;
      for (index_t j = 0; j + 1 < g.d; ++j) {
        const cell_key cj = base[j] + off[j];
        if (cj < 0 || cj >= g.m[j]) inside = false;
        prefix += cj * g.stride[j];
      }
      const index_t last = g.d - 1;
      const cell_key lo = base[last] - g.r < 0 ? 0 : base[last] - g.r;
      const cell_key hi = base[last] + g.r >= g.m[last] ? g.m[last] - 1 : base[last] + g.r;
      if (inside && lo <= hi) {
        // Rows come in increasing key order: search from the last position.
        const cell_key key_lo = prefix + lo;
        index_t a = cur, b = g.n_cells;
        while (a < b) {
          const index_t mid = a + (b - a) / 2;
          if (g.cell_keys[mid] < key_lo) a = mid + 1; else b = mid;
        }
        cur = a;
        row_end = prefix + hi;
        active = true;
      } else {
        advance(g);
      }
    }
    return false;
  }
};

/// A built grid: owning arrays plus the geometry.
template <class T, class S>
struct grid {
  matrix<T, S> xs;
  vector<index_t, S> perm, cell_of, cell_begin;
  vector<cell_key, S> cell_keys;
  grid_view<T> geom;  // pointers filled by view()

  grid_view<T> view() const {
    grid_view<T> g = geom;
    g.xs = xs.data();
    g.perm = perm.data();
    g.cell_of = cell_of.data();
    g.cell_begin = cell_begin.data();
    g.cell_keys = cell_keys.data();
    return g;
  }
};

/// The geometry (everything but the arrays) of a grid over X for radius eps.
template <class Backend, class Metric, class T, class S>
grid_view<T> grid_geometry(const Backend& be, const Metric& metric, matrix_view<const T, S> X, double eps) {
  grid_view<T> g;
  g.n = X.rows();
  g.d = X.cols();
  const index_t d = g.d, n = g.n;
  double lo[grid_dim_limit], range[grid_dim_limit];
  for (index_t j = 0; j < d; ++j) {
    const T mn = transform_reduce(be, n, std::numeric_limits<T>::max(), minimum{},
                                  CLUSTR_LAMBDA(index_t i) { return X(i, j); });
    const T mx = transform_reduce(be, n, std::numeric_limits<T>::lowest(), maximum{},
                                  CLUSTR_LAMBDA(index_t i) { return X(i, j); });
    lo[j] = static_cast<double>(mn);
    range[j] = static_cast<double>(mx) - static_cast<double>(mn);
  }
  const double bound = coordinate_bound(metric, eps);
  g.dense = d <= 3;
  // Dense cells: diameter 0.9999 eps (the margin covers rounding of the
  // distance in T). Otherwise cells a little wider than eps, r = 1.
  double side = g.dense ? 0.9999 * bound / unit_diameter(metric, d) : 1.01 * bound;
  // Keep the number of cells (the key range) below 2^60.
  for (;;) {
    double cells = 1;
    for (index_t j = 0; j < d; ++j) cells *= std::floor(range[j] / side) + 1.0;
    if (cells < 1.15e18) break;
    side *= 2;
    g.dense = false;
  }
  g.side = side;
  g.r = static_cast<int>(std::ceil(bound / side + 1e-3));
  if (g.r < 1) g.r = 1;
  for (index_t j = 0; j < d; ++j) {
    g.origin[j] = lo[j];
    g.m[j] = static_cast<cell_key>(std::floor(range[j] / side)) + 1;
  }
  g.stride[d - 1] = 1;
  for (index_t j = d - 2; j >= 0; --j) g.stride[j] = g.stride[j + 1] * g.m[j + 1];
  return g;
}

/// Sorts the rows of X by cell and finds the cells. Memory O(n d).
template <class Backend, class Metric, class T, class S>
grid<T, S> build_grid(const Backend& be, const Metric& metric, matrix_view<const T, S> X, double eps) {
  grid<T, S> out;
  out.geom = grid_geometry(be, metric, X, eps);
  const grid_view<T> geo = out.geom;
  const index_t n = X.rows(), d = X.cols();
  auto keys = make_vector<cell_key>(be, n);
  out.perm = make_vector<index_t>(be, n);
  cell_key* k = keys.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t i) {
    cell_key c[grid_dim_limit];
    geo.coords_of_point(X.row(i), c);
    cell_key key = 0;
    for (index_t j = 0; j < d; ++j) {
      const cell_key cj = c[j] < 0 ? 0 : (c[j] >= geo.m[j] ? geo.m[j] - 1 : c[j]);
      key += cj * geo.stride[j];
    }
    k[i] = key;
  });
  iota(be, out.perm.view(), index_t(0));
  sort_by_key(be, keys.view(), out.perm.view());
  // Cell of each sorted position: a scan of the "new key" flags.
  out.cell_of = make_vector<index_t>(be, n);
  index_t* co = out.cell_of.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t p) { co[p] = (p == 0 || k[p] != k[p - 1]) ? 1 : 0; });
  inclusive_scan(be, out.cell_of.view(), out.cell_of.view());
  const index_t n_cells = read_value(be, co + (n - 1));
  for_each(be, n, CLUSTR_LAMBDA(index_t p) { co[p] -= 1; });
  out.cell_begin = make_vector<index_t>(be, n_cells + 1);
  out.cell_keys = make_vector<cell_key>(be, n_cells);
  index_t* cb = out.cell_begin.data();
  cell_key* ck = out.cell_keys.data();
  for_each(be, n, CLUSTR_LAMBDA(index_t p) {
    if (p == 0 || k[p] != k[p - 1]) {
      cb[co[p]] = p;
      ck[co[p]] = k[p];
    }
  });
  write_value(be, cb + n_cells, n);
  out.geom.n_cells = n_cells;
  // The points in cell order, so that a cell's points are contiguous.
  out.xs = make_matrix<T>(be, n, d);
  T* xs = out.xs.data();
  const index_t* pm = out.perm.data();
  for_each_2d(be, n, d, CLUSTR_LAMBDA(index_t p, index_t j) { xs[p * d + j] = X(pm[p], j); });
  return out;
}

/// True when at least `need` points of the grid (point p itself included) lie
/// within reduced distance eps_r of sorted point p.
template <class Metric, class T>
CLUSTR_HD bool grid_reaches(const grid_view<T>& g, const Metric& metric, index_t p, T eps_r, index_t need) {
  cell_key c[grid_dim_limit];
  g.coords_of_cell(g.cell_of[p], c);
  cell_walker w;
  w.start(g, c);
  const T* x = g.point(p);
  const double eps_rd = static_cast<double>(eps_r);
  index_t count = 0, cell = 0;
  while (w.next(g, cell)) {
    g.coords_of_cell(cell, c);
    const cell_reach reach = reach_of_cell(g, metric, x, c, eps_rd);
    if (reach == cell_reach::none) continue;
    const index_t e = g.cell_begin[cell + 1];
    if (reach == cell_reach::all) {
      count += e - g.cell_begin[cell];
      if (count >= need) return true;
      continue;
    }
    for (index_t q = g.cell_begin[cell]; q < e; ++q)
      if (metric::reduced_distance(metric, x, g.point(q), g.d) <= eps_r && ++count >= need) return true;
  }
  return false;
}

/// Pass 1: core[p] for every sorted position p.
template <class Backend, class Metric, class T>
void grid_core(const Backend& be, const grid_view<T>& g, const Metric& metric, T eps_r, index_t need,
               std::uint8_t* core) {
  for_each_dynamic(be, g.n, 256, CLUSTR_LAMBDA(index_t p) {
    const bool dense_cell = g.dense && g.cell_size(g.cell_of[p]) >= need;
    core[p] = (dense_cell || grid_reaches(g, metric, p, eps_r, need)) ? 1 : 0;
  });
}

/// Unites core point p with the core points within eps in its own cell
/// (after p) and in the cells after its own.
template <class Metric, class T>
CLUSTR_HD void grid_unite_point(const grid_view<T>& g, const Metric& metric, union_find_view<index_t> uf,
                                const std::uint8_t* core, index_t p, T eps_r, index_t need) {
  const index_t own = g.cell_of[p];
  const T* x = g.point(p);
  const index_t own_end = g.cell_begin[own + 1];
  if (g.dense && own_end - g.cell_begin[own] >= need) {
    if (p != g.cell_begin[own]) uf.unite(p, g.cell_begin[own]);  // all within eps, all core
  } else {
    for (index_t q = p + 1; q < own_end; ++q)
      if (core[q] && metric::reduced_distance(metric, x, g.point(q), g.d) <= eps_r) uf.unite(p, q);
  }
  cell_key c[grid_dim_limit];
  g.coords_of_cell(own, c);
  cell_walker w;
  w.start(g, c);
  const double eps_rd = static_cast<double>(eps_r);
  index_t cell = 0;
  while (w.next(g, cell)) {
    if (cell <= own) continue;  // each pair of cells once, from the smaller key
    g.coords_of_cell(cell, c);
    const cell_reach reach = reach_of_cell(g, metric, x, c, eps_rd);
    if (reach == cell_reach::none) continue;
    const index_t b = g.cell_begin[cell], e = g.cell_begin[cell + 1];
    if (g.dense && e - b >= need) {
      // A dense cell is one cluster: one link to it is enough.
      if (uf.find(p) == uf.find(b)) continue;
      if (reach == cell_reach::all) {
        uf.unite(p, b);
        continue;
      }
      for (index_t q = b; q < e; ++q)
        if (metric::reduced_distance(metric, x, g.point(q), g.d) <= eps_r) {
          uf.unite(p, q);
          break;
        }
    } else {
      for (index_t q = b; q < e; ++q)
        if (core[q] && metric::reduced_distance(metric, x, g.point(q), g.d) <= eps_r) uf.unite(p, q);
    }
  }
}

/// Pass 2: union-find over core-core pairs within eps (parent in sorted positions).
template <class Backend, class Metric, class T>
void grid_unite(const Backend& be, const grid_view<T>& g, const Metric& metric, T eps_r, index_t need,
                const std::uint8_t* core, index_t* parent) {
  union_find_init(be, vector_view<index_t, memory_space_t<Backend>>(parent, g.n));
  const union_find_view<index_t> uf{parent};
  for_each_dynamic(be, g.n, 256, CLUSTR_LAMBDA(index_t p) {
    if (core[p]) grid_unite_point(g, metric, uf, core, p, eps_r, need);
  });
  union_find_flatten(be, vector_view<index_t, memory_space_t<Backend>>(parent, g.n));
}

/// The label of the nearest core point of the grid within eps_r of x (ties to
/// the smaller input row), -1 if none. core: nullptr when every point is core.
template <class Metric, class T>
CLUSTR_HD std::int32_t grid_nearest_core_label(const grid_view<T>& g, const Metric& metric, const T* x,
                                               const cell_key* c, const std::uint8_t* core,
                                               const std::int32_t* label, T eps_r) {
  cell_walker w;
  w.start(g, c);
  T best = eps_r;
  index_t best_row = -1;
  std::int32_t best_label = -1;
  const double eps_rd = static_cast<double>(eps_r);
  cell_key cc[grid_dim_limit];
  index_t cell = 0;
  while (w.next(g, cell)) {
    g.coords_of_cell(cell, cc);
    if (reach_of_cell(g, metric, x, cc, eps_rd) == cell_reach::none) continue;
    const index_t e = g.cell_begin[cell + 1];
    for (index_t q = g.cell_begin[cell]; q < e; ++q) {
      if (core && !core[q]) continue;
      const T r = metric::reduced_distance(metric, x, g.point(q), g.d);
      if (r > best) continue;
      const index_t row = g.perm[q];
      if (best_row < 0 || r < best || row < best_row) {
        best = r;
        best_row = row;
        best_label = label[q];
      }
    }
  }
  return best_label;
}

/// Pass 3: label[p] of every non-core sorted position p (border or -1).
template <class Backend, class Metric, class T>
void grid_border(const Backend& be, const grid_view<T>& g, const Metric& metric, T eps_r, const std::uint8_t* core,
                 std::int32_t* label) {
  for_each_dynamic(be, g.n, 256, CLUSTR_LAMBDA(index_t p) {
    if (core[p]) return;
    cell_key c[grid_dim_limit];
    g.coords_of_cell(g.cell_of[p], c);
    label[p] = grid_nearest_core_label(g, metric, g.point(p), c, core, label, eps_r);
  });
}

/// predict: out[i] = label of the nearest core point within eps_r of Y_i,
/// for a grid built over the core points (label in sorted order).
template <class Backend, class Metric, class T, class S>
void grid_predict(const Backend& be, const grid_view<T>& g, const Metric& metric, T eps_r, const std::int32_t* label,
                  matrix_view<const T, S> Y, std::int32_t* out) {
  for_each_dynamic(be, Y.rows(), 256, CLUSTR_LAMBDA(index_t i) {
    cell_key c[grid_dim_limit];
    g.coords_of_point(Y.row(i), c);
    out[i] = grid_nearest_core_label(g, metric, Y.row(i), c, static_cast<const std::uint8_t*>(nullptr), label, eps_r);
  });
}

}  // namespace clustr::dbscan::detail
