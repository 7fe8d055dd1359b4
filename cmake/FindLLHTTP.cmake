# Locates the llhttp C sources and header that Debian's node-llhttp package ships
# (/usr/share/llhttp/*.c and /usr/share/include/llhttp/llhttp.h) and builds them as
# a static library target `llhttp::llhttp`. Nothing is downloaded.
#
# Result variables: LLHTTP_FOUND, LLHTTP_INCLUDE_DIR, LLHTTP_SOURCES, LLHTTP_VERSION.
include(FindPackageHandleStandardArgs)

find_path(LLHTTP_INCLUDE_DIR llhttp.h
  HINTS ${LLHTTP_ROOT}/include
  PATHS /usr/share/include /usr/include /usr/local/include
  PATH_SUFFIXES llhttp)
find_path(LLHTTP_SOURCE_DIR llhttp.c
  HINTS ${LLHTTP_ROOT}/src
  PATHS /usr/share/llhttp /usr/share/nodejs/llhttp/src /usr/local/share/llhttp)

if(LLHTTP_INCLUDE_DIR AND EXISTS "${LLHTTP_INCLUDE_DIR}/llhttp.h")
  file(STRINGS "${LLHTTP_INCLUDE_DIR}/llhttp.h" _llhttp_ver REGEX "#define LLHTTP_VERSION_(MAJOR|MINOR|PATCH) ")
  foreach(_part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*LLHTTP_VERSION_${_part} ([0-9]+).*" "\\1" _v_${_part} "${_llhttp_ver}")
  endforeach()
  set(LLHTTP_VERSION "${_v_MAJOR}.${_v_MINOR}.${_v_PATCH}")
endif()

if(LLHTTP_SOURCE_DIR)
  set(LLHTTP_SOURCES ${LLHTTP_SOURCE_DIR}/llhttp.c ${LLHTTP_SOURCE_DIR}/api.c ${LLHTTP_SOURCE_DIR}/http.c)
  foreach(_src IN LISTS LLHTTP_SOURCES)
    if(NOT EXISTS "${_src}")
      set(LLHTTP_SOURCE_DIR LLHTTP_SOURCE_DIR-NOTFOUND)
    endif()
  endforeach()
endif()

find_package_handle_standard_args(LLHTTP
  REQUIRED_VARS LLHTTP_INCLUDE_DIR LLHTTP_SOURCE_DIR
  VERSION_VAR LLHTTP_VERSION
  FAIL_MESSAGE "llhttp not found: install Debian's node-llhttp (make deps does this)")

if(LLHTTP_FOUND AND NOT TARGET llhttp::llhttp)
  add_library(llhttp STATIC ${LLHTTP_SOURCES})
  target_include_directories(llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
  set_target_properties(llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
  # Third-party code: its warnings are not ours to fix.
  target_compile_options(llhttp PRIVATE -w)
  add_library(llhttp::llhttp ALIAS llhttp)
endif()
mark_as_advanced(LLHTTP_INCLUDE_DIR LLHTTP_SOURCE_DIR)
