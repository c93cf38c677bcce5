// `clustr kmeans --distributed` and `clustr knn --distributed` (built only
// with MPI). Every rank loads its own rows, checks them, and all ranks agree
// on d, dtype and the parameters before any work; any failure on any rank
// becomes the same one-line error on every rank (no rank is left waiting in
// a collective). Rank 0 writes the outputs through output_dir (temporary
// names, renamed only when everything succeeded).
#include "distributed.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backend.hpp"
#include "job_kmeans.hpp"
#include "commands.hpp"
#include "report.hpp"
#include "clustr/backend/openmp.hpp"
#include "clustr/backend/serial.hpp"
#include "clustr/distributed/distributed.hpp"
#include "clustr/io/io.hpp"
#include "job_knn.hpp"

namespace clustr_cli {

namespace {

namespace cd = clustr::distributed;
namespace io = clustr::io;

// ---- every rank fails together

/// Runs f; returns (0, "") or the exit status and message of what it threw.
template <class F>
std::pair<int, std::string> run_catching(F&& f) {
  try {
    f();
    return {0, std::string()};
  } catch (const cli_error& e) {
    return {e.code(), e.what()};
  } catch (const std::exception& e) {
    return {1, e.what()};
  }
}

/// Runs `local` on every rank; if it failed on any rank, every rank fails
/// with the first failing rank's message (and exit status), naming that rank.
template <class F>
void on_every_rank(const cd::communicator& comm, F&& local) {
  auto [code, msg] = run_catching(local);
  const int first = comm.allreduce(code != 0 ? comm.rank() : INT_MAX, cd::reduce_op::min);
  if (first == INT_MAX) return;
  code = comm.bcast(code, first);
  msg = comm.bcast(msg, first);
  if (msg.rfind("clustr: ", 0) == 0) msg = msg.substr(8);
  fail(msg + " (on rank " + std::to_string(first) + " of " + std::to_string(comm.size()) + ")", code);
}

/// Seconds per stage, the slowest rank's (collective).
stage_timer slowest_stages(const cd::communicator& comm, const stage_timer& t) {
  std::vector<double> s;
  for (const auto& st : t.stages()) s.push_back(st.second);
  comm.allreduce(s.data(), static_cast<clustr::index_t>(s.size()), cd::reduce_op::max);
  stage_timer out;
  for (std::size_t i = 0; i < s.size(); ++i) out.add(t.stages()[i].first, s[i]);
  return out;
}

double seconds_of(const stage_timer& t, const std::string& stage) {
  for (const auto& st : t.stages())
    if (st.first == stage) return st.second;
  return 0;
}

// ---- loading this rank's rows

bool is_sharded(const std::string& input) { return input.find("{rank}") != std::string::npos; }

std::string shard_path(std::string input, int rank) {
  const std::string key = "{rank}";
  for (auto p = input.find(key); p != std::string::npos; p = input.find(key, p))
    input.replace(p, key.size(), std::to_string(rank));
  return input;
}

template <class T>
void check_finite_rows(const std::string& source, const std::vector<T>& v, std::int64_t cols, std::int64_t first_row) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      fail(source + ": non-finite value (" + (std::isnan(v[i]) ? "NaN" : "inf") + ") at row " +
           std::to_string(first_row + static_cast<std::int64_t>(i) / cols) + ", column " +
           std::to_string(static_cast<std::int64_t>(i) % cols) + "; clean the data first");
}

/// Rows [first, first + count) of a .npy file, read without reading the rest.
any_matrix read_npy_block(const std::string& path, const std::string& want, const cd::communicator& comm,
                          std::int64_t& first_row, std::int64_t& n_total) {
  const auto h = io::read_npy_header(path);
  if (h.fortran_order && h.shape.size() > 1)
    fail(path + ": Fortran-order (column-major) arrays are not supported; save a C-order array with "
                "np.save(path, np.ascontiguousarray(a))");
  if (!io::is_floating(h.type))
    fail(path + ": dtype is " + io::name_of(h.type) + "; expected float32 or float64 (np.asarray(x, np.float32))");
  if (h.shape.size() != 2 && h.shape.size() != 1)
    fail(path + ": expected a 2-d array (n_samples, n_features), got " + std::to_string(h.shape.size()) + " dimensions");
  const std::int64_t n = h.shape[0], cols = h.shape.size() == 2 ? h.shape[1] : 1;
  if (n < 1 || cols < 1) fail(path + ": empty data (shape " + std::to_string(n) + " x " + std::to_string(cols) + ")");
  const auto block = cd::even_block(comm, n);
  const std::size_t width = io::size_of(h.type);
  io::array a;
  a.type = h.type;
  a.shape = {block.count, cols};
  a.bytes.resize(static_cast<std::size_t>(block.count * cols) * width);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path + ": cannot open file");
  in.seekg(static_cast<std::streamoff>(h.data_offset + static_cast<std::size_t>(block.first * cols) * width));
  if (!a.bytes.empty() && !in.read(reinterpret_cast<char*>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size())))
    fail(path + ": truncated .npy data (shape " + std::to_string(n) + " x " + std::to_string(cols) + ")");
  if (h.big_endian) io::detail::byteswap_elements(a.bytes.data(), static_cast<std::size_t>(a.size()), width);
  any_matrix m;
  m.rows = block.count;
  m.cols = cols;
  m.is_double = want == "float64" || (want == "auto" && h.type == io::dtype::float64);
  if (m.is_double) m.d = a.to_vector<double>();
  else m.f = a.to_vector<float>();
  if (m.is_double) check_finite_rows(path, m.d, cols, block.first);
  else check_finite_rows(path, m.f, cols, block.first);
  first_row = block.first;
  n_total = n;
  return m;
}

/// This rank's rows (shard or block), and how the input was split.
struct local_data {
  any_matrix X;
  std::string file;        ///< the file this rank read
  bool sharded = false;    ///< one file per rank ({rank})
  std::int64_t n_total = 0;
  std::int64_t first_row = 0;
};

local_data load_local(const common_options& o, const cd::communicator& comm) {
  if (!o.labels.empty()) fail("--labels is not supported with --distributed (score labels.npy afterwards)", 2);
  if (o.dtype != "auto" && o.dtype != "float32" && o.dtype != "float64")
    fail("--dtype must be auto, float32 or float64, not '" + o.dtype + "'");
  local_data L;
  L.sharded = is_sharded(o.input);
  L.file = L.sharded ? shard_path(o.input, comm.rank()) : o.input;
  common_options lo = o;
  lo.input = L.file;
  lo.labels.clear();
  if (!L.sharded && !o.input.starts_with("fashion-mnist")) {
    namespace fs = std::filesystem;
    if (!fs::exists(L.file)) fail(L.file + ": no such file");
    try {
      if (io::format_of(L.file) == io::file_format::npy) {
        L.X = read_npy_block(L.file, o.dtype, comm, L.first_row, L.n_total);
        return L;
      }
    } catch (const io::io_error& e) {
      fail(e.what());
    }
  }
  // Shards, or a whole non-.npy file of which this rank keeps its block.
  dataset d = load_dataset(lo);
  if (L.sharded) {
    L.X = std::move(d.X);
    return L;
  }
  const auto block = cd::even_block(comm, d.X.rows);
  L.n_total = d.X.rows;
  L.first_row = block.first;
  any_matrix m;
  m.rows = block.count;
  m.cols = d.X.cols;
  m.is_double = d.X.is_double;
  const auto b = static_cast<std::size_t>(block.first * d.X.cols), e = static_cast<std::size_t>((block.first + block.count) * d.X.cols);
  if (m.is_double) m.d.assign(d.X.d.begin() + static_cast<std::ptrdiff_t>(b), d.X.d.begin() + static_cast<std::ptrdiff_t>(e));
  else m.f.assign(d.X.f.begin() + static_cast<std::ptrdiff_t>(b), d.X.f.begin() + static_cast<std::ptrdiff_t>(e));
  L.X = std::move(m);
  return L;
}

/// Loads every rank's rows, then checks collectively that they agree on d
/// and dtype (the library checks the parameters again inside fit/graph).
/// Fills the global row count and every rank's row count.
local_data load_and_agree(const common_options& o, const cd::communicator& comm, stage_timer& timer,
                          std::vector<std::int64_t>& rows_per_rank) {
  local_data L;
  timer.time("load", [&] { on_every_rank(comm, [&] { L = load_local(o, comm); }); });
  cd::detail::check_agreement(comm, {{"--input: the number of columns (d) of every rank's rows", L.X.cols},
                                     {"--input: the dtype of every rank's rows (0 float32, 1 float64)", L.X.is_double ? 1 : 0},
                                     {"--seed", static_cast<std::int64_t>(o.seed)}});
  rows_per_rank = comm.allgather(static_cast<std::int64_t>(L.X.rows));
  L.n_total = 0;
  for (auto r : rows_per_rank) L.n_total += r;
  return L;
}

/// The backend kind, which must be a host backend (serial or openmp).
backend_kind host_backend(const common_options& o) {
  const auto kind = chosen_backend(o);
  if (kind != backend_kind::serial && kind != backend_kind::openmp)
    fail("--backend " + o.backend + ": --distributed runs on the serial and openmp backends only", 2);
  return kind;
}

template <class Fn>
void with_backend(backend_kind kind, const common_options& o, Fn&& fn) {
  if (kind == backend_kind::serial) fn(clustr::serial{});
  else fn(clustr::openmp{o.threads});
}

/// MPI for the length of one run (MPI_Init_thread without argv: mpirun
/// passes what it needs through the environment).
struct mpi_session {
  int argc = 0;
  char** argv = nullptr;
  cd::environment env{argc, argv};
};

/// Runs body(comm) with MPI initialised. On failure this rank prints its
/// error line itself, then waits (at most 30 s) until every rank has: a
/// failure is normally collective (every rank fails the same way), and
/// mpirun kills the other ranks as soon as one exits non-zero, which could
/// swallow their lines. A rank that fails alone (nobody else arrives) ends
/// the whole job with MPI_Abort instead of leaving the others waiting.
/// Then main exits with the status, printing nothing more (an empty cli_error).
template <class Body>
void run_mpi(Body&& body) {
  mpi_session mpi;
  const cd::communicator comm;
  // The error barrier gets its own communicator: it must never match a
  // collective that other ranks are still in.
  MPI_Comm errors = MPI_COMM_NULL;
  cd::detail::check_mpi(MPI_Comm_dup(comm.native(), &errors), "MPI_Comm_dup");
  auto [code, msg] = run_catching([&] { body(comm); });
  if (code == 0) {
    MPI_Comm_free(&errors);
    return;
  }
  if (msg.rfind("clustr: ", 0) == 0) msg = msg.substr(8);
  for (auto& c : msg)
    if (c == '\n') c = ' ';
  std::fprintf(stderr, "clustr: error: %s\n", msg.c_str());
  std::fflush(stderr);
  MPI_Request req;
  int done = 0;
  if (MPI_Ibarrier(errors, &req) == MPI_SUCCESS) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      MPI_Test(&req, &done, MPI_STATUS_IGNORE);
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  if (!done) MPI_Abort(comm.native(), code);
  throw cli_error("", code);
}

json input_json(const common_options& o, const local_data& L, const std::vector<std::int64_t>& rows_per_rank) {
  json in = json::object();
  in["source"] = o.input;
  in["rows"] = L.n_total;
  in["cols"] = L.X.cols;
  in["dtype"] = L.X.dtype_name();
  in["split"] = L.sharded ? "one file per rank ({rank} in --input)" : "row blocks of one file";
  json rows = json::array();
  for (auto r : rows_per_rank) rows.push_back(r);
  in["rows_per_rank"] = rows;
  return in;
}

json distributed_header(const std::string& command, const common_options& o, const local_data& L,
                        const std::vector<std::int64_t>& rows_per_rank, const cd::communicator& comm,
                        const std::string& device) {
  json j = json::object();
  j["command"] = command;
  j["clustr_version"] = "0.1.0";
  j["distributed"] = true;
  j["ranks"] = comm.size();
  j["input"] = input_json(o, L, rows_per_rank);
  j["backend"] = o.backend;
  j["device"] = device + " (rank 0)";
  j["seed"] = static_cast<unsigned long long>(o.seed);
  return j;
}

// ---- k-means

template <class Backend>
kmeans_result fit_kmeans(const Backend& be, const cd::communicator& comm, const cd::kmeans::params& p, const any_matrix& X) {
  kmeans_result out;
  X.visit([&](const auto* data) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(data)>>;
    const clustr::matrix_view<const T, clustr::host_space> Xv(data, X.rows, X.cols);
    copy_model(cd::kmeans::fit(be, comm, p, Xv), out);  // labels: this rank's rows
  });
  return out;
}

void kmeans_on_ranks(const cd::communicator& comm, const common_options& o_in, const clustr::kmeans::params& params,
                     const std::string& init_name) {
  const int rank = comm.rank();
  common_options o = o_in;
  if (rank != 0) o.quiet = true;  // rank 0 speaks for all

  backend_kind kind{};
  on_every_rank(comm, [&] {
    kind = host_backend(o);
    if (params.n_clusters < 1) fail("--n-clusters " + std::to_string(params.n_clusters) + ": must be >= 1", 2);
  });
  // Every rank must run with the same options (checked before any work).
  cd::detail::check_agreement(comm, {{"--n-clusters", params.n_clusters},
                                     {"--init", static_cast<std::int64_t>(params.init)},
                                     {"--n-init", params.n_init},
                                     {"--max-iter", params.max_iter},
                                     {"--tol (bits)", cd::detail::bits_of(params.tol)}});
  stage_timer timer;
  std::vector<std::int64_t> rows_per_rank;
  const local_data L = load_and_agree(o, comm, timer, rows_per_rank);
  if (params.n_clusters > L.n_total)
    fail("--n-clusters " + std::to_string(params.n_clusters) + ": more clusters than the " + std::to_string(L.n_total) +
         " points");
  // The output directory is checked before the work (rank 0 writes it).
  std::optional<output_dir> out;
  on_every_rank(comm, [&] {
    if (rank == 0) out.emplace(o.out);
  });
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  cd::kmeans::params dp;
  dp.kmeans = params;
  kmeans_result res;
  timer.time("kmeans", [&] { with_backend(kind, o, [&](const auto& be) { res = fit_kmeans(be, comm, dp, L.X); }); });
  const auto labels = timer.time("gather", [&] {
    return comm.gather(res.labels.data(), static_cast<clustr::index_t>(res.labels.size()), 0);
  });
  const stage_timer timings = slowest_stages(comm, timer);

  on_every_rank(comm, [&] {
    if (rank != 0) return;
    out->write_npy("labels.npy", labels.data(), {static_cast<std::int64_t>(labels.size())});
    out->write_npy("centroids.npy", res.centroids);
    json s = distributed_header("kmeans", o, L, rows_per_rank, comm, device);
    json p = json::object();
    p["n_clusters"] = params.n_clusters;
    p["init"] = init_name;
    p["n_init"] = params.n_init;
    p["max_iter"] = params.max_iter;
    p["tol"] = params.tol;
    p["seed"] = static_cast<unsigned long long>(params.seed);
    p["init_sample_size"] = dp.init_sample_size;
    s["parameters"] = p;
    s["timings_s"] = timings.to_json();
    s["n_clusters"] = count_clusters(labels);
    s["inertia"] = res.inertia;
    s["n_iter"] = res.n_iter;
    s["converged"] = res.converged;
    s["n_empty_reseeded"] = res.n_empty_reseeded;
    std::ostringstream msg;
    msg << "kmeans --distributed: " << comm.size() << (comm.size() == 1 ? " rank, " : " ranks, ") << L.n_total << " x " << L.X.cols << ' '
        << L.X.dtype_name() << ", k=" << params.n_clusters << " on " << o.backend << ": inertia " << fmt(res.inertia, 6)
        << ", " << res.n_iter << " iterations" << (res.converged ? "" : " (not converged)") << ", "
        << fmt(seconds_of(timings, "kmeans"), 3) << " s\n";
    say(o, msg.str());
    common_options no_report = o;
    no_report.no_report = true;
    finish_outputs(no_report, *out, s, nullptr);
  });
}

// ---- kNN graph

struct knn_out {
  std::vector<std::int64_t> indices;  // all rows, on rank 0
  any_matrix distances;               // all rows, on rank 0
};

template <class Backend, class T, class Metric>
void knn_typed(const Backend& be, const cd::communicator& comm, const knn_request& r, Metric metric, const T* data,
               const any_matrix& X, knn_out& out) {
  clustr::knn::params<Metric> p;
  p.k = r.k;
  p.metric = metric;
  p.algo = clustr::knn::algorithm::exact;
  p.include_self = r.include_self;
  p.batch_size = r.batch_size;
  const clustr::matrix_view<const T, clustr::host_space> Xv(data, X.rows, X.cols);
  const auto g = cd::knn::graph(be, comm, p, Xv);
  const auto all = cd::knn::gather_graph(be, comm, g, 0);
  out.indices = all.indices.to_std_vector();
  const auto D = all.distances.to_host();
  out.distances = any_matrix::of(D.data(), D.rows(), D.cols());
}

void knn_on_ranks(const cd::communicator& comm, const common_options& o_in, const knn_request& req) {
  const int rank = comm.rank();
  common_options o = o_in;
  if (rank != 0) o.quiet = true;

  backend_kind kind{};
  clustr::metric::kind mk{};
  on_every_rank(comm, [&] {
    kind = host_backend(o);
    mk = clustr::metric::parse_kind(req.metric);
    if (req.k < 1) fail("--k " + std::to_string(req.k) + ": must be >= 1", 2);
    if (req.algorithm != "exact" && req.algorithm != "auto")
      fail("--algorithm " + req.algorithm + ": --distributed kNN graphs are exact", 2);
  });
  cd::detail::check_agreement(comm, {{"--k", req.k},
                                     {"--metric", static_cast<std::int64_t>(mk)},
                                     {"--p (bits)", cd::detail::bits_of(req.p)},
                                     {"--include-self", req.include_self ? 1 : 0},
                                     {"--batch-size", req.batch_size}});
  stage_timer timer;
  std::vector<std::int64_t> rows_per_rank;
  const local_data L = load_and_agree(o, comm, timer, rows_per_rank);
  const std::int64_t most = req.include_self ? L.n_total : L.n_total - 1;
  if (req.k > most)
    fail("--k " + std::to_string(req.k) + ": must be <= " + std::to_string(most) + " for " + std::to_string(L.n_total) +
         " points" + (req.include_self ? "" : " (each point's neighbours exclude itself)"));
  std::optional<output_dir> out;
  on_every_rank(comm, [&] {
    if (rank == 0) out.emplace(o.out);
  });
  const auto bo = options_of(o);
  const std::string device = describe_device(kind, bo);

  knn_out res;
  timer.time("knn", [&] {
    with_backend(kind, o, [&](const auto& be) {
      L.X.visit([&](const auto* data) {
        clustr::metric::visit(mk, req.p, [&](auto m) { knn_typed(be, comm, req, m, data, L.X, res); });
      });
    });
  });
  const stage_timer timings = slowest_stages(comm, timer);

  on_every_rank(comm, [&] {
    if (rank != 0) return;
    out->write_npy("indices.npy", res.indices.data(), {L.n_total, req.k});
    out->write_npy("distances.npy", res.distances);
    json s = distributed_header("knn", o, L, rows_per_rank, comm, device);
    json p = json::object();
    p["k"] = req.k;
    p["metric"] = req.metric;
    if (req.metric == "minkowski") p["p"] = req.p;
    p["algorithm"] = "exact";
    p["include_self"] = req.include_self;
    p["batch_size"] = req.batch_size;
    s["parameters"] = p;
    s["exact"] = true;
    s["timings_s"] = timings.to_json();
    std::ostringstream msg;
    msg << "knn --distributed: " << comm.size() << (comm.size() == 1 ? " rank, " : " ranks, ") << L.n_total << " x " << L.X.cols << ' '
        << L.X.dtype_name() << ", k=" << req.k << ", " << req.metric << " on " << o.backend << " in "
        << fmt(seconds_of(timings, "knn"), 3) << " s\n";
    say(o, msg.str());
    common_options no_report = o;
    no_report.no_report = true;
    finish_outputs(no_report, *out, s, nullptr);
  });
}

}  // namespace

void run_kmeans_distributed(const common_options& o, const clustr::kmeans::params& params, const std::string& init_name) {
  run_mpi([&](const cd::communicator& comm) { kmeans_on_ranks(comm, o, params, init_name); });
}

void run_knn_distributed(const common_options& o, const knn_request& req) {
  run_mpi([&](const cd::communicator& comm) { knn_on_ranks(comm, o, req); });
}

}  // namespace clustr_cli
