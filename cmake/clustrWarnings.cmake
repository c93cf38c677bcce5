# Warnings and sanitizers for clustr's own tests, examples and benchmarks
# (never for consumers: the INTERFACE targets carry no warning flags).
include_guard(GLOBAL)

function(clustr_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
  # CXX only: nvcc's generated host code trips warnings we cannot fix.
  if(CLUSTR_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
  if(CLUSTR_SANITIZE)
    # -fno-sanitize-recover: a UBSan finding fails the test instead of only
    # printing a line that nobody reads.
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${CLUSTR_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer>)
    target_link_options(${target} PRIVATE -fsanitize=${CLUSTR_SANITIZE})
  endif()
endfunction()
