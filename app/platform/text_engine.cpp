// Eviction: a block not drawn for kKeepFrames frames goes, and when the textures pass
// kMaxBytes every block the last frame did not draw goes. An idle kiosk draws no
// frames, so nothing is rebuilt while nobody is there.
#include "platform/text_engine.h"

#include <cstring>

#include "core/i18n.h"

namespace tillit::platform {
namespace {

constexpr long kKeepFrames = 600;
constexpr std::size_t kMaxBytes = 48u << 20;

void append_bits(std::string& key, float value) {
    char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    key.append(bytes, sizeof bytes);
}

}  // namespace

CachedTextEngine::CachedTextEngine(TextShaper& shaper, Upload upload, Release release)
    : shaper_(shaper), upload_(std::move(upload)), release_(std::move(release)) {}

CachedTextEngine::~CachedTextEngine() {
    for (auto& [key, entry] : entries_) release_(entry.block.texture);
}

void CachedTextEngine::begin_frame(const std::string& language) {
    rtl_ = is_rtl(language);
    // "sv-easy" is Swedish to a font.
    language_tag_ = language.substr(0, language.find('-'));
}

void CachedTextEngine::end_frame() {
    ++frame_;
    const bool over = bytes_ > kMaxBytes;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const long unused = frame_ - it->second.last_used;
        if (unused > kKeepFrames || (over && unused > 1)) {
            release_(it->second.block.texture);
            bytes_ -= it->second.bytes;
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

void CachedTextEngine::clear() {
    for (auto& [key, entry] : entries_) release_(entry.block.texture);
    entries_.clear();
    bytes_ = 0;
}

const ui::TextBlock& CachedTextEngine::layout(std::string_view text, const ui::TextFont& font, float wrap_width,
                                              bool center, ui::TextDirection direction) {
    const BaseDirection base = direction == ui::TextDirection::Auto ? BaseDirection::Auto
                               : rtl_                                ? BaseDirection::RightToLeft
                                                                     : BaseDirection::LeftToRight;
    const float wrap = wrap_width > 0.0f ? static_cast<float>(static_cast<int>(wrap_width)) : 0.0f;
    std::string key(text);
    key.push_back('\0');
    append_bits(key, font.size_px);
    append_bits(key, wrap);
    key.push_back(font.bold ? 'b' : 'r');
    key.push_back(center ? 'c' : 's');
    key.push_back(static_cast<char>('0' + static_cast<int>(base)));
    key += language_tag_;
    if (auto it = entries_.find(key); it != entries_.end()) {
        it->second.last_used = frame_;
        return it->second.block;
    }
    TextRequest request;
    request.size_px = font.size_px;
    request.bold = font.bold;
    request.wrap_width = wrap;
    request.direction = base;
    request.align = center ? LineAlign::Center : LineAlign::Start;
    request.language = language_tag_;
    const TextImage image = shaper_.render(text, request);
    missing_.insert(image.missing.begin(), image.missing.end());

    Entry entry;
    entry.block.texture = upload_(image);
    entry.block.size = ImVec2(image.width, image.height);
    entry.block.image_min = ImVec2(-static_cast<float>(image.pad_x), -static_cast<float>(image.pad_y));
    entry.block.image_max = ImVec2(static_cast<float>(image.image_width - image.pad_x),
                                   static_cast<float>(image.image_height - image.pad_y));
    entry.block.lines = image.lines;
    entry.bytes = image.coverage.size();
    entry.last_used = frame_;
    bytes_ += entry.bytes;
    return entries_.emplace(std::move(key), std::move(entry)).first->second.block;
}

}  // namespace tillit::platform
