# Issue 8 (cs): sources of recon_engine and the recon tool, included at the end of
# engine/CMakeLists.txt (same directory scope as recon_engine and recon).
# The CS pipeline draws its Gaussian matrices and sampling patterns with recon_datasets'
# counter RNG (kernels only, no cycle).
target_sources(recon_engine PRIVATE src/cs/apgm.cpp src/cs/cs.cpp)
target_link_libraries(recon_engine PUBLIC recon_datasets)
recon_kernel_sources(src/cli/cs.cpp)
target_sources(recon PRIVATE src/cli/cs.cpp)
