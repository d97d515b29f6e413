// The screens' TextEngine: TextShaper images cached as textures, keyed by text, size,
// weight, wrap width, alignment and direction. Uploading is a function the caller
// gives (OpenGL in the app, a counter in headless tests), so this file knows no GL.
// Blocks unused for a while are released after a frame has been drawn, never during.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>

#include "platform/text_shaper.h"
#include "ui/text.h"

namespace tillit::platform {

class CachedTextEngine : public ui::TextEngine {
public:
    using Upload = std::function<ImTextureID(const TextImage&)>;
    using Release = std::function<void(ImTextureID)>;

    CachedTextEngine(TextShaper& shaper, Upload upload, Release release);
    ~CachedTextEngine() override;
    CachedTextEngine(const CachedTextEngine&) = delete;
    CachedTextEngine& operator=(const CachedTextEngine&) = delete;

    // The language the next frame is drawn in: its direction and glyph forms.
    void begin_frame(const std::string& language);
    // After the frame's draw data has been rendered: releases blocks unused for a while.
    void end_frame();
    // Releases every block (after a frame has been rendered): a resident's typed text
    // does not outlive their session in the cache.
    void clear();

    const ui::TextBlock& layout(std::string_view text, const ui::TextFont& font, float wrap_width, bool center,
                                ui::TextDirection direction) override;
    bool mirrored() const override { return rtl_; }

    std::size_t cached_blocks() const { return entries_.size(); }
    std::size_t cached_bytes() const { return bytes_; }
    // Code points some laid-out text needed and no font had (empty when all is well).
    const std::set<char32_t>& missing() const { return missing_; }

private:
    struct Entry {
        ui::TextBlock block;
        std::size_t bytes = 0;
        long last_used = 0;
    };

    TextShaper& shaper_;
    Upload upload_;
    Release release_;
    std::unordered_map<std::string, Entry> entries_;
    std::size_t bytes_ = 0;
    long frame_ = 0;
    bool rtl_ = false;
    std::string language_tag_;
    std::set<char32_t> missing_;
};

}  // namespace tillit::platform
