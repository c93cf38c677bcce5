#include "backend.hpp"

#include <fstream>
#include <thread>

namespace clustr_cli {

const char* name_of(backend_kind k) {
  switch (k) {
    case backend_kind::serial: return "serial";
    case backend_kind::openmp: return "openmp";
    case backend_kind::cuda: return "cuda";
    case backend_kind::kokkos: return "kokkos";
  }
  return "?";
}

backend_kind parse_backend(const std::string& name) {
  for (int i = 0; i < n_backend_kinds; ++i)
    if (name == name_of(static_cast<backend_kind>(i))) return static_cast<backend_kind>(i);
  fail("unknown backend '" + name + "' (serial, openmp, cuda, kokkos; compiled in: " + compiled_names() + ")", 2);
}

backend_entry& backend_table(backend_kind k) {
  static backend_entry table[n_backend_kinds];
  return table[static_cast<int>(k)];
}

bool is_compiled(backend_kind k) { return backend_table(k).present; }

bool is_available(backend_kind k) {
  const auto& e = backend_table(k);
  return e.present && (!e.available || e.available());
}

std::vector<backend_kind> compiled_backends() {
  std::vector<backend_kind> out;
  for (int i = 0; i < n_backend_kinds; ++i)
    if (is_compiled(static_cast<backend_kind>(i))) out.push_back(static_cast<backend_kind>(i));
  return out;
}

std::string compiled_names() {
  std::string s;
  for (auto k : compiled_backends()) s += (s.empty() ? "" : ", ") + std::string(name_of(k));
  return s;
}

void require_compiled(backend_kind k) {
  if (is_compiled(k)) return;
  const char* how = k == backend_kind::cuda     ? " (rebuild with -DCLUSTR_ENABLE_CUDA=ON)"
                    : k == backend_kind::kokkos ? " (rebuild with -DCLUSTR_ENABLE_KOKKOS=ON -DKokkos_ROOT=...)"
                                                : "";
  fail(std::string("backend '") + name_of(k) + "' is not compiled into this clustr" + how + "; available: " + compiled_names(),
       2);
}

std::string describe_device(backend_kind k, const backend_options& o) {
  const auto& e = backend_table(k);
  return e.describe ? e.describe(o) : name_of(k);
}

}  // namespace clustr_cli
