# Installs the library so that other projects can find_package(floatscope).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS floatscope EXPORT floatscopeTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY lib/include/floatscope DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT floatscopeTargets NAMESPACE floatscope::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/floatscope)
configure_package_config_file(cmake/floatscopeConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/floatscopeConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/floatscope)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/floatscopeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/floatscopeConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/floatscopeConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/floatscope)
if(TARGET floatscope_cli)
  install(TARGETS floatscope_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
