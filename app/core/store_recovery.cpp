// Start-up check of the store file (see store_recovery.h). Files are only ever renamed
// within data_dir, so a damaged database stays byte-identical for whoever looks at it.
#include "core/store_recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>
#include <vector>

#include "core/config_edit.h"

namespace tillit {
namespace fs = std::filesystem;
namespace {

std::string utc_now(const char* format) {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    if (std::strftime(text, sizeof text, format, &utc) == 0) return "";
    return text;
}

std::uint32_t big_endian(const unsigned char* bytes) {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
           std::uint32_t{bytes[3]};
}
std::uint32_t little_endian(const unsigned char* bytes) {
    return (std::uint32_t{bytes[3]} << 24) | (std::uint32_t{bytes[2]} << 16) | (std::uint32_t{bytes[1]} << 8) |
           std::uint32_t{bytes[0]};
}

// SQLite's WAL checksum (https://www.sqlite.org/fileformat2.html#walformat): over pairs of
// 32-bit words in the byte order the WAL's magic number names, continuing from `sum`.
void wal_checksum(const unsigned char* data, std::size_t size, bool big, std::uint32_t sum[2]) {
    for (std::size_t i = 0; i + 8 <= size; i += 8) {
        const std::uint32_t x0 = big ? big_endian(data + i) : little_endian(data + i);
        const std::uint32_t x1 = big ? big_endian(data + i + 4) : little_endian(data + i + 4);
        sum[0] += x0 + sum[1];
        sum[1] += x1 + sum[0];
    }
}

// A log restarts only once the database holds every frame in it, and its new header is
// written and synced before any frame follows it. A power cut while that header was being
// written leaves it unreadable, and SQLite then ignores the whole log, which loses nothing.
// True when that is so: every page the last commit of the frames behind the header would
// give is already in the database, byte for byte. The frames' own salts and checksums
// (chained from frame 1, whose seed was in the lost header) say which frames belong.
bool log_already_in_database(const std::string& wal_path) {
    std::ifstream wal(wal_path, std::ios::binary | std::ios::ate);
    const auto wal_size = static_cast<std::uint64_t>(wal.tellg());
    std::ifstream db(wal_path.substr(0, wal_path.size() - 4), std::ios::binary);
    std::array<unsigned char, 100> db_header{};
    if (!db.read(reinterpret_cast<char*>(db_header.data()), db_header.size())) return wal_size <= 32;
    const std::uint32_t stored_size = (std::uint32_t{db_header[16]} << 8) | db_header[17];
    const std::uint32_t page_size = stored_size == 1 ? 65536 : stored_size;
    if (page_size < 512 || (page_size & (page_size - 1)) != 0) return false;
    std::vector<std::vector<unsigned char>> frames;
    for (std::uint64_t offset = 32; offset + 24 + page_size <= wal_size; offset += 24 + page_size) {
        std::vector<unsigned char> frame(24 + page_size);
        wal.seekg(static_cast<std::streamoff>(offset));
        if (!wal.read(reinterpret_cast<char*>(frame.data()), static_cast<std::streamsize>(frame.size()))) break;
        frames.push_back(std::move(frame));
    }
    // The last version of each page up to the last commit, in either checksum byte order.
    auto committed_pages = [&](bool big) {
        std::map<std::uint32_t, const unsigned char*> pages;
        std::map<std::uint32_t, const unsigned char*> pending;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const unsigned char* f = frames[i].data();
            if (i > 0) {
                const unsigned char* previous = frames[i - 1].data();
                std::uint32_t sum[2] = {big_endian(previous + 16), big_endian(previous + 20)};
                wal_checksum(f, 8, big, sum);
                wal_checksum(f + 24, page_size, big, sum);
                if (std::memcmp(f + 8, frames[0].data() + 8, 8) != 0 || sum[0] != big_endian(f + 16) ||
                    sum[1] != big_endian(f + 20)) {
                    break;
                }
            }
            pending[big_endian(f)] = f + 24;
            if (big_endian(f + 4) != 0) {
                for (const auto& [page, bytes] : pending) pages[page] = bytes;
                pending.clear();
            }
        }
        return pages;
    };
    auto little = committed_pages(false);
    auto big = committed_pages(true);
    const auto& pages = big.size() > little.size() ? big : little;
    std::vector<unsigned char> in_db(page_size);
    for (const auto& [page, bytes] : pages) {
        if (page == 0) return false;
        db.clear();
        db.seekg(static_cast<std::streamoff>(std::uint64_t{page - 1} * page_size));
        if (!db.read(reinterpret_cast<char*>(in_db.data()), static_cast<std::streamsize>(page_size))) return false;
        if (std::memcmp(in_db.data(), bytes, page_size) != 0) return false;
    }
    return true;
}

void sync_folder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

bool present(const fs::path& path) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
}

// The size of a regular file; nullopt for anything else (missing, a folder, unreadable).
std::optional<std::uintmax_t> file_size_of(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) return std::nullopt;
    return size;
}

const std::array<const char*, 3> kSideFiles = {"", "-wal", "-shm"};

// Moves db_path and its side files into data_dir/corrupt/<UTC stamp>-responses.db[...];
// returns the new name of the database (or, when it was missing, of the first side file
// moved) relative to data_dir.
Result<std::string> move_aside(const fs::path& db_path) {
    const fs::path data_dir = db_path.parent_path();
    const fs::path folder = data_dir / "corrupt";
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return make_error("could not create " + folder.string() + ": " + ec.message());
    const std::string stamp = utc_now("%Y%m%dT%H%M%SZ");
    std::string base;
    for (int n = 1;; ++n) {
        base = stamp + (n == 1 ? "" : "-" + std::to_string(n)) + "-" + db_path.filename().string();
        bool taken = false;
        for (const char* side : kSideFiles) taken = taken || present(folder / (base + side));
        if (!taken) break;
    }
    std::string first;
    for (const char* side : kSideFiles) {
        const fs::path from = db_path.string() + side;
        if (!present(from)) continue;
        if (first.empty()) first = base + side;
        fs::rename(from, folder / (base + side), ec);
        if (ec) {
            return make_error("could not move the damaged database " + from.string() + " aside to " +
                              (folder / (base + side)).string() + ": " + ec.message());
        }
    }
    sync_folder(folder);
    sync_folder(data_dir);
    return "corrupt/" + first;
}

}  // namespace

std::string alarms_path(const std::string& data_dir) {
    return (fs::path(data_dir) / "alarms.json").string();
}

Result<std::vector<Alarm>> load_alarms(const std::string& data_dir) {
    const std::string path = alarms_path(data_dir);
    std::vector<Alarm> alarms;
    if (!present(path)) return alarms;
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("could not read " + path);
    const nlohmann::json root = nlohmann::json::parse(in, nullptr, false);
    if (!root.is_array()) return make_error(path + " is not a JSON array");
    for (const nlohmann::json& entry : root) {
        if (!entry.is_object()) continue;
        Alarm alarm;
        alarm.what = entry.value("what", "");
        alarm.file = entry.value("file", "");
        alarm.when = entry.value("when", "");
        alarms.push_back(std::move(alarm));
    }
    return alarms;
}

Status add_alarm(const std::string& data_dir, const Alarm& alarm) {
    nlohmann::json root = nlohmann::json::array();
    const std::string path = alarms_path(data_dir);
    if (present(path)) {
        std::ifstream in(path, std::ios::binary);
        root = nlohmann::json::parse(in, nullptr, false);
        // An unreadable alarm file is kept, not overwritten: earlier alarms stay findable.
        if (!root.is_array()) {
            std::error_code ec;
            fs::rename(path, path + ".unreadable-" + utc_now("%Y%m%dT%H%M%SZ"), ec);
            if (ec) return make_error(path + " is not a JSON array and could not be moved aside: " + ec.message());
            root = nlohmann::json::array();
        }
    }
    root.push_back({{"what", alarm.what}, {"file", alarm.file}, {"when", alarm.when}});
    return write_file_atomically(path, root.dump(2) + "\n");
}

std::string wal_problem(const std::string& wal_path) {
    std::ifstream in(wal_path, std::ios::binary);
    if (!in) return "";  // no WAL: nothing was left behind
    std::array<unsigned char, 32> header{};
    in.read(reinterpret_cast<char*>(header.data()), header.size());
    const std::streamsize got = in.gcount();
    if (got == 0) return "";
    if (got < 32) return "the write-ahead log is too short for its header";
    const std::uint32_t magic = big_endian(header.data());
    if (magic != 0x377f0682 && magic != 0x377f0683) {
        return log_already_in_database(wal_path) ? "" : "the write-ahead log has no valid header";
    }
    const bool big = (magic & 1) != 0;
    const std::uint32_t page_size = big_endian(header.data() + 8);
    const std::uint32_t real_page_size = page_size == 1 ? 65536 : page_size;
    if (big_endian(header.data() + 4) != 3007000 || real_page_size < 512 || real_page_size > 65536 ||
        (real_page_size & (real_page_size - 1)) != 0) {
        return "the write-ahead log has no valid header";
    }
    std::uint32_t sum[2] = {0, 0};
    wal_checksum(header.data(), 24, big, sum);
    if (sum[0] != big_endian(header.data() + 24) || sum[1] != big_endian(header.data() + 28)) {
        return "the write-ahead log header is damaged (checksum)";
    }
    const std::uint32_t salt1 = big_endian(header.data() + 16);
    const std::uint32_t salt2 = big_endian(header.data() + 20);

    // Walk the frames as SQLite's recovery does. Frames after the first bad one still
    // carrying this log's salts and a commit mark are commits SQLite would drop. One such
    // commit is what a power cut leaves: with synchronous=FULL every commit syncs the log
    // before the next begins, so only the last transaction can be half on disk, and the
    // disk may have written its commit frame but not an earlier frame of it. That commit
    // was never confirmed. Two or more cannot come from a power cut.
    std::vector<unsigned char> frame(24 + real_page_size);
    long long index = 0;
    long long bad_frame = -1;
    int commits_after_bad = 0;
    while (in.read(reinterpret_cast<char*>(frame.data()), static_cast<std::streamsize>(frame.size()))) {
        const bool same_log = big_endian(frame.data() + 8) == salt1 && big_endian(frame.data() + 12) == salt2;
        const bool commit = big_endian(frame.data() + 4) != 0;
        if (bad_frame < 0) {
            std::uint32_t next[2] = {sum[0], sum[1]};
            wal_checksum(frame.data(), 8, big, next);
            wal_checksum(frame.data() + 24, real_page_size, big, next);
            const bool valid = same_log && big_endian(frame.data()) != 0 && next[0] == big_endian(frame.data() + 16) &&
                               next[1] == big_endian(frame.data() + 20);
            if (valid) {
                sum[0] = next[0];
                sum[1] = next[1];
            } else {
                bad_frame = index;
            }
        } else if (same_log && commit && ++commits_after_bad > 1) {
            return "the write-ahead log is damaged at frame " + std::to_string(bad_frame + 1) +
                   "; commits after it would be lost";
        }
        ++index;
    }
    return "";
}

Status mark_damaged(const std::string& db_path, const std::string& why) {
    return write_file_atomically(db_path + ".damaged", why + "\n");
}

Result<OpenedStore> open_store_or_recover(const std::string& db_path, StartCheck check) {
    const fs::path db(db_path);
    const fs::path wal = db_path + "-wal";
    const fs::path marker = db_path + ".damaged";
    const bool db_exists = present(db);
    const std::optional<std::uintmax_t> db_size = file_size_of(db);
    const std::uintmax_t wal_size = file_size_of(wal).value_or(0);

    // Checked before SQLite opens anything: opening would replay, and later overwrite, a
    // WAL whose damaged part SQLite silently ignores.
    std::string why;
    if (present(marker) && !db_exists) {
        std::error_code ec;
        fs::remove(marker, ec);  // its database is gone already: nothing to move
    }
    if (present(marker) && db_exists) {
        std::ifstream in(marker);
        std::getline(in, why);
        if (why.empty()) why = "a check while the kiosk ran found the database damaged";
    } else if (db_size == std::uintmax_t{0} && wal_size == 0) {
        why = "the database file is empty (0 bytes)";
    } else if (!db_exists && wal_size > 0) {
        why = "the database file is missing but its write-ahead log is there";
    } else if (wal_size > 0) {
        why = wal_problem(wal.string());
    }
    if (why.empty()) {
        OpenProblem problem = OpenProblem::None;
        // Measured: about 0.2 s for 100 000 responses (42 MB), so it runs on every start.
        auto store = Store::open(db_path, OpenOptions{.quick_check = check == StartCheck::Now}, problem);
        if (store) return OpenedStore{std::move(store).value(), std::nullopt, ""};
        if (problem != OpenProblem::Damaged) return make_error(store.error());
        why = store.error();
    }

    auto moved = move_aside(db);
    if (!moved) return make_error(why + "; " + moved.error());
    std::error_code ec;
    fs::remove(marker, ec);  // its file is gone; a marker left behind would move the fresh one too
    if (ec) return make_error("could not remove " + marker.string() + ": " + ec.message());
    Alarm alarm{why, moved.value(), utc_now("%Y-%m-%d")};
    OpenedStore opened;
    opened.note = "ALARM: " + why + "; moved it aside to " + (db.parent_path() / moved.value()).string() +
                  " and started a fresh database";
    if (const Status noted = add_alarm(db.parent_path().string(), alarm); !noted) {
        opened.note += " (could not write the alarm: " + noted.error() + ")";
    }
    auto fresh = Store::open(db_path);
    if (!fresh) return make_error(opened.note + "; the fresh database failed too: " + fresh.error());
    opened.store = std::move(fresh).value();
    opened.moved_aside = std::move(alarm);
    return opened;
}

}  // namespace tillit
