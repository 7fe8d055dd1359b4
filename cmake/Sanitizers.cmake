# SLUICE_SANITIZE=address (ASan+UBSan) or thread (TSan). Applies to every target.
set(SLUICE_SANITIZE "" CACHE STRING "Sanitizer build: empty, address or thread")
if(SLUICE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(SLUICE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # Suppressions for uninstrumented Qt internals, compiled into every target that follows.
  add_library(sluice_tsan_suppressions OBJECT ${CMAKE_CURRENT_LIST_DIR}/tsan_suppressions.cpp)
  link_libraries(sluice_tsan_suppressions)
elseif(NOT SLUICE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SLUICE_SANITIZE must be empty, address or thread")
endif()
