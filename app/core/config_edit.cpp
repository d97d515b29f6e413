// Line-level edits of a TOML file, guided by toml++'s source positions (see config_edit.h).
#include "core/config_edit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/privacy.h"

namespace tillit {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

std::string system_error(const std::string& what, const std::string& path) {
    return "could not " + what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Status write_file_atomically(const std::string& path, const std::string& content) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string temp = (folder / ("." + target.filename().string() + "." + new_uuid_v4() + ".tmp")).string();
    struct stat old {};
    const bool existed = ::stat(path.c_str(), &old) == 0;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, existed ? (old.st_mode & 07777) : 0644);
    if (fd < 0) return make_error(system_error("create a file in", folder.string()));
    auto fail = [&](const std::string& message) -> Status {
        ::close(fd);
        ::unlink(temp.c_str());
        return make_error(message);
    };
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(system_error("write", temp));
        written += static_cast<std::size_t>(n);
    }
    if (existed) {
        // Keep the mode exactly (the umask may have narrowed it) and, when allowed, the owner.
        if (::fchmod(fd, old.st_mode & 07777) != 0) return fail(system_error("set the mode of", temp));
        if (::geteuid() == 0 && ::fchown(fd, old.st_uid, old.st_gid) != 0) return fail(system_error("chown", temp));
    }
    if (::fsync(fd) != 0) return fail(system_error("flush", temp));
    if (::close(fd) != 0) {
        ::unlink(temp.c_str());
        return make_error(system_error("close", temp));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const Status error = make_error(system_error("replace", path));
        ::unlink(temp.c_str());
        return error;
    }
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return Ok{};
}

Status set_toml_string(const std::string& path, const std::string& table, const std::string& key,
                       const std::string& value, const std::string& comment) {
    if (value.find_first_of("\"\\\n\r") != std::string::npos) {
        return make_error("the value for " + key + " holds quotes, backslashes or line breaks");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot read the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();

    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& error) {
        return make_error(path + ":" + std::to_string(error.source().begin.line) + ": not valid TOML: " +
                          std::string(error.description()));
    }
    std::vector<std::string> lines = split_lines(text);
    const std::string line = key + " = \"" + value + "\"" + (comment.empty() ? "" : "  # " + comment);

    const toml::node* table_node = root.get(table);
    if (table_node != nullptr && !table_node->is_table()) {
        return make_error(path + ": " + table + " is not a table; fix it by hand first");
    }
    if (const toml::table* found = table_node != nullptr ? table_node->as_table() : nullptr) {
        if (const toml::node* existing = found->get(key)) {
            const auto at = existing->source().begin.line;
            if (at == 0 || at > lines.size() || existing->source().end.line != at) {
                return make_error(path + ": " + key + " in [" + table + "] spans several lines; fix it by hand first");
            }
            lines[at - 1] = line;
        } else {
            const auto header = found->source().begin.line;
            if (header == 0 || header > lines.size() || lines[header - 1].find("[" + table + "]") == std::string::npos) {
                return make_error(path + ": [" + table + "] has no header line of its own; fix it by hand first");
            }
            lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(header), line);
        }
    } else {
        if (!lines.empty() && !lines.back().empty()) lines.emplace_back();
        lines.push_back("[" + table + "]");
        lines.push_back(line);
    }
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return write_file_atomically(path, out);
}

}  // namespace tillit
