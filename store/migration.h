// Numbered, forward-only schema migrations embedded from schema/<engine>/*.sql.
#pragma once

#include <vector>

namespace loyalty {

struct Migration {
  int version;       // NNNN prefix of the file name
  const char* name;  // file name without extension
  const char* sql;   // the whole file; statements separated by ';'
};

extern const std::vector<Migration> kSqliteMigrations;
extern const std::vector<Migration> kMysqlMigrations;

}  // namespace loyalty
