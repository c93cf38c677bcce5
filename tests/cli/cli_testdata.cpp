// Test helper of the clustr program's end-to-end tests (no Python needed):
//   cli_testdata make DIR                 writes the inputs (good and bad)
//   cli_testdata check-knn OUT DATA K     indices/distances.npy equal brute force
//   cli_testdata check-partition PRED TRUTH   PRED equals TRUTH up to renaming
//   cli_testdata check-npy FILE DTYPE ROWS [COLS]  header of a .npy output
//   cli_testdata compare-npy A B TOL     same dtype and shape; integers equal,
//                                         floats within TOL * (1 + |b|)
// Exit status 0 when the check holds; one line on stderr otherwise.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "clustr/io/csv.hpp"
#include "clustr/io/npy.hpp"

namespace io = clustr::io;

namespace {

int fail(const std::string& m) {
  std::fprintf(stderr, "cli_testdata: %s\n", m.c_str());
  return 1;
}

/// Deterministic normal draws (LCG + Box-Muller): the data never changes.
struct rng {
  std::uint64_t s = 12345;
  double uniform() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(s >> 11) + 0.5) / 9007199254740992.0;
  }
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); }
};

void write_raw_npy(const std::string& path, const std::string& dict_in, const std::vector<unsigned char>& data) {
  std::string dict = dict_in;
  dict.append((64 - (10 + dict.size() + 1) % 64) % 64, ' ');
  dict.push_back('\n');
  std::ofstream f(path, std::ios::binary);
  const unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(dict.size() & 0xff),
                                  static_cast<unsigned char>(dict.size() >> 8)};
  f.write(reinterpret_cast<const char*>(head), 10);
  f.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

int make(const std::string& dir) {
  std::filesystem::create_directories(dir);
  // Three well-separated blobs in 2-d, 100 points each.
  const double centre[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  const std::int64_t n = 300;
  std::vector<float> x(static_cast<std::size_t>(n * 2));
  std::vector<double> xd(x.size());
  std::vector<std::int64_t> truth(static_cast<std::size_t>(n));
  rng r;
  for (std::int64_t i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 3);
    truth[static_cast<std::size_t>(i)] = c;
    for (int j = 0; j < 2; ++j) {
      xd[static_cast<std::size_t>(i * 2 + j)] = centre[c][j] + 0.7 * r.normal();
      x[static_cast<std::size_t>(i * 2 + j)] = static_cast<float>(xd[static_cast<std::size_t>(i * 2 + j)]);
    }
  }
  io::write_npy(dir + "/blobs.npy", x.data(), {n, 2});
  io::write_npy(dir + "/blobs64.npy", xd.data(), {n, 2});
  io::write_npy(dir + "/truth.npy", truth.data(), {n});
  io::write_csv(dir + "/blobs.csv", clustr::matrix_view<const double, clustr::host_space>(xd.data(), n, 2), {"x", "y"});
  // Shards for `--distributed` (uneven on purpose: 100 + 200 rows), and two
  // shards that disagree on the number of columns.
  io::write_npy(dir + "/blobs_part0.npy", x.data(), {100, 2});
  io::write_npy(dir + "/blobs_part1.npy", x.data() + 200, {200, 2});
  io::write_npy(dir + "/wide_part0.npy", x.data(), {100, 2});
  io::write_npy(dir + "/wide_part1.npy", x.data(), {50, 3});
  // Bad inputs.
  std::vector<std::int32_t> ints(20, 1);
  io::write_npy(dir + "/int32.npy", ints.data(), {10, 2});
  std::vector<float> cube(24, 1.0f);
  io::write_npy(dir + "/cube.npy", cube.data(), {2, 3, 4});
  std::vector<float> with_nan(x.begin(), x.begin() + 20);
  with_nan[7] = std::nanf("");
  io::write_npy(dir + "/nan.npy", with_nan.data(), {10, 2});
  {
    std::ofstream f(dir + "/inf.csv");
    f << "1,2\n3,inf\n5,6\n";
  }
  {
    std::vector<unsigned char> bytes(4 * 20, 0);
    write_raw_npy(dir + "/fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (10, 2), }", bytes);
  }
  std::vector<float> none;
  io::write_npy(dir + "/empty.npy", none.data(), {0, 2});
  {
    std::ofstream f(dir + "/not_a_dir");
    f << "a file\n";
  }
  return 0;
}

int check_knn(const std::string& out, const std::string& data, std::int64_t k) {
  const auto X = io::read_npy_matrix<float>(data);
  const auto I = io::read_npy(out + "/indices.npy");
  const auto D = io::read_npy(out + "/distances.npy");
  if (I.type != io::dtype::int64 || I.shape != std::vector<std::int64_t>{X.rows(), k})
    return fail("indices.npy: expected int64 of shape (" + std::to_string(X.rows()) + ", " + std::to_string(k) + ")");
  if (D.type != io::dtype::float32 || D.shape != I.shape) return fail("distances.npy: expected float32 of indices' shape");
  const auto idx = I.to_vector<std::int64_t>();
  const auto dist = D.to_vector<float>();
  for (std::int64_t i = 0; i < X.rows(); ++i) {
    std::vector<std::pair<double, std::int64_t>> all;
    for (std::int64_t j = 0; j < X.rows(); ++j) {
      if (j == i) continue;
      double s = 0;
      for (std::int64_t c = 0; c < X.cols(); ++c) {
        const double t = static_cast<double>(X(i, c)) - static_cast<double>(X(j, c));
        s += t * t;
      }
      all.emplace_back(std::sqrt(s), j);
    }
    std::sort(all.begin(), all.end());
    for (std::int64_t j = 0; j < k; ++j) {
      const auto e = static_cast<std::size_t>(i * k + j);
      if (std::fabs(dist[e] - all[static_cast<std::size_t>(j)].first) > 1e-4 * (1 + all[static_cast<std::size_t>(j)].first))
        return fail("row " + std::to_string(i) + ": distance " + std::to_string(j) + " is " + std::to_string(dist[e]) +
                    ", brute force " + std::to_string(all[static_cast<std::size_t>(j)].first));
      if (idx[e] != all[static_cast<std::size_t>(j)].second)
        return fail("row " + std::to_string(i) + ": neighbour " + std::to_string(j) + " is " + std::to_string(idx[e]) +
                    ", brute force " + std::to_string(all[static_cast<std::size_t>(j)].second));
    }
  }
  return 0;
}

int check_partition(const std::string& pred_path, const std::string& truth_path) {
  const auto p = io::read_npy(pred_path).to_vector<std::int64_t>();
  const auto t = io::read_npy(truth_path).to_vector<std::int64_t>();
  if (p.size() != t.size()) return fail("label counts differ");
  std::map<std::int64_t, std::int64_t> fwd, back;
  for (std::size_t i = 0; i < p.size(); ++i) {
    auto [a, ia] = fwd.emplace(p[i], t[i]);
    auto [b, ib] = back.emplace(t[i], p[i]);
    if (a->second != t[i] || b->second != p[i]) return fail("point " + std::to_string(i) + " breaks the one-to-one match");
  }
  return 0;
}

int check_npy(const std::string& path, const std::string& dtype, std::int64_t rows, std::int64_t cols) {
  const auto h = io::read_npy_header(path);
  if (io::name_of(h.type) != dtype) return fail(path + ": dtype " + io::name_of(h.type) + ", expected " + dtype);
  std::vector<std::int64_t> want = {rows};
  if (cols >= 0) want.push_back(cols);
  if (h.shape != want) return fail(path + ": unexpected shape");
  return 0;
}

int compare_npy(const std::string& a_path, const std::string& b_path, double tol) {
  const auto a = io::read_npy(a_path), b = io::read_npy(b_path);
  if (a.type != b.type) return fail(a_path + ": dtype " + io::name_of(a.type) + ", " + b_path + ": " + io::name_of(b.type));
  if (a.shape != b.shape) return fail(a_path + " and " + b_path + ": shapes differ");
  if (io::is_floating(a.type)) {
    const auto va = a.to_vector<double>(), vb = b.to_vector<double>();
    for (std::size_t i = 0; i < va.size(); ++i)
      if (!(std::fabs(va[i] - vb[i]) <= tol * (1 + std::fabs(vb[i]))))
        return fail(a_path + ": element " + std::to_string(i) + " is " + std::to_string(va[i]) + ", " + b_path + " has " +
                    std::to_string(vb[i]));
  } else {
    const auto va = a.to_vector<std::int64_t>(), vb = b.to_vector<std::int64_t>();
    for (std::size_t i = 0; i < va.size(); ++i)
      if (va[i] != vb[i])
        return fail(a_path + ": element " + std::to_string(i) + " is " + std::to_string(va[i]) + ", " + b_path + " has " +
                    std::to_string(vb[i]));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 2 && a[0] == "make") return make(a[1]);
    if (a.size() == 4 && a[0] == "check-knn") return check_knn(a[1], a[2], std::stoll(a[3]));
    if (a.size() == 3 && a[0] == "check-partition") return check_partition(a[1], a[2]);
    if ((a.size() == 4 || a.size() == 5) && a[0] == "check-npy")
      return check_npy(a[1], a[2], std::stoll(a[3]), a.size() == 5 ? std::stoll(a[4]) : -1);
    if (a.size() == 4 && a[0] == "compare-npy") return compare_npy(a[1], a[2], std::stod(a[3]));
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return fail("usage: make DIR | check-knn OUT DATA K | check-partition PRED TRUTH | check-npy FILE DTYPE ROWS [COLS] | compare-npy A B TOL");
}
