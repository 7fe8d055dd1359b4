# The layering rules, checked by reading every #include under ROOT.
#   cmake -DROOT=<tree> -P CheckEngineLayering.cmake
# Fails (FATAL_ERROR) and lists each offending line when a folder includes a layer it must not see.
# The rules (docs/architecture.md has the picture):
#   engine/**        no Qt, ui/ or app/
#   util, codec      nothing above them (codec may use util)
#   net              no http, server, client or anything above
#   tls              OpenSSL over util only (no net, http, server, client or above)
#   http             no net, server, client or anything above
#   server           no client, site, endpoints, proxy, wiring, workspace
#   client           no server, site, endpoints, proxy, wiring
#   site, endpoints  no client, proxy, wiring
#   proxy            no wiring (it is the one folder that sees both server/ and client/)
#   workspace        http, util and codec only (no net, server, client, site, endpoints, proxy, wiring)
#   ui               no app/
set(_above "engine/site/|engine/endpoints/|engine/proxy/|engine/wiring/|engine/workspace/")
set(_rules
  "engine/util|engine/(net|http|server|client|observe|codec|tls|site|endpoints|proxy|wiring|workspace)/"
  "engine/codec|engine/(net|http|server|client|observe|tls|site|endpoints|proxy|wiring|workspace)/"
  "engine/net|engine/(http|server|client|${_above})"
  "engine/tls|engine/(net|http|server|client|observe|codec)/|${_above}"
  "engine/http|engine/(net|server|client|tls)/|${_above}"
  "engine/server|engine/client/|${_above}"
  "engine/client|engine/server/|${_above}"
  "engine/site|engine/client/|engine/proxy/|engine/wiring/|engine/workspace/"
  "engine/endpoints|engine/client/|engine/proxy/|engine/wiring/|engine/workspace/"
  "engine/proxy|engine/wiring/|engine/workspace/"
  "engine/workspace|engine/(net|server|client|observe|tls|site|endpoints|proxy|wiring)/"
  "engine|Q[A-Za-z]|qt|ui/|app/"
  "ui|app/"
)
get_filename_component(ROOT "${ROOT}" ABSOLUTE)
set(_bad "")
set(_checked 0)
foreach(_rule IN LISTS _rules)
  string(FIND "${_rule}" "|" _bar)
  string(SUBSTRING "${_rule}" 0 ${_bar} _dir)
  math(EXPR _from "${_bar} + 1")
  string(SUBSTRING "${_rule}" ${_from} -1 _forbidden)
  file(GLOB_RECURSE _files ${ROOT}/${_dir}/*.h ${ROOT}/${_dir}/*.hpp ${ROOT}/${_dir}/*.cpp)
  list(LENGTH _files _n)
  math(EXPR _checked "${_checked} + ${_n}")
  foreach(_f IN LISTS _files)
    file(STRINGS ${_f} _lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](${_forbidden})")
    if(_lines)
      file(RELATIVE_PATH _rel ${ROOT} ${_f})
      list(APPEND _bad "${_rel} (${_dir} must not include ${_forbidden}): ${_lines}")
    endif()
  endforeach()
endforeach()
if(_checked EQUAL 0)
  message(FATAL_ERROR "no sources found under ${ROOT}")
endif()
if(_bad)
  string(REPLACE ";" "\n" _msg "${_bad}")
  message(FATAL_ERROR "layering broken:\n${_msg}")
endif()
message(STATUS "layering: ${_checked} file checks, every include points downward")
