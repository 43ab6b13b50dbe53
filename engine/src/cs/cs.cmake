# Issue 8 (cs): sources of recon_engine and the recon tool, included at the end of
# engine/CMakeLists.txt (same directory scope as recon_engine and recon).
recon_kernel_sources(src/cli/cs.cpp)
target_sources(recon PRIVATE src/cli/cs.cpp)
