// Specifications of experiments/io/idx_data: the gzipped IDX reader loads exact pixel values and
// labels, and refuses every malformed file with an InputError that starts with the file's path
// and says what is wrong.  Small files are written with zlib into a fresh folder per test; the
// real Fashion-MNIST test split is checked when the Debian package dataset-fashion-mnist is
// installed.

#include "experiments/io/idx_data.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "core/errors.hpp"
#include "tests/support/cli_runner.hpp"

namespace mixup::io {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;

void append_big_endian(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<std::uint8_t>((value >> shift) & 0xffu));
  }
}

// An IDX file: the magic number, the dimension sizes, then `data` (which may deliberately be
// shorter or longer than the sizes promise).
Bytes idx_file(std::uint32_t magic, const std::vector<std::uint32_t>& sizes, const Bytes& data) {
  Bytes bytes;
  append_big_endian(bytes, magic);
  for (const std::uint32_t size : sizes) append_big_endian(bytes, size);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

// count images of rows x cols pixels with pixel k = (7 k + 3) mod 256: every byte value appears
// in a large enough file, 0 and 255 included.
Bytes pixel_pattern(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  Bytes pixels(std::size_t{count} * rows * cols);
  for (std::size_t k = 0; k < pixels.size(); ++k) {
    pixels[k] = static_cast<std::uint8_t>((7 * k + 3) % 256);
  }
  return pixels;
}

void write_gzip(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << "cannot create " << path;
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

void write_plain(const std::string& path, const Bytes& bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(file.good()) << "cannot write " << path;
}

Bytes read_plain(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// Runs f and returns the InputError's message ("" if nothing or something else was thrown).
template <class F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (...) {
    return "";
  }
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& s, const std::string& fragment) {
  return s.find(fragment) != std::string::npos;
}

// A fresh folder per test (mkdtemp: unique even when ctest runs tests in parallel), removed
// after the test.
class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = mixup::testing::make_temp_dir("idx-" + name);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

TEST_F(IdxFiles, GoodPairLoadsExactPixelsOver255AndLabels) {
  const Bytes pixels = pixel_pattern(3, 2, 4);
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {3, 2, 4}, pixels));
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {3}, {2, 0, 4}));
  const MulticlassDataset data = read_idx_dataset(path("images.gz"), path("labels.gz"));
  ASSERT_EQ(data.n(), 3);
  ASSERT_EQ(data.d(), 8);
  for (Eigen::Index i = 0; i < 3; ++i) {
    for (Eigen::Index j = 0; j < 8; ++j) {
      const std::uint8_t p = pixels[static_cast<std::size_t>(8 * i + j)];
      EXPECT_EQ(data.X(i, j), static_cast<double>(p) / 255.0) << "image " << i << ", pixel " << j;
    }
  }
  EXPECT_EQ(data.label, (std::vector<int>{2, 0, 4}));
  EXPECT_EQ(data.classes, 5) << "max label + 1";
}

TEST_F(IdxFiles, ImagesKeepTheirHeaderSizes) {
  const Bytes pixels = pixel_pattern(300, 5, 7);  // every byte value, 0 and 255 included
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {300, 5, 7}, pixels));
  const IdxImages images = read_idx_images(path("images.gz"));
  EXPECT_EQ(images.count, 300);
  EXPECT_EQ(images.rows, 5);
  EXPECT_EQ(images.cols, 7);
  EXPECT_EQ(images.pixels, pixels);
}

TEST_F(IdxFiles, UncompressedFileIsReadToo) {
  write_plain(path("labels"), idx_file(kLabelsMagic, {4}, {9, 8, 0, 1}));
  EXPECT_EQ(read_idx_labels(path("labels")), (Bytes{9, 8, 0, 1}));
}

TEST_F(IdxFiles, ClassesAreAtLeastTwo) {
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {2, 1, 1}, {0, 255}));
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {2}, {0, 0}));
  EXPECT_EQ(read_idx_dataset(path("images.gz"), path("labels.gz")).classes, 2);
}

TEST_F(IdxFiles, TruncatedImageFileIsRefusedWithExpectedAndReadBytes) {
  Bytes pixels = pixel_pattern(3, 2, 3);  // 18 bytes promised
  pixels.resize(12);
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {3, 2, 3}, pixels));
  const std::string message = input_error_message([&] { read_idx_images(path("images.gz")); });
  EXPECT_TRUE(starts_with(message, path("images.gz") + ": truncated")) << message;
  EXPECT_TRUE(contains(message, "18 bytes")) << message;
  EXPECT_TRUE(contains(message, "read only 12")) << message;
}

TEST_F(IdxFiles, CutGzipStreamIsRefusedAsTruncated) {
  write_gzip(path("full.gz"), idx_file(kImagesMagic, {100, 28, 28}, pixel_pattern(100, 28, 28)));
  Bytes compressed = read_plain(path("full.gz"));
  compressed.resize(compressed.size() / 2);
  write_plain(path("cut.gz"), compressed);
  const std::string message = input_error_message([&] { read_idx_images(path("cut.gz")); });
  EXPECT_TRUE(starts_with(message, path("cut.gz") + ": truncated")) << message;
  EXPECT_TRUE(contains(message, "78400 bytes")) << message;
  EXPECT_TRUE(contains(message, "unexpected end of file")) << message;
}

TEST_F(IdxFiles, CorruptGzipChecksumIsRefusedWithZlibMessage) {
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {2, 2, 2}, pixel_pattern(2, 2, 2)));
  Bytes compressed = read_plain(path("images.gz"));
  ASSERT_GE(compressed.size(), 8u);
  compressed[compressed.size() - 8] ^= 0xffu;  // the CRC-32 of the gzip trailer
  write_plain(path("images.gz"), compressed);
  const std::string message = input_error_message([&] { read_idx_images(path("images.gz")); });
  EXPECT_TRUE(starts_with(message, path("images.gz") + ": corrupt gzip stream: ")) << message;
  EXPECT_TRUE(contains(message, "incorrect data check")) << message;
}

TEST_F(IdxFiles, TrailingBytesAreRefused) {
  Bytes labels = {1, 2, 3, 4, 5};
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {3}, labels));
  const std::string message = input_error_message([&] { read_idx_labels(path("labels.gz")); });
  EXPECT_TRUE(starts_with(message, path("labels.gz") + ": 2 trailing bytes")) << message;
}

TEST_F(IdxFiles, LabelFilePassedAsImagesIsRefusedByItsMagic) {
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {3}, {0, 1, 2}));
  const std::string message = input_error_message([&] { read_idx_images(path("labels.gz")); });
  EXPECT_EQ(message, path("labels.gz") +
                         ": magic 0x00000801 (a label file?), expected 0x00000803 (IDX images)");
}

TEST_F(IdxFiles, ImageFilePassedAsLabelsIsRefusedByItsMagic) {
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {1, 1, 1}, {0}));
  const std::string message = input_error_message([&] { read_idx_labels(path("images.gz")); });
  EXPECT_EQ(message, path("images.gz") +
                         ": magic 0x00000803 (an image file?), expected 0x00000801 (IDX labels)");
}

TEST_F(IdxFiles, IdxOfAnotherTypeIsRefusedByItsMagic) {
  write_gzip(path("floats.gz"), idx_file(0x00000D02, {1, 1}, {0, 0, 0, 0}));
  const std::string message = input_error_message([&] { read_idx_images(path("floats.gz")); });
  EXPECT_EQ(message, path("floats.gz") +
                         ": magic 0x00000d02 (IDX of element type 0x0d with 2 dimensions), "
                         "expected 0x00000803 (IDX images)");
}

TEST_F(IdxFiles, CountMismatchIsRefusedNamingBothFilesAndCounts) {
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {3, 1, 2}, pixel_pattern(3, 1, 2)));
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {2}, {0, 1}));
  const std::string message =
      input_error_message([&] { read_idx_dataset(path("images.gz"), path("labels.gz")); });
  EXPECT_TRUE(starts_with(message, path("images.gz") + ": 3 images")) << message;
  EXPECT_TRUE(contains(message, path("labels.gz") + " has 2 labels")) << message;
}

TEST_F(IdxFiles, GarbageFileIsRefusedAsNotIdx) {
  const std::string text = "this is not an IDX file, nor gzip\n";
  write_plain(path("garbage.gz"), Bytes(text.begin(), text.end()));
  const std::string message = input_error_message([&] { read_idx_images(path("garbage.gz")); });
  EXPECT_TRUE(starts_with(message, path("garbage.gz") + ": magic 0x74686973 (not an IDX file)"))
      << message;
}

TEST_F(IdxFiles, ShortOrEmptyFileIsRefusedAsShortHeader) {
  write_plain(path("two-bytes"), {0, 0});
  write_plain(path("empty"), {});
  write_gzip(path("no-sizes.gz"), idx_file(kImagesMagic, {3}, {}));  // 2 of 3 sizes missing
  for (const char* name : {"two-bytes", "empty", "no-sizes.gz"}) {
    const std::string message = input_error_message([&] { read_idx_images(path(name)); });
    EXPECT_TRUE(starts_with(message, path(name) + ": short header")) << message;
  }
}

TEST_F(IdxFiles, ZeroRowsAreRefusedAsAbsurd) {
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {3, 0, 28}, {}));
  const std::string message = input_error_message([&] { read_idx_images(path("images.gz")); });
  EXPECT_TRUE(starts_with(message, path("images.gz") + ": absurd header: 3 images of 0 x 28"))
      << message;
}

TEST_F(IdxFiles, HugeSizesAreRefusedBeforeAnyAllocation) {
  // 4294967295 x 65536 x 65536 bytes overflows 64 bits; 2000 x 1000 x 1000 is 2e9 > 1e9.
  write_gzip(path("overflow.gz"), idx_file(kImagesMagic, {0xffffffffu, 65536, 65536}, {}));
  write_gzip(path("big.gz"), idx_file(kImagesMagic, {2000, 1000, 1000}, {}));
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {0xffffffffu}, {}));
  for (const char* name : {"overflow.gz", "big.gz"}) {
    const std::string message = input_error_message([&] { read_idx_images(path(name)); });
    EXPECT_TRUE(starts_with(message, path(name) + ": absurd header")) << message;
  }
  const std::string message = input_error_message([&] { read_idx_labels(path("labels.gz")); });
  EXPECT_TRUE(starts_with(message, path("labels.gz") + ": absurd header")) << message;
}

TEST_F(IdxFiles, NoImagesIsRefusedByTheDatasetReader) {
  write_gzip(path("images.gz"), idx_file(kImagesMagic, {0, 28, 28}, {}));
  write_gzip(path("labels.gz"), idx_file(kLabelsMagic, {0}, {}));
  EXPECT_EQ(read_idx_images(path("images.gz")).count, 0) << "an empty IDX file is well formed";
  const std::string message =
      input_error_message([&] { read_idx_dataset(path("images.gz"), path("labels.gz")); });
  EXPECT_TRUE(starts_with(message, path("images.gz") + ": no images")) << message;
}

TEST_F(IdxFiles, MissingFileNamesThePath) {
  const std::string missing = path("no-such-file.gz");
  const std::string message = input_error_message([&] { read_idx_images(missing); });
  EXPECT_TRUE(starts_with(message, missing + ": cannot open")) << message;
  EXPECT_TRUE(contains(message, "No such file")) << message;
}

TEST_F(IdxFiles, MissingFashionMnistSaysHowToInstallIt) {
  const std::string message = input_error_message([&] { load_fashion_mnist(path(""), "test"); });
  EXPECT_TRUE(contains(message, "t10k-images-idx3-ubyte.gz: Fashion-MNIST file not found"))
      << message;
  EXPECT_TRUE(contains(message, "bash scripts/setup.sh --fashion-mnist")) << message;
}

TEST(IdxFashionMnist, RefusesAnUnknownSplit) {
  EXPECT_THROW(load_fashion_mnist(kFashionMnistDir, "validation"), DomainError);
}

// The test split of Fashion-MNIST: 10000 images of 28 x 28, 1000 of each of the 10 classes
// (https://github.com/zalandoresearch/fashion-mnist), pixels p / 255 in [0, 1].
TEST(IdxFashionMnist, TestSplitHasTenThousandBalancedImages) {
  if (!std::filesystem::exists(kFashionMnistDir)) {
    GTEST_SKIP() << kFashionMnistDir
                 << " is missing: bash scripts/setup.sh --fashion-mnist installs it";
  }
  const MulticlassDataset data = load_fashion_mnist(kFashionMnistDir, "test");
  ASSERT_EQ(data.n(), 10000);
  ASSERT_EQ(data.d(), 784);
  EXPECT_EQ(data.classes, 10);
  std::vector<int> per_class(10, 0);
  for (const int y : data.label) {
    ASSERT_GE(y, 0);
    ASSERT_LT(y, 10);
    ++per_class[static_cast<std::size_t>(y)];
  }
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));
  EXPECT_EQ(data.X.minCoeff(), 0.0);
  EXPECT_EQ(data.X.maxCoeff(), 1.0) << "some pixel is 255";
  EXPECT_NO_THROW(validate(data));
}

}  // namespace
}  // namespace mixup::io
