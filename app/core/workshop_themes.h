// The 15 themes a facilitator can start a workshop from (kiosk-config/workshop-themes.toml,
// from seed 004): each with a promoting (främjande) and a preventive (förebyggande)
// question, texts inline per language. Swedish and English are required; other
// languages fall back to English. Loading checks everything; a bad file is one
// "path:line: what" message (the workshop then offers only an own question).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "core/survey.h"

namespace tillit {

struct WorkshopTheme {
    std::string id;
    LocalText name;
    LocalText promoting;
    LocalText preventive;
};

Result<std::vector<WorkshopTheme>> load_workshop_themes(const std::string& path);

// Where a kiosk looks for the themes: workshop-themes.toml beside its surveys folder
// (kiosk-config/ in the source tree and in /etc/tillit-kiosk when installed).
std::string workshop_themes_path(const std::string& surveys_dir);

// The theme's text in `language`, else English, else Swedish.
const std::string& theme_text(const LocalText& text, const std::string& language);

}  // namespace tillit
