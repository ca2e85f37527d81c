# Install rules: library, public headers, CMake package config and pkg-config.
include(CMakePackageConfigHelpers)

install(TARGETS biomatch EXPORT biomatchTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY core/include/biomatch DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT biomatchTargets NAMESPACE biomatch::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/biomatch)

configure_package_config_file(cmake/biomatchConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/biomatchConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/biomatch)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/biomatchConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/biomatchConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/biomatchConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/biomatch)

file(RELATIVE_PATH BM_PC_RELATIVE_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(cmake/biomatch.pc.in ${CMAKE_CURRENT_BINARY_DIR}/biomatch.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/biomatch.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
