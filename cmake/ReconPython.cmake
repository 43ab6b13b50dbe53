# RECON_PYTHON (AUTO | ON | OFF) -> RECON_WITH_PYTHON: build python/ when Python's development
# files and nanobind are found (AUTO), always (ON: an error when they are not), or never.
# nanobind is looked up through the interpreter (`python -m nanobind --cmake_dir`), so a
# virtual environment's nanobind is found when its python is the first on PATH or is given as
# -DPython_EXECUTABLE=... (scripts/test passes .venv-py/bin/python). The extension is a shared
# object: the static recon libraries are compiled position-independent (ReconTargets.cmake).
set(RECON_WITH_PYTHON OFF)
if(RECON_PYTHON STREQUAL "OFF")
  return()
endif()
if(RECON_FUZZ OR RECON_SANITIZE)
  if(RECON_PYTHON STREQUAL "ON")
    message(FATAL_ERROR "RECON_PYTHON=ON cannot be combined with RECON_FUZZ or RECON_SANITIZE")
  endif()
  message(STATUS "Python package: off (instrumented build)")
  return()
endif()
find_package(Python 3.9 COMPONENTS Interpreter Development.Module)
if(Python_FOUND AND NOT nanobind_DIR)
  execute_process(COMMAND "${Python_EXECUTABLE}" -m nanobind --cmake_dir OUTPUT_VARIABLE recon_nb_dir
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE recon_nb_rc)
  if(recon_nb_rc EQUAL 0 AND recon_nb_dir)
    set(nanobind_DIR "${recon_nb_dir}" CACHE PATH "nanobind's CMake package directory")
  endif()
endif()
if(Python_FOUND)
  find_package(nanobind CONFIG QUIET)
endif()
if(Python_FOUND AND nanobind_FOUND)
  set(RECON_WITH_PYTHON ON)
  message(STATUS "Python package: on (${Python_EXECUTABLE}, nanobind ${nanobind_VERSION})")
elseif(RECON_PYTHON STREQUAL "ON")
  message(FATAL_ERROR "RECON_PYTHON=ON but Python's development files or nanobind were not found for "
                      "'${Python_EXECUTABLE}' (scripts/setup-deps installs nanobind into .venv-py; pass "
                      "-DPython_EXECUTABLE=.venv-py/bin/python)")
else()
  message(STATUS "Python package: off (Python development files or nanobind not found)")
endif()
