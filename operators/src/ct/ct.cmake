# CT geometry, matched projectors and FBP/FDK (issue 7), included from operators/CMakeLists.txt
# (same directory scope, so recon_kernel_sources' language switch applies to recon_operators).
find_package(nlohmann_json REQUIRED)
set(RECON_CT_SOURCES
  src/ct/chunked.cpp
  src/ct/geometry.cpp
  src/ct/geometry_json.cpp
  src/ct/fbp.cu
  src/ct/fbp_filter.cpp
  src/ct/projector.cu
  src/ct/unmatched_projector.cpp
  src/ct/voxel_backproject.cu)
recon_kernel_sources(${RECON_CT_SOURCES})
target_sources(recon_operators PRIVATE ${RECON_CT_SOURCES})
# Header-only, used by geometry_json.cpp alone; kept out of the installed link interface.
target_link_libraries(recon_operators PRIVATE $<BUILD_INTERFACE:nlohmann_json::nlohmann_json>)
