# `cmake --install` exports the package: find_package(recon) + recon::recon.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

install(TARGETS recon_kernels recon_operators recon_io recon_datasets recon_engine recon_all
        EXPORT reconTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION include)
install(FILES include/recon/recon.hpp DESTINATION include/recon)
install(EXPORT reconTargets NAMESPACE recon:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/recon)

configure_package_config_file(cmake/reconConfig.cmake.in ${PROJECT_BINARY_DIR}/reconConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/recon)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/reconConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/reconConfig.cmake ${PROJECT_BINARY_DIR}/reconConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/recon)
