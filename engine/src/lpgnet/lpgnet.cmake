# Issue 8 (lpgnet): LPG-Net and the LASSO reference solvers as their own library (it needs
# the synthetic data generators of recon_datasets and JSON, which recon_engine does not), and
# the `recon lpgnet` command. Included at the end of engine/CMakeLists.txt.
set(RECON_LPGNET_SOURCES src/lpgnet/kernels.cu src/lpgnet/lpgnet.cpp src/lpgnet/lasso_reference.cpp
                         src/lpgnet/params_json.cpp src/lpgnet/evaluate.cpp)
recon_kernel_sources(${RECON_LPGNET_SOURCES})
add_library(recon_lpgnet STATIC ${RECON_LPGNET_SOURCES})
target_link_libraries(recon_lpgnet PUBLIC recon_engine recon_datasets PRIVATE recon_io nlohmann_json::nlohmann_json)
recon_target_options(recon_lpgnet)
set_target_properties(recon_lpgnet PROPERTIES POSITION_INDEPENDENT_CODE ON CUDA_RUNTIME_LIBRARY ${RECON_CUDA_RUNTIME})

recon_kernel_sources(src/cli/lpgnet.cpp)
target_sources(recon PRIVATE src/cli/lpgnet.cpp)
target_link_libraries(recon PRIVATE recon_lpgnet)
