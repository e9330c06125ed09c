// ODBC's SQL_KEYWORDS for a backend: the words of its dialect beyond SQL-92's reserved ones.
#pragma once

#include <string>
#include <vector>

namespace kitsune::backend {

// `words` (any case, duplicates allowed) upper-cased, without SQL-92's reserved words (which
// SQL_KEYWORDS leaves out by definition), sorted, unique, comma-separated.
std::string keywords_beyond_sql92(std::vector<std::string> words);

}  // namespace kitsune::backend
