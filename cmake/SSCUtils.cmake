# Helpers shared by the lib/, tools/ and unittests/ CMake files.

set(SSC_WARNING_FLAGS -Wall -Wextra -Wno-unused-parameter -Wimplicit-fallthrough)
# GCC 12 (Debian 12's) warns -Wrestrict inside libstdc++ wherever a string
# literal is prepended to a std::string temporary at -O2: a false positive
# of that release, reported against std::string in GCC's bugzilla and gone
# in GCC 13. It filled the Release build log with a dozen of them.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND SSC_WARNING_FLAGS -Wno-restrict)
endif()

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
