// LocalBackend: SQLite's identity and keywords, and sessions on the data directory.
#include "local/local_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>

#include "kitsune/backend/keywords.h"
#include "kitsune/common/log.h"
#include "kitsune/common/strings.h"
#include "local/data_dir.h"
#include "local/session.h"

namespace kitsune::backends::local {
namespace {

// SQLite's keywords beyond SQL-92, upper-case, sorted, comma-separated.
std::string sqlite_keywords() {
  std::vector<std::string> words;
  for (int i = 0; i < sqlite3_keyword_count(); ++i) {
    const char* name = nullptr;
    int size = 0;
    if (sqlite3_keyword_name(i, &name, &size) != SQLITE_OK) continue;
    words.emplace_back(name, static_cast<std::size_t>(size));
  }
  return backend::keywords_beyond_sql92(std::move(words));
}
class LocalBackend final : public backend::SqlBackend {
 public:
  explicit LocalBackend(DataDir dir)
      : dir_(std::make_shared<const DataDir>(std::move(dir))), keywords_(sqlite_keywords()) {}

  std::string_view name() const override { return "local"; }
  std::string dbms_name() const override { return "SQLite"; }
  std::string dbms_version() const override { return sqlite3_libversion(); }
  std::string keywords() const override { return keywords_; }

  Result<std::unique_ptr<backend::SqlSession>> open_session(
      const backend::SessionOptions& options) override {
    Result<std::unique_ptr<LocalSession>> session =
        LocalSession::open(dir_, options.database, options.user);
    if (!session) return std::move(session).status();
    return std::unique_ptr<backend::SqlSession>(std::move(*session));
  }

 private:
  const std::shared_ptr<const DataDir> dir_;
  const std::string keywords_;
};

}  // namespace

Result<std::unique_ptr<backend::SqlBackend>> make_local_backend(const config::Conf& conf) {
  Result<DataDir> dir = DataDir::open(conf.get(config::keys::kEngineLocalDataDir),
                                      conf.get(config::keys::kEngineLocalBusyTimeout));
  if (!dir) return std::move(dir).status();
  logger("backend")->info("local backend on SQLite {} in {}", sqlite3_libversion(),
                          dir->root().string());
  return std::unique_ptr<backend::SqlBackend>(std::make_unique<LocalBackend>(std::move(*dir)));
}

}  // namespace kitsune::backends::local
