# Issue 8 (overparam): sources of recon_engine and the recon tool, included at the end of
# engine/CMakeLists.txt (same directory scope as recon_engine and recon).
# Hadamard over-parametrisation (overparam.hpp) and robust line fitting (robust_regression.hpp,
# a private header shared with the Monte-Carlo program and tests/overparam).
recon_kernel_sources(src/overparam/overparam.cu)
target_sources(recon_engine PRIVATE src/overparam/overparam.cu src/overparam/robust_regression.cpp)

# The WEEP paper's robust regression experiment (Tables II/III); not installed.
add_executable(recon_robust_regression src/overparam/robust_regression_main.cpp)
target_link_libraries(recon_robust_regression PRIVATE recon_engine CLI11::CLI11)
recon_target_options(recon_robust_regression)
set_target_properties(recon_robust_regression PROPERTIES CUDA_RUNTIME_LIBRARY ${RECON_CUDA_RUNTIME})
