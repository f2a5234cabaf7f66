// Reports of a migration or a verification: a table for people, JSON for
// scripts (the format is documented in docs/migrate.md and docs/verify.md).
#pragma once

#include "migrate/bulk.h"
#include "migrate/copier.h"
#include "migrate/verify.h"

#include <nlohmann/json.hpp>

#include <string>

namespace mf::migrate {

std::string migrate_text(const MigrateResult& result);
nlohmann::json migrate_json(const MigrateResult& result);

// A bulk run: one row per account, then what went wrong where (bulk_report.cpp).
std::string bulk_text(const BulkResult& result);
nlohmann::json bulk_json(const BulkResult& result);
// "completed", "not complete" or "failed"
std::string account_status(const MigrateResult& result);

std::string verify_text(const VerifyResult& result, const VerifyOptions& options);
nlohmann::json verify_json(const VerifyResult& result, const VerifyOptions& options);

}  // namespace mf::migrate
