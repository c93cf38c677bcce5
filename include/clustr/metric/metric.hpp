#pragma once
// All metric policy structs, the metric-validation hook, and the runtime enum
// used by the command-line program and bindings.

#include <string>
#include <string_view>
#include <type_traits>

#include "clustr/core/errors.hpp"
#include "clustr/metric/cosine.hpp"
#include "clustr/metric/euclidean.hpp"
#include "clustr/metric/metric_base.hpp"
#include "clustr/metric/minkowski.hpp"

namespace clustr::metric {

/// Checks a metric's own parameters (Minkowski's p); a no-op for the others.
template <class Metric>
void validate(const Metric& m) {
  if constexpr (requires { m.validate(); }) m.validate();
}

/// Runtime names for the command-line program and bindings only; library code
/// takes the policy structs as template parameters.
enum class kind { sqeuclidean, euclidean, cosine, inner_product, manhattan, chebyshev, minkowski };

inline kind parse_kind(std::string_view s) {
  if (s == "sqeuclidean") return kind::sqeuclidean;
  if (s == "euclidean" || s == "l2") return kind::euclidean;
  if (s == "cosine") return kind::cosine;
  if (s == "inner_product" || s == "ip") return kind::inner_product;
  if (s == "manhattan" || s == "l1" || s == "cityblock") return kind::manhattan;
  if (s == "chebyshev" || s == "linf") return kind::chebyshev;
  if (s == "minkowski") return kind::minkowski;
  clustr::detail::throw_invalid("metric", std::string(s),
                                "unknown metric (sqeuclidean, euclidean, cosine, inner_product, "
                                "manhattan, chebyshev, minkowski)");
}

/// The runtime kind of a metric policy struct.
template <class Metric>
constexpr kind kind_of() {
  if constexpr (std::is_same_v<Metric, sqeuclidean>) return kind::sqeuclidean;
  else if constexpr (std::is_same_v<Metric, euclidean>) return kind::euclidean;
  else if constexpr (std::is_same_v<Metric, cosine>) return kind::cosine;
  else if constexpr (std::is_same_v<Metric, inner_product>) return kind::inner_product;
  else if constexpr (std::is_same_v<Metric, manhattan>) return kind::manhattan;
  else if constexpr (std::is_same_v<Metric, chebyshev>) return kind::chebyshev;
  else return kind::minkowski;
}

inline const char* name_of(kind k) {
  switch (k) {
    case kind::sqeuclidean: return "sqeuclidean";
    case kind::euclidean: return "euclidean";
    case kind::cosine: return "cosine";
    case kind::inner_product: return "inner_product";
    case kind::manhattan: return "manhattan";
    case kind::chebyshev: return "chebyshev";
    case kind::minkowski: break;
  }
  return "minkowski";
}

/// Calls f(metric_struct) for the runtime kind; p is Minkowski's exponent.
template <class F>
decltype(auto) visit(kind k, double p, F&& f) {
  switch (k) {
    case kind::sqeuclidean: return f(sqeuclidean{});
    case kind::euclidean: return f(euclidean{});
    case kind::cosine: return f(cosine{});
    case kind::inner_product: return f(inner_product{});
    case kind::manhattan: return f(manhattan{});
    case kind::chebyshev: return f(chebyshev{});
    case kind::minkowski: break;
  }
  return f(minkowski{p});
}

}  // namespace clustr::metric
