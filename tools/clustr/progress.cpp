#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace clustr_cli {

bool progress_allowed(bool quiet) { return !quiet && ::isatty(STDERR_FILENO) == 1; }

progress_bar::progress_bar(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

progress_bar::~progress_bar() { finish(); }

void progress_bar::update(double fraction) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::milliseconds(500)) return;
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && fraction < 1.0) return;
  last_ = now;
  draw(std::clamp(fraction, 0.0, 1.0));
}

void progress_bar::draw(double f) {
  constexpr int width = 30;
  const int filled = static_cast<int>(f * width + 0.5);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(width - filled), '.');
  std::fprintf(stderr, "\r\033[K%-12s [%s] %3d%% %6.1fs", label_.c_str(), bar.c_str(), static_cast<int>(f * 100 + 0.5),
               elapsed);
  if (f > 0.02 && f < 1.0) std::fprintf(stderr, " (eta %.0fs)", elapsed * (1 - f) / f);
  std::fflush(stderr);
  drawn_ = true;
}

void progress_bar::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
  enabled_ = false;
}

std::function<void(double)> progress_bar::callback() {
  return [this](double f) { update(f); };
}

void stage_progress::operator()(const char* stage, double fraction) {
  if (!enabled_) return;
  if (!bar_ || stage_ != stage) {
    if (bar_) bar_->finish();
    stage_ = stage;
    bar_ = std::make_unique<progress_bar>(stage_, true);
  }
  bar_->update(fraction);
}

void stage_progress::finish() {
  if (bar_) bar_->finish();
  bar_.reset();
}

}  // namespace clustr_cli
