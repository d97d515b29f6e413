// See x11_framebuffer.h.
#include "platform/x11_framebuffer.h"

#include <sys/ipc.h>
#include <sys/shm.h>

#include <cstdlib>
#include <cstring>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>

#include <GLFW/glfw3.h>

// GLFW's native X11 accessors (see x11_kiosk.cpp).
extern "C" {
Display* glfwGetX11Display(void);
Window glfwGetX11Window(GLFWwindow* window);
}

namespace tillit::platform {
namespace {

// X errors while attaching shared memory are expected on a remote display: caught here
// instead of Xlib's default handler, which ends the program.
bool g_x_error = false;

int note_x_error(Display*, XErrorEvent*) {
    g_x_error = true;
    return 0;
}

}  // namespace

struct X11Framebuffer::Native {
    Display* display = nullptr;
    Window window = 0;
    Visual* visual = nullptr;
    int depth = 0;
    GC gc = nullptr;
    XImage* image = nullptr;
    XShmSegmentInfo segment{};
    int width = 0;
    int height = 0;
    bool shm_available = false;
};

X11Framebuffer::X11Framebuffer(std::unique_ptr<Native> native) : native_(std::move(native)) {}

X11Framebuffer::~X11Framebuffer() {
    release();
    if (native_->gc != nullptr) XFreeGC(native_->display, native_->gc);
}

Result<std::unique_ptr<X11Framebuffer>> X11Framebuffer::create(GLFWwindow* window) {
    auto native = std::make_unique<Native>();
    native->display = glfwGetX11Display();
    native->window = glfwGetX11Window(window);
    if (native->display == nullptr || native->window == 0) return make_error("no X11 window to draw into");
    XWindowAttributes attributes{};
    if (XGetWindowAttributes(native->display, native->window, &attributes) == 0) {
        return make_error("cannot read the window's visual");
    }
    native->visual = attributes.visual;
    native->depth = attributes.depth;
    const Visual& v = *native->visual;
    if (native->depth != 24 || v.red_mask != 0xFF0000 || v.green_mask != 0xFF00 || v.blue_mask != 0xFF) {
        return make_error("the display is not 24-bit TrueColor (depth " + std::to_string(native->depth) + ")");
    }
    native->gc = XCreateGC(native->display, native->window, 0, nullptr);
    int major = 0, minor = 0;
    Bool pixmaps = False;
    native->shm_available = XShmQueryVersion(native->display, &major, &minor, &pixmaps) == True;
    return std::unique_ptr<X11Framebuffer>(new X11Framebuffer(std::move(native)));
}

void X11Framebuffer::release() {
    Native& n = *native_;
    if (n.image == nullptr) return;
    if (shm_) {
        XShmDetach(n.display, &n.segment);
        XSync(n.display, False);
        shmdt(n.segment.shmaddr);
        n.image->data = nullptr;
    }
    XDestroyImage(n.image);  // frees the pixels of an image made without shared memory
    n.image = nullptr;
    n.width = n.height = 0;
}

Result<PixelTarget> X11Framebuffer::target(int width, int height) {
    Native& n = *native_;
    if (width <= 0 || height <= 0) return make_error("the window has no size");
    if (n.image == nullptr || n.width != width || n.height != height) {
        release();
        shm_ = false;
        if (n.shm_available) {
            XImage* image = XShmCreateImage(n.display, n.visual, static_cast<unsigned>(n.depth), ZPixmap, nullptr,
                                            &n.segment, static_cast<unsigned>(width), static_cast<unsigned>(height));
            if (image != nullptr) {
                const std::size_t bytes = static_cast<std::size_t>(image->bytes_per_line) * static_cast<std::size_t>(height);
                n.segment.shmid = shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600);
                void* address = n.segment.shmid >= 0 ? shmat(n.segment.shmid, nullptr, 0) : reinterpret_cast<void*>(-1);
                if (address != reinterpret_cast<void*>(-1)) {
                    n.segment.shmaddr = image->data = static_cast<char*>(address);
                    n.segment.readOnly = False;
                    g_x_error = false;
                    XErrorHandler previous = XSetErrorHandler(note_x_error);
                    XShmAttach(n.display, &n.segment);
                    XSync(n.display, False);
                    XSetErrorHandler(previous);
                    if (!g_x_error) shm_ = true;
                }
                // Marked for removal now: it goes when both sides detach, even if we crash.
                if (n.segment.shmid >= 0) shmctl(n.segment.shmid, IPC_RMID, nullptr);
                if (shm_) {
                    n.image = image;
                } else {
                    if (address != reinterpret_cast<void*>(-1)) shmdt(address);
                    image->data = nullptr;
                    XDestroyImage(image);
                    n.shm_available = false;  // a remote display: plain images from now on
                }
            }
        }
        if (!shm_) {
            const std::size_t stride = static_cast<std::size_t>(width) * 4;
            char* pixels = static_cast<char*>(std::calloc(stride * static_cast<std::size_t>(height), 1));
            if (pixels == nullptr) return make_error("out of memory for the screen's pixels");
            n.image = XCreateImage(n.display, n.visual, static_cast<unsigned>(n.depth), ZPixmap, 0, pixels,
                                   static_cast<unsigned>(width), static_cast<unsigned>(height), 32,
                                   static_cast<int>(stride));
            if (n.image == nullptr) {
                std::free(pixels);
                return make_error("cannot make an image of the screen's size");
            }
        }
        if (n.image->bits_per_pixel != 32 || n.image->byte_order != LSBFirst) {
            release();
            return make_error("the display's pixels are not 32-bit little-endian");
        }
        n.width = width;
        n.height = height;
    }
    PixelTarget target;
    target.pixels = reinterpret_cast<std::uint32_t*>(n.image->data);
    target.width = width;
    target.height = height;
    target.stride = n.image->bytes_per_line / 4;
    return target;
}

void X11Framebuffer::present() {
    Native& n = *native_;
    if (n.image == nullptr) return;
    const auto w = static_cast<unsigned>(n.width), h = static_cast<unsigned>(n.height);
    if (shm_) {
        XShmPutImage(n.display, n.window, n.gc, n.image, 0, 0, 0, 0, w, h, False);
    } else {
        XPutImage(n.display, n.window, n.gc, n.image, 0, 0, 0, 0, w, h);
    }
    // The next frame writes into the same pixels: the server must be done reading them.
    XSync(n.display, False);
}

}  // namespace tillit::platform
