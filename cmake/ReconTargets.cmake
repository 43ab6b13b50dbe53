# Helpers that let one source file serve both backends (DESIGN.md section 2).

# Marks .cu files as C++ when the build has no CUDA, so g++ compiles the same source.
function(recon_kernel_sources)
  foreach(src IN LISTS ARGN)
    if(src MATCHES "\\.cu$" AND NOT RECON_WITH_CUDA)
      set_source_files_properties(${src} PROPERTIES LANGUAGE CXX COMPILE_OPTIONS "-xc++")
    endif()
  endforeach()
endfunction()

# Compile options every recon target shares, for both the C++ and the CUDA compiler.
# -fno-trapping-math -fno-math-errno: nothing here reads floating-point exception flags or
# errno, and without them GCC may not if-convert float compares (min/max, clamps) or inline
# sqrt, which keeps the host's kernel loops from vectorising.
function(recon_target_options target)
  set(host_flags -fno-trapping-math -fno-math-errno)
  if(RECON_HOST_ARCH)
    list(APPEND host_flags -march=${RECON_HOST_ARCH})
  endif()
  string(REPLACE ";" "," host_flags_csv "${host_flags}")
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unknown-pragmas ${host_flags}>
    $<$<COMPILE_LANGUAGE:CUDA>:--extended-lambda --expt-relaxed-constexpr
                               -Xcompiler=-fopenmp,-Wall,-Wextra,${host_flags_csv} -Wno-deprecated-gpu-targets>)
  target_link_libraries(${target} PUBLIC OpenMP::OpenMP_CXX)
endfunction()

# A library of one layer: recon_<layer>, exported as recon::<layer>.
function(recon_add_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  recon_kernel_sources(${ARG_SOURCES})
  if(RECON_SHARED_LIBS)
    add_library(recon_${layer} SHARED ${ARG_SOURCES})
  else()
    add_library(recon_${layer} STATIC ${ARG_SOURCES})
  endif()
  add_library(recon::${layer} ALIAS recon_${layer})
  set_target_properties(recon_${layer} PROPERTIES EXPORT_NAME ${layer} POSITION_INDEPENDENT_CODE ON
                                                  CUDA_RUNTIME_LIBRARY ${RECON_CUDA_RUNTIME})
  target_include_directories(recon_${layer} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated/include>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(recon_${layer} PUBLIC ${ARG_DEPENDS})
  recon_target_options(recon_${layer})
  install(DIRECTORY include/ DESTINATION include)
endfunction()
