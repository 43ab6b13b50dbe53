// PNG writing through libpng with its error callback and setjmp (libpng manual, section IV:
// "Setting up error handling"): a longjmp back here on any error, so nothing is left half-done.
#include "png_write.hpp"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

struct Sink {
  std::FILE* file = nullptr;
  int error = 0;  // errno of the first failed write or flush
  char message[256] = {};
};

void on_write(png_structp png, png_bytep data, png_size_t size) {
  Sink* sink = static_cast<Sink*>(png_get_io_ptr(png));
  if (std::fwrite(data, 1, size, sink->file) != size) {
    sink->error = errno != 0 ? errno : EIO;
    png_error(png, "write failed");
  }
}

void on_flush(png_structp png) {
  Sink* sink = static_cast<Sink*>(png_get_io_ptr(png));
  if (std::fflush(sink->file) != 0) {
    sink->error = errno != 0 ? errno : EIO;
    png_error(png, "flush failed");
  }
}

void on_error(png_structp png, png_const_charp what) {
  Sink* sink = static_cast<Sink*>(png_get_error_ptr(png));
  std::snprintf(sink->message, sizeof sink->message, "%s", what);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

// libpng's structures and the file, released on every path out of write_gray_png.
struct PngWriter {
  png_structp png = nullptr;
  png_infop info = nullptr;
  Sink sink;
  ~PngWriter() {
    if (png != nullptr) png_destroy_write_struct(&png, info != nullptr ? &info : nullptr);
    if (sink.file != nullptr) std::fclose(sink.file);
  }
};

// Runs the libpng calls; false after a libpng error. Kept apart from anything with a destructor:
// longjmp must not skip one (C++17 [csetjmp.syn]).
bool encode(PngWriter& w, const std::vector<png_bytep>& rows, std::int64_t cols, int bits) {
  if (setjmp(png_jmpbuf(w.png))) return false;
  png_set_write_fn(w.png, &w.sink, on_write, on_flush);
  png_set_IHDR(w.png, w.info, static_cast<png_uint_32>(cols), static_cast<png_uint_32>(rows.size()), bits,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(w.png, w.info);
  if (bits == 16) png_set_swap(w.png);  // PNG stores 16-bit samples big-endian
  png_write_image(w.png, const_cast<png_bytepp>(rows.data()));
  png_write_end(w.png, nullptr);
  return true;
}

}  // namespace

void write_gray_png(const std::string& file, const std::string& path, const void* samples, std::int64_t rows,
                    std::int64_t cols, int bits) {
  if (rows <= 0 || cols <= 0 || rows > PNG_UINT_31_MAX || cols > PNG_UINT_31_MAX)
    throw IoError("cannot write '" + path + "': PNG images need 1 to 2^31-1 rows and columns");
  PngWriter w;
  w.sink.file = std::fopen(file.c_str(), "wb");
  if (w.sink.file == nullptr) throw IoError("cannot write '" + path + "': " + std::strerror(errno));
  w.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w.sink, on_error, on_warning);
  if (w.png != nullptr) w.info = png_create_info_struct(w.png);
  if (w.png == nullptr || w.info == nullptr) throw IoError("cannot write '" + path + "': out of memory");
  const std::size_t row_bytes = static_cast<std::size_t>(cols) * (bits / 8);
  std::vector<png_bytep> row_pointers(static_cast<std::size_t>(rows));
  for (std::size_t r = 0; r < row_pointers.size(); ++r)
    row_pointers[r] = const_cast<png_bytep>(static_cast<const png_byte*>(samples) + r * row_bytes);
  errno = 0;
  const bool encoded = encode(w, row_pointers, cols, bits);
  int err = w.sink.error;
  if (encoded && std::fflush(w.sink.file) != 0) err = errno != 0 ? errno : EIO;
  std::FILE* f = w.sink.file;
  w.sink.file = nullptr;
  if (std::fclose(f) != 0 && err == 0) err = errno != 0 ? errno : EIO;
  if (err != 0)
    throw IoError("cannot write '" + path + "': " + std::strerror(err) +
                  " (nothing was written; expected room on the disk and within the file size limit)");
  if (!encoded) throw IoError("cannot write '" + path + "': libpng: " + std::string(w.sink.message));
}

}  // namespace recon::io::detail
