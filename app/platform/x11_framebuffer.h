// A window's pixels in the kiosk's own memory, shown with the X server's MIT-SHM
// extension (the server reads the pixels from shared memory; no copy through the
// socket), or with plain XPutImage where the server cannot share memory (a remote
// display). Used by the software renderer (platform/renderer.h).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "platform/soft_raster.h"

struct GLFWwindow;

namespace tillit::platform {

class X11Framebuffer {
public:
    // Fails (with the reason) when the window's visual is not 24-bit TrueColor in
    // 32-bit pixels, the one layout the software renderer writes.
    static Result<std::unique_ptr<X11Framebuffer>> create(GLFWwindow* window);
    ~X11Framebuffer();
    X11Framebuffer(const X11Framebuffer&) = delete;
    X11Framebuffer& operator=(const X11Framebuffer&) = delete;

    // The pixels for a frame of width x height (reallocated when the size changed).
    Result<PixelTarget> target(int width, int height);
    // Shows the last target's pixels and waits until the server has taken them.
    void present();

private:
    struct Native;
    explicit X11Framebuffer(std::unique_ptr<Native> native);
    void release();

    std::unique_ptr<Native> native_;
    bool shm_ = false;
};

}  // namespace tillit::platform
