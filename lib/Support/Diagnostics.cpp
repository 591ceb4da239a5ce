//===- Diagnostics.cpp - Located error reporting --------------------------===//

#include "ssc/Support/Diagnostics.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace ssc;

DiagnosticEngine::DiagnosticEngine(llvm::SourceMgr &SM, llvm::raw_ostream &OS)
    : SM(SM), OS(OS) {}

void DiagnosticEngine::report(Severity Sev, llvm::SMLoc Loc,
                              const llvm::Twine &Msg,
                              llvm::ArrayRef<llvm::SMRange> Ranges) {
  if (Sev == Severity::Warning && SuppressWarnings) {
    LastSuppressed = true;
    return;
  }
  if (Sev == Severity::Warning && !ShownWarnings.insert({Loc.getPointer(), Msg.str()}).second) {
    LastSuppressed = true; // shown before, with its notes
    return;
  }
  if (Sev == Severity::Warning && WarningsAsErrors)
    Sev = Severity::Error;

  if (Sev == Severity::Note) {
    if (LastSuppressed)
      return;
  } else if (Sev == Severity::Error) {
    ++NumErrors;
    if (ErrorLimit && NumErrors > ErrorLimit) {
      LastSuppressed = true;
      if (!LimitReached) {
        LimitReached = true;
        OS << ProgramName << ": error: too many errors emitted (" << ErrorLimit
           << "), stopping now\n";
      }
      return;
    }
    LastSuppressed = false;
  } else if (Sev == Severity::Warning) {
    ++NumWarnings;
    LastSuppressed = false;
  }

  llvm::SourceMgr::DiagKind Kind = llvm::SourceMgr::DK_Error;
  const char *Label = "error";
  switch (Sev) {
  case Severity::Error:
    break;
  case Severity::Warning:
    Kind = llvm::SourceMgr::DK_Warning;
    Label = "warning";
    break;
  case Severity::Note:
    Kind = llvm::SourceMgr::DK_Note;
    Label = "note";
    break;
  case Severity::Remark:
    Kind = llvm::SourceMgr::DK_Remark;
    Label = "remark";
    break;
  }

  if (!Loc.isValid() || !SM.FindBufferContainingLoc(Loc)) {
    OS << ProgramName << ": " << Label << ": " << Msg << "\n";
    return;
  }
  // Keep only ranges inside the same buffer: SourceMgr asserts otherwise.
  unsigned Buf = SM.FindBufferContainingLoc(Loc);
  llvm::SmallVector<llvm::SMRange, 2> Valid;
  for (llvm::SMRange R : Ranges)
    if (R.isValid() && SM.FindBufferContainingLoc(R.Start) == Buf &&
        SM.FindBufferContainingLoc(R.End) == Buf)
      Valid.push_back(R);
  // SourceMgr prints the whole source line; a multi-megabyte line would
  // flood the terminal, so long lines show a window around the column.
  auto [Line, Col] = SM.getLineAndColumn(Loc, Buf);
  const char *BufStart = SM.getMemoryBuffer(Buf)->getBufferStart();
  const char *BufEnd = SM.getMemoryBuffer(Buf)->getBufferEnd();
  const char *LineStart = Loc.getPointer() - (Col - 1);
  const char *LineEnd = Loc.getPointer();
  while (LineEnd < BufEnd && *LineEnd != '\n' && *LineEnd != '\r')
    ++LineEnd;
  constexpr size_t MaxLine = 240, Context = 80;
  if (static_cast<size_t>(LineEnd - LineStart) <= MaxLine) {
    SM.PrintMessage(OS, Loc, Kind, Msg, Valid);
    return;
  }
  (void)BufStart;
  OS << SM.getMemoryBuffer(Buf)->getBufferIdentifier() << ':' << Line << ':'
     << Col << ": " << Label << ": " << Msg << '\n';
  const char *From = Loc.getPointer() - std::min<size_t>(Col - 1, Context);
  const char *To = Loc.getPointer() +
                   std::min<size_t>(LineEnd - Loc.getPointer(), Context);
  bool CutLeft = From != LineStart, CutRight = To != LineEnd;
  std::string Window = (CutLeft ? "..." : "") + std::string(From, To) +
                       (CutRight ? "..." : "");
  for (char &C : Window)
    if (static_cast<unsigned char>(C) < 0x20 && C != '\t')
      C = ' ';
  OS << Window << '\n';
  OS.indent((CutLeft ? 3 : 0) + (Loc.getPointer() - From)) << "^\n";
}

std::string DiagnosticEngine::formatLocation(llvm::SMLoc Loc) const {
  if (!Loc.isValid())
    return "<unknown>";
  unsigned Buf = SM.FindBufferContainingLoc(Loc);
  if (!Buf)
    return "<unknown>";
  auto [Line, Col] = SM.getLineAndColumn(Loc, Buf);
  std::string S;
  llvm::raw_string_ostream RS(S);
  RS << SM.getMemoryBuffer(Buf)->getBufferIdentifier() << ":" << Line << ":"
     << Col;
  return S;
}

llvm::StringRef ssc::closestMatch(llvm::StringRef Word,
                                  llvm::ArrayRef<llvm::StringRef> Candidates) {
  llvm::StringRef Best;
  unsigned BestDist = ~0u;
  for (llvm::StringRef C : Candidates) {
    unsigned D = Word.edit_distance(C, /*AllowReplacements=*/true,
                                    /*MaxEditDistance=*/BestDist);
    if (D < BestDist) {
      BestDist = D;
      Best = C;
    }
  }
  // Suggest only plausible typos: at most a third of the word edited.
  if (Best.empty() || BestDist == 0 || BestDist > std::max<size_t>(1, Word.size() / 3))
    return {};
  return Best;
}

std::string ssc::didYouMean(llvm::StringRef Word,
                            llvm::ArrayRef<llvm::StringRef> Candidates) {
  llvm::StringRef Best = closestMatch(Word, Candidates);
  if (Best.empty())
    return "";
  return ("; did you mean '" + Best + "'?").str();
}

std::string ssc::joinAlternatives(llvm::ArrayRef<llvm::StringRef> Candidates) {
  std::string S;
  for (size_t I = 0, E = Candidates.size(); I != E; ++I) {
    if (I)
      S += (I + 1 == E) ? " or " : ", ";
    S += "'";
    S += Candidates[I].str();
    S += "'";
  }
  return S;
}

unsigned ssc::loadFileBuffer(llvm::StringRef Path, DiagnosticEngine &Diags,
                             llvm::SMLoc IncludeLoc) {
  auto BufOrErr = llvm::MemoryBuffer::getFileOrSTDIN(Path, /*IsText=*/true);
  if (std::error_code EC = BufOrErr.getError()) {
    Diags.error(IncludeLoc, "cannot open '" + Path + "': " + EC.message());
    return 0;
  }
  std::unique_ptr<llvm::MemoryBuffer> Buf = std::move(*BufOrErr);
  // Editors and spreadsheets on Windows may save UTF-8 with a byte order
  // mark. It is not text: dropped, it leaves columns counted from the first
  // character and the caret under line 1 (SourceMgr prints no caret on a
  // line with bytes it cannot place).
  llvm::StringRef Text = Buf->getBuffer();
  if (Text.starts_with("\xEF\xBB\xBF"))
    Buf = llvm::MemoryBuffer::getMemBufferCopy(Text.drop_front(3),
                                               Buf->getBufferIdentifier());
  return Diags.getSourceMgr().AddNewSourceBuffer(std::move(Buf), IncludeLoc);
}
