# Turns a JSON file into a C++ source defining `std::string loyalty::DemoProgramJson()` that
# returns the file's bytes unchanged:
#   cmake -DOUT=<file.cpp> -DIN=<file.json> -P app/embed_json.cmake
# The bytes are written as an array of hex numbers rather than a (raw) string literal, so no
# content can close a delimiter early and no compiler limit on the length of a literal applies.
if(NOT DEFINED IN OR NOT DEFINED OUT)
  message(FATAL_ERROR "usage: cmake -DOUT=<file.cpp> -DIN=<file.json> -P embed_json.cmake")
endif()
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_length)
get_filename_component(in_name "${IN}" NAME)

set(rows "")
set(row_chars 32)  # 16 bytes per line
set(offset 0)
while(offset LESS hex_length)
  string(SUBSTRING "${hex}" ${offset} ${row_chars} row)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," row "${row}")
  string(APPEND rows "    ${row}\n")
  math(EXPR offset "${offset} + ${row_chars}")
endwhile()

if(hex_length EQUAL 0)
  set(body "std::string DemoProgramJson() { return std::string(); }\n")
else()
  set(body "namespace {\n\nconstexpr unsigned char kBytes[] = {\n${rows}};\n\n}  // namespace\n\n")
  string(APPEND body "std::string DemoProgramJson() {\n"
         "  return std::string(reinterpret_cast<const char*>(kBytes), sizeof(kBytes));\n}\n")
endif()

set(content "// Generated from ${in_name} by app/embed_json.cmake. Do not edit.\n")
string(APPEND content "#include <string>\n\nnamespace loyalty {\n\n"
       "std::string DemoProgramJson();\n\n${body}\n}  // namespace loyalty\n")
file(WRITE "${OUT}" "${content}")
