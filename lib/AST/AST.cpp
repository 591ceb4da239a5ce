//===- AST.cpp - The ssc abstract syntax tree -----------------------------===//

#include "ssc/AST/AST.h"

using namespace ssc::ast;

llvm::StringRef Value::getKindName() const {
  switch (K) {
  case Kind::Int: return "integer";
  case Kind::Float: return "number";
  case Kind::Factor: return "factor";
  case Kind::String: return "string";
  case Kind::Bool: return "boolean";
  case Kind::Ref: return "name";
  case Kind::List: return "list";
  case Kind::Repeat: return "repetition";
  case Kind::Cycle: return "pattern";
  }
  return "value";
}

llvm::StringRef ssc::ast::blockKeyword(BlockKind K) {
  switch (K) {
  case BlockKind::Model: return "model";
  case BlockKind::Layer: return "layer";
  case BlockKind::Gpu: return "gpu";
  case BlockKind::Plan: return "plan";
  case BlockKind::Prefill: return "prefill";
  case BlockKind::Decode: return "decode";
  }
  return "?";
}
