#pragma once
// Progress bars on stderr, fed by callbacks (fraction done in [0, 1]). Drawn
// only when stderr is a terminal and --quiet is off, and only once a stage has
// run for half a second, so short stages and logs stay clean.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace clustr_cli {

/// Whether progress bars may be drawn: stderr is a TTY and not --quiet.
bool progress_allowed(bool quiet);

class progress_bar {
 public:
  progress_bar(std::string label, bool enabled);
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  ~progress_bar();

  /// Records `fraction` done (clamped to [0, 1]); redraws at most 10 times a second.
  void update(double fraction);
  /// Erases the bar (call when the stage ends; the destructor does too).
  void finish();
  /// A callback that forwards to update(); valid while this bar lives.
  std::function<void(double)> callback();

 private:
  void draw(double fraction);

  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

/// One bar per named stage, for library callbacks of the form
/// (stage, fraction): a new stage name finishes the previous bar.
class stage_progress {
 public:
  explicit stage_progress(bool enabled) : enabled_(enabled) {}
  void operator()(const char* stage, double fraction);
  void finish();

 private:
  bool enabled_;
  std::string stage_;
  std::unique_ptr<progress_bar> bar_;
};

}  // namespace clustr_cli
