// A small SQLite tokenizer for what the local backend must know about SQL text before SQLite
// parses it: database qualifiers (to rewrite and attach them), whether a tail is blank, and a
// statement's first keyword.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kitsune::backends::local {

// A name immediately followed by '.' (whitespace and comments may sit in between) and not itself
// preceded by '.': the first part of `db.table`, `table.column` or `db.table.column`.
struct Qualifier {
  std::string name;  // unquoted ("a""b" gives a"b), case kept
  bool quoted = false;
  std::string member;  // the unquoted name after the '.', empty when none follows (`t.*`)
};

// Returns `sql` with the text of every qualifier for which `map` returns a value replaced by that
// value (verbatim SQL, so the mapper quotes what needs quoting). String literals, quoted
// identifiers and comments are never looked into.
using QualifierMapper = std::function<std::optional<std::string>(const Qualifier&)>;
std::string map_qualifiers(std::string_view sql, const QualifierMapper& map);

// Hive users write `default.t`, but `default` is an SQLite keyword, so that is a syntax error
// there. Rewrites each bare `default` qualifier to `main` when default is `current_database` (the
// connection's main), else to "default" (quoted: the name of its attachment). Quoted ones are
// left alone: they are names already.
std::string rewrite_default_qualifier(std::string_view sql, std::string_view current_database);

// Hive's STRING type has no meaning to SQLite, which gives a column declared STRING numeric
// affinity ('007' would be stored as 7) and casts `CAST(x AS STRING)` to a number. Rewrites STRING
// to TEXT where it is a type: after AS in `AS STRING)`, and after a column name in CREATE and
// ALTER statements. TEXT still reads back as Hive's STRING.
std::string rewrite_hive_types(std::string_view sql);

// Whether `sql` holds nothing but whitespace, ';' and comments.
bool is_blank(std::string_view sql);

// The statement's first keyword, upper-case ("SELECT", "INSERT", ...); for `WITH ...` the keyword
// of the statement the common table expressions belong to. Empty when there is none.
std::string statement_keyword(std::string_view sql);

// Whether `sql` contains `keyword` (case-insensitive) as a bare word outside literals, quoted
// identifiers and comments.
bool contains_keyword(std::string_view sql, std::string_view keyword);

}  // namespace kitsune::backends::local
