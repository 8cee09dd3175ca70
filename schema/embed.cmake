# Turns every schema/<engine>/NNNN_name.sql into an entry of a C++ array, ordered by name:
#   struct Migration { int version; const char* name; const char* sql; };
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(fname ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" ver ${fname})
  math(EXPR ver "${ver} + 0")
  file(READ ${f} sql)
  string(APPEND body "  {${ver}, \"${fname}\", R\"__sql__(${sql})__sql__\"},\n")
endforeach()
file(WRITE ${OUT} "// Generated from schema/ by schema/embed.cmake. Do not edit.\n#include \"store/migration.h\"\nnamespace loyalty {\nconst std::vector<Migration> ${NAME} = {\n${body}};\n}  // namespace loyalty\n")
