//===- JSONLocator.cpp - Source locations inside JSON text ----------------===//

#include "ssc/Support/JSONLocator.h"

#include <string>
#include <vector>

using namespace ssc;

JSONLocator::JSONLocator(llvm::StringRef Text) : Text(Text) { scan(); }

namespace {
struct Frame {
  bool IsArray;
  std::string Path;
  unsigned Index = 0;
  std::string PendingKey; // object: key waiting for its value
  const char *PendingKeyPos = nullptr;
};
} // namespace

static std::string childPath(const std::string &Parent, const std::string &Key) {
  return Parent.empty() ? Key : Parent + "." + Key;
}

void JSONLocator::scan() {
  std::vector<Frame> Stack;
  const char *P = Text.begin(), *E = Text.end();
  bool ExpectKey = false;

  // Records that a value starts at Pos, returning its path.
  auto startValue = [&](const char *Pos) -> std::string {
    if (Stack.empty()) {
      Values.try_emplace("", Pos);
      return "";
    }
    Frame &F = Stack.back();
    std::string Path;
    if (F.IsArray) {
      Path = F.Path + "[" + std::to_string(F.Index++) + "]";
    } else {
      Path = childPath(F.Path, F.PendingKey);
      Keys.try_emplace(Path, F.PendingKeyPos);
    }
    Values.try_emplace(Path, Pos);
    return Path;
  };

  while (P < E) {
    char C = *P;
    if (C == '"') {
      const char *Start = P++;
      std::string S;
      while (P < E && *P != '"') {
        if (*P == '\\' && P + 1 < E) {
          S.push_back(P[1]);
          P += 2;
          continue;
        }
        S.push_back(*P++);
      }
      ++P;
      if (ExpectKey && !Stack.empty() && !Stack.back().IsArray) {
        Stack.back().PendingKey = S;
        Stack.back().PendingKeyPos = Start;
        ExpectKey = false;
      } else {
        startValue(Start);
      }
      continue;
    }
    if (C == '{' || C == '[') {
      std::string Path = startValue(P);
      Frame F;
      F.IsArray = (C == '[');
      F.Path = Path;
      Stack.push_back(std::move(F));
      ExpectKey = (C == '{');
      ++P;
      continue;
    }
    if (C == '}' || C == ']') {
      if (!Stack.empty())
        Stack.pop_back();
      ++P;
      continue;
    }
    if (C == ',') {
      ExpectKey = !Stack.empty() && !Stack.back().IsArray;
      ++P;
      continue;
    }
    if (C == ':' || C == ' ' || C == '\t' || C == '\n' || C == '\r') {
      ++P;
      continue;
    }
    // A bare literal: number, true, false, null.
    startValue(P);
    while (P < E && *P != ',' && *P != '}' && *P != ']' && *P != ' ' &&
           *P != '\n' && *P != '\t' && *P != '\r')
      ++P;
  }
}

llvm::SMLoc JSONLocator::valueLoc(llvm::StringRef Path) const {
  std::string P = Path.str();
  while (true) {
    auto It = Values.find(P);
    if (It != Values.end())
      return llvm::SMLoc::getFromPointer(It->second);
    if (P.empty())
      break;
    size_t Cut = P.find_last_of(".[");
    P = Cut == std::string::npos ? "" : P.substr(0, Cut);
  }
  return llvm::SMLoc::getFromPointer(Text.begin());
}

llvm::SMLoc JSONLocator::keyLoc(llvm::StringRef Path) const {
  auto It = Keys.find(Path);
  if (It != Keys.end())
    return llvm::SMLoc::getFromPointer(It->second);
  return valueLoc(Path);
}

#include "llvm/Support/MemoryBuffer.h"

std::optional<llvm::json::Value> ssc::parseJSONBuffer(unsigned BufferID,
                                                      DiagnosticEngine &Diags) {
  const llvm::MemoryBuffer *Buf = Diags.getSourceMgr().getMemoryBuffer(BufferID);
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Buf->getBuffer());
  if (V)
    return std::move(*V);
  // llvm::json::ParseError keeps its position private; it prints it as
  // "[line:col, byte=N]: message".
  std::string Text = llvm::toString(V.takeError());
  size_t Byte = 0;
  std::string Msg = Text;
  size_t B = Text.find("byte="), E = Text.find("]: ");
  if (B != std::string::npos && E != std::string::npos && E > B) {
    Byte = std::strtoull(Text.c_str() + B + 5, nullptr, 10);
    Msg = Text.substr(E + 3);
  }
  // The parser reports the position after the character it just consumed,
  // except for text after the document, where it stops at that text.
  if (Byte > 0 && Msg != "Text after end of document")
    --Byte;
  Byte = std::min<size_t>(Byte, Buf->getBufferSize());
  Diags.error(llvm::SMLoc::getFromPointer(Buf->getBufferStart() + Byte),
              "invalid JSON: " + Msg);
  return std::nullopt;
}

std::optional<JSONObjectDocument> ssc::parseJSONObject(unsigned BufferID, DiagnosticEngine &Diags,
                                                       llvm::StringRef NotObject) {
  std::optional<llvm::json::Value> Root = parseJSONBuffer(BufferID, Diags);
  if (!Root)
    return std::nullopt;
  JSONLocator Loc(Diags.getSourceMgr().getMemoryBuffer(BufferID)->getBuffer());
  if (!Root->getAsObject()) {
    Diags.error(Loc.valueLoc(""), NotObject);
    return std::nullopt;
  }
  return JSONObjectDocument{std::move(*Root), std::move(Loc)};
}
