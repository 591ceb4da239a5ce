//===- AST.h - The ssc abstract syntax tree ---------------------*- C++ -*-===//
//
// ssc's own syntax tree: plain data with a source location on every node. The
// Frontend builds it from the ANTLR parse tree (which never leaves
// lib/Frontend); Sema turns it into checked model, GPU and plan specs.
//
// The language is regular: a file holds imports and blocks (model, layer, gpu,
// plan, prefill/decode phases); a block holds statements and nested blocks; a
// statement is a property (`hidden = 4096;`) or a clause (`attn gqa(kv=8)
// window=4096;`). Values are numbers, factors (`4x`), strings, booleans,
// references with optional arguments (`rope(500000)`), lists, and the two
// layer-pattern forms `3 x dense` and `62 of [5 x local, global]`.
//
//===----------------------------------------------------------------------===//

#ifndef SSC_AST_AST_H
#define SSC_AST_AST_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ssc::ast {

using llvm::SMLoc;
using llvm::SMRange;

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

class Value;
using ValuePtr = std::unique_ptr<Value>;

/// One argument of a call: `kv=8` (named) or `8` (positional).
struct Arg {
  std::string Name; // empty when positional
  SMLoc NameLoc;
  ValuePtr Val;

  bool isNamed() const { return !Name.empty(); }
};

class Value {
public:
  enum class Kind { Int, Float, Factor, String, Bool, Ref, List, Repeat, Cycle };

  Value(Kind K, SMRange Range) : K(K), Range(Range) {}
  virtual ~Value() = default;

  Kind getKind() const { return K; }
  SMRange getRange() const { return Range; }
  SMLoc getLoc() const { return Range.Start; }

  /// A short description for diagnostics ("integer", "string", ...).
  llvm::StringRef getKindName() const;
  bool isNumber() const { return K == Kind::Int || K == Kind::Float; }

private:
  Kind K;
  SMRange Range;
};

class IntValue : public Value {
public:
  IntValue(SMRange R, int64_t V) : Value(Kind::Int, R), V(V) {}
  int64_t getValue() const { return V; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Int; }

private:
  int64_t V;
};

class FloatValue : public Value {
public:
  FloatValue(SMRange R, double V) : Value(Kind::Float, R), V(V) {}
  double getValue() const { return V; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Float; }

private:
  double V;
};

/// `4x`, `1.5x`.
class FactorValue : public Value {
public:
  FactorValue(SMRange R, double V) : Value(Kind::Factor, R), V(V) {}
  double getValue() const { return V; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Factor; }

private:
  double V;
};

class StringValue : public Value {
public:
  StringValue(SMRange R, std::string V) : Value(Kind::String, R), V(std::move(V)) {}
  llvm::StringRef getValue() const { return V; }
  static bool classof(const Value *X) { return X->getKind() == Kind::String; }

private:
  std::string V;
};

class BoolValue : public Value {
public:
  BoolValue(SMRange R, bool V) : Value(Kind::Bool, R), V(V) {}
  bool getValue() const { return V; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Bool; }

private:
  bool V;
};

/// A name, optionally called: `dense`, `top2`, `rope(500000)`, `swiglu(2048)`.
class RefValue : public Value {
public:
  RefValue(SMRange R, std::string Name, bool HasArgs, std::vector<Arg> Args)
      : Value(Kind::Ref, R), Name(std::move(Name)), HasArgs(HasArgs),
        Args(std::move(Args)) {}
  llvm::StringRef getName() const { return Name; }
  bool hasArgs() const { return HasArgs; }
  const std::vector<Arg> &getArgs() const { return Args; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Ref; }

private:
  std::string Name;
  bool HasArgs;
  std::vector<Arg> Args;
};

/// `[a, b, c]`, or a bare comma list as the value of a property
/// (`layers = 3 x dense, 58 x moe;`). Both mean the same; the printer keeps
/// the form the source used.
class ListValue : public Value {
public:
  ListValue(SMRange R, std::vector<ValuePtr> Elems, bool Bracketed)
      : Value(Kind::List, R), Elems(std::move(Elems)), Bracketed(Bracketed) {}
  const std::vector<ValuePtr> &getElements() const { return Elems; }
  bool isBracketed() const { return Bracketed; }
  static bool classof(const Value *X) { return X->getKind() == Kind::List; }

private:
  std::vector<ValuePtr> Elems;
  bool Bracketed;
};

/// `3 x dense`: Count copies of Body.
class RepeatValue : public Value {
public:
  RepeatValue(SMRange R, int64_t Count, SMLoc CountLoc, ValuePtr Body)
      : Value(Kind::Repeat, R), Count(Count), CountLoc(CountLoc),
        Body(std::move(Body)) {}
  int64_t getCount() const { return Count; }
  SMLoc getCountLoc() const { return CountLoc; }
  const Value &getBody() const { return *Body; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Repeat; }

private:
  int64_t Count;
  SMLoc CountLoc;
  ValuePtr Body;
};

/// `62 of [5 x local, global]`: the pattern repeated and cut to Count layers.
class CycleValue : public Value {
public:
  CycleValue(SMRange R, int64_t Count, SMLoc CountLoc, std::vector<ValuePtr> Elems)
      : Value(Kind::Cycle, R), Count(Count), CountLoc(CountLoc),
        Elems(std::move(Elems)) {}
  int64_t getCount() const { return Count; }
  SMLoc getCountLoc() const { return CountLoc; }
  const std::vector<ValuePtr> &getElements() const { return Elems; }
  static bool classof(const Value *X) { return X->getKind() == Kind::Cycle; }

private:
  int64_t Count;
  SMLoc CountLoc;
  std::vector<ValuePtr> Elems;
};

//===----------------------------------------------------------------------===//
// Statements and blocks
//===----------------------------------------------------------------------===//

class Node {
public:
  enum class Kind { Import, Block, Property, Clause };
  Node(Kind K, SMLoc Loc) : K(K), Loc(Loc) {}
  virtual ~Node() = default;
  Kind getKind() const { return K; }
  SMLoc getLoc() const { return Loc; }

private:
  Kind K;
  SMLoc Loc;
};
using NodePtr = std::unique_ptr<Node>;

/// `import "gpus.arch";`
class ImportDecl : public Node {
public:
  ImportDecl(SMLoc Loc, std::string Path, SMRange PathRange)
      : Node(Kind::Import, Loc), Path(std::move(Path)), PathRange(PathRange) {}
  llvm::StringRef getPath() const { return Path; }
  SMRange getPathRange() const { return PathRange; }
  static bool classof(const Node *N) { return N->getKind() == Kind::Import; }

private:
  std::string Path;
  SMRange PathRange;
};

/// `name = value;`
class PropertyStmt : public Node {
public:
  PropertyStmt(SMLoc Loc, std::string Name, ValuePtr Val)
      : Node(Kind::Property, Loc), Name(std::move(Name)), Val(std::move(Val)) {}
  llvm::StringRef getName() const { return Name; }
  const Value &getValue() const { return *Val; }
  static bool classof(const Node *N) { return N->getKind() == Kind::Property; }

private:
  std::string Name;
  ValuePtr Val;
};

/// One word of a clause: `gqa(kv=8)`, `qk_norm`, `window=4096`.
struct Term {
  std::string Name;
  SMLoc Loc;
  bool HasArgs = false;
  std::vector<Arg> Args;
  ValuePtr Assigned; // set for `name=value`

  bool isAssignment() const { return Assigned != nullptr; }
};

/// `head(args) term term ...;`
class ClauseStmt : public Node {
public:
  ClauseStmt(SMLoc Loc, std::string Head, bool HasArgs, std::vector<Arg> Args,
             std::vector<Term> Terms, SMLoc End)
      : Node(Kind::Clause, Loc), Head(std::move(Head)), HasArgs(HasArgs),
        Args(std::move(Args)), Terms(std::move(Terms)), End(End) {}
  llvm::StringRef getHead() const { return Head; }
  bool hasArgs() const { return HasArgs; }
  const std::vector<Arg> &getArgs() const { return Args; }
  const std::vector<Term> &getTerms() const { return Terms; }
  /// Location of the terminating ';'.
  SMLoc getEndLoc() const { return End; }
  static bool classof(const Node *N) { return N->getKind() == Kind::Clause; }

private:
  std::string Head;
  bool HasArgs;
  std::vector<Arg> Args;
  std::vector<Term> Terms;
  SMLoc End;
};

enum class BlockKind { Model, Layer, Gpu, Plan, Prefill, Decode };

/// The keyword that opens a block of kind \p K.
llvm::StringRef blockKeyword(BlockKind K);

/// `model NAME { ... }`, `layer NAME extends BASE { ... }`, `prefill { ... }`.
class Block : public Node {
public:
  Block(BlockKind BK, SMLoc Loc, std::string Name, SMLoc NameLoc,
        std::string Base, SMLoc BaseLoc, std::vector<NodePtr> Body, SMLoc End)
      : Node(Kind::Block, Loc), BK(BK), Name(std::move(Name)), NameLoc(NameLoc),
        Base(std::move(Base)), BaseLoc(BaseLoc), Body(std::move(Body)),
        End(End) {}

  BlockKind getBlockKind() const { return BK; }
  llvm::StringRef getName() const { return Name; }
  SMLoc getNameLoc() const { return NameLoc; }
  /// The `extends` base, or empty.
  llvm::StringRef getBase() const { return Base; }
  SMLoc getBaseLoc() const { return BaseLoc; }
  const std::vector<NodePtr> &getBody() const { return Body; }
  /// Location of the closing '}'.
  SMLoc getEndLoc() const { return End; }
  static bool classof(const Node *N) { return N->getKind() == Kind::Block; }

private:
  BlockKind BK;
  std::string Name;
  SMLoc NameLoc;
  std::string Base;
  SMLoc BaseLoc;
  std::vector<NodePtr> Body;
  SMLoc End;
};

/// One parsed source file.
class File {
public:
  File(std::string Path, unsigned BufferID, std::vector<NodePtr> Decls)
      : Path(std::move(Path)), BufferID(BufferID), Decls(std::move(Decls)) {}
  llvm::StringRef getPath() const { return Path; }
  unsigned getBufferID() const { return BufferID; }
  const std::vector<NodePtr> &getDecls() const { return Decls; }

private:
  std::string Path;
  unsigned BufferID;
  std::vector<NodePtr> Decls;
};

} // namespace ssc::ast

#endif // SSC_AST_AST_H
