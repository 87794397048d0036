# Installs the library so that other projects can find_package(floatscope).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
# A sanitizer build's objects call the ASan/UBSan runtimes: whoever links the library must link
# those runtimes too, so the option travels with the target (installed package and
# add_subdirectory alike) rather than leaving a consumer with undefined __asan_* symbols.
if(FLOATSCOPE_SANITIZE)
  target_link_options(floatscope INTERFACE -fsanitize=address,undefined)
endif()
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
