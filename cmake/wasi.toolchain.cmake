# clang targeting wasm32-wasi with Debian's wasi-libc, the way wasi-sdk does it.
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

find_program(HYPHA_WASI_CLANG NAMES clang-14 clang REQUIRED)
set(CMAKE_C_COMPILER ${HYPHA_WASI_CLANG})
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)

# --sysroot=/usr would let the host's glibc headers leak in; an isolated sysroot holds only
# links to the wasm32-wasi headers and libraries.
set(HYPHA_WASI_SYSROOT "${CMAKE_BINARY_DIR}/wasi-sysroot")
file(MAKE_DIRECTORY "${HYPHA_WASI_SYSROOT}/include" "${HYPHA_WASI_SYSROOT}/lib")
foreach(dir include lib)
  if(NOT EXISTS "${HYPHA_WASI_SYSROOT}/${dir}/wasm32-wasi")
    file(CREATE_LINK "/usr/${dir}/wasm32-wasi" "${HYPHA_WASI_SYSROOT}/${dir}/wasm32-wasi"
         SYMBOLIC)
  endif()
endforeach()
set(CMAKE_SYSROOT "${HYPHA_WASI_SYSROOT}")

set(CMAKE_C_COMPILER_WORKS ON)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
# Debian's libc.a carries DWARF; stripping takes a test module from ~115 KB to ~26 KB.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -Wl,--strip-all")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
