#pragma once
// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), gzipped or not:
// a big-endian header -- a magic number 0x000008TD (T = 08: unsigned bytes, D = the number of
// dimensions), then D 32-bit dimension sizes -- followed by the data, unsigned bytes in row-major
// order.  Images are magic 0x00000803 (count, rows, cols); labels are magic 0x00000801 (count).
//
// Every error is an InputError whose message starts with the file's path and says what is wrong:
// the file cannot be opened, its header is short, its magic number is not the expected one
// (naming what was found), its sizes are absurd (zero, or more than kMaxIdxBytes of data), it is
// truncated (bytes expected and read), it has bytes after the promised data, or its gzip stream
// is corrupt (zlib's message).

#include <cstdint>
#include <string>
#include <vector>

#include "core/multiclass_data.hpp"

namespace mixup::io {

// Where the Debian package dataset-fashion-mnist installs the four files
// {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The largest payload a reader accepts: far above Fashion-MNIST's 47 MB, far below what would
// exhaust memory on a development machine.  A header promising more is refused as corrupt.
inline constexpr std::uint64_t kMaxIdxBytes = 1'000'000'000;

struct IdxImages {
  std::int64_t count = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols bytes: image after image, row-major
};

// An IDX image file (magic 0x00000803).  rows and cols must be at least 1; count may be 0.
IdxImages read_idx_images(const std::string& path);

// An IDX label file (magic 0x00000801): one byte per sample.
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

// Pairs an image file with a label file: row i of X is image i flattened row-major with pixels
// scaled to [0, 1] (p / 255), label[i] is label i, classes = max label + 1 but at least 2.
// Refuses files without images and a count mismatch (naming both files and both counts).
MulticlassDataset read_idx_dataset(const std::string& images_path, const std::string& labels_path);

// The Fashion-MNIST split "train" (60000 images) or "test" (10000 images) from the folder `dir`
// (normally kFashionMnistDir), 28 x 28 images as 784 columns in [0, 1], classes = 10.  Reads
// <prefix>-images-idx3-ubyte.gz, or the uncompressed file without ".gz" if only that exists.
// Throws DomainError for another split name, InputError when the files are missing (saying how
// to install them) or a label is above 9.
MulticlassDataset load_fashion_mnist(const std::string& dir, const std::string& split);

}  // namespace mixup::io
