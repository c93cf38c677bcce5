// clustr::io: .npy round trips and numpy byte compatibility, rejected
// inputs, CSV, idx(.gz) and the Fashion-MNIST test split.

#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "clustr/io/io.hpp"
#include "support/catch.hpp"

namespace fs = std::filesystem;
namespace io = clustr::io;

namespace {

/// A fresh scratch directory per test case, removed afterwards.
struct scratch {
  fs::path dir;
  scratch() {
    dir = fs::temp_directory_path() / ("clustr_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  static int& counter() {
    static int c = 0;
    return c;
  }
};

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

/// A .npy 1.0 file with a hand-written header dictionary.
std::vector<unsigned char> npy_with_dict(std::string dict, const std::vector<unsigned char>& data) {
  dict.append((64 - (10 + dict.size() + 1) % 64) % 64, ' ');
  dict.push_back('\n');
  std::vector<unsigned char> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(dict.size() & 0xff),
                                  static_cast<unsigned char>(dict.size() >> 8)};
  // push_back, not insert: GCC 12 warns (falsely, -Warray-bounds) about insert here.
  for (char c : dict) b.push_back(static_cast<unsigned char>(c));
  for (unsigned char c : data) b.push_back(c);
  return b;
}

template <class T>
void round_trip(const scratch& s, const std::string& name) {
  std::vector<T> v;
  for (int i = 0; i < 3 * 5; ++i) v.push_back(static_cast<T>(i * 7 - 20) / static_cast<T>(std::is_floating_point_v<T> ? 3 : 1));
  const auto path = s.file(name);
  io::write_npy(path, v.data(), {3, 5});
  const auto h = io::read_npy_header(path);
  CHECK(h.type == io::dtype_of<T>());
  CHECK(h.shape == std::vector<std::int64_t>{3, 5});
  CHECK_FALSE(h.fortran_order);
  CHECK(h.data_offset % 64 == 0);
  const auto a = io::read_npy(path);
  REQUIRE(a.type == io::dtype_of<T>());
  CHECK(a.to_vector<T>() == v);
  const auto m = io::read_npy_matrix<T>(path);
  REQUIRE(m.rows() == 3);
  REQUIRE(m.cols() == 5);
  for (int i = 0; i < 15; ++i) CHECK(m.data()[i] == v[static_cast<std::size_t>(i)]);
  // 1-d write through a std::vector and read back as a vector.
  io::write_npy(path, v);
  const auto r = io::read_npy_vector<T>(path);
  REQUIRE(r.size() == 15);
  for (int i = 0; i < 15; ++i) CHECK(r[i] == v[static_cast<std::size_t>(i)]);
}

// numpy 1.26: np.save(b, np.arange(6, dtype='<f4').reshape(2, 3) / 4)
const std::vector<unsigned char> numpy_f4_2x3 = {
    0x93,0x4e,0x55,0x4d,0x50,0x59,0x01,0x00,0x76,0x00,0x7b,0x27,0x64,0x65,0x73,0x63,0x72,0x27,0x3a,0x20,
    0x27,0x3c,0x66,0x34,0x27,0x2c,0x20,0x27,0x66,0x6f,0x72,0x74,0x72,0x61,0x6e,0x5f,0x6f,0x72,0x64,0x65,
    0x72,0x27,0x3a,0x20,0x46,0x61,0x6c,0x73,0x65,0x2c,0x20,0x27,0x73,0x68,0x61,0x70,0x65,0x27,0x3a,0x20,
    0x28,0x32,0x2c,0x20,0x33,0x29,0x2c,0x20,0x7d,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,
    0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,
    0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,
    0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x0a,0x00,0x00,0x00,0x00,0x00,0x00,0x80,0x3e,0x00,0x00,0x00,0x3f,
    0x00,0x00,0x40,0x3f,0x00,0x00,0x80,0x3f,0x00,0x00,0xa0,0x3f};

// numpy: np.save(b, np.array([1, -2, 3], dtype='>i8'))  (big-endian)
const std::vector<unsigned char> numpy_be_i8 = {
    0x93,0x4e,0x55,0x4d,0x50,0x59,0x01,0x00,0x76,0x00,0x7b,0x27,0x64,0x65,0x73,0x63,0x72,0x27,0x3a,0x20,
    0x27,0x3e,0x69,0x38,0x27,0x2c,0x20,0x27,0x66,0x6f,0x72,0x74,0x72,0x61,0x6e,0x5f,0x6f,0x72,0x64,0x65,
    0x72,0x27,0x3a,0x20,0x46,0x61,0x6c,0x73,0x65,0x2c,0x20,0x27,0x73,0x68,0x61,0x70,0x65,0x27,0x3a,0x20,
    0x28,0x33,0x2c,0x29,0x2c,0x20,0x7d,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,
    0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,
    0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x20,
    0x20,0x20,0x20,0x20,0x20,0x20,0x20,0x0a,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x01,0xff,0xff,0xff,0xff,
    0xff,0xff,0xff,0xfe,0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x03};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const io::io_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("npy round trips float32, float64, int32, int64", "[io][npy]") {
  scratch s;
  round_trip<float>(s, "f4.npy");
  round_trip<double>(s, "f8.npy");
  round_trip<std::int32_t>(s, "i4.npy");
  round_trip<std::int64_t>(s, "i8.npy");
  round_trip<std::uint8_t>(s, "u1.npy");
}

TEST_CASE("npy files are byte-identical to numpy's and numpy's files read back", "[io][npy]") {
  scratch s;
  const float v[6] = {0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.25f};
  io::write_npy(s.file("ours.npy"), v, {2, 3});
  CHECK(read_bytes(s.file("ours.npy")) == numpy_f4_2x3);

  write_bytes(s.file("be.npy"), numpy_be_i8);
  const auto a = io::read_npy(s.file("be.npy"));
  CHECK(a.type == io::dtype::int64);
  CHECK(a.shape == std::vector<std::int64_t>{3});
  CHECK(a.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, -2, 3});
  // An int64 file read as float64 with conversion, and refused without.
  CHECK(io::read_npy_vector<double>(s.file("be.npy"), true)[1] == -2.0);
  CHECK(error_of([&] { (void)io::read_npy_vector<double>(s.file("be.npy")); }).find("dtype is int64, expected float64") !=
        std::string::npos);
}

TEST_CASE("npy rejects Fortran order, bad dtypes, bad shapes and truncated files", "[io][npy]") {
  scratch s;
  std::vector<unsigned char> four_floats(16, 0);
  write_bytes(s.file("f.npy"), npy_with_dict("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four_floats));
  const auto fortran = error_of([&] { (void)io::read_npy(s.file("f.npy")); });
  CHECK(fortran.find("Fortran-order") != std::string::npos);
  CHECK(fortran.find("np.ascontiguousarray") != std::string::npos);
  CHECK(fortran.find(s.file("f.npy")) != std::string::npos);

  write_bytes(s.file("c.npy"), npy_with_dict("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", four_floats));
  CHECK(error_of([&] { (void)io::read_npy(s.file("c.npy")); }).find("unsupported .npy dtype '<c8'") != std::string::npos);

  write_bytes(s.file("t.npy"), npy_with_dict("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", four_floats));
  CHECK(error_of([&] { (void)io::read_npy(s.file("t.npy")); }).find("truncated") != std::string::npos);

  write_bytes(s.file("3d.npy"), npy_with_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", four_floats));
  CHECK(error_of([&] { (void)io::read_npy_matrix<float>(s.file("3d.npy")); }).find("expected a 2-d array") != std::string::npos);

  write_bytes(s.file("junk.npy"), {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  CHECK(error_of([&] { (void)io::read_npy(s.file("junk.npy")); }).find("not a .npy file") != std::string::npos);

  CHECK(error_of([&] { (void)io::read_npy(s.file("missing.npy")); }).find("cannot open file") != std::string::npos);
}

TEST_CASE("npy reads format version 2.0 headers", "[io][npy]") {
  scratch s;
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  dict.append((64 - (12 + dict.size() + 1) % 64) % 64, ' ');
  dict.push_back('\n');
  std::vector<unsigned char> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, static_cast<unsigned char>(dict.size()), 0, 0, 0};
  b.insert(b.end(), dict.begin(), dict.end());
  const double v[2] = {1.5, -2.5};
  const auto* p = reinterpret_cast<const unsigned char*>(v);
  b.insert(b.end(), p, p + 16);
  write_bytes(s.file("v2.npy"), b);
  const auto r = io::read_npy_vector<double>(s.file("v2.npy"));
  REQUIRE(r.size() == 2);
  CHECK(r[0] == 1.5);
  CHECK(r[1] == -2.5);
}

TEST_CASE("csv reads headers, delimiters and exact values; rejects ragged rows", "[io][csv]") {
  scratch s;
  {
    std::ofstream f(s.file("a.csv"));
    f << "# a comment\nx,y,z\n1, 2.5 ,-3e-2\n\n4,nan,+6\n";
  }
  const auto t = io::read_csv_table<double>(s.file("a.csv"));
  CHECK(t.header == std::vector<std::string>{"x", "y", "z"});
  REQUIRE(t.values.rows() == 2);
  REQUIRE(t.values.cols() == 3);
  CHECK(t.values(0, 1) == 2.5);
  CHECK(t.values(0, 2) == -3e-2);
  CHECK(std::isnan(t.values(1, 1)));
  CHECK(t.values(1, 2) == 6.0);
  {
    std::ofstream f(s.file("b.tsv"));
    f << "1\t2\n3\t4\n";
  }
  const auto b = io::read_csv<float>(s.file("b.tsv"));
  CHECK(b.rows() == 2);
  CHECK(b(1, 0) == 3.0f);
  // Round trip: to_chars/from_chars reproduce every bit.
  std::vector<double> v = {0.1, 1.0 / 3.0, -1e-300, 12345.678, std::numeric_limits<double>::max(), 0};
  clustr::matrix_view<const double, clustr::host_space> mv(v.data(), 3, 2);
  io::write_csv(s.file("rt.csv"), mv, {"a", "b"});
  const auto rt = io::read_csv_table<double>(s.file("rt.csv"));
  CHECK(rt.header == std::vector<std::string>{"a", "b"});
  for (int i = 0; i < 6; ++i) CHECK(rt.values.data()[i] == v[static_cast<std::size_t>(i)]);
  {
    std::ofstream f(s.file("ragged.csv"));
    f << "1,2\n3\n";
  }
  CHECK(error_of([&] { (void)io::read_csv<float>(s.file("ragged.csv")); }).find("line 2 has 1 fields, expected 2") !=
        std::string::npos);
  {
    std::ofstream f(s.file("word.csv"));
    f << "1,2\n3,abc\n";
  }
  CHECK(error_of([&] { (void)io::read_csv<float>(s.file("word.csv")); }).find("line 2, field 2: 'abc' is not a number") !=
        std::string::npos);
  {
    std::ofstream f(s.file("empty.csv"));
    f << "a,b\n";
  }
  CHECK(error_of([&] { (void)io::read_csv<float>(s.file("empty.csv")); }).find("no data rows") != std::string::npos);
}

TEST_CASE("idx and idx.gz read back what was written", "[io][idx]") {
  scratch s;
  // A 3 x 2 x 2 int16 array, big-endian, gzip-compressed.
  std::vector<unsigned char> b = {0, 0, 0x0B, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
  for (int i = 0; i < 12; ++i) {
    const auto v = static_cast<std::uint16_t>(static_cast<std::int16_t>(i * 1000 - 5000));
    b.push_back(static_cast<unsigned char>(v >> 8));
    b.push_back(static_cast<unsigned char>(v & 0xff));
  }
  gzFile g = gzopen(s.file("x-idx3-ubyte.gz").c_str(), "wb");
  REQUIRE(g);
  gzwrite(g, b.data(), static_cast<unsigned>(b.size()));
  gzclose(g);
  write_bytes(s.file("plain.idx"), b);
  for (const auto& name : {std::string("x-idx3-ubyte.gz"), std::string("plain.idx")}) {
    const auto a = io::read_idx(s.file(name));
    CHECK(a.type == io::dtype::int16);
    CHECK(a.shape == std::vector<std::int64_t>{3, 2, 2});
    CHECK(a.get<int>(0) == -5000);
    CHECK(a.get<int>(11) == 6000);
    const auto m = io::load_matrix<float>(s.file(name));  // flattened to (3, 4)
    CHECK(m.rows() == 3);
    CHECK(m.cols() == 4);
    CHECK(m(2, 3) == 6000.0f);
  }
  // Truncated: drop the last element.
  b.resize(b.size() - 2);
  write_bytes(s.file("short.idx"), b);
  CHECK(error_of([&] { (void)io::read_idx(s.file("short.idx")); }).find("truncated idx data") != std::string::npos);
  write_bytes(s.file("bad.idx"), {1, 2, 3, 4, 5});
  CHECK(error_of([&] { (void)io::read_idx(s.file("bad.idx")); }).find("not an idx file") != std::string::npos);
}

TEST_CASE("load_matrix picks the reader from the file name", "[io]") {
  scratch s;
  const double v[4] = {1, 2, 3, 4};
  io::write_npy(s.file("d.npy"), v, {2, 2});
  const auto m = io::load_matrix<float>(s.file("d.npy"));
  CHECK(m(1, 0) == 3.0f);
  const std::int32_t iv[2] = {1, 2};
  io::write_npy(s.file("i.npy"), iv, {2});
  CHECK(error_of([&] { (void)io::load_matrix<float>(s.file("i.npy")); }).find("dtype is int32; expected float32 or float64") !=
        std::string::npos);
  CHECK(io::load_matrix<float>(s.file("i.npy"), true).rows() == 2);
  CHECK(error_of([&] { (void)io::load_matrix<float>(s.file("x.parquet")); }).find("unknown file type") != std::string::npos);
}

TEST_CASE("Fashion-MNIST test split from Debian's dataset-fashion-mnist", "[io][idx][fashion]") {
  const auto dir = io::fashion_mnist_dir();
  const auto images = dir + "/t10k-images-idx3-ubyte.gz";
  if (!fs::exists(images)) {
    WARN("dataset-fashion-mnist is not installed: " << images << " missing; test skipped");
    return;
  }
  const auto h = io::read_idx_header(images);
  CHECK(h.type == io::dtype::uint8);
  CHECK(h.shape == std::vector<std::int64_t>{10000, 28, 28});
  const auto lh = io::read_idx_header(dir + "/t10k-labels-idx1-ubyte.gz");
  CHECK(lh.shape == std::vector<std::int64_t>{10000});
  const auto d = io::load_fashion_mnist<float>(io::fashion_mnist_split::test);
  REQUIRE(d.images.rows() == 10000);
  REQUIRE(d.images.cols() == 784);
  REQUIRE(d.labels.size() == 10000);
  std::vector<int> per_class(10, 0);
  for (clustr::index_t i = 0; i < d.labels.size(); ++i) {
    REQUIRE(d.labels[i] >= 0);
    REQUIRE(d.labels[i] <= 9);
    ++per_class[static_cast<std::size_t>(d.labels[i])];
  }
  for (int c : per_class) CHECK(c == 1000);  // the test split is balanced
  float lo = 1, hi = 0;
  for (clustr::index_t i = 0; i < d.images.size(); ++i) {
    lo = std::min(lo, d.images.data()[i]);
    hi = std::max(hi, d.images.data()[i]);
  }
  CHECK(lo == 0.0f);
  CHECK(hi == 1.0f);
  CHECK(d.labels[0] == 9);  // the first test image is an ankle boot
  // A wrong directory names the package to install.
  CHECK(error_of([] { (void)io::load_fashion_mnist<float>(io::fashion_mnist_split::test, "/nonexistent"); })
            .find("dataset-fashion-mnist") != std::string::npos);
}
