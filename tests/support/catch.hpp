#pragma once
// Catch2 v3 where found, else v2 (Debian 12 ships 2.13).
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
