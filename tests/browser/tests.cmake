# The browser tests: tests/browser/NAME.test.mjs is the ctest browser.NAME, node's test runner
# driving Debian's Chromium through playwright-core against the package in HYPHA_PKG_DIR;
# browser.demo also runs the native build's hypha node (HYPHA_BIN) serving web-demo/.
# wasm/CMakeLists.txt includes this file after registering the js.* tests, because
# js.websocket and js.node need the same npm packages (ws) and CMake 3.25's
# set_tests_properties reaches only the tests of the directory it runs in.
find_program(NPM_EXECUTABLE npm REQUIRED)
set(hypha_browser_dir ${PROJECT_SOURCE_DIR}/tests/browser)

# npm ci the first time, then again only when package-lock.json changes (npm ci writes
# node_modules/.package-lock.json last).
add_test(NAME browser.npm_ci
  COMMAND sh -c "[ node_modules/.package-lock.json -nt package-lock.json ] || ${NPM_EXECUTABLE} ci --no-audit --no-fund"
  WORKING_DIRECTORY ${hypha_browser_dir})
set_tests_properties(browser.npm_ci PROPERTIES FIXTURES_SETUP hypha_npm_browser)

file(GLOB hypha_browser_tests CONFIGURE_DEPENDS ${hypha_browser_dir}/*.test.mjs)
foreach(test ${hypha_browser_tests})
  get_filename_component(name ${test} NAME_WE)
  add_test(NAME browser.${name} COMMAND ${NODE_EXECUTABLE} --test ${test})
  set_tests_properties(browser.${name} PROPERTIES
                       ENVIRONMENT "HYPHA_PKG=${HYPHA_PKG_DIR};HYPHA_BIN=${HYPHA_NATIVE_BIN}"
                       FIXTURES_REQUIRED hypha_npm_browser TIMEOUT 60)
endforeach()
# browser.demo runs the web demo against a real `hypha node` (HYPHA_BIN), step by step.
set_tests_properties(browser.demo PROPERTIES TIMEOUT 180)
set_tests_properties(js.websocket js.node PROPERTIES FIXTURES_REQUIRED hypha_npm_browser)
# The web demo's benchmark (budgets/demo-bench.mjs) in its shortest form, to keep it working;
# its figures come from ./dev bench. Skipped, like browser.demo, without the native hypha.
add_test(NAME budgets.demo_bench
  COMMAND sh -c "[ -x \"$0\" ] || exit 77; exec \"$1\" \"$2\" \"$1\" \"$3\" --runs 1 --hypha \"$0\" --pkg \"$4\""
          ${HYPHA_NATIVE_BIN} ${NODE_EXECUTABLE} ${PROJECT_SOURCE_DIR}/budgets/check-bench-json.mjs
          ${PROJECT_SOURCE_DIR}/budgets/demo-bench.mjs ${HYPHA_PKG_DIR})
set_tests_properties(budgets.demo_bench PROPERTIES FIXTURES_REQUIRED hypha_npm_browser
                     SKIP_RETURN_CODE 77 TIMEOUT 120)
