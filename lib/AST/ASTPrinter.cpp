//===- ASTPrinter.cpp - Print the AST in the language's syntax ------------===//

#include "ssc/AST/ASTPrinter.h"

#include "ssc/Support/Format.h"

using namespace ssc;
using namespace ssc::ast;

static void printArgs(const std::vector<Arg> &Args, llvm::raw_ostream &OS) {
  OS << '(';
  for (size_t I = 0; I < Args.size(); ++I) {
    if (I)
      OS << ", ";
    if (Args[I].isNamed())
      OS << Args[I].Name << '=';
    print(*Args[I].Val, OS);
  }
  OS << ')';
}

static void printList(const std::vector<ValuePtr> &Elems, llvm::raw_ostream &OS) {
  OS << '[';
  for (size_t I = 0; I < Elems.size(); ++I) {
    if (I)
      OS << ", ";
    print(*Elems[I], OS);
  }
  OS << ']';
}

void ssc::ast::print(const Value &V, llvm::raw_ostream &OS) {
  switch (V.getKind()) {
  case Value::Kind::Int:
    OS << llvm::cast<IntValue>(V).getValue();
    return;
  case Value::Kind::Float: {
    // Keep a '.' or an exponent so that the value reads back as a float.
    std::string S = formatShortest(llvm::cast<FloatValue>(V).getValue());
    if (S.find_first_of(".e") == std::string::npos)
      S += ".0";
    OS << S;
    return;
  }
  case Value::Kind::Factor:
    OS << formatFixedShortest(llvm::cast<FactorValue>(V).getValue()) << 'x';
    return;
  case Value::Kind::String:
    OS << stringLiteral(llvm::cast<StringValue>(V).getValue());
    return;
  case Value::Kind::Bool:
    OS << (llvm::cast<BoolValue>(V).getValue() ? "true" : "false");
    return;
  case Value::Kind::Ref: {
    const auto &R = llvm::cast<RefValue>(V);
    OS << R.getName();
    if (R.hasArgs())
      printArgs(R.getArgs(), OS);
    return;
  }
  case Value::Kind::List: {
    const auto &L = llvm::cast<ListValue>(V);
    if (L.isBracketed()) {
      printList(L.getElements(), OS);
      return;
    }
    for (size_t I = 0; I < L.getElements().size(); ++I) {
      if (I)
        OS << ", ";
      print(*L.getElements()[I], OS);
    }
    return;
  }
  case Value::Kind::Repeat: {
    const auto &R = llvm::cast<RepeatValue>(V);
    OS << R.getCount() << " x ";
    print(R.getBody(), OS);
    return;
  }
  case Value::Kind::Cycle: {
    const auto &C = llvm::cast<CycleValue>(V);
    OS << C.getCount() << " of ";
    printList(C.getElements(), OS);
    return;
  }
  }
}

void ssc::ast::print(const Node &N, llvm::raw_ostream &OS, unsigned Indent) {
  OS.indent(Indent);
  switch (N.getKind()) {
  case Node::Kind::Import:
    OS << "import " << stringLiteral(llvm::cast<ImportDecl>(N).getPath()) << ";\n";
    return;
  case Node::Kind::Property: {
    const auto &P = llvm::cast<PropertyStmt>(N);
    OS << P.getName() << " = ";
    print(P.getValue(), OS);
    OS << ";\n";
    return;
  }
  case Node::Kind::Clause: {
    const auto &C = llvm::cast<ClauseStmt>(N);
    OS << C.getHead();
    if (C.hasArgs())
      printArgs(C.getArgs(), OS);
    for (const Term &T : C.getTerms()) {
      OS << ' ' << T.Name;
      if (T.isAssignment()) {
        OS << '=';
        print(*T.Assigned, OS);
      } else if (T.HasArgs) {
        printArgs(T.Args, OS);
      }
    }
    OS << ";\n";
    return;
  }
  case Node::Kind::Block: {
    const auto &B = llvm::cast<Block>(N);
    OS << blockKeyword(B.getBlockKind());
    if (!B.getName().empty())
      OS << ' ' << B.getName();
    if (!B.getBase().empty())
      OS << " extends " << B.getBase();
    OS << " {\n";
    const Node *Prev = nullptr;
    for (const NodePtr &Item : B.getBody()) {
      // Nested blocks stand apart from their neighbours by one blank line.
      if (Prev && (llvm::isa<Block>(Item.get()) || llvm::isa<Block>(Prev)))
        OS << '\n';
      print(*Item, OS, Indent + 2);
      Prev = Item.get();
    }
    OS.indent(Indent) << "}\n";
    return;
  }
  }
}

void ssc::ast::print(const File &F, llvm::raw_ostream &OS) {
  const Node *Prev = nullptr;
  for (const NodePtr &D : F.getDecls()) {
    if (Prev && !(llvm::isa<ImportDecl>(Prev) && llvm::isa<ImportDecl>(D.get())))
      OS << '\n';
    print(*D, OS);
    Prev = D.get();
  }
}
