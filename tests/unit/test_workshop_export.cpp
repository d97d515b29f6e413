// Tests for core/workshop_export and core/workshop_themes: the CSV (quoting, formula
// guard, suppressed stances empty, hidden contributions absent), the PDF (a real PDF
// whose text pdftotext reads back, Swedish letters intact), atomic files in a folder,
// and the shipped themes table (15 themes, sv + en).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../server/temp_dir.h"
#include "core/store.h"
#include "core/workshop.h"
#include "core/workshop_export.h"
#include "core/workshop_themes.h"

using tillit::WorksheetStep;
using tillit::test::TempDir;

namespace {

long long fixed_clock() { return 1'795'000'000; }

struct Fixture {
    std::unique_ptr<tillit::Store> store = std::move(tillit::Store::open_in_memory()).value();
    tillit::WorkshopStore workshops{*store, fixed_clock};
    std::string id;
    Fixture() {
        tillit::WorkshopSetup setup;
        setup.title = "Dialog på biblioteket";
        setup.venue_id = "husby";
        setup.question = "Hur kan vi förebygga isolering och brist på socialt stöd?";
        setup.question_kind = tillit::QuestionKind::Preventive;
        setup.theme_id = "meeting_places";
        id = workshops.create(setup, "2026-11-23").value();
        const auto a = workshops.add_contribution(id, WorksheetStep::Partners, "Föreningar, \"kyrkan\" och moskén").value();
        workshops.add_contribution(id, WorksheetStep::WantedInfo, "=SUM(A1) statistik per område").value();
        const auto hidden = workshops.add_contribution(id, WorksheetStep::NextSteps, "Hemlig rad").value();
        REQUIRE(workshops.set_hidden(id, hidden, true).ok());
        REQUIRE(workshops.start_turn(id, tillit::TurnKind::Dots).ok());
        REQUIRE(workshops.place_dot(id, a).ok());
        REQUIRE(workshops.end_turn(id).ok());
    }
    tillit::Workshop workshop() { return workshops.load(id).value(); }
};

tillit::ExportWords words() {
    tillit::ExportWords w;
    w.words = {{"step_partners", "Vem mer kan vi samarbeta med?"}, {"contributions", "Bidrag"},
               {"priorities", "Prioriteringar"}, {"question", "Fråga"}};
    return w;
}

std::string run_pdftotext(const std::string& pdf_path) {
    const std::string txt = pdf_path + ".txt";
    const std::string command = "pdftotext -enc UTF-8 '" + pdf_path + "' '" + txt + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    std::ifstream in(txt);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("workshop export: the CSV quotes, guards formulas and leaves hidden rows out") {
    Fixture f;
    const tillit::Workshop w = f.workshop();
    const tillit::ExportWords wd = words();
    const std::string csv = tillit::workshop_csv({w, nullptr, nullptr, "Husby", "sv", wd});
    CHECK(csv.rfind("workshop,day,question,step,text,dots,agree,disagree,pass,voters\r\n", 0) == 0);
    CHECK(csv.find("\"Föreningar, \"\"kyrkan\"\" och moskén\",1,,,,0") != std::string::npos);
    CHECK(csv.find(",'=SUM(A1) statistik per område,") != std::string::npos);
    CHECK(csv.find("Vem mer kan vi samarbeta med?") != std::string::npos);
    CHECK(csv.find("Hemlig rad") == std::string::npos);
}

TEST_CASE("workshop export: a real PDF whose text reads back, written atomically with the CSV") {
    Fixture f;
    const tillit::Workshop w = f.workshop();
    const tillit::ExportWords wd = words();
    TempDir dir;
    auto files = tillit::write_workshop_export({w, nullptr, nullptr, "Husby bibliotek", "sv", wd}, dir.path.string());
    REQUIRE_MESSAGE(files.ok(), (files.ok() ? "" : files.error()));
    CHECK(std::filesystem::path(files.value().pdf).filename().string().rfind("workshop-2026-11-23-", 0) == 0);
    std::ifstream pdf(files.value().pdf, std::ios::binary);
    std::string head(5, '\0');
    pdf.read(head.data(), 5);
    CHECK(head == "%PDF-");
    const std::string text = run_pdftotext(files.value().pdf);
    CHECK(text.find("Dialog på biblioteket") != std::string::npos);
    CHECK(text.find("Hur kan vi förebygga isolering") != std::string::npos);
    CHECK(text.find("Föreningar") != std::string::npos);
    CHECK(text.find("Prioriteringar") != std::string::npos);
    CHECK(text.find("Hemlig rad") == std::string::npos);
    CHECK(std::filesystem::exists(files.value().csv));
    // Only the two files: nothing half-written left beside them.
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) ++entries;
    CHECK(entries == 3);  // pdf, csv and the test's own .txt

    CHECK_FALSE(tillit::write_workshop_export({w, nullptr, nullptr, "", "sv", wd}, dir.file("nope")).ok());
}

TEST_CASE("workshop themes: the shipped table has the 15 themes of seed 004 in Swedish and English") {
    const std::string path = tillit::workshop_themes_path(std::string(TILLIT_SOURCE_DIR) + "/kiosk-config/surveys");
    auto themes = tillit::load_workshop_themes(path);
    REQUIRE_MESSAGE(themes.ok(), (themes.ok() ? "" : themes.error()));
    REQUIRE(themes.value().size() == 15);
    const tillit::WorkshopTheme& first = themes.value().front();
    CHECK(first.id == "mental_health");
    CHECK(tillit::theme_text(first.name, "sv") == "Psykisk hälsa");
    CHECK(tillit::theme_text(first.promoting, "sv") == "Hur kan vi främja välmående och resiliens hos unga?");
    CHECK(tillit::theme_text(first.preventive, "fi") == tillit::theme_text(first.preventive, "en"));
    for (const auto& theme : themes.value()) {
        CHECK_FALSE(tillit::theme_text(theme.promoting, "sv").empty());
        CHECK_FALSE(tillit::theme_text(theme.preventive, "en").empty());
    }
}

TEST_CASE("workshop themes: a broken file is one line that names the place") {
    TempDir dir;
    const std::string path = dir.file("workshop-themes.toml");
    std::ofstream(path) << "[[themes]]\nid = \"x\"\n\"name::sv\" = \"X\"\n\"nmae::en\" = \"X\"\n";
    auto themes = tillit::load_workshop_themes(path);
    REQUIRE_FALSE(themes.ok());
    CHECK(themes.error().find(path + ":4:") == 0);
    CHECK(themes.error().find("nmae::en") != std::string::npos);
}
