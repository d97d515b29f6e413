// libqrencode -> UTF-8 half blocks. Each output character covers two module rows:
// upper and lower half are light or dark independently, so the code keeps square
// modules on a terminal whose cells are about twice as tall as wide.
#include "qr.h"

#include <qrencode.h>

#include <memory>

namespace tillit::server {
namespace {

struct QrFree {
    void operator()(QRcode* code) const { QRcode_free(code); }
};

// The QR specification asks for four light modules around the symbol.
constexpr int kQuietZone = 4;

// U+2588 full block, U+2580 upper half, U+2584 lower half.
constexpr const char* kBoth = "\xE2\x96\x88";
constexpr const char* kUpper = "\xE2\x96\x80";
constexpr const char* kLower = "\xE2\x96\x84";

}  // namespace

Result<std::string> terminal_qr(const std::string& text) {
    // Error correction M: survives a smudged screen or a glare spot.
    std::unique_ptr<QRcode, QrFree> code(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!code) return make_error("could not make a QR code of the enrol code");
    const int width = code->width;
    const int size = width + 2 * kQuietZone;
    auto light = [&](int row, int column) {
        const int r = row - kQuietZone;
        const int c = column - kQuietZone;
        if (r < 0 || c < 0 || r >= width || c >= width) return true;
        return (code->data[r * width + c] & 1) == 0;  // bit 0 set: a dark module
    };
    std::string out;
    for (int row = 0; row < size; row += 2) {
        for (int column = 0; column < size; ++column) {
            const bool top = light(row, column);
            const bool bottom = row + 1 < size ? light(row + 1, column) : false;
            out += top && bottom ? kBoth : top ? kUpper : bottom ? kLower : " ";
        }
        out += '\n';
    }
    return out;
}

}  // namespace tillit::server
