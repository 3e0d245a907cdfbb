// The confinement shared by the shard index and ONNX external data: the
// lexical rule, then opening below the folder without symlinks: the file to
// read, or the folder to write in.
#include "modelock/common/confined_path.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "modelock/common/output_file.hpp"
#include "temp_dir.hpp"

namespace modelock {
namespace {

using testing::TempDir;

TEST(RelativePathDefect, AcceptsPlainRelativePaths) {
  for (const char* ok : {"w.bin", "weights/w.bin", "a/b/c.data", "..w", "w..", ".hidden"}) {
    EXPECT_TRUE(relative_path_defect(ok).empty()) << ok;
  }
}

TEST(RelativePathDefect, RefusesWhatCouldLeaveTheFolder) {
  const std::vector<std::string> refused = {"",   "/etc/passwd", "..",   "../w", "a/../../w",
                                            ".",  "./w",         "a/./w", "a//w", "a/", std::string("w\0x", 3)};
  for (const auto& bad : refused) {
    EXPECT_FALSE(relative_path_defect(bad).empty()) << bad;
  }
}

struct Tree {
  TempDir dir;
  std::filesystem::path folder = dir.path() / "model";
  Tree() {
    std::filesystem::create_directories(folder / "sub");
    std::filesystem::create_directories(dir.path() / "outside");
    std::ofstream(folder / "w.bin") << "w";
    std::ofstream(folder / "sub" / "x.bin") << "x";
    std::ofstream(dir.path() / "outside" / "secret") << "s";
    std::filesystem::create_symlink(dir.path() / "outside" / "secret", folder / "out.bin");
    std::filesystem::create_directory_symlink(dir.path() / "outside", folder / "outdir");
    std::filesystem::create_symlink("sub/x.bin", folder / "in.bin");
  }
};

// What an opened file holds, read through its descriptor.
std::string contents(const InputFile& file) {
  std::string text(static_cast<std::size_t>(file.size), '\0');
  EXPECT_EQ(::pread(file.fd.get(), text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
  return text;
}

constexpr ConfinedOpen kBothWays[] = {ConfinedOpen::automatic, ConfinedOpen::by_components};

TEST(OpenConfined, OpensRegularFilesInsideEitherWay) {
  Tree t;
  for (const ConfinedOpen how : kBothWays) {
    for (const auto& [relative, text] : {std::pair{"w.bin", "w"}, std::pair{"sub/x.bin", "x"}}) {
      const ConfinedFile f = open_confined(t.folder, relative, how);
      ASSERT_TRUE(f.defect.empty()) << relative << ": " << f.defect;
      EXPECT_EQ(f.path, t.folder / relative);
      EXPECT_EQ(contents(f.file), text) << relative;
    }
  }
}

TEST(OpenConfined, RefusesEverySymlinkOnTheWayEitherWay) {
  Tree t;
  for (const ConfinedOpen how : kBothWays) {
    // The file a link (out of the folder, or inside it), or a folder on the
    // path a link (the middle component of outdir/secret).
    for (const char* linked : {"out.bin", "in.bin", "outdir/secret"}) {
      const ConfinedFile f = open_confined(t.folder, linked, how);
      EXPECT_NE(f.defect.find("reached without symlinks"), std::string::npos) << linked << ": " << f.defect;
      EXPECT_FALSE(f.file.fd.valid()) << linked;
    }
  }
}

TEST(OpenConfined, RefusesMissingFilesPathsThroughFilesAndNonRegularFiles) {
  Tree t;
  ASSERT_EQ(::mkfifo((t.folder / "pipe").c_str(), 0600), 0);
  for (const ConfinedOpen how : kBothWays) {
    EXPECT_NE(open_confined(t.folder, "missing", how).defect.find("an existing file"), std::string::npos);
    EXPECT_NE(open_confined(t.folder, "w.bin/x", how).defect.find("Not a directory"), std::string::npos);
    EXPECT_NE(open_confined(t.folder, "sub", how).defect.find("a regular file"), std::string::npos);
    // A FIFO without a writer: refused at once, not waited on.
    EXPECT_NE(open_confined(t.folder, "pipe", how).defect.find("FIFO"), std::string::npos);
    EXPECT_FALSE(open_confined(t.folder, "../outside/secret", how).defect.empty());
    EXPECT_NE(open_confined(t.dir.path() / "nosuch", "w.bin", how).defect.find("an existing folder"),
              std::string::npos);
  }
}

// The check and the open are one step: once open, swapping the name for a
// link out of the folder changes nothing the caller reads.
TEST(OpenConfined, ReadsTheFileItCheckedAfterTheNameIsSwapped) {
  Tree t;
  const ConfinedFile f = open_confined(t.folder, "w.bin");
  ASSERT_TRUE(f.defect.empty()) << f.defect;
  std::filesystem::remove(t.folder / "w.bin");
  std::filesystem::create_symlink(t.dir.path() / "outside" / "secret", t.folder / "w.bin");
  EXPECT_EQ(contents(f.file), "w");
  EXPECT_FALSE(open_confined(t.folder, "w.bin").defect.empty());
}

TEST(ConfineNew, NeedsAnExistingFolderInsideReachedWithoutSymlinks) {
  Tree t;
  std::filesystem::create_directory_symlink("sub", t.folder / "insub");
  for (const ConfinedOpen how : kBothWays) {
    for (const char* ok : {"new.bin", "sub/new.bin", "out.bin"}) {  // out.bin: the link is replaced, not followed
      const ConfinedFolder f = confine_new(t.folder, ok, how);
      EXPECT_TRUE(f.defect.empty()) << ok << ": " << f.defect;
      EXPECT_EQ(f.path, t.folder / ok);
    }
    EXPECT_NE(confine_new(t.folder, "outdir/new.bin", how).defect.find("a folder in the folder"), std::string::npos);
    EXPECT_NE(confine_new(t.folder, "insub/new.bin", how).defect.find("reached without symlinks"), std::string::npos);
    EXPECT_NE(confine_new(t.folder, "nosuch/new.bin", how).defect.find("an existing folder"), std::string::npos);
    EXPECT_NE(confine_new(t.folder, "w.bin/new.bin", how).defect.find("directories"), std::string::npos);
    EXPECT_FALSE(confine_new(t.folder, "../outside/new.bin", how).defect.empty());
  }
}

// The file is written through the folder's descriptor: a link swapped in
// for the folder after the check does not lead the output out of it.
TEST(ConfineNew, WritesIntoTheFolderItCheckedAfterTheFolderIsSwapped) {
  Tree t;
  const ConfinedFolder f = confine_new(t.folder, "sub/new.bin");
  ASSERT_TRUE(f.defect.empty()) << f.defect;
  std::filesystem::rename(t.folder / "sub", t.folder / "moved");
  std::filesystem::create_directory_symlink(t.dir.path() / "outside", t.folder / "sub");
  OutputFile out(f.through(), 0600);
  const std::string text = "plain";
  out.write({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  out.commit();
  EXPECT_TRUE(std::filesystem::exists(t.folder / "moved" / "new.bin"));
  EXPECT_FALSE(std::filesystem::exists(t.dir.path() / "outside" / "new.bin"));
}

}  // namespace
}  // namespace modelock
