// What the postgresql backend needs to know about a statement's text without the server: its
// leading keyword and whether running it again could repeat side effects.
#pragma once

#include <string>
#include <string_view>

namespace kitsune::backends::postgresql {

// The statement's first keyword, upper-case, after comments, blanks and opening parentheses;
// empty when there is none.
std::string first_keyword(std::string_view sql);

// Whether `sql` is a plain query: SELECT, VALUES, TABLE or SHOW, or WITH whose text names no
// INSERT, UPDATE, DELETE or MERGE (outside literals, quoted names and comments). Only such a
// statement is run again for FETCH_FIRST, or cancelled when the session abandons its result.
bool is_plain_query(std::string_view sql);

}  // namespace kitsune::backends::postgresql
