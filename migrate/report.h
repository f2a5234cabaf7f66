// Reports of a migration or a verification: a table for people, JSON for
// scripts (the format is documented in docs/migrate.md and docs/verify.md).
#pragma once

#include "migrate/copier.h"
#include "migrate/verify.h"

#include <nlohmann/json.hpp>

#include <string>

namespace mf::migrate {

std::string migrate_text(const MigrateResult& result);
nlohmann::json migrate_json(const MigrateResult& result);

std::string verify_text(const VerifyResult& result, const VerifyOptions& options);
nlohmann::json verify_json(const VerifyResult& result, const VerifyOptions& options);

}  // namespace mf::migrate
