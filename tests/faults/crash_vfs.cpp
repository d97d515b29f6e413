// The crash and fault VFS (see crash_vfs.h). Each tracked file has an image: the real file
// plus every write not yet synced, shared by all handles on that path like an OS page
// cache; reads and xFileSize see only the image. xSync writes the file's pending writes
// through to the real file but never calls fsync: the machine is not what fails here, the
// process is, so what the real file holds when the process dies is "the disk". An image is
// that disk, with the unsynced writes' fates applied, copied aside while the process goes on.
#include "crash_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace tillit::test::crash_vfs {
namespace {

// Torn writes break at 512-byte sectors (of the file, not of the write): the smallest unit
// a disk writes whole. With powersafe overwrite, which the unix VFS reports, nothing
// outside the written range is ever damaged, so neither is it here.
constexpr long long kTearSector = 512;

struct FileState {
    std::string path;
    std::vector<unsigned char> image;  // what reads see: the real file plus every unsynced write
    int handles = 0;
};

// A write or truncate that no xSync has made durable yet.
struct Pending {
    FileState* file = nullptr;
    long long offset = 0;  // a truncate: the new size
    std::vector<unsigned char> bytes;
    bool truncate = false;
};

struct Fault {
    long long countdown = 0;  // operations of this kind left until it fails; 0 = no fault
    int code = SQLITE_OK;
    bool until_cleared = false;
    bool firing = false;  // UntilCleared and it has started
};

struct Global {
    std::mutex mutex;
    sqlite3_vfs* unix_vfs = nullptr;
    std::map<std::string, std::unique_ptr<FileState>> files;
    std::vector<std::unique_ptr<FileState>> deleted;  // deleted while a handle was still open
    std::vector<Pending> pending;                     // in the order issued, across files
    long long operations = 0;
    long long database_opens = 0;
    long long crash_at = 0;
    bool powered_off = false;
    std::uint64_t seed = 0;
    std::function<void(const Fates&)> on_crash;
    std::vector<long long> image_operations;
    std::string image_folder;
    std::function<void(std::size_t, const Fates&)> on_image;
    std::array<Fault, 4> faults;
};

Global g;

struct CrashFile {
    sqlite3_file base;
    FileState* file;
    sqlite3_file* real;  // the "unix" file, in the same allocation right after this struct
};
constexpr std::size_t kRealOffset = (sizeof(CrashFile) + 15) / 16 * 16;

CrashFile* crash_file(sqlite3_file* f) {
    return reinterpret_cast<CrashFile*>(f);
}
sqlite3_file* real(sqlite3_file* f) {
    return crash_file(f)->real;
}

// The code this operation fails with, or SQLITE_OK.
int fault_for(Op op) {
    Fault& fault = g.faults[static_cast<std::size_t>(op)];
    if (fault.firing) return fault.code;
    if (fault.countdown == 0 || --fault.countdown > 0) return SQLITE_OK;
    fault.firing = fault.until_cleared;
    return fault.code;
}

bool write_all(int fd, const unsigned char* bytes, long long size, long long offset) {
    while (size > 0) {
        const ssize_t done = ::pwrite(fd, bytes, static_cast<std::size_t>(size), offset);
        if (done <= 0) return false;
        bytes += done;
        size -= done;
        offset += done;
    }
    return true;
}

// A torn write: sector pieces of the range written or not at random; the pieces not
// written keep their old bytes or, in a write that was under way, turn to garbage.
void tear(int fd, const Pending& write, std::mt19937_64& random, Fates& fates) {
    const bool garbage = random() % 2 == 0;
    (garbage ? fates.torn_garbage : fates.torn_old)++;
    const long long end = write.offset + static_cast<long long>(write.bytes.size());
    std::vector<unsigned char> noise;
    for (long long piece = write.offset; piece < end;) {
        const long long next = std::min(end, (piece / kTearSector + 1) * kTearSector);
        const auto* bytes = write.bytes.data() + (piece - write.offset);
        if (random() % 2 == 0) {
            write_all(fd, bytes, next - piece, piece);
        } else if (garbage) {
            noise.resize(static_cast<std::size_t>(next - piece));
            for (auto& byte : noise) byte = static_cast<unsigned char>(random());
            write_all(fd, noise.data(), next - piece, piece);
        }
        piece = next;
    }
}

// The unsynced writes and truncates, in the order issued, and `in_flight` (the one under
// way, if any): each dropped, written whole or torn into the file `fd_for` gives.
Fates apply_fates(std::mt19937_64& random, const Pending* in_flight, const std::function<int(FileState*)>& fd_for) {
    Fates fates;
    auto meet_fate = [&](const Pending& pending) {
        const int fd = fd_for(pending.file);
        if (pending.truncate) {
            if (random() % 2 == 0 && fd >= 0 && ::ftruncate(fd, pending.offset) == 0) {
                ++fates.truncates_applied;
            } else {
                ++fates.truncates_dropped;
            }
            return;
        }
        switch (fd < 0 ? 0 : random() % 3) {
            case 0:
                ++fates.dropped;
                break;
            case 1:
                write_all(fd, pending.bytes.data(), static_cast<long long>(pending.bytes.size()), pending.offset);
                ++fates.whole;
                break;
            default:
                tear(fd, pending, random, fates);
                break;
        }
    };
    for (const Pending& pending : g.pending) meet_fate(pending);
    if (in_flight != nullptr) meet_fate(*in_flight);
    return fates;
}

// Power is lost: the unsynced writes meet their fates in the real files, and the process
// ends without running anything else.
[[noreturn]] void crash(const Pending* in_flight) {
    std::mt19937_64 random(g.seed);
    std::map<FileState*, int> fds;  // never closed: the process ends in a moment
    const Fates fates = apply_fates(random, in_flight, [&fds](FileState* file) {
        auto found = fds.find(file);
        if (found == fds.end()) found = fds.emplace(file, ::open(file->path.c_str(), O_WRONLY | O_CLOEXEC)).first;
        return found->second;
    });
    if (g.on_crash) g.on_crash(fates);
    ::_exit(kCrashExitCode);
}

// What the disk would hold after a power cut now, in copies of the files in the image's
// own folder; the real files and the process carry on untouched.
void take_image(std::size_t index, const Pending* in_flight) {
    const std::filesystem::path folder = std::filesystem::path(g.image_folder) / std::to_string(index);
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    std::map<FileState*, int> fds;
    for (const auto& [path, file] : g.files) {
        const std::filesystem::path copy = folder / std::filesystem::path(path).filename();
        if (!std::filesystem::exists(path, ec)) continue;
        std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing, ec);
        fds[file.get()] = ec ? -1 : ::open(copy.c_str(), O_WRONLY | O_CLOEXEC);
    }
    std::mt19937_64 random(g.seed + 0x9E3779B97F4A7C15ULL * (index + 1));
    const Fates fates = apply_fates(random, in_flight, [&fds](FileState* file) {
        const auto found = fds.find(file);
        return found == fds.end() ? -1 : found->second;
    });
    for (const auto& [file, fd] : fds) {
        if (fd >= 0) ::close(fd);
    }
    if (g.on_image) g.on_image(index, fates);
}

// Counts one write/sync/truncate; takes the images due now, and crashes at the crash point.
void at_operation(const Pending* in_flight) {
    ++g.operations;
    for (std::size_t i = 0; i < g.image_operations.size(); ++i) {
        if (g.image_operations[i] == g.operations) take_image(i, in_flight);
    }
    if (g.crash_at != 0 && g.operations == g.crash_at) crash(in_flight);
}

// Writes the file's pending writes and truncates to the real file, in order.
int flush(sqlite3_file* f) {
    FileState* file = crash_file(f)->file;
    int rc = SQLITE_OK;
    auto kept = g.pending.begin();
    for (auto it = g.pending.begin(); it != g.pending.end(); ++it) {
        if (it->file != file) {
            if (kept != it) *kept = std::move(*it);
            ++kept;
            continue;
        }
        if (rc != SQLITE_OK) continue;  // lost with the failure
        rc = it->truncate
                 ? real(f)->pMethods->xTruncate(real(f), it->offset)
                 : real(f)->pMethods->xWrite(real(f), it->bytes.data(), static_cast<int>(it->bytes.size()), it->offset);
    }
    g.pending.erase(kept, g.pending.end());
    return rc;
}

// Forgets the file's pending writes: they never reach the disk.
void lose_pending(FileState* file) {
    g.pending.erase(std::remove_if(g.pending.begin(), g.pending.end(),
                                   [file](const Pending& pending) { return pending.file == file; }),
                    g.pending.end());
}

int crash_close(sqlite3_file* f) {
    std::lock_guard lock(g.mutex);
    const int rc = real(f)->pMethods->xClose(real(f));
    --crash_file(f)->file->handles;  // its unsynced writes stay pending, as in a page cache
    return rc;
}

int crash_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
    std::lock_guard lock(g.mutex);
    const auto& image = crash_file(f)->file->image;
    const long long size = static_cast<long long>(image.size());
    const long long available = std::clamp<long long>(size - offset, 0, amount);
    if (available > 0) std::memcpy(out, image.data() + offset, static_cast<std::size_t>(available));
    if (available == amount) return SQLITE_OK;
    std::memset(static_cast<unsigned char*>(out) + available, 0, static_cast<std::size_t>(amount - available));
    return SQLITE_IOERR_SHORT_READ;
}

int crash_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    std::lock_guard lock(g.mutex);
    const auto* bytes = static_cast<const unsigned char*>(data);
    Pending write{crash_file(f)->file, offset, std::vector<unsigned char>(bytes, bytes + amount), false};
    if (!g.powered_off) {
        at_operation(&write);  // a write under way when the power goes meets a fate too
        if (const int rc = fault_for(Op::Write); rc != SQLITE_OK) return rc;
    }
    auto& image = crash_file(f)->file->image;
    const auto end = static_cast<std::size_t>(offset + amount);
    if (image.size() < end) image.resize(end);
    std::memcpy(image.data() + offset, bytes, static_cast<std::size_t>(amount));
    if (!g.powered_off) g.pending.push_back(std::move(write));
    return SQLITE_OK;
}

int crash_truncate(sqlite3_file* f, sqlite3_int64 size) {
    std::lock_guard lock(g.mutex);
    Pending truncate{crash_file(f)->file, size, {}, true};
    if (!g.powered_off) {
        at_operation(&truncate);
        if (const int rc = fault_for(Op::Truncate); rc != SQLITE_OK) return rc;
    }
    crash_file(f)->file->image.resize(static_cast<std::size_t>(size));
    if (!g.powered_off) g.pending.push_back(std::move(truncate));
    return SQLITE_OK;
}

int crash_sync(sqlite3_file* f, int) {
    std::lock_guard lock(g.mutex);
    if (g.powered_off) return SQLITE_OK;
    at_operation(nullptr);
    if (const int rc = fault_for(Op::Sync); rc != SQLITE_OK) {
        lose_pending(crash_file(f)->file);
        return rc;
    }
    return flush(f);
}

int crash_file_size(sqlite3_file* f, sqlite3_int64* size) {
    std::lock_guard lock(g.mutex);
    *size = static_cast<sqlite3_int64>(crash_file(f)->file->image.size());
    return SQLITE_OK;
}

int crash_lock(sqlite3_file* f, int level) {
    return real(f)->pMethods->xLock(real(f), level);
}
int crash_unlock(sqlite3_file* f, int level) {
    return real(f)->pMethods->xUnlock(real(f), level);
}
int crash_check_reserved_lock(sqlite3_file* f, int* out) {
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int crash_file_control(sqlite3_file* f, int op, void* arg) {
    // unix would grow the real file at once; the image grows with the writes instead.
    if (op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int crash_sector_size(sqlite3_file* f) {
    return real(f)->pMethods->xSectorSize(real(f));
}
int crash_device_characteristics(sqlite3_file* f) {
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int crash_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int crash_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void crash_shm_barrier(sqlite3_file* f) {
    real(f)->pMethods->xShmBarrier(real(f));
}
int crash_shm_unmap(sqlite3_file* f, int delete_flag) {
    return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}

// Version 2: shared memory, but no memory-mapped reads, which would bypass the image.
const sqlite3_io_methods kMethods = {
    2,
    crash_close,
    crash_read,
    crash_write,
    crash_truncate,
    crash_sync,
    crash_file_size,
    crash_lock,
    crash_unlock,
    crash_check_reserved_lock,
    crash_file_control,
    crash_sector_size,
    crash_device_characteristics,
    crash_shm_map,
    crash_shm_lock,
    crash_shm_barrier,
    crash_shm_unmap,
    nullptr,
    nullptr,
};

// The real file as it is now: where a file's image starts.
int load_image(sqlite3_file* real_file, std::vector<unsigned char>& image) {
    sqlite3_int64 size = 0;
    if (const int rc = real_file->pMethods->xFileSize(real_file, &size); rc != SQLITE_OK) return rc;
    image.assign(static_cast<std::size_t>(size), 0);
    return size == 0 ? SQLITE_OK : real_file->pMethods->xRead(real_file, image.data(), static_cast<int>(size), 0);
}

int crash_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    sqlite3_vfs* unix_vfs = g.unix_vfs;
    const bool tracked =
        name != nullptr && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) != 0;
    if (!tracked) return unix_vfs->xOpen(unix_vfs, name, f, flags, out_flags);

    CrashFile* file = crash_file(f);
    file->base.pMethods = nullptr;  // until it is open: SQLite then calls no xClose
    file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealOffset);
    if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
        std::lock_guard lock(g.mutex);
        ++g.database_opens;
        if (const int rc = fault_for(Op::Open); rc != SQLITE_OK) return rc;
    }
    if (const int rc = unix_vfs->xOpen(unix_vfs, name, file->real, flags, out_flags); rc != SQLITE_OK) return rc;

    std::lock_guard lock(g.mutex);
    auto& state = g.files[name];
    if (!state) {
        state = std::make_unique<FileState>();
        state->path = name;
        if (const int rc = load_image(file->real, state->image); rc != SQLITE_OK) {
            file->real->pMethods->xClose(file->real);
            g.files.erase(name);
            return rc;
        }
    }
    ++state->handles;
    file->file = state.get();
    file->base.pMethods = &kMethods;
    return SQLITE_OK;
}

int crash_delete(sqlite3_vfs*, const char* name, int sync_folder) {
    std::lock_guard lock(g.mutex);
    if (g.powered_off) return SQLITE_OK;
    const int rc = g.unix_vfs->xDelete(g.unix_vfs, name, sync_folder);
    const auto found = g.files.find(name);
    if (found != g.files.end()) {
        lose_pending(found->second.get());
        if (found->second->handles > 0) g.deleted.push_back(std::move(found->second));
        g.files.erase(found);
    }
    return rc;
}

int crash_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return g.unix_vfs->xAccess(g.unix_vfs, name, flags, out);
}

int crash_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
    return g.unix_vfs->xFullPathname(g.unix_vfs, name, size, out);
}

sqlite3_vfs& vfs() {
    static sqlite3_vfs crash_vfs = [] {
        sqlite3_vfs* unix_vfs = sqlite3_vfs_find("unix");
        sqlite3_vfs v = *unix_vfs;  // what is not file I/O (time, randomness, dlopen) stays unix's
        v.iVersion = std::min(unix_vfs->iVersion, 3);
        v.szOsFile = static_cast<int>(kRealOffset) + unix_vfs->szOsFile;
        v.pNext = nullptr;
        v.zName = "tillit-crash";
        v.pAppData = nullptr;
        v.xOpen = crash_open;
        v.xDelete = crash_delete;
        v.xAccess = crash_access;
        v.xFullPathname = crash_full_pathname;
        return v;
    }();
    return crash_vfs;
}

void reset() {
    g.files.clear();
    g.deleted.clear();
    g.pending.clear();
    g.operations = 0;
    g.database_opens = 0;
    g.crash_at = 0;
    g.powered_off = false;
    g.seed = 0;
    g.on_crash = nullptr;
    g.image_operations.clear();
    g.image_folder.clear();
    g.on_image = nullptr;
    g.faults = {};
}

}  // namespace

void install() {
    sqlite3_vfs& crash_vfs = vfs();
    std::lock_guard lock(g.mutex);
    g.unix_vfs = sqlite3_vfs_find("unix");
    reset();
    sqlite3_vfs_register(&crash_vfs, 1);
}

void uninstall() {
    sqlite3_vfs_register(sqlite3_vfs_find("unix"), 1);
    sqlite3_vfs_unregister(&vfs());
    std::lock_guard lock(g.mutex);
    reset();
}

long long operations() {
    std::lock_guard lock(g.mutex);
    return g.operations;
}

long long database_opens() {
    std::lock_guard lock(g.mutex);
    return g.database_opens;
}

void crash_at(long long operation, std::uint64_t seed, std::function<void(const Fates&)> on_crash) {
    std::lock_guard lock(g.mutex);
    g.crash_at = operation;
    g.seed = seed;
    g.on_crash = std::move(on_crash);
}

void image_at(std::vector<long long> operations, std::uint64_t seed, const std::string& folder,
              std::function<void(std::size_t, const Fates&)> on_image) {
    std::lock_guard lock(g.mutex);
    g.image_operations = std::move(operations);
    g.seed = seed;
    g.image_folder = folder;
    g.on_image = std::move(on_image);
}

void power_off() {
    std::lock_guard lock(g.mutex);
    g.pending.clear();
    g.powered_off = true;
}

void fail(Op op, long long nth, int code, Persistence persistence) {
    std::lock_guard lock(g.mutex);
    g.faults[static_cast<std::size_t>(op)] = Fault{nth, code, persistence == Persistence::UntilCleared, false};
}

void clear_faults() {
    std::lock_guard lock(g.mutex);
    g.faults = {};
}

}  // namespace tillit::test::crash_vfs
