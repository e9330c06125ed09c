// The key table's storage and lookups.
#include "kitsune/config/keys.h"

#include <unordered_map>

namespace kitsune::config {
namespace {

constexpr KeyDef kTable[] = {
#define KITSUNE_KEY_DEF(id, cpp_type, value_type, name, has_default, default_value, scope,         \
                        fallback, choices, doc)                                                    \
  KeyDef{name, ValueType::value_type, has_default, default_value, Scope::scope, fallback, choices, \
         doc},
    KITSUNE_CONFIG_KEYS(KITSUNE_KEY_DEF)
#undef KITSUNE_KEY_DEF
};

enum class Index : std::size_t {
#define KITSUNE_KEY_INDEX(id, ...) id,
  KITSUNE_CONFIG_KEYS(KITSUNE_KEY_INDEX)
#undef KITSUNE_KEY_INDEX
};

}  // namespace

namespace keys {
#define KITSUNE_DEFINE_KEY(id, cpp_type, ...) \
  const Key<cpp_type> id{&kTable[static_cast<std::size_t>(Index::id)]};
KITSUNE_CONFIG_KEYS(KITSUNE_DEFINE_KEY)
#undef KITSUNE_DEFINE_KEY
}  // namespace keys

std::span<const KeyDef> all_keys() {
  return kTable;
}

const KeyDef* find_key(std::string_view name) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const KeyDef*>();
    for (const auto& def : kTable)
      m->emplace(def.name, &def);
    return m;
  }();
  auto it = index->find(name);
  return it == index->end() ? nullptr : it->second;
}

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kBool:
      return "boolean";
    case ValueType::kInt:
      return "int";
    case ValueType::kLong:
      return "long";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kList:
      return "list";
  }
  return "string";
}

std::string_view to_string(Scope scope) {
  switch (scope) {
    case Scope::kServer:
      return "server";
    case Scope::kClient:
      return "client";
    case Scope::kEngineLaunch:
      return "engine launch";
  }
  return "server";
}

}  // namespace kitsune::config
