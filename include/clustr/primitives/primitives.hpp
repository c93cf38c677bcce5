#pragma once
// Every primitive. Algorithm code includes this (or the single headers it
// needs) and never a backend header.

#include "clustr/core/atomic.hpp"
#include "clustr/primitives/copy_if.hpp"
#include "clustr/primitives/distance.hpp"
#include "clustr/primitives/for_each.hpp"
#include "clustr/primitives/functional.hpp"
#include "clustr/primitives/fused_topk.hpp"
#include "clustr/primitives/gather.hpp"
#include "clustr/primitives/memory.hpp"
#include "clustr/primitives/reduce.hpp"
#include "clustr/primitives/scan.hpp"
#include "clustr/primitives/segmented_reduce.hpp"
#include "clustr/primitives/select_k.hpp"
#include "clustr/primitives/sort.hpp"
#include "clustr/primitives/union_find.hpp"
#include "clustr/primitives/validate.hpp"
