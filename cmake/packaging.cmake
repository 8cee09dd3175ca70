# Install rules and the CPack .deb of the `loyalty` binary (included by CMakeLists.txt after the
# loyalty target). What lands where, and why, is in docs/operations.md, "Installing the package".
# `cpack` and `cmake --install` install what is built (the loyalty target) and never build all
# the tests and benchmarks first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "install prefix" FORCE)
endif()

install(TARGETS loyalty RUNTIME DESTINATION bin)

# The config file is the operator's once installed: `cmake --install` over an existing one leaves
# it alone (the .deb gets the same from dpkg, which lists it in conffiles below).
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}/etc/loyalty/loyalty.toml\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}/etc/loyalty/loyalty.toml\")
  else()
    file(INSTALL DESTINATION /etc/loyalty TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
         FILES \"${CMAKE_CURRENT_SOURCE_DIR}/deploy/loyalty.toml\")
  endif()")

install(FILES deploy/systemd/loyalty.service deploy/systemd/loyalty-daily.service
              deploy/systemd/loyalty-daily.timer
        DESTINATION lib/systemd/system)

install(FILES README.md docs/architecture.md docs/coupons.md docs/ledger.md docs/messages.md
              docs/operations.md docs/tiers.md
        DESTINATION share/doc/loyalty)
install(FILES docs/api/openapi.yaml DESTINATION share/doc/loyalty/api)
install(FILES deploy/nginx/loyalty.conf DESTINATION share/doc/loyalty/examples/nginx)

set(CPACK_PACKAGE_NAME loyalty)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "loyalty maintainers <loyalty@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "points, tiers and coupons for Korean online shops")
# Absolute destinations (/etc) are staged under DESTDIR like the rest, never written to the
# build machine's /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # loyalty_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# The binary without its debug sections (RelWithDebInfo builds carry them): a tenth of the size.
set(CPACK_STRIP_FILES ON)
# The shared libraries the binary links (POCO, SQLite, Connector/C++, spdlog, ...) come from
# dpkg-shlibdeps (dpkg-dev); the rest is what the maintainer scripts and the time zones need.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
include(CPack)
