// An export's manifest (docs/formats/export.md): manifest.json says
// everything, manifest.csv and index.xml are made from it alone (one row per
// placement; index.xml describes the table in the GDPdU/GoBD
// "Beschreibungsstandard" an auditor's software such as IDEA reads), so
// verify-export can make them again and compare byte for byte.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace mf::compliance {

inline constexpr const char* kManifestFormat = "mailferry-export/1";

std::string manifest_csv(const nlohmann::json& manifest);
std::string manifest_index_xml(const nlohmann::json& manifest);

}  // namespace mf::compliance
