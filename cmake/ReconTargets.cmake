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
function(recon_target_options target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unknown-pragmas>
    $<$<COMPILE_LANGUAGE:CUDA>:--extended-lambda --expt-relaxed-constexpr -Xcompiler=-fopenmp,-Wall,-Wextra
                               -Wno-deprecated-gpu-targets>)
  target_link_libraries(${target} PUBLIC OpenMP::OpenMP_CXX)
endfunction()

# A library of one layer: recon_<layer>, exported as recon::<layer>.
function(recon_add_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  recon_kernel_sources(${ARG_SOURCES})
  add_library(recon_${layer} STATIC ${ARG_SOURCES})
  add_library(recon::${layer} ALIAS recon_${layer})
  set_target_properties(recon_${layer} PROPERTIES EXPORT_NAME ${layer} POSITION_INDEPENDENT_CODE ON
                                                  CUDA_RUNTIME_LIBRARY Static)
  target_include_directories(recon_${layer} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated/include>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(recon_${layer} PUBLIC ${ARG_DEPENDS})
  recon_target_options(recon_${layer})
  install(DIRECTORY include/ DESTINATION include)
endfunction()
