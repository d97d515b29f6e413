# What `cmake --install` and the Debian package (`cpack -G DEB`, or the `package`
# target) put where. Included from the top-level CMakeLists.txt; see docs/deploy.md.
#
#   /usr/bin/tillit-kiosk, /usr/bin/tillit-server
#   /usr/share/tillit-kiosk/translations/*.po     UI catalogs (read at run time)
#   /etc/tillit-kiosk/kiosk.toml                  conffile, generated below
#   /etc/tillit-kiosk/surveys/*.toml              conffiles
#   /etc/tillit-kiosk/workshop-themes.toml        conffile (beside surveys/, where the kiosk looks)
#   /lib/systemd/system/tillit-{kiosk,server}.service
#   /usr/lib/sysusers.d/tillit-kiosk.conf         the two system users
#   /usr/share/doc/tillit-kiosk/                  README.md, deploy.md
# Fonts come from Debian (fonts-noto-core, app/platform/text_shaper.cpp), so none are shipped.

set(TILLIT_PACKAGING_SOURCE ${CMAKE_SOURCE_DIR}/packaging)
set(TILLIT_PACKAGING_BINARY ${CMAKE_BINARY_DIR}/packaging)
set(TILLIT_ETC /etc/tillit-kiosk)
set(TILLIT_SHARE_TRANSLATIONS /usr/share/tillit-kiosk/translations)
set(TILLIT_STATE /var/lib/tillit-kiosk)

# --- The installed kiosk.toml: kiosk-config/kiosk.toml with the system's absolute
# paths, regenerated whenever the source file changes (never a hand-kept copy). ---
set(tillit_kiosk_toml_source ${CMAKE_SOURCE_DIR}/kiosk-config/kiosk.toml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${tillit_kiosk_toml_source})
file(READ ${tillit_kiosk_toml_source} tillit_kiosk_toml)

# Replaces the value of `key = "..."` at the start of a line (keeping the comment after
# it); exactly one such line must exist, so a renamed key fails the configure step.
function(tillit_set_toml_path key value)
  string(REGEX MATCHALL "\n${key} = \"[^\"\n]*\"" found "\n${tillit_kiosk_toml}")
  list(LENGTH found count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "packaging: expected one '${key} = \"...\"' line in ${tillit_kiosk_toml_source}, "
                        "found ${count}; update packaging/packaging.cmake")
  endif()
  string(REGEX REPLACE "\n${key} = \"[^\"\n]*\"" "\n${key} = \"${value}\"" replaced "\n${tillit_kiosk_toml}")
  string(SUBSTRING "${replaced}" 1 -1 replaced)
  set(tillit_kiosk_toml "${replaced}" PARENT_SCOPE)
endfunction()
tillit_set_toml_path(data_dir ${TILLIT_STATE})
tillit_set_toml_path(surveys_dir ${TILLIT_ETC}/surveys)
tillit_set_toml_path(translations_dir ${TILLIT_SHARE_TRANSLATIONS})
# Written only when the text changes, so an unchanged config does not repackage.
function(tillit_write_if_changed path content)
  if(EXISTS ${path})
    file(READ ${path} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${path} "${content}")
endfunction()
tillit_write_if_changed(${TILLIT_PACKAGING_BINARY}/kiosk.toml
"# Installed by the tillit-kiosk package (generated from kiosk-config/kiosk.toml).
# dpkg keeps your changes on upgrades. Set [venue], [screen] and [sync] for this
# kiosk; see /usr/share/doc/tillit-kiosk/deploy.md.
${tillit_kiosk_toml}")

file(GLOB TILLIT_INSTALL_SURVEYS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kiosk-config/surveys/*.toml)
file(GLOB TILLIT_INSTALL_CATALOGS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/translations/*.po)

# dpkg asks before replacing a conffile the admin changed.
set(tillit_conffiles "${TILLIT_ETC}/kiosk.toml\n${TILLIT_ETC}/workshop-themes.toml\n")
foreach(survey ${TILLIT_INSTALL_SURVEYS})
  get_filename_component(name ${survey} NAME)
  string(APPEND tillit_conffiles "${TILLIT_ETC}/surveys/${name}\n")
endforeach()
tillit_write_if_changed(${TILLIT_PACKAGING_BINARY}/conffiles "${tillit_conffiles}")

# --- install rules ---
if(TARGET tillit-kiosk)
  install(TARGETS tillit-kiosk RUNTIME DESTINATION bin)
endif()
if(TARGET tillit-server)
  install(TARGETS tillit-server RUNTIME DESTINATION bin)
endif()
install(FILES ${TILLIT_INSTALL_CATALOGS} DESTINATION share/tillit-kiosk/translations)
# 0640: the staff PIN hashes end up in it; the postinst gives its group to tillit-kiosk.
install(FILES ${TILLIT_PACKAGING_BINARY}/kiosk.toml DESTINATION ${TILLIT_ETC}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${TILLIT_INSTALL_SURVEYS} DESTINATION ${TILLIT_ETC}/surveys)
install(FILES ${CMAKE_SOURCE_DIR}/kiosk-config/workshop-themes.toml DESTINATION ${TILLIT_ETC})
install(FILES ${TILLIT_PACKAGING_SOURCE}/systemd/tillit-kiosk.service
              ${TILLIT_PACKAGING_SOURCE}/systemd/tillit-server.service
        DESTINATION /lib/systemd/system)
install(FILES ${TILLIT_PACKAGING_SOURCE}/sysusers.conf DESTINATION lib/sysusers.d RENAME tillit-kiosk.conf)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/deploy.md DESTINATION share/doc/tillit-kiosk)

# --- the Debian package ---
set(TILLIT_PACKAGE_MAINTAINER "tillit-kiosk maintainers <tillit-kiosk@localhost>"
    CACHE STRING "Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tillit-kiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${TILLIT_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "touch-screen citizen-dialogue survey kiosk and its sync server")
set(CPACK_PACKAGE_DESCRIPTION
    "A Dear ImGui touch-screen kiosk where residents answer a short, anonymous trust\n"
    "survey in their own language, run full screen under the cage Wayland compositor\n"
    "(tillit-kiosk.service), and the reference server kiosks sync their answers to\n"
    "(tillit-server.service). Neither service starts until the admin has configured\n"
    "and enrolled it: see /usr/share/doc/tillit-kiosk/deploy.md.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tillit-kiosk_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared libraries: found by dpkg-shlibdeps. Beyond them: the compositor, Xwayland
# (GLFW is X11-only on Debian 12), the fonts the kiosk loads, a Mesa OpenGL driver
# (hardware or llvmpipe), and systemd-sysusers for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "cage, xwayland, fonts-noto-core, libgl1-mesa-dri, systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${TILLIT_PACKAGING_BINARY}/conffiles
    ${TILLIT_PACKAGING_SOURCE}/debian/postinst
    ${TILLIT_PACKAGING_SOURCE}/debian/prerm
    ${TILLIT_PACKAGING_SOURCE}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# `install`/`package` (and cpack's "preinstall" step) package what is built instead of
# building every target first: packaging then never rebuilds a test binary that a
# parallel ctest run is executing, and the package test checks the very binaries the
# other tests ran. `deb` builds just the two packaged programs, then the .deb.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
add_custom_target(deb
  COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${CMAKE_BINARY_DIR}/CPackConfig.cmake
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  COMMENT "Building ${CMAKE_BINARY_DIR}/tillit-kiosk_${PROJECT_VERSION}_<arch>.deb"
  VERBATIM USES_TERMINAL)
foreach(program tillit-kiosk tillit-server)
  if(TARGET ${program})
    add_dependencies(deb ${program})
  endif()
endforeach()
