# Warnings for our own targets. Third-party code (llhttp) is built with -w.
function(sluice_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
    -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    # Designated initializers leave the rest default-initialised on purpose.
    -Wno-missing-field-initializers
    # GCC 12 false positive in std::string operator+ at -O2 (GCC bug 105329).
    -Wno-restrict)
  if(SLUICE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
