#include "json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace clustr_cli {

json& json::operator[](const std::string& key) {
  if (kind_ == kind::null) kind_ = kind::object;
  for (auto& [k, v] : obj_)
    if (k == key) return v;
  obj_.emplace_back(key, json{});
  return obj_.back().second;
}

void json::push_back(json v) {
  if (kind_ == kind::null) kind_ = kind::array;
  arr_.push_back(std::move(v));
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

std::string json::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  out.push_back('\n');
  return out;
}

void json::write(std::string& out, int indent, int level) const {
  auto newline = [&](int lvl) {
    if (indent <= 0) return;
    out.push_back('\n');
    out.append(static_cast<std::size_t>(indent * lvl), ' ');
  };
  switch (kind_) {
    case kind::null: out += "null"; break;
    case kind::boolean: out += b_ ? "true" : "false"; break;
    case kind::integer: out += std::to_string(int_); break;
    case kind::number: {
      if (!std::isfinite(num_)) {
        out += "null";
        break;
      }
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, num_);
      out.append(buf, r.ptr);
      break;
    }
    case kind::string: out += '"' + json_escape(str_) + '"'; break;
    case kind::array: {
      // Arrays of scalars stay on one line (per-k score lists are long).
      bool flat = true;
      for (const auto& v : arr_) flat = flat && v.kind_ != kind::array && v.kind_ != kind::object;
      out.push_back('[');
      for (std::size_t i = 0; i < arr_.size(); ++i) {
        if (i) out += flat ? ", " : ",";
        if (!flat) newline(level + 1);
        arr_[i].write(out, indent, level + 1);
      }
      if (!flat && !arr_.empty()) newline(level);
      out.push_back(']');
      break;
    }
    case kind::object: {
      out.push_back('{');
      for (std::size_t i = 0; i < obj_.size(); ++i) {
        if (i) out.push_back(',');
        newline(level + 1);
        out += '"' + json_escape(obj_[i].first) + "\": ";
        obj_[i].second.write(out, indent, level + 1);
      }
      if (!obj_.empty()) newline(level);
      out.push_back('}');
      break;
    }
  }
}

}  // namespace clustr_cli
