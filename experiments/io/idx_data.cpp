#include "experiments/io/idx_data.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <zlib.h>

#include "core/errors.hpp"

namespace mixup::io {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

// gzread takes an unsigned length and returns an int: read at most 1 GiB per call.
constexpr std::uint64_t kMaxReadChunk = std::uint64_t{1} << 30;
// zlib's input buffer defaults to 8 KiB; 1 MiB reads the 26 MB training file in 26 read() calls.
constexpr unsigned kGzBufferBytes = 1u << 20;

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// "0x" and `digits` hexadecimal digits.
std::string hex(std::uint32_t value, int digits) {
  std::array<char, 11> text{};
  std::snprintf(text.data(), text.size(), "0x%0*x", digits, static_cast<unsigned>(value));
  return text.data();
}

std::string hex32(std::uint32_t value) {
  return hex(value, 8);
}

std::uint32_t big_endian_u32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

// What a magic number looks like, for the message that refuses it.
std::string describe_magic(std::uint32_t magic) {
  if (magic == kImagesMagic) return hex32(magic) + " (an image file?)";
  if (magic == kLabelsMagic) return hex32(magic) + " (a label file?)";
  // Element types: 08 ubyte, 09 sbyte, 0B short, 0C int, 0D float, 0E double.
  const unsigned type = (magic >> 8) & 0xffu;
  const unsigned dimensions = magic & 0xffu;
  const bool idx_type = type == 0x08 || type == 0x09 || (type >= 0x0B && type <= 0x0E);
  if ((magic >> 16) == 0 && idx_type && dimensions >= 1) {
    return hex32(magic) + " (IDX of element type " + hex(type, 2) + " with " +
           std::to_string(dimensions) + " dimensions)";
  }
  return hex32(magic) + " (not an IDX file)";
}

std::string describe_expected(std::uint32_t magic) {
  return hex32(magic) + (magic == kImagesMagic ? " (IDX images)" : " (IDX labels)");
}

// zlib's message for the last error of `file`, without the "path: " that gzopen's state puts in
// front of it (our messages already start with the path).
std::string zlib_message(gzFile file, const std::string& path, int* errnum) {
  std::string message = gzerror(file, errnum);
  const std::string prefix = path + ": ";
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  return message;
}

// gzread returned -1: an I/O error or a corrupt gzip stream.
[[noreturn]] void throw_read_error(gzFile file, const std::string& path) {
  int errnum = Z_OK;
  const std::string message = zlib_message(file, path, &errnum);
  if (errnum == Z_ERRNO) throw InputError(path + ": read error: " + message);
  throw InputError(path + ": corrupt gzip stream: " + message);
}

// After a short read: zlib records "unexpected end of file" when the gzip stream itself is cut
// short (not only the IDX data); say so.
std::string truncation_note(gzFile file, const std::string& path) {
  int errnum = Z_OK;
  const std::string message = zlib_message(file, path, &errnum);
  if (errnum == Z_OK || message.empty()) return "";
  return " (zlib: " + message + ")";
}

GzFile open_idx(const std::string& path) {
  errno = 0;
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) {
    const std::string reason = errno != 0 ? std::strerror(errno) : "zlib could not allocate";
    throw InputError(path + ": cannot open the IDX file (" + reason + ")");
  }
  gzbuffer(file.get(), kGzBufferBytes);
  return file;
}

// Reads up to `bytes` bytes into `dest` in large chunks; returns how many were read (fewer only
// at the end of the data).  Throws on a read error or a corrupt stream.
std::uint64_t read_up_to(gzFile file, const std::string& path, std::uint8_t* dest,
                         std::uint64_t bytes) {
  std::uint64_t done = 0;
  while (done < bytes) {
    const auto chunk = static_cast<unsigned>(std::min(bytes - done, kMaxReadChunk));
    const int got = gzread(file, dest + done, chunk);
    if (got < 0) throw_read_error(file, path);
    if (got == 0) break;
    done += static_cast<std::uint64_t>(got);
  }
  return done;
}

// Counts (and discards) whatever follows the promised data.
std::uint64_t count_remaining_bytes(gzFile file, const std::string& path) {
  std::vector<std::uint8_t> sink(std::size_t{1} << 16);
  std::uint64_t total = 0;
  for (;;) {
    const std::uint64_t got = read_up_to(file, path, sink.data(), sink.size());
    total += got;
    if (got < sink.size()) return total;
  }
}

// Reads the magic number and the dimension sizes; refuses a short header or another magic.
std::vector<std::uint64_t> read_header(gzFile file, const std::string& path,
                                       std::uint32_t expected_magic) {
  const std::size_t dimensions = expected_magic & 0xffu;
  std::array<std::uint8_t, 4> magic_bytes{};
  const std::uint64_t got_magic = read_up_to(file, path, magic_bytes.data(), magic_bytes.size());
  if (got_magic < magic_bytes.size()) {
    throw InputError(path + ": short header: the file has " + std::to_string(got_magic) +
                     " bytes, an IDX file starts with a 4-byte magic number (empty, or not an "
                     "IDX file?)");
  }
  const std::uint32_t magic = big_endian_u32(magic_bytes.data());
  if (magic != expected_magic) {
    throw InputError(path + ": magic " + describe_magic(magic) + ", expected " +
                     describe_expected(expected_magic));
  }
  std::vector<std::uint8_t> size_bytes(4 * dimensions);
  const std::uint64_t got_sizes = read_up_to(file, path, size_bytes.data(), size_bytes.size());
  if (got_sizes < size_bytes.size()) {
    throw InputError(path + ": short header: expected " + std::to_string(size_bytes.size()) +
                     " bytes of dimension sizes after the magic number, read " +
                     std::to_string(got_sizes) + truncation_note(file, path));
  }
  std::vector<std::uint64_t> sizes(dimensions);
  for (std::size_t k = 0; k < dimensions; ++k) sizes[k] = big_endian_u32(&size_bytes[4 * k]);
  return sizes;
}

// Reads exactly `bytes` bytes of data (what the header promised, described by `what`) and
// refuses fewer or more.
std::vector<std::uint8_t> read_payload(gzFile file, const std::string& path, std::uint64_t bytes,
                                       const std::string& what) {
  std::vector<std::uint8_t> data(static_cast<std::size_t>(bytes));
  const std::uint64_t got = read_up_to(file, path, data.data(), bytes);
  if (got < bytes) {
    throw InputError(path + ": truncated: the header promises " + what + " = " +
                     std::to_string(bytes) + " bytes of data, read only " + std::to_string(got) +
                     truncation_note(file, path));
  }
  const std::uint64_t trailing = count_remaining_bytes(file, path);
  if (trailing > 0) {
    throw InputError(path + ": " + std::to_string(trailing) + " trailing bytes after the " +
                     std::to_string(bytes) + " bytes of data the header promises (" + what +
                     "): a wrong header, or two files joined?");
  }
  return data;
}

// "<path>.gz" if it exists, else "<path>" uncompressed if that exists, else an error saying how
// to install the data.
std::string find_fashion_mnist_file(const std::string& dir, const std::string& name) {
  std::string gz_path = dir + "/" + name + ".gz";
  std::string plain_path = dir + "/" + name;
  std::error_code error;
  if (std::filesystem::is_regular_file(gz_path, error)) return gz_path;
  if (std::filesystem::is_regular_file(plain_path, error)) return plain_path;
  throw InputError(gz_path +
                   ": Fashion-MNIST file not found; install the data with `bash scripts/setup.sh "
                   "--fashion-mnist` (Debian package dataset-fashion-mnist)");
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  const GzFile file = open_idx(path);
  const std::vector<std::uint64_t> sizes = read_header(file.get(), path, kImagesMagic);
  const std::uint64_t count = sizes[0];
  const std::uint64_t rows = sizes[1];
  const std::uint64_t cols = sizes[2];
  const std::string what = std::to_string(count) + " images of " + std::to_string(rows) + " x " +
                           std::to_string(cols) + " pixels";
  if (rows == 0 || cols == 0) {
    throw InputError(path + ": absurd header: " + what + " (rows and columns must be at least 1)");
  }
  // rows * cols < 2^64 since both are below 2^32; count * (rows * cols) is compared by division
  // so that it cannot overflow.
  const std::uint64_t pixels_per_image = rows * cols;
  if (pixels_per_image > kMaxIdxBytes || (count > 0 && pixels_per_image > kMaxIdxBytes / count)) {
    throw InputError(path + ": absurd header: " + what + " is more than " +
                     std::to_string(kMaxIdxBytes) + " bytes (a corrupt header?)");
  }
  IdxImages images;
  images.count = static_cast<std::int64_t>(count);
  images.rows = static_cast<std::int64_t>(rows);
  images.cols = static_cast<std::int64_t>(cols);
  images.pixels = read_payload(file.get(), path, count * pixels_per_image, what);
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  const GzFile file = open_idx(path);
  const std::uint64_t count = read_header(file.get(), path, kLabelsMagic)[0];
  const std::string what = std::to_string(count) + " labels";
  if (count > kMaxIdxBytes) {
    throw InputError(path + ": absurd header: " + what + " is more than " +
                     std::to_string(kMaxIdxBytes) + " bytes (a corrupt header?)");
  }
  return read_payload(file.get(), path, count, what);
}

MulticlassDataset read_idx_dataset(const std::string& images_path, const std::string& labels_path) {
  const IdxImages images = read_idx_images(images_path);
  const std::vector<std::uint8_t> labels = read_idx_labels(labels_path);
  if (images.count == 0) throw InputError(images_path + ": no images (the header says 0)");
  if (static_cast<std::uint64_t>(images.count) != labels.size()) {
    throw InputError(images_path + ": " + std::to_string(images.count) + " images, but " +
                     labels_path + " has " + std::to_string(labels.size()) +
                     " labels: the two files do not belong together");
  }
  // p / 255 for each of the 256 byte values, computed once: the same double as the division.
  std::array<double, 256> scaled{};
  for (std::size_t p = 0; p < scaled.size(); ++p) scaled[p] = static_cast<double>(p) / 255.0;

  MulticlassDataset data;
  data.X.resize(images.count, images.rows * images.cols);
  double* out = data.X.data();  // row-major: image after image, as the file stores them
  for (const std::uint8_t p : images.pixels) *out++ = scaled[p];
  data.label.assign(labels.begin(), labels.end());
  const int max_label = *std::max_element(data.label.begin(), data.label.end());
  data.classes = std::max(2, max_label + 1);
  return data;
}

MulticlassDataset load_fashion_mnist(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "test") {
    throw DomainError("load_fashion_mnist: split must be \"train\" or \"test\", got \"" + split +
                      "\"");
  }
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images_path = find_fashion_mnist_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_fashion_mnist_file(dir, prefix + "-labels-idx1-ubyte");
  MulticlassDataset data = read_idx_dataset(images_path, labels_path);
  constexpr int kClasses = 10;
  constexpr Eigen::Index kPixels = Eigen::Index{28} * 28;
  if (data.d() != kPixels) {
    throw InputError(images_path + ": Fashion-MNIST images are 28 x 28 = 784 pixels, got " +
                     std::to_string(data.d()));
  }
  for (std::size_t i = 0; i < data.label.size(); ++i) {
    if (data.label[i] >= kClasses) {
      throw InputError(labels_path + ": label " + std::to_string(data.label[i]) + " of sample " +
                       std::to_string(i) + " is above 9 (Fashion-MNIST has 10 classes)");
    }
  }
  data.classes = kClasses;
  return data;
}

}  // namespace mixup::io
