// The serial backend's jobs (one host thread; the reference results).
#include <fstream>
#include <string>

#include "backend_register.hpp"
#include "clustr/backend/serial.hpp"

namespace clustr_cli {

/// The CPU's model name from /proc/cpuinfo.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto p = line.find(':');
      if (p != std::string::npos) return line.substr(p + 2);
    }
  return "CPU";
}

namespace {

struct make_serial {
  clustr::serial operator()(const backend_options&) const { return {}; }
};

std::string describe_serial(const backend_options&) { return cpu_model() + ", 1 thread"; }

}  // namespace

void register_serial_backend() { register_jobs<clustr::serial, make_serial>(backend_kind::serial, &describe_serial); }

}  // namespace clustr_cli
