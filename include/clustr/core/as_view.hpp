#pragma once
// Lets algorithm entry points accept views, const views and owning arrays
// alike: as_const_view(x) gives a matrix_view<const T, Space> / vector_view.

#include <type_traits>

#include "clustr/core/array.hpp"
#include "clustr/core/view.hpp"

namespace clustr {

template <class T, class S>
matrix_view<const std::remove_const_t<T>, S> as_const_view(matrix_view<T, S> v) {
  return v;
}
template <class T, class S>
matrix_view<const T, S> as_const_view(const matrix<T, S>& m) {
  return m.view();
}
template <class T, class S>
vector_view<const std::remove_const_t<T>, S> as_const_view(vector_view<T, S> v) {
  return v;
}
template <class T, class S>
vector_view<const T, S> as_const_view(const vector<T, S>& v) {
  return v.view();
}

// The decltype sits inside a class, not in the aliases: nvcc 13.0 cannot name
// a function template whose return type spells decltype(...declval...) when the
// function holds an extended (__host__ __device__) lambda (the generated stub
// fails to compile), and algorithms return e.g. knn_graph<value_type_of_t<D>, ...>.
template <class X>
struct view_traits {
  using view_type = decltype(as_const_view(std::declval<const X&>()));
};

/// The element type of a view or array, without const.
template <class X>
using value_type_of_t = typename view_traits<X>::view_type::value_type;
/// The memory space of a view or array.
template <class X>
using space_of_t = typename view_traits<X>::view_type::memory_space;

}  // namespace clustr
