// The confinement shared by the shard index and ONNX external data: the
// lexical rule, then where the path leads on disk, for reading and for
// writing.
#include "modelock/common/confined_path.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

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

TEST(ConfineExisting, AcceptsFilesInsideAlsoThroughInnerLinks) {
  Tree t;
  for (const char* ok : {"w.bin", "sub/x.bin", "in.bin"}) {
    const ConfinedPath p = confine_existing(t.folder, ok);
    EXPECT_TRUE(p.defect.empty()) << ok << ": " << p.defect;
    EXPECT_EQ(p.path, t.folder / ok);
  }
}

TEST(ConfineExisting, RefusesLinksOutMissingFilesAndPathsThroughFiles) {
  Tree t;
  EXPECT_NE(confine_existing(t.folder, "out.bin").defect.find("a file in the folder"), std::string::npos);
  EXPECT_NE(confine_existing(t.folder, "outdir/secret").defect.find("a file in the folder"), std::string::npos);
  EXPECT_NE(confine_existing(t.folder, "missing").defect.find("an existing file"), std::string::npos);
  EXPECT_NE(confine_existing(t.folder, "w.bin/x").defect.find("an existing file"), std::string::npos);
  EXPECT_FALSE(confine_existing(t.folder, "../outside/secret").defect.empty());
  EXPECT_TRUE(confine_existing(t.folder, "../outside/secret").path.empty());
}

TEST(ConfineNew, NeedsAnExistingFolderInside) {
  Tree t;
  EXPECT_TRUE(confine_new(t.folder, "new.bin").defect.empty());
  EXPECT_TRUE(confine_new(t.folder, "sub/new.bin").defect.empty());
  EXPECT_TRUE(confine_new(t.folder, "out.bin").defect.empty());  // the link itself is replaced, not followed
  EXPECT_NE(confine_new(t.folder, "outdir/new.bin").defect.find("a folder in the folder"), std::string::npos);
  EXPECT_NE(confine_new(t.folder, "nosuch/new.bin").defect.find("an existing folder"), std::string::npos);
  EXPECT_NE(confine_new(t.folder, "w.bin/new.bin").defect.find("directories"), std::string::npos);
}

}  // namespace
}  // namespace modelock
