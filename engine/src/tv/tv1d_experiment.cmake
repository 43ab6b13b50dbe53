# recon_tv1d_experiment (issue 6): the WEEP paper's 1D TV experiment, a host program that
# prints the README table. Included at the end of engine/CMakeLists.txt.
add_executable(recon_tv1d_experiment src/tv/tv1d_experiment.cpp)
target_link_libraries(recon_tv1d_experiment PRIVATE recon_engine recon_datasets CLI11::CLI11
                                                    nlohmann_json::nlohmann_json)
recon_target_options(recon_tv1d_experiment)
set_target_properties(recon_tv1d_experiment PROPERTIES CUDA_RUNTIME_LIBRARY ${RECON_CUDA_RUNTIME})
