#pragma once
// A small ordered JSON value for summary.json: objects keep insertion order,
// non-finite numbers are written as null (JSON has no NaN).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace clustr_cli {

class json {
 public:
  enum class kind { null, boolean, number, integer, string, array, object };

  json() = default;
  json(std::nullptr_t) {}
  json(bool b) : kind_(kind::boolean), b_(b) {}
  json(double v) : kind_(kind::number), num_(v) {}
  json(float v) : kind_(kind::number), num_(v) {}
  json(int v) : kind_(kind::integer), int_(v) {}
  json(long v) : kind_(kind::integer), int_(v) {}
  json(long long v) : kind_(kind::integer), int_(v) {}
  json(unsigned v) : kind_(kind::integer), int_(v) {}
  json(unsigned long v) : kind_(kind::integer), int_(static_cast<long long>(v)) {}
  json(unsigned long long v) : kind_(kind::integer), int_(static_cast<long long>(v)) {}
  json(const char* s) : kind_(kind::string), str_(s) {}
  json(std::string s) : kind_(kind::string), str_(std::move(s)) {}
  template <class T>
  json(const std::vector<T>& v) : kind_(kind::array) {
    for (const auto& x : v) arr_.emplace_back(x);
  }

  static json object() {
    json j;
    j.kind_ = kind::object;
    return j;
  }
  static json array() {
    json j;
    j.kind_ = kind::array;
    return j;
  }

  /// The member `key` of an object (created, in order, when absent).
  json& operator[](const std::string& key);
  /// Appends to an array.
  void push_back(json v);
  kind type() const { return kind_; }

  /// The text, indented by `indent` spaces per level.
  std::string dump(int indent = 2) const;

 private:
  void write(std::string& out, int indent, int level) const;

  kind kind_ = kind::null;
  bool b_ = false;
  double num_ = 0;
  long long int_ = 0;
  std::string str_;
  std::vector<json> arr_;
  std::vector<std::pair<std::string, json>> obj_;
};

/// `s` with JSON escapes (quotes not included).
std::string json_escape(const std::string& s);

}  // namespace clustr_cli
