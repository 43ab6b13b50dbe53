# CT solvers (SIRT, CGLS) and the `recon ct` subcommand (issue 7), included at the end of
# engine/CMakeLists.txt (same directory scope as recon_engine and recon).
set(RECON_CT_ENGINE_SOURCES src/ct/sirt.cu src/ct/cgls.cpp src/ct/tv_recon.cpp)
recon_kernel_sources(${RECON_CT_ENGINE_SOURCES})
target_sources(recon_engine PRIVATE ${RECON_CT_ENGINE_SOURCES})
recon_kernel_sources(src/cli/ct.cpp)
target_sources(recon PRIVATE src/cli/ct.cpp src/cli/ct_recon.cpp)
target_link_libraries(recon PRIVATE recon_datasets)
