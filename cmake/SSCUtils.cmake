# Helpers shared by the lib/, tools/ and unittests/ CMake files.

set(SSC_WARNING_FLAGS -Wall -Wextra -Wno-unused-parameter -Wimplicit-fallthrough)

# add_ssc_library(NAME sources... [LINK libs...])
#
# One static library per compiler stage (SSCSupport, SSCAST, SSCFrontend, ...),
# with the project's include directory, LLVM's headers and warnings on.
function(add_ssc_library name)
  cmake_parse_arguments(ARG "" "" "LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_include_directories(${name} SYSTEM PUBLIC ${LLVM_INCLUDE_DIRS})
  target_compile_definitions(${name} PUBLIC ${LLVM_DEFINITIONS_LIST})
  target_compile_options(${name} PRIVATE ${SSC_WARNING_FLAGS})
  if(ARG_LINK)
    target_link_libraries(${name} PUBLIC ${ARG_LINK})
  endif()
endfunction()
