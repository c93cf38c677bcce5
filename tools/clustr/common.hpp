#pragma once
// What every subcommand shares: the error that ends the program with one
// line on stderr, the loaded data set, the output directory (files are
// written under temporary names and renamed only when the whole run
// succeeded), stage timers and the summary's common fields.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "json.hpp"

namespace clustr_cli {

/// Ends the program: main prints "clustr: error: <message>" and exits with `code`.
class cli_error : public std::runtime_error {
 public:
  explicit cli_error(const std::string& message, int code = 1) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

[[noreturn]] void fail(const std::string& message, int code = 1);

/// A host matrix of float or double (the data's own dtype is kept).
struct any_matrix {
  std::int64_t rows = 0, cols = 0;
  bool is_double = false;
  std::vector<float> f;
  std::vector<double> d;

  const char* dtype_name() const { return is_double ? "float64" : "float32"; }
  double at(std::int64_t i, std::int64_t j) const {
    const auto k = static_cast<std::size_t>(i * cols + j);
    return is_double ? d[k] : static_cast<double>(f[k]);
  }
  /// A copy of rows x cols values of T (float or double), row-major.
  template <class T>
  static any_matrix of(const T* data, std::int64_t rows, std::int64_t cols) {
    any_matrix a;
    a.rows = rows;
    a.cols = cols;
    a.is_double = std::is_same_v<T, double>;
    const auto n = static_cast<std::size_t>(rows * cols);
    if constexpr (std::is_same_v<T, double>) a.d.assign(data, data + n);
    else a.f.assign(data, data + n);
    return a;
  }
  /// rows x cols values of T taken over without a copy.
  template <class T>
  static any_matrix of(std::vector<T>&& values, std::int64_t rows, std::int64_t cols) {
    any_matrix a;
    a.rows = rows;
    a.cols = cols;
    a.is_double = std::is_same_v<T, double>;
    if constexpr (std::is_same_v<T, double>) a.d = std::move(values);
    else a.f = std::move(values);
    return a;
  }
  /// Calls fn(const T* data) with the data's own scalar type.
  template <class Fn>
  decltype(auto) visit(Fn&& fn) const {
    if (is_double) return fn(d.data());
    return fn(f.data());
  }
};

/// The options every subcommand takes.
struct common_options {
  std::string input;
  std::string labels;
  std::string out = "clustr-out";
  std::string backend = "openmp";
  std::string dtype = "auto";
  std::uint64_t seed = 0;
  int threads = 0;
  int device = 0;
  bool quiet = false;
  bool no_report = false;
};

/// The input: the data and, when known, the true labels.
struct dataset {
  std::string source;   ///< what --input said
  any_matrix X;
  std::vector<std::int32_t> truth;  ///< empty when unknown
  std::string truth_source;
};

/// Loads --input (and --labels): .npy (float32/float64, C order), .csv/.tsv/.txt,
/// idx(.gz), or fashion-mnist[:test|:train|:all]. Rejects empty data and
/// non-finite values with one clear message (cli_error).
dataset load_dataset(const common_options& o);

/// Files of one run: write_* put them in --out under temporary names;
/// commit() renames them all. Destroyed uncommitted (an error), it removes
/// the temporaries, and --out itself if it created it.
class output_dir {
 public:
  explicit output_dir(std::string dir);
  output_dir(const output_dir&) = delete;
  output_dir& operator=(const output_dir&) = delete;
  ~output_dir();

  /// The temporary path to write `name` to (recorded for commit()).
  std::string temp_path(const std::string& name);
  void write_text(const std::string& name, const std::string& text);
  template <class T>
  void write_npy(const std::string& name, const T* data, const std::vector<std::int64_t>& shape);
  void write_npy(const std::string& name, const any_matrix& m);
  /// Renames every file to its final name. Returns the final paths.
  std::vector<std::string> commit();
  const std::string& dir() const { return dir_; }

 private:
  void ensure_dir();
  std::string dir_;
  bool created_ = false;
  bool committed_ = false;
  std::vector<std::pair<std::string, std::string>> files_;  // temp, final
};

/// Wall-clock seconds of named stages, in order.
class stage_timer {
 public:
  template <class F>
  decltype(auto) time(const std::string& stage, F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    struct record {
      stage_timer* self;
      std::string name;
      std::chrono::steady_clock::time_point t0;
      ~record() { self->add(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()); }
    } r{this, stage, t0};
    return f();
  }
  void add(const std::string& stage, double seconds) { stages_.emplace_back(stage, seconds); }
  const std::vector<std::pair<std::string, double>>& stages() const { return stages_; }
  double total() const;
  json to_json() const;

 private:
  std::vector<std::pair<std::string, double>> stages_;
};

/// The fields every summary.json starts with: command, program version,
/// input (source, shape, dtype), backend and device.
json summary_header(const std::string& command, const common_options& o, const dataset& d, const std::string& device);

/// Prints `text` to stdout unless --quiet.
void say(const common_options& o, const std::string& text);

/// Labels as int64 (for plots) and counts.
std::vector<std::int64_t> widen(const std::vector<std::int32_t>& labels);
std::int64_t count_clusters(const std::vector<std::int32_t>& labels);
double noise_fraction(const std::vector<std::int32_t>& labels);

/// Columns 0 and 1 of X (column 1 is zeros for 1-d data).
std::pair<std::vector<double>, std::vector<double>> first_two_columns(const any_matrix& X);

/// A 2-d view of X for scatter plots: its two columns when it has at most
/// two, else its projection on the first two principal axes (power iteration
/// on every (n/2000)-th row, 30 iterations; host, about 0.2 s for
/// Fashion-MNIST). `what` receives a caption ("column" or "principal component").
std::pair<std::vector<double>, std::vector<double>> view_2d(const any_matrix& X, std::string& what);

}  // namespace clustr_cli
